// The alert state machine (core/alerts.hpp) on hand-made timelines.
#include "core/alerts.hpp"

#include <gtest/gtest.h>

namespace pqrflow::core {
namespace {

constexpr std::int64_t kHour = 3'600'000'000;
constexpr std::int64_t kDay = 24 * kHour;

Instant at(std::int64_t hours) {
  return Instant{1'709'280'000'000'000 + hours * kHour};  // 2024-03-01T08:00Z + hours
}

AlertRule pending_ratio() {
  AlertRule r;
  r.id = "pqr_pending_ratio_rising";
  r.threshold = 50;
  r.resolve_below = 30;
  r.min_rise = 10;
  r.lookback_us = kDay;
  r.for_us = kHour;
  r.cooldown_us = kDay;
  return r;
}

std::string step(AlertTracker& t, std::int64_t hours, std::optional<double> v) {
  const auto tr = t.observe(at(hours), v);
  return tr ? tr->state : "";
}

TEST(AlertTracker, PendingThenFiringAfterForThenResolvedBelowTheLowerThreshold) {
  AlertTracker t(pending_ratio());
  EXPECT_EQ(step(t, 0, 20), "");
  EXPECT_EQ(step(t, 24, 55), "pending");  // 55 ≥ 50 and +35 over the day
  EXPECT_EQ(step(t, 24, 55), "");         // reported once
  EXPECT_EQ(step(t, 25, 52), "firing");   // held for an hour
  EXPECT_EQ(step(t, 26, 35), "");         // below the threshold, above resolve: still firing
  EXPECT_EQ(t.state(), AlertState::kFiring);
  EXPECT_EQ(step(t, 27, 29.9), "resolved");
  EXPECT_EQ(t.state(), AlertState::kInactive);
}

TEST(AlertTracker, AHighButFlatRatioDoesNotAlert) {
  AlertTracker t(pending_ratio());
  EXPECT_EQ(step(t, 0, 60), "");
  EXPECT_EQ(step(t, 24, 65), "");  // only +5 points over the day
  EXPECT_EQ(t.state(), AlertState::kInactive);
}

TEST(AlertTracker, NoNewAlertDuringTheCooldown) {
  AlertTracker t(pending_ratio());
  step(t, 0, 0);
  EXPECT_EQ(step(t, 24, 60), "pending");
  EXPECT_EQ(step(t, 24, 20), "resolved");  // resolved before `for`
  EXPECT_EQ(step(t, 30, 80), "");          // rises again within a day: cooldown
  EXPECT_EQ(step(t, 49, 80), "pending");   // 25 h after resolving
}

TEST(AlertTracker, ALaterSampleAtTheSameInstantReplacesTheEarlierOne) {
  // A half-applied batch shows 100 % for an instant, then 0 %. Five hours later no sample
  // is a day old, so the oldest is the reference: 50 % must count as a rise of 50 from
  // the settled 0 %, not as a fall from the transient 100 %.
  AlertTracker t(pending_ratio());
  step(t, 0, 100);
  step(t, 0, 0);
  EXPECT_EQ(step(t, 5, 50), "pending");
}

TEST(AlertTracker, MissingDataIsConditionFalseAndOlderSamplesAreIgnored) {
  AlertTracker t(pending_ratio());
  step(t, 0, 0);
  EXPECT_EQ(step(t, 24, 70), "pending");
  EXPECT_EQ(step(t, 10, 0), "");  // earlier than the last sample: ignored
  EXPECT_EQ(t.state(), AlertState::kPending);
  EXPECT_EQ(step(t, 25, std::nullopt), "resolved");
}

TEST(AlertTracker, WithoutMinRiseTheLevelAloneCounts) {
  AlertRule r = pending_ratio();
  r.min_rise.reset();
  r.for_us = 0;
  AlertTracker t(r);
  EXPECT_EQ(step(t, 0, 50), "pending");
  EXPECT_EQ(step(t, 0, 50), "firing");  // for = 0: fires on the next observation
}

}  // namespace
}  // namespace pqrflow::core
