// BI rows (design.md §5): one per indicator × scope × period with the plan's
// compliance columns, plus one plan_score row per plan year, and their JSON form:
//
//   {"plan":"F.PCO.021-2024","indicator":"pqr_pendientes","scope":"all","period":"2024-03",
//    "value":11.982083,"numerator":107,"denominator":893,"unit":"%","baseline":14.2,…}
//
// `pqrflow replay` prints these rows and reporting publishes them on pqrflow.bi.v1,
// built by the same functions.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "core/compliance.hpp"
#include "core/plan.hpp"
#include "core/values.hpp"

namespace pqrflow::core {

struct BiRow {
  std::string plan;
  std::string indicator;  // indicator id or "plan_score"
  std::string scope;
  std::string period;
  std::optional<Rational> value;
  Rational numerator;
  Rational denominator;
  std::string unit;
  std::optional<Rational> baseline;
  std::optional<Rational> target;
  std::optional<Rational> achievement;
  Rational weight;
  std::optional<Rational> weighted_score;
  Status status = Status::kSinDatos;
  Instant as_of;
  std::uint64_t version = 1;

  // The compacted-topic key "indicator|scope|period".
  std::string key() const { return indicator + "|" + scope + "|" + period; }
};

// Equal in everything a consumer reads as the row's content: all fields but as_of and
// version.
bool same_content(const BiRow& a, const BiRow& b);

// The baseline of an indicator and scope per the plan: its value, or the indicator
// computed over the plan's baseline period.
std::optional<Rational> baseline_of(const IndicatorCalculator& calc, const PlanIndicator& p,
                                    ScopeId scope);

// One row for a key.
BiRow make_row(const IndicatorCalculator& calc, const Plan& plan, const RowKey& key);

// The plan_score row for the plan year.
BiRow make_plan_score_row(const IndicatorCalculator& calc, const Plan& plan);

// Every row (calc.row_keys() order), then the plan_score row.
std::vector<BiRow> build_rows(const IndicatorCalculator& calc, const Plan& plan);

// build_rows() for aggregates that change a little between calls (reporting's merged
// partials): a row's value, baseline and compliance depend only on its series
// (indicator, scope) over its period (pqr_pendientes: every month up to the period's
// end), over the plan's baseline period, and on the as-of month. Only the rows that read
// a month whose cells changed since the previous call are derived again — a live month's
// change re-derives that month's row and its year's — and all of them when the as-of
// month moved. The plan_score row is always derived (it reads the other rows' series).
//
//   RowCache cache(plan);
//   const std::vector<BiRow>& rows = cache.update(merged, merger.take_changed(), as_of);
class RowCache {
 public:
  explicit RowCache(const Plan& plan);

  // `changed`: every cell of `aggregates` changed since the previous call (any may be
  // listed; none is needed on the first call). The result equals build_rows(
  // IndicatorCalculator(aggregates, as_of), plan), as_of included, until the next call.
  const std::vector<BiRow>& update(const Aggregates& aggregates,
                                   const std::vector<CellKey>& changed, Instant as_of);

  // The rows of the last update().
  const std::vector<BiRow>& rows() const { return rows_; }
  // Indices into rows() of those the last update() derived (new or re-derived); every
  // other row kept its content from the update before.
  const std::vector<std::size_t>& derived_rows() const { return derived_; }

 private:
  const Plan& plan_;
  // Per indicator: the months its plan computes the baseline over (none: a fixed value).
  std::array<std::optional<std::pair<std::int32_t, std::int32_t>>, kIndicatorCount>
      baseline_months_{};
  std::optional<YearMonth> as_of_month_;
  std::vector<BiRow> rows_;
  std::vector<RowKey> keys_;  // of rows_, without the plan_score row
  std::vector<std::size_t> derived_;
};

// Compact JSON, fields in the order of design.md §5; numbers rounded to 6 decimals.
std::string to_json(const BiRow& row);

// Appends `s` as a JSON string literal (quotes and escapes included).
void append_json_string(std::string* out, std::string_view s);

}  // namespace pqrflow::core
