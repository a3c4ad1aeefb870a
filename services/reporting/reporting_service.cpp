#include "reporting/reporting_service.hpp"

#include <algorithm>

#include "pqrflow/v1/checkpoint.pb.h"
#include "runtime/crash_points.hpp"
#include "runtime/log.hpp"
#include "runtime/periodic.hpp"

namespace pqrflow::reporting {
namespace {

namespace log = runtime::log;

constexpr const char* kCheckpointName = "reporting";

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

std::string snapshot_key(const pqrflow::v1::IndicatorSnapshot& s) {
  return s.indicator() + "|" + s.scope() + "|" + s.period() + "|" + s.partial_id();
}

std::string tp_key(std::string_view topic, std::int32_t partition) {
  return std::string(topic) + "/" + std::to_string(partition);
}

// Live publications are spaced by at least this many times the previous one's duration:
// at most ~1/(1+k) of a core goes to publishing however fast snapshots arrive.
constexpr int kPublishSpacing = 3;

std::optional<double> as_double(const std::optional<core::Rational>& r) {
  if (!r) return std::nullopt;
  return core::to_double(*r);
}

}  // namespace

ReportingService::ReportingService(ReportingSettings settings)
    : settings_(std::move(settings)), store_(settings_.checkpoint_dir) {
  const AlertSettings& a = settings_.alerts;
  const auto us = [](std::chrono::milliseconds ms) { return ms.count() * 1000; };
  trackers_.emplace_back(core::AlertRule{"pqr_pending_ratio_rising", "all",
                                         a.pending_ratio_threshold, a.pending_ratio_resolve,
                                         a.pending_ratio_min_rise, us(a.pending_ratio_lookback),
                                         us(a.pending_ratio_for), us(a.pending_ratio_cooldown)});
  trackers_.emplace_back(core::AlertRule{"legal_deadline_overdue", "all", a.overdue_threshold,
                                         a.overdue_threshold, std::nullopt, 0, 0, 0});
  trackers_.emplace_back(core::AlertRule{"legal_deadline_due_soon", "all", a.due_soon_threshold,
                                         a.due_soon_threshold, std::nullopt, 0, 0, 0});
  view_ = std::make_shared<ReportingView>();
}

std::shared_ptr<const ReportingView> ReportingService::view() const {
  std::lock_guard lock(view_mu_);
  return view_;
}

std::uint64_t ReportingService::next_version() {
  // Wall-clock milliseconds, strictly increasing: survives restarts without coordination.
  last_version_ = std::max<std::uint64_t>(
      last_version_ + 1, static_cast<std::uint64_t>(runtime::wall_now().us / 1000));
  return last_version_;
}

bool ReportingService::restore(std::string* error) {
  std::string read_error;
  const std::optional<std::string> bytes = store_.read(kCheckpointName, &read_error);
  if (!read_error.empty()) {
    log::error("checkpoint_unreadable",
               {{"error", read_error}, {"action", "rebuilding from the topics"}});
    return true;
  }
  if (!bytes) return true;
  pqrflow::v1::ReportingCheckpoint ckpt;
  if (!ckpt.ParseFromString(*bytes)) {
    log::error("checkpoint_invalid", {{"action", "rebuilding from the topics"}});
    return true;
  }
  for (const auto& s : ckpt.snapshots()) latest_[snapshot_key(s)] = s;
  // Re-apply through the same path as live input.
  for (const auto& [key, s] : latest_) {
    if (s.indicator() == "as_of") {
      merger_.apply_watermark(s.partial_id(), core::Instant{s.max_event_time_us()}, s.version());
    } else if (s.indicator() == "live") {
      merger_.apply_live(s.partial_id(), s.scope(),
                         {s.numerator(), s.denominator(), s.due_soon(), s.overdue()}, s.version());
    } else if (auto ind = core::indicator_from_id(s.indicator())) {
      if (auto m = core::parse_year_month(s.period())) {
        merger_.apply(
            {*ind, s.scope(), *m, s.partial_id(), {s.numerator(), s.denominator()}, s.version()});
      }
    }
  }
  for (const auto& w : ckpt.worklists()) worklists_[w.partial_id()] = w;
  for (const auto& [k, v] : ckpt.next_offsets()) next_offsets_[k] = v;
  last_version_ = ckpt.last_bi_version();
  // BI rows are not checkpointed: every row is published once more after a restart.
  for (const auto& a : ckpt.alerts()) {
    for (auto& t : trackers_) {
      if (t.rule().id != a.rule_id() || t.rule().subject != a.subject()) continue;
      core::AlertTrackerSnapshot snap;
      snap.state = static_cast<core::AlertState>(std::clamp(a.state(), 0, 2));
      snap.since = core::Instant{a.since_us()};
      if (a.resolved()) snap.resolved_at = core::Instant{a.resolved_at_us()};
      t.restore(snap);
    }
  }
  (void)error;
  log::info("checkpoint_restored", {{"snapshots", static_cast<std::int64_t>(latest_.size())},
                                    {"offsets", static_cast<std::int64_t>(next_offsets_.size())}});
  return true;
}

void ReportingService::attach_metrics(runtime::metrics::Registry& registry) {
  publish_seconds_ = &registry.histogram(
      "pqrflow_publish_duration_seconds",
      "Deriving every BI row and the compliance update from the merged snapshots and "
      "publishing what changed.",
      runtime::metrics::kDefaultLatencyBuckets);
  lag_ =
      registry.gauge_family("pqrflow_consumer_lag_messages",
                            "Snapshots behind the log end, per partition.", {"topic", "partition"});
}

bool ReportingService::start(std::string* error) {
  if (!store_.open(error)) return false;
  clock_ = runtime::make_clock(
      settings_.clock, [this] { return merger_.as_of(); }, error);
  if (!clock_) {
    *error = "clock=" + settings_.clock + ": " + *error;
    return false;
  }
  if (!runtime::brokers_reachable(settings_.common.brokers, std::chrono::seconds(10), error)) {
    return false;
  }
  runtime::KafkaProperties overrides;
  if (!settings_.common.kafka_overrides(&overrides, error)) return false;
  runtime::KafkaProperties producer_props = {
      {"bootstrap.servers", settings_.common.brokers},
      {"client.id", "pqrflow-reporting"},
      {"enable.idempotence", "true"},
      {"linger.ms", "2"},
      {"compression.type", "lz4"},
  };
  producer_props.insert(producer_props.end(), overrides.begin(), overrides.end());
  producer_ = runtime::Producer::create(producer_props, error);
  if (!producer_) return false;
  runtime::KafkaProperties consumer_props = {
      {"bootstrap.servers", settings_.common.brokers},
      {"group.id", "pqrflow-reporting"},  // never joined: partitions are assigned directly
      {"client.id", "pqrflow-reporting"},
      {"fetch.wait.max.ms", "10"},  // see ingest_service.cpp
  };
  consumer_props.insert(consumer_props.end(), overrides.begin(), overrides.end());
  consumer_ = runtime::Consumer::create(consumer_props, error);
  if (!consumer_) return false;
  if (!restore(error)) return false;
  // Every partition of the snapshot topics, from the checkpoint's offsets.
  std::vector<runtime::TopicPartition> assignment;
  for (const std::string& topic :
       {settings_.common.topics.indicators, settings_.common.topics.deadlines}) {
    const std::optional<int> n = consumer_->partition_count(topic, std::chrono::seconds(10));
    if (!n) {
      *error = "topic " + topic + " not found on " + settings_.common.brokers +
               " (create it, or set --topic-" +
               (topic == settings_.common.topics.indicators ? "indicators" : "deadlines") + ")";
      return false;
    }
    for (int p = 0; p < *n; ++p) {
      auto it = next_offsets_.find(tp_key(topic, p));
      assignment.push_back(
          {topic, p, it == next_offsets_.end() ? runtime::kOffsetBeginning : it->second});
    }
  }
  if (!consumer_->assign(assignment, error)) return false;
  health_.assigned = true;
  log::info("assigned", {{"partitions", static_cast<std::int64_t>(assignment.size())}});
  return true;
}

void ReportingService::process(const runtime::MessageBatch& batch) {
  for (const runtime::ConsumerError& e : batch.errors()) {
    if (e.offset_out_of_range) {
      health_.gap = true;
      log::error("offset_gap", {{"topic", e.topic},
                                {"partition", e.partition},
                                {"error", e.message},
                                {"hint",
                                 "snapshots were deleted by retention before reporting read "
                                 "them; restart metrics to republish every cell"}});
      consumer_->pause({{e.topic, e.partition, 0}});
    } else {
      log::warn("consumer_error",
                {{"topic", e.topic}, {"partition", e.partition}, {"error", e.message}});
    }
  }
  pqrflow::v1::IndicatorSnapshot s;
  pqrflow::v1::DeadlineWorklist w;
  for (const runtime::Message& m : batch.messages()) {
    next_offsets_[tp_key(m.topic, m.partition)] = m.offset + 1;
    if (m.topic == settings_.common.topics.deadlines) {
      if (!w.ParseFromArray(m.value.data(), static_cast<int>(m.value.size()))) continue;
      auto& current = worklists_[w.partial_id()];
      if (w.version() > current.version()) {
        current = w;
        view_dirty_ = true;
      }
      continue;
    }
    if (!s.ParseFromArray(m.value.data(), static_cast<int>(m.value.size()))) {
      log::warn("snapshot_unreadable", {{"partition", m.partition}, {"offset", m.offset}});
      continue;
    }
    health_.snapshots_total.fetch_add(1, std::memory_order_relaxed);
    const std::string key = snapshot_key(s);
    auto [it, inserted] = latest_.try_emplace(key, s);
    if (!inserted) {
      if (s.version() <= it->second.version()) continue;  // redelivered or stale
      it->second = s;
    }
    if (s.indicator() == "as_of") {
      dirty_ = merger_.apply_watermark(s.partial_id(), core::Instant{s.max_event_time_us()},
                                       s.version()) ||
               dirty_;
    } else if (s.indicator() == "live") {
      if (merger_.apply_live(s.partial_id(), s.scope(),
                             {s.numerator(), s.denominator(), s.due_soon(), s.overdue()},
                             s.version())) {
        view_dirty_ = true;
        live_dirty_ = true;
      }
    } else if (auto ind = core::indicator_from_id(s.indicator())) {
      const std::optional<core::YearMonth> month = core::parse_year_month(s.period());
      if (!month) continue;
      dirty_ = merger_.apply({*ind,
                              s.scope(),
                              *month,
                              s.partial_id(),
                              {s.numerator(), s.denominator()},
                              s.version()}) ||
               dirty_;
    }
  }
}

void ReportingService::publish_rows(bool tick) {
  const std::optional<core::Instant> as_of = merger_.as_of();
  // Quiet = the as-of did not move over a whole --bi-interval tick.
  const bool quiet = tick && as_of && previous_tick_as_of_ && *as_of == *previous_tick_as_of_;
  if (tick) previous_tick_as_of_ = as_of;
  if (!as_of) return;
  if (!dirty_ && !(quiet && emitted_as_of_ != as_of)) return;
  const auto started = std::chrono::steady_clock::now();
  const std::vector<core::BiRow>& rows =
      row_cache_.update(merger_.merged(), merger_.take_changed(), *as_of);
  // Quiet and stamped with an older as-of: every row goes out once more, re-stamped.
  const bool restamp = quiet && emitted_as_of_ != as_of;
  std::string error;
  bool all_published = true;
  const auto publish = [&](const core::BiRow& row) {
    const std::string key = row.key();
    const auto it = published_rows_.find(key);
    const bool changed =
        republish_all_ || it == published_rows_.end() || !core::same_content(it->second, row);
    if (!changed && !restamp) return;  // the feed holds this content already
    core::BiRow out = row;
    out.version = next_version();
    if (!producer_->produce(settings_.common.topics.bi, key, core::to_json(out), {}, &error)) {
      log::error("produce_failed", {{"topic", settings_.common.topics.bi}, {"error", error}});
      all_published = false;
      return;
    }
    if (it == published_rows_.end()) {
      published_rows_.emplace(key, std::move(out));
    } else {
      it->second = std::move(out);
    }
    health_.rows_total.fetch_add(1, std::memory_order_relaxed);
  };
  // Rows the cache kept have the content they had at the previous publication, so only
  // the derived ones can differ from the feed — unless every row must go out, or the
  // previous pass left some unpublished.
  if (republish_all_ || restamp || compare_all_) {
    for (const core::BiRow& row : rows) publish(row);
    if (all_published) compare_all_ = false;
  } else {
    for (const std::size_t i : row_cache_.derived_rows()) publish(rows[i]);
  }
  if (!all_published) compare_all_ = true;  // retry them at the next publication
  if (restamp && all_published) emitted_as_of_ = as_of;
  if (all_published) republish_all_ = false;
  runtime::crash_point("reporting.after_publish");

  // Compliance of the plan year, scope all.
  pqrflow::v1::ComplianceUpdate update;
  update.set_plan_id(settings_.plan.id);
  update.set_period(std::to_string(settings_.plan.year));
  for (const core::BiRow& row : rows) {
    if (row.scope != "all" || row.period != update.period()) continue;
    if (row.indicator == "plan_score") {
      update.set_plan_score(core::to_double(row.value.value_or(0)));
      update.set_covered_weight(core::to_double(row.weight));
      update.set_status(std::string(core::status_code(row.status)));
      continue;
    }
    auto* ic = update.add_indicators();
    ic->set_indicator(row.indicator);
    if (auto ind = core::indicator_from_id(row.indicator)) {
      const core::PlanIndicator* p = settings_.plan.find(*ind);
      ic->set_name(p != nullptr ? p->name : std::string(core::info(*ind).name_es));
    }
    if (auto v = as_double(row.value)) ic->set_value(*v);
    if (auto v = as_double(row.baseline)) ic->set_baseline(*v);
    if (auto v = as_double(row.target)) ic->set_target(*v);
    if (auto v = as_double(row.achievement)) ic->set_achievement(*v);
    ic->set_weight(core::to_double(row.weight));
    if (auto v = as_double(row.weighted_score)) ic->set_weighted_score(*v);
    ic->set_status(std::string(core::status_code(row.status)));
    ic->set_unit(row.unit);
    ic->set_numerator(core::to_double(row.numerator));
    ic->set_denominator(core::to_double(row.denominator));
  }
  // Like rows: on a change of content, or once more when the stream settles.
  const std::uint64_t compliance_hash = fnv1a(update.SerializeAsString());
  update.set_as_of_us(as_of->us);
  if (compliance_hash != emitted_compliance_ || (quiet && emitted_compliance_as_of_ != as_of)) {
    update.set_version(next_version());
    if (producer_->produce(settings_.common.topics.compliance, settings_.plan.id,
                           update.SerializeAsString(), {}, &error)) {
      emitted_compliance_ = compliance_hash;
      emitted_compliance_as_of_ = as_of;
    }
  }
  dirty_ = false;
  last_publish_duration_ = std::chrono::steady_clock::now() - started;
  if (publish_seconds_ != nullptr) publish_seconds_->observe(last_publish_duration_);
  compliance_ = std::move(update);
  view_dirty_ = true;
}

void ReportingService::publish_view() {
  if (!view_dirty_) return;
  view_dirty_ = false;
  auto view = std::make_shared<ReportingView>();
  // The rows in report order as the BI feed holds them: as last published (as-of and
  // version; the previous content if publishing the new one failed).
  view->rows.reserve(row_cache_.rows().size());
  for (const core::BiRow& row : row_cache_.rows()) {
    const auto it = published_rows_.find(row.key());
    view->rows.push_back(it != published_rows_.end() ? it->second : row);
  }
  view->compliance = compliance_;
  view->live = merger_.live();
  view->as_of = merger_.as_of();
  view->recent_alerts = recent_alerts_;
  for (const auto& [key, t] : alert_states_) {
    if (t.state() != "resolved") view->active_alerts.push_back(t);
  }
  for (const auto& [partial, w] : worklists_) {
    for (const auto& item : w.items()) view->deadlines.push_back(item);
  }
  std::sort(view->deadlines.begin(), view->deadlines.end(), [](const auto& a, const auto& b) {
    return std::make_tuple(a.due_date(), a.filed_at_us(), a.ticket_id()) <
           std::make_tuple(b.due_date(), b.filed_at_us(), b.ticket_id());
  });
  {
    std::lock_guard lock(view_mu_);
    view_ = view;
  }
  if (publish_hook_) publish_hook_(*view, unannounced_);
  unannounced_.clear();
}

void ReportingService::evaluate_alerts() {
  live_dirty_ = false;
  const std::optional<core::Instant> now = clock_->now();
  if (!now) return;
  const std::map<std::string, core::LiveFigures> live = merger_.live();
  const auto all = live.find("all");
  std::optional<double> ratio, overdue, due_soon;
  if (all != live.end()) {
    if (all->second.filed_30d > 0) {
      ratio = 100.0 * static_cast<double>(all->second.pending) /
              static_cast<double>(all->second.filed_30d);
    }
    overdue = static_cast<double>(all->second.overdue);
    due_soon = static_cast<double>(all->second.due_soon);
  }
  const std::optional<double> values[] = {ratio, overdue, due_soon};
  std::string error;
  for (std::size_t i = 0; i < trackers_.size(); ++i) {
    core::AlertTracker& t = trackers_[i];
    const std::optional<core::AlertTransitionEvent> tr = t.observe(*now, values[i]);
    if (!tr) continue;
    pqrflow::v1::AlertTransition a;
    a.set_rule_id(t.rule().id);
    a.set_subject(t.rule().subject);
    a.set_state(tr->state);
    a.set_value(tr->value);
    a.set_threshold(tr->state == "resolved" ? t.rule().resolve_below : t.rule().threshold);
    a.set_at_us(tr->at.us);
    a.set_version(next_version());
    if (all != live.end()) {
      (*a.mutable_labels())["pending"] = std::to_string(all->second.pending);
      (*a.mutable_labels())["filed_30d"] = std::to_string(all->second.filed_30d);
      (*a.mutable_labels())["due_soon"] = std::to_string(all->second.due_soon);
      (*a.mutable_labels())["overdue"] = std::to_string(all->second.overdue);
    }
    if (i == 0) {
      a.set_summary(
          "Razón de PQR pendientes " +
          core::format_decimal(core::Rational(static_cast<long long>(tr->value * 100), 100), 2) +
          " % (" + tr->state + ")");
    } else {
      a.set_summary((i == 1 ? "PQR vencidas sin respuesta: " : "PQR próximas a vencer: ") +
                    std::to_string(static_cast<long long>(tr->value)) + " (" + tr->state + ")");
    }
    const std::string key = t.rule().id + "|" + t.rule().subject;
    producer_->produce(settings_.common.topics.alerts, key, a.SerializeAsString(), {}, &error);
    alert_states_[key] = a;
    recent_alerts_.push_back(a);
    if (recent_alerts_.size() > 100) recent_alerts_.erase(recent_alerts_.begin());
    unannounced_.push_back(a);
    view_dirty_ = true;
    health_.alerts_total.fetch_add(1, std::memory_order_relaxed);
    log::warn("alert_transition", {{"rule", t.rule().id},
                                   {"subject", t.rule().subject},
                                   {"state", tr->state},
                                   {"value", tr->value}});
  }
}

bool ReportingService::checkpoint() {
  const runtime::DeliveryReport report = producer_->flush(std::chrono::seconds(30));
  if (!report.complete || report.failed > 0) {
    log::warn("checkpoint_deferred", {{"failed", report.failed}, {"error", report.last_error}});
    if (report.failed > 0) republish_all_ = true;
    return false;
  }
  pqrflow::v1::ReportingCheckpoint ckpt;
  for (const auto& [key, s] : latest_) *ckpt.add_snapshots() = s;
  for (const auto& [partial, w] : worklists_) *ckpt.add_worklists() = w;
  for (const auto& [k, v] : next_offsets_) (*ckpt.mutable_next_offsets())[k] = v;
  ckpt.set_last_bi_version(last_version_);

  for (const core::AlertTracker& t : trackers_) {
    auto* a = ckpt.add_alerts();
    const core::AlertTrackerSnapshot snap = t.snapshot();
    a->set_rule_id(t.rule().id);
    a->set_subject(t.rule().subject);
    a->set_state(static_cast<int>(snap.state));
    a->set_since_us(snap.since.us);
    a->set_resolved(snap.resolved_at.has_value());
    if (snap.resolved_at) a->set_resolved_at_us(snap.resolved_at->us);
  }
  ckpt.set_written_at_us(runtime::wall_now().us);
  std::string error;
  if (!store_.write(kCheckpointName, ckpt.SerializeAsString(), &error)) {
    log::error("checkpoint_failed", {{"error", error}});
    return false;
  }
  health_.checkpoints_total.fetch_add(1);
  health_.last_checkpoint_us = runtime::wall_now().us;
  return true;
}

void ReportingService::run() {
  // Periodic work runs on Asio timers between polls, on this thread.
  runtime::Periodic timers;
  timers.every(
      settings_.bi_interval,
      [this] {
        publish_rows(true);
        publish_view();
        std::int64_t lag = 0;
        for (const auto& [tp, l] : consumer_->lag()) {
          lag += std::max<std::int64_t>(l, 0);
          if (lag_ && l >= 0) {
            lag_->with({tp.topic, std::to_string(tp.partition)}).set(static_cast<double>(l));
          }
        }
        health_.lag = lag;
      },
      true);
  timers.every(
      settings_.alert_interval,
      [this] {
        evaluate_alerts();
        publish_view();
      },
      true);

  timers.every(settings_.checkpoint_interval, [this] { checkpoint(); });
  // Between ticks, rows and alerts follow new snapshots as soon as they arrive, at most
  // once per --bi-min-interval (latency without a publication per message); rows also
  // wait kPublishSpacing × the previous publication's duration (a bounded CPU share).
  auto last_rows = std::chrono::steady_clock::now();
  auto last_alerts = last_rows;
  while (!stopping_) {
    runtime::MessageBatch batch =
        consumer_->poll(settings_.batch_size, std::chrono::milliseconds(dirty_ ? 5 : 50));
    process(batch);
    const auto now = std::chrono::steady_clock::now();
    if (dirty_ && now - last_rows >=
                      std::max<std::chrono::steady_clock::duration>(
                          settings_.bi_min_interval, kPublishSpacing * last_publish_duration_)) {
      publish_rows(false);
      last_rows = std::chrono::steady_clock::now();
    }
    if (live_dirty_ && now - last_alerts >= settings_.bi_min_interval) {
      last_alerts = now;
      evaluate_alerts();
    }
    timers.run_ready();
    producer_->poll(std::chrono::milliseconds(0));
  }
  log::info("stopping", {});
  publish_rows(true);
  checkpoint();
  consumer_->close();
  log::info("stopped", {});
}

}  // namespace pqrflow::reporting
