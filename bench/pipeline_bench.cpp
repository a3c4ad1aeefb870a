// End-to-end harness on the embedded broker: the real `pqrflow broker` and the services as
// separate processes, fed by a Kafka producer in this process. docs/performance.md
// explains the method; bench/run.sh runs the whole suite.
//
//   build/bench/pipeline_bench [--phases limit,throughput,latency,memory] [--records 2000000]
//                              [--partitions 16] [--rate 5000] [--latency-seconds 60]
//                              [--probe-ms 50] [--open-tickets 1000000] [--results FILE]
//
// Phases (run in this order, whichever are selected):
//  limit       The same topology without processing, on the same broker, over the same
//              records. First the write side alone (produce, nobody reading). Then a
//              plain consumer with ingest's consumer and producer settings forwards the
//              raw bytes to a relay topic that a second plain consumer reads: records/s
//              until the reader has every record. --limit-modes: `plain` forwards
//              continuously (commits once a second), `batched` waits one round trip
//              per batch (poll ≤ 5000, produce, flush, synchronous commit). After `plain`, a single
//              plain consumer reads back what the broker still holds of the raw topics.
//  throughput  --records generated records (sim::Generator) through ingest → metrics →
//              reporting with the services' default settings. Sustained records/s = records
//              ÷ (end − first produce), end = the later of "metrics has folded every
//              accepted event" and "the compliance table last changed". Zero loss is
//              verified by counts: producer acknowledgements = raw log-end offsets =
//              ingest's records consumed = events published + dead-lettered (broker log-end
//              offsets of both topics agree), dead letters = the generator's invalid
//              records, metrics' events consumed = events published; and the final BI rows
//              equal core::Replayer over the same records.
//  latency     Offered load at --rate records/s (the months after the throughput feed).
//              BI: every --probe-ms a probe (a reclamo filed in 1999-01, a month nothing
//              else touches) is produced; latency = produce → first BI row
//              indice_reclamacion|all|1999-01 whose numerator counts it. Alerts: metrics
//              is restarted from its checkpoint on a fixed clock (1999-01-01), so that
//              only tickets filed before it
//              count in the live deadline figures (the background feed is later); a probe
//              ticket filed 1998-11-02 is overdue at once → legal_deadline_overdue goes
//              pending, then firing; answering it resolves the alert. Latency = produce →
//              the transition on pqrflow.alerts.v1, per cycle (one alert at a time).
//  memory      A fresh stack (ingest + metrics): metrics' RSS before and after
//              --open-tickets unanswered pqr.filed records (bench/open_tickets.hpp).
//
// Feeding is closed-loop (see Window): the producer stays ≤ --ahead records ahead of the
// first stage and 1.5 × that ahead of the last, for the broker's 5 MiB cap per partition.
// CPU seconds per process are reported for the limit and throughput windows.
//
// Every phase checks what it measured; the exit code is 1 when any check failed (the
// bench-smoke CTest test relies on it). The last stdout line is `RESULT {json}`.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "core/plan.hpp"
#include "core/replay.hpp"
#include "open_tickets.hpp"
#include "pqrflow/v1/indicators.pb.h"
#include "runtime/clock.hpp"
#include "runtime/kafka.hpp"
#include "sim/generator.hpp"
#include "support/stack.hpp"

namespace po = boost::program_options;
namespace json = boost::json;
using namespace pqrflow;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

namespace {

// ---- small utilities ---------------------------------------------------------------

std::int64_t now_ms() {
  return runtime::wall_now().us / 1000;
}

double seconds_since(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

// Nearest-rank percentile.
double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::min(std::max<std::size_t>(rank, 1), v.size()) - 1];
}

json::object latency_summary(const std::vector<double>& ms) {
  json::object o;
  o["n"] = ms.size();
  o["p50_ms"] = percentile(ms, 50);
  o["p99_ms"] = percentile(ms, 99);
  o["p999_ms"] = percentile(ms, 99.9);
  o["max_ms"] = ms.empty() ? 0.0 : *std::max_element(ms.begin(), ms.end());
  return o;
}

std::string latency_text(const std::vector<double>& ms) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "n=%zu p50 %.0f ms, p99 %.0f ms, p99.9 %.0f ms, max %.0f ms",
                ms.size(), percentile(ms, 50), percentile(ms, 99), percentile(ms, 99.9),
                ms.empty() ? 0.0 : *std::max_element(ms.begin(), ms.end()));
  return buf;
}

// Checks collect failures; the exit code reports them.
struct Checks {
  std::vector<std::string> failures;
  void expect(bool ok, const std::string& what) {
    std::printf("  check %-4s %s\n", ok ? "ok" : "FAIL", what.c_str());
    std::fflush(stdout);
    if (!ok) failures.push_back(what);
  }
  template <typename A, typename B>
  void equal(const A& a, const B& b, const std::string& what) {
    std::ostringstream s;
    s << what << ": " << a << (a == b ? " = " : " ≠ ") << b;
    expect(a == b, s.str());
  }
};

// One sample of a Prometheus text exposition: the first line "name value" or
// "name{…} value" (labels ignored). nullopt when absent.
std::optional<double> prom_value(const std::string& text, std::string_view name) {
  std::size_t at = 0;
  while ((at = text.find(name, at)) != std::string::npos) {
    const bool line_start = at == 0 || text[at - 1] == '\n';
    const std::size_t after = at + name.size();
    if (line_start && after < text.size() && (text[after] == ' ' || text[after] == '{')) {
      std::size_t v = text.find(' ', after);
      if (text[after] == '{') v = text.find("} ", after) + 1;
      return std::strtod(text.c_str() + v + 1, nullptr);
    }
    at = after;
  }
  return std::nullopt;
}

// A Prometheus histogram (no labels but `le`): cumulative buckets, sum, count.
struct Histogram {
  std::vector<std::pair<double, double>> buckets;  // (le, cumulative count), +Inf last
  double sum = 0, count = 0;
};
Histogram prom_histogram(const std::string& text, const std::string& name) {
  Histogram h;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name + "_bucket{le=\"", 0) == 0) {
      const std::size_t le = name.size() + 12;
      const std::string bound = line.substr(le, line.find('"', le) - le);
      const double count = std::strtod(line.c_str() + line.rfind(' ') + 1, nullptr);
      h.buckets.emplace_back(bound == "+Inf" ? HUGE_VAL : std::strtod(bound.c_str(), nullptr),
                             count);
    } else if (line.rfind(name + "_sum ", 0) == 0) {
      h.sum = std::strtod(line.c_str() + name.size() + 5, nullptr);
    } else if (line.rfind(name + "_count ", 0) == 0) {
      h.count = std::strtod(line.c_str() + name.size() + 7, nullptr);
    }
  }
  return h;
}

// What a service spent in one timed operation between two scrapes: rounds, mean, and
// the bucket bound the slowest one stayed under.
json::object histogram_delta(const Histogram& before, const Histogram& after) {
  json::object o;
  const double count = after.count - before.count;
  o["count"] = count;
  o["mean_ms"] = count > 0 ? (after.sum - before.sum) / count * 1000 : 0.0;
  double max_bound = 0;
  for (std::size_t i = 0; i < after.buckets.size(); ++i) {
    const double b = i < before.buckets.size() ? before.buckets[i].second : 0;
    if (after.buckets[i].second - b >= count) {
      max_bound = after.buckets[i].first;
      break;
    }
  }
  o["max_below_ms"] = std::isinf(max_bound) ? -1.0 : max_bound * 1000;
  return o;
}

struct ProcStatus {
  long rss_kib = 0;
  long hwm_kib = 0;
};
ProcStatus proc_status(pid_t pid) {
  ProcStatus s;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) s.rss_kib = std::strtol(line.c_str() + 6, nullptr, 10);
    if (line.rfind("VmHWM:", 0) == 0) s.hwm_kib = std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return s;
}

// CPU time (user + system) a process has used so far, in seconds, with that of its
// children it has waited for (metrics' forked checkpoint writers).
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 1));
  std::string skip;
  for (int field = 3; field <= 13; ++field) fields >> skip;  // state … cmajflt
  long utime = 0, stime = 0, cutime = 0, cstime = 0;
  fields >> utime >> stime >> cutime >> cstime;
  return static_cast<double>(utime + stime + cutime + cstime) /
         static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// CPU seconds each process spends between begin() and end().
class CpuMeter {
 public:
  void add(const std::string& name, pid_t pid) { procs_.push_back({name, pid, 0}); }
  void begin() {
    for (Proc& p : procs_) p.start = cpu_seconds(p.pid);
    started_ = SteadyClock::now();
  }
  // Prints "cpu: …" and returns {name: seconds, …, "wall": seconds}.
  json::object end(std::uint64_t records) {
    const double wall = seconds_since(started_);
    json::object out;
    double total = 0;
    std::string line;
    for (const Proc& p : procs_) {
      const double used = cpu_seconds(p.pid) - p.start;
      out[p.name] = used;
      total += used;
      char buf[80];
      std::snprintf(buf, sizeof buf, "%s%s %.1f s", line.empty() ? "" : ", ", p.name.c_str(), used);
      line += buf;
    }
    out["wall"] = wall;
    std::printf(
        "cpu: %s; total %.1f s in %.1f s wall = %.2f cores busy; %.1f cpu-s per 1M records\n",
        line.c_str(), total, wall, total / wall,
        total / std::max(1.0, static_cast<double>(records)) * 1e6);
    return out;
  }

 private:
  struct Proc {
    std::string name;
    pid_t pid;
    double start;
  };
  std::vector<Proc> procs_;
  SteadyClock::time_point started_;
};

std::string fmt_rate(double r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", r);
  return buf;
}

// ---- options -----------------------------------------------------------------------

struct Options {
  std::set<std::string> phases;
  std::uint64_t records = 2'000'000;
  int partitions = 16;
  std::int64_t ahead = 0;  // 0 = 12000 × partitions (see Window)
  double rate = 5000;
  int latency_seconds = 60;
  int probe_ms = 50;
  int fetch_wait_ms = 10;  // fetch.wait.max.ms of the services, the limit and the watchers
  std::uint64_t open_tickets = 1'000'000;
  bool verify_bi = true;
  double min_rate = 0;
  std::string results, label;
  // Service settings, passed on only when given (the services' defaults otherwise).
  std::string emit_interval, live_interval, bi_interval, alert_interval;
};

// ---- the generated feed ----------------------------------------------------------------

// The first `records` records of a generated utility (2023-01 onwards), sized so that its
// months cover them: a deterministic prefix, the same on every pass.
struct FeedSpec {
  sim::GeneratorOptions options;
  std::uint64_t records = 0;
};

FeedSpec feed_spec(std::uint64_t records, std::uint64_t seed) {
  // Records per subscriber over 24 months, measured on a small utility.
  sim::GeneratorOptions probe;
  probe.subscribers = 500;
  probe.seed = seed;
  const sim::Summary s = sim::generate(probe, [](const sim::RawRecord&) {});
  const double per_subscriber = static_cast<double>(s.records) / probe.subscribers;
  FeedSpec f;
  f.options.seed = seed;
  f.options.subscribers =
      std::max(200, static_cast<int>(static_cast<double>(records) / per_subscriber * 1.03) + 1);
  f.records = records;
  return f;
}

class FeedStream {
 public:
  explicit FeedStream(const FeedSpec& spec) : gen_(spec.options), left_(spec.records) {}
  const sim::RawRecord* next() {
    if (left_ == 0 || !gen_.next(&record_)) return nullptr;
    --left_;
    return &record_;
  }

 private:
  sim::Generator gen_;
  std::uint64_t left_;
  sim::RawRecord record_;
};

// ---- feeding with a bound on what is in flight ---------------------------------------

struct FeedResult {
  std::uint64_t produced = 0;
  std::uint64_t invalid = 0;  // records the generator made invalid
  std::int64_t t0_ms = 0;     // first produce call (wall)
  SteadyClock::time_point t0;
  bool ok = true;
  std::string error;
};

// How far the feed may run ahead of its consumers. The embedded broker keeps ~5 MiB
// per partition, so records must be read before that much piles up behind a consumer;
// and it answers an empty fetch only after fetch.wait.max.ms (it does not cut the wait
// short when data arrives: up to 500 ms with librdkafka's default, 10 ms with the
// services' setting, which the limit's consumers copy). The window keeps the first stage
// busy while staying far below the retention.
struct Window {
  std::int64_t first = 0;  // records produced but not yet consumed by the first stage
  std::int64_t last = 0;   // … not yet handled by the last per-record stage
};
Window window_for(const Options& o);

struct Progress {
  std::function<std::int64_t()> first, last;
};

// Produces every record the source yields, staying within the window.
FeedResult feed(runtime::Producer& producer, const std::function<const sim::RawRecord*()>& source,
                const std::function<std::string_view(const sim::RawRecord&)>& topic_of,
                const Progress& progress, Window window) {
  FeedResult r;
  std::string error;
  const std::int64_t check_every = std::max<std::int64_t>(1000, window.first / 20);
  while (const sim::RawRecord* rec = source()) {
    if (r.produced == 0) {
      r.t0_ms = now_ms();
      r.t0 = SteadyClock::now();
    }
    if (!producer.produce(topic_of(*rec), rec->key, rec->json, {}, &error)) {
      r.ok = false;
      r.error = "produce: " + error;
      return r;
    }
    if (rec->invalid != sim::InvalidKind::kNone) ++r.invalid;
    ++r.produced;
    if (static_cast<std::int64_t>(r.produced) % check_every == 0) {
      const auto n = static_cast<std::int64_t>(r.produced);
      std::int64_t seen = -1;
      auto stalled_since = SteadyClock::now();
      for (;;) {
        const std::int64_t first = progress.first(), last = progress.last();
        if (n - first <= window.first && n - last <= window.last) break;
        if (first + last != seen) {
          seen = first + last;
          stalled_since = SteadyClock::now();
        } else if (SteadyClock::now() - stalled_since > 120s) {
          r.ok = false;
          r.error = "no progress for 120 s: " + std::to_string(first) + " and " +
                    std::to_string(last) + " of " + std::to_string(n) + " produced";
          return r;
        }
        producer.poll(2ms);
      }
    }
  }
  const runtime::DeliveryReport d = producer.flush(120s);
  if (!d.complete || d.failed > 0 ||
      producer.delivered_total() != static_cast<std::int64_t>(r.produced)) {
    r.ok = false;
    r.error = "delivery: complete=" + std::to_string(d.complete) +
              " failed=" + std::to_string(d.failed) + " " + d.last_error;
  }
  return r;
}

// 12000 records per partition: at most ~10k billing records (~2.5 MiB uncompressed,
// ~0.7 MiB as the producer's lz4 batches) wait in a raw partition, half the broker's cap
// before compression; 1.5 × that in the events or relay topic.
Window window_for(const Options& o) {
  const std::int64_t first = o.ahead > 0 ? o.ahead : 12000LL * o.partitions;
  return {first, first * 3 / 2};
}

// The limit's consumers: ingest's consumer settings (services/ingest/ingest_service.cpp).
std::unique_ptr<runtime::Consumer> limit_consumer(const std::string& brokers,
                                                  const std::string& group,
                                                  const std::string& client, int fetch_wait_ms,
                                                  std::string* error) {
  return runtime::Consumer::create({{"bootstrap.servers", brokers},
                                    {"group.id", group},
                                    {"client.id", client},
                                    {"session.timeout.ms", "10000"},
                                    {"heartbeat.interval.ms", "1000"},
                                    {"fetch.message.max.bytes", "2097152"},
                                    {"fetch.wait.max.ms", std::to_string(fetch_wait_ms)}},
                                   error);
}

// Start from the group's committed offsets; raise `assigned` once partitions arrive.
runtime::Consumer::RebalanceHooks from_committed(std::atomic<bool>* assigned) {
  runtime::Consumer::RebalanceHooks hooks;
  hooks.on_assigned = [assigned](const std::vector<runtime::TopicPartition>& tps) {
    std::vector<runtime::TopicPartition> from = tps;
    for (auto& tp : from) tp.offset = runtime::kOffsetStored;
    *assigned = true;
    return from;
  };
  return hooks;
}

std::unique_ptr<runtime::Producer> bench_producer(const std::string& brokers) {
  std::string error;
  auto p = runtime::Producer::create({{"bootstrap.servers", brokers},
                                      {"client.id", "pipeline-bench"},
                                      {"linger.ms", "5"},
                                      {"compression.type", "lz4"},
                                      {"partitioner", "murmur2_random"}},
                                     &error);
  if (!p) throw std::runtime_error(error);
  return p;
}

std::int64_t end_offsets(const std::string& brokers, const std::vector<std::string>& topics) {
  std::string error;
  auto c = runtime::Consumer::create(
      {{"bootstrap.servers", brokers}, {"group.id", "pipeline-bench-offsets"}}, &error);
  if (!c) throw std::runtime_error(error);
  std::int64_t total = 0;
  for (const std::string& t : topics) total += c->end_offsets_total(t, 10s).value_or(-1'000'000);
  return total;
}

// ---- the services with their default settings --------------------------------------

class Services {
 public:
  Services(testing::Stack& stack, const Options& o) : stack_(stack), o_(o) {}

  void start_ingest() {
    ingest_ = stack_.start_service("ingest", stack_.bin().ingest, fetch_wait_args());
  }
  void start_metrics(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = fetch_wait_args();
    args.insert(args.end(), {"--checkpoint-dir", (stack_.dir() / "metrics-state").string()});
    pass(&args, "--emit-interval", o_.emit_interval);
    pass(&args, "--live-interval", o_.live_interval);
    args.insert(args.end(), extra.begin(), extra.end());
    metrics_ = stack_.start_service("metrics" + std::to_string(++metrics_starts_),
                                    stack_.bin().metrics, args);
  }
  void stop_metrics() { stack_.stop(metrics_); }
  // CPU of the broker, the three services and this process (labelled `bench`).
  CpuMeter cpu_meter(const std::string& bench) const {
    CpuMeter cpu;
    cpu.add("broker", stack_.broker_pid());
    cpu.add("ingest", stack_.pid(ingest_));
    cpu.add("metrics", stack_.pid(metrics_));
    cpu.add("reporting", stack_.pid(reporting_));
    cpu.add(bench, ::getpid());
    return cpu;
  }
  void start_reporting() {
    std::vector<std::string> args = fetch_wait_args();
    args.insert(args.end(), {"--plan", stack_.bin().plan, "--checkpoint-dir",
                             (stack_.dir() / "reporting-state").string()});
    pass(&args, "--bi-interval", o_.bi_interval);
    pass(&args, "--alert-interval", o_.alert_interval);
    reporting_ = stack_.start_service("reporting", stack_.bin().reporting, args);
  }
  // Waits until every started service answers /readyz with 200.
  bool wait_ready(std::chrono::seconds timeout = 90s) {
    for (int i : {ingest_, metrics_, reporting_}) {
      if (i < 0) continue;
      const int port = stack_.http_port(i);
      std::pair<int, std::string> readyz;
      if (!testing::eventually(
              [&] {
                readyz = testing::http_get(port, "/readyz");
                return readyz.first == 200;
              },
              timeout, 100ms)) {
        std::cerr << "service " << i << " not ready: " << readyz.first << " " << readyz.second
                  << "\n"
                  << stack_.log_of(i) << "\n";
        return false;
      }
      ports_[i] = port;
    }
    return true;
  }
  // Waits until the service has logged its partition assignment (after its checkpoint
  // restore) and answers HTTP.
  bool wait_assigned(int index, std::chrono::seconds timeout = 180s) {
    if (!testing::eventually(
            [&] {
              return stack_.log_of(index).find("\"partitions_assigned\"") != std::string::npos;
            },
            timeout, 100ms)) {
      std::cerr << "service " << index << " got no partitions:\n" << stack_.log_of(index) << "\n";
      return false;
    }
    ports_[index] = stack_.http_port(index);
    return true;
  }
  // The service's /metrics text (empty when it did not answer).
  std::string scrape(int index) {
    auto [status, body] = testing::http_get(ports_.at(index), "/metrics");
    return status == 200 ? std::move(body) : std::string();
  }
  int ingest() const { return ingest_; }
  int metrics() const { return metrics_; }
  int reporting() const { return reporting_; }

 private:
  // --fetch-wait-ms for the services, when it differs from their own 10 ms.
  std::vector<std::string> fetch_wait_args() const {
    if (o_.fetch_wait_ms == 10) return {};
    return {"--kafka-property", "fetch.wait.max.ms=" + std::to_string(o_.fetch_wait_ms)};
  }
  static void pass(std::vector<std::string>* args, const char* option, const std::string& v) {
    if (v.empty()) return;
    args->push_back(option);
    args->push_back(v);
  }
  testing::Stack& stack_;
  const Options& o_;
  int ingest_ = -1, metrics_ = -1, reporting_ = -1, metrics_starts_ = 0;
  std::map<int, int> ports_;
};

// Counters of ingest and metrics, sampled by a background thread.
struct StageCounters {
  double consumed = 0, published = 0, deadletter = 0, redelivered = 0;  // ingest
  double folded = 0, invalid = 0, checkpoints = 0;                      // metrics
};

class Monitor {
 public:
  Monitor(Services& s, std::chrono::milliseconds every) : s_(s), every_(every) {
    thread_ = std::thread([this] { run(); });
  }
  ~Monitor() { stop(); }
  void stop() {
    done_ = true;
    if (thread_.joinable()) thread_.join();
  }
  StageCounters latest() {
    std::lock_guard lock(mu_);
    return latest_;
  }
  // Records consumed by ingest (first) and fully handled by the last per-record stage:
  // folded by metrics, or dead-lettered by ingest (last).
  Progress progress() {
    return {[this] {
              std::lock_guard lock(mu_);
              return static_cast<std::int64_t>(latest_.consumed);
            },
            [this] {
              std::lock_guard lock(mu_);
              return static_cast<std::int64_t>(latest_.folded + latest_.deadletter);
            }};
  }
  // Wall ms of the first sample where pred held (0 when never).
  std::int64_t first_time(const std::function<bool(const StageCounters&)>& pred) {
    std::lock_guard lock(mu_);
    for (const auto& [t, c] : samples_) {
      if (pred(c)) return t;
    }
    return 0;
  }

 private:
  void run() {
    while (!done_) {
      StageCounters c = latest();
      const std::string ingest = s_.ingest() >= 0 ? s_.scrape(s_.ingest()) : std::string();
      const std::string metrics = s_.metrics() >= 0 ? s_.scrape(s_.metrics()) : std::string();
      const auto get = [](const std::string& text, std::string_view name, double* out) {
        if (auto v = prom_value(text, name)) *out = *v;
      };
      get(ingest, "pqrflow_records_consumed_total", &c.consumed);
      get(ingest, "pqrflow_events_published_total", &c.published);
      get(ingest, "pqrflow_deadletter_records_total", &c.deadletter);
      get(ingest, "pqrflow_batches_redelivered_total", &c.redelivered);
      get(metrics, "pqrflow_events_consumed_total", &c.folded);
      get(metrics, "pqrflow_events_invalid_total", &c.invalid);
      get(metrics, "pqrflow_checkpoints_total", &c.checkpoints);
      {
        std::lock_guard lock(mu_);
        latest_ = c;
        samples_.emplace_back(now_ms(), c);
      }
      std::this_thread::sleep_for(every_);
    }
  }
  Services& s_;
  std::chrono::milliseconds every_;
  std::atomic<bool> done_{false};
  std::mutex mu_;
  StageCounters latest_;
  std::vector<std::pair<std::int64_t, StageCounters>> samples_;
  std::thread thread_;
};

// Follows pqrflow.compliance.v1 from the beginning and notes when the table's content
// (version and as-of aside) last changed, by the time this consumer received it. (The
// update's version is not a timestamp to rely on: reporting numbers its publications
// max(previous + 1, wall ms), so a burst of rows runs the counter ahead of the clock.)
class ComplianceWatch {
 public:
  ComplianceWatch(const std::string& brokers, int partitions) {
    std::string error;
    consumer_ = runtime::Consumer::create({{"bootstrap.servers", brokers},
                                           {"group.id", "pipeline-bench-compliance"},
                                           {"fetch.wait.max.ms", "5"}},
                                          &error);
    if (!consumer_) throw std::runtime_error(error);
    std::vector<runtime::TopicPartition> tps;
    for (int p = 0; p < partitions; ++p)
      tps.push_back({runtime::TopicNames{}.compliance, p, runtime::kOffsetBeginning});
    consumer_->assign(tps, &error);
    thread_ = std::thread([this] { run(); });
  }
  ~ComplianceWatch() {
    done_ = true;
    thread_.join();
  }
  // True once no update has arrived for `quiet` (and at least one has).
  bool settled(std::chrono::milliseconds quiet) {
    std::lock_guard lock(mu_);
    return last_message_ms_ > 0 && now_ms() - last_message_ms_ > quiet.count();
  }
  std::int64_t last_change_ms() {
    std::lock_guard lock(mu_);
    return last_change_ms_;
  }

 private:
  void run() {
    while (!done_) {
      runtime::MessageBatch b = consumer_->poll(1000, 20ms);
      const std::int64_t received = now_ms();
      for (const auto& m : b.messages()) {
        pqrflow::v1::ComplianceUpdate u;
        if (!u.ParseFromString(std::string(m.value))) continue;
        u.set_version(0);
        u.set_as_of_us(0);
        std::string content = u.SerializeAsString();
        std::lock_guard lock(mu_);
        last_message_ms_ = received;
        if (content != previous_) last_change_ms_ = received;
        previous_ = std::move(content);
      }
    }
  }
  std::unique_ptr<runtime::Consumer> consumer_;
  std::atomic<bool> done_{false};
  std::mutex mu_;
  std::string previous_;
  std::int64_t last_message_ms_ = 0, last_change_ms_ = 0;
  std::thread thread_;
};

std::string_view raw_topic(const sim::RawRecord& r) {
  return sim::topic_name(r.topic);
}

// ---- phase: limit ------------------------------------------------------------------

// `batched`: the forwarder waits for the acknowledgements of each polled batch and
// commits it synchronously before the next poll, as ingest does; otherwise it forwards
// continuously and commits asynchronously once a second (a plain consume → produce loop,
// like a consumer with auto-commit).
json::object phase_limit(testing::Stack& stack, const Options& o, const FeedSpec& spec,
                         bool batched, Checks& checks) {
  const std::string mode = batched ? "batched" : "plain";
  std::printf("== limit (%s): forward + read, no processing, %llu records, %d partitions\n",
              mode.c_str(), static_cast<unsigned long long>(spec.records), o.partitions);
  std::fflush(stdout);
  const std::string prefix = "bench.limit." + mode;
  const std::vector<std::string> raw = {prefix + ".raw.pqr", prefix + ".raw.visits",
                                        prefix + ".raw.billing"};
  const std::string relay = prefix + ".relay";
  for (const std::string& t : raw)
    stack.broker_command("topic " + t + " " + std::to_string(o.partitions));
  stack.broker_command("topic " + relay + " " + std::to_string(o.partitions));

  json::object out;
  if (!batched) {
    // The write side alone: the same records produced with nobody reading (what the
    // broker drops beyond its cap is never read).
    const std::vector<std::string> sink = {prefix + ".produce.pqr", prefix + ".produce.visits",
                                           prefix + ".produce.billing"};
    for (const std::string& t : sink)
      stack.broker_command("topic " + t + " " + std::to_string(o.partitions));
    auto producer = bench_producer(stack.brokers());
    FeedStream stream(spec);
    const Window unbounded{1LL << 60, 1LL << 60};
    const FeedResult fr = feed(
        *producer, [&] { return stream.next(); },
        [&](const sim::RawRecord& r) -> std::string_view {
          return sink[static_cast<std::size_t>(r.topic)];
        },
        Progress{[] { return 0; }, [] { return 0; }}, unbounded);
    const double seconds = seconds_since(fr.t0);
    checks.expect(fr.ok, "produce only: every record acknowledged " + fr.error);
    std::printf("produce only: %llu records in %.2f s = %s records/s\n",
                static_cast<unsigned long long>(fr.produced), seconds,
                fmt_rate(static_cast<double>(fr.produced) / seconds).c_str());
    out["produce_only_records_per_s"] = static_cast<double>(fr.produced) / seconds;
  }

  std::atomic<bool> stop{false}, forward_assigned{false}, read_assigned{false};
  std::atomic<std::int64_t> forwarded{0}, read{0}, forward_errors{0}, read_errors{0};
  std::atomic<std::int64_t> read_done_ms{0};
  const std::uint64_t expected = spec.records;
  // Ingest's consumer and producer settings (services/ingest/ingest_service.cpp).
  std::thread forwarder([&] {
    std::string error;
    auto consumer = limit_consumer(stack.brokers(), prefix + ".forward", "bench-limit-forward",
                                   o.fetch_wait_ms, &error);
    auto producer = runtime::Producer::create({{"bootstrap.servers", stack.brokers()},
                                               {"client.id", "bench-limit-forward"},
                                               {"enable.idempotence", "true"},
                                               {"linger.ms", "2"},
                                               {"compression.type", "lz4"},
                                               {"partitioner", "murmur2_random"},
                                               {"message.max.bytes", "2097152"}},
                                              &error);
    if (!consumer || !producer) {
      std::cerr << "limit forwarder: " << error << "\n";
      forward_errors = 1;
      return;
    }
    consumer->subscribe(raw, from_committed(&forward_assigned), &error);
    std::map<std::pair<std::string, std::int32_t>, std::int64_t> next;
    auto last_commit = SteadyClock::now();
    while (!stop) {
      runtime::MessageBatch batch = consumer->poll(5000, 50ms);
      if (!batch.errors().empty())
        forward_errors += static_cast<std::int64_t>(batch.errors().size());
      if (batch.empty()) continue;
      for (const runtime::Message& m : batch.messages()) {
        if (!producer->produce(relay, m.key, m.value, {}, &error)) ++forward_errors;
        next[{std::string(m.topic), m.partition}] = m.offset + 1;
      }
      if (batched) {
        const runtime::DeliveryReport r = producer->flush(30s);
        if (!r.complete || r.failed > 0) ++forward_errors;
      } else {
        producer->poll(0ms);
      }
      if (batched || SteadyClock::now() - last_commit >= 1s) {
        std::vector<runtime::TopicPartition> offsets;
        for (const auto& [tp, offset] : next) offsets.push_back({tp.first, tp.second, offset});
        consumer->commit(offsets, batched, &error);
        next.clear();
        last_commit = SteadyClock::now();
      }
      forwarded += static_cast<std::int64_t>(batch.messages().size());
    }
    const runtime::DeliveryReport r = producer->flush(30s);
    if (!r.complete || r.failed > 0 || producer->failed_total() > 0) ++forward_errors;
    consumer->close();
  });
  std::thread reader([&] {
    std::string error;
    auto consumer = limit_consumer(stack.brokers(), prefix + ".read", "bench-limit-read",
                                   o.fetch_wait_ms, &error);
    if (!consumer) {
      std::cerr << "limit reader: " << error << "\n";
      return;
    }
    consumer->subscribe({relay}, from_committed(&read_assigned), &error);
    while (!stop) {
      runtime::MessageBatch batch = consumer->poll(10000, 50ms);
      read_errors += static_cast<std::int64_t>(batch.errors().size());
      if (batch.empty()) continue;
      const std::int64_t n = read += static_cast<std::int64_t>(batch.messages().size());
      if (n >= static_cast<std::int64_t>(expected) && read_done_ms == 0) read_done_ms = now_ms();
    }
    consumer->close();
  });
  const bool assigned =
      testing::eventually([&] { return forward_assigned && read_assigned; }, 60s, 50ms);
  checks.expect(assigned, "limit: forwarder and reader joined their groups");
  if (!assigned) {
    stop = true;
    forwarder.join();
    reader.join();
    return {};
  }
  auto producer = bench_producer(stack.brokers());
  FeedStream stream(spec);
  CpuMeter cpu;
  cpu.add("broker", stack.broker_pid());
  cpu.add("bench (feed, forwarder, reader)", ::getpid());
  cpu.begin();
  const FeedResult fr = feed(
      *producer, [&] { return stream.next(); },
      [&](const sim::RawRecord& r) -> std::string_view {
        return raw[static_cast<std::size_t>(r.topic)];
      },
      Progress{[&] { return forwarded.load(); }, [&] { return read.load(); }}, window_for(o));
  checks.expect(fr.ok, "limit: every record produced and acknowledged " + fr.error);
  testing::eventually([&] { return read_done_ms.load() != 0; }, 300s, 5ms);
  json::object cpu_used = cpu.end(fr.produced);
  const double seconds = static_cast<double>(read_done_ms - fr.t0_ms) / 1000.0;
  stop = true;
  forwarder.join();
  reader.join();
  const double rate = static_cast<double>(fr.produced) / seconds;
  checks.equal(forwarded.load(), static_cast<std::int64_t>(fr.produced),
               "limit: records forwarded = produced");
  checks.equal(read.load(), static_cast<std::int64_t>(fr.produced),
               "limit: records read from the relay = produced");
  checks.equal(end_offsets(stack.brokers(), {relay}), static_cast<std::int64_t>(fr.produced),
               "limit: relay log-end offsets = produced");
  checks.equal(forward_errors.load(), std::int64_t{0}, "limit: forwarder errors");
  checks.equal(read_errors.load(), std::int64_t{0}, "limit: reader errors");
  std::printf("limit (%s): %llu records produced → forwarded → read in %.2f s = %s records/s\n",
              mode.c_str(), static_cast<unsigned long long>(fr.produced), seconds,
              fmt_rate(rate).c_str());
  out["records"] = fr.produced;
  out["seconds"] = seconds;
  out["records_per_s"] = rate;
  out["cpu_seconds"] = std::move(cpu_used);
  if (batched) return out;

  // The read rate of one plain consumer over what the broker still holds of the raw topics.
  std::string error;
  auto single = runtime::Consumer::create({{"bootstrap.servers", stack.brokers()},
                                           {"group.id", "bench-limit-single"},
                                           {"fetch.message.max.bytes", "2097152"}},
                                          &error);
  std::vector<runtime::TopicPartition> tps;
  for (const std::string& t : raw) {
    for (int p = 0; p < o.partitions; ++p) tps.push_back({t, p, runtime::kOffsetBeginning});
  }
  single->assign(tps, &error);
  std::int64_t single_read = 0;
  SteadyClock::time_point first{}, last{};
  int idle = 0;
  const auto deadline = SteadyClock::now() + 120s;
  while (SteadyClock::now() < deadline) {
    runtime::MessageBatch b = single->poll(10000, 200ms);
    if (!b.empty()) {
      if (single_read == 0) first = SteadyClock::now();
      single_read += static_cast<std::int64_t>(b.messages().size());
      last = SteadyClock::now();
      idle = 0;
      continue;
    }
    bool caught_up = true;
    for (const auto& [tp, lag] : single->lag()) caught_up = caught_up && lag == 0;
    if (caught_up && ++idle >= 2) break;
  }
  single->close();
  const double single_seconds = std::chrono::duration<double>(last - first).count();
  const double single_rate =
      single_seconds > 0 ? static_cast<double>(single_read) / single_seconds : 0.0;
  std::printf("single consumer: read %lld retained raw records in %.2f s = %s records/s\n",
              static_cast<long long>(single_read), single_seconds, fmt_rate(single_rate).c_str());
  checks.expect(single_read > 0, "single consumer read something");
  out["single_consumer_records"] = single_read;
  out["single_consumer_records_per_s"] = single_rate;
  return out;
}

// ---- phase: throughput -------------------------------------------------------------

json::object phase_throughput(testing::Stack& stack, Services& services, const Options& o,
                              const FeedSpec& spec, Checks& checks) {
  std::printf("== throughput: %llu records through ingest → metrics → reporting, %d partitions\n",
              static_cast<unsigned long long>(spec.records), o.partitions);
  std::fflush(stdout);
  const runtime::TopicNames topics;
  Monitor monitor(services, 100ms);
  ComplianceWatch compliance(stack.brokers(), o.partitions);
  auto producer = bench_producer(stack.brokers());
  FeedStream stream(spec);
  CpuMeter cpu = services.cpu_meter("bench (feed)");
  cpu.begin();
  const FeedResult fr = feed(
      *producer, [&] { return stream.next(); }, raw_topic, monitor.progress(), window_for(o));
  const double feed_seconds = seconds_since(fr.t0);
  checks.expect(fr.ok, "every record produced and acknowledged " + fr.error);
  const auto n = static_cast<double>(fr.produced);
  // Wait until ingest and metrics have everything and the compliance table is quiet.
  const bool drained = testing::eventually(
      [&] {
        const StageCounters c = monitor.latest();
        return c.consumed >= n && c.published + c.deadletter >= n && c.folded >= c.published;
      },
      600s, 100ms);
  checks.expect(drained, "ingest and metrics consumed everything");
  json::object cpu_used = cpu.end(fr.produced);
  testing::eventually([&] { return compliance.settled(4s); }, 600s, 100ms);
  const std::int64_t compliance_done = compliance.last_change_ms();
  monitor.stop();
  const StageCounters c = monitor.latest();
  const std::int64_t ingest_done =
      monitor.first_time([&](const StageCounters& s) { return s.consumed >= n; });
  const std::int64_t metrics_done = monitor.first_time(
      [&](const StageCounters& s) { return s.folded >= c.published && s.consumed >= n; });
  const std::int64_t end = std::max(metrics_done, compliance_done);
  const double seconds = static_cast<double>(end - fr.t0_ms) / 1000.0;
  const double rate = n / seconds;
  std::printf(
      "throughput: %llu records in %.2f s = %s records/s (feed %.2f s; ingest done at %.2f s, "
      "metrics at %.2f s, compliance last changed at %.2f s)\n",
      static_cast<unsigned long long>(fr.produced), seconds, fmt_rate(rate).c_str(), feed_seconds,
      static_cast<double>(ingest_done - fr.t0_ms) / 1000.0,
      static_cast<double>(metrics_done - fr.t0_ms) / 1000.0,
      static_cast<double>(compliance_done - fr.t0_ms) / 1000.0);

  // Zero loss, by counts.
  const auto produced = static_cast<std::int64_t>(fr.produced);
  const auto as_int = [](double v) { return static_cast<std::int64_t>(std::llround(v)); };
  checks.equal(end_offsets(stack.brokers(), topics.raw()), produced,
               "raw topics' log-end offsets = records produced");
  checks.equal(as_int(c.consumed), produced, "ingest records consumed = produced");
  checks.equal(as_int(c.published + c.deadletter), produced,
               "ingest events published + dead-lettered = produced");
  checks.equal(as_int(c.deadletter), static_cast<std::int64_t>(fr.invalid),
               "dead-lettered = the generator's invalid records");
  checks.equal(end_offsets(stack.brokers(), {topics.events}), as_int(c.published),
               "events topic log-end offsets = events published");
  checks.equal(end_offsets(stack.brokers(), {topics.deadletter}), as_int(c.deadletter),
               "dead-letter topic log-end offsets = dead-lettered");
  checks.equal(as_int(c.folded), as_int(c.published), "metrics events folded = published");
  checks.equal(as_int(c.redelivered), std::int64_t{0}, "ingest batches redelivered");
  checks.equal(as_int(c.invalid), std::int64_t{0}, "metrics events invalid");
  checks.expect(rate > 0 && rate >= o.min_rate,
                "throughput " + fmt_rate(rate) + " records/s ≥ " + fmt_rate(o.min_rate));

  json::object out;
  if (o.verify_bi) {
    // The final BI rows equal the core's replay of the same records.
    const auto started = SteadyClock::now();
    std::ifstream in(stack.bin().plan);
    std::stringstream text;
    text << in.rdbuf();
    const core::PlanLoad load = core::load_plan(text.str());
    std::map<std::string, std::string> expected;
    {
      core::Replayer replayer(*load.plan, std::nullopt);
      FeedStream again(spec);
      while (const sim::RawRecord* r = again.next()) replayer.feed_json(r->json);
      for (const core::BiRow& row : replayer.rows()) {
        json::object o2 = json::parse(core::to_json(row)).as_object();
        o2.erase("version");
        expected[row.key()] = json::serialize(o2);
      }
    }
    std::map<std::string, std::string> actual;
    const bool same = testing::eventually(
        [&] {
          actual = testing::latest_bi_rows(stack.read_all(topics.bi));
          return actual == expected;
        },
        120s, 1s);
    checks.expect(same, "final BI rows = core::Replayer over the same records (" +
                            std::to_string(expected.size()) + " rows)");
    if (!same) std::printf("%s\n", testing::diff_rows(expected, actual).c_str());
    std::printf("BI cross-check took %.1f s\n", seconds_since(started));
    out["bi_rows"] = expected.size();
  }
  const ProcStatus ing = proc_status(stack.pid(services.ingest()));
  const ProcStatus met = proc_status(stack.pid(services.metrics()));
  const ProcStatus rep = proc_status(stack.pid(services.reporting()));
  std::printf("RSS after: ingest %ld MiB, metrics %ld MiB (peak %ld), reporting %ld MiB\n",
              ing.rss_kib / 1024, met.rss_kib / 1024, met.hwm_kib / 1024, rep.rss_kib / 1024);
  out["cpu_seconds"] = std::move(cpu_used);
  out["records"] = fr.produced;
  out["invalid"] = fr.invalid;
  out["seconds"] = seconds;
  out["records_per_s"] = rate;
  out["feed_seconds"] = feed_seconds;
  out["ingest_done_s"] = static_cast<double>(ingest_done - fr.t0_ms) / 1000.0;
  out["metrics_done_s"] = static_cast<double>(metrics_done - fr.t0_ms) / 1000.0;
  out["compliance_settled_s"] = static_cast<double>(compliance_done - fr.t0_ms) / 1000.0;
  out["events_published"] = as_int(c.published);
  out["dead_lettered"] = as_int(c.deadletter);
  out["ingest_rss_kib"] = ing.rss_kib;
  out["metrics_rss_kib"] = met.rss_kib;
  out["metrics_hwm_kib"] = met.hwm_kib;
  out["reporting_rss_kib"] = rep.rss_kib;
  return out;
}

// ---- phase: latency ----------------------------------------------------------------

constexpr const char* kAlertClock = "fixed:1999-01-01T00:00:00-05:00";
constexpr const char* kAlertKey = "legal_deadline_overdue|all";

std::string probe_record(const std::string& id, const std::string& type, const std::string& at,
                         const std::string& fields) {
  return R"({"event_id":")" + id + R"(","type":")" + type + R"(","occurred_at":")" + at + R"(",)" +
         fields + "}";
}

json::object phase_latency(testing::Stack& stack, Services& services, const Options& o,
                           const FeedSpec& spec, Checks& checks) {
  std::printf("== latency: %.0f records/s offered for %d s, BI probe every %d ms, alert cycles\n",
              o.rate, o.latency_seconds, o.probe_ms);
  std::fflush(stdout);
  const runtime::TopicNames topics;
  std::string error;
  // Alert transitions, from the beginning of the topic.
  struct Transition {
    std::string state;
    std::int64_t received_ms;
  };
  std::mutex mu;
  std::deque<Transition> transitions;  // of kAlertKey, in order
  std::string last_state;
  bool alerts_caught_up = false;
  // BI probe confirmations.
  std::vector<std::int64_t> sent_ms;
  std::vector<double> bi_latencies;
  // The same probes up to reporting's produce call (the BI row's CreateTime): the rest
  // of bi_latencies is the BI consumer's own hop (linger.ms, the broker, its fetch wait).
  std::vector<double> bi_produced_latencies;
  std::int64_t confirmed = 0;
  std::atomic<bool> done{false};
  // The watchers fetch like the services (fetch.wait.max.ms=10): on the embedded broker an
  // idle watcher sees data ≤ 10 ms late, and every fetch costs the broker a scan.
  const auto make_watcher = [&](const std::string& topic, std::int64_t from) {
    auto c = runtime::Consumer::create({{"bootstrap.servers", stack.brokers()},
                                        {"group.id", "pipeline-bench-watch"},
                                        {"fetch.wait.max.ms", std::to_string(o.fetch_wait_ms)}},
                                       &error);
    std::vector<runtime::TopicPartition> tps;
    for (int p = 0; p < o.partitions; ++p) tps.push_back({topic, p, from});
    c->assign(tps, &error);
    return c;
  };
  auto bi_watcher = make_watcher(topics.bi, runtime::kOffsetEnd);
  auto alert_watcher = make_watcher(topics.alerts, runtime::kOffsetBeginning);
  std::thread watch_bi([&] {
    while (!done) {
      runtime::MessageBatch b = bi_watcher->poll(10000, 20ms);
      const std::int64_t received = now_ms();
      for (const auto& m : b.messages()) {
        if (m.key != "indice_reclamacion|all|1999-01") continue;
        const auto row = json::parse(m.value).as_object();
        const auto numerator = static_cast<std::int64_t>(row.at("numerator").to_number<double>());
        std::lock_guard lock(mu);
        while (confirmed < numerator && confirmed < static_cast<std::int64_t>(sent_ms.size())) {
          const std::int64_t sent = sent_ms[static_cast<std::size_t>(confirmed)];
          bi_latencies.push_back(static_cast<double>(received - sent));
          bi_produced_latencies.push_back(static_cast<double>(m.timestamp_ms - sent));
          ++confirmed;
        }
      }
    }
  });
  std::thread watch_alerts([&] {
    while (!done) {
      runtime::MessageBatch b = alert_watcher->poll(1000, 20ms);
      const std::int64_t received = now_ms();
      if (b.empty() && !alerts_caught_up) {
        bool caught_up = true;
        for (const auto& [tp, lag] : alert_watcher->lag()) caught_up = caught_up && lag == 0;
        std::lock_guard lock(mu);
        alerts_caught_up = caught_up;
      }
      for (const auto& m : b.messages()) {
        if (m.key != kAlertKey) continue;
        pqrflow::v1::AlertTransition a;
        if (!a.ParseFromString(std::string(m.value))) continue;
        std::lock_guard lock(mu);
        last_state = a.state();
        transitions.push_back({a.state(), received});
      }
    }
  });
  const auto stop_watchers = [&] {
    done = true;
    watch_bi.join();
    watch_alerts.join();
  };

  // Metrics on the fixed clock: restart it from its checkpoint (the state of the
  // throughput phase stays), then wait until the overdue alert is not active.
  const auto restart = SteadyClock::now();
  if (services.metrics() >= 0) services.stop_metrics();
  services.start_metrics({"--clock", kAlertClock});
  json::object out;
  // Assigned, rather than ready: /readyz counts a restored partition's whole retained log
  // as lag until a new event arrives on it (runtime::Consumer::lag() falls back to
  // high − low while the position is unknown), and no event comes before the load.
  if (!services.wait_assigned(services.metrics())) {
    checks.expect(false, "metrics restarted on the fixed clock");
    stop_watchers();
    return out;
  }
  // Inactive: the watcher has read the whole topic and the last transition (if any) is
  // "resolved", still so after the new live figures of every shard have been evaluated.
  const auto inactive = [&] {
    std::lock_guard lock(mu);
    return alerts_caught_up && (last_state.empty() || last_state == "resolved");
  };
  bool quiet = testing::eventually(inactive, 60s, 100ms);
  std::this_thread::sleep_for(2500ms);
  quiet = quiet && testing::eventually(inactive, 30s, 100ms);
  checks.expect(quiet, "the overdue alert is inactive on the fixed clock");
  std::printf("metrics restarted on the fixed clock, alerts quiet: %.1f s\n",
              seconds_since(restart));
  {
    std::lock_guard lock(mu);
    transitions.clear();
  }

  // The background load: the months after the throughput feed.
  sim::GeneratorOptions load_options = spec.options;
  load_options.seed = spec.options.seed + 1;
  load_options.from = core::YearMonth{spec.options.to.index + 1};
  load_options.to = core::YearMonth{spec.options.to.index + 24};
  // Enough records for the whole period (~26 per subscriber over two years), whatever
  // --records sized the throughput feed for.
  load_options.subscribers =
      std::max(load_options.subscribers, static_cast<int>(o.rate * o.latency_seconds / 20) + 100);
  sim::Generator load(load_options);
  sim::RawRecord rec;
  auto producer = bench_producer(stack.brokers());

  // Alert cycles: file an overdue probe ticket → pending → firing; answer it → resolved.
  enum class Cycle { kIdle, kFiled, kAnswered } cycle = Cycle::kIdle;
  int cycles = 0, cycles_failed = 0;
  std::int64_t filed_ms = 0, answered_ms = 0;
  std::vector<double> pending_lat, firing_lat, resolved_lat;
  std::vector<std::string> expect_next;  // transitions awaited in this cycle
  const auto alert_step = [&](bool may_start) {
    const std::int64_t now = now_ms();
    std::deque<Transition> arrived;
    {
      std::lock_guard lock(mu);
      arrived.swap(transitions);
    }
    for (const Transition& t : arrived) {
      if (expect_next.empty() || t.state != expect_next.front()) {
        std::printf("  unexpected alert transition %s\n", t.state.c_str());
        continue;
      }
      expect_next.erase(expect_next.begin());
      if (t.state == "pending")
        pending_lat.push_back(static_cast<double>(t.received_ms - filed_ms));
      if (t.state == "firing") firing_lat.push_back(static_cast<double>(t.received_ms - filed_ms));
      if (t.state == "resolved")
        resolved_lat.push_back(static_cast<double>(t.received_ms - answered_ms));
    }
    const std::string ticket = "ALERT-" + std::to_string(cycles);
    if (cycle == Cycle::kFiled && expect_next.empty()) {
      producer->produce(topics.raw_pqr, ticket,
                        probe_record("alert-a-" + std::to_string(cycles), "pqr.answered",
                                     "1998-11-03T10:00:00-05:00",
                                     R"("ticket_id":")" + ticket + R"(","outcome":"accede")"),
                        {}, &error);
      producer->poll(0ms);
      answered_ms = now_ms();
      expect_next = {"resolved"};
      cycle = Cycle::kAnswered;
    } else if (cycle == Cycle::kAnswered && expect_next.empty()) {
      cycle = Cycle::kIdle;
    } else if (cycle != Cycle::kIdle &&
               now - (cycle == Cycle::kFiled ? filed_ms : answered_ms) > 30000) {
      ++cycles_failed;  // give up on this cycle; the next one starts clean
      cycle = Cycle::kIdle;
      expect_next.clear();
    }
    if (cycle == Cycle::kIdle && may_start) {
      ++cycles;
      const std::string next_ticket = "ALERT-" + std::to_string(cycles);
      producer->produce(
          topics.raw_pqr, next_ticket,
          probe_record("alert-f-" + std::to_string(cycles), "pqr.filed",
                       "1998-11-02T10:00:00-05:00",
                       R"("ticket_id":")" + next_ticket + R"(","kind":"peticion","channel":"web")"),
          {}, &error);
      producer->poll(0ms);
      filed_ms = now_ms();
      expect_next = {"pending", "firing"};
      cycle = Cycle::kFiled;
    }
  };

  // The services' own timings of their periodic work, over the load period.
  struct Timed {
    const char* label;
    int service;
    const char* histogram;
    Histogram before;
  };
  std::vector<Timed> timed = {
      {"ingest batch (poll → acknowledged)",
       services.ingest(),
       "pqrflow_ingest_batch_duration_seconds",
       {}},
      {"metrics snapshot emission",
       services.metrics(),
       "pqrflow_snapshot_emit_duration_seconds",
       {}},
      {"metrics checkpoint round", services.metrics(), "pqrflow_checkpoint_duration_seconds", {}},
      {"metrics checkpoint pause", services.metrics(), "pqrflow_checkpoint_pause_seconds", {}},
      {"reporting publication", services.reporting(), "pqrflow_publish_duration_seconds", {}},
  };
  // Warm-up: one probe, confirmed before the measured period starts, so the BI watcher
  // (which starts at the log end) is fetching and the probe row exists. Without it the
  // first second of probes measured the watcher's start-up, not the pipeline.
  // Probe n: a reclamo filed in 1999-01 (ticket PROBE-n), its send time recorded.
  const auto send_probe = [&](int n) {
    const std::string ticket = "PROBE-" + std::to_string(n);
    {
      std::lock_guard lock(mu);
      sent_ms.push_back(now_ms());
    }
    producer->produce(
        topics.raw_pqr, ticket,
        probe_record("probe-" + std::to_string(n), "pqr.filed", "1999-01-15T10:00:00-05:00",
                     R"("ticket_id":")" + ticket + R"(","kind":"reclamo","channel":"web")"),
        {}, &error);
  };
  {
    send_probe(0);
    producer->flush(30s);
    const bool warm = testing::eventually(
        [&] {
          std::lock_guard lock(mu);
          return confirmed == 1;
        },
        30s, 5ms);
    checks.expect(warm, "warm-up BI probe confirmed");
    std::lock_guard lock(mu);
    bi_latencies.clear();
    bi_produced_latencies.clear();
  }
  for (Timed& t : timed) t.before = prom_histogram(services.scrape(t.service), t.histogram);
  CpuMeter cpu = services.cpu_meter("bench (load, probes, watchers)");
  cpu.begin();

  const auto start = SteadyClock::now();
  std::size_t produced = 0;
  int probes = 0;
  auto next_probe = start;
  bool more = true;
  while (SteadyClock::now() - start < std::chrono::seconds(o.latency_seconds) && more) {
    const auto now = SteadyClock::now();
    const auto due =
        static_cast<std::size_t>(std::chrono::duration<double>(now - start).count() * o.rate);
    while (produced < due && (more = load.next(&rec))) {
      producer->produce(sim::topic_name(rec.topic), rec.key, rec.json, {}, &error);
      ++produced;
    }
    if (now >= next_probe) {
      send_probe(++probes);
      producer->poll(0ms);
      next_probe = now + std::chrono::milliseconds(o.probe_ms);
    }
    // No new cycle in the last 5 s (or half): every cycle completes under the load.
    alert_step(SteadyClock::now() - start <
               std::chrono::seconds(o.latency_seconds - std::min(5, o.latency_seconds / 2)));
    producer->poll(1ms);
  }
  const double offered = static_cast<double>(produced) / seconds_since(start);
  const auto drain = SteadyClock::now();
  json::object work;
  for (const Timed& t : timed) {
    json::object d =
        histogram_delta(t.before, prom_histogram(services.scrape(t.service), t.histogram));
    std::printf("  %-30s %5.0f rounds, mean %6.1f ms, slowest < %.0f ms\n", t.label,
                d["count"].as_double(), d["mean_ms"].as_double(), d["max_below_ms"].as_double());
    work[t.label] = std::move(d);
  }
  json::object cpu_used = cpu.end(produced);
  producer->flush(30s);
  // Let the last probes and the cycle in progress finish.
  testing::eventually(
      [&] {
        alert_step(false);
        std::lock_guard lock(mu);
        return confirmed == probes + 1 && cycle == Cycle::kIdle;
      },
      45s, 20ms);
  producer->flush(30s);
  stop_watchers();
  std::printf("load stopped; last probes and alert cycle done in %.1f s\n", seconds_since(drain));
  std::lock_guard lock(mu);
  std::printf("latency at %.0f records/s offered (%zu records):\n", offered, produced);
  std::printf("  produce → BI row:               %s\n", latency_text(bi_latencies).c_str());
  std::printf("    … → reporting produced it:    %s\n",
              latency_text(bi_produced_latencies).c_str());
  std::printf("  produce → alert pending:        %s\n", latency_text(pending_lat).c_str());
  std::printf("  produce → alert firing:         %s\n", latency_text(firing_lat).c_str());
  std::printf("  produce (answer) → resolved:    %s\n", latency_text(resolved_lat).c_str());
  checks.equal(confirmed, static_cast<std::int64_t>(probes) + 1,
               "BI probes confirmed (and the warm-up one)");
  checks.expect(firing_lat.size() >= 1, "at least one alert fired");
  checks.equal(cycles_failed, 0, "alert cycles that timed out");
  checks.expect(offered >= 0.9 * o.rate,
                "offered load ≥ 90% of --rate (" + fmt_rate(offered) + ")");
  out["offered_records_per_s"] = offered;
  out["bi"] = latency_summary(bi_latencies);
  out["bi_produced"] = latency_summary(bi_produced_latencies);
  out["alert_pending"] = latency_summary(pending_lat);
  out["alert_firing"] = latency_summary(firing_lat);
  out["alert_resolved"] = latency_summary(resolved_lat);
  out["alert_cycles"] = cycles;
  out["service_work"] = std::move(work);
  out["cpu_seconds"] = std::move(cpu_used);
  return out;
}

// ---- phase: memory -----------------------------------------------------------------

json::object phase_memory(const Options& o, Checks& checks) {
  std::printf("== memory: %llu open tickets into a fresh ingest + metrics, %d partitions\n",
              static_cast<unsigned long long>(o.open_tickets), o.partitions);
  std::fflush(stdout);
  testing::Stack stack(o.partitions);
  Services services(stack, o);
  services.start_ingest();
  services.start_metrics();
  json::object out;
  if (!services.wait_ready()) {
    checks.expect(false, "memory: services ready");
    return out;
  }
  std::this_thread::sleep_for(3s);
  const ProcStatus before = proc_status(stack.pid(services.metrics()));
  Monitor monitor(services, 200ms);
  auto producer = bench_producer(stack.brokers());
  std::uint64_t i = 0;
  sim::RawRecord rec;
  const FeedResult fr = feed(
      *producer,
      [&]() -> const sim::RawRecord* {
        if (i >= o.open_tickets) return nullptr;
        bench::OpenTicket t = bench::open_ticket(i++);
        rec.key = std::move(t.key);
        rec.json = std::move(t.json);
        return &rec;
      },
      [](const sim::RawRecord&) -> std::string_view { return "pqrflow.raw.pqr"; },
      monitor.progress(), window_for(o));
  checks.expect(fr.ok, "memory: every ticket produced " + fr.error);
  const auto n = static_cast<double>(fr.produced);
  const bool folded =
      testing::eventually([&] { return monitor.latest().folded >= n; }, 600s, 100ms);
  const double feed_seconds = seconds_since(fr.t0);
  checks.expect(folded, "memory: metrics folded every ticket");
  // Let a checkpoint round pass after the last event (metrics checkpoints only what
  // changed, so at most one more round comes), then let the process settle.
  const double checkpoints = monitor.latest().checkpoints;
  testing::eventually([&] { return monitor.latest().checkpoints > checkpoints; }, 15s, 100ms);
  std::this_thread::sleep_for(2s);
  monitor.stop();
  const StageCounters c = monitor.latest();
  const ProcStatus after = proc_status(stack.pid(services.metrics()));
  const ProcStatus ingest = proc_status(stack.pid(services.ingest()));
  checks.equal(static_cast<std::int64_t>(c.published), static_cast<std::int64_t>(fr.produced),
               "memory: events published = tickets");
  checks.equal(static_cast<std::int64_t>(c.folded), static_cast<std::int64_t>(fr.produced),
               "memory: events folded = tickets");
  const double per_ticket =
      static_cast<double>(after.rss_kib - before.rss_kib) * 1024.0 / std::max(1.0, n);
  std::printf(
      "memory: metrics RSS %ld MiB → %ld MiB (peak %ld MiB) with %llu open tickets = %.0f "
      "bytes/ticket (fed in %.1f s); ingest RSS %ld MiB\n",
      before.rss_kib / 1024, after.rss_kib / 1024, after.hwm_kib / 1024,
      static_cast<unsigned long long>(fr.produced), per_ticket, feed_seconds,
      ingest.rss_kib / 1024);
  out["open_tickets"] = fr.produced;
  out["metrics_rss_before_kib"] = before.rss_kib;
  out["metrics_rss_after_kib"] = after.rss_kib;
  out["metrics_hwm_kib"] = after.hwm_kib;
  out["bytes_per_ticket"] = per_ticket;
  out["ingest_rss_kib"] = ingest.rss_kib;
  out["seconds"] = feed_seconds;
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::string phases = "limit,throughput,latency,memory", limit_modes = "plain,batched";
  po::options_description options("pipeline_bench options");
  auto add = options.add_options();
  add("help,h", "help");
  add("phases", po::value(&phases)->default_value(phases),
      "comma-separated: limit, throughput, latency, memory");
  add("records", po::value(&o.records)->default_value(o.records),
      "generated records in the limit and throughput phases");
  add("partitions", po::value(&o.partitions)->default_value(o.partitions), "partitions per topic");
  add("limit-modes", po::value(&limit_modes)->default_value(limit_modes),
      "limit forwarders: plain (consume → produce) and/or batched (flush + synchronous "
      "commit per batch); the first is the limit of the ratio");
  add("ahead", po::value(&o.ahead)->default_value(o.ahead),
      "records the feed may run ahead of the first stage (ingest, the limit's forwarder), "
      "1.5 × that ahead of the last (metrics, the limit's reader); 0 = 12000 × partitions");
  add("rate", po::value(&o.rate)->default_value(o.rate), "offered records/s in the latency phase");
  add("latency-seconds", po::value(&o.latency_seconds)->default_value(o.latency_seconds),
      "length of the latency phase");
  add("probe-ms", po::value(&o.probe_ms)->default_value(o.probe_ms),
      "interval between BI latency probes");
  add("fetch-wait-ms", po::value(&o.fetch_wait_ms)->default_value(o.fetch_wait_ms),
      "fetch.wait.max.ms of the services (--kafka-property), the limit's consumers and the "
      "watchers: the embedded broker answers a fetch with no data only after it, even when "
      "data arrives meanwhile, so it bounds each hop's wait");
  add("open-tickets", po::value(&o.open_tickets)->default_value(o.open_tickets),
      "open tickets in the memory phase");
  add("verify-bi", po::value(&o.verify_bi)->default_value(o.verify_bi),
      "compare the final BI rows with core::Replayer");
  add("min-rate", po::value(&o.min_rate)->default_value(o.min_rate),
      "fail when the pipeline's records/s is below this");
  add("results", po::value(&o.results), "append the RESULT json line to this file");
  add("label", po::value(&o.label), "a label stored with the results");
  add("emit-interval", po::value(&o.emit_interval), "metrics --emit-interval (default: its own)");
  add("live-interval", po::value(&o.live_interval), "metrics --live-interval (default: its own)");
  add("bi-interval", po::value(&o.bi_interval), "reporting --bi-interval (default: its own)");
  add("alert-interval", po::value(&o.alert_interval),
      "reporting --alert-interval (default: its own)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, options), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "pipeline_bench: " << e.what() << "\n";
    return 2;
  }
  if (vm.count("help") != 0U) {
    std::cout << options << "\n";
    return 0;
  }
  std::stringstream list(phases);
  for (std::string p; std::getline(list, p, ',');) {
    if (p != "limit" && p != "throughput" && p != "latency" && p != "memory") {
      std::cerr << "pipeline_bench: unknown phase '" << p << "'\n";
      return 2;
    }
    o.phases.insert(p);
  }
  std::vector<std::string> modes;
  std::stringstream mode_list(limit_modes);
  for (std::string m; std::getline(mode_list, m, ',');) {
    if (m != "plain" && m != "batched") {
      std::cerr << "pipeline_bench: unknown limit mode '" << m << "'\n";
      return 2;
    }
    modes.push_back(m);
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows in logs as it happens
  const auto started = SteadyClock::now();
  Checks checks;
  json::object result;
  result["label"] = o.label;
  result["records"] = o.records;
  result["partitions"] = o.partitions;
  try {
    const FeedSpec spec = feed_spec(o.records, 5);
    std::printf("feed: %llu records of a generated utility of %d subscribers (from %s)\n",
                static_cast<unsigned long long>(spec.records), spec.options.subscribers,
                core::format_year_month(spec.options.from).c_str());
    // Each phase's result gets its wall time ("phase_seconds"), set-up included.
    auto lap = SteadyClock::now();
    const auto timed = [&lap](json::object r) {
      r["phase_seconds"] = seconds_since(lap);
      std::printf("(%.1f s)\n", seconds_since(lap));
      std::fflush(stdout);
      lap = SteadyClock::now();
      return r;
    };
    if (o.phases.count("limit") + o.phases.count("throughput") + o.phases.count("latency") > 0) {
      testing::Stack stack(o.partitions);
      for (std::size_t i = 0; i < modes.size() && o.phases.count("limit") != 0U; ++i) {
        json::object r = timed(phase_limit(stack, o, spec, modes[i] == "batched", checks));
        r["mode"] = modes[i];
        result[i == 0 ? "limit" : "limit_" + modes[i]] = std::move(r);
      }
      Services services(stack, o);
      if (o.phases.count("throughput") + o.phases.count("latency") > 0) {
        services.start_ingest();
        if (o.phases.count("throughput") != 0U) services.start_metrics();
        services.start_reporting();
        if (!services.wait_ready()) throw std::runtime_error("services did not become ready");
      }
      if (o.phases.count("throughput") != 0U)
        result["throughput"] = timed(phase_throughput(stack, services, o, spec, checks));
      if (o.phases.count("latency") != 0U)
        result["latency"] = timed(phase_latency(stack, services, o, spec, checks));
    }
    if (o.phases.count("memory") != 0U) result["memory"] = timed(phase_memory(o, checks));
  } catch (const std::exception& e) {
    checks.expect(false, std::string("exception: ") + e.what());
  }
  if (result.contains("limit") && result.contains("throughput")) {
    const double limit = result["limit"].as_object()["records_per_s"].as_double();
    const double pipeline = result["throughput"].as_object()["records_per_s"].as_double();
    result["pipeline_to_limit"] = limit > 0 ? pipeline / limit : 0.0;
    std::printf("pipeline / limit (%s) = %s / %s = %.3f\n", modes.front().c_str(),
                fmt_rate(pipeline).c_str(), fmt_rate(limit).c_str(),
                limit > 0 ? pipeline / limit : 0.0);
    if (result.contains("limit_batched")) {
      const double batched = result["limit_batched"].as_object()["records_per_s"].as_double();
      result["pipeline_to_limit_batched"] = batched > 0 ? pipeline / batched : 0.0;
      std::printf("pipeline / limit (batched) = %s / %s = %.3f\n", fmt_rate(pipeline).c_str(),
                  fmt_rate(batched).c_str(), batched > 0 ? pipeline / batched : 0.0);
    }
  }
  result["failures"] = json::value_from(checks.failures);
  result["wall_seconds"] = seconds_since(started);
  const std::string line = "RESULT " + json::serialize(result);
  std::printf("%s\n", line.c_str());
  if (!o.results.empty())
    std::ofstream(o.results, std::ios::app) << json::serialize(result) << "\n";
  if (!checks.failures.empty()) {
    std::printf("%zu check(s) failed\n", checks.failures.size());
    return 1;
  }
  return 0;
}
