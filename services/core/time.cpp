#include "core/time.hpp"

#include <array>
#include <cstdio>

namespace pqrflow::core {
namespace {

bool fail(std::string* why, const char* reason) {
  if (why != nullptr) *why = reason;
  return false;
}

// Reads exactly n ASCII digits at text[pos..pos+n) into *out. Always inlined: every call
// has a constant n, so each unrolls (a bill.issued decode 5,123 → 5,008 instructions).
[[gnu::always_inline]] inline bool digits(std::string_view text, std::size_t pos, std::size_t n,
                                          int* out) {
  if (pos + n > text.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

bool parse_ymd(std::string_view text, Ymd* out) {
  int y = 0, m = 0, d = 0;
  if (text.size() < 10 || !digits(text, 0, 4, &y) || text[4] != '-' || !digits(text, 5, 2, &m) ||
      text[7] != '-' || !digits(text, 8, 2, &d)) {
    return false;
  }
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return false;
  *out = Ymd{y, m, d};
  return true;
}

}  // namespace

std::optional<Instant> parse_rfc3339(std::string_view text, std::string* why) {
  Ymd date{};
  int y = 0, mo = 0, d = 0;
  if (text.size() < 19 || !digits(text, 0, 4, &y) || text[4] != '-' || !digits(text, 5, 2, &mo) ||
      text[7] != '-' || !digits(text, 8, 2, &d)) {
    fail(why, "expected YYYY-MM-DDThh:mm:ss followed by Z or an offset ±hh:mm");
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) {
    fail(why, "not a real calendar date");
    return std::nullopt;
  }
  date = Ymd{y, mo, d};
  const char sep = text[10];
  int hh = 0, mm = 0, ss = 0;
  if ((sep != 'T' && sep != 't') || !digits(text, 11, 2, &hh) || text[13] != ':' ||
      !digits(text, 14, 2, &mm) || text[16] != ':' || !digits(text, 17, 2, &ss)) {
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
    if (!digits(text, pos + 1, 2, &oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !digits(text, pos + 4, 2, &om)) {
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
  if (text.size() != 7 || !digits(text, 0, 4, &y) || text[4] != '-' || !digits(text, 5, 2, &m) ||
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
