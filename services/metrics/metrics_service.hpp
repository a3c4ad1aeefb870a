// pqrflow-metrics: consumes canonical events, keeps one indicator state per input
// partition (shard), publishes partial indicator snapshots, live figures and deadline
// worklists, and checkpoints each shard with its offset (design.md §2).
//
// Delivery: a shard's checkpoint is written only after every snapshot it implies has
// been acknowledged, and the checkpoint's offset is the restart point; the group's
// committed offsets mirror it for lag monitoring only.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "metrics/shard.hpp"
#include "runtime/checkpoint_store.hpp"
#include "runtime/clock.hpp"
#include "runtime/config.hpp"
#include "runtime/forked_task.hpp"
#include "runtime/kafka.hpp"
#include "runtime/metrics_registry.hpp"

namespace pqrflow::metrics {

struct MetricsSettings {
  runtime::CommonSettings common;
  std::string group_id = "pqrflow-metrics";
  std::string checkpoint_dir = "pqrflow-state/metrics";
  std::chrono::milliseconds checkpoint_interval{5000};
  std::chrono::milliseconds emit_interval{10};
  std::chrono::milliseconds live_interval{1000};
  std::string clock = "wall";
  int warn_days = 3;
  int worklist_limit = 200;
  std::string plan_path;  // optional: legal terms per kind
  core::LegalTerms legal_terms = core::kDefaultLegalTerms;
  std::size_t batch_size = 5000;
};

// Counters the HTTP endpoints read (any thread).
struct MetricsHealth {
  std::atomic<bool> assigned{false};
  std::atomic<bool> gap{false};
  std::atomic<std::int64_t> events_total{0};
  std::atomic<std::int64_t> invalid_total{0};
  std::atomic<std::int64_t> snapshots_total{0};
  std::atomic<std::int64_t> checkpoints_total{0};
  std::atomic<std::int64_t> checkpoint_failures_total{0};
  std::atomic<std::int64_t> last_checkpoint_us{0};
  std::atomic<std::int64_t> shards{0};
  std::atomic<std::int64_t> lag{0};
};

class MetricsService {
 public:
  explicit MetricsService(MetricsSettings settings);
  ~MetricsService();

  // Connects and starts consuming. Returns false with *error (naming the setting).
  // Registers latency histograms, per-partition lag and state sizes in the registry.
  void attach_metrics(runtime::metrics::Registry& registry);
  bool start(std::string* error);
  // A metadata round trip through the service's producer (any thread, after start()).
  bool cluster_reachable() {
    return producer_ && producer_->cluster_reachable(std::chrono::seconds(1));
  }
  // Runs until stop() is called; then emits, checkpoints and leaves the group.
  void run();
  void stop() { stopping_ = true; }

  const MetricsHealth& health() const { return health_; }

 private:
  std::vector<runtime::TopicPartition> on_assigned(const std::vector<runtime::TopicPartition>& tps);
  void on_revoked(const std::vector<runtime::TopicPartition>& tps, bool lost);

  void process(const runtime::MessageBatch& batch);
  void emit_snapshots();
  void emit_live();
  // A checkpoint round over the shards that are due (`all`: every shard, written before
  // returning). Periodic rounds hand the writing to a forked child and return.
  bool checkpoint(bool all);
  // Serialises one shard with its offset into the store (touches nothing else: it runs
  // in the forked writer).
  bool write_checkpoint(const Shard& shard, std::string* error) const;
  // The forked writer's result, if it has finished (`block`: wait for it).
  void collect_writer(bool block);
  void checkpointed(const std::vector<runtime::TopicPartition>& offsets);
  void checkpoint_failed(const std::string& error,
                         const std::vector<runtime::TopicPartition>& offsets);
  std::optional<core::Instant> event_clock() const;
  std::uint64_t epoch_floor() const;
  void dead_letter(const runtime::Message& m, const std::string& reason, const std::string& detail);

  MetricsSettings settings_;
  MetricsHealth health_;
  std::atomic<bool> stopping_{false};
  std::unique_ptr<runtime::Producer> producer_;
  std::unique_ptr<runtime::Consumer> consumer_;
  std::unique_ptr<runtime::Clock> clock_;
  runtime::CheckpointStore store_;
  runtime::ForkedTask writer_;                            // the periodic round being written
  std::vector<runtime::TopicPartition> writing_;          // … its shards and their offsets
  std::chrono::steady_clock::time_point writer_ended_{};  // the last writer's end, seen
  std::chrono::steady_clock::duration writer_elapsed_{};  // … and how long it ran
  std::map<std::int32_t, std::unique_ptr<Shard>> shards_;
  std::uint64_t assignment_floor_ = 0;
  runtime::metrics::Histogram* checkpoint_seconds_ = nullptr;
  runtime::metrics::Histogram* pause_seconds_ = nullptr;
  runtime::metrics::Histogram* emit_seconds_ = nullptr;
  std::optional<runtime::metrics::GaugeFamily> lag_;
  runtime::metrics::Gauge* tickets_ = nullptr;
};

}  // namespace pqrflow::metrics
