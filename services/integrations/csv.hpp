// Reading spreadsheet exports: text encodings and an RFC 4180 CSV parser that keeps the
// line number of every record, so a rejected row can be found in the file.
//
//   std::string text = to_utf8(bytes, Encoding::kWindows1252, &error);  // Excel's "CSV"
//   CsvParser p(text, CsvDialect{.delimiter = ';'});
//   CsvRecord r;
//   while (p.next(&r)) { if (!r.error.empty()) …; use r.line, r.fields }
//
// Quoted fields may hold delimiters, doubled quotes ("") and line breaks; the record's
// `line` is the line it starts on and the next record's line counts the breaks inside
// quotes. A UTF-8 byte order mark is skipped; CRLF, LF and a missing final break are
// all accepted. Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pqrflow::integrations {

enum class Encoding : std::uint8_t {
  kUtf8,         // must be valid UTF-8 (a BOM is allowed)
  kWindows1252,  // Excel's "CSV" on a Spanish Windows; a superset of Latin-1's printables
  kLatin1,       // ISO-8859-1: every byte is the code point of the same value
};

// "utf-8", "utf8", "latin1", "latin-1", "iso-8859-1", "windows-1252", "cp1252".
std::optional<Encoding> encoding_from_name(std::string_view name);

// Converts the whole input to UTF-8. For kUtf8 validates it; on invalid UTF-8 returns
// nullopt and sets *error naming the line and hinting at `encoding: windows-1252`.
std::optional<std::string> to_utf8(std::string_view bytes, Encoding encoding, std::string* error);

struct CsvDialect {
  char delimiter = ',';
  char quote = '"';
};

struct CsvRecord {
  std::int64_t line = 0;  // 1-based line the record starts on
  std::vector<std::string> fields;
  // Non-empty when the record is malformed (an unterminated quote, text after a
  // closing quote); fields then hold what could be read.
  std::string error;
};

class CsvParser {
 public:
  // `text` must outlive the parser. A leading UTF-8 BOM is skipped.
  CsvParser(std::string_view text, CsvDialect dialect);

  // Reads the next record; false at the end of the text. Blank lines are records with
  // one empty field (callers usually skip them).
  bool next(CsvRecord* out);

  // Bytes consumed so far (for progress).
  std::size_t position() const { return pos_; }
  std::size_t size() const { return text_.size(); }

 private:
  std::string_view text_;
  CsvDialect dialect_;
  std::size_t pos_ = 0;
  std::int64_t line_ = 1;
};

// True when every field is empty or spaces (a blank line or a row of only delimiters).
bool is_blank(const CsvRecord& r);

}  // namespace pqrflow::integrations
