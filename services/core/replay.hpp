// The whole core in-process over raw records: decode → validate → indicator state →
// values → compliance → BI rows. `pqrflow replay` is a thin file reader around it,
// and the tests and benchmarks drive it directly.
//
//   Replayer r(plan, /*as_of=*/std::nullopt);
//   r.feed_json(line, origin);             // valid → state; invalid → counted by reason
//   for (const BiRow& row : r.rows()) std::cout << to_json(row) << '\n';
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "core/bi.hpp"
#include "core/contract.hpp"
#include "core/plan.hpp"
#include "core/state.hpp"

namespace pqrflow::core {

LegalTerms legal_terms_of(const Plan& plan);

struct ReplayCounts {
  std::int64_t records = 0;      // raw records fed
  std::int64_t accepted = 0;     // valid and folded in (duplicates included)
  std::int64_t after_as_of = 0;  // valid but later than the requested as-of
  std::int64_t rejected = 0;
  std::array<std::int64_t, kRejectReasonCount> by_reason{};
};

class Replayer {
 public:
  // Called for every rejected record with the origin given to feed_*.
  using RejectSink =
      std::function<void(std::string_view origin, std::string_view record, const Rejection&)>;

  Replayer(const Plan& plan, std::optional<Instant> as_of, DecoderLimits limits = {});

  void on_reject(RejectSink sink) { reject_sink_ = std::move(sink); }

  void feed_json(std::string_view record, std::string_view origin = {});
  void feed_protobuf(std::string_view record, std::string_view origin = {});
  void feed_event(const Event& e);

  const ReplayCounts& counts() const { return counts_; }
  const IndicatorState& state() const { return state_; }
  // The as-of instant: the requested one, or the latest event time fed (nullopt when
  // no valid event arrived and none was requested).
  std::optional<Instant> as_of() const;
  std::vector<BiRow> rows() const;

 private:
  void reject(std::string_view origin, std::string_view record, const Rejection& why);

  const Plan& plan_;
  std::optional<Instant> requested_as_of_;
  Decoder decoder_;
  IndicatorState state_;
  Event scratch_;
  Rejection why_;
  ReplayCounts counts_;
  RejectSink reject_sink_;
};

}  // namespace pqrflow::core
