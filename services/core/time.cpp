#include "core/time.hpp"

#include <array>
#include <cstdio>

namespace pqrflow::core {
namespace {

bool fail(std::string* why, const char* reason) {
  if (why != nullptr) *why = reason;
  return false;
}

// The digit at text[i] as 0–9, or a value above 9 when it is not a digit (below '0'
// wraps around).
inline unsigned digit_at(std::string_view text, std::size_t i) {
  return static_cast<unsigned>(static_cast<unsigned char>(text[i])) - unsigned{'0'};
}

// Read exactly two / four ASCII digits at text[pos…] into *out. Straight-line code: a
// loop over n digits (-O2 does not unroll it) cost ~13 instructions a digit, and a
// timestamp has 16 (a bill.issued decode 4,598 → 4,526 instructions).
[[gnu::always_inline]] inline bool two_digits(std::string_view text, std::size_t pos, int* out) {
  if (pos + 2 > text.size()) return false;
  const unsigned a = digit_at(text, pos), b = digit_at(text, pos + 1);
  if ((a > 9) | (b > 9)) return false;
  *out = static_cast<int>(a * 10 + b);
  return true;
}
[[gnu::always_inline]] inline bool four_digits(std::string_view text, std::size_t pos, int* out) {
  if (pos + 4 > text.size()) return false;
  const unsigned a = digit_at(text, pos), b = digit_at(text, pos + 1), c = digit_at(text, pos + 2),
                 d = digit_at(text, pos + 3);
  if ((a > 9) | (b > 9) | (c > 9) | (d > 9)) return false;
  *out = static_cast<int>(a * 1000 + b * 100 + c * 10 + d);
  return true;
}

// The digits of a "YYYY-MM-DD" prefix of text (any values: a real date is checked apart).
[[gnu::always_inline]] inline bool ymd_digits(std::string_view text, Ymd* out) {
  return text.size() >= 10 && four_digits(text, 0, &out->year) && text[4] == '-' &&
         two_digits(text, 5, &out->month) && text[7] == '-' && two_digits(text, 8, &out->day);
}

inline bool is_real_date(const Ymd& d) {
  return d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= days_in_month(d.year, d.month);
}

bool parse_ymd(std::string_view text, Ymd* out) {
  Ymd d{};
  if (!ymd_digits(text, &d) || !is_real_date(d)) return false;
  *out = d;
  return true;
}

}  // namespace

std::optional<Instant> parse_rfc3339(std::string_view text, std::string* why) {
  Ymd date{};
  if (text.size() < 19 || !ymd_digits(text, &date)) {
    fail(why, "expected YYYY-MM-DDThh:mm:ss followed by Z or an offset ±hh:mm");
    return std::nullopt;
  }
  if (!is_real_date(date)) {
    fail(why, "not a real calendar date");
    return std::nullopt;
  }
  const char sep = text[10];
  int hh = 0, mm = 0, ss = 0;
  if ((sep != 'T' && sep != 't') || !two_digits(text, 11, &hh) || text[13] != ':' ||
      !two_digits(text, 14, &mm) || text[16] != ':' || !two_digits(text, 17, &ss)) {
    fail(why, "expected YYYY-MM-DDThh:mm:ss followed by Z or an offset ±hh:mm");
    return std::nullopt;
  }
  if (hh > 23 || mm > 59 || ss > 59) {
    fail(why, "not a real time of day");
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::int64_t frac_us = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    std::int64_t scale = 100'000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (scale > 0) {
        frac_us += (text[pos] - '0') * scale;
        scale /= 10;
      }
      ++pos;
    }
    if (pos == start || pos - start > 9) {
      fail(why, "fraction of a second must have 1 to 9 digits");
      return std::nullopt;
    }
  }
  if (pos >= text.size()) {
    fail(why, "missing offset: RFC 3339 needs Z or ±hh:mm");
    return std::nullopt;
  }
  std::int64_t offset_us = 0;
  const char z = text[pos];
  if (z == 'Z' || z == 'z') {
    ++pos;
  } else if (z == '+' || z == '-') {
    int oh = 0, om = 0;
    if (!two_digits(text, pos + 1, &oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !two_digits(text, pos + 4, &om)) {
      fail(why, "offset must be ±hh:mm");
      return std::nullopt;
    }
    if (oh > 23 || om > 59) {
      fail(why, "offset out of range");
      return std::nullopt;
    }
    offset_us = (static_cast<std::int64_t>(oh) * 3600 + om * 60) * kMicrosPerSecond;
    if (z == '-') offset_us = -offset_us;
    pos += 6;
  } else {
    fail(why, "missing offset: RFC 3339 needs Z or ±hh:mm");
    return std::nullopt;
  }
  if (pos != text.size()) {
    fail(why, "unexpected characters after the offset");
    return std::nullopt;
  }
  const Date day = date_of(date.year, date.month, date.day);
  const std::int64_t local_us =
      static_cast<std::int64_t>(day.days) * kMicrosPerDay +
      (static_cast<std::int64_t>(hh) * 3600 + mm * 60 + ss) * kMicrosPerSecond + frac_us;
  return Instant{local_us - offset_us};
}

std::optional<Date> parse_date(std::string_view text) {
  Ymd ymd{};
  if (text.size() != 10 || !parse_ymd(text, &ymd)) return std::nullopt;
  return date_of(ymd.year, ymd.month, ymd.day);
}

std::optional<YearMonth> parse_year_month(std::string_view text) {
  int y = 0, m = 0;
  if (text.size() != 7 || !four_digits(text, 0, &y) || text[4] != '-' || !two_digits(text, 5, &m) ||
      m < 1 || m > 12) {
    return std::nullopt;
  }
  return YearMonth::of(y, m);
}

std::string format_local(Instant t) {
  const std::int64_t local = t.us + kBogotaOffsetMicros;
  const Date day{static_cast<std::int32_t>(floor_div(local, kMicrosPerDay))};
  const std::int64_t in_day = local - static_cast<std::int64_t>(day.days) * kMicrosPerDay;
  const Ymd c = ymd_of(day);
  const std::int64_t secs = in_day / kMicrosPerSecond;
  const std::int64_t frac = in_day % kMicrosPerSecond;
  std::array<char, 48> buf{};
  int n = std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02dT%02d:%02d:%02d", c.year, c.month,
                        c.day, static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                        static_cast<int>(secs % 60));
  std::string out(buf.data(), static_cast<std::size_t>(n));
  if (frac != 0) {
    n = std::snprintf(buf.data(), buf.size(), ".%06d", static_cast<int>(frac));
    std::string f(buf.data(), static_cast<std::size_t>(n));
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  out += "-05:00";
  return out;
}

std::string format_date(Date d) {
  const Ymd c = ymd_of(d);
  std::array<char, 16> buf{};
  const int n = std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02d", c.year, c.month, c.day);
  return std::string(buf.data(), static_cast<std::size_t>(n));
}

std::string format_year_month(YearMonth m) {
  std::array<char, 16> buf{};
  const int n = std::snprintf(buf.data(), buf.size(), "%04d-%02d", m.year(), m.month());
  return std::string(buf.data(), static_cast<std::size_t>(n));
}

}  // namespace pqrflow::core
