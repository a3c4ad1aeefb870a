// The mapping of a spreadsheet export onto the raw contract (design.md §4): which CSV
// dialect and encoding, which column feeds which contract field, how dates, money and
// labels are written, and which events a row produces. Loaded from YAML; every problem
// is reported with its line. docs/import-csv.md documents the format with examples:
//
//   name: sgc-radicados
//   topic: pqr
//   csv: {delimiter: ";", encoding: windows-1252}
//   dates: {formats: ["%d/%m/%Y %H:%M"], timezone: America/Bogota}
//   events:
//     - type: pqr.filed
//       fields:
//         ticket_id: Radicado
//         occurred_at: Fecha radicación
//         kind: {column: Tipo, values: {Petición: peticion, Reclamo: reclamo}}
//
// Pure: text in, Mapping or issues out.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "integrations/cell_values.hpp"
#include "integrations/csv.hpp"

namespace pqrflow::integrations {

// The raw topic a mapping feeds (--topic pqr|visits|billing).
enum class RawTopic : std::uint8_t { kPqr, kVisits, kBilling };
std::optional<RawTopic> raw_topic_from_name(std::string_view name);
std::string_view name_of(RawTopic t);  // "pqr", "visits", "billing"
// The raw topic an event type belongs on ("pqr.filed" → kPqr); nullopt when unknown.
std::optional<RawTopic> raw_topic_of_type(std::string_view type);

// A column by header name or by 1-based number.
struct ColumnRef {
  std::string name;  // empty when by number
  int number = 0;    // 1-based; 0 when by name
  std::string label() const;
};

// How a value is read from the row.
struct ValueSpec {
  std::vector<ColumnRef> columns;  // one, or several joined with `join` (date + time)
  std::string join = " ";
  std::optional<std::string> constant;  // `value:` instead of columns
  // Label → value, keys normalised (normalize_label). A miss passes the cell through.
  std::map<std::string, std::string> values;
  std::vector<std::string> empty;            // normalised cells that mean "absent" (besides blank)
  std::vector<std::string> formats;          // dates and periods: overrides the mapping's formats
  std::optional<std::string> default_value;  // used when the cell is empty
  int line = 0;
};

// Kinds of contract fields, which decide how a cell is read.
enum class FieldKind : std::uint8_t { kText, kEnum, kTimestamp, kAmount, kFlag, kPeriod };
// The kind of a contract field name, nullopt when the contract has no such field.
std::optional<FieldKind> field_kind(std::string_view field);

struct FieldSpec {
  std::string field;  // contract field: "ticket_id", "amounts.acueducto", …
  FieldKind kind = FieldKind::kText;
  ValueSpec value;
};

// One event a row may produce.
struct EventSpec {
  ValueSpec type;                      // a constant type, or a column with `values`
  std::vector<std::string> skip;       // normalised type cells whose rows are skipped
  std::vector<ColumnRef> when;         // produce only when all these cells are non-empty
  std::vector<FieldSpec> fields;       // mapping-wide `constants` merged in
  std::vector<std::string> id_fields;  // fields hashed into event ids (empty: all)
  int line = 0;
};

struct Mapping {
  std::string name;  // prefix of generated event ids
  std::optional<RawTopic> topic;
  Encoding encoding = Encoding::kUtf8;
  CsvDialect dialect;
  bool header = true;
  int skip_lines = 0;  // lines before the header (report titles)
  std::vector<std::string> date_formats = {"iso"};
  int utc_offset_minutes = -300;  // America/Bogota
  NumberFormat numbers;
  std::vector<std::string> empty_values;  // normalised cells meaning "absent", everywhere
  std::vector<EventSpec> events;
};

struct MappingIssue {
  int line = 0;  // 1-based; 0 when not tied to a line
  std::string message;
};

struct MappingLoad {
  std::optional<Mapping> mapping;  // set when there is no issue
  std::vector<MappingIssue> issues;
};

MappingLoad load_mapping(std::string_view yaml_text);

}  // namespace pqrflow::integrations
