#include "core/plan.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <initializer_list>
#include <map>
#include <set>
#include <utility>

#include "core/compliance.hpp"
#include "core/values.hpp"

namespace pqrflow::core {
namespace {

using Severity = PlanIssue::Severity;

// yaml-cpp marks are 0-based and null (-1) on nodes it synthesised.
int line_of(const YAML::Node& n) {
  if (!n.IsDefined()) return 0;
  const YAML::Mark m = n.Mark();
  return m.is_null() ? 0 : m.line + 1;
}

std::string in_quotes(std::string_view s) {
  return "'" + std::string(s) + "'";
}

// Exact decimal text of a rational with a terminating expansion (everything parsed
// from the file is decimal, so sums of it are too); 12 places otherwise.
std::string exact_text(const Rational& r) {
  const auto den = boost::multiprecision::denominator(r);
  boost::multiprecision::cpp_int scale = 1;
  for (int places = 0; places <= 30; ++places, scale *= 10) {
    if (scale % den == 0) return format_decimal(r, places);
  }
  return format_decimal(r, 12);
}
std::string percent_text(const Rational& share) {
  return exact_text(share * 100) + "%";
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return std::string(s.substr(first, last - first + 1));
}

std::optional<int> parse_int(std::string_view s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  int v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// "DD/MM/AAAA" as on the form, or ISO "AAAA-MM-DD".
std::optional<Date> parse_plan_date(std::string_view s) {
  if (s.find('/') == std::string_view::npos) return parse_date(s);
  const auto a = s.find('/');
  const auto b = s.find('/', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  const std::string_view ds = s.substr(0, a);
  const std::string_view ms = s.substr(a + 1, b - a - 1);
  const std::string_view ys = s.substr(b + 1);
  if (ds.size() < 1 || ds.size() > 2 || ms.size() < 1 || ms.size() > 2 || ys.size() != 4) {
    return std::nullopt;
  }
  const auto d = parse_int(ds);
  const auto m = parse_int(ms);
  const auto y = parse_int(ys);
  if (!d || !m || !y || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m)) {
    return std::nullopt;
  }
  return date_of(*y, *m, *d);
}

bool unit_matches(Unit unit, std::string_view text) {
  switch (unit) {
    case Unit::kPercent:
      return text == "%";
    case Unit::kHours:
      return text == "horas" || text == "hours";
    case Unit::kMinutes:
      return text == "minutos" || text == "minutes";
  }
  return false;
}

std::string_view unit_es(Unit unit) {
  switch (unit) {
    case Unit::kPercent:
      return "%";
    case Unit::kHours:
      return "horas";
    case Unit::kMinutes:
      return "minutos";
  }
  return "";
}

std::string known_indicators() {
  std::string out;
  for (const auto& i : kIndicators) {
    if (!out.empty()) out += ", ";
    out += i.id;
  }
  return out;
}

std::string known_kinds() {
  std::string out;
  for (const auto name : kPqrKindNames) {
    if (name.empty()) continue;
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

// One indicator entry of the file (a goal row of the objective or of an action, or a
// tracked indicator) with what the cross-entry checks need besides the PlanIndicator.
struct Entry {
  PlanIndicator p;
  std::string what;  // "goal N° 3 of action 1.2"
  std::optional<Indicator> measures;
  int measures_line = 0;
  std::optional<int> number;  // N°
  int number_line = 0;
  std::optional<Date> start;
  std::optional<Date> end;
};

enum class EntryKind : std::uint8_t { kObjectiveGoal, kActionGoal, kTracked };

class Loader {
 public:
  PlanLoad load(std::string_view text);

 private:
  void error(int line, std::string message) {
    issues_.push_back({Severity::kError, line, std::move(message)});
  }
  void warning(int line, std::string message) {
    issues_.push_back({Severity::kWarning, line, std::move(message)});
  }

  // Field access. Each reports its own problem (prefixed with `what`) and returns
  // nullopt / an undefined node, so one bad field does not hide the others.
  bool expect_map(const YAML::Node& n, int line, std::string_view what);
  void check_keys(const YAML::Node& map, std::string_view what,
                  std::initializer_list<std::string_view> allowed);
  std::pair<YAML::Node, int> field(const YAML::Node& map, std::string_view key,
                                   std::string_view what, bool required);
  std::optional<std::string> scalar(const YAML::Node& map, std::string_view key,
                                    std::string_view what, bool required);
  std::optional<int> integer(const YAML::Node& map, std::string_view key, std::string_view what,
                             bool required);
  std::optional<Rational> percent(const YAML::Node& map, std::string_view key,
                                  std::string_view what, bool required);
  std::optional<Date> date(const YAML::Node& map, std::string_view key, std::string_view what,
                           bool required);
  std::optional<Indicator> indicator(const YAML::Node& map, std::string_view key,
                                     std::string_view what, bool required);
  int line_of_key(const YAML::Node& map, std::string_view key) const;

  void read_header(const YAML::Node& root);
  void read_signatures(const YAML::Node& root);
  void read_baseline_default(const YAML::Node& root);
  void read_legal_terms(const YAML::Node& root);
  void read_objective(const YAML::Node& root);
  void read_actions(const YAML::Node& root);
  void read_entry(const YAML::Node& n, EntryKind kind, std::string what, std::string action_id,
                  std::string action_text, std::string default_responsible);
  std::optional<Goal> read_target(const YAML::Node& entry, const std::string& what,
                                  std::optional<Indicator> indicator);
  std::optional<BaselineSpec> read_baseline(const YAML::Node& map, const std::string& what);
  void read_schedule(const YAML::Node& entry, const std::string& what, bool required, Entry* e);
  void check_baseline_and_target(const YAML::Node& entry, Entry* e);
  void check_plan();

  std::vector<PlanIssue> issues_;
  Plan plan_;
  bool year_ok_ = false;
  BaselineSpec default_baseline_;
  bool default_baseline_ok_ = true;
  std::vector<Entry> entries_;
  bool weights_ok_ = true;         // every weight parsed: the sum check is meaningful
  int objective_weight_line_ = 0;  // where the weight sum is reported
};

bool Loader::expect_map(const YAML::Node& n, int line, std::string_view what) {
  if (n.IsMap()) return true;
  error(line ? line : line_of(n), std::string(what) + ": must be a mapping of fields");
  return false;
}

void Loader::check_keys(const YAML::Node& map, std::string_view what,
                        std::initializer_list<std::string_view> allowed) {
  std::set<std::string> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar()) {
      error(line_of(it->first), std::string(what) + ": field names must be plain text");
      continue;
    }
    const std::string key = it->first.Scalar();
    if (!seen.insert(key).second) {
      error(line_of(it->first), std::string(what) + ": field " + in_quotes(key) + " appears twice");
    }
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string list;
      for (const auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      error(line_of(it->first),
            std::string(what) + ": unknown field " + in_quotes(key) + " (expected: " + list + ")");
    }
  }
}

int Loader::line_of_key(const YAML::Node& map, std::string_view key) const {
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return line_of(it->first);
  }
  return line_of(map);
}

std::pair<YAML::Node, int> Loader::field(const YAML::Node& map, std::string_view key,
                                         std::string_view what, bool required) {
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar() || it->first.Scalar() != key) continue;
    const int line = line_of(it->first);
    if (it->second.IsNull()) {
      error(line, std::string(what) + ": field " + in_quotes(key) + " is empty");
      return {YAML::Node(YAML::NodeType::Undefined), line};
    }
    return {it->second, line};
  }
  if (required) {
    error(line_of(map), std::string(what) + ": missing required field " + in_quotes(key));
  }
  return {YAML::Node(YAML::NodeType::Undefined), line_of(map)};
}

std::optional<std::string> Loader::scalar(const YAML::Node& map, std::string_view key,
                                          std::string_view what, bool required) {
  const auto [n, line] = field(map, key, what, required);
  if (!n.IsDefined()) return std::nullopt;
  if (!n.IsScalar()) {
    error(line, std::string(what) + ": " + in_quotes(key) + " must be a single value, not a " +
                    (n.IsMap() ? "mapping" : "list"));
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<int> Loader::integer(const YAML::Node& map, std::string_view key,
                                   std::string_view what, bool required) {
  const auto s = scalar(map, key, what, required);
  if (!s) return std::nullopt;
  const auto v = parse_int(*s);
  if (!v) {
    error(line_of_key(map, key), std::string(what) + ": " + in_quotes(key) +
                                     " must be a whole number, got " + in_quotes(*s));
  }
  return v;
}

std::optional<Rational> Loader::percent(const YAML::Node& map, std::string_view key,
                                        std::string_view what, bool required) {
  const auto s = scalar(map, key, what, required);
  if (!s) return std::nullopt;
  const std::string t = trim(*s);
  std::optional<Rational> v;
  if (!t.empty() && t.back() == '%')
    v = parse_decimal(trim(std::string_view(t).substr(0, t.size() - 1)));
  if (!v) {
    error(line_of_key(map, key),
          std::string(what) + ": " + in_quotes(key) +
              " must be a percentage with a % sign, such as 30% or 2.5%, got " + in_quotes(*s));
    return std::nullopt;
  }
  return *v / 100;
}

std::optional<Date> Loader::date(const YAML::Node& map, std::string_view key, std::string_view what,
                                 bool required) {
  const auto s = scalar(map, key, what, required);
  if (!s) return std::nullopt;
  const auto d = parse_plan_date(trim(*s));
  if (!d) {
    error(line_of_key(map, key), std::string(what) + ": " + in_quotes(key) + " " + in_quotes(*s) +
                                     " is not a date (DD/MM/AAAA, e.g. 18/01/2024)");
  }
  return d;
}

std::optional<Indicator> Loader::indicator(const YAML::Node& map, std::string_view key,
                                           std::string_view what, bool required) {
  const auto s = scalar(map, key, what, required);
  if (!s) return std::nullopt;
  const auto i = indicator_from_id(*s);
  if (!i) {
    error(line_of_key(map, key), std::string(what) + ": unknown indicator " + in_quotes(*s) +
                                     " in " + in_quotes(key) + " (known: " + known_indicators() +
                                     ")");
  }
  return i;
}

void Loader::read_header(const YAML::Node& root) {
  if (auto id = scalar(root, "id", "plan", true)) plan_.id = *id;
  const auto [form, form_line] = field(root, "form", "plan", true);
  if (form.IsDefined() && expect_map(form, form_line, "form")) {
    check_keys(form, "form", {"code", "version", "vigencia"});
    if (auto code = scalar(form, "code", "form", true)) plan_.form = *code;
    if (auto version = scalar(form, "version", "form", true)) plan_.form_version = *version;
    date(form, "vigencia", "form", false);
  }
  if (auto year = integer(root, "year", "plan", true)) {
    // The calendar's range (docs/semantics.md).
    if (*year < 1984 || *year > 2200) {
      error(line_of_key(root, "year"),
            "plan: year " + std::to_string(*year) + " is outside 1984..2200");
    } else {
      plan_.year = *year;
      year_ok_ = true;
    }
  }
  if (auto process = scalar(root, "process", "plan", true)) plan_.process = *process;
  const auto [resp, resp_line] = field(root, "responsible", "plan", true);
  if (resp.IsDefined() && expect_map(resp, resp_line, "responsible")) {
    check_keys(resp, "responsible", {"name", "position"});
    if (auto name = scalar(resp, "name", "responsible", true)) plan_.responsible = *name;
    scalar(resp, "position", "responsible", false);
  }
}

void Loader::read_signatures(const YAML::Node& root) {
  const auto [sig, sig_line] = field(root, "signatures", "plan", false);
  if (!sig.IsDefined() || !expect_map(sig, sig_line, "signatures")) return;
  check_keys(sig, "signatures", {"elaborated", "reviewed", "approved"});
  for (const char* role : {"elaborated", "reviewed", "approved"}) {
    const std::string what = std::string("signature ") + in_quotes(role);
    const auto [s, line] = field(sig, role, "signatures", false);
    if (!s.IsDefined() || !expect_map(s, line, what)) continue;
    check_keys(s, what, {"name", "position", "date"});
    scalar(s, "name", what, true);
    scalar(s, "position", what, false);
    date(s, "date", what, false);
  }
}

std::optional<BaselineSpec> Loader::read_baseline(const YAML::Node& map, const std::string& what) {
  const std::string bwhat = "baseline of " + what;
  const auto [b, line] = field(map, "baseline", what, false);
  if (!b.IsDefined() || !expect_map(b, line, bwhat)) return std::nullopt;
  check_keys(b, bwhat, {"value", "period"});
  const auto value = scalar(b, "value", bwhat, false);
  const auto period = scalar(b, "period", bwhat, false);
  if (value && period) {
    error(line, bwhat + ": give either 'value' or 'period', not both");
    return std::nullopt;
  }
  BaselineSpec spec;
  if (value) {
    spec.value = parse_decimal(trim(*value));
    if (!spec.value) {
      error(line_of_key(b, "value"), bwhat +
                                         ": 'value' must be a plain number in the "
                                         "indicator's unit (14.2 for 14.2 %), got " +
                                         in_quotes(*value));
      return std::nullopt;
    }
    return spec;
  }
  if (period) {
    if (!Period::parse(*period)) {
      error(line_of_key(b, "period"), bwhat + ": period " + in_quotes(*period) +
                                          " must be a year \"AAAA\" or a month \"AAAA-MM\"");
      return std::nullopt;
    }
    spec.period = *period;
    return spec;
  }
  error(line, bwhat + ": give 'value' or 'period'");
  return std::nullopt;
}

void Loader::read_baseline_default(const YAML::Node& root) {
  if (auto spec = read_baseline(root, "the plan")) default_baseline_ = *spec;
  // An invalid default is reported once, not again by every entry that uses it.
  default_baseline_ok_ =
      !root["baseline"].IsDefined() || default_baseline_.value || !default_baseline_.period.empty();
}

void Loader::read_legal_terms(const YAML::Node& root) {
  const auto [terms, line] = field(root, "legal_terms", "plan", false);
  if (!terms.IsDefined() || !expect_map(terms, line, "legal_terms")) return;
  std::set<std::string> seen;
  for (auto it = terms.begin(); it != terms.end(); ++it) {
    const int key_line = line_of(it->first);
    const std::string kind_name = it->first.IsScalar() ? it->first.Scalar() : std::string();
    const auto kind = enum_from_name<PqrKind>(kPqrKindNames, kind_name);
    if (!kind) {
      error(key_line, "legal_terms: unknown PQR kind " + in_quotes(kind_name) +
                          " (known: " + known_kinds() + ")");
      continue;
    }
    if (!seen.insert(kind_name).second) {
      error(key_line, "legal_terms: " + kind_name + " appears twice");
      continue;
    }
    const std::optional<int> days =
        it->second.IsScalar() ? parse_int(it->second.Scalar()) : std::nullopt;
    if (!days || *days < 1 || *days > 60) {
      error(key_line, "legal_terms: the term for " + kind_name +
                          " must be a whole number of business days in 1..60, got " +
                          in_quotes(it->second.IsScalar() ? it->second.Scalar() : "?"));
      continue;
    }
    plan_.legal_terms[static_cast<std::size_t>(*kind)] = *days;
  }
}

std::optional<Goal> Loader::read_target(const YAML::Node& entry, const std::string& what,
                                        std::optional<Indicator> indicator) {
  const std::string twhat = "target of " + what;
  const auto [t, line] = field(entry, "target", what, false);
  if (!t.IsDefined() || !expect_map(t, line, twhat)) return std::nullopt;
  check_keys(t, twhat, {"direction", "mode", "size"});
  Goal goal;
  bool ok = true;
  if (const auto d = scalar(t, "direction", twhat, true)) {
    if (*d == "aumentar") {
      goal.direction = Direction::kIncrease;
    } else if (*d == "disminuir") {
      goal.direction = Direction::kDecrease;
    } else {
      error(line_of_key(t, "direction"),
            twhat + ": direction must be aumentar or disminuir, got " + in_quotes(*d));
      ok = false;
    }
  } else {
    ok = false;
  }
  if (const auto m = scalar(t, "mode", twhat, true)) {
    if (*m == "relativo") {
      goal.mode = TargetMode::kRelative;
    } else if (*m == "puntos") {
      goal.mode = TargetMode::kPoints;
    } else {
      error(line_of_key(t, "mode"),
            twhat + ": mode must be relativo or puntos, got " + in_quotes(*m));
      ok = false;
    }
  } else {
    ok = false;
  }
  if (!ok) {
    scalar(t, "size", twhat, true);  // still report a missing size
    return std::nullopt;
  }
  const int size_line = line_of_key(t, "size");
  if (goal.mode == TargetMode::kRelative) {
    const auto size = percent(t, "size", twhat, true);
    if (!size) return std::nullopt;
    goal.size = *size;
  } else {
    const auto s = scalar(t, "size", twhat, true);
    if (!s) return std::nullopt;
    const auto size = parse_decimal(trim(*s));
    if (!size) {
      const std::string hint = s->find('%') != std::string::npos
                                   ? " (a points size is in the indicator's unit: write 1, not 1%)"
                                   : "";
      error(size_line, twhat + ": 'size' must be a plain number, got " + in_quotes(*s) + hint);
      return std::nullopt;
    }
    goal.size = *size;
  }
  const std::string size_text =
      goal.mode == TargetMode::kRelative ? percent_text(goal.size) : exact_text(goal.size);
  if (goal.size < 0) {
    error(size_line, twhat + ": size " + size_text +
                         " is negative; write a positive size and the sense in 'direction' "
                         "(aumentar or disminuir)");
    return std::nullopt;
  }
  if (goal.mode == TargetMode::kRelative && goal.direction == Direction::kDecrease &&
      goal.size >= 1) {
    error(size_line, twhat + ": a relative decrease of " + size_text +
                         " is impossible (the target would be zero or less); it must be below "
                         "100%");
    return std::nullopt;
  }
  if (goal.mode == TargetMode::kPoints && indicator && info(*indicator).unit == Unit::kPercent &&
      goal.size > 100) {
    error(size_line,
          twhat + ": a change of " + size_text + " points is impossible for a percentage (0..100)");
    return std::nullopt;
  }
  return goal;
}

void Loader::read_schedule(const YAML::Node& entry, const std::string& what, bool required,
                           Entry* e) {
  const std::string swhat = "schedule of " + what;
  const auto [s, line] = field(entry, "schedule", what, required);
  if (!s.IsDefined() || !expect_map(s, line, swhat)) return;
  check_keys(s, swhat, {"start", "end"});
  e->start = date(s, "start", swhat, true);
  e->end = date(s, "end", swhat, true);
  if (e->start && e->end && *e->end < *e->start) {
    error(line_of_key(s, "end"),
          swhat + ": end " + format_date(*e->end) + " is before start " + format_date(*e->start));
  }
  if (!year_ok_) return;
  for (const auto& [key, d] : {std::pair{"start", e->start}, std::pair{"end", e->end}}) {
    if (d && ymd_of(*d).year != plan_.year) {
      error(line_of_key(s, key), swhat + ": " + key + " " + format_date(*d) +
                                     " is outside the plan year " + std::to_string(plan_.year));
    }
  }
}

void Loader::check_baseline_and_target(const YAML::Node& entry, Entry* e) {
  PlanIndicator& p = e->p;
  const Unit unit = info(p.indicator).unit;
  const int line = line_of_key(entry, "baseline");
  if (p.baseline.value) {
    const Rational& b = *p.baseline.value;
    if (b < 0 || (unit == Unit::kPercent && b > 100)) {
      error(line, "baseline of " + e->what + ": value " + exact_text(b) + " is outside " +
                      (unit == Unit::kPercent ? "0..100 %" : "0 or more"));
      return;
    }
  }
  if (!p.goal) return;
  if (!p.baseline.value && p.baseline.period.empty()) {
    error(p.line, e->what +
                      ": has a target but no baseline; set 'baseline' at the top of the "
                      "plan or in this entry");
    return;
  }
  if (!p.baseline.value) return;  // computed from events: checked when known
  const Rational t = *target_of(*p.baseline.value, *p.goal);
  if (t < 0 || (unit == Unit::kPercent && t > 100)) {
    error(line, "baseline of " + e->what + ": with value " + exact_text(*p.baseline.value) +
                    " the target would be " + exact_text(t) + " " + std::string(unit_symbol(unit)) +
                    ", " + (t < 0 ? "below 0" : "above 100"));
  }
}

void Loader::read_entry(const YAML::Node& n, EntryKind kind, std::string what,
                        std::string action_id, std::string action_text,
                        std::string default_responsible) {
  if (!expect_map(n, line_of(n), what)) return;
  const bool row = kind == EntryKind::kActionGoal;  // a row of the form: all its columns
  Entry e;
  e.p.line = line_of(n);
  e.p.action_id = std::move(action_id);
  e.p.action_text = std::move(action_text);

  // Name the entry in messages by its N° (goal rows) or its indicator (tracked).
  const std::string of = what.substr(what.find(" of "));
  e.number = integer(n, "n", what, row);
  e.number_line = line_of_key(n, "n");
  if (e.number) what = "goal N° " + std::to_string(*e.number) + of;
  const auto ind = indicator(n, "indicator", what, true);
  if (ind && kind == EntryKind::kTracked) {
    what = "tracked indicator " + std::string(id_of(*ind)) + of;
  }
  e.what = what;
  check_keys(n, what,
             {"n", "name", "action", "goal", "measures", "indicator", "weight", "months",
              "schedule", "formula", "unit", "responsible", "target", "baseline"});
  if (ind) e.p.indicator = *ind;
  e.p.name = ind ? std::string(info(*ind).name_es) : std::string();
  if (auto name = scalar(n, "name", what, kind == EntryKind::kObjectiveGoal)) e.p.name = *name;
  if (auto a = scalar(n, "action", what, false)) e.p.action_text = *a;
  if (auto g = scalar(n, "goal", what, kind != EntryKind::kTracked)) e.p.goal_text = *g;
  if (n["measures"].IsDefined() || kind != EntryKind::kTracked) {
    e.measures = indicator(n, "measures", what, kind != EntryKind::kTracked);
    e.measures_line = line_of_key(n, "measures");
  }
  if (auto f = scalar(n, "formula", what, row)) e.p.formula = *f;
  e.p.responsible = std::move(default_responsible);
  if (auto r = scalar(n, "responsible", what, row)) e.p.responsible = *r;
  if (auto u = scalar(n, "unit", what, row); u && ind && !unit_matches(info(*ind).unit, *u)) {
    error(line_of_key(n, "unit"), what + ": unit " + in_quotes(*u) + " does not match " +
                                      std::string(id_of(*ind)) + ", which is in " +
                                      std::string(unit_es(info(*ind).unit)));
  }
  if (auto months = integer(n, "months", what, row); months && (*months < 1 || *months > 12)) {
    error(line_of_key(n, "months"),
          what + ": months " + std::to_string(*months) + " must be 1..12");
  }
  read_schedule(n, what, row, &e);

  // Weight: required on the form's rows, 0 % by default for tracked indicators.
  const bool weight_required = kind != EntryKind::kTracked;
  if (auto w = percent(n, "weight", what, weight_required)) {
    if (*w < 0 || *w > 1) {
      error(line_of_key(n, "weight"),
            what + ": weight " + percent_text(*w) + " is outside 0%..100%");
      weights_ok_ = false;
    } else {
      e.p.weight = *w;
    }
  } else if (weight_required || n["weight"].IsDefined()) {
    weights_ok_ = false;
  }

  e.p.goal = read_target(n, what, ind);
  const bool target_written = n["target"].IsDefined();
  if (e.p.weight > 0 && !e.p.goal && !target_written) {
    error(e.p.line, what + ": has weight " + percent_text(e.p.weight) +
                        " but no target; give it a target or weight 0%");
  }
  if (e.p.goal && e.p.goal->size == 0 && e.p.weight > 0) {
    error(line_of_key(n["target"], "size"),
          "target of " + what + ": size 0 on an indicator weighted " + percent_text(e.p.weight) +
              " cannot measure progress; give a size above 0 or weight 0%");
  }

  // The plan's default baseline unless the entry gives its own.
  e.p.baseline = default_baseline_;
  bool baseline_ok = default_baseline_ok_;
  if (n["baseline"].IsDefined()) {
    const auto b = read_baseline(n, what);
    baseline_ok = b.has_value();
    if (b) e.p.baseline = *b;
  }
  if (!ind) {
    weights_ok_ = false;  // an entry is missing from the sum: do not report a wrong total
    return;
  }
  if (baseline_ok) check_baseline_and_target(n, &e);
  entries_.push_back(std::move(e));
}

void Loader::read_objective(const YAML::Node& root) {
  const auto [obj, line] = field(root, "objective", "plan", true);
  if (!obj.IsDefined() || !expect_map(obj, line, "objective")) return;
  check_keys(obj, "objective", {"text", "weight", "resources", "goals"});
  if (auto text = scalar(obj, "text", "objective", true)) plan_.objective = *text;
  objective_weight_line_ = line_of_key(obj, "weight");
  const auto weight = percent(obj, "weight", "objective", true);
  if (weight && *weight != 1) {
    error(
        objective_weight_line_,
        "objective: weight must be 100% (a plan has one objective), got " + percent_text(*weight));
  }
  const auto [res, res_line] = field(obj, "resources", "objective", false);
  if (res.IsDefined()) {
    if (!res.IsSequence()) {
      error(res_line, "objective: 'resources' must be a list such as [propios]");
    } else {
      for (const auto& r : res) {
        const std::string s = r.IsScalar() ? r.Scalar() : std::string("?");
        if (s != "propios" && s != "sgp" && s != "otros") {
          error(line_of(r), "objective: unknown source of resources " + in_quotes(s) +
                                " (propios, sgp, otros)");
        }
      }
    }
  }
  const auto [goals, goals_line] = field(obj, "goals", "objective", true);
  if (!goals.IsDefined()) return;
  if (!goals.IsSequence()) {
    error(goals_line, "objective: 'goals' must be a list");
    return;
  }
  for (const auto& g : goals) {
    read_entry(g, EntryKind::kObjectiveGoal, "goal of the objective", "objetivo", plan_.objective,
               plan_.responsible);
  }
}

void Loader::read_actions(const YAML::Node& root) {
  const auto [actions, line] = field(root, "actions", "plan", true);
  if (!actions.IsDefined()) return;
  if (!actions.IsSequence()) {
    error(line, "plan: 'actions' must be a list");
    return;
  }
  std::map<std::string, int> ids;
  std::size_t index = 0;
  for (const auto& a : actions) {
    ++index;
    std::string what = "action #" + std::to_string(index);
    if (!expect_map(a, line_of(a), what)) continue;
    check_keys(a, what, {"id", "text", "goals", "tracked"});
    const auto id = scalar(a, "id", what, true);
    if (id) {
      what = "action " + *id;
      if (const auto [it, fresh] = ids.emplace(*id, line_of(a)); !fresh) {
        error(line_of_key(a, "id"),
              what + ": id used twice (first at line " + std::to_string(it->second) + ")");
      }
    }
    const std::string text = scalar(a, "text", what, true).value_or("");
    const std::string action_id = id.value_or("");
    const auto [goals, goals_line] = field(a, "goals", what, true);
    if (goals.IsDefined() && !goals.IsSequence()) {
      error(goals_line, what + ": 'goals' must be a list");
    } else if (goals.IsDefined()) {
      std::size_t k = 0;
      for (const auto& g : goals) {
        ++k;
        read_entry(g, EntryKind::kActionGoal, "goal #" + std::to_string(k) + " of " + what,
                   action_id, text, plan_.responsible);
      }
    }
    const auto [tracked, tracked_line] = field(a, "tracked", what, false);
    if (tracked.IsDefined() && !tracked.IsSequence()) {
      error(tracked_line, what + ": 'tracked' must be a list");
    } else if (tracked.IsDefined()) {
      std::size_t k = 0;
      for (const auto& t : tracked) {
        ++k;
        read_entry(t, EntryKind::kTracked, "tracked entry #" + std::to_string(k) + " of " + what,
                   action_id, text, plan_.responsible);
      }
    }
  }
}

void Loader::check_plan() {
  // Each indicator once; each N° once.
  std::map<Indicator, const Entry*> by_indicator;
  std::map<int, const Entry*> by_number;
  for (const Entry& e : entries_) {
    if (const auto [it, fresh] = by_indicator.emplace(e.p.indicator, &e); !fresh) {
      error(e.p.line, e.what + ": indicator " + std::string(id_of(e.p.indicator)) +
                          " is already in the plan at line " + std::to_string(it->second->p.line) +
                          " (" + it->second->what + ")");
    }
    if (!e.number) continue;
    if (const auto [it, fresh] = by_number.emplace(*e.number, &e); !fresh) {
      error(e.number_line, e.what + ": N° " + std::to_string(*e.number) +
                               " is already used at line " + std::to_string(it->second->p.line));
    }
  }

  // Weights add up to 100 % (the single objective's weight), exactly.
  if (weights_ok_) {
    Rational sum = 0;
    for (const Entry& e : entries_) sum += e.p.weight;
    if (sum != 1) {
      std::string parts;
      for (const Entry& e : entries_) {
        if (e.p.weight == 0) continue;
        parts += (parts.empty() ? "" : " + ") + percent_text(e.p.weight);
      }
      error(objective_weight_line_, "weights sum to " + percent_text(sum) + " (" +
                                        (parts.empty() ? "nothing" : parts) + "), not 100%");
    }
  }

  // A goal whose text measures one indicator while its formula computes another.
  for (const Entry& e : entries_) {
    if (!e.measures || *e.measures == e.p.indicator) continue;
    const std::string measured(id_of(*e.measures));
    std::string message = e.what + " \"" + e.p.goal_text + "\" measures " + measured + ", but ";
    message +=
        e.p.formula.empty() ? "its indicator is " : "its formula \"" + e.p.formula + "\" computes ";
    message += std::string(id_of(e.p.indicator)) + ", which is weighted (" +
               percent_text(e.p.weight) + ") instead; ";
    const auto it = by_indicator.find(*e.measures);
    if (it == by_indicator.end()) {
      message += measured + " is not in the plan";
    } else if (it->second->p.weight == 0) {
      message += measured + " is tracked beside it with weight 0% (line " +
                 std::to_string(it->second->p.line) + ")";
    } else {
      message += measured + " is weighted " + percent_text(it->second->p.weight) + " at line " +
                 std::to_string(it->second->p.line);
    }
    warning(e.measures_line, std::move(message));
  }

  // The plan's schedule spans its rows' (the whole year when no row has one).
  std::optional<Date> start;
  std::optional<Date> end;
  for (const Entry& e : entries_) {
    if (e.start && (!start || *e.start < *start)) start = e.start;
    if (e.end && (!end || *e.end > *end)) end = e.end;
  }
  plan_.schedule_start = start.value_or(date_of(plan_.year, 1, 1));
  plan_.schedule_end = end.value_or(date_of(plan_.year, 12, 31));

  for (Entry& e : entries_) plan_.indicators.push_back(e.p);
}

PlanLoad Loader::load(std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    issues_.push_back(
        {Severity::kError, e.mark.is_null() ? 0 : e.mark.line + 1, "YAML syntax error: " + e.msg});
    return {std::nullopt, std::move(issues_)};
  }
  if (root.IsNull() || !root.IsDefined()) {
    error(0, "the plan is empty");
    return {std::nullopt, std::move(issues_)};
  }
  if (!root.IsMap()) {
    error(line_of(root), "the plan must be a mapping of fields (id, form, year, …)");
    return {std::nullopt, std::move(issues_)};
  }
  try {
    check_keys(root, "plan",
               {"id", "form", "year", "process", "responsible", "signatures", "baseline",
                "legal_terms", "objective", "actions"});
    read_header(root);
    read_signatures(root);
    read_baseline_default(root);
    read_legal_terms(root);
    read_objective(root);
    read_actions(root);
    check_plan();
  } catch (const YAML::Exception& e) {
    // A structure the checks above did not anticipate; report it rather than crash.
    error(e.mark.is_null() ? 0 : e.mark.line + 1, "unexpected YAML structure: " + e.msg);
  }
  std::stable_sort(issues_.begin(), issues_.end(),
                   [](const PlanIssue& a, const PlanIssue& b) { return a.line < b.line; });
  const bool ok = std::none_of(issues_.begin(), issues_.end(),
                               [](const PlanIssue& i) { return i.severity == Severity::kError; });
  PlanLoad out;
  if (ok) out.plan = std::move(plan_);
  out.issues = std::move(issues_);
  return out;
}

}  // namespace

PlanLoad load_plan(std::string_view yaml_text) {
  return Loader().load(yaml_text);
}

}  // namespace pqrflow::core
