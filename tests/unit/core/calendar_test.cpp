// Hand-checked holidays and due dates (domain.md "Calendar").
#include "core/calendar.hpp"

#include <gtest/gtest.h>

#include "support/builders.hpp"

namespace pqrflow::core {
namespace {

using testing::day;

std::vector<std::string> holiday_strings(int year) {
  std::vector<std::string> out;
  for (Date d : holidays(year)) out.push_back(format_date(d));
  return out;
}

TEST(Calendar, EasterSundays) {
  EXPECT_EQ(format_date(easter_sunday(2024)), "2024-03-31");
  EXPECT_EQ(format_date(easter_sunday(2025)), "2025-04-20");
  EXPECT_EQ(format_date(easter_sunday(2000)), "2000-04-23");
  EXPECT_EQ(format_date(easter_sunday(1984)), "1984-04-22");
}

TEST(Calendar, Holidays2024MatchTheCheckedList) {
  EXPECT_EQ(
      holiday_strings(2024),
      (std::vector<std::string>{
          "2024-01-01", "2024-01-08", "2024-03-25", "2024-03-28", "2024-03-29", "2024-05-01",
          "2024-05-13", "2024-06-03", "2024-06-10", "2024-07-01", "2024-07-20", "2024-08-07",
          "2024-08-19", "2024-10-14", "2024-11-04", "2024-11-11", "2024-12-08", "2024-12-25"}));
}

TEST(Calendar, Holidays2025IncludeTheDoubleHolidayOnce) {
  // Easter 2025-04-20: Holy Thursday 04-17, Good Friday 04-18, Ascension 06-02,
  // Corpus Christi 06-23, Sacred Heart 06-30 = San Pedro y San Pablo (Jun 29 → Monday 30).
  EXPECT_EQ(holiday_strings(2025),
            (std::vector<std::string>{
                "2025-01-01", "2025-01-06", "2025-03-24", "2025-04-17", "2025-04-18", "2025-05-01",
                "2025-06-02", "2025-06-23", "2025-06-30", "2025-07-20", "2025-08-07", "2025-08-18",
                "2025-10-13", "2025-11-03", "2025-11-17", "2025-12-08", "2025-12-25"}));
}

TEST(Calendar, MovedHolidayAlreadyOnMondayStays) {
  // 2024-03-25 is Monday (San José moved from Tuesday 19); 2019-08-19 Monday: Assumption moved
  // from Thursday 15. 2022-01-10: Reyes moved from Thursday 6. 2021-03-22: from Friday 19.
  EXPECT_TRUE(is_holiday(day("2024-03-25")));
  EXPECT_FALSE(is_holiday(day("2024-03-19")));
  EXPECT_TRUE(is_holiday(day("2019-08-19")));
  EXPECT_TRUE(is_holiday(day("2022-01-10")));
  EXPECT_TRUE(is_holiday(day("2021-03-22")));
  // 2018-03-19 was itself a Monday: observed on the day.
  EXPECT_TRUE(is_holiday(day("2018-03-19")));
  EXPECT_FALSE(is_holiday(day("2018-03-26")));
}

TEST(Calendar, BusinessDays) {
  EXPECT_TRUE(is_business_day(day("2024-03-19")));   // Tuesday
  EXPECT_FALSE(is_business_day(day("2024-03-23")));  // Saturday
  EXPECT_FALSE(is_business_day(day("2024-03-24")));  // Sunday
  EXPECT_FALSE(is_business_day(day("2024-03-28")));  // Holy Thursday
  EXPECT_EQ(business_days_between(day("2024-03-19"), day("2024-04-12")), 15);
  EXPECT_EQ(business_days_between(day("2024-04-12"), day("2024-03-19")), -15);
}

TEST(Calendar, DueDatesFromDomain) {
  EXPECT_EQ(format_date(*due_date(day("2024-03-19"), 15)), "2024-04-12");
  EXPECT_EQ(format_date(*due_date(day("2024-12-20"), 15)), "2025-01-15");
}

TEST(Calendar, DueDateCountsFromTheDayAfterFiling) {
  // Filed on a Saturday: the first business day counted is Monday.
  EXPECT_EQ(format_date(*due_date(day("2024-03-16"), 1)), "2024-03-18");
  // Filed on a Friday: 1 business day later is Monday.
  EXPECT_EQ(format_date(*due_date(day("2024-03-15"), 1)), "2024-03-18");
  // Filed on Holy Wednesday 2024-03-27: Thursday and Friday are holidays.
  EXPECT_EQ(format_date(*due_date(day("2024-03-27"), 1)), "2024-04-01");
  // Ley 1755 term of 10 days.
  EXPECT_EQ(format_date(*due_date(day("2024-03-19"), 10)), "2024-04-05");
}

TEST(Calendar, RangeEdges) {
  EXPECT_TRUE(calendar_supports(day("1984-01-01")));
  EXPECT_TRUE(calendar_supports(day("2200-12-31")));
  EXPECT_FALSE(calendar_supports(day("1983-12-31")));
  EXPECT_FALSE(calendar_supports(day("2201-01-01")));
  // Tickets filed on the last supported day still get a due date.
  EXPECT_TRUE(due_date(day("2200-12-31"), 15).has_value());
  EXPECT_FALSE(due_date(day("1983-12-31"), 15).has_value());
}

}  // namespace
}  // namespace pqrflow::core
