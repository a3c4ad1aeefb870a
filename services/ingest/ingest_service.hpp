// pqrflow-ingest: consumes the raw topics (JSON per design.md §4, or canonical protobuf
// with the header content-type: application/x-protobuf), validates and normalises each
// record, publishes canonical events keyed by ticket/visit/turn/subscriber, and sends
// every rejected record to the dead-letter topic with its reason and origin.
//
// Delivery: a batch's offsets are committed only after every event and dead letter it
// produced — and every earlier batch's — was acknowledged; on a delivery failure every
// unacknowledged batch is read again (re-sent events are harmless: the state is
// idempotent). Batches are pipelined: up to max_in_flight batches are produced while
// earlier ones wait for their acknowledgements, so the broker's round trip is not paid
// once per batch; with that many unacknowledged, ingest stops polling, so an unavailable
// broker stops consumption instead of buffering.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <vector>

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
  std::size_t max_in_flight = 4;  // batches produced and not yet acknowledged
  // Acknowledged offsets are committed (asynchronously) at most this often, and
  // synchronously when partitions are revoked and at shutdown.
  std::chrono::milliseconds commit_interval{100};
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
  // A polled batch whose outputs are produced and not all acknowledged yet.
  struct InFlight {
    runtime::DeliveryTally tally;
    // Per partition of the batch: its first offset (to re-read from) and the next one
    // (to commit). A handful of partitions, looked up per record without allocating.
    std::vector<runtime::TopicPartition> first, next;
    std::chrono::steady_clock::time_point polled;
  };

  // Produces the batch's outputs; false when producing failed (everything unacknowledged
  // was rewound to be read again).
  bool process(const runtime::MessageBatch& batch);
  // Serves delivery reports, retires acknowledged batches in order and commits their
  // offsets when due (`force`: now, synchronously). False when a delivery failed or timed
  // out (everything unacknowledged was rewound).
  bool settle(bool force);
  // Waits until at most `max` batches are in flight, then settles.
  void wait_in_flight(std::size_t max);
  // Drops every in-flight batch; those still awaiting delivery reports move to retired_.
  void retire_in_flight();
  // After a failure: waits for what is in flight, then seeks every partition back to its
  // first unacknowledged offset.
  void rewind();
  // Partitions are revoked or the service stops: settle everything, commit synchronously.
  void drain();

  IngestSettings settings_;
  IngestHealth health_;
  std::atomic<bool> stopping_{false};
  core::Decoder decoder_;
  // Declared before producer_ so that they outlive it: their tallies are referenced by
  // messages still in the producer's queue. `retired_` holds batches dropped by a rewind
  // or a revocation until their last delivery report arrives.
  std::deque<std::unique_ptr<InFlight>> in_flight_, retired_;
  std::vector<runtime::TopicPartition> to_commit_;  // acknowledged, not committed yet
  std::chrono::steady_clock::time_point last_commit_{};
  std::unique_ptr<runtime::Producer> producer_;
  std::unique_ptr<runtime::Consumer> consumer_;
  runtime::metrics::Histogram* batch_seconds_ = nullptr;
  std::optional<runtime::metrics::GaugeFamily> lag_;
};

}  // namespace pqrflow::ingest
