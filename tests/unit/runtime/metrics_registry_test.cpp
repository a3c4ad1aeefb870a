// Prometheus registry: exact exposition text, naming rules, and lock-free updates.
#include "runtime/metrics_registry.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

namespace pqrflow::runtime::metrics {
namespace {

TEST(Registry, RendersTheTextFormatExactly) {
  Registry r;
  auto& consumed = r.counter("pqrflow_records_consumed_total", "Raw records read.",
                             {{"topic", "pqrflow.raw.pqr"}});
  consumed.inc();
  consumed.inc(2);
  auto deadletter = r.counter_family("pqrflow_deadletter_total",
                                     "Records sent to the dead-letter topic.", {"reason"});
  deadletter.with({"missing_field"}).inc();
  deadletter.with({"invalid_json"}).inc(3);
  r.gauge("pqrflow_ready", "1 when the service is ready.").set(1);
  auto& latency =
      r.histogram("pqrflow_publish_seconds", "Produce to acknowledgement.", {0.25, 0.5, 1});
  latency.observe(0.0625);
  latency.observe(0.25);  // le is inclusive
  latency.observe(0.75);
  latency.observe(3.0);
  const auto lag = r.gauge_callback("pqrflow_consumer_lag_messages", "Messages behind.",
                                    [] { return 42.5; }, {{"partition", "0"}});

  EXPECT_EQ(r.render(),
            "# HELP pqrflow_consumer_lag_messages Messages behind.\n"
            "# TYPE pqrflow_consumer_lag_messages gauge\n"
            "pqrflow_consumer_lag_messages{partition=\"0\"} 42.5\n"
            "# HELP pqrflow_deadletter_total Records sent to the dead-letter topic.\n"
            "# TYPE pqrflow_deadletter_total counter\n"
            "pqrflow_deadletter_total{reason=\"invalid_json\"} 3\n"
            "pqrflow_deadletter_total{reason=\"missing_field\"} 1\n"
            "# HELP pqrflow_publish_seconds Produce to acknowledgement.\n"
            "# TYPE pqrflow_publish_seconds histogram\n"
            "pqrflow_publish_seconds_bucket{le=\"0.25\"} 2\n"
            "pqrflow_publish_seconds_bucket{le=\"0.5\"} 2\n"
            "pqrflow_publish_seconds_bucket{le=\"1\"} 3\n"
            "pqrflow_publish_seconds_bucket{le=\"+Inf\"} 4\n"
            "pqrflow_publish_seconds_sum 4.0625\n"
            "pqrflow_publish_seconds_count 4\n"
            "# HELP pqrflow_ready 1 when the service is ready.\n"
            "# TYPE pqrflow_ready gauge\n"
            "pqrflow_ready 1\n"
            "# HELP pqrflow_records_consumed_total Raw records read.\n"
            "# TYPE pqrflow_records_consumed_total counter\n"
            "pqrflow_records_consumed_total{topic=\"pqrflow.raw.pqr\"} 3\n");
}

TEST(Registry, LabelledHistogramsPutLeLast) {
  Registry r;
  auto family = r.histogram_family("pqrflow_http_request_seconds", "Request time.", {"route"},
                                   {0.5}, {{"service", "reporting"}});
  family.with({"/metrics"}).observe(std::chrono::milliseconds(250));
  EXPECT_EQ(r.render(),
            "# HELP pqrflow_http_request_seconds Request time.\n"
            "# TYPE pqrflow_http_request_seconds histogram\n"
            "pqrflow_http_request_seconds_bucket{service=\"reporting\",route=\"/metrics\","
            "le=\"0.5\"} 1\n"
            "pqrflow_http_request_seconds_bucket{service=\"reporting\",route=\"/metrics\","
            "le=\"+Inf\"} 1\n"
            "pqrflow_http_request_seconds_sum{service=\"reporting\",route=\"/metrics\"} 0.25\n"
            "pqrflow_http_request_seconds_count{service=\"reporting\",route=\"/metrics\"} 1\n");
}

TEST(Registry, EscapesLabelValuesAndHelp) {
  Registry r;
  auto f = r.gauge_family("pqrflow_odd", "Help with \\ and\nnewline \"quoted\".", {"v"});
  f.with({"a\"b\\c\nd \xFF"}).set(-2.5);
  EXPECT_EQ(r.render(),
            "# HELP pqrflow_odd Help with \\\\ and\\nnewline \"quoted\".\n"
            "# TYPE pqrflow_odd gauge\n"
            "pqrflow_odd{v=\"a\\\"b\\\\c\\nd \xEF\xBF\xBD\"} -2.5\n");
}

TEST(Registry, SpecialValues) {
  Registry r;
  r.gauge("pqrflow_a", "a").set(std::numeric_limits<double>::quiet_NaN());
  r.gauge("pqrflow_b", "b").set(std::numeric_limits<double>::infinity());
  r.gauge("pqrflow_c", "c").set(-std::numeric_limits<double>::infinity());
  r.gauge("pqrflow_d", "d").set(1e21);
  auto& big = r.counter("pqrflow_e_total", "e");
  big.inc(std::numeric_limits<std::uint64_t>::max());  // exact, not rounded through double
  auto& seconds = r.counter("pqrflow_f_seconds_total", "f");
  seconds.add(1.5);
  seconds.add(-4);  // ignored: counters never decrease
  seconds.add(std::numeric_limits<double>::quiet_NaN());
  seconds.inc();
  const std::string text = r.render();
  EXPECT_NE(text.find("pqrflow_a NaN\n"), std::string::npos);
  EXPECT_NE(text.find("pqrflow_b +Inf\n"), std::string::npos);
  EXPECT_NE(text.find("pqrflow_c -Inf\n"), std::string::npos);
  EXPECT_NE(text.find("pqrflow_d 1e+21\n"), std::string::npos);
  EXPECT_NE(text.find("pqrflow_e_total 18446744073709551615\n"), std::string::npos);
  EXPECT_NE(text.find("pqrflow_f_seconds_total 2.5\n"), std::string::npos);
  EXPECT_EQ(seconds.value(), 2.5);
}

TEST(Registry, GetOrCreateReturnsTheSameMetric) {
  Registry r;
  auto& a = r.counter("pqrflow_x_total", "x");
  auto& b = r.counter("pqrflow_x_total", "x");
  EXPECT_EQ(&a, &b);
  auto& other_labels = r.counter("pqrflow_x_total", "x", {{"k", "v"}});
  EXPECT_NE(&a, &other_labels);
  auto family = r.counter_family("pqrflow_y_total", "y", {"reason"});
  auto& first = family.with({"r1"});
  family.with({"r2"}).inc();
  EXPECT_EQ(&first, &family.with({"r1"}));
  auto copy = family;
  EXPECT_EQ(&first, &copy.with({"r1"}));
  auto& h1 = r.histogram("pqrflow_h_seconds", "h", {1, 2});
  auto& h2 = r.histogram("pqrflow_h_seconds", "h", {1, 2, std::numeric_limits<double>::infinity()});
  EXPECT_EQ(&h1, &h2);
}

TEST(Registry, EmptyFamiliesAreNotRendered) {
  Registry r;
  r.counter_family("pqrflow_unused_total", "never incremented", {"reason"});
  EXPECT_EQ(r.render(), "");
}

TEST(Registry, RejectsNamingMistakes) {
  Registry r;
  r.gauge("pqrflow_g", "g");
  r.histogram("pqrflow_lat_seconds", "l", {1});
  EXPECT_THROW(r.counter("pqrflow_records", "no _total suffix"), std::invalid_argument);
  EXPECT_THROW(r.gauge("pqrflow-bad", "dash"), std::invalid_argument);
  EXPECT_THROW(r.gauge("9lives", "digit first"), std::invalid_argument);
  EXPECT_THROW(r.gauge("", "empty"), std::invalid_argument);
  EXPECT_THROW(r.gauge("pqrflow_l", "l", {{"bad-label", "v"}}), std::invalid_argument);
  EXPECT_THROW(r.gauge("pqrflow_l", "l", {{"__reserved", "v"}}), std::invalid_argument);
  EXPECT_THROW(r.gauge_family("pqrflow_l", "l", {"a", "a"}), std::invalid_argument);
  EXPECT_THROW(r.gauge_family("pqrflow_l", "l", {"a"}, {{"a", "x"}}), std::invalid_argument);
  EXPECT_THROW(r.histogram_family("pqrflow_h2", "h", {"le"}, {1}), std::invalid_argument);
}

TEST(Registry, RejectsConflictingRegistrations) {
  Registry r;
  r.gauge("pqrflow_g", "g");
  r.histogram("pqrflow_lat_seconds", "l", {1});
  EXPECT_THROW(r.gauge("pqrflow_g", "other help"), std::invalid_argument);
  EXPECT_THROW(r.counter_family("pqrflow_g", "g", {}), std::invalid_argument);  // type
  EXPECT_THROW(r.histogram("pqrflow_lat_seconds", "l", {2}), std::invalid_argument);
  EXPECT_THROW(r.gauge("pqrflow_lat_seconds_count", "c"), std::invalid_argument);
  EXPECT_THROW(r.histogram("pqrflow_g", "g", {1}), std::invalid_argument);
  r.gauge("pqrflow_x_sum", "x");
  EXPECT_THROW(r.histogram("pqrflow_x", "x", {1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("pqrflow_bad_buckets", "b", {1, 1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("pqrflow_bad_buckets", "b", {2, 1}), std::invalid_argument);
  auto f = r.counter_family("pqrflow_f_total", "f", {"a", "b"});
  EXPECT_THROW(f.with({"only one"}), std::invalid_argument);
  const auto cb = r.gauge_callback("pqrflow_cb", "cb", [] { return 1.0; });
  EXPECT_THROW((void)r.gauge_callback("pqrflow_cb", "cb", [] { return 2.0; }),
               std::invalid_argument);
  EXPECT_THROW(r.gauge("pqrflow_cb", "cb"), std::invalid_argument);
}

TEST(Registry, CallbackGaugesRunAtRenderAndGoAwayWithTheirHandle) {
  Registry r;
  double lag = 5;
  auto handle = r.gauge_callback("pqrflow_lag", "lag", [&] { return lag; }, {{"partition", "3"}});
  EXPECT_EQ(r.render(),
            "# HELP pqrflow_lag lag\n# TYPE pqrflow_lag gauge\npqrflow_lag{partition=\"3\"} 5\n");
  lag = 7;
  EXPECT_NE(r.render().find("pqrflow_lag{partition=\"3\"} 7\n"), std::string::npos);
  GaugeCallback moved = std::move(handle);
  EXPECT_NE(r.render().find("} 7\n"), std::string::npos);
  moved.reset();
  EXPECT_EQ(r.render(), "");
  // The series can be registered again once released (partition re-assigned).
  auto again = r.gauge_callback("pqrflow_lag", "lag", [] { return 1.0; }, {{"partition", "3"}});
  EXPECT_NE(r.render().find("pqrflow_lag{partition=\"3\"} 1\n"), std::string::npos);
}

TEST(Registry, ThrowingCallbackRendersNaN) {
  Registry r;
  auto h =
      r.gauge_callback("pqrflow_broken", "b", []() -> double { throw std::runtime_error("x"); });
  EXPECT_EQ(r.render(),
            "# HELP pqrflow_broken b\n# TYPE pqrflow_broken gauge\npqrflow_broken NaN\n");
}

TEST(Histogram, IgnoresNaNAndCountsEqualInfBucket) {
  Histogram h({1, 2});
  h.observe(std::numeric_limits<double>::quiet_NaN());
  h.observe(-1);
  h.observe(1.5);
  h.observe(std::numeric_limits<double>::infinity());
  const auto s = h.snapshot();
  EXPECT_EQ(s.cumulative, (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(s.count, 3u);
}

TEST(Registry, ConcurrentUpdatesAndRendersAreExact) {
  Registry r;
  auto& c = r.counter("pqrflow_n_total", "n");
  auto& g = r.gauge("pqrflow_g", "g");
  auto& h = r.histogram("pqrflow_h", "h", {0.5});
  auto family = r.counter_family("pqrflow_by_total", "by", {"k"});
  constexpr int kThreads = 4;
  constexpr int kIterations = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto& mine = family.with({t % 2 == 0 ? "even" : "odd"});
      for (int i = 0; i < kIterations; ++i) {
        c.inc();
        g.add(1);
        h.observe(i % 2 == 0 ? 0.25 : 1.0);
        mine.inc();
        if (i % 5000 == 0) (void)r.render();
      }
    });
  }
  for (auto& th : threads) th.join();
  const std::string text = r.render();
  EXPECT_NE(text.find("pqrflow_n_total 80000\n"), std::string::npos);
  EXPECT_NE(text.find("pqrflow_g 80000\n"), std::string::npos);
  EXPECT_NE(text.find("pqrflow_h_bucket{le=\"0.5\"} 40000\n"), std::string::npos);
  EXPECT_NE(text.find("pqrflow_h_count 80000\n"), std::string::npos);
  EXPECT_NE(text.find("pqrflow_h_sum 50000\n"), std::string::npos);
  EXPECT_NE(text.find("pqrflow_by_total{k=\"even\"} 40000\n"), std::string::npos);
}

}  // namespace
}  // namespace pqrflow::runtime::metrics
