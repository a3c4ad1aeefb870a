#include "core/calendar.hpp"

#include <algorithm>
#include <cstdint>

namespace pqrflow::core {
namespace {

Date next_monday(Date d) {
  const int w = weekday_of(d);  // 0 = Monday
  return w == 0 ? d : Date{d.days + (7 - w)};
}

// Business-day table over kFirstYear-01-01 .. (kLastYear+1)-12-31: for each day the
// number of business days up to and including it, plus the list of business days.
struct Table {
  Date first{};
  Date last{};
  std::vector<std::int32_t> prefix;  // prefix[i] = business days in [first, first+i]
  std::vector<std::uint8_t> holiday;
  std::vector<Date> business;  // ascending

  Table() {
    first = date_of(kFirstYear, 1, 1);
    last = date_of(kLastYear + 1, 12, 31);
    const std::size_t n = static_cast<std::size_t>(last.days - first.days + 1);
    holiday.assign(n, 0);
    for (int y = kFirstYear; y <= kLastYear + 1; ++y) {
      for (Date h : holidays(y)) holiday[static_cast<std::size_t>(h.days - first.days)] = 1;
    }
    prefix.resize(n);
    std::int32_t count = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const Date d{first.days + static_cast<std::int32_t>(i)};
      if (weekday_of(d) < 5 && holiday[i] == 0) {
        ++count;
        business.push_back(d);
      }
      prefix[i] = count;
    }
  }

  bool covers(Date d) const { return d >= first && d <= last; }
  std::size_t at(Date d) const { return static_cast<std::size_t>(d.days - first.days); }
};

const Table& table() {
  static const Table kTable;
  return kTable;
}

}  // namespace

Date easter_sunday(int year) {
  const int a = year % 19;
  const int b = year / 100;
  const int c = year % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return date_of(year, month, day);
}

std::vector<Date> holidays(int year) {
  std::vector<Date> out;
  // Fixed dates.
  for (auto [m, d] : {std::pair{1, 1}, {5, 1}, {7, 20}, {8, 7}, {12, 8}, {12, 25}}) {
    out.push_back(date_of(year, m, d));
  }
  // Moved to the next Monday unless already a Monday (Ley 51 de 1983).
  for (auto [m, d] : {std::pair{1, 6}, {3, 19}, {6, 29}, {8, 15}, {10, 12}, {11, 1}, {11, 11}}) {
    out.push_back(next_monday(date_of(year, m, d)));
  }
  const Date easter = easter_sunday(year);
  out.push_back(Date{easter.days - 3});   // Holy Thursday
  out.push_back(Date{easter.days - 2});   // Good Friday
  out.push_back(Date{easter.days + 43});  // Ascension, observed Monday
  out.push_back(Date{easter.days + 64});  // Corpus Christi, observed Monday
  out.push_back(Date{easter.days + 71});  // Sacred Heart, observed Monday
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool is_holiday(Date d) {
  const Table& t = table();
  return t.covers(d) && t.holiday[t.at(d)] != 0;
}

bool is_business_day(Date d) {
  return weekday_of(d) < 5 && !is_holiday(d);
}

std::optional<Date> add_business_days(Date d, int n) {
  const Table& t = table();
  if (!t.covers(d) || n < 1) return std::nullopt;
  // prefix[at(d)] business days are <= d, so the n-th one after d has index prefix+n-1.
  const std::size_t index =
      static_cast<std::size_t>(t.prefix[t.at(d)]) + static_cast<std::size_t>(n) - 1;
  if (index >= t.business.size()) return std::nullopt;
  return t.business[index];
}

int business_days_between(Date from, Date to) {
  const Table& t = table();
  const Date a = std::clamp(from, t.first, t.last);
  const Date b = std::clamp(to, t.first, t.last);
  return t.prefix[t.at(b)] - t.prefix[t.at(a)];
}

bool calendar_supports(Date d) {
  return d >= date_of(kFirstYear, 1, 1) && d <= date_of(kLastYear, 12, 31);
}

}  // namespace pqrflow::core
