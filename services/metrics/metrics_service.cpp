#include "metrics/metrics_service.hpp"

#include <thread>

#include "core/contract.hpp"
#include "pqrflow/v1/checkpoint.pb.h"
#include "pqrflow/v1/deadletter.pb.h"
#include "pqrflow/v1/indicators.pb.h"
#include "runtime/crash_points.hpp"
#include "runtime/log.hpp"
#include "runtime/periodic.hpp"

namespace pqrflow::metrics {
namespace {

namespace log = runtime::log;

constexpr std::int64_t kVersionEpochMs = 1'704'067'200'000;  // 2024-01-01T00:00:00Z

// A periodic checkpoint round starts no sooner than this many times the previous forked
// writer's run after it ended: with a large state the writers take at most about a fifth
// of a core, whatever --checkpoint-interval asks.
constexpr int kWriterSpacing = 4;

std::string checkpoint_name(const std::string& topic, std::int32_t partition) {
  return "metrics-" + topic + "-" + std::to_string(partition);
}

std::string partitions_text(const std::vector<runtime::TopicPartition>& tps) {
  std::string out;
  for (const auto& tp : tps) {
    if (!out.empty()) out += ",";
    out += std::to_string(tp.partition);
  }
  return out;
}

}  // namespace

MetricsService::MetricsService(MetricsSettings settings)
    : settings_(std::move(settings)), store_(settings_.checkpoint_dir) {}

MetricsService::~MetricsService() = default;

std::uint64_t MetricsService::epoch_floor() const {
  return assignment_floor_;
}

std::optional<core::Instant> MetricsService::event_clock() const {
  std::optional<core::Instant> out;
  for (const auto& [p, shard] : shards_) {
    if (!shard->state.aggregates().has_events()) continue;
    const core::Instant t = shard->state.aggregates().max_event_time();
    if (!out || t > *out) out = t;
  }
  return out;
}

void MetricsService::attach_metrics(runtime::metrics::Registry& registry) {
  checkpoint_seconds_ = &registry.histogram(
      "pqrflow_checkpoint_duration_seconds",
      "A checkpoint round: publish what is dirty, wait for acknowledgements, write the due "
      "shards (in a forked writer for periodic rounds) until the loop sees it done.",
      runtime::metrics::kDefaultLatencyBuckets);
  pause_seconds_ = &registry.histogram(
      "pqrflow_checkpoint_pause_seconds",
      "How long a checkpoint round stopped the consumer loop: publish, acknowledgements and "
      "the fork (or the whole write when written in-process).",
      runtime::metrics::kDefaultLatencyBuckets);
  emit_seconds_ = &registry.histogram("pqrflow_snapshot_emit_duration_seconds",
                                      "Publishing the changed cells of every shard.",
                                      runtime::metrics::kDefaultLatencyBuckets);
  lag_ = registry.gauge_family("pqrflow_consumer_lag_messages",
                               "Events behind the log end, per owned partition.",
                               {"topic", "partition"});
  tickets_ = &registry.gauge("pqrflow_state_tickets", "Tickets held in the state of owned shards.");
}

bool MetricsService::start(std::string* error) {
  if (!store_.open(error)) return false;
  clock_ = runtime::make_clock(
      settings_.clock, [this] { return event_clock(); }, error);
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
      {"client.id", "pqrflow-metrics"},
      {"enable.idempotence", "true"},  // no duplicates from internal retries
      {"linger.ms", "2"},              // small batches: snapshots are coalesced already
      {"compression.type", "lz4"},
  };
  producer_props.insert(producer_props.end(), overrides.begin(), overrides.end());
  producer_ = runtime::Producer::create(producer_props, error);
  if (!producer_) return false;

  runtime::KafkaProperties consumer_props = {
      {"bootstrap.servers", settings_.common.brokers},
      {"group.id", settings_.group_id},
      {"client.id", "pqrflow-metrics"},
      {"session.timeout.ms", "10000"},  // a dead instance's shards move within ~10 s
      {"heartbeat.interval.ms", "1000"},
      {"partition.assignment.strategy", "range"},
      {"fetch.wait.max.ms", "10"},  // see ingest_service.cpp
  };
  consumer_props.insert(consumer_props.end(), overrides.begin(), overrides.end());
  consumer_ = runtime::Consumer::create(consumer_props, error);
  if (!consumer_) return false;
  runtime::Consumer::RebalanceHooks hooks;
  hooks.on_assigned = [this](const auto& tps) { return on_assigned(tps); };
  hooks.on_revoked = [this](const auto& tps, bool lost) { on_revoked(tps, lost); };
  return consumer_->subscribe({settings_.common.topics.events}, std::move(hooks), error);
}

std::vector<runtime::TopicPartition> MetricsService::on_assigned(
    const std::vector<runtime::TopicPartition>& tps) {
  collect_writer(true);  // the checkpoints read below are the latest written
  assignment_floor_ = static_cast<std::uint64_t>((runtime::wall_now().us / 1000 - kVersionEpochMs))
                      << 20;
  std::vector<runtime::TopicPartition> starts;
  for (const runtime::TopicPartition& tp : tps) {
    auto shard = std::make_unique<Shard>(settings_.legal_terms);
    shard->topic = tp.topic;
    shard->partition = tp.partition;
    shard->partial_id = tp.topic + "/" + std::to_string(tp.partition);
    std::string error;
    const std::optional<std::string> bytes =
        store_.read(checkpoint_name(tp.topic, tp.partition), &error);
    if (!error.empty()) {
      // A damaged checkpoint is never half-loaded: rebuild this shard from the log.
      log::error("checkpoint_unreadable", {{"partition", tp.partition}, {"error", error}});
    } else if (bytes) {
      pqrflow::v1::ShardCheckpoint ckpt;
      if (!ckpt.ParseFromString(*bytes) || !shard->state.load(ckpt.state(), &error)) {
        log::error("checkpoint_invalid", {{"partition", tp.partition}, {"error", error}});
        shard = std::make_unique<Shard>(settings_.legal_terms);
        shard->topic = tp.topic;
        shard->partition = tp.partition;
        shard->partial_id = tp.topic + "/" + std::to_string(tp.partition);
      } else {
        shard->next_offset = ckpt.next_offset();
        shard->last_version = ckpt.last_version();
        shard->state.aggregates().track_changes(true);
        log::info("checkpoint_restored", {{"partition", tp.partition},
                                          {"next_offset", ckpt.next_offset()},
                                          {"tickets", ckpt.state().tickets_size()}});
      }
    }
    // Republish everything the shard knows: the previous owner may have died before
    // publishing the values this checkpoint reflects.
    shard->state.aggregates().mark_all_dirty();
    starts.push_back({tp.topic, tp.partition, shard->next_offset});
    shards_[tp.partition] = std::move(shard);
  }
  health_.assigned = !shards_.empty();
  health_.shards = static_cast<std::int64_t>(shards_.size());
  log::info("partitions_assigned", {{"partitions", partitions_text(tps)}});
  return starts;
}

void MetricsService::on_revoked(const std::vector<runtime::TopicPartition>& tps, bool lost) {
  if (!lost) {
    // Hand over: publish, wait for acknowledgements, checkpoint, then let go.
    emit_snapshots();
    emit_live();
    runtime::crash_point("metrics.handover");
    checkpoint(true);
  }
  for (const auto& tp : tps) shards_.erase(tp.partition);
  health_.assigned = !shards_.empty();
  health_.shards = static_cast<std::int64_t>(shards_.size());
  log::info(lost ? "partitions_lost" : "partitions_revoked",
            {{"partitions", partitions_text(tps)}});
}

void MetricsService::dead_letter(const runtime::Message& m, const std::string& reason,
                                 const std::string& detail) {
  pqrflow::v1::DeadLetter dl;
  dl.set_reason(reason);
  dl.set_detail(detail);
  dl.set_origin_topic(std::string(m.topic));
  dl.set_origin_partition(m.partition);
  dl.set_origin_offset(m.offset);
  dl.set_original(std::string(m.value));
  dl.set_original_key(std::string(m.key));
  dl.set_rejected_at_us(runtime::wall_now().us);
  dl.set_service("pqrflow-metrics");
  const std::string key =
      std::string(m.topic) + "/" + std::to_string(m.partition) + "/" + std::to_string(m.offset);
  std::string error;
  if (!producer_->produce(settings_.common.topics.deadletter, key, dl.SerializeAsString(),
                          {{"reason", reason}, {"detail", detail}}, &error)) {
    log::error("deadletter_failed", {{"error", error}});
  }
}

void MetricsService::process(const runtime::MessageBatch& batch) {
  core::Decoder decoder;
  core::Event event;
  core::Rejection why;
  for (const runtime::ConsumerError& e : batch.errors()) {
    if (e.offset_out_of_range) {
      health_.gap = true;
      log::error("offset_gap", {{"topic", e.topic},
                                {"partition", e.partition},
                                {"error", e.message},
                                {"hint",
                                 "events were lost to retention before this shard read "
                                 "them; restore a checkpoint or replay the raw topics"}});
      consumer_->pause({{e.topic, e.partition, 0}});
    } else {
      log::warn("consumer_error",
                {{"topic", e.topic}, {"partition", e.partition}, {"error", e.message}});
    }
  }
  for (const runtime::Message& m : batch.messages()) {
    auto it = shards_.find(m.partition);
    if (it == shards_.end()) continue;  // not ours any more (revoked in this poll)
    Shard& shard = *it->second;
    if (shard.next_offset >= 0 && m.offset < shard.next_offset) continue;  // in the checkpoint
    if (decoder.decode_protobuf(m.value, &event, &why)) {
      shard.state.apply(event);
      health_.events_total.fetch_add(1, std::memory_order_relaxed);
    } else {
      health_.invalid_total.fetch_add(1, std::memory_order_relaxed);
      dead_letter(m, std::string(core::reason_code(why.reason)), why.detail);
    }
    shard.next_offset = m.offset + 1;
    shard.changed_since_checkpoint = true;
  }
}

void MetricsService::emit_snapshots() {
  const auto started = std::chrono::steady_clock::now();
  pqrflow::v1::IndicatorSnapshot s;
  std::string value, error;
  for (auto& [p, shard_ptr] : shards_) {
    Shard& shard = *shard_ptr;
    core::Aggregates& agg = shard.state.aggregates();
    std::vector<core::CellKey> dirty = agg.take_dirty();
    const bool watermark_moved = agg.max_event_time() != shard.published_watermark;
    if (dirty.empty() && !watermark_moved) continue;
    const std::uint64_t version = shard.next_version(epoch_floor());
    for (const core::CellKey& key : dirty) {
      const core::Cell* cell = agg.find(key);
      s.Clear();
      s.set_indicator(std::string(core::id_of(key.indicator)));
      s.set_scope(agg.scopes().name(key.scope));
      s.set_period(core::format_year_month(key.month));
      s.set_partial_id(shard.partial_id);
      s.set_numerator(cell != nullptr ? cell->numerator : 0);
      s.set_denominator(cell != nullptr ? cell->denominator : 0);
      s.set_version(version);
      s.set_max_event_time_us(agg.max_event_time().us);
      s.SerializeToString(&value);
      const std::string k =
          s.indicator() + "|" + s.scope() + "|" + s.period() + "|" + s.partial_id();
      if (!producer_->produce(settings_.common.topics.indicators, k, value, {}, &error)) {
        log::error("produce_failed", {{"error", error}});
      }
      health_.snapshots_total.fetch_add(1, std::memory_order_relaxed);
    }
    if (watermark_moved && agg.has_events()) {
      s.Clear();
      s.set_indicator("as_of");
      s.set_scope("all");
      s.set_period("watermark");
      s.set_partial_id(shard.partial_id);
      s.set_version(version);
      s.set_max_event_time_us(agg.max_event_time().us);
      s.SerializeToString(&value);
      producer_->produce(settings_.common.topics.indicators,
                         "as_of|all|watermark|" + shard.partial_id, value, {}, &error);
    }
    shard.published_watermark = agg.max_event_time();
  }
  producer_->poll(std::chrono::milliseconds(0));
  if (emit_seconds_ != nullptr) emit_seconds_->observe(std::chrono::steady_clock::now() - started);
}

void MetricsService::emit_live() {
  const std::optional<core::Instant> now = clock_->now();
  if (!now) return;
  pqrflow::v1::IndicatorSnapshot s;
  std::string value, error;
  for (auto& [p, shard_ptr] : shards_) {
    Shard& shard = *shard_ptr;
    core::LiveCounts counts = core::live_counts(shard.state, *now, settings_.warn_days);
    // Scopes that disappeared publish zeros so the merged figures drop them.
    for (const auto& [scope, figures] : shard.published_live) counts.by_scope.try_emplace(scope);
    std::uint64_t version = 0;
    for (const auto& [scope, figures] : counts.by_scope) {
      auto prev = shard.published_live.find(scope);
      if (prev != shard.published_live.end() && prev->second == figures) continue;
      if (version == 0) version = shard.next_version(epoch_floor());
      s.Clear();
      s.set_indicator("live");
      s.set_scope(scope);
      s.set_period("live");
      s.set_partial_id(shard.partial_id);
      s.set_numerator(figures.pending);
      s.set_denominator(figures.filed_30d);
      s.set_due_soon(figures.due_soon);
      s.set_overdue(figures.overdue);
      s.set_clock_us(now->us);
      s.set_version(version);
      s.set_max_event_time_us(shard.state.aggregates().max_event_time().us);
      s.SerializeToString(&value);
      producer_->produce(settings_.common.topics.indicators,
                         "live|" + scope + "|live|" + shard.partial_id, value, {}, &error);
      shard.published_live[scope] = figures;
    }
    std::size_t total = 0;
    std::vector<core::DeadlineItem> worklist =
        core::deadline_worklist(shard.state, *now, settings_.warn_days,
                                static_cast<std::size_t>(settings_.worklist_limit), &total);
    if (!shard.worklist_published || worklist != shard.published_worklist ||
        total != shard.published_worklist_total) {
      pqrflow::v1::DeadlineWorklist w;
      w.set_partial_id(shard.partial_id);
      w.set_clock_us(now->us);
      w.set_version(version != 0 ? version : shard.next_version(epoch_floor()));
      w.set_total(static_cast<std::int64_t>(total));
      shard.published_worklist_total = total;
      for (const core::DeadlineItem& item : worklist) {
        auto* i = w.add_items();
        i->set_ticket_id(item.ticket_id);
        i->set_office(item.office);
        i->set_kind(std::string(core::name_of(item.kind)));
        i->set_filed_at_us(item.filed_at.us);
        i->set_due_date(core::format_date(item.due));
        i->set_business_days_left(item.business_days_left);
      }
      w.SerializeToString(&value);
      producer_->produce(settings_.common.topics.deadlines, shard.partial_id, value, {}, &error);
      shard.published_worklist = std::move(worklist);
      shard.worklist_published = true;
    }
  }
  producer_->poll(std::chrono::milliseconds(0));
}

bool MetricsService::write_checkpoint(const Shard& shard, std::string* error) const {
  pqrflow::v1::ShardCheckpoint ckpt;
  ckpt.set_topic(shard.topic);
  ckpt.set_partition(shard.partition);
  ckpt.set_next_offset(shard.next_offset);
  ckpt.set_last_version(shard.last_version);
  ckpt.set_written_at_us(runtime::wall_now().us);
  shard.state.save(ckpt.mutable_state());
  if (store_.write(checkpoint_name(shard.topic, shard.partition), ckpt.SerializeAsString(),
                   error)) {
    return true;
  }
  *error = "partition " + std::to_string(shard.partition) + ": " + *error;
  return false;
}

void MetricsService::checkpointed(const std::vector<runtime::TopicPartition>& offsets) {
  std::vector<runtime::TopicPartition> owned;
  for (const runtime::TopicPartition& tp : offsets) {
    if (shards_.contains(tp.partition)) owned.push_back(tp);
  }
  if (owned.empty()) return;
  std::string error;
  // Mirrors the checkpoint for lag monitoring; the checkpoint stays the authority.
  consumer_->commit(owned, false, &error);
  health_.checkpoints_total.fetch_add(1);
  health_.last_checkpoint_us = runtime::wall_now().us;
}

void MetricsService::checkpoint_failed(const std::string& error,
                                       const std::vector<runtime::TopicPartition>& offsets) {
  health_.checkpoint_failures_total.fetch_add(1);
  log::error("checkpoint_failed", {{"error", error}});
  for (const runtime::TopicPartition& tp : offsets) {
    const auto it = shards_.find(tp.partition);
    if (it == shards_.end()) continue;
    it->second->changed_since_checkpoint = true;  // due again at the next round
    it->second->last_checkpoint = {};
  }
}

void MetricsService::collect_writer(bool block) {
  if (!writer_.running()) return;
  const std::optional<runtime::ForkedTask::Result> r = block ? writer_.wait() : writer_.poll();
  if (!r) return;
  if (r->ok) {
    checkpointed(writing_);
  } else {
    checkpoint_failed(r->error, writing_);
  }
  if (checkpoint_seconds_ != nullptr) checkpoint_seconds_->observe(r->elapsed);
  writing_.clear();
  writer_ended_ = std::chrono::steady_clock::now();
  writer_elapsed_ = r->elapsed;
}

bool MetricsService::checkpoint(bool all) {
  const auto started = std::chrono::steady_clock::now();
  // A round already being written finishes first: checkpoints never go back in time.
  collect_writer(all);
  if (!all && (writer_.running() || started - writer_ended_ < kWriterSpacing * writer_elapsed_)) {
    return true;
  }
  std::vector<Shard*> due;
  for (auto& [p, shard] : shards_) {
    if (shard->next_offset < 0) continue;
    if (!all && (!shard->changed_since_checkpoint ||
                 started - shard->last_checkpoint < settings_.checkpoint_interval))
      continue;
    due.push_back(shard.get());
  }
  if (due.empty()) return true;
  // Everything the checkpoint reflects must be acknowledged first: a crash after the
  // checkpoint must not leave a published value missing.
  emit_snapshots();
  const runtime::DeliveryReport report = producer_->flush(std::chrono::seconds(30));
  if (!report.complete || report.failed > 0) {
    health_.checkpoint_failures_total.fetch_add(1);
    log::warn("checkpoint_deferred",
              {{"reason", report.complete ? "delivery failures" : "flush timeout"},
               {"failed", report.failed},
               {"error", report.last_error}});
    if (report.failed > 0) {
      // Some snapshots were lost in transit: publish every cell again.
      for (auto& [p, shard] : shards_) shard->state.aggregates().mark_all_dirty();
    }
    return false;
  }
  std::vector<runtime::TopicPartition> offsets;
  for (Shard* shard : due) {
    offsets.push_back({shard->topic, shard->partition, shard->next_offset});
    shard->changed_since_checkpoint = false;
    shard->last_checkpoint = started;
  }
  const auto write_due = [this, &due](std::string* error) {
    bool ok = true;
    for (const Shard* shard : due) {
      std::string e;
      if (!write_checkpoint(*shard, &e)) {
        ok = false;
        *error += (error->empty() ? "" : "; ") + e;
      }
    }
    return ok;
  };
  std::string error;
  // Periodic rounds serialise in a forked writer (collected by the loop); hand-over and
  // shutdown, which must be on disk before the partitions go, write here.
  if (!all) {
    if (writer_.start(write_due, &error)) {
      writing_ = std::move(offsets);
      if (pause_seconds_ != nullptr)
        pause_seconds_->observe(std::chrono::steady_clock::now() - started);
      return true;
    }
    log::warn("checkpoint_fork_failed", {{"error", error}, {"fallback", "in-process"}});
    error.clear();
  }
  const bool ok = write_due(&error);
  if (ok) {
    checkpointed(offsets);
  } else {
    checkpoint_failed(error, offsets);
  }
  const auto elapsed = std::chrono::steady_clock::now() - started;
  if (pause_seconds_ != nullptr) pause_seconds_->observe(elapsed);
  if (checkpoint_seconds_ != nullptr) checkpoint_seconds_->observe(elapsed);
  return ok;
}

void MetricsService::run() {
  // Periodic work runs on Asio timers between polls, on this thread.
  runtime::Periodic timers;
  timers.every(
      settings_.emit_interval, [this] { emit_snapshots(); }, true);
  timers.every(
      settings_.live_interval,
      [this] {
        emit_live();
        std::int64_t lag = 0;
        for (const auto& [tp, l] : consumer_->lag()) {
          lag += std::max<std::int64_t>(l, 0);
          if (lag_ && l >= 0) {
            lag_->with({tp.topic, std::to_string(tp.partition)}).set(static_cast<double>(l));
          }
        }
        health_.lag = lag;
        if (tickets_ != nullptr) {
          std::size_t tickets = 0;
          for (const auto& [p, shard] : shards_) tickets += shard->state.tickets().size();
          tickets_->set(static_cast<double>(tickets));
        }
      },
      true);
  timers.every(std::max<std::chrono::milliseconds>(settings_.checkpoint_interval / 8,
                                                   std::chrono::milliseconds(100)),
               [this] { checkpoint(false); });
  // Changed cells go out right after the batch that changed them, at most once per
  // --emit-interval; the timer above publishes what a last batch left behind.
  auto last_emit = std::chrono::steady_clock::now();
  while (!stopping_) {
    runtime::MessageBatch batch =
        consumer_->poll(settings_.batch_size, std::chrono::milliseconds(50));
    process(batch);
    if (!batch.messages().empty()) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last_emit >= settings_.emit_interval) {
        last_emit = now;
        emit_snapshots();
      }
    }
    timers.run_ready();
    collect_writer(false);
    producer_->poll(std::chrono::milliseconds(0));
  }
  log::info("stopping", {{"shards", static_cast<std::int64_t>(shards_.size())}});
  emit_live();
  checkpoint(true);
  consumer_->close();  // revokes (hand-over checkpoint) and leaves the group
  producer_->flush(std::chrono::seconds(30));
  log::info("stopped", {});
}

}  // namespace pqrflow::metrics
