// What operators and readers see: /metrics (valid Prometheus text, checked with promtool),
// /healthz and /readyz of every service, and reporting's JSON API, whose rows must be
// exactly the rows of the BI feed.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "support/feed.hpp"
#include "support/stack.hpp"

namespace pqrflow::testing {
namespace {

using namespace std::chrono_literals;

// Runs `promtool check metrics` over the text; returns its verdict and output.
std::pair<bool, std::string> promtool_check(const std::string& metrics) {
  const std::filesystem::path in = std::filesystem::temp_directory_path() / ("metrics-" + std::to_string(::getpid()));
  std::ofstream(in) << metrics;
  const std::string cmd = "promtool check metrics < " + in.string() + " 2>&1";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (p != nullptr && std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  const int rc = p != nullptr ? ::pclose(p) : -1;
  std::filesystem::remove(in);
  return {rc == 0, out};
}

class Observability : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack_ = new Stack();
    ingest_ = stack_->start_ingest();
    metrics_ = stack_->start_metrics();
    reporting_ = stack_->start_reporting({"--clock", "event"});
    feed_ = new Feed(generated_feed(800, 71, core::YearMonth::of(2023, 11), core::YearMonth::of(2024, 4)));
    produce_range(*stack_, *feed_, 0, feed_->records.size());
    expected_ = new std::map<std::string, std::string>(replay_rows(feed_->jsons(), stack_->bin().plan));
    ASSERT_TRUE(eventually([] { return latest_bi_rows(stack_->read_all(runtime::TopicNames{}.bi)) == *expected_; }, 120s));
  }
  static void TearDownTestSuite() {
    delete expected_;
    delete feed_;
    delete stack_;
  }
  static Stack* stack_;
  static Feed* feed_;
  static std::map<std::string, std::string>* expected_;
  static int ingest_, metrics_, reporting_;
};

Stack* Observability::stack_ = nullptr;
Feed* Observability::feed_ = nullptr;
std::map<std::string, std::string>* Observability::expected_ = nullptr;
int Observability::ingest_ = 0, Observability::metrics_ = 0, Observability::reporting_ = 0;

TEST_F(Observability, EveryServiceServesValidPrometheusMetricsAndHealth) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
    FAIL() << "promtool is missing (Debian package `prometheus`): the metrics cannot be validated";
  }
  for (int s : {ingest_, metrics_, reporting_}) {
    const int port = stack_->http_port(s);
    ASSERT_GT(port, 0);
    const auto [status, body] = http_get(port, "/metrics");
    ASSERT_EQ(status, 200);
    const auto [ok, verdict] = promtool_check(body);
    EXPECT_TRUE(ok) << verdict << "\n" << body;
    for (const char* name : {"pqrflow_build_info", "pqrflow_kafka_errors_total", "pqrflow_consumer_lag_messages"}) {
      EXPECT_NE(body.find(name), std::string::npos) << name;
    }
    EXPECT_EQ(http_get(port, "/healthz").first, 200);
    EXPECT_TRUE(eventually([&] { return http_get(port, "/readyz").first == 200; }, 30s)) << http_get(port, "/readyz").second;
  }
  const std::string ingest_metrics = http_get(stack_->http_port(ingest_), "/metrics").second;
  EXPECT_NE(ingest_metrics.find("pqrflow_deadletter_by_reason_total{reason=\"invalid_json\"}"), std::string::npos);
  EXPECT_NE(ingest_metrics.find("pqrflow_ingest_batch_duration_seconds_bucket"), std::string::npos);
  const std::string metrics_metrics = http_get(stack_->http_port(metrics_), "/metrics").second;
  EXPECT_NE(metrics_metrics.find("pqrflow_checkpoint_age_seconds"), std::string::npos);
  EXPECT_NE(metrics_metrics.find("pqrflow_checkpoint_duration_seconds_bucket"), std::string::npos);
  const std::string reporting_metrics = http_get(stack_->http_port(reporting_), "/metrics").second;
  for (const char* name : {"pqrflow_indicator_value{indicator=\"pqr_pendientes\"}", "pqrflow_plan_score_percent",
                           "pqrflow_pending_ratio_percent", "pqrflow_deadline_overdue_tickets",
                           "pqrflow_indicator_achievement_ratio"}) {
    EXPECT_NE(reporting_metrics.find(name), std::string::npos) << name;
  }
}

TEST_F(Observability, ApiRowsAreTheBiFeedsRows) {
  const int port = stack_->http_port(reporting_);
  const auto [status, body] = http_get(port, "/api/v1/indicators");
  ASSERT_EQ(status, 200);
  std::map<std::string, std::string> api;
  const boost::json::value parsed = boost::json::parse(body);
  for (const auto& row : parsed.as_object().at("rows").as_array()) {
    boost::json::object o = row.as_object();
    const std::string key = std::string(o.at("indicator").as_string()) + "|" + std::string(o.at("scope").as_string()) +
                            "|" + std::string(o.at("period").as_string());
    o.erase("version");
    api[key] = boost::json::serialize(o);
  }
  EXPECT_EQ(api, *expected_) << diff_rows(*expected_, api);
  // Filters.
  const auto filtered = boost::json::parse(http_get(port, "/api/v1/indicators?indicator=pqr_pendientes&scope=all&period=2024").second).as_object();
  ASSERT_EQ(filtered.at("rows").as_array().size(), 1U);
  // The compliance endpoint carries the same year-to-date values as the rows.
  const auto compliance = boost::json::parse(http_get(port, "/api/v1/compliance").second).as_object();
  for (const auto& v : compliance.at("indicators").as_array()) {
    const auto& i = v.as_object();
    const std::string id(i.at("indicator").as_string());
    const auto row = boost::json::parse(expected_->at(id + "|all|2024")).as_object();
    EXPECT_EQ(boost::json::serialize(i.at("value")), boost::json::serialize(row.at("value"))) << id;
    EXPECT_EQ(boost::json::serialize(i.at("achievement")), boost::json::serialize(row.at("achievement"))) << id;
  }
  const auto plan_score = boost::json::parse(expected_->at("plan_score|all|2024")).as_object();
  EXPECT_EQ(boost::json::serialize(compliance.at("plan_score")), boost::json::serialize(plan_score.at("value")));
}

TEST_F(Observability, BadQueryParametersGet400NamingTheParameter) {
  const int port = stack_->http_port(reporting_);
  for (const auto& [target, parameter] : std::vector<std::pair<std::string, std::string>>{
           {"/api/v1/indicators?indicator=nope", "indicator"},
           {"/api/v1/indicators?period=2024-13", "period"},
           {"/api/v1/indicators?scope=oficina:Centro", "scope"},
           {"/api/v1/indicators?indicatr=pqr_pendientes", "indicatr"},
           {"/api/v1/deadlines?limit=0", "limit"},
           {"/api/v1/deadlines?kind=sugerencia", "kind"},
           {"/api/v1/compliance?x=1", "x"}}) {
    const auto [status, body] = http_get(port, target);
    EXPECT_EQ(status, 400) << target;
    EXPECT_NE(body.find("\"message\":\"" + parameter), std::string::npos) << target << " → " << body;
  }
}

TEST_F(Observability, DeadlinesComeOverdueFirstWithOfficeAndKind) {
  const auto d = boost::json::parse(http_get(stack_->http_port(reporting_), "/api/v1/deadlines?limit=50").second).as_object();
  const auto& items = d.at("items").as_array();
  std::string previous_due;
  bool seen_not_overdue = false;
  for (const auto& v : items) {
    const auto& i = v.as_object();
    const std::string due(i.at("due_date").as_string());
    EXPECT_LE(previous_due, due);
    previous_due = due;
    const bool overdue = i.at("overdue").as_bool();
    EXPECT_FALSE(overdue && seen_not_overdue) << "an overdue ticket after a not-yet-due one";
    seen_not_overdue = seen_not_overdue || !overdue;
    EXPECT_TRUE(i.contains("office") && i.contains("kind") && i.contains("ticket_id"));
  }
}

}  // namespace
}  // namespace pqrflow::testing
