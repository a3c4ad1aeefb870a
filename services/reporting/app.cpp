#include "reporting/app.hpp"

#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

#include "reporting/api.hpp"
#include "reporting/reporting_service.hpp"
#include "runtime/log.hpp"
#include "runtime/service_host.hpp"

namespace pqrflow::reporting {
namespace {

constexpr const char* kService = "pqrflow-reporting";

}  // namespace

int run_app(int argc, const char* const argv[]) {
  ReportingSettings s;
  AlertSettings& a = s.alerts;
  std::string bi_interval = "1s", bi_min_interval = "10ms", alert_interval = "1s",
              checkpoint_interval = "5s";
  std::string lookback = "7d", for_duration = "1h", cooldown = "1d";
  runtime::ServiceOptions opts(kService,
                               "merges partial indicator snapshots, applies the action plan and "
                               "publishes compliance, the BI feed and alerts",
                               8080);
  opts.add()("plan", runtime::po::value(&s.plan_path), "action plan (YAML), required")(
      "checkpoint-dir", runtime::po::value(&s.checkpoint_dir)->default_value(s.checkpoint_dir),
      "directory for reporting's checkpoint")(
      "checkpoint-interval",
      runtime::po::value(&checkpoint_interval)->default_value(checkpoint_interval),
      "how often the merged view is checkpointed")(
      "bi-interval", runtime::po::value(&bi_interval)->default_value(bi_interval),
      "steady tick of the BI feed: changed rows and compliance, and the re-stamp of every row "
      "once the stream is quiet")(
      "bi-min-interval", runtime::po::value(&bi_min_interval)->default_value(bi_min_interval),
      "between ticks, rows changed by new snapshots (and alerts, on new live figures) are "
      "published as soon as they arrive, at most once per this interval (and no sooner than "
      "3x the previous publication's duration after it)")(
      "alert-interval", runtime::po::value(&alert_interval)->default_value(alert_interval),
      "how often alert rules are evaluated")(
      "clock", runtime::po::value(&s.clock)->default_value(s.clock),
      "wall | event | file:PATH | fixed:RFC3339 — the clock of alert timers")(
      "pending-ratio-threshold",
      runtime::po::value(&a.pending_ratio_threshold)->default_value(a.pending_ratio_threshold),
      "alert when pending ÷ filed in the trailing 30 days × 100 reaches this (%)")(
      "pending-ratio-resolve",
      runtime::po::value(&a.pending_ratio_resolve)->default_value(a.pending_ratio_resolve),
      "a firing alert resolves below this (%), lower than the threshold (hysteresis)")(
      "pending-ratio-min-rise",
      runtime::po::value(&a.pending_ratio_min_rise)->default_value(a.pending_ratio_min_rise),
      "minimum rise in points over the look-back window (0 = any level counts)")(
      "pending-ratio-lookback", runtime::po::value(&lookback)->default_value(lookback),
      "look-back window of the rise")(
      "pending-ratio-for", runtime::po::value(&for_duration)->default_value(for_duration),
      "how long the condition must hold before firing")(
      "pending-ratio-cooldown", runtime::po::value(&cooldown)->default_value(cooldown),
      "after resolving, no new alert for this long")(
      "overdue-threshold",
      runtime::po::value(&a.overdue_threshold)->default_value(a.overdue_threshold),
      "alert while at least this many pending tickets are past their legal due date")(
      "due-soon-threshold",
      runtime::po::value(&a.due_soon_threshold)->default_value(a.due_soon_threshold),
      "alert while at least this many pending tickets are within the warning days");
  if (auto exit = opts.parse(argc, argv)) return *exit;
  s.common = opts.common();
  if (s.plan_path.empty()) {
    std::cerr << kService
              << ": missing setting plan: pass --plan FILE (e.g. plans/f-pco-021-2024.yaml)\n";
    return 2;
  }
  std::ifstream in(s.plan_path);
  if (!in) return opts.reject("plan", s.plan_path, "the file cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  core::PlanLoad load = core::load_plan(text.str());
  if (!load.plan) {
    for (const auto& i : load.issues)
      std::cerr << kService << ": " << s.plan_path << ":" << i.line << ": " << i.message << "\n";
    return opts.reject("plan", s.plan_path, "the plan has errors (run `pqrflow plan check`)");
  }
  s.plan = *load.plan;
  struct DurationSetting {
    const char* name;
    std::string* text;
    std::chrono::milliseconds* out;
    std::int64_t min_ms;
  };
  const DurationSetting durations[] = {
      {"bi-interval", &bi_interval, &s.bi_interval, 10},
      {"bi-min-interval", &bi_min_interval, &s.bi_min_interval, 1},
      {"alert-interval", &alert_interval, &s.alert_interval, 10},
      {"checkpoint-interval", &checkpoint_interval, &s.checkpoint_interval, 100},
      {"pending-ratio-lookback", &lookback, &a.pending_ratio_lookback, 0},
      {"pending-ratio-for", &for_duration, &a.pending_ratio_for, 0},
      {"pending-ratio-cooldown", &cooldown, &a.pending_ratio_cooldown, 0},
  };
  for (const DurationSetting& d : durations) {
    const auto v = runtime::parse_duration(*d.text);
    if (!v || v->count() < d.min_ms) {
      return opts.reject(d.name, *d.text,
                         "expected a duration like 250ms, 5s, 2m, 1h or 3d (at least " +
                             std::to_string(d.min_ms) + "ms)");
    }
    *d.out = *v;
  }
  if (s.checkpoint_dir.empty())
    return opts.reject("checkpoint-dir", "", "expected a directory path");
  if (a.pending_ratio_threshold < 0)
    return opts.reject("pending-ratio-threshold", std::to_string(a.pending_ratio_threshold),
                       "expected ≥ 0");
  if (a.pending_ratio_resolve > a.pending_ratio_threshold || a.pending_ratio_resolve < 0) {
    return opts.reject(
        "pending-ratio-resolve", std::to_string(a.pending_ratio_resolve),
        "expected 0..pending-ratio-threshold (hysteresis needs resolve ≤ threshold)");
  }
  if (a.pending_ratio_min_rise < 0)
    return opts.reject("pending-ratio-min-rise", std::to_string(a.pending_ratio_min_rise),
                       "expected ≥ 0");
  if (a.overdue_threshold < 1)
    return opts.reject("overdue-threshold", std::to_string(a.overdue_threshold), "expected ≥ 1");
  if (a.due_soon_threshold < 1)
    return opts.reject("due-soon-threshold", std::to_string(a.due_soon_threshold), "expected ≥ 1");
  {
    std::string why;
    if (!runtime::make_clock(
            s.clock, [] { return std::nullopt; }, &why))
      return opts.reject("clock", s.clock, why);
  }

  runtime::configure_logging(kService, s.common);
  runtime::silence_protobuf_logging();
  ReportingService service(s);
  runtime::ServiceHost host(kService, s.common);
  service.attach_metrics(host.registry());
  std::string error;
  if (!service.start(&error)) {
    runtime::log::error("start_failed", {{"error", error}});
    std::cerr << kService << ": " << error << "\n";
    return 1;
  }
  auto& reg = host.registry();
  const ReportingHealth& h = service.health();
  std::vector<runtime::metrics::GaugeCallback> callbacks;
  const auto counter = [&](const char* name, const char* help, const std::atomic<std::int64_t>& v) {
    callbacks.push_back(
        reg.counter_callback(name, help, [&v] { return static_cast<double>(v.load()); }));
  };
  counter("pqrflow_snapshots_consumed_total", "Partial snapshots read.", h.snapshots_total);
  counter("pqrflow_bi_rows_published_total", "BI rows published.", h.rows_total);
  counter("pqrflow_alert_transitions_total", "Alert transitions published.", h.alerts_total);
  counter("pqrflow_checkpoints_total", "Checkpoints written.", h.checkpoints_total);
  // The plan's indicators as gauges (year to date, scope all), read from the published view.
  for (const core::PlanIndicator& p : s.plan.indicators) {
    const std::string id(core::id_of(p.indicator));
    const auto row_field = [&service, id,
                            year = std::to_string(s.plan.year)](auto field) -> double {
      const auto view = service.view();
      for (const core::BiRow& r : view->rows) {
        if (r.indicator == id && r.scope == "all" && r.period == year) {
          const std::optional<core::Rational> v = field(r);
          return v ? core::to_double(*v) : std::nan("");
        }
      }
      return std::nan("");
    };
    callbacks.push_back(reg.gauge_callback(
        "pqrflow_indicator_value", "Indicator value, plan year to date, scope all (its unit).",
        [row_field] { return row_field([](const core::BiRow& r) { return r.value; }); },
        {{"indicator", id}}));
    callbacks.push_back(reg.gauge_callback(
        "pqrflow_indicator_target", "Indicator target from the plan (its unit).",
        [row_field] { return row_field([](const core::BiRow& r) { return r.target; }); },
        {{"indicator", id}}));
    callbacks.push_back(reg.gauge_callback(
        "pqrflow_indicator_baseline", "Indicator baseline (its unit).",
        [row_field] { return row_field([](const core::BiRow& r) { return r.baseline; }); },
        {{"indicator", id}}));
    callbacks.push_back(reg.gauge_callback(
        "pqrflow_indicator_achievement_ratio", "Achievement of the indicator's target, 0..1.",
        [row_field] { return row_field([](const core::BiRow& r) { return r.achievement; }); },
        {{"indicator", id}}));
  }
  callbacks.push_back(reg.gauge_callback(
      "pqrflow_plan_score_percent", "Weighted compliance of the plan, 0..100.", [&service] {
        for (const core::BiRow& r : service.view()->rows) {
          if (r.indicator == "plan_score")
            return r.value ? core::to_double(*r.value) : std::nan("");
        }
        return std::nan("");
      }));
  const auto live = [&service] {
    const auto view = service.view();
    const auto it = view->live.find("all");
    return it == view->live.end() ? core::LiveFigures{} : it->second;
  };
  callbacks.push_back(reg.gauge_callback(
      "pqrflow_pending_ratio_percent",
      "Tickets pending now ÷ tickets filed in the trailing 30 days × 100.", [live] {
        const core::LiveFigures f = live();
        return f.filed_30d > 0
                   ? 100.0 * static_cast<double>(f.pending) / static_cast<double>(f.filed_30d)
                   : std::nan("");
      }));
  callbacks.push_back(reg.gauge_callback("pqrflow_pending_tickets",
                                         "Tickets pending an answer now.",
                                         [live] { return static_cast<double>(live().pending); }));
  callbacks.push_back(reg.gauge_callback(
      "pqrflow_deadline_due_soon_tickets",
      "Pending tickets within the warning business days of their legal due date.",
      [live] { return static_cast<double>(live().due_soon); }));
  callbacks.push_back(reg.gauge_callback(
      "pqrflow_deadline_overdue_tickets",
      "Pending tickets past their legal due date (silencio administrativo positivo exposure).",
      [live] { return static_cast<double>(live().overdue); }));
  callbacks.push_back(reg.gauge_callback(
      "pqrflow_alerts_firing", "Alerts currently pending or firing.",
      [&service] { return static_cast<double>(service.view()->active_alerts.size()); }));
  register_api(host.http(), service, s.plan);
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
  runtime::log::info("started",
                     {{"brokers", s.common.brokers}, {"plan", s.plan.id}, {"clock", s.clock}});
  service.run();
  host.shutdown();
  return 0;
}

}  // namespace pqrflow::reporting
