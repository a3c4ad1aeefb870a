// libFuzzer target: ingest::normalize(), what ingest does with each raw record, on
// (flags, bytes): the first input byte's low bit says whether the record came with
// content-type: application/x-protobuf; the rest is the record's value.
//
// Invariants: exactly one outcome is filled; an accepted record's canonical bytes decode
// to an event whose partition key is the key given, and re-encode to the same bytes; a
// rejection is well-formed (fuzz_checks.hpp). One Normalized is reused across inputs,
// as ingest's batch loop reuses one.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/contract.hpp"
#include "core/event_codec.hpp"
#include "fuzz_checks.hpp"
#include "ingest/ingest_service.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pqrflow;
  if (size == 0) return 0;
  const bool protobuf = (data[0] & 1) != 0;
  const std::string_view value(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  static const core::DecoderLimits limits;
  static core::Decoder decoder(limits);
  static ingest::Normalized out;
  ingest::normalize(decoder, value, protobuf, &out);
  if (!out.accepted) {
    fuzz::require(out.event_bytes.empty() && out.key.empty(),
                  "a rejected record leaves event bytes or a key behind", input);
    // Without the header, a record may be tried as JSON and then as protobuf; the
    // reason reported is the JSON one.
    fuzz::check_rejected(out.rejection, protobuf ? fuzz::Path::kProtobuf : fuzz::Path::kJson,
                         limits, value.size(), input);
    return 0;
  }
  fuzz::require(!out.event_bytes.empty() && !out.key.empty(),
                "an accepted record without event bytes or key", input);
  fuzz::require(out.rejection.detail.empty(), "an accepted record keeps a rejection", input);
  core::Decoder fresh(limits);
  core::Event event;
  core::Rejection why;
  if (!fresh.decode_protobuf(out.event_bytes, &event, &why)) {
    fuzz::fail("ingest published an event its own decoder rejects: " + why.detail, input);
  }
  fuzz::require(core::partition_key(event) == out.key, "key is not the event's partition key",
                input);
  std::string again;
  core::serialize_event(event, &again);
  fuzz::require(again == out.event_bytes, "published bytes are not canonical", input);
  fuzz::check_accepted(event, input);
  return 0;
}
