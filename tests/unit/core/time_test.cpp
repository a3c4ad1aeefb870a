// RFC 3339 parsing and the America/Bogota local calendar.
#include "core/time.hpp"

#include <gtest/gtest.h>

namespace pqrflow::core {
namespace {

TEST(Time, ParsesOffsetsToTheSameInstant) {
  const auto a = parse_rfc3339("2024-03-19T10:00:00-05:00");
  const auto b = parse_rfc3339("2024-03-19T15:00:00Z");
  const auto c = parse_rfc3339("2024-03-19T20:30:00+05:30");
  const auto d = parse_rfc3339("2024-03-19t15:00:00z");
  ASSERT_TRUE(a && b && c && d);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*a, *c);
  EXPECT_EQ(*a, *d);
  EXPECT_EQ(a->us, 1710860400LL * kMicrosPerSecond);
}

TEST(Time, KeepsMicroseconds) {
  const auto t = parse_rfc3339("2024-03-19T10:00:00.1234567-05:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->us % kMicrosPerSecond, 123456);
  EXPECT_EQ(format_local(*t), "2024-03-19T10:00:00.123456-05:00");
}

TEST(Time, RejectsWhatIsNotARealInstant) {
  std::string why;
  EXPECT_FALSE(parse_rfc3339("2024-03-19T10:00:00", &why));
  EXPECT_NE(why.find("offset"), std::string::npos);
  EXPECT_FALSE(parse_rfc3339("2023-02-29T10:00:00Z", &why));
  EXPECT_EQ(why, "not a real calendar date");
  EXPECT_TRUE(parse_rfc3339("2024-02-29T10:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2024-03-19T24:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2024-03-19T23:59:60Z"));
  EXPECT_FALSE(parse_rfc3339("2024-03-19T10:00:00+24:00"));
  EXPECT_FALSE(parse_rfc3339("2024-03-19T10:00:00.Z"));
  EXPECT_FALSE(parse_rfc3339("2024-03-19T10:00:00Z "));
  EXPECT_FALSE(parse_rfc3339("2024-3-19T10:00:00Z"));
  EXPECT_FALSE(parse_rfc3339(""));
  EXPECT_FALSE(parse_rfc3339("2024-03-19 10:00:00Z"));  // a space is not RFC 3339's 'T'
  EXPECT_TRUE(parse_rfc3339("2024-03-19T10:00:00-00:00"));
}

// Every digit position takes exactly '0'…'9': the bytes just outside the range ('/' and
// ':'), a letter and a non-ASCII byte are rejected wherever they stand, and the extremes
// of each field read exactly.
TEST(Time, EveryDigitPositionTakesOnlyDigits) {
  const std::string good = "2024-03-19T10:00:00-05:00";
  ASSERT_TRUE(parse_rfc3339(good));
  for (const std::size_t pos : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 23, 24}) {
    for (const char bad : {'/', ':', 'a', '\xff'}) {
      std::string t = good;
      t[pos] = bad;
      EXPECT_FALSE(parse_rfc3339(t)) << t;
    }
  }
  EXPECT_EQ(format_local(*parse_rfc3339("9999-12-31T23:59:59-05:00")), "9999-12-31T23:59:59-05:00");
  EXPECT_EQ(*parse_rfc3339("2000-01-01T00:00:00+00:00"),
            *parse_rfc3339("1999-12-31T19:00:00-05:00"));
  EXPECT_EQ(*parse_year_month("0000-01"), YearMonth::of(0, 1));
  EXPECT_EQ(*parse_year_month("9999-12"), YearMonth::of(9999, 12));
  EXPECT_FALSE(parse_year_month("20/4-07"));
  EXPECT_FALSE(parse_year_month("2024-0:"));
  EXPECT_EQ(*parse_date("1987-06-05"), date_of(1987, 6, 5));
  EXPECT_FALSE(parse_date("1987-06-0:"));
}

TEST(Time, TwoAmUtcOnTheFirstBelongsToThePreviousLocalMonth) {
  const Instant t = *parse_rfc3339("2024-03-01T02:00:00Z");
  EXPECT_EQ(format_date(local_date(t)), "2024-02-29");
  EXPECT_EQ(local_month(t), YearMonth::of(2024, 2));
  EXPECT_EQ(local_month(*parse_rfc3339("2024-03-01T05:00:00Z")), YearMonth::of(2024, 3));
  EXPECT_EQ(local_month(*parse_rfc3339("2024-01-01T04:59:59.999999Z")), YearMonth::of(2023, 12));
}

TEST(Time, MonthBoundaries) {
  EXPECT_EQ(format_local(end_of_month(YearMonth::of(2024, 2))), "2024-02-29T23:59:59.999999-05:00");
  EXPECT_EQ(format_local(local_midnight(date_of(2024, 1, 1))), "2024-01-01T00:00:00-05:00");
  EXPECT_EQ(format_year_month(YearMonth::of(2024, 12)), "2024-12");
  EXPECT_EQ(YearMonth::of(2024, 1).index - YearMonth::of(2023, 12).index, 1);
}

TEST(Time, ParsesDatesAndMonths) {
  EXPECT_TRUE(parse_date("2024-02-29"));
  EXPECT_FALSE(parse_date("2023-02-29"));
  EXPECT_EQ(*parse_year_month("2024-07"), YearMonth::of(2024, 7));
  EXPECT_FALSE(parse_year_month("2024-13"));
  EXPECT_FALSE(parse_year_month("2024-7"));
}

TEST(Time, CivilRoundTripOverTheSupportedRange) {
  for (int days = date_of(1984, 1, 1).days; days <= date_of(2201, 12, 31).days; ++days) {
    const Ymd c = ymd_of(Date{days});
    ASSERT_EQ(date_of(c.year, c.month, c.day).days, days);
  }
  EXPECT_EQ(weekday_of(date_of(2024, 3, 19)), 1);  // Tuesday
}

}  // namespace
}  // namespace pqrflow::core
