#include "core/bi.hpp"

#include <absl/container/flat_hash_map.h>

#include <cstdio>
#include <tuple>

namespace pqrflow::core {
namespace {

constexpr int kPlaces = 6;

void append_number(std::string* out, const std::optional<Rational>& v) {
  if (!v) {
    out->append("null");
    return;
  }
  out->append(format_decimal(*v, kPlaces));
}

}  // namespace

std::optional<Rational> baseline_of(const IndicatorCalculator& calc, const PlanIndicator& p,
                                    ScopeId scope) {
  if (p.baseline.value) return p.baseline.value;
  const std::optional<Period> period = Period::parse(p.baseline.period);
  if (!period) return std::nullopt;
  return calc.value(p.indicator, scope, *period).value;
}

BiRow make_row(const IndicatorCalculator& calc, const Plan& plan, const RowKey& key) {
  BiRow row;
  row.plan = plan.id;
  row.indicator = std::string(id_of(key.indicator));
  row.scope = calc.scopes().name(key.scope);
  row.period = key.period.str();
  const IndicatorValue v = calc.value(key.indicator, key.scope, key.period);
  row.value = v.value;
  row.numerator = v.numerator;
  row.denominator = v.denominator;
  row.unit = std::string(unit_symbol(info(key.indicator).unit));
  row.as_of = calc.as_of();
  if (const PlanIndicator* p = plan.find(key.indicator)) {
    row.baseline = baseline_of(calc, *p, key.scope);
    row.weight = p->weight;
    const Compliance c = evaluate(row.value, row.baseline, p->goal, p->weight);
    row.target = c.target;
    row.achievement = c.achievement;
    row.weighted_score = c.weighted_score;
    row.status = c.status;
  }
  return row;
}

BiRow make_plan_score_row(const IndicatorCalculator& calc, const Plan& plan) {
  std::vector<WeightedCompliance> parts;
  for (const PlanIndicator& p : plan.indicators) {
    const BiRow r = make_row(calc, plan, {p.indicator, kScopeAll, Period::year_of(plan.year)});
    parts.push_back({p.weight, Compliance{r.target, r.achievement, r.weighted_score, r.status}});
  }
  const PlanScore score = score_plan(parts);
  BiRow row;
  row.plan = plan.id;
  row.indicator = "plan_score";
  row.scope = "all";
  row.period = Period::year_of(plan.year).str();
  if (score.covered_weight != 0) row.value = score.score;  // nothing covered: null, not 0
  row.numerator = score.score / 100;
  row.denominator = score.covered_weight;
  row.unit = "%";
  row.weight = score.covered_weight;
  row.weighted_score = score.score / 100;
  if (score.covered_weight != 0) row.achievement = row.numerator / score.covered_weight;
  row.status = score.status;
  row.as_of = calc.as_of();
  return row;
}

bool same_content(const BiRow& a, const BiRow& b) {
  const auto content = [](const BiRow& r) {
    return std::tie(r.plan, r.indicator, r.scope, r.period, r.value, r.numerator, r.denominator,
                    r.unit, r.baseline, r.target, r.achievement, r.weight, r.weighted_score,
                    r.status);
  };
  return content(a) == content(b);
}

std::vector<BiRow> build_rows(const IndicatorCalculator& calc, const Plan& plan) {
  std::vector<BiRow> rows;
  for (const RowKey& key : calc.row_keys()) rows.push_back(make_row(calc, plan, key));
  rows.push_back(make_plan_score_row(calc, plan));
  return rows;
}

RowCache::RowCache(const Plan& plan) : plan_(plan) {
  for (const PlanIndicator& p : plan.indicators) {
    if (p.baseline.value) continue;
    if (const std::optional<Period> b = Period::parse(p.baseline.period)) {
      baseline_months_[static_cast<std::size_t>(p.indicator)] = months_in(*b);
    }
  }
}

const std::vector<BiRow>& RowCache::update(const Aggregates& aggregates,
                                           const std::vector<CellKey>& changed_cells,
                                           Instant as_of) {
  // The months whose cells changed, per series (indicator, scope).
  using SeriesKey = std::pair<Indicator, ScopeId>;
  absl::flat_hash_map<SeriesKey, std::vector<std::int32_t>> changed;
  for (const CellKey& k : changed_cells) changed[{k.indicator, k.scope}].push_back(k.month.index);
  const YearMonth month = local_month(as_of);
  const bool all = as_of_month_ != month;  // months(P) of every period may have moved
  as_of_month_ = month;

  // A row reads its series over its period (pqr_pendientes: over every month up to the
  // period's end, a running count), and its baseline over the plan's baseline period
  // when the plan gives a period rather than a value. It is derived again when a changed
  // month of its series falls in what it reads.
  const auto stale = [&](const RowKey& key) {
    const auto it = changed.find({key.indicator, key.scope});
    if (it == changed.end()) return false;
    const bool running = key.indicator == Indicator::kPqrPendientes;
    const auto [first, last] = months_in(key.period);
    const auto& base = baseline_months_[static_cast<std::size_t>(key.indicator)];
    for (const std::int32_t m : it->second) {
      if (m <= last && (running || m >= first)) return true;
      if (base && m <= base->second && (running || m >= base->first)) return true;
    }
    return false;
  };

  // The previous rows by key, to move the unchanged ones over.
  absl::flat_hash_map<RowKey, std::size_t> previous;
  if (!all) {
    previous.reserve(keys_.size());
    for (std::size_t i = 0; i < keys_.size(); ++i) previous.emplace(keys_[i], i);
  }

  const IndicatorCalculator calc(aggregates, as_of);
  std::vector<RowKey> keys = calc.row_keys();
  std::vector<BiRow> rows;
  rows.reserve(keys.size() + 1);
  derived_.clear();
  for (const RowKey& key : keys) {
    const auto it = stale(key) ? previous.end() : previous.find(key);
    if (it != previous.end()) {
      rows.push_back(std::move(rows_[it->second]));
      rows.back().as_of = as_of;
    } else {
      derived_.push_back(rows.size());
      rows.push_back(make_row(calc, plan_, key));
    }
  }
  derived_.push_back(rows.size());
  rows.push_back(make_plan_score_row(calc, plan_));
  rows_ = std::move(rows);
  keys_ = std::move(keys);
  return rows_;
}

void append_json_string(std::string* out, std::string_view s) {
  out->push_back('"');
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out->append(buf);
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

std::string to_json(const BiRow& row) {
  std::string out;
  out.reserve(320);
  out.append("{\"plan\":");
  append_json_string(&out, row.plan);
  out.append(",\"indicator\":");
  append_json_string(&out, row.indicator);
  out.append(",\"scope\":");
  append_json_string(&out, row.scope);
  out.append(",\"period\":");
  append_json_string(&out, row.period);
  out.append(",\"value\":");
  append_number(&out, row.value);
  out.append(",\"numerator\":");
  append_number(&out, row.numerator);
  out.append(",\"denominator\":");
  append_number(&out, row.denominator);
  out.append(",\"unit\":");
  append_json_string(&out, row.unit);
  out.append(",\"baseline\":");
  append_number(&out, row.baseline);
  out.append(",\"target\":");
  append_number(&out, row.target);
  out.append(",\"achievement\":");
  append_number(&out, row.achievement);
  out.append(",\"weight\":");
  append_number(&out, row.weight);
  out.append(",\"weighted_score\":");
  append_number(&out, row.weighted_score);
  out.append(",\"status\":");
  append_json_string(&out, status_code(row.status));
  out.append(",\"as_of\":");
  append_json_string(&out, format_local(row.as_of));
  out.append(",\"version\":");
  out.append(std::to_string(row.version));
  out.push_back('}');
  return out;
}

}  // namespace pqrflow::core
