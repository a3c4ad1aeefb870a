// Instants, civil dates and months in America/Bogota (UTC−5, no daylight saving).
//
// Every indicator is computed by event time in local Bogota time: an instant's
// *local date* decides its day and month. For example 2024-03-01T02:00:00Z is
// 2024-02-29T21:00:00-05:00, so it belongs to February.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pqrflow::core {

// Microseconds since 1970-01-01T00:00:00Z.
struct Instant {
  std::int64_t us = 0;
  friend constexpr auto operator<=>(Instant, Instant) = default;
};

inline constexpr std::int64_t kMicrosPerSecond = 1'000'000;
inline constexpr std::int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;
// Bogota's fixed offset from UTC.
inline constexpr std::int64_t kBogotaOffsetMicros = -5 * 3'600 * kMicrosPerSecond;

// A civil (proleptic Gregorian) date as days since 1970-01-01.
struct Date {
  std::int32_t days = 0;
  friend constexpr auto operator<=>(Date, Date) = default;
};

struct Ymd {
  int year;
  int month;  // 1..12
  int day;    // 1..31
  friend constexpr bool operator==(const Ymd&, const Ymd&) = default;
};

// A calendar month as year*12 + (month-1); consecutive months differ by one.
struct YearMonth {
  std::int32_t index = 0;
  static constexpr YearMonth of(int year, int month) { return {year * 12 + (month - 1)}; }
  constexpr int year() const { return index / 12; }
  constexpr int month() const { return index % 12 + 1; }
  friend constexpr auto operator<=>(YearMonth, YearMonth) = default;
};

// Howard Hinnant's days_from_civil / civil_from_days (exact for all int32 years used here).
constexpr Date date_of(int y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = static_cast<unsigned>((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1);
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return Date{era * 146097 + static_cast<int>(doe) - 719468};
}

constexpr Ymd ymd_of(Date date) {
  const int z = date.days + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Ymd{y + (m <= 2 ? 1 : 0), static_cast<int>(m), static_cast<int>(d)};
}

constexpr bool is_leap_year(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

constexpr int days_in_month(int y, int m) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap_year(y) ? 29 : kDays[m - 1];
}

// 0 = Monday … 6 = Sunday.
constexpr int weekday_of(Date date) {
  // 1970-01-01 was a Thursday (3).
  const int w = (date.days + 3) % 7;
  return w < 0 ? w + 7 : w;
}

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// The local (Bogota) date of an instant.
constexpr Date local_date(Instant t) {
  return Date{static_cast<std::int32_t>(floor_div(t.us + kBogotaOffsetMicros, kMicrosPerDay))};
}

constexpr YearMonth year_month_of(Date d) {
  const Ymd c = ymd_of(d);
  return YearMonth::of(c.year, c.month);
}

// The local month an instant belongs to.
constexpr YearMonth local_month(Instant t) {
  return year_month_of(local_date(t));
}

// First instant of a local date (00:00:00-05:00).
constexpr Instant local_midnight(Date d) {
  return Instant{static_cast<std::int64_t>(d.days) * kMicrosPerDay - kBogotaOffsetMicros};
}

// Last instant (last microsecond) of a local month.
constexpr Instant end_of_month(YearMonth m) {
  const YearMonth next{m.index + 1};
  return Instant{local_midnight(date_of(next.year(), next.month(), 1)).us - 1};
}

// Parses RFC 3339 "YYYY-MM-DDThh:mm:ss[.frac](Z|±hh:mm)". The offset is required;
// 'T' or 't' separates date and time (a space is not RFC 3339's grammar); 'Z'/'z' mean UTC.
// Fractions keep microseconds (further digits are truncated). Rejects impossible dates and times
// (Feb 30, 24:00, second 60). On failure returns nullopt and writes a short reason to *why.
std::optional<Instant> parse_rfc3339(std::string_view text, std::string* why = nullptr);

// Parses "YYYY-MM-DD".
std::optional<Date> parse_date(std::string_view text);

// Parses "YYYY-MM" (month 01..12).
std::optional<YearMonth> parse_year_month(std::string_view text);

// "2024-03-31T23:59:59-05:00" (fraction printed only when non-zero, trailing zeros trimmed).
std::string format_local(Instant t);
// "2024-03-19".
std::string format_date(Date d);
// "2024-03".
std::string format_year_month(YearMonth m);

}  // namespace pqrflow::core
