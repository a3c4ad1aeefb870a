// The synthetic utility: a deterministic feed of raw JSON records (design.md §4) from a
// simulated Colombian water and sewer utility, for the demo, end-to-end tests and
// benchmarks. Pure: no I/O and no clock; the same options give the same bytes anywhere.
//
//   GeneratorOptions o;                       // 50k subscribers, 2023-01 .. 2024-12
//   Summary s = generate(o, [&](const RawRecord& r) { produce(topic_name(r.topic), r.key, r.json);
//   });
//
// Records come in delivery order (`at`, non-decreasing); `occurred_at` inside the JSON is
// the event time, which may be much earlier (late and out-of-order deliveries).
//
// The model (docs/generator.md has the numbers):
// - Six offices of different size (Centro … Rural); subscribers are spread over them and
//   grow slowly. Each active subscriber gets one `bill.issued` per month: period = that
//   month, issued in an overnight batch on its office's billing cycle, one of the last
//   business days of the month, so a month's bills are in the stream when it ends. Lines
//   for acueducto and (most) alcantarillado with tariffs by estrato.
// - PQR filings with seasonality, a kind and channel mix per office, answers at delays
//   around the 15-business-day legal term (core::due_date), second answers, orphan
//   answers, mis-filings, field visits for claims, reforms after granted claims, window
//   services in office hours.
// - 2023 is the baseline; from `improvement_start` (2024-01) the utility gets better over
//   five months on most indicators, while the value of reforms gets worse, so a 2024
//   plan shows cumplida, en_curso and en_riesgo rows.
// - Flaws, at configurable rates: exact duplicates (the same bytes again a few records
//   later) and invalid records (extra records, see InvalidKind), both flagged in RawRecord.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/contract.hpp"
#include "core/time.hpp"
#include "core/vocabulary.hpp"

namespace pqrflow::sim {

// The raw topic a record belongs on.
enum class Topic : std::uint8_t {
  kPqr,      // pqrflow.raw.pqr: pqr.*, window.served
  kVisits,   // pqrflow.raw.visits: visit.*
  kBilling,  // pqrflow.raw.billing: bill.*
};
inline constexpr std::array<std::string_view, 3> kTopicNames = {
    "pqrflow.raw.pqr", "pqrflow.raw.visits", "pqrflow.raw.billing"};
constexpr std::string_view topic_name(Topic t) {
  return kTopicNames[static_cast<std::size_t>(t)];
}
constexpr Topic topic_of(core::EventType t) {
  switch (t) {
    case core::EventType::kVisitRequested:
    case core::EventType::kVisitCompleted:
      return Topic::kVisits;
    case core::EventType::kBillIssued:
    case core::EventType::kBillReformed:
      return Topic::kBilling;
    default:
      return Topic::kPqr;
  }
}

// Why an invalid record is invalid. Each is an extra record (a malformed copy of the valid
// record just emitted, with its event_id suffixed "-x") that a strict validator of
// design.md §4 must reject, with the reason code `expected_reason` gives.
enum class InvalidKind : std::uint8_t {
  kNone = 0,
  kMissingField,       // a required field removed (event_id, occurred_at, ticket_id, kind,
                       // outcome, turn_id, visit_id, bill_id, period, amounts, …)
  kWrongType,          // a required field of the wrong JSON type: an id or period as a
                       // number, occurred_at as epoch milliseconds, amounts as a string
  kUnknownType,        // "type" is not one of the eight event types (e.g. "pqr.reopened")
  kUnknownEnum,        // kind, channel, outcome (pqr.*) or the reform's service outside
                       // the vocabulary (e.g. "sugerencia", "fax", "pendiente", "aseo")
  kTimestampNoOffset,  // occurred_at without Z or ±hh:mm ("2024-03-05T10:22:11")
  kImpossibleDate,     // occurred_at on a day that does not exist ("2023-02-30T…")
  kTooManyDecimals,    // an amount with 3 decimals, the last non-zero ("48213.475")
  kNegativeAmount,     // a bill line below zero ("-32488.17")
  kZeroReform,         // a bill.reformed with amount 0 (a reform must be > 0)
  kTimeOrder,          // window.served with arrived_at after started_at
  kGarbage,            // not JSON at all (an HTML error page, a CSV line, plain text)
  kTruncated,          // a valid record cut short at a character boundary
};
inline constexpr std::size_t kInvalidKindCount = 13;  // including kNone
inline constexpr std::array<std::string_view, kInvalidKindCount> kInvalidKindNames = {
    "none",       "missing_field",   "wrong_type",     "unknown_type",    "unknown_enum",
    "no_offset",  "impossible_date", "three_decimals", "negative_amount", "zero_reform",
    "time_order", "garbage",         "truncated"};
constexpr std::string_view name_of(InvalidKind k) {
  return kInvalidKindNames[static_cast<std::size_t>(k)];
}

// The dead-letter reason a strict decoder gives for each kind (kNone has none).
std::optional<core::RejectReason> expected_reason(InvalidKind k);

struct GeneratorOptions {
  int subscribers = 50000;  // active subscribers in the first month
  std::uint64_t seed = 1;
  core::YearMonth from = core::YearMonth::of(2023, 1);  // first simulated month
  core::YearMonth to = core::YearMonth::of(2024, 12);   // last simulated month (inclusive)
  // Extra invalid records per valid record emitted, and exact re-deliveries per record.
  double invalid_rate = 0.002;
  double duplicate_rate = 0.003;
  // The month the action plan's improvements begin; earlier months follow the baseline
  // profile, later ones move to the improved profile over five months. `improvement`
  // scales how far (0 = every month like the baseline, 1 = the designed 2024).
  core::YearMonth improvement_start = core::YearMonth::of(2024, 1);
  double improvement = 1.0;
  double monthly_growth = 0.0015;  // new subscribers per month, as a fraction
  double pqr_rate = 1.0;           // scales PQR filings (1 ≈ 1.65% of subscribers a month)
  double window_rate = 1.0;        // scales window services (1 ≈ 0.32% of subscribers a day)
  // Data-quality effects of the source systems.
  double late_filing_rate = 0.01;    // filings delivered after their first answer
  double orphan_rate = 0.003;        // answers for tickets never filed, per filing
  double second_answer_rate = 0.02;  // answered tickets that get a later, second answer
};

// Checks the options; returns a message naming the bad option, or nullopt when usable.
std::optional<std::string> validate(const GeneratorOptions& options);

struct RawRecord {
  Topic topic = Topic::kPqr;
  core::Instant at;  // delivery instant: records come in non-decreasing `at`
  std::string key;   // suggested Kafka key: ticket_id, visit_id, turn_id or subscriber_id
  std::string json;  // the message value
  // What the record is: its type (the base record's type for invalid records), whether it
  // is a re-delivery of an earlier record, and why it is invalid (kNone when valid).
  core::EventType type = core::EventType::kPqrFiled;
  bool duplicate = false;
  InvalidKind invalid = InvalidKind::kNone;
};

struct Summary {
  std::int64_t records = 0;             // everything emitted: valid + duplicates + invalid
  std::array<std::int64_t, 8> valid{};  // distinct valid events, by core::EventType
  std::int64_t duplicates = 0;
  std::array<std::int64_t, kInvalidKindCount> invalid{};  // by InvalidKind (kNone unused)
  std::int64_t bytes = 0;                                 // total JSON bytes emitted
  // Model effects worth knowing when reading indicators.
  std::int64_t orphan_answers = 0;  // answers of tickets never filed
  std::int64_t second_answers = 0;  // later answers that must not count
  std::int64_t late_filings = 0;    // filings delivered after their first answer
  std::int64_t unanswered = 0;      // filed tickets without an answer by the horizon
  core::Instant first_at{};         // delivery instants of the first and last record
  core::Instant last_at{};

  std::int64_t valid_total() const;
  std::int64_t invalid_total() const;
};

// Pull-style generator: the demo paces a live feed with it, `generate` drains it.
// Memory holds one simulated day, the open tickets and visits, and 16 bytes of
// attributes per subscriber; it does not grow with the simulated span.
class Generator {
 public:
  // Throws std::invalid_argument when validate(options) fails.
  explicit Generator(const GeneratorOptions& options);
  ~Generator();
  Generator(Generator&&) noexcept;
  Generator& operator=(Generator&&) noexcept;

  // Fills *out with the next record (reusing its buffers); false after the last one.
  bool next(RawRecord* out);

  const Summary& summary() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Calls sink for every record in non-decreasing `at` order (ties in a deterministic
// order) and returns the summary. The RawRecord passed to sink is reused between calls.
Summary generate(const GeneratorOptions& options,
                 const std::function<void(const RawRecord&)>& sink);

}  // namespace pqrflow::sim
