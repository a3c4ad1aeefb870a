// Indicator values for a period (a month or a year to date) from merged monthly
// components, exactly as docs/semantics.md describes, and the set of rows to report.
//
//   IndicatorCalculator calc(merged_aggregates, as_of);
//   IndicatorValue v = calc.value(Indicator::kPqrPendientes, kScopeAll, Period::year_of(2024));
//   // v.numerator = tickets pending at end(P), v.denominator = tickets filed in P
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/aggregates.hpp"
#include "core/exact.hpp"

namespace pqrflow::core {

// A calendar month (month 1..12) or a whole year to date (month 0).
struct Period {
  int year = 0;
  int month = 0;
  static Period year_of(int y) { return {y, 0}; }
  static Period month_of(YearMonth m) { return {m.year(), m.month()}; }
  bool is_year() const { return month == 0; }
  // "YYYY" or "YYYY-MM"; nullopt otherwise.
  static std::optional<Period> parse(std::string_view text);
  std::string str() const;
  friend auto operator<=>(const Period&, const Period&) = default;
};

struct IndicatorValue {
  Rational numerator;  // in the indicator's terms (count, pesos, hours, minutes, …)
  Rational denominator;
  std::optional<Rational> value;  // null when the denominator is 0
};

// Every month of a period as month indices [first, last] (not bounded by an as-of).
std::pair<std::int32_t, std::int32_t> months_in(Period p);

struct RowKey {
  Indicator indicator;
  ScopeId scope;
  Period period;
  friend bool operator==(const RowKey&, const RowKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const RowKey& k) {
    return H::combine(std::move(h), static_cast<int>(k.indicator), k.scope, k.period.year,
                      k.period.month);
  }
};

class IndicatorCalculator {
 public:
  // `as_of` bounds months(P): the months of P that have begun by it.
  IndicatorCalculator(const Aggregates& aggregates, Instant as_of);

  IndicatorValue value(Indicator indicator, ScopeId scope, Period period) const;
  // Looks the scope up by name; an unknown scope has no data.
  IndicatorValue value(Indicator indicator, std::string_view scope, Period period) const;

  // Rows to report, in report order (docs/semantics.md "Rows").
  std::vector<RowKey> row_keys() const;

  const ScopeTable& scopes() const { return aggregates_.scopes(); }
  Instant as_of() const { return as_of_; }

 private:
  using Series = std::map<std::int32_t, Cell>;  // month index → cell
  const Series* series(Indicator indicator, ScopeId scope) const;
  // months(P) as month indices [first, last]; empty when first > last.
  std::pair<std::int32_t, std::int32_t> months_of(Period p) const;

  const Aggregates& aggregates_;
  Instant as_of_;
  YearMonth as_of_month_;
  absl::flat_hash_map<std::pair<std::uint8_t, ScopeId>, Series> series_;
};

}  // namespace pqrflow::core
