// Internals shared by the two ways an Event is built (contract.cpp from JSON,
// event_codec.cpp from protobuf). Not part of the public API: include only from those.
//
// Sentinels let from_proto() keep an impossible wire value (kind 42, month 13)
// representable, so that validate() rejects it instead of silently mapping it to a
// valid one (a plain cast of 257 to a uint8_t enum would give 1).
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "core/event.hpp"

namespace pqrflow::core::detail {

// The value an out-of-range wire enum becomes in an Event; validate() rejects it.
inline constexpr std::uint8_t kInvalidEnumValue = 0xFF;

// The period a bill.issued from protobuf gets when its year/month are not a month.
inline constexpr YearMonth kInvalidPeriod{std::numeric_limits<std::int32_t>::min()};

// Resets every field of *e to its default while keeping the strings' capacity, so
// that a decoder reusing one Event per record allocates nothing after warm-up.
inline void reset_event(Event* e) {
  // Tripwire: a field added to Event must be reset here too (and in the codec).
  static_assert(sizeof(Event) == 432, "Event changed: update reset_event()");
  e->type = EventType::kPqrFiled;
  e->event_id.clear();
  e->occurred_at = Instant{};
  e->source.clear();
  e->ticket_id.clear();
  e->kind = PqrKind::kUnspecified;
  e->channel = Channel::kUnspecified;
  e->subscriber_id.clear();
  e->service = Service::kUnspecified;
  e->causal.clear();
  e->office.clear();
  e->outcome = Outcome::kUnspecified;
  e->internal_error.reset();
  e->reason.clear();
  e->turn_id.clear();
  e->arrived_at = Instant{};
  e->started_at.reset();
  e->visit_id.clear();
  e->bill_id.clear();
  e->period = YearMonth{};
  e->amounts = {};
  e->amount = 0;
}

}  // namespace pqrflow::core::detail
