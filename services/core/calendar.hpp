// The Colombian business-day calendar: national holidays (Ley 51 de 1983 and the
// Easter cycle), business days (Monday–Friday that are not holidays) and the legal
// due date of a PQR (N business days counted from the day after filing).
//
//   due_date(2024-03-19, 15) == 2024-04-12   // Holy Week and the moved San José
//   due_date(2024-12-20, 15) == 2025-01-15   // Christmas, New Year, Reyes on Jan 6
//
// Supported years: kFirstYear..kLastYear; one year beyond is tabulated so due dates
// of tickets filed at the very end still resolve.
#pragma once

#include <optional>
#include <vector>

#include "core/time.hpp"

namespace pqrflow::core {

inline constexpr int kFirstYear = 1984;
inline constexpr int kLastYear = 2200;

// Easter Sunday of a Gregorian year (anonymous Gregorian computus).
Date easter_sunday(int year);

// The distinct national holidays of a year, ascending (2025-06-30 appears once).
std::vector<Date> holidays(int year);

// True when d is a national holiday. d must lie within kFirstYear..kLastYear+1.
bool is_holiday(Date d);

// Monday–Friday and not a holiday. d must lie within kFirstYear..kLastYear+1.
bool is_business_day(Date d);

// The n-th business day strictly after d (n >= 1). nullopt past the table's end.
std::optional<Date> add_business_days(Date d, int n);

// Legal due date of a PQR filed on local date `filed`, with a term of `term_days`
// business days counted from the day after filing.
inline std::optional<Date> due_date(Date filed, int term_days) {
  return add_business_days(filed, term_days);
}

// Number of business days in the half-open range (from, to]; negative when to < from.
int business_days_between(Date from, Date to);

// True when d is within the years the calendar supports (kFirstYear..kLastYear).
bool calendar_supports(Date d);

}  // namespace pqrflow::core
