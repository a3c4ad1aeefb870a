// pqrflow-ingest: consumes the raw topics (JSON per design.md §4, or canonical protobuf
// with the header content-type: application/x-protobuf), validates and normalises each
// record, publishes canonical events keyed by ticket/visit/turn/subscriber, and sends
// every rejected record to the dead-letter topic with its reason and origin.
//
// Delivery: a batch's offsets are committed only after every event and dead letter it
// produced was acknowledged; on a delivery failure the batch is read again (re-sent
// events are harmless: the state is idempotent). Because each batch is flushed before
// the next poll, an unavailable broker stops consumption instead of buffering.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "core/contract.hpp"
#include "runtime/config.hpp"
#include "runtime/kafka.hpp"
#include "runtime/metrics_registry.hpp"

namespace pqrflow::ingest {

struct IngestSettings {
  runtime::CommonSettings common;
  std::string group_id = "pqrflow-ingest";
  std::size_t batch_size = 5000;
  std::size_t max_record_bytes = 1 << 20;
  std::chrono::milliseconds flush_timeout{30000};
};

struct IngestHealth {
  std::atomic<bool> assigned{false};
  std::atomic<bool> gap{false};
  std::atomic<bool> delivering{true};  // false while the broker refuses our output
  std::atomic<std::int64_t> records_total{0};
  std::atomic<std::int64_t> accepted_total{0};
  std::atomic<std::int64_t> rejected_total{0};
  std::atomic<std::int64_t> redeliveries_total{0};
  std::array<std::atomic<std::int64_t>, core::kRejectReasonCount> rejected_by_reason{};
  std::atomic<std::int64_t> lag{0};
};

// Validates one raw record and renders what ingest publishes for it; shared by the
// Kafka loop and the webhook. Exactly one of `event_bytes` / `rejection` is filled.
struct Normalized {
  bool accepted = false;
  std::string key;          // partition key of the canonical event
  std::string event_bytes;  // canonical protobuf
  core::Rejection rejection;
};
bool is_protobuf_content_type(std::string_view content_type);
void normalize(core::Decoder& decoder, std::string_view value, bool protobuf, Normalized* out);

class IngestService {
 public:
  explicit IngestService(IngestSettings settings);
  // Registers latency histograms and per-partition lag in the process's registry.
  void attach_metrics(runtime::metrics::Registry& registry);
  bool start(std::string* error);
  // A metadata round trip through the service's producer (any thread, after start()).
  bool cluster_reachable() {
    return producer_ && producer_->cluster_reachable(std::chrono::seconds(1));
  }
  void run();
  void stop() { stopping_ = true; }
  const IngestHealth& health() const { return health_; }

 private:
  // Returns false when the batch must be read again.
  bool process(const runtime::MessageBatch& batch);
  void rewind(const std::vector<runtime::TopicPartition>& first_offsets);

  IngestSettings settings_;
  IngestHealth health_;
  std::atomic<bool> stopping_{false};
  core::Decoder decoder_;
  std::unique_ptr<runtime::Producer> producer_;
  std::unique_ptr<runtime::Consumer> consumer_;
  runtime::metrics::Histogram* batch_seconds_ = nullptr;
  std::optional<runtime::metrics::GaugeFamily> lag_;
};

}  // namespace pqrflow::ingest
