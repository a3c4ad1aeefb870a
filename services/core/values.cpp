#include "core/values.hpp"

#include <algorithm>
#include <set>

#include "core/indicator.hpp"

namespace pqrflow::core {
namespace {

constexpr std::int64_t kMicrosPerHour = 3'600'000'000;
constexpr std::int64_t kMicrosPerMinute = 60'000'000;

std::pair<std::uint8_t, ScopeId> series_key(Indicator i, ScopeId s) {
  return {static_cast<std::uint8_t>(i), s};
}

}  // namespace

std::optional<Period> Period::parse(std::string_view text) {
  if (text.size() == 4) {
    int y = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return std::nullopt;
      y = y * 10 + (c - '0');
    }
    return Period::year_of(y);
  }
  if (auto m = parse_year_month(text)) return Period::month_of(*m);
  return std::nullopt;
}

std::string Period::str() const {
  if (is_year()) {
    std::string y = std::to_string(year);
    return std::string(4 - std::min<std::size_t>(4, y.size()), '0') + y;
  }
  return format_year_month(YearMonth::of(year, month));
}

IndicatorCalculator::IndicatorCalculator(const Aggregates& aggregates, Instant as_of)
    : aggregates_(aggregates), as_of_(as_of), as_of_month_(local_month(as_of)) {
  for (const auto& [key, cell] : aggregates.cells()) {
    series_[series_key(key.indicator, key.scope)][key.month.index] = cell;
  }
}

const IndicatorCalculator::Series* IndicatorCalculator::series(Indicator indicator,
                                                               ScopeId scope) const {
  auto it = series_.find(series_key(indicator, scope));
  return it == series_.end() ? nullptr : &it->second;
}

std::pair<std::int32_t, std::int32_t> months_in(Period p) {
  if (p.is_year()) return {YearMonth::of(p.year, 1).index, YearMonth::of(p.year, 12).index};
  const std::int32_t m = YearMonth::of(p.year, p.month).index;
  return {m, m};
}

std::pair<std::int32_t, std::int32_t> IndicatorCalculator::months_of(Period p) const {
  const auto [first, last] = months_in(p);
  return {first, std::min(last, as_of_month_.index)};
}

IndicatorValue IndicatorCalculator::value(Indicator indicator, std::string_view scope,
                                          Period period) const {
  ScopeId id = kScopeAll;
  if (!aggregates_.scopes().find(scope, &id)) {
    return value(indicator, static_cast<ScopeId>(aggregates_.scopes().size()), period);
  }
  return value(indicator, id, period);
}

IndicatorValue IndicatorCalculator::value(Indicator indicator, ScopeId scope, Period period) const {
  const auto [first, last] = months_of(period);
  const Series* s = series(indicator, scope);
  std::int64_t sum_num = 0;
  std::int64_t sum_den = 0;
  std::int64_t running = 0;  // Σ num over every month <= last (pqr_pendientes)
  std::int64_t users_total = 0;
  std::int64_t months_with_users = 0;
  if (s != nullptr && first <= last) {
    for (auto it = s->begin(); it != s->end() && it->first <= last; ++it) {
      running += it->second.numerator;
      if (it->first < first) continue;
      sum_num += it->second.numerator;
      sum_den += it->second.denominator;
      if (it->second.denominator > 0) {
        users_total += it->second.denominator;
        ++months_with_users;
      }
    }
  }
  const std::int64_t n_months = first <= last ? last - first + 1 : 0;
  IndicatorValue out;
  switch (indicator) {
    case Indicator::kOportunidadRespuesta:
    case Indicator::kPeticionesMalIngresadas:
    case Indicator::kReformadosValor:
      out.numerator = sum_num;
      out.denominator = sum_den;
      if (indicator == Indicator::kReformadosValor) {
        out.numerator /= 100;  // cents → pesos
        out.denominator /= 100;
      }
      break;
    case Indicator::kPqrPendientes:
      out.numerator = first <= last ? running : 0;
      out.denominator = sum_den;
      break;
    case Indicator::kIndiceReclamacion:
    case Indicator::kReformadosCantidad:
      out.numerator = Rational(sum_num);
      if (indicator == Indicator::kIndiceReclamacion && n_months > 0) {
        out.numerator /= n_months;
      }
      out.denominator = months_with_users > 0 ? Rational(users_total, months_with_users) : 0;
      break;
    case Indicator::kTiempoAtencionVisitas:
      out.numerator = Rational(sum_num, kMicrosPerHour);
      out.denominator = sum_den;
      break;
    case Indicator::kTiempoAtencionVentanilla:
      out.numerator = Rational(sum_num, kMicrosPerMinute);
      out.denominator = sum_den;
      break;
  }
  if (out.denominator != 0) {
    out.value = out.numerator / out.denominator;
    if (info(indicator).unit == Unit::kPercent) *out.value *= 100;
  }
  return out;
}

std::vector<RowKey> IndicatorCalculator::row_keys() const {
  std::set<int> years;
  std::array<std::set<ScopeId>, kIndicatorCount> scopes_of;
  for (const auto& [key, cell] : aggregates_.cells()) {
    if (cell.empty() || key.month > as_of_month_) continue;
    years.insert(key.month.year());
    scopes_of[static_cast<std::size_t>(key.indicator)].insert(key.scope);
  }
  std::vector<RowKey> out;
  if (years.empty()) return out;
  const ScopeTable& names = aggregates_.scopes();
  for (const IndicatorInfo& ind : kIndicators) {
    std::set<ScopeId>& scope_ids = scopes_of[static_cast<std::size_t>(ind.indicator)];
    scope_ids.insert(kScopeAll);
    std::vector<ScopeId> ordered(scope_ids.begin(), scope_ids.end());
    std::sort(ordered.begin(), ordered.end(), [&names](ScopeId a, ScopeId b) {
      if ((a == kScopeAll) != (b == kScopeAll)) return a == kScopeAll;
      return names.name(a) < names.name(b);
    });
    for (ScopeId scope : ordered) {
      for (int y : years) {
        out.push_back({ind.indicator, scope, Period::year_of(y)});
        const int last_month = y == as_of_month_.year() ? as_of_month_.month() : 12;
        for (int m = 1; m <= last_month; ++m) out.push_back({ind.indicator, scope, Period{y, m}});
      }
    }
  }
  return out;
}

}  // namespace pqrflow::core
