#include "integrations/csv_import.hpp"

#include <algorithm>
#include <optional>

#include "core/bi.hpp"
#include "core/event.hpp"
#include "core/vocabulary.hpp"
#include "integrations/stable_id.hpp"

namespace pqrflow::integrations {
namespace {

const std::vector<std::string>& period_formats() {
  static const std::vector<std::string> k = {"%Y-%m", "%Y%m", "%m/%Y", "%m-%Y", "%Y/%m"};
  return k;
}

// The vocabulary of an enum field, for matching labels such as "RECLAMO".
template <std::size_t N>
std::optional<std::string> vocabulary_match(const std::array<std::string_view, N>& names,
                                            const std::string& normalised) {
  for (const auto n : names) {
    if (!n.empty() && normalize_label(n) == normalised) return std::string(n);
  }
  return std::nullopt;
}

std::optional<std::string> enum_match(std::string_view field, const std::string& normalised) {
  if (field == "kind") return vocabulary_match(core::kPqrKindNames, normalised);
  if (field == "channel") return vocabulary_match(core::kChannelNames, normalised);
  if (field == "outcome") return vocabulary_match(core::kOutcomeNames, normalised);
  if (field == "service") return vocabulary_match(core::kServiceNames, normalised);
  return std::nullopt;
}

bool contains(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace

struct CsvImport::Impl {
  std::string text;
  std::optional<CsvParser> parser;
  std::vector<std::string> header;
  // Resolved 0-based column indices, per event: type columns, when columns, per field.
  struct Resolved {
    std::vector<int> type;
    std::vector<int> when;
    std::vector<std::vector<int>> fields;
  };
  std::vector<Resolved> resolved;
  int max_column = -1;
  core::Decoder decoder;
  core::Event scratch;
  core::Rejection why;
  CsvRecord record;
};

CsvImport::CsvImport(Mapping mapping)
    : mapping_(std::move(mapping)), impl_(std::make_unique<Impl>()) {}

CsvImport::~CsvImport() = default;

bool CsvImport::open(std::string_view bytes, std::string* error) {
  // A UTF-8 byte order mark is unambiguous: such a file is UTF-8 whatever the mapping
  // says (the same export saved once as "CSV" and once as "CSV UTF-8").
  const Encoding encoding =
      bytes.substr(0, 3) == "\xEF\xBB\xBF" ? Encoding::kUtf8 : mapping_.encoding;
  std::optional<std::string> text = to_utf8(bytes, encoding, error);
  if (!text) return false;
  impl_->text = std::move(*text);
  impl_->parser.emplace(impl_->text, mapping_.dialect);
  CsvRecord r;
  for (int i = 0; i < mapping_.skip_lines; ++i) {
    if (!impl_->parser->next(&r)) break;
  }
  if (mapping_.header) {
    while (impl_->parser->next(&r) && is_blank(r)) {
    }
    if (r.fields.empty() || is_blank(r)) {
      *error = "the file has no header row (the mapping says `header: true`)";
      return false;
    }
    if (!r.error.empty()) {
      *error = "line " + std::to_string(r.line) + ": the header row is malformed: " + r.error;
      return false;
    }
    for (const std::string& f : r.fields) impl_->header.emplace_back(trim(f));
  }
  std::string missing;
  const auto resolve = [&](const ColumnRef& c, int mapping_line) -> int {
    if (c.number > 0) {
      if (mapping_.header && c.number > static_cast<int>(impl_->header.size())) {
        missing += "\n  column " + std::to_string(c.number) + " (mapping line " +
                   std::to_string(mapping_line) + "): the header has only " +
                   std::to_string(impl_->header.size()) + " columns";
        return -1;
      }
      return c.number - 1;
    }
    const auto& h = impl_->header;
    for (std::size_t i = 0; i < h.size(); ++i) {
      if (h[i] == c.name) return static_cast<int>(i);
    }
    // Headers differ between exports in case, accents and spacing: match loosely, once.
    const std::string want = normalize_label(c.name);
    int found = -1;
    for (std::size_t i = 0; i < h.size(); ++i) {
      if (normalize_label(h[i]) != want) continue;
      if (found >= 0) {
        missing += "\n  '" + c.name + "' (mapping line " + std::to_string(mapping_line) +
                   "): matches two header columns, '" + h[static_cast<std::size_t>(found)] +
                   "' and '" + h[i] + "'";
        return -1;
      }
      found = static_cast<int>(i);
    }
    if (found < 0) {
      missing += "\n  '" + c.name + "' (mapping line " + std::to_string(mapping_line) + ")";
    }
    return found;
  };
  for (const EventSpec& e : mapping_.events) {
    Impl::Resolved res;
    for (const ColumnRef& c : e.type.columns) res.type.push_back(resolve(c, e.type.line));
    for (const ColumnRef& c : e.when) res.when.push_back(resolve(c, e.line));
    for (const FieldSpec& f : e.fields) {
      std::vector<int> cols;
      for (const ColumnRef& c : f.value.columns) cols.push_back(resolve(c, f.value.line));
      res.fields.push_back(std::move(cols));
    }
    for (const auto* list : {&res.type, &res.when}) {
      for (const int c : *list) impl_->max_column = std::max(impl_->max_column, c);
    }
    for (const auto& cols : res.fields) {
      for (const int c : cols) impl_->max_column = std::max(impl_->max_column, c);
    }
    impl_->resolved.push_back(std::move(res));
  }
  if (!missing.empty()) {
    std::string have;
    for (const std::string& h : impl_->header) have += (have.empty() ? "" : ", ") + h;
    *error =
        "columns of the mapping not found in the header:" + missing + "\nthe header has: " + have;
    return false;
  }
  return true;
}

const std::vector<std::string>& CsvImport::current_fields() const {
  return impl_->record.fields;
}

double CsvImport::progress() const {
  if (!impl_->parser || impl_->parser->size() == 0) return 1.0;
  return static_cast<double>(impl_->parser->position()) /
         static_cast<double>(impl_->parser->size());
}

bool CsvImport::next_row(std::vector<ImportItem>* out) {
  out->clear();
  Impl& s = *impl_;
  CsvRecord& r = s.record;
  if (!s.parser || !s.parser->next(&r)) return false;
  if (is_blank(r)) {
    ++counts_.blank_rows;
    return true;
  }
  ++counts_.rows;
  const auto reject = [&](std::string type, std::string reason, std::string detail) {
    ImportItem item;
    item.outcome = ImportItem::kRejected;
    item.line = r.line;
    item.type = std::move(type);
    item.reason = std::move(reason);
    item.detail = std::move(detail);
    ++counts_.rejected;
    ++counts_.by_reason[item.reason];
    out->push_back(std::move(item));
  };
  if (!r.error.empty()) {
    reject("", "invalid_csv", r.error);
    return true;
  }
  if (mapping_.header && r.fields.size() != s.header.size()) {
    reject("", "invalid_csv",
           std::to_string(r.fields.size()) + " fields, the header has " +
               std::to_string(s.header.size()) +
               (r.fields.size() < s.header.size()
                    ? " (a line break inside an unquoted field?)"
                    : " (a delimiter inside an unquoted field? quote it)"));
    return true;
  }
  if (!mapping_.header && s.max_column >= static_cast<int>(r.fields.size())) {
    reject("", "invalid_csv",
           std::to_string(r.fields.size()) + " fields, the mapping reads column " +
               std::to_string(s.max_column + 1));
    return true;
  }
  const auto cell = [&](int index) -> std::string_view {
    return trim(r.fields[static_cast<std::size_t>(index)]);
  };
  const auto label_of = [&](int index) {
    return mapping_.header ? "column '" + s.header[static_cast<std::size_t>(index)] + "'"
                           : "column " + std::to_string(index + 1);
  };

  for (std::size_t ei = 0; ei < mapping_.events.size(); ++ei) {
    const EventSpec& spec = mapping_.events[ei];
    const Impl::Resolved& res = s.resolved[ei];
    if (std::any_of(res.when.begin(), res.when.end(), [&](int c) { return cell(c).empty(); }))
      continue;
    // The event type.
    std::string type;
    if (spec.type.constant) {
      type = *spec.type.constant;
    } else {
      const std::string raw(cell(res.type.front()));
      const std::string key = normalize_label(raw);
      if (auto it = spec.type.values.find(key); it != spec.type.values.end()) {
        type = it->second;
      } else if (contains(spec.skip, key)) {
        ImportItem item;
        item.outcome = ImportItem::kSkipped;
        item.line = r.line;
        item.detail = label_of(res.type.front()) + " = '" + raw + "'";
        ++counts_.skipped;
        out->push_back(std::move(item));
        continue;
      } else {
        type = raw;
      }
      const auto t = raw_topic_of_type(type);
      if (!t) {
        reject("", "unknown_type",
               "type: '" + raw + "' (" + label_of(res.type.front()) +
                   ") is not in the mapping's type `values` nor its `skip` list");
        continue;
      }
      if (mapping_.topic && *t != *mapping_.topic) {
        reject(type, "unknown_type",
               "type: " + type + " belongs on the raw topic " + std::string(name_of(*t)) +
                   ", this import feeds " + std::string(name_of(*mapping_.topic)));
        continue;
      }
    }

    // Field values, converted to the contract's forms.
    struct Value {
      const FieldSpec* spec;
      std::string text;
      std::string column;  // for messages
    };
    std::vector<Value> values;
    bool failed = false;
    for (std::size_t fi = 0; fi < spec.fields.size() && !failed; ++fi) {
      const FieldSpec& f = spec.fields[fi];
      const std::vector<int>& cols = res.fields[fi];
      std::string raw;
      std::string column;
      if (f.value.constant) {
        raw = *f.value.constant;
      } else {
        bool any = false;
        for (std::size_t k = 0; k < cols.size(); ++k) {
          const std::string_view c = cell(cols[k]);
          if (k > 0) raw += f.value.join;
          raw += c;
          any = any || !c.empty();
          column += (column.empty() ? "" : " + ") + label_of(cols[k]);
        }
        if (!any) raw.clear();
      }
      std::string key = normalize_label(raw);
      if (!raw.empty() && (contains(mapping_.empty_values, key) || contains(f.value.empty, key)))
        raw.clear();
      if (raw.empty() && f.value.default_value) {
        raw = *f.value.default_value;
        key = normalize_label(raw);
      }
      if (raw.empty()) continue;
      bool mapped = false;
      if (auto it = f.value.values.find(key); it != f.value.values.end()) {
        raw = it->second;
        mapped = true;
        if (raw.empty()) continue;  // a label mapped to "" means absent
      }
      const std::string shown = "'" + raw + "'" + (column.empty() ? "" : " (" + column + ")");
      std::string why;
      switch (f.kind) {
        case FieldKind::kText:
          break;
        case FieldKind::kEnum:
          if (!mapped) {
            if (auto v = enum_match(f.field, key)) raw = *v;
          }
          break;
        case FieldKind::kTimestamp: {
          const auto& formats = f.value.formats.empty() ? mapping_.date_formats : f.value.formats;
          auto v = parse_datetime(raw, formats, mapping_.utc_offset_minutes, &why);
          if (!v) {
            reject(type, "invalid_timestamp",
                   f.field + ": " + why + (column.empty() ? "" : " (" + column + ")"));
            failed = true;
            continue;
          }
          raw = *v;
          break;
        }
        case FieldKind::kAmount: {
          auto v = parse_money(raw, mapping_.numbers, &why);
          if (!v) {
            reject(type, "invalid_amount",
                   f.field + ": " + why + (column.empty() ? "" : " (" + column + ")"));
            failed = true;
            continue;
          }
          raw = *v;
          break;
        }
        case FieldKind::kFlag: {
          const auto v = parse_flag(raw);
          if (!v) {
            reject(type, "wrong_type", f.field + ": " + shown + " is not a yes/no value");
            failed = true;
            continue;
          }
          raw = *v ? "true" : "false";
          break;
        }
        case FieldKind::kPeriod: {
          const auto& formats = f.value.formats.empty() ? period_formats() : f.value.formats;
          auto v = parse_period(raw, formats, &why);
          if (!v) {
            reject(type, "invalid_period",
                   f.field + ": " + why + (column.empty() ? "" : " (" + column + ")"));
            failed = true;
            continue;
          }
          raw = *v;
          break;
        }
      }
      values.push_back({&f, std::move(raw), std::move(column)});
    }
    if (failed) continue;

    // Event id: given by a column, or the stable hash of the converted content.
    std::string event_id;
    for (const Value& v : values) {
      if (v.spec->field == "event_id") event_id = v.text;
    }
    if (event_id.empty()) {
      std::vector<const Value*> hashed;
      for (const Value& v : values) {
        if (spec.id_fields.empty() || contains(spec.id_fields, v.spec->field)) hashed.push_back(&v);
      }
      std::sort(hashed.begin(), hashed.end(),
                [](const Value* a, const Value* b) { return a->spec->field < b->spec->field; });
      Sha256 h;
      h.add(mapping_.name).add("\x1e").add(type).add("\x1e");
      for (const Value* v : hashed) h.add(v->spec->field).add("\x1f").add(v->text).add("\x1e");
      event_id = mapping_.name + "-" + h.hex(16);
    }

    // The raw JSON record: event_id, type, then the fields in mapping order; the
    // amounts.* fields become one "amounts" object.
    std::string json = "{\"event_id\":";
    core::append_json_string(&json, event_id);
    json += ",\"type\":";
    core::append_json_string(&json, type);
    bool amounts_written = false;
    for (const Value& v : values) {
      const std::string& name = v.spec->field;
      if (name == "event_id") continue;
      if (name.rfind("amounts.", 0) == 0) {
        if (amounts_written) continue;
        amounts_written = true;
        json += ",\"amounts\":{";
        bool first = true;
        for (const Value& a : values) {
          if (a.spec->field.rfind("amounts.", 0) != 0) continue;
          if (!first) json += ',';
          first = false;
          core::append_json_string(&json, a.spec->field.substr(8));
          json += ':';
          core::append_json_string(&json, a.text);
        }
        json += '}';
        continue;
      }
      json += ',';
      core::append_json_string(&json, name);
      json += ':';
      if (v.spec->kind == FieldKind::kFlag) {
        json += v.text;
      } else {
        core::append_json_string(&json, v.text);
      }
    }
    json += '}';

    // The same validation ingest applies.
    if (!s.decoder.decode_json(json, &s.scratch, &s.why)) {
      std::string detail = s.why.detail;
      const std::string field = detail.substr(0, detail.find(':'));
      for (const Value& v : values) {
        if (v.spec->field == field && !v.column.empty()) {
          detail += " (" + v.column + ": '" + v.text + "')";
          break;
        }
      }
      if (s.why.reason == core::RejectReason::kMissingField) {
        for (std::size_t fi = 0; fi < spec.fields.size(); ++fi) {
          if (spec.fields[fi].field != field || res.fields[fi].empty()) continue;
          detail += " (";
          for (std::size_t k = 0; k < res.fields[fi].size(); ++k)
            detail += (k > 0 ? " + " : "") + label_of(res.fields[fi][k]);
          detail += " is empty)";
        }
      }
      reject(type, std::string(core::reason_code(s.why.reason)), detail);
      continue;
    }
    ImportItem item;
    item.outcome = ImportItem::kRecord;
    item.line = r.line;
    item.type = type;
    item.event_id = event_id;
    item.json = std::move(json);
    item.key = core::partition_key(s.scratch);
    ++counts_.records;
    out->push_back(std::move(item));
  }
  return true;
}

}  // namespace pqrflow::integrations
