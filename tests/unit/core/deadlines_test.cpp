// Live deadline figures and the worklist (core/deadlines.hpp): both must call the same
// tickets overdue, also when the days after the due date are weekends and holidays.
#include "core/deadlines.hpp"

#include <gtest/gtest.h>

#include "core/calendar.hpp"
#include "support/builders.hpp"

namespace pqrflow::core {
namespace {

using testing::at;
using testing::day;

TEST(BusinessDaysLeft, CountsToTheDueDateAndIsNegativeOnceItPassed) {
  EXPECT_EQ(business_days_left(day("2024-06-28"), day("2024-06-28")), 0);  // due today
  EXPECT_EQ(business_days_left(day("2024-06-27"), day("2024-06-28")), 1);
  // Friday → Tuesday 2 July: Monday 1 July is a holiday (San Pedro y San Pablo).
  EXPECT_EQ(business_days_left(day("2024-06-28"), day("2024-07-02")), 1);
  EXPECT_EQ(business_days_left(day("2024-07-03"), day("2024-06-28")), -2);
}

TEST(BusinessDaysLeft, ADueDateFollowedOnlyByDaysOffIsAlreadyPast) {
  // Due Friday 28 June; Saturday, Sunday and the Monday holiday are after it: an answer
  // dated on any of them is late, so the ticket is overdue, not "due today".
  EXPECT_EQ(business_days_left(day("2024-06-29"), day("2024-06-28")), -1);
  EXPECT_EQ(business_days_left(day("2024-07-01"), day("2024-06-28")), -1);
  EXPECT_EQ(business_days_left(day("2024-07-02"), day("2024-06-28")), -1);
}

TEST(Deadlines, TheWorklistAndTheLiveCountsAgreeOnWhatIsOverdue) {
  IndicatorState state;
  // Filed Thursday 6 June 2024: due Friday 28 June (15 business days; 10 June is a holiday).
  ASSERT_EQ(format_date(*due_date(day("2024-06-06"), 15)), "2024-06-28");
  state.apply(testing::filed("e1", "T1", "2024-06-06T10:00:00-05:00").office("Centro"));
  const Instant holiday = at("2024-07-01T08:00:00-05:00");
  const LiveCounts live = live_counts(state, holiday, 3);
  EXPECT_EQ(live.by_scope.at("all").overdue, 1);
  EXPECT_EQ(live.by_scope.at("all").due_soon, 0);
  const std::vector<DeadlineItem> list = deadline_worklist(state, holiday, 3, 10);
  ASSERT_EQ(list.size(), 1U);
  EXPECT_EQ(list[0].office, "Centro");
  EXPECT_LT(list[0].business_days_left, 0);
}

}  // namespace
}  // namespace pqrflow::core
