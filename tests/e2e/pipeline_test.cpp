// End to end through real processes and the Kafka protocol: `pqrflow broker`, then
// pqrflow-ingest, pqrflow-metrics and pqrflow-reporting as child processes; raw records
// are produced with a Kafka client and the outputs read back from their topics.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <thread>

#include "core/calendar.hpp"
#include "core/deadlines.hpp"
#include "pqrflow/v1/deadletter.pb.h"
#include "pqrflow/v1/indicators.pb.h"
#include "sim/generator.hpp"
#include "support/stack.hpp"

namespace pqrflow::testing {
namespace {

using namespace std::chrono_literals;

struct Feed {
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> by_topic;
  std::vector<std::string> records;             // every raw record, in delivery order
  std::map<std::string, int> expected_reasons;  // invalid records by expected reason
  int invalid = 0;
};

Feed generated_year(int subscribers, std::uint64_t seed) {
  Feed f;
  sim::GeneratorOptions g;
  g.subscribers = subscribers;
  g.seed = seed;
  g.from = core::YearMonth::of(2023, 7);
  g.to = core::YearMonth::of(2024, 6);
  g.invalid_rate = 0.01;
  g.duplicate_rate = 0.01;
  sim::generate(g, [&](const sim::RawRecord& r) {
    f.by_topic[std::string(sim::topic_name(r.topic))].emplace_back(r.key, r.json);
    f.records.push_back(r.json);
    if (r.invalid != sim::InvalidKind::kNone) {
      ++f.invalid;
      if (auto reason = sim::expected_reason(r.invalid))
        ++f.expected_reasons[std::string(core::reason_code(*reason))];
    }
  });
  return f;
}

void feed(Stack& stack, const Feed& f) {
  for (const auto& [topic, records] : f.by_topic) stack.produce(topic, records);
}

// Waits until the BI feed's latest rows equal replay's rows; reports the difference.
::testing::AssertionResult bi_equals_replay(Stack& stack, const Feed& f,
                                            std::chrono::seconds timeout = 180s) {
  const std::map<std::string, std::string> expected = replay_rows(f.records, stack.bin().plan);
  std::map<std::string, std::string> actual;
  const bool ok = eventually(
      [&] {
        actual = latest_bi_rows(stack.read_all(runtime::TopicNames{}.bi));
        return actual == expected;
      },
      timeout, 1s);
  if (ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << diff_rows(expected, actual);
}

TEST(Pipeline, AYearThroughTheThreeServicesEqualsReplay) {
  Stack stack;
  const int ingest = stack.start_ingest();
  const int metrics = stack.start_metrics();
  const int reporting = stack.start_reporting();
  const Feed f = generated_year(2500, 21);
  ASSERT_GT(f.invalid, 50);
  feed(stack, f);
  EXPECT_TRUE(bi_equals_replay(stack, f)) << stack.log_of(reporting);

  // Every invalid record is in the dead-letter topic, with the reason the generator meant
  // and its origin.
  std::map<std::string, int> reasons;
  const auto dead = stack.read_all(runtime::TopicNames{}.deadletter);
  for (const auto& [key, value] : dead) {
    pqrflow::v1::DeadLetter dl;
    ASSERT_TRUE(dl.ParseFromString(value));
    EXPECT_EQ(key, dl.origin_topic() + "/" + std::to_string(dl.origin_partition()) + "/" +
                       std::to_string(dl.origin_offset()));
    EXPECT_FALSE(dl.original().empty());
    ++reasons[dl.reason()];
  }
  EXPECT_EQ(static_cast<int>(dead.size()), f.invalid);
  EXPECT_EQ(reasons, f.expected_reasons);

  // Graceful stops: every service exits 0 on SIGTERM.
  EXPECT_EQ(stack.stop(ingest), 0) << stack.log_of(ingest);
  EXPECT_EQ(stack.stop(metrics), 0) << stack.log_of(metrics);
  EXPECT_EQ(stack.stop(reporting), 0) << stack.log_of(reporting);
}

TEST(Pipeline, TwoMetricsInstancesGiveExactlyTheResultsOfOne) {
  Stack stack;
  stack.start_ingest();
  const int m1 = stack.start_metrics();
  const int m2 = stack.start_metrics();
  stack.start_reporting();
  const Feed f = generated_year(1500, 22);
  feed(stack, f);
  EXPECT_TRUE(bi_equals_replay(stack, f));
  // Both instances took part: each owns shards.
  EXPECT_NE(stack.log_of(m1).find("partitions_assigned"), std::string::npos);
  EXPECT_NE(stack.log_of(m2).find("partitions_assigned"), std::string::npos);
}

// ---- clock-driven figures -------------------------------------------------------------

std::string event(const std::string& id, const std::string& type, const std::string& at,
                  const std::string& fields) {
  return R"({"event_id":")" + id + R"(","type":")" + type + R"(","occurred_at":")" + at + "\"," +
         fields + "}";
}
std::string filed(const std::string& ticket, const std::string& at) {
  return event(
      "f-" + ticket, "pqr.filed", at,
      R"("ticket_id":")" + ticket + R"(","kind":"peticion","channel":"web","office":"Centro")");
}
std::string answered(const std::string& ticket, const std::string& at) {
  return event("a-" + ticket, "pqr.answered", at,
               R"("ticket_id":")" + ticket + R"(","outcome":"accede")");
}

void set_clock(const std::filesystem::path& file, const std::string& instant) {
  std::ofstream(file.string() + ".tmp") << instant << "\n";
  std::filesystem::rename(file.string() + ".tmp", file);
}

// Sum of the latest "live" figures of every shard for scope "all".
core::LiveFigures live_all(Stack& stack) {
  std::map<std::string, pqrflow::v1::IndicatorSnapshot> latest;
  for (const auto& [key, value] : stack.read_all(runtime::TopicNames{}.indicators)) {
    pqrflow::v1::IndicatorSnapshot s;
    if (!s.ParseFromString(value) || s.indicator() != "live" || s.scope() != "all") continue;
    auto& cur = latest[s.partial_id()];
    if (s.version() > cur.version()) cur = s;
  }
  core::LiveFigures f;
  for (const auto& [partial, s] : latest) {
    f += core::LiveFigures{s.numerator(), s.denominator(), s.due_soon(), s.overdue()};
  }
  return f;
}

std::vector<std::string> alert_states(Stack& stack, const std::string& rule) {
  std::vector<pqrflow::v1::AlertTransition> all;
  for (const auto& [key, value] : stack.read_all(runtime::TopicNames{}.alerts)) {
    pqrflow::v1::AlertTransition a;
    if (a.ParseFromString(value) && a.rule_id() == rule) all.push_back(a);
  }
  std::sort(all.begin(), all.end(),
            [](const auto& a, const auto& b) { return a.version() < b.version(); });
  std::vector<std::string> out;
  for (const auto& a : all) out.push_back(a.state());
  return out;
}

TEST(Pipeline, DeadlineRiskCountsMoveWithTheClock) {
  Stack stack;
  const auto clock = stack.dir() / "clock";
  set_clock(clock, "2024-03-05T12:00:00-05:00");
  stack.start_ingest();
  stack.start_metrics({"--clock", "file:" + clock.string()});
  // Filed on Friday 2024-03-01: 15 business days → due Friday 2024-03-22.
  ASSERT_EQ(core::format_date(*core::due_date(*core::parse_date("2024-03-01"), 15)), "2024-03-22");
  std::vector<std::pair<std::string, std::string>> records;
  for (int i = 0; i < 4; ++i)
    records.emplace_back("T" + std::to_string(i),
                         filed("T" + std::to_string(i), "2024-03-01T09:00:00-05:00"));
  records.emplace_back("T0", answered("T0", "2024-03-04T09:00:00-05:00"));
  stack.produce(runtime::TopicNames{}.raw_pqr, records);

  // March 5: 3 pending, 13 business days left: no risk yet.
  EXPECT_TRUE(eventually([&] { return live_all(stack) == core::LiveFigures{3, 4, 0, 0}; }, 60s));
  // March 19: 3 business days left (20, 21, 22) → due soon.
  set_clock(clock, "2024-03-19T08:00:00-05:00");
  EXPECT_TRUE(eventually([&] { return live_all(stack) == core::LiveFigures{3, 4, 3, 0}; }, 60s));
  // March 26 (after the San José holiday on the 25th): past the due date → overdue;
  // the 30-day window still holds the four filings.
  set_clock(clock, "2024-03-26T08:00:00-05:00");
  EXPECT_TRUE(eventually([&] { return live_all(stack) == core::LiveFigures{3, 4, 0, 3}; }, 60s));
  // April 2: filings older than 30 days leave the window; an answer removes one.
  stack.produce(runtime::TopicNames{}.raw_pqr,
                {{"T1", answered("T1", "2024-03-27T09:00:00-05:00")}});
  set_clock(clock, "2024-04-02T08:00:00-05:00");
  EXPECT_TRUE(eventually([&] { return live_all(stack) == core::LiveFigures{2, 0, 0, 2}; }, 60s));
}

TEST(Pipeline, PendingRatioAlertFiresOnceAndResolvesOnce) {
  Stack stack;
  const auto clock = stack.dir() / "clock";
  set_clock(clock, "2024-02-29T12:00:00-05:00");
  stack.start_ingest();
  stack.start_metrics({"--clock", "file:" + clock.string()});
  stack.start_reporting({"--clock", "file:" + clock.string(), "--pending-ratio-threshold", "50",
                         "--pending-ratio-resolve", "30", "--pending-ratio-min-rise", "10",
                         "--pending-ratio-lookback", "1d", "--pending-ratio-for", "1h",
                         "--pending-ratio-cooldown", "1d"});
  const std::string rule = "pqr_pending_ratio_rising";
  // Ten tickets filed and answered: ratio 0 %.
  std::vector<std::pair<std::string, std::string>> calm;
  for (int i = 0; i < 10; ++i) {
    const std::string t = "A" + std::to_string(i);
    calm.emplace_back(t, filed(t, "2024-02-28T09:00:00-05:00"));
    calm.emplace_back(t, answered(t, "2024-02-28T15:00:00-05:00"));
  }
  stack.produce(runtime::TopicNames{}.raw_pqr, calm);
  ASSERT_TRUE(eventually([&] { return live_all(stack) == core::LiveFigures{0, 10, 0, 0}; }, 60s));
  std::this_thread::sleep_for(1s);  // a few evaluation rounds see 0 % on Feb 29
  // A day later, ten more, unanswered: 10 / 20 = 50 % — a rise of 50 points over the
  // one-day look-back: pending.
  set_clock(clock, "2024-03-01T12:00:00-05:00");
  std::vector<std::pair<std::string, std::string>> surge;
  for (int i = 0; i < 10; ++i)
    surge.emplace_back("B" + std::to_string(i),
                       filed("B" + std::to_string(i), "2024-03-01T08:00:00-05:00"));
  stack.produce(runtime::TopicNames{}.raw_pqr, surge);
  ASSERT_TRUE(eventually(
      [&] { return alert_states(stack, rule) == std::vector<std::string>{"pending"}; }, 60s))
      << ::testing::PrintToString(alert_states(stack, rule));
  // Two hours later, still at 50 %: firing.
  set_clock(clock, "2024-03-01T14:00:00-05:00");
  ASSERT_TRUE(eventually(
      [&] {
        return alert_states(stack, rule) == std::vector<std::string>{"pending", "firing"};
      },
      60s));
  // Answers bring it to 4 / 20 = 20 %, below the resolve threshold: resolved.
  std::vector<std::pair<std::string, std::string>> answers;
  for (int i = 0; i < 6; ++i)
    answers.emplace_back("B" + std::to_string(i),
                         answered("B" + std::to_string(i), "2024-03-01T13:00:00-05:00"));
  stack.produce(runtime::TopicNames{}.raw_pqr, answers);
  ASSERT_TRUE(eventually(
      [&] {
        return alert_states(stack, rule) ==
               std::vector<std::string>{"pending", "firing", "resolved"};
      },
      60s));
  // Hovering around the threshold within the cooldown never starts a new alert:
  // 7 / 20 = 35 % then 12 / 25 = 48 % then back to 50 %.
  stack.produce(runtime::TopicNames{}.raw_pqr, {{"C0", filed("C0", "2024-03-01T14:10:00-05:00")},
                                                {"C1", filed("C1", "2024-03-01T14:10:00-05:00")},
                                                {"C2", filed("C2", "2024-03-01T14:10:00-05:00")}});
  set_clock(clock, "2024-03-01T16:00:00-05:00");
  ASSERT_TRUE(eventually([&] { return live_all(stack).pending == 7; }, 60s));
  set_clock(clock, "2024-03-01T20:00:00-05:00");
  std::this_thread::sleep_for(2s);  // several evaluation rounds at the new clock
  EXPECT_EQ(alert_states(stack, rule), (std::vector<std::string>{"pending", "firing", "resolved"}));
}

}  // namespace
}  // namespace pqrflow::testing
