// Invalid variants of valid records (generator.hpp InvalidKind): each breaks exactly one
// rule of design.md §4, so a strict validator rejects it with one known reason.
// Internal to pqrflow::sim.
#pragma once

#include <string>
#include <string_view>

#include "sim/generator.hpp"
#include "sim/random.hpp"
#include "sim/sim_event.hpp"

namespace pqrflow::sim {

// True when kind k can be made from a record of type t (e.g. kTimeOrder needs a window
// service, kNegativeAmount a bill).
bool applicable(InvalidKind k, core::EventType t);

// Writes into *out the invalid variant of kind k of event e, whose valid JSON is `valid`.
// The variant's event_id (when it keeps one) ends in "-x", so it names no valid event.
void make_invalid(InvalidKind k, const SimEvent& e, std::string_view valid, Rng& rng,
                  std::string* out);

}  // namespace pqrflow::sim
