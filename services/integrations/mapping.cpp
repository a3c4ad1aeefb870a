#include "integrations/mapping.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <set>

#include "core/vocabulary.hpp"

namespace pqrflow::integrations {
namespace {

// yaml-cpp marks are 0-based and null on nodes it synthesised.
int line_of(const YAML::Node& n) {
  if (!n.IsDefined()) return 0;
  const YAML::Mark m = n.Mark();
  return m.is_null() ? 0 : m.line + 1;
}

std::string quoted(std::string_view s) {
  return "'" + std::string(s) + "'";
}

struct KnownField {
  std::string_view name;
  FieldKind kind;
};
constexpr std::array<KnownField, 22> kFields = {{
    {"event_id", FieldKind::kText},
    {"occurred_at", FieldKind::kTimestamp},
    {"source", FieldKind::kText},
    {"ticket_id", FieldKind::kText},
    {"kind", FieldKind::kEnum},
    {"channel", FieldKind::kEnum},
    {"subscriber_id", FieldKind::kText},
    {"service", FieldKind::kEnum},
    {"causal", FieldKind::kText},
    {"office", FieldKind::kText},
    {"outcome", FieldKind::kEnum},
    {"internal_error", FieldKind::kFlag},
    {"reason", FieldKind::kText},
    {"turn_id", FieldKind::kText},
    {"arrived_at", FieldKind::kTimestamp},
    {"started_at", FieldKind::kTimestamp},
    {"visit_id", FieldKind::kText},
    {"bill_id", FieldKind::kText},
    {"period", FieldKind::kPeriod},
    {"amounts.acueducto", FieldKind::kAmount},
    {"amounts.alcantarillado", FieldKind::kAmount},
    {"amount", FieldKind::kAmount},
}};

std::string field_list() {
  std::string out;
  for (const KnownField& f : kFields) out += (out.empty() ? "" : ", ") + std::string(f.name);
  return out;
}

class Loader {
 public:
  MappingLoad run(std::string_view text);

 private:
  void error(int line, std::string message) { issues_.push_back({line, std::move(message)}); }
  void check_keys(const YAML::Node& map, std::string_view what,
                  std::initializer_list<std::string_view> allowed);
  std::optional<std::string> scalar(const YAML::Node& n, std::string_view what);
  std::optional<char> one_char(const YAML::Node& n, std::string_view what);
  std::optional<ColumnRef> column(const YAML::Node& n, std::string_view what);
  std::vector<std::string> string_list(const YAML::Node& n, std::string_view what, bool normalise);
  std::optional<ValueSpec> value_spec(const YAML::Node& n, std::string_view what);
  void read_csv(const YAML::Node& n);
  void read_dates(const YAML::Node& n);
  void read_numbers(const YAML::Node& n);
  std::optional<EventSpec> read_event(const YAML::Node& n, std::string_view what,
                                      const std::vector<FieldSpec>& constants);
  std::vector<FieldSpec> read_fields(const YAML::Node& n, std::string_view what, bool constants);

  std::vector<MappingIssue> issues_;
  Mapping m_;
};

void Loader::check_keys(const YAML::Node& map, std::string_view what,
                        std::initializer_list<std::string_view> allowed) {
  std::set<std::string> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
    if (!seen.insert(key).second) {
      error(line_of(it->first), std::string(what) + ": " + quoted(key) + " appears twice");
    }
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string list;
      for (const auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      error(line_of(it->first),
            std::string(what) + ": unknown key " + quoted(key) + " (expected: " + list + ")");
    }
  }
}

std::optional<std::string> Loader::scalar(const YAML::Node& n, std::string_view what) {
  if (!n.IsScalar()) {
    error(line_of(n), std::string(what) + ": expected a single value");
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<char> Loader::one_char(const YAML::Node& n, std::string_view what) {
  const auto s = scalar(n, what);
  if (!s) return std::nullopt;
  if (*s == "tab" || *s == "\\t" || *s == "\t") return '\t';
  if (s->size() != 1 || static_cast<unsigned char>((*s)[0]) >= 0x80) {
    error(line_of(n),
          std::string(what) + ": expected one ASCII character (or `tab`), got " + quoted(*s));
    return std::nullopt;
  }
  return (*s)[0];
}

std::optional<ColumnRef> Loader::column(const YAML::Node& n, std::string_view what) {
  const auto s = scalar(n, what);
  if (!s) return std::nullopt;
  ColumnRef c;
  if (!s->empty() &&
      std::all_of(s->begin(), s->end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    if (s->size() > 4 || std::stoi(*s) < 1) {
      error(line_of(n), std::string(what) + ": column numbers start at 1, got " + *s);
      return std::nullopt;
    }
    c.number = std::stoi(*s);
  } else if (trim(*s).empty()) {
    error(line_of(n), std::string(what) + ": empty column name");
    return std::nullopt;
  } else {
    c.name = *s;
    if (!m_.header) {
      error(line_of(n), std::string(what) + ": column " + quoted(*s) +
                            " is a name but the file has no header (`csv: {header: false}`): use "
                            "column numbers");
      return std::nullopt;
    }
  }
  return c;
}

std::vector<std::string> Loader::string_list(const YAML::Node& n, std::string_view what,
                                             bool normalise) {
  std::vector<std::string> out;
  if (n.IsScalar()) {
    out.push_back(normalise ? normalize_label(n.Scalar()) : n.Scalar());
    return out;
  }
  if (!n.IsSequence()) {
    error(line_of(n), std::string(what) + ": expected a list of values");
    return out;
  }
  for (const YAML::Node& item : n) {
    if (auto s = scalar(item, what)) out.push_back(normalise ? normalize_label(*s) : *s);
  }
  return out;
}

std::optional<ValueSpec> Loader::value_spec(const YAML::Node& n, std::string_view what) {
  ValueSpec v;
  v.line = line_of(n);
  const std::size_t before = issues_.size();
  if (n.IsScalar()) {
    if (auto c = column(n, what)) v.columns.push_back(*c);
    return issues_.size() == before ? std::optional(v) : std::nullopt;
  }
  if (!n.IsMap()) {
    error(line_of(n), std::string(what) + ": expected a column name or {column: …, …}");
    return std::nullopt;
  }
  check_keys(
      n, what,
      {"column", "columns", "join", "value", "values", "empty", "format", "formats", "default"});
  if (n["column"]) {
    if (auto c = column(n["column"], what)) v.columns.push_back(*c);
  }
  if (n["columns"]) {
    if (!n["columns"].IsSequence() || n["columns"].size() == 0) {
      error(line_of(n["columns"]), std::string(what) + ": `columns` must be a non-empty list");
    } else {
      for (const YAML::Node& c : n["columns"]) {
        if (auto ref = column(c, what)) v.columns.push_back(*ref);
      }
    }
  }
  if (n["join"]) {
    if (auto s = scalar(n["join"], what)) v.join = *s;
  }
  if (n["value"]) {
    if (auto s = scalar(n["value"], what)) v.constant = *s;
  }
  if (v.constant.has_value() == (n["column"] || n["columns"])) {
    error(v.line, std::string(what) + ": give exactly one of `column`, `columns` or `value`");
  }
  if (n["column"] && n["columns"]) {
    error(v.line, std::string(what) + ": give `column` or `columns`, not both");
  }
  if (n["values"]) {
    const YAML::Node& map = n["values"];
    if (!map.IsMap()) {
      error(line_of(map), std::string(what) + ": `values` must map labels to values");
    } else {
      for (auto it = map.begin(); it != map.end(); ++it) {
        const auto from = scalar(it->first, what);
        const auto to = scalar(it->second, what);
        if (!from || !to) continue;
        const std::string key = normalize_label(*from);
        if (!v.values.emplace(key, *to).second) {
          error(line_of(it->first), std::string(what) + ": label " + quoted(*from) +
                                        " appears twice (labels match ignoring case and accents)");
        }
      }
    }
  }
  if (n["empty"]) v.empty = string_list(n["empty"], what, true);
  if (n["format"]) v.formats = string_list(n["format"], what, false);
  if (n["formats"]) v.formats = string_list(n["formats"], what, false);
  if (n["default"]) {
    if (auto s = scalar(n["default"], what)) v.default_value = *s;
  }
  return issues_.size() == before ? std::optional(v) : std::nullopt;
}

void Loader::read_csv(const YAML::Node& n) {
  if (!n.IsMap()) {
    error(line_of(n), "csv: expected {delimiter, quote, encoding, header, skip_lines}");
    return;
  }
  check_keys(n, "csv", {"delimiter", "quote", "encoding", "header", "skip_lines"});
  if (n["delimiter"]) {
    if (auto c = one_char(n["delimiter"], "csv.delimiter")) m_.dialect.delimiter = *c;
  }
  if (n["quote"]) {
    if (auto c = one_char(n["quote"], "csv.quote")) m_.dialect.quote = *c;
  }
  if (m_.dialect.quote == m_.dialect.delimiter) {
    error(line_of(n), "csv: the quote and the delimiter must differ");
  }
  if (n["encoding"]) {
    if (auto s = scalar(n["encoding"], "csv.encoding")) {
      if (auto e = encoding_from_name(*s)) {
        m_.encoding = *e;
      } else {
        error(line_of(n["encoding"]),
              "csv.encoding: unknown " + quoted(*s) + " (expected utf-8, windows-1252 or latin1)");
      }
    }
  }
  if (n["header"]) {
    const auto s = scalar(n["header"], "csv.header");
    if (s && (*s == "true" || *s == "false")) {
      m_.header = *s == "true";
    } else {
      error(line_of(n["header"]), "csv.header: expected true or false");
    }
  }
  if (n["skip_lines"]) {
    const auto s = scalar(n["skip_lines"], "csv.skip_lines");
    if (s && !s->empty() && s->size() < 6 &&
        std::all_of(s->begin(), s->end(), [](char c) { return c >= '0' && c <= '9'; })) {
      m_.skip_lines = std::stoi(*s);
    } else {
      error(line_of(n["skip_lines"]), "csv.skip_lines: expected a number of lines (0..99999)");
    }
  }
}

void Loader::read_dates(const YAML::Node& n) {
  if (!n.IsMap()) {
    error(line_of(n), "dates: expected {formats, timezone}");
    return;
  }
  check_keys(n, "dates", {"formats", "format", "timezone"});
  if (n["formats"]) m_.date_formats = string_list(n["formats"], "dates.formats", false);
  if (n["format"]) m_.date_formats = string_list(n["format"], "dates.format", false);
  if (m_.date_formats.empty()) error(line_of(n), "dates: at least one format is needed");
  if (n["timezone"]) {
    const auto s = scalar(n["timezone"], "dates.timezone");
    if (!s) return;
    if (*s == "America/Bogota" || *s == "America/Lima" || *s == "-05:00") {
      m_.utc_offset_minutes = -300;
    } else if (*s == "UTC" || *s == "Z" || *s == "+00:00") {
      m_.utc_offset_minutes = 0;
    } else if (s->size() == 6 && ((*s)[0] == '+' || (*s)[0] == '-') && (*s)[3] == ':') {
      const int h = std::atoi(s->substr(1, 2).c_str());
      const int mm = std::atoi(s->substr(4, 2).c_str());
      m_.utc_offset_minutes = ((*s)[0] == '-' ? -1 : 1) * (h * 60 + mm);
    } else {
      error(line_of(n["timezone"]),
            "dates.timezone: " + quoted(*s) + " is not supported (America/Bogota, UTC or ±hh:mm)");
    }
  }
}

void Loader::read_numbers(const YAML::Node& n) {
  if (!n.IsMap()) {
    error(line_of(n), "numbers: expected {decimal, thousands}");
    return;
  }
  check_keys(n, "numbers", {"decimal", "thousands"});
  if (n["decimal"]) {
    if (auto c = one_char(n["decimal"], "numbers.decimal")) m_.numbers.decimal = *c;
  }
  if (n["thousands"]) {
    if (auto s = scalar(n["thousands"], "numbers.thousands")) {
      m_.numbers.thousands = *s == "space" ? " " : *s;
    }
  }
  if (m_.numbers.thousands.find(m_.numbers.decimal) != std::string::npos) {
    error(line_of(n), "numbers: the decimal separator cannot also be a thousands separator");
  }
}

std::vector<FieldSpec> Loader::read_fields(const YAML::Node& n, std::string_view what,
                                           bool constants) {
  std::vector<FieldSpec> out;
  if (!n.IsMap()) {
    error(line_of(n), std::string(what) + ": expected a mapping of contract field → column");
    return out;
  }
  std::set<std::string> seen;
  for (auto it = n.begin(); it != n.end(); ++it) {
    const auto name = scalar(it->first, what);
    if (!name) continue;
    const std::string where = std::string(what) + "." + *name;
    const auto kind = field_kind(*name);
    if (!kind) {
      error(line_of(it->first), std::string(what) + ": " + quoted(*name) +
                                    " is not a contract field (expected one of " + field_list() +
                                    ")");
      continue;
    }
    if (!seen.insert(*name).second) {
      error(line_of(it->first), where + ": appears twice");
      continue;
    }
    FieldSpec f;
    f.field = *name;
    f.kind = *kind;
    if (constants) {
      const auto s = scalar(it->second, where);
      if (!s) continue;
      f.value.constant = *s;
      f.value.line = line_of(it->second);
    } else {
      auto v = value_spec(it->second, where);
      if (!v) continue;
      f.value = std::move(*v);
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::optional<EventSpec> Loader::read_event(const YAML::Node& n, std::string_view what,
                                            const std::vector<FieldSpec>& constants) {
  if (!n.IsMap()) {
    error(line_of(n), std::string(what) + ": expected {type, fields, …}");
    return std::nullopt;
  }
  check_keys(n, what, {"type", "skip", "when", "fields", "id_fields"});
  const std::size_t before = issues_.size();
  EventSpec e;
  e.line = line_of(n);
  if (!n["type"]) {
    error(e.line, std::string(what) +
                      ": missing `type` (an event type such as pqr.filed, or "
                      "{column: …, values: {…}})");
    return std::nullopt;
  }
  const std::string type_what = std::string(what) + ".type";
  if (n["type"].IsScalar()) {
    e.type.constant = n["type"].Scalar();
    e.type.line = line_of(n["type"]);
  } else if (auto v = value_spec(n["type"], type_what)) {
    e.type = std::move(*v);
  }
  const auto check_type = [&](const std::string& t, int line) {
    if (!core::enum_from_name<core::EventType>(core::kEventTypeNames, t)) {
      std::string names;
      for (const auto name : core::kEventTypeNames)
        names += (names.empty() ? "" : ", ") + std::string(name);
      error(line, type_what + ": " + quoted(t) + " is not an event type (" + names + ")");
    }
  };
  if (e.type.constant) check_type(*e.type.constant, e.type.line);
  for (const auto& [label, t] : e.type.values) check_type(t, e.type.line);
  if (n["skip"]) e.skip = string_list(n["skip"], std::string(what) + ".skip", true);
  if (n["when"]) {
    const YAML::Node& w = n["when"];
    if (w.IsSequence()) {
      for (const YAML::Node& c : w) {
        if (auto ref = column(c, std::string(what) + ".when")) e.when.push_back(*ref);
      }
    } else if (w.IsMap() && w["present"]) {
      check_keys(w, std::string(what) + ".when", {"present"});
      for (const std::string& s : string_list(w["present"], std::string(what) + ".when", false)) {
        YAML::Node tmp(s);
        if (auto ref = column(tmp, std::string(what) + ".when")) e.when.push_back(*ref);
      }
    } else if (auto ref = column(w, std::string(what) + ".when")) {
      e.when.push_back(*ref);
    }
  }
  if (!n["fields"]) {
    error(e.line, std::string(what) + ": missing `fields`");
  } else {
    e.fields = read_fields(n["fields"], std::string(what) + ".fields", false);
  }
  for (const FieldSpec& c : constants) {
    const bool mapped = std::any_of(e.fields.begin(), e.fields.end(),
                                    [&](const FieldSpec& f) { return f.field == c.field; });
    if (!mapped) e.fields.push_back(c);
  }
  if (n["id_fields"]) {
    e.id_fields = string_list(n["id_fields"], std::string(what) + ".id_fields", false);
    for (const std::string& f : e.id_fields) {
      const bool mapped = std::any_of(e.fields.begin(), e.fields.end(),
                                      [&](const FieldSpec& s) { return s.field == f; });
      if (!mapped) {
        error(line_of(n["id_fields"]),
              std::string(what) + ".id_fields: " + quoted(f) + " is not a mapped field");
      }
    }
  }
  return issues_.size() == before ? std::optional(std::move(e)) : std::nullopt;
}

MappingLoad Loader::run(std::string_view text) {
  MappingLoad out;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    out.issues.push_back({e.mark.is_null() ? 0 : e.mark.line + 1, "YAML syntax: " + e.msg});
    return out;
  }
  if (!root.IsMap()) {
    out.issues.push_back({1, "a mapping file is a YAML mapping (name, csv, events, …)"});
    return out;
  }
  check_keys(root, "mapping",
             {"name", "topic", "csv", "dates", "numbers", "empty_values", "constants", "events",
              "type", "skip", "when", "fields", "id_fields", "description"});
  if (!root["name"]) {
    error(1, "mapping: missing `name` (it prefixes every generated event id, e.g. sgc-radicados)");
  } else if (auto s = scalar(root["name"], "name")) {
    const bool ok = !s->empty() && s->size() <= 64 && std::all_of(s->begin(), s->end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '_' || c == '.';
    });
    if (ok) {
      m_.name = *s;
    } else {
      error(line_of(root["name"]), "name: 1–64 characters of A–Z, a–z, 0–9, '-', '_', '.'");
    }
  }
  if (root["topic"]) {
    if (auto s = scalar(root["topic"], "topic")) {
      m_.topic = raw_topic_from_name(*s);
      if (!m_.topic) error(line_of(root["topic"]), "topic: expected pqr, visits or billing");
    }
  }
  if (root["csv"]) read_csv(root["csv"]);
  if (root["dates"]) read_dates(root["dates"]);
  if (root["numbers"]) read_numbers(root["numbers"]);
  if (root["empty_values"])
    m_.empty_values = string_list(root["empty_values"], "empty_values", true);
  std::vector<FieldSpec> constants;
  if (root["constants"]) constants = read_fields(root["constants"], "constants", true);

  const bool shorthand = root["type"] || root["fields"];
  if (shorthand && root["events"]) {
    error(line_of(root["events"]),
          "mapping: give either `events:` (a list) or one event's `type` and `fields` at the top "
          "level, not both");
  } else if (shorthand) {
    YAML::Node one(YAML::NodeType::Map);
    for (const char* key : {"type", "skip", "when", "fields", "id_fields"}) {
      if (root[key]) one[key] = root[key];
    }
    if (auto e = read_event(one, "mapping", constants)) m_.events.push_back(std::move(*e));
  } else if (!root["events"]) {
    error(1, "mapping: missing `events` (the events each row produces)");
  } else if (!root["events"].IsSequence() || root["events"].size() == 0) {
    error(line_of(root["events"]), "events: expected a non-empty list");
  } else {
    int index = 0;
    for (const YAML::Node& n : root["events"]) {
      if (auto e = read_event(n, "events[" + std::to_string(++index) + "]", constants))
        m_.events.push_back(std::move(*e));
    }
  }
  // Every event of a file goes to one raw topic.
  if (issues_.empty()) {
    for (const EventSpec& e : m_.events) {
      std::vector<std::string> types;
      if (e.type.constant) types.push_back(*e.type.constant);
      for (const auto& [label, t] : e.type.values) types.push_back(t);
      for (const std::string& t : types) {
        const auto topic = raw_topic_of_type(t);
        if (!m_.topic) m_.topic = topic;
        if (topic != m_.topic) {
          error(e.type.line, "type " + quoted(t) + " belongs on the raw topic " +
                                 std::string(name_of(*topic)) + ", but this mapping feeds " +
                                 std::string(name_of(*m_.topic)) +
                                 " (one file, one raw topic: split the mapping)");
        }
      }
    }
  }
  out.issues = std::move(issues_);
  if (out.issues.empty()) out.mapping = std::move(m_);
  std::stable_sort(out.issues.begin(), out.issues.end(),
                   [](const MappingIssue& a, const MappingIssue& b) { return a.line < b.line; });
  return out;
}

}  // namespace

std::optional<RawTopic> raw_topic_from_name(std::string_view name) {
  if (name == "pqr") return RawTopic::kPqr;
  if (name == "visits") return RawTopic::kVisits;
  if (name == "billing") return RawTopic::kBilling;
  return std::nullopt;
}

std::string_view name_of(RawTopic t) {
  switch (t) {
    case RawTopic::kPqr:
      return "pqr";
    case RawTopic::kVisits:
      return "visits";
    case RawTopic::kBilling:
      return "billing";
  }
  return "pqr";
}

std::optional<RawTopic> raw_topic_of_type(std::string_view type) {
  const auto t = core::enum_from_name<core::EventType>(core::kEventTypeNames, type);
  if (!t) return std::nullopt;
  switch (*t) {
    case core::EventType::kVisitRequested:
    case core::EventType::kVisitCompleted:
      return RawTopic::kVisits;
    case core::EventType::kBillIssued:
    case core::EventType::kBillReformed:
      return RawTopic::kBilling;
    default:
      return RawTopic::kPqr;
  }
}

std::string ColumnRef::label() const {
  return name.empty() ? "column " + std::to_string(number) : "column '" + name + "'";
}

std::optional<FieldKind> field_kind(std::string_view field) {
  for (const KnownField& f : kFields) {
    if (f.name == field) return f.kind;
  }
  return std::nullopt;
}

MappingLoad load_mapping(std::string_view yaml_text) {
  return Loader().run(yaml_text);
}

}  // namespace pqrflow::integrations
