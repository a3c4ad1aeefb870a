// libFuzzer target: core::Decoder::decode_protobuf on arbitrary bytes (the path of raw
// records sent with content-type: application/x-protobuf).
//
// Invariants (fuzz_checks.hpp): an accepted message round-trips through the canonical
// protobuf to an equal Event, and its canonical bytes are a fixed point; a rejected
// one has a reason decode_protobuf can give and a short UTF-8 detail; a reused decoder
// (primed with a message holding every body field) agrees with a fresh one.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/contract.hpp"
#include "core/event_codec.hpp"
#include "fuzz_checks.hpp"

namespace {

using namespace pqrflow;

// A valid bill.issued with both lines, as protobuf bytes: primes the reused decoder.
std::string every_line_bytes() {
  core::Event e;
  e.type = core::EventType::kBillIssued;
  e.event_id = "prime-1";
  e.occurred_at = core::Instant{1'710'861'300'000'000};  // 2024-03-19T10:15:00-05:00
  e.source = "s";
  e.bill_id = "B-1";
  e.subscriber_id = "S-1";
  e.period = core::YearMonth::of(2024, 3);
  e.amounts = {core::Cents{150}, core::Cents{200}};
  std::string bytes;
  core::serialize_event(e, &bytes);
  return bytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  static const core::DecoderLimits limits;
  static const std::string prime = every_line_bytes();
  static core::Decoder reused(limits);
  static core::Event reused_event;
  core::Rejection reused_why;
  if (!reused.decode_protobuf(prime, &reused_event, &reused_why)) {
    fuzz::fail("the priming message is rejected: " + reused_why.detail, prime);
  }
  fuzz::fill_every_field(&reused_event);
  const bool reused_ok = reused.decode_protobuf(input, &reused_event, &reused_why);

  core::Decoder fresh(limits);
  core::Event event;
  core::Rejection why;
  const bool ok = fresh.decode_protobuf(input, &event, &why);

  fuzz::check_same_outcome(ok, event, why, reused_ok, reused_event, reused_why, input);
  if (!ok) {
    fuzz::check_rejected(why, fuzz::Path::kProtobuf, limits, size, input);
    return 0;
  }
  fuzz::check_accepted(event, input);
  // Canonical bytes are a fixed point: decoding and re-encoding them changes nothing.
  std::string canonical;
  core::serialize_event(event, &canonical);
  core::Event again;
  fuzz::require(fresh.decode_protobuf(canonical, &again, &why), "canonical bytes rejected", input);
  std::string canonical_again;
  core::serialize_event(again, &canonical_again);
  fuzz::require(canonical == canonical_again, "canonical bytes are not a fixed point", input);
  return 0;
}
