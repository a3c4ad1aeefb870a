#include "integrations/cell_values.hpp"

#include <array>
#include <cstdio>

#include "core/time.hpp"

namespace pqrflow::integrations {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

struct Fields {
  int year = -1, month = -1, day = -1;
  int hour = 0, minute = 0, second = 0;
  int micros = 0;
  int pm = -1;  // -1 none, 0 am, 1 pm
  bool hour12 = false;
  std::optional<int> offset_minutes;
};

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  bool done() const { return i_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  void skip() { ++i_; }
  std::size_t pos() const { return i_; }
  void seek(std::size_t p) { i_ = p; }
  std::string_view rest() const { return s_.substr(i_); }

  // min..max digits.
  bool number(std::size_t min, std::size_t max, int* out) {
    std::size_t n = 0;
    int v = 0;
    while (n < max && !done() && is_digit(peek())) {
      v = v * 10 + (peek() - '0');
      ++n;
      skip();
    }
    *out = v;
    return n >= min;
  }
  bool spaces() {
    std::size_t n = 0;
    while (!done() && (peek() == ' ' || peek() == '\t')) {
      skip();
      ++n;
    }
    return n > 0;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

// "a. m.", "a.m.", "am", "AM", "p. m.", … → 0 / 1.
bool meridiem(Scanner& in, int* out) {
  const char c = lower(in.peek());
  if (c != 'a' && c != 'p') return false;
  in.skip();
  const std::size_t save = in.pos();
  if (in.peek() == '.') in.skip();
  in.spaces();
  if (lower(in.peek()) != 'm') {
    in.seek(save);
    return false;
  }
  in.skip();
  if (in.peek() == '.') in.skip();
  *out = c == 'p' ? 1 : 0;
  return true;
}

bool offset(Scanner& in, std::optional<int>* out) {
  const char c = in.peek();
  if (c == 'Z' || c == 'z') {
    in.skip();
    *out = 0;
    return true;
  }
  if (c != '+' && c != '-') return false;
  in.skip();
  int h = 0, m = 0;
  if (!in.number(2, 2, &h)) return false;
  if (in.peek() == ':') in.skip();
  if (!in.number(2, 2, &m) || h > 23 || m > 59) return false;
  *out = (c == '-' ? -1 : 1) * (h * 60 + m);
  return true;
}

bool match(std::string_view text, std::string_view format, Fields* f) {
  Scanner in(text);
  for (std::size_t i = 0; i < format.size(); ++i) {
    const char fc = format[i];
    if (fc == ' ') {
      if (!in.spaces()) return false;
      while (i + 1 < format.size() && format[i + 1] == ' ') ++i;
      continue;
    }
    if (fc != '%' || i + 1 == format.size()) {
      if (in.peek() != fc) return false;
      in.skip();
      continue;
    }
    const char spec = format[++i];
    bool ok = true;
    switch (spec) {
      case 'd':
        ok = in.number(1, 2, &f->day);
        break;
      case 'm':
        ok = in.number(1, 2, &f->month);
        break;
      case 'Y':
        ok = in.number(4, 4, &f->year);
        break;
      case 'y':
        ok = in.number(2, 2, &f->year);
        f->year += 2000;
        break;
      case 'H':
        ok = in.number(1, 2, &f->hour);
        break;
      case 'I':
        ok = in.number(1, 2, &f->hour);
        f->hour12 = true;
        break;
      case 'M':
        ok = in.number(2, 2, &f->minute);
        break;
      case 'S': {
        ok = in.number(2, 2, &f->second);
        if (ok && (in.peek() == '.' || in.peek() == ',')) {
          const std::size_t save = in.pos();
          in.skip();
          int digits = 0, value = 0;
          while (!in.done() && is_digit(in.peek())) {
            if (digits < 6) value = value * 10 + (in.peek() - '0');
            ++digits;
            in.skip();
          }
          if (digits == 0) {
            in.seek(save);
          } else {
            for (int k = digits; k < 6; ++k) value *= 10;
            f->micros = value;
          }
        }
        break;
      }
      case 'p':
        ok = meridiem(in, &f->pm);
        break;
      case 'z':
        ok = offset(in, &f->offset_minutes);
        break;
      case '%':
        ok = in.peek() == '%';
        if (ok) in.skip();
        break;
      default:
        return false;
    }
    if (!ok) return false;
  }
  return in.done();
}

bool complete(Fields* f) {
  if (f->pm >= 0 || f->hour12) {
    if (f->hour12 && (f->hour < 1 || f->hour > 12)) return false;
    if (f->pm == 1 && f->hour < 12) f->hour += 12;
    if (f->pm == 0 && f->hour == 12) f->hour = 0;
  }
  if (f->year < 1 || f->month < 1 || f->month > 12) return false;
  if (f->day < 1 || f->day > core::days_in_month(f->year, f->month)) return false;
  return f->hour < 24 && f->minute < 60 && f->second < 60;
}

const std::vector<std::string>& iso_formats() {
  static const std::vector<std::string> k = {
      "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z",  "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%dT%H:%M:%S",
      "%Y-%m-%dT%H:%M",      "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",      "%Y-%m-%d"};
  return k;
}

// Tries every format ("iso" expands); the first complete match wins.
std::optional<Fields> parse_fields(std::string_view text, const std::vector<std::string>& formats,
                                   bool need_day, std::string* why) {
  const std::string_view t = trim(text);
  std::string tried;
  const auto attempt = [&](const std::string& format) -> std::optional<Fields> {
    Fields f;
    if (!need_day) f.day = 1;
    if (match(t, format, &f) && complete(&f)) return f;
    if (!tried.empty()) tried += ", ";
    tried += format;
    return std::nullopt;
  };
  for (const std::string& format : formats) {
    if (format == "iso") {
      for (const std::string& iso : iso_formats()) {
        if (auto f = attempt(iso)) return f;
      }
      continue;
    }
    if (auto f = attempt(format)) return f;
  }
  if (why != nullptr) *why = "'" + std::string(t) + "' is not a valid date in the formats " + tried;
  return std::nullopt;
}

void two(std::string* out, int v) {
  out->push_back(static_cast<char>('0' + v / 10));
  out->push_back(static_cast<char>('0' + v % 10));
}

}  // namespace

std::string_view trim(std::string_view text) {
  for (;;) {
    if (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
      text.remove_prefix(1);
    } else if (text.substr(0, 2) == "\xC2\xA0") {
      text.remove_prefix(2);
    } else {
      break;
    }
  }
  for (;;) {
    if (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
      text.remove_suffix(1);
    } else if (text.size() >= 2 && text.substr(text.size() - 2) == "\xC2\xA0") {
      text.remove_suffix(2);
    } else {
      break;
    }
  }
  return text;
}

std::optional<std::string> parse_datetime(std::string_view text,
                                          const std::vector<std::string>& formats,
                                          int utc_offset_minutes, std::string* why) {
  const std::optional<Fields> f = parse_fields(text, formats, true, why);
  if (!f) return std::nullopt;
  std::string out;
  out.reserve(32);
  out += std::to_string(f->year);
  while (out.size() < 4) out.insert(out.begin(), '0');
  out += '-';
  two(&out, f->month);
  out += '-';
  two(&out, f->day);
  out += 'T';
  two(&out, f->hour);
  out += ':';
  two(&out, f->minute);
  out += ':';
  two(&out, f->second);
  if (f->micros != 0) {
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%06d", f->micros);
    out += frac;
  }
  const int off = f->offset_minutes.value_or(utc_offset_minutes);
  out += off < 0 ? '-' : '+';
  two(&out, (off < 0 ? -off : off) / 60);
  out += ':';
  two(&out, (off < 0 ? -off : off) % 60);
  return out;
}

std::optional<std::string> parse_period(std::string_view text,
                                        const std::vector<std::string>& formats, std::string* why) {
  const std::optional<Fields> f = parse_fields(text, formats, false, why);
  if (!f) {
    if (why != nullptr) {
      if (const auto at = why->find("a valid date"); at != std::string::npos)
        why->replace(at, 12, "a valid month");
    }
    return std::nullopt;
  }
  std::string out = std::to_string(f->year);
  out += '-';
  two(&out, f->month);
  return out;
}

std::optional<std::string> parse_money(std::string_view text, const NumberFormat& format,
                                       std::string* why) {
  std::string_view t = trim(text);
  bool negative = false;
  if (t.size() >= 2 && t.front() == '(' && t.back() == ')') {
    negative = true;
    t = trim(t.substr(1, t.size() - 2));
  }
  if (!t.empty() && t.front() == '-') {
    negative = !negative;
    t = trim(t.substr(1));
  }
  if (!t.empty() && t.front() == '$') t = trim(t.substr(1));
  if (!t.empty() && t.front() == '-') {  // "$ -1.000"
    negative = !negative;
    t = trim(t.substr(1));
  }
  std::string digits;
  bool seen_decimal = false, any_digit = false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (is_digit(c)) {
      digits.push_back(c);
      any_digit = true;
    } else if (c == format.decimal && !seen_decimal) {
      seen_decimal = true;
      digits.push_back('.');
    } else if (!seen_decimal && format.thousands.find(c) != std::string::npos && c != ' ') {
      // a thousands separator: dropped
    } else if (!seen_decimal && format.thousands.find(' ') != std::string::npos &&
               (c == ' ' || (t.substr(i, 2) == "\xC2\xA0" && ++i))) {
      // a space (or no-break space) as thousands separator
    } else {
      if (why != nullptr) {
        *why = "'" + std::string(trim(text)) + "' is not an amount with decimal separator '" +
               std::string(1, format.decimal) + "'" +
               (format.thousands.empty() ? std::string(" and no thousands separator")
                                         : " and thousands separator '" + format.thousands + "'");
      }
      return std::nullopt;
    }
  }
  if (!any_digit || digits.back() == '.') {
    if (why != nullptr) *why = "'" + std::string(trim(text)) + "' is not an amount";
    return std::nullopt;
  }
  if (digits.front() == '.') digits.insert(digits.begin(), '0');
  return negative ? "-" + digits : digits;
}

std::optional<bool> parse_flag(std::string_view text) {
  const std::string v = normalize_label(text);
  static constexpr std::array<std::string_view, 9> kTrue = {"si", "s", "yes",       "y", "true",
                                                            "1",  "x", "verdadero", "v"};
  static constexpr std::array<std::string_view, 5> kFalse = {"no", "n", "false", "0", "falso"};
  for (const auto t : kTrue) {
    if (v == t) return true;
  }
  for (const auto f : kFalse) {
    if (v == f) return false;
  }
  return std::nullopt;
}

std::string normalize_label(std::string_view text) {
  // Two-byte UTF-8 Latin-1 supplement letters used in Spanish, and their base letters.
  static constexpr std::array<std::pair<std::string_view, char>, 24> kFold = {{
      {"\xC3\xA1", 'a'}, {"\xC3\xA9", 'e'}, {"\xC3\xAD", 'i'}, {"\xC3\xB3", 'o'}, {"\xC3\xBA", 'u'},
      {"\xC3\xBC", 'u'}, {"\xC3\xB1", 'n'}, {"\xC3\x81", 'a'}, {"\xC3\x89", 'e'}, {"\xC3\x8D", 'i'},
      {"\xC3\x93", 'o'}, {"\xC3\x9A", 'u'}, {"\xC3\x9C", 'u'}, {"\xC3\x91", 'n'}, {"\xC3\xA0", 'a'},
      {"\xC3\xA8", 'e'}, {"\xC3\xAC", 'i'}, {"\xC3\xB2", 'o'}, {"\xC3\xB9", 'u'}, {"\xC3\x80", 'a'},
      {"\xC3\x88", 'e'}, {"\xC3\x8C", 'i'}, {"\xC3\x92", 'o'}, {"\xC3\x99", 'u'},
  }};
  const std::string_view t = trim(text);
  std::string out;
  out.reserve(t.size());
  bool space = false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (c == ' ' || c == '_' || c == '-' || c == '\t') {
      space = true;
      continue;
    }
    if (static_cast<unsigned char>(c) == 0xC3 && i + 1 < t.size()) {
      for (const auto& [utf8, base] : kFold) {
        if (t.substr(i, 2) == utf8) {
          c = base;
          ++i;
          break;
        }
      }
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    if (static_cast<unsigned char>(t[i]) == 0xC3 && c == t[i]) {
      out.push_back(c);  // an unfolded multi-byte letter: kept as is
      continue;
    }
    out.push_back(lower(c));
  }
  return out;
}

}  // namespace pqrflow::integrations
