// libFuzzer target: core::Decoder::decode_json on arbitrary bytes.
//
// Invariants (fuzz_checks.hpp): an accepted record round-trips through the canonical
// protobuf to an equal Event; a rejected one has a known reason and a short UTF-8
// detail; and a decoder reused across records (as ingest reuses one) gives exactly what
// a fresh decoder gives, even right after it saw a record with every field and a
// truncated copy of the input (which leaves strings and keys half-parsed); and the
// decoder's simple scanner gives what Boost.JSON alone gives (JsonFrontEnd::kBoostOnly).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/contract.hpp"
#include "fuzz_checks.hpp"

namespace {

using namespace pqrflow;

// Every field of every type, so the reused decoder has each slot filled beforehand.
constexpr std::string_view kEveryField =
    R"({"event_id":"prime-1","type":"bill.issued","occurred_at":"2024-03-19T10:15:00-05:00",)"
    R"("source":"s","ticket_id":"T-1","kind":"queja","channel":"web","subscriber_id":"S-1",)"
    R"("service":"acueducto","causal":"c","office":"o","outcome":"accede",)"
    R"("internal_error":true,"reason":"r","turn_id":"W-1",)"
    R"("arrived_at":"2024-03-19T10:00:00-05:00","started_at":"2024-03-19T10:05:00-05:00",)"
    R"("visit_id":"V-1","bill_id":"B-1","period":"2024-03",)"
    R"("amounts":{"acueducto":"1.5","alcantarillado":2},"amount":3,"x\u00e9":[{"y":null}]})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  static const core::DecoderLimits limits;
  static core::Decoder reused(limits);
  static core::Event reused_event;
  core::Rejection reused_why;
  reused.decode_json(kEveryField, &reused_event, &reused_why);
  reused.decode_json(input.substr(0, size / 2), &reused_event, &reused_why);
  fuzz::fill_every_field(&reused_event);
  const bool reused_ok = reused.decode_json(input, &reused_event, &reused_why);

  core::Decoder fresh(limits);
  core::Event event;
  core::Rejection why;
  const bool ok = fresh.decode_json(input, &event, &why);

  fuzz::check_same_outcome(ok, event, why, reused_ok, reused_event, reused_why, input);

  // The simple scanner (tried first on plain records) against Boost.JSON alone.
  core::Decoder reference(limits, core::JsonFrontEnd::kBoostOnly);
  core::Event reference_event;
  core::Rejection reference_why;
  const bool reference_ok = reference.decode_json(input, &reference_event, &reference_why);
  fuzz::check_same_outcome(reference_ok, reference_event, reference_why, ok, event, why, input,
                           "the simple scanner", "Boost.JSON alone");
  if (ok) {
    fuzz::check_accepted(event, input);
  } else {
    fuzz::check_rejected(why, fuzz::Path::kJson, limits, size, input);
  }
  return 0;
}
