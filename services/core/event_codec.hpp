// Conversion between the in-memory canonical Event and the protobuf pqrflow.v1.Event
// carried on pqrflow.events.v1. Lossless in both directions for valid events.
#pragma once

#include <string>
#include <string_view>

#include "core/event.hpp"

namespace pqrflow::v1 {
class Event;
}

namespace pqrflow::core {

void to_proto(const Event& in, pqrflow::v1::Event* out);
// Structural conversion only (no rule checks: see validate() in contract.hpp).
// Returns false when the message has no body.
bool from_proto(const pqrflow::v1::Event& in, Event* out);

// Serialises to protobuf wire bytes (appends to *out after clearing it).
void serialize_event(const Event& in, std::string* out);

// Empties a reused message for an event whose body is the oneof field `body` (a
// v1::Event::BodyCase). Clear() frees the body, and a bill's lines, that the next event
// of the same type allocates again; so when the message holds that body and no unknown
// fields, every field is cleared in place (the body keeps its allocations) and this
// returns true. Otherwise it Clear()s the message and returns false. Used by to_proto
// (ingest) and by decode_protobuf (metrics), one message reused per record.
bool clear_keeping_body(pqrflow::v1::Event* m, int body);

}  // namespace pqrflow::core
