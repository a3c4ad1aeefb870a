// Reliability: crashes, rebalances, broker faults and shutdowns change nothing in the
// final results. Every test feeds a generated utility through the real processes while
// something goes wrong, then requires the BI feed to equal `pqrflow replay` over the same
// records — no lost and no double-counted event.
#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "support/feed.hpp"
#include "support/stack.hpp"

namespace pqrflow::testing {
namespace {

using namespace std::chrono_literals;
using Env = std::vector<std::pair<std::string, std::string>>;

// Fast failure detection so a killed member's partitions move within seconds.
const std::vector<std::string> kFastGroup = {"--kafka-property", "session.timeout.ms=3000",
                                             "--kafka-property", "heartbeat.interval.ms=300"};

::testing::AssertionResult bi_equals_replay(Stack& stack, const Feed& f,
                                            std::chrono::seconds timeout = 240s) {
  const std::map<std::string, std::string> expected = replay_rows(f.jsons(), stack.bin().plan);
  std::map<std::string, std::string> actual;
  if (eventually(
          [&] {
            actual = latest_bi_rows(stack.read_all(runtime::TopicNames{}.bi));
            return actual == expected;
          },
          timeout, 2s)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << diff_rows(expected, actual);
}

// Restarts any service that died (a crash point fired, or the test killed it).
void revive(Stack& stack, const std::vector<int>& services) {
  for (int s : services) {
    if (!stack.running(s)) stack.restart(s);
  }
}

class Crashes : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(Crashes, KillingServicesAtRandomInstantsChangesNothing) {
  const std::uint64_t seed = GetParam();
  std::mt19937_64 rng(seed);
  Stack stack;
  const int ingest = stack.start_ingest(kFastGroup);
  const int metrics = stack.start_metrics(kFastGroup);
  const int reporting = stack.start_reporting();
  const std::vector<int> all = {ingest, metrics, reporting};
  const Feed f =
      generated_feed(1200, seed, core::YearMonth::of(2023, 10), core::YearMonth::of(2024, 9));
  // Crash points make some kills land exactly inside a checkpoint, between a batch's
  // delivery and its commit, and after rows were published but before reporting's
  // checkpoint.
  const std::vector<std::pair<int, Env>> armed = {
      {metrics, {{"PQRFLOW_CRASH_AT", "checkpoint.before_rename:2"}}},
      {ingest, {{"PQRFLOW_CRASH_AT", "ingest.before_commit:1"}}},
      {reporting, {{"PQRFLOW_CRASH_AT", "reporting.after_publish:2"}}},
      {metrics, {{"PQRFLOW_CRASH_AT", "checkpoint.after_rename:1"}}},
  };
  const std::size_t chunks = 12;
  std::size_t next_armed = 0;  // each armed round uses two chunks
  for (std::size_t c = 0; c < chunks; ++c) {
    produce_range(stack, f, f.records.size() * c / chunks, f.records.size() * (c + 1) / chunks);
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 1500));
    const int victim = static_cast<int>(rng() % 4);  // 0..2 one service, 3 all of them
    for (int s : all) {
      if (victim == 3 || all[static_cast<std::size_t>(victim)] == s) stack.kill(s);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 1000));
    revive(stack, all);
    if (next_armed < armed.size() && c + 1 < chunks) {
      // Restart one service armed with a crash point; the next chunk makes it reach the
      // point, and it must die there on its own.
      const auto& [service, env] = armed[next_armed++];
      stack.kill(service);
      stack.restart(service, env);
      ++c;
      produce_range(stack, f, f.records.size() * c / chunks, f.records.size() * (c + 1) / chunks);
      EXPECT_TRUE(eventually([&] { return !stack.running(service); }, 30s))
          << env[0].second << " never fired:\n"
          << stack.log_of(service);
      stack.restart(service);
    }
  }
  revive(stack, all);
  EXPECT_TRUE(bi_equals_replay(stack, f));
  for (int s : all) EXPECT_TRUE(stack.running(s)) << stack.log_of(s);
}

INSTANTIATE_TEST_SUITE_P(Seeds, Crashes, ::testing::Values(1U, 2U));

TEST(Rebalances, AddingAndRemovingInstancesDuringAFeedChangesNothing) {
  Stack stack;
  const int ingest1 = stack.start_ingest(kFastGroup);
  const int metrics1 = stack.start_metrics(kFastGroup);
  stack.start_reporting();
  const Feed f =
      generated_feed(1200, 31, core::YearMonth::of(2023, 10), core::YearMonth::of(2024, 9));
  const std::size_t n = f.records.size();
  produce_range(stack, f, 0, n / 5);
  // Everything so far is checkpointed (metrics commits its offsets with each checkpoint).
  ASSERT_TRUE(eventually(
      [&] {
        return stack.consumer_group_lag("pqrflow-ingest", runtime::TopicNames{}.raw()) == 0 &&
               stack.consumer_group_lag("pqrflow-metrics", {runtime::TopicNames{}.events}) == 0;
      },
      60s));
  const int metrics2 = stack.start_metrics(kFastGroup);
  // The newcomer takes half the shards over from their checkpoints.
  EXPECT_TRUE(eventually(
      [&] { return stack.log_of(metrics2).find("checkpoint_restored") != std::string::npos; }, 60s))
      << stack.log_of(metrics2);
  produce_range(stack, f, n / 5, 2 * n / 5);
  const int ingest2 = stack.start_ingest(kFastGroup);
  const int metrics3 = stack.start_metrics(kFastGroup);
  produce_range(stack, f, 2 * n / 5, 3 * n / 5);
  EXPECT_EQ(stack.stop(metrics1), 0) << stack.log_of(metrics1);  // graceful hand-over
  produce_range(stack, f, 3 * n / 5, 4 * n / 5);
  EXPECT_EQ(stack.stop(ingest1), 0) << stack.log_of(ingest1);
  stack.kill(metrics2);  // and an abrupt one
  // A crash in the middle of a hand-over: metrics3 dies after publishing its revoked
  // shards but before checkpointing them, when a new instance joins.
  const auto assignments = [&](int s) {
    const std::string log = stack.log_of(s);
    std::size_t count = 0;
    for (auto at = log.find("partitions_assigned"); at != std::string::npos;
         at = log.find("partitions_assigned", at + 1)) {
      ++count;
    }
    return count;
  };
  stack.kill(metrics3);
  const std::size_t before = assignments(metrics3);
  stack.restart(metrics3, {{"PQRFLOW_CRASH_AT", "metrics.handover:1"}});
  // Wait until the restarted instance owns shards (the log is appended across restarts).
  ASSERT_TRUE(eventually([&] { return assignments(metrics3) > before; }, 30s));
  const int metrics4 = stack.start_metrics(kFastGroup);
  EXPECT_TRUE(eventually([&] { return !stack.running(metrics3); }, 30s))
      << "metrics.handover never fired";
  produce_range(stack, f, 4 * n / 5, n);
  EXPECT_TRUE(bi_equals_replay(stack, f));
  EXPECT_TRUE(stack.running(ingest2));
  EXPECT_TRUE(stack.running(metrics4));
}

TEST(Shutdown, SigtermUnderLoadExitsZeroAndResumesWhereItStopped) {
  Stack stack;
  const int ingest = stack.start_ingest(kFastGroup);
  const int metrics = stack.start_metrics(kFastGroup);
  const int reporting = stack.start_reporting();
  const Feed f =
      generated_feed(3000, 41, core::YearMonth::of(2023, 10), core::YearMonth::of(2024, 9));
  const std::size_t n = f.records.size();
  std::thread feeder([&] { produce_range(stack, f, 0, n / 2); });
  std::this_thread::sleep_for(1500ms);
  for (int s : {ingest, metrics, reporting}) {
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(stack.stop(s, 30s), 0) << stack.log_of(s);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 30s);
    stack.restart(s);
  }
  feeder.join();
  produce_range(stack, f, n / 2, n);
  EXPECT_TRUE(bi_equals_replay(stack, f));
  // A graceful stop leaves no uncommitted tail: stopped now, ingest's group has committed
  // every raw record.
  EXPECT_EQ(stack.stop(ingest), 0);
  EXPECT_TRUE(eventually(
      [&] { return stack.consumer_group_lag("pqrflow-ingest", runtime::TopicNames{}.raw()) == 0; },
      10s));
}

TEST(BrokerFaults, ServicesRideThroughFaultsWithoutRestartOrLoss) {
  Stack stack(16, 3);
  const int ingest = stack.start_ingest();
  const int metrics = stack.start_metrics();
  const int reporting = stack.start_reporting();
  const Feed f =
      generated_feed(1500, 51, core::YearMonth::of(2023, 10), core::YearMonth::of(2024, 9));
  const std::size_t n = f.records.size();
  const std::vector<std::vector<std::string>> faults = {
      {"errors Produce 40 7"},        // REQUEST_TIMED_OUT on produce requests
      {"errors Fetch 40 6"},          // NOT_LEADER_OR_FOLLOWER on fetches
      {"errors OffsetCommit 20 15"},  // COORDINATOR_NOT_AVAILABLE on commits
      {"leader pqrflow.events.v1 0 2", "leader pqrflow.events.v1 1 3",
       "leader pqrflow.raw.billing 3 2"},
      {"rtt 1 300", "rtt 2 300"},  // a slow broker
      {"down 2"},                  // a broker down…
  };
  const std::size_t steps = faults.size() + 1;
  for (std::size_t i = 0; i < steps; ++i) {
    if (i < faults.size()) {
      for (const std::string& cmd : faults[i]) ASSERT_EQ(stack.broker_command(cmd), "ok") << cmd;
    }
    // Feed while the fault lasts (records for partitions led by a downed broker wait in
    // the producer until it is back).
    std::thread feeder([&] { produce_range(stack, f, n * i / steps, n * (i + 1) / steps); });
    std::this_thread::sleep_for(4s);
    if (i + 1 == faults.size()) {
      ASSERT_EQ(stack.broker_command("up 2"), "ok");  // …and back
      ASSERT_EQ(stack.broker_command("rtt 1 0"), "ok");
      ASSERT_EQ(stack.broker_command("rtt 2 0"), "ok");
    }
    feeder.join();
  }
  EXPECT_TRUE(bi_equals_replay(stack, f));
  // Nobody had to be restarted.
  for (int s : {ingest, metrics, reporting}) EXPECT_TRUE(stack.running(s)) << stack.log_of(s);
  // The trouble was reported: the client library's errors in the logs and in
  // pqrflow_kafka_errors_total…
  std::int64_t errors = 0;
  std::string logs;
  for (int s : {ingest, metrics, reporting}) {
    logs += stack.log_of(s);
    const auto [code, body] = http_get(stack.http_port(s), "/metrics");
    ASSERT_EQ(code, 200);
    const std::size_t at = body.find("\npqrflow_kafka_errors_total ");
    ASSERT_NE(at, std::string::npos) << body;
    errors += std::stoll(body.substr(at + 28));
  }
  EXPECT_GT(errors, 0);
  EXPECT_NE(logs.find("\"event\":\"kafka_error\""), std::string::npos);
  // …and every service is ready again on its own.
  for (int s : {ingest, metrics, reporting}) {
    EXPECT_TRUE(
        eventually([&] { return http_get(stack.http_port(s), "/readyz").first == 200; }, 60s))
        << http_get(stack.http_port(s), "/readyz").second;
  }
}

TEST(Backpressure, IngestStopsConsumingWhenItsOutputIsDownAndMemoryStaysBounded) {
  Stack stack(16, 3);
  // Raw topics on broker 1, canonical events on broker 3: taking broker 3 down leaves
  // ingest able to read but not to write.
  for (int p = 0; p < 16; ++p) {
    for (const std::string& t : runtime::TopicNames{}.raw()) {
      ASSERT_EQ(stack.broker_command("leader " + t + " " + std::to_string(p) + " 1"), "ok");
    }
    ASSERT_EQ(stack.broker_command("leader pqrflow.events.v1 " + std::to_string(p) + " 3"), "ok");
    ASSERT_EQ(stack.broker_command("leader pqrflow.deadletter.v1 " + std::to_string(p) + " 3"),
              "ok");
  }
  const int ingest = stack.start_ingest({"--flush-timeout", "5s"});
  stack.start_metrics();
  stack.start_reporting();
  const Feed f = generated_feed(6000, 61, core::YearMonth::of(2024, 1),
                                core::YearMonth::of(2024, 6), 0.002, 0);
  const std::size_t n = f.records.size();
  produce_range(stack, f, 0, n / 4);
  ASSERT_TRUE(eventually(
      [&] { return stack.consumer_group_lag("pqrflow-ingest", runtime::TopicNames{}.raw()) == 0; },
      60s));
  ASSERT_EQ(stack.broker_command("down 3"), "ok");
  const long rss_before = stack.rss_kib(ingest);
  produce_range(stack, f, n / 4, n);
  long rss_max = 0;
  for (int i = 0; i < 20; ++i) {
    rss_max = std::max(rss_max, stack.rss_kib(ingest));
    std::this_thread::sleep_for(500ms);
  }
  // Stalled: most of the new records are still unconsumed (uncommitted), not buffered.
  const std::int64_t lag = stack.consumer_group_lag("pqrflow-ingest", runtime::TopicNames{}.raw());
  EXPECT_GT(lag, static_cast<std::int64_t>(n / 2)) << "ingest kept consuming with its output down";
  EXPECT_LT(rss_max, 400 * 1024) << "RSS grew to " << rss_max << " KiB (before the outage "
                                 << rss_before << " KiB)";
  RecordProperty("ingest_rss_before_kib", static_cast<int>(rss_before));
  RecordProperty("ingest_rss_max_during_outage_kib", static_cast<int>(rss_max));
  std::printf(
      "backpressure: %ld records waiting, ingest RSS %ld KiB before, at most %ld KiB during the "
      "outage\n",
      static_cast<long>(lag), rss_before, rss_max);
  EXPECT_NE(stack.log_of(ingest).find("delivery_failed"), std::string::npos);
  ASSERT_EQ(stack.broker_command("up 3"), "ok");
  EXPECT_TRUE(bi_equals_replay(stack, f));
  EXPECT_TRUE(stack.running(ingest));
}

}  // namespace
}  // namespace pqrflow::testing
