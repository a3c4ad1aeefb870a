// A spreadsheet export turned into raw contract records (design.md §4), row by row:
// decode the file's encoding, parse the CSV, read each row through the mapping
// (mapping.hpp), give each event a stable id, and validate it with the same decoder
// ingest uses, so what is produced is exactly what ingest accepts.
//
//   CsvImport imp(mapping);
//   if (!imp.open(bytes, &error)) …                     // encoding, header, columns
//   std::vector<ImportItem> items;
//   while (imp.next_row(&items))
//     for (auto& i : items) i.outcome == ImportItem::kRecord ? produce(i.key, i.json) : report(i);
//
// Event ids are "<mapping name>-<32 hex>": SHA-256 (first 128 bits) over the mapping name, the
// event type and the converted field values (or only `id_fields`), never the line number — so
// re-importing the same export, or a re-export with rows in another order, gives the same
// ids and changes nothing downstream. Pure: no I/O.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/contract.hpp"
#include "integrations/mapping.hpp"

namespace pqrflow::integrations {

struct ImportItem {
  enum Outcome : std::uint8_t {
    kRecord,    // a valid raw record: json, key, event_id
    kRejected,  // not produced: reason, detail
    kSkipped,   // the row's type cell is in the mapping's `skip` list
  };
  Outcome outcome = kRecord;
  std::int64_t line = 0;  // line of the CSV file the row starts on
  std::string type;       // event type, when known
  std::string event_id;
  std::string json;    // kRecord: the raw JSON record
  std::string key;     // kRecord: Kafka key (ticket_id, visit_id, turn_id or subscriber_id)
  std::string reason;  // kRejected: a contract reason code (contract.hpp) or invalid_csv
  std::string detail;  // kRejected: field, value and column
};

struct ImportCounts {
  std::int64_t rows = 0;        // data rows read (blank rows excluded)
  std::int64_t blank_rows = 0;  // rows of only empty cells, ignored
  std::int64_t records = 0;     // valid records
  std::int64_t rejected = 0;    // rejected records (a row may have several)
  std::int64_t skipped = 0;     // events skipped by `skip`
  std::map<std::string, std::int64_t> by_reason;
};

class CsvImport {
 public:
  explicit CsvImport(Mapping mapping);
  ~CsvImport();
  CsvImport(const CsvImport&) = delete;
  CsvImport& operator=(const CsvImport&) = delete;

  // Decodes the file and reads its header. false with *error on a problem that stops
  // the whole file: bad encoding, no header, a mapped column missing from the header.
  bool open(std::string_view bytes, std::string* error);

  // Converts the next data row into *out (cleared first; empty for a blank row or when
  // every event's `when` is unmet). false after the last row.
  bool next_row(std::vector<ImportItem>* out);

  // The cells of the row last read by next_row() (for reject reports).
  const std::vector<std::string>& current_fields() const;

  // Share of the file read, 0..1.
  double progress() const;
  const ImportCounts& counts() const { return counts_; }
  const Mapping& mapping() const { return mapping_; }

 private:
  struct Impl;
  Mapping mapping_;
  std::unique_ptr<Impl> impl_;
  ImportCounts counts_;
};

}  // namespace pqrflow::integrations
