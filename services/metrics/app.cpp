#include "metrics/app.hpp"

#include <iostream>

#include "core/plan.hpp"
#include "core/replay.hpp"
#include "metrics/metrics_service.hpp"
#include "runtime/log.hpp"
#include "runtime/service_host.hpp"

namespace pqrflow::metrics {
namespace {

constexpr const char* kService = "pqrflow-metrics";

bool read_text(const std::string& path, std::string* out) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  char buf[65536];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out->append(buf, n);
  std::fclose(f);
  return true;
}

}  // namespace

int run_app(int argc, const char* const argv[]) {
  MetricsSettings s;
  std::string checkpoint_interval = "5s", emit_interval = "10ms", live_interval = "1s";
  runtime::ServiceOptions opts(kService,
                               "keeps the rolling indicator aggregates per input partition, "
                               "publishes partial snapshots, live figures and deadline worklists",
                               9102);
  opts.add()("group-id", runtime::po::value(&s.group_id)->default_value(s.group_id),
             "consumer group shared by every metrics instance")(
      "checkpoint-dir", runtime::po::value(&s.checkpoint_dir)->default_value(s.checkpoint_dir),
      "directory of shard checkpoints; must be shared by all instances of the group")(
      "checkpoint-interval",
      runtime::po::value(&checkpoint_interval)->default_value(checkpoint_interval),
      "how often each changed shard is checkpointed (e.g. 5s); a forked writer serialises the "
      "due shards while events keep flowing, and the next round waits at least 4x that "
      "writer's run")(
      "emit-interval", runtime::po::value(&emit_interval)->default_value(emit_interval),
      "coalescing window: changed cells are published right after the batch that changed them, at "
      "most once per interval")(
      "live-interval", runtime::po::value(&live_interval)->default_value(live_interval),
      "how often clock-dependent figures (pending ratio, deadlines) are recomputed")(
      "clock", runtime::po::value(&s.clock)->default_value(s.clock),
      "wall | event | file:PATH | fixed:RFC3339 — the clock of live figures")(
      "warn-days", runtime::po::value(&s.warn_days)->default_value(s.warn_days),
      "business days before the legal due date that count as deadline risk")(
      "worklist-limit", runtime::po::value(&s.worklist_limit)->default_value(s.worklist_limit),
      "most urgent tickets published per shard")(
      "plan", runtime::po::value(&s.plan_path),
      "action plan (YAML) whose legal terms per kind to use (default 15 business days)")(
      "batch-size", runtime::po::value(&s.batch_size)->default_value(s.batch_size),
      "events polled per batch");
  if (auto exit = opts.parse(argc, argv)) return *exit;
  s.common = opts.common();
  const auto ci = runtime::parse_duration(checkpoint_interval);
  if (!ci || ci->count() < 100)
    return opts.reject("checkpoint-interval", checkpoint_interval,
                       "expected a duration ≥ 100ms, like 5s");
  const auto ei = runtime::parse_duration(emit_interval);
  if (!ei || ei->count() < 1)
    return opts.reject("emit-interval", emit_interval, "expected a duration ≥ 1ms, like 250ms");
  const auto li = runtime::parse_duration(live_interval);
  if (!li || li->count() < 10)
    return opts.reject("live-interval", live_interval, "expected a duration ≥ 10ms, like 1s");
  s.checkpoint_interval = *ci;
  s.emit_interval = *ei;
  s.live_interval = *li;
  if (s.warn_days < 0 || s.warn_days > 30)
    return opts.reject("warn-days", std::to_string(s.warn_days), "expected 0..30");
  if (s.worklist_limit < 0 || s.worklist_limit > 100000)
    return opts.reject("worklist-limit", std::to_string(s.worklist_limit), "expected 0..100000");
  if (s.batch_size < 1 || s.batch_size > 1000000)
    return opts.reject("batch-size", std::to_string(s.batch_size), "expected 1..1000000");
  if (s.checkpoint_dir.empty())
    return opts.reject("checkpoint-dir", "", "expected a directory path");
  if (!s.plan_path.empty()) {
    std::string text;
    if (!read_text(s.plan_path, &text))
      return opts.reject("plan", s.plan_path, "the file cannot be read");
    core::PlanLoad load = core::load_plan(text);
    if (!load.plan) {
      for (const auto& i : load.issues)
        std::cerr << kService << ": " << s.plan_path << ":" << i.line << ": " << i.message << "\n";
      return opts.reject("plan", s.plan_path, "the plan has errors (run `pqrflow plan check`)");
    }
    s.legal_terms = core::legal_terms_of(*load.plan);
  }
  {
    std::string why;
    if (!runtime::make_clock(
            s.clock, [] { return std::nullopt; }, &why))
      return opts.reject("clock", s.clock, why);
  }

  runtime::configure_logging(kService, s.common);
  runtime::silence_protobuf_logging();
  MetricsService service(s);
  runtime::ServiceHost host(kService, s.common);
  service.attach_metrics(host.registry());
  std::string error;
  if (!service.start(&error)) {
    runtime::log::error("start_failed", {{"error", error}});
    std::cerr << kService << ": " << error << "\n";
    return 1;
  }
  auto& reg = host.registry();
  const MetricsHealth& h = service.health();
  using runtime::metrics::GaugeCallback;
  std::vector<GaugeCallback> callbacks;
  const auto gauge = [&](const char* name, const char* help, const std::atomic<std::int64_t>& v) {
    const std::string_view n(name);
    const auto read = [&v] { return static_cast<double>(v.load()); };
    callbacks.push_back(n.ends_with("_total") ? reg.counter_callback(name, help, read)
                                              : reg.gauge_callback(name, help, read));
  };
  gauge("pqrflow_events_consumed_total", "Canonical events folded into shard state.",
        h.events_total);
  gauge("pqrflow_events_invalid_total", "Canonical events that failed to decode (dead-lettered).",
        h.invalid_total);
  gauge("pqrflow_snapshots_published_total", "Partial indicator snapshots published.",
        h.snapshots_total);
  gauge("pqrflow_checkpoints_total", "Checkpoint rounds completed.", h.checkpoints_total);
  gauge("pqrflow_checkpoint_failures_total", "Checkpoint rounds deferred or failed.",
        h.checkpoint_failures_total);
  gauge("pqrflow_shards", "Shards (input partitions) owned.", h.shards);
  callbacks.push_back(reg.gauge_callback(
      "pqrflow_checkpoint_age_seconds", "Seconds since the last completed checkpoint.", [&h] {
        const std::int64_t last = h.last_checkpoint_us.load();
        return last == 0 ? -1.0 : static_cast<double>(runtime::wall_now().us - last) / 1e6;
      }));
  runtime::CachedCheck brokers([&service] { return service.cluster_reachable(); },
                               std::chrono::seconds(2));
  const auto ready = [&h, &brokers, max_lag = s.common.ready_max_lag]() -> std::string {
    return runtime::common_readiness(h.gap, h.assigned, brokers, h.lag, max_lag);
  };
  if (!host.start(
          ready, [&service] { service.stop(); }, &error)) {
    std::cerr << kService << ": " << error << "\n";
    return 2;
  }
  runtime::log::info(
      "started",
      {{"brokers", s.common.brokers}, {"checkpoint_dir", s.checkpoint_dir}, {"clock", s.clock}});
  service.run();
  host.shutdown();
  return 0;
}

}  // namespace pqrflow::metrics
