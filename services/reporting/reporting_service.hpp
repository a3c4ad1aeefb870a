// pqrflow-reporting: merges the partial snapshots of every metrics shard, applies the
// plan (targets, baselines, weights), and publishes the BI feed (the same rows
// `pqrflow replay` prints), compliance updates and alert transitions.
//
// Rows are republished when their content changes; when the stream is quiet (the as-of
// instant stopped moving), rows still stamped with an older as-of are re-stamped, so at
// rest the feed equals `replay` over the same records, version aside. Its merged view
// and input offsets are checkpointed, so a restart does not depend on the topic's
// retention.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/alerts.hpp"
#include "core/bi.hpp"
#include "core/partials.hpp"
#include "core/plan.hpp"
#include "pqrflow/v1/indicators.pb.h"
#include "runtime/checkpoint_store.hpp"
#include "runtime/clock.hpp"
#include "runtime/config.hpp"
#include "runtime/kafka.hpp"
#include "runtime/metrics_registry.hpp"

namespace pqrflow::reporting {

struct AlertSettings {
  double pending_ratio_threshold = 25;  // %
  double pending_ratio_resolve = 20;    // %
  double pending_ratio_min_rise = 2;    // points over the look-back
  std::chrono::milliseconds pending_ratio_lookback{7LL * 24 * 3600 * 1000};
  std::chrono::milliseconds pending_ratio_for{3600 * 1000};
  std::chrono::milliseconds pending_ratio_cooldown{24LL * 3600 * 1000};
  double overdue_threshold = 1;    // tickets past their legal due date
  double due_soon_threshold = 50;  // tickets within the warning days
};

struct ReportingSettings {
  runtime::CommonSettings common;
  std::string plan_path;
  core::Plan plan;
  std::string checkpoint_dir = "pqrflow-state/reporting";
  std::chrono::milliseconds bi_interval{1000};
  std::chrono::milliseconds bi_min_interval{10};
  std::chrono::milliseconds alert_interval{1000};
  std::chrono::milliseconds checkpoint_interval{5000};
  std::string clock = "wall";
  AlertSettings alerts;
  std::size_t batch_size = 10000;
};

struct ReportingHealth {
  std::atomic<bool> assigned{false};
  std::atomic<bool> gap{false};
  std::atomic<std::int64_t> snapshots_total{0};
  std::atomic<std::int64_t> rows_total{0};
  std::atomic<std::int64_t> alerts_total{0};
  std::atomic<std::int64_t> checkpoints_total{0};
  std::atomic<std::int64_t> last_checkpoint_us{0};
  std::atomic<std::int64_t> lag{0};
};

// A consistent copy of what reporting publishes, for HTTP readers on other threads.
struct ReportingView {
  std::vector<core::BiRow> rows;
  pqrflow::v1::ComplianceUpdate compliance;
  std::map<std::string, core::LiveFigures> live;
  std::vector<pqrflow::v1::AlertTransition> active_alerts;
  std::vector<pqrflow::v1::AlertTransition> recent_alerts;  // oldest first, at most 100
  std::vector<pqrflow::v1::DeadlineItem> deadlines;
  std::optional<core::Instant> as_of;
};

class ReportingService {
 public:
  explicit ReportingService(ReportingSettings settings);
  // Registers latency histograms and per-partition lag in the registry.
  void attach_metrics(runtime::metrics::Registry& registry);
  bool start(std::string* error);
  // A metadata round trip through the service's producer (any thread, after start()).
  bool cluster_reachable() {
    return producer_ && producer_->cluster_reachable(std::chrono::seconds(1));
  }
  void run();
  void stop() { stopping_ = true; }
  const ReportingHealth& health() const { return health_; }
  // Thread-safe copy of the latest published view.
  std::shared_ptr<const ReportingView> view() const;

  // Called on the service's thread after each publication (new view, and the alert
  // transitions since the previous call). Set before run().
  using PublishHook =
      std::function<void(const ReportingView&, const std::vector<pqrflow::v1::AlertTransition>&)>;
  void on_publish(PublishHook hook) { publish_hook_ = std::move(hook); }

 private:
  void process(const runtime::MessageBatch& batch);
  // Publishes the rows whose content changed; on a --bi-interval tick also re-stamps
  // rows when the stream went quiet.
  void publish_rows(bool tick);
  void publish_view();
  void evaluate_alerts();
  bool checkpoint();
  bool restore(std::string* error);
  std::uint64_t next_version();

  ReportingSettings settings_;
  ReportingHealth health_;
  std::atomic<bool> stopping_{false};
  std::unique_ptr<runtime::Producer> producer_;
  std::unique_ptr<runtime::Consumer> consumer_;
  std::unique_ptr<runtime::Clock> clock_;
  runtime::CheckpointStore store_;

  core::PartialMerger merger_;
  core::RowCache row_cache_{settings_.plan};  // rows derived again only where they changed
  std::map<std::string, pqrflow::v1::IndicatorSnapshot> latest_;  // key → latest snapshot
  std::map<std::string, pqrflow::v1::DeadlineWorklist> worklists_;
  std::map<std::string, std::int64_t> next_offsets_;  // "topic/partition"
  // The last published BI row per key: change detection and the view. Not checkpointed:
  // after a restart every row is published once more.
  std::unordered_map<std::string, core::BiRow> published_rows_;
  bool republish_all_ = false;  // a delivery failed: publish every row again
  bool compare_all_ = true;     // compare every row with the feed (a produce call failed)
  // How long the latest publication took: live publications are spaced by at least
  // kPublishSpacing times that, so they use a bounded share of a core under load.
  std::chrono::steady_clock::duration last_publish_duration_{};

  std::uint64_t emitted_compliance_ = 0;
  std::optional<core::Instant> emitted_compliance_as_of_;
  std::optional<core::Instant> emitted_as_of_;
  std::optional<core::Instant> previous_tick_as_of_;
  bool dirty_ = true;        // merged cells or the as-of changed: recompute rows
  bool view_dirty_ = true;   // anything the HTTP view shows changed
  bool live_dirty_ = false;  // live figures changed since alerts were last evaluated
  pqrflow::v1::ComplianceUpdate compliance_;

  std::uint64_t last_version_ = 0;
  std::vector<core::AlertTracker> trackers_;
  std::map<std::string, pqrflow::v1::AlertTransition> alert_states_;  // "rule|subject"

  PublishHook publish_hook_;
  runtime::metrics::Histogram* publish_seconds_ = nullptr;
  std::optional<runtime::metrics::GaugeFamily> lag_;
  std::vector<pqrflow::v1::AlertTransition> recent_alerts_;
  std::vector<pqrflow::v1::AlertTransition> unannounced_;  // transitions not yet given to the hook
  mutable std::mutex view_mu_;

  std::shared_ptr<const ReportingView> view_;
};

}  // namespace pqrflow::reporting
