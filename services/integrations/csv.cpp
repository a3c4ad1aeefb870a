#include "integrations/csv.hpp"

#include <array>

namespace pqrflow::integrations {
namespace {

// Windows-1252 0x80..0x9F (0 = undefined in the code page: kept as the C1 control,
// which is what Windows itself does when converting).
constexpr std::array<char16_t, 32> kCp1252High = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

void append_utf8(std::string* out, char32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Length of the valid UTF-8 sequence at text[i], or 0 when it is not valid.
std::size_t utf8_sequence(std::string_view text, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  char32_t min = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  char32_t cp = c & (0x7F >> n);
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

std::optional<Encoding> encoding_from_name(std::string_view name) {
  std::string n;
  for (const char c : name) {
    if (c != '-' && c != '_' && c != ' ')
      n.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
  }
  if (n == "utf8") return Encoding::kUtf8;
  if (n == "latin1" || n == "iso88591") return Encoding::kLatin1;
  if (n == "windows1252" || n == "cp1252") return Encoding::kWindows1252;
  return std::nullopt;
}

std::optional<std::string> to_utf8(std::string_view bytes, Encoding encoding, std::string* error) {
  if (encoding == Encoding::kUtf8) {
    std::int64_t line = 1;
    for (std::size_t i = 0; i < bytes.size();) {
      const std::size_t n = utf8_sequence(bytes, i);
      if (n == 0) {
        *error = "line " + std::to_string(line) + ": the file is not valid UTF-8 (byte " +
                 std::to_string(i + 1) +
                 "); spreadsheet exports are often Windows-1252: set `encoding: windows-1252` "
                 "in the mapping";
        return std::nullopt;
      }
      if (bytes[i] == '\n') ++line;
      i += n;
    }
    return std::string(bytes);
  }
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8);
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    char32_t cp = c;
    if (encoding == Encoding::kWindows1252 && c >= 0x80 && c <= 0x9F && kCp1252High[c - 0x80] != 0)
      cp = kCp1252High[c - 0x80];
    append_utf8(&out, cp);
  }
  return out;
}

CsvParser::CsvParser(std::string_view text, CsvDialect dialect) : text_(text), dialect_(dialect) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

bool CsvParser::next(CsvRecord* out) {
  out->fields.clear();
  out->error.clear();
  if (pos_ >= text_.size()) return false;
  out->line = line_;
  const char delim = dialect_.delimiter;
  const char quote = dialect_.quote;
  std::string field;
  for (;;) {
    field.clear();
    if (pos_ < text_.size() && text_[pos_] == quote) {
      // Quoted field: everything up to the closing quote, "" standing for one quote.
      const std::int64_t opened_on = line_;
      ++pos_;
      bool closed = false;
      while (pos_ < text_.size()) {
        const char c = text_[pos_++];
        if (c == quote) {
          if (pos_ < text_.size() && text_[pos_] == quote) {
            field.push_back(quote);
            ++pos_;
            continue;
          }
          closed = true;
          break;
        }
        if (c == '\n') ++line_;
        field.push_back(c);
      }
      if (!closed) {
        out->error = "unterminated quoted field (opened on line " + std::to_string(opened_on) +
                     ", runs to the end of the file)";
      }
      // After the closing quote: a delimiter, a line break or the end. Anything else is
      // kept (so nothing is lost) but marks the record malformed.
      std::size_t stray = 0;
      while (pos_ < text_.size() && text_[pos_] != delim && text_[pos_] != '\n' &&
             !(text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n')) {
        if (text_[pos_] == '\r' && pos_ + 1 == text_.size()) break;
        field.push_back(text_[pos_++]);
        ++stray;
      }
      if (stray > 0 && out->error.empty()) {
        out->error = "text after the closing quote of field " +
                     std::to_string(out->fields.size() + 1) +
                     " (a quote inside a quoted field "
                     "must be doubled: \"\")";
      }
    } else {
      while (pos_ < text_.size()) {
        const char c = text_[pos_];
        if (c == delim || c == '\n') break;
        if (c == '\r' && (pos_ + 1 == text_.size() || text_[pos_ + 1] == '\n')) break;
        field.push_back(c);
        ++pos_;
      }
    }
    out->fields.push_back(field);
    if (pos_ >= text_.size()) break;
    const char c = text_[pos_];
    if (c == delim) {
      ++pos_;
      continue;
    }
    if (c == '\r') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\n') {
      ++pos_;
      ++line_;
    }
    break;  // end of the record
  }
  return true;
}

bool is_blank(const CsvRecord& r) {
  for (const std::string& f : r.fields) {
    if (f.find_first_not_of(" \t") != std::string::npos) return false;
  }
  return true;
}

}  // namespace pqrflow::integrations
