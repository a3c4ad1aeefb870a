// BI rows (design.md §5): one per indicator × scope × period with the plan's
// compliance columns, plus one plan_score row per plan year, and their JSON form:
//
//   {"plan":"F.PCO.021-2024","indicator":"pqr_pendientes","scope":"all","period":"2024-03",
//    "value":11.982083,"numerator":107,"denominator":893,"unit":"%","baseline":14.2,…}
//
// `pqrflow replay` prints these rows and reporting publishes them on pqrflow.bi.v1,
// built by the same functions.
#pragma once

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

// Compact JSON, fields in the order of design.md §5; numbers rounded to 6 decimals.
std::string to_json(const BiRow& row);

// Appends `s` as a JSON string literal (quotes and escapes included).
void append_json_string(std::string* out, std::string_view s);

}  // namespace pqrflow::core
