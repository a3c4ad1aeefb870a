// Prometheus metrics: counters, gauges, histograms and label families, rendered in the
// text exposition format 0.0.4 for GET /metrics.
//
//   metrics::Registry registry;
//   auto& consumed = registry.counter("pqrflow_records_consumed_total", "Raw records read.");
//   auto deadletter = registry.counter_family("pqrflow_deadletter_total",
//                                             "Records sent to the dead-letter topic.",
//                                             {"reason"});
//   deadletter.with({"invalid_json"}).inc();   // pqrflow_deadletter_total{reason="invalid_json"} 1
//   consumed.inc();                            // hot path: one relaxed atomic add
//
// Registration (get-or-create by name and labels) takes a lock; keep the returned
// references, they stay valid as long as the Registry. Updating a metric is lock-free.
// Naming mistakes (bad characters, a counter without "_total", the same name with another
// type, help or buckets) are programming errors and throw std::invalid_argument.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pqrflow::runtime::metrics {

namespace detail {
struct FamilyState;
struct CounterAccess;
}  // namespace detail

// Label name → value pairs, written in the given order.
using Labels = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// Prometheus client defaults, in seconds: 5 ms … 10 s.
inline const std::vector<double> kDefaultLatencyBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                           0.5,   1,    2.5,   5,    10};

// Monotonic. Whole increments are exact up to 2^64; add() takes fractions (seconds spent).
class Counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { whole_.fetch_add(n, std::memory_order_relaxed); }
  // Negative and NaN amounts are ignored: a counter never goes down.
  void add(double amount) noexcept;
  double value() const noexcept;

 private:
  friend struct detail::CounterAccess;  // render() prints whole counts exactly
  std::atomic<std::uint64_t> whole_{0};
  std::atomic<double> fraction_{0.0};
};

class Gauge {
 public:
  void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
  void add(double delta) noexcept { value_.fetch_add(delta, std::memory_order_relaxed); }
  void inc() noexcept { add(1.0); }
  void dec() noexcept { add(-1.0); }
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Fixed upper bounds ("le"), strictly increasing and finite; +Inf is implicit.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  // NaN observations are ignored.
  void observe(double value) noexcept;
  template <class Rep, class Period>
  void observe(std::chrono::duration<Rep, Period> d) noexcept {
    observe(std::chrono::duration<double>(d).count());
  }

  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf (== count)
    double sum = 0;
    std::uint64_t count = 0;
  };
  Snapshot snapshot() const;
  const std::vector<double>& upper_bounds() const noexcept { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // per bucket, not cumulative
  std::atomic<double> sum_{0.0};
};

// A metric with variable labels; with() creates the series on first use and returns the
// same object afterwards. A cheap copyable handle, valid as long as its Registry.
template <class Metric>
class Family {
 public:
  // Values in the order of the label names given at registration. Takes a lock and
  // builds a key: on hot paths, call once and keep the reference.
  Metric& with(std::initializer_list<std::string_view> label_values) const;

 private:
  friend class Registry;
  Family(detail::FamilyState* state, std::string const_labels, std::vector<std::string> names)
      : state_(state), const_labels_(std::move(const_labels)), names_(std::move(names)) {}
  detail::FamilyState* state_;
  std::string const_labels_;  // rendered: name="value",…
  std::vector<std::string> names_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// Keeps a callback gauge registered; destroying (or reset()) removes the series. Once
// reset() returns, the callback is not running and will never run again, so it may
// capture state that dies right after. Must not outlive its Registry.
class GaugeCallback {
 public:
  GaugeCallback() = default;
  GaugeCallback(GaugeCallback&& other) noexcept;
  GaugeCallback& operator=(GaugeCallback&& other) noexcept;
  GaugeCallback(const GaugeCallback&) = delete;
  GaugeCallback& operator=(const GaugeCallback&) = delete;
  ~GaugeCallback() { reset(); }
  void reset() noexcept;

 private:
  friend class Registry;
  GaugeCallback(detail::FamilyState* state, std::string key)
      : state_(state), key_(std::move(key)) {}
  detail::FamilyState* state_ = nullptr;
  std::string key_;
};

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Counter names end in "_total". Registering the same name and labels again returns
  // the existing metric.
  Counter& counter(std::string_view name, std::string_view help, const Labels& const_labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, const Labels& const_labels = {});
  Histogram& histogram(std::string_view name, std::string_view help,
                       const std::vector<double>& upper_bounds, const Labels& const_labels = {});

  CounterFamily counter_family(std::string_view name, std::string_view help,
                               std::vector<std::string> label_names,
                               const Labels& const_labels = {});
  GaugeFamily gauge_family(std::string_view name, std::string_view help,
                           std::vector<std::string> label_names, const Labels& const_labels = {});
  HistogramFamily histogram_family(std::string_view name, std::string_view help,
                                   std::vector<std::string> label_names,
                                   const std::vector<double>& upper_bounds,
                                   const Labels& const_labels = {});

  // A gauge whose value is computed at render time (consumer lag, checkpoint age). The
  // callback runs on the thread calling render(), under the registry's lock: it must be
  // quick, must not throw and must not call into this Registry. A series with the same
  // name and labels must not already exist.
  [[nodiscard]] GaugeCallback gauge_callback(std::string_view name, std::string_view help,
                                             std::function<double()> callback,
                                             const Labels& const_labels = {});
  // A counter whose (monotonic) value is read at render time, e.g. from a service's
  // atomic totals; same handle semantics as gauge_callback. The name ends in _total.
  [[nodiscard]] GaugeCallback counter_callback(std::string_view name, std::string_view help,
                                               std::function<double()> callback,
                                               const Labels& const_labels = {});

  // The text exposition format 0.0.4: families sorted by name, series by labels, HELP and
  // TYPE once per family; families without series are omitted. Safe from any thread.
  std::string render() const;

 private:
  detail::FamilyState& family(std::string_view name, std::string_view help, int kind,
                              const std::vector<double>* bounds);
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<detail::FamilyState>, std::less<>> families_;
};

extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;

}  // namespace pqrflow::runtime::metrics
