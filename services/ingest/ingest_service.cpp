#include "ingest/ingest_service.hpp"

#include <thread>

#include "core/event_codec.hpp"
#include "pqrflow/v1/deadletter.pb.h"
#include "runtime/clock.hpp"
#include "runtime/crash_points.hpp"
#include "runtime/log.hpp"
#include "runtime/periodic.hpp"

namespace pqrflow::ingest {
namespace {

namespace log = runtime::log;

std::string origin_key(const runtime::Message& m) {
  return std::string(m.topic) + "/" + std::to_string(m.partition) + "/" + std::to_string(m.offset);
}

}  // namespace

bool is_protobuf_content_type(std::string_view content_type) {
  return content_type.find("protobuf") != std::string_view::npos;
}

void normalize(core::Decoder& decoder, std::string_view value, bool protobuf, Normalized* out) {
  static thread_local core::Event event;
  // `out` is reused across records: clear what this one may not fill (keeping capacity),
  // so exactly one of event_bytes / rejection is ever filled.
  out->key.clear();
  out->event_bytes.clear();
  out->accepted = protobuf ? decoder.decode_protobuf(value, &event, &out->rejection)
                           : decoder.decode_json(value, &event, &out->rejection);
  if (!out->accepted && !protobuf && !value.empty() && value[0] == '\x0a' &&
      (out->rejection.reason == core::RejectReason::kInvalidJson ||
       out->rejection.reason == core::RejectReason::kInvalidUtf8)) {
    // No content-type header, not JSON, and it starts like a protobuf Event (field 1,
    // event_id): accept it when it is a valid canonical event.
    core::Rejection as_protobuf;
    if (decoder.decode_protobuf(value, &event, &as_protobuf)) out->accepted = true;
  }
  if (!out->accepted) return;
  out->rejection.reason = core::Rejection{}.reason;
  out->rejection.detail.clear();
  out->key = core::partition_key(event);
  core::serialize_event(event, &out->event_bytes);
}

IngestService::IngestService(IngestSettings settings)
    : settings_(std::move(settings)),
      decoder_(core::DecoderLimits{settings_.max_record_bytes, 32}) {}

bool IngestService::start(std::string* error) {
  if (!runtime::brokers_reachable(settings_.common.brokers, std::chrono::seconds(10), error)) {
    return false;
  }
  runtime::KafkaProperties overrides;
  if (!settings_.common.kafka_overrides(&overrides, error)) return false;
  runtime::KafkaProperties producer_props = {
      {"bootstrap.servers", settings_.common.brokers},
      {"client.id", "pqrflow-ingest"},
      {"enable.idempotence", "true"},     // broker retries never duplicate or reorder
      {"linger.ms", "2"},                 // a batch is flushed right after it is produced
      {"compression.type", "lz4"},        // more events per MiB (the embedded broker keeps 5 MiB)
      {"partitioner", "murmur2_random"},  // the Java client's key → partition mapping
      {"message.max.bytes",
       std::to_string(std::max<std::size_t>(settings_.max_record_bytes * 2, 1'000'000))},
  };
  producer_props.insert(producer_props.end(), overrides.begin(), overrides.end());
  producer_ = runtime::Producer::create(producer_props, error);
  if (!producer_) return false;
  runtime::KafkaProperties consumer_props = {
      {"bootstrap.servers", settings_.common.brokers},
      {"group.id", settings_.group_id},
      {"client.id", "pqrflow-ingest"},
      {"session.timeout.ms", "10000"},
      {"heartbeat.interval.ms", "1000"},
      {"fetch.message.max.bytes",
       std::to_string(std::max<std::size_t>(settings_.max_record_bytes * 2, 1'048'576))},
      // A fetch that finds no new data is answered after at most 10 ms instead of 500:
      // librdkafka's mock broker (the embedded default) holds an empty fetch for the whole
      // wait even when data arrives meanwhile, which would add up to 500 ms per hop of
      // end-to-end latency (a real broker answers as soon as data arrives). Costs up to
      // 100 small requests/s per broker when idle; override with
      // --kafka-property fetch.wait.max.ms=… .
      {"fetch.wait.max.ms", "10"},
  };
  consumer_props.insert(consumer_props.end(), overrides.begin(), overrides.end());
  consumer_ = runtime::Consumer::create(consumer_props, error);
  if (!consumer_) return false;
  runtime::Consumer::RebalanceHooks hooks;
  hooks.on_assigned = [this](const std::vector<runtime::TopicPartition>& tps) {
    std::vector<runtime::TopicPartition> out = tps;
    for (auto& tp : out) tp.offset = runtime::kOffsetStored;  // committed, else the beginning
    health_.assigned = true;
    log::info("partitions_assigned", {{"count", static_cast<std::int64_t>(tps.size())}});
    return out;
  };
  hooks.on_revoked = [this](const std::vector<runtime::TopicPartition>& tps, bool lost) {
    // Nothing is in flight between polls: each batch was flushed and committed.
    health_.assigned = false;
    log::info(lost ? "partitions_lost" : "partitions_revoked",
              {{"count", static_cast<std::int64_t>(tps.size())}});
  };
  return consumer_->subscribe(settings_.common.topics.raw(), std::move(hooks), error);
}

void IngestService::attach_metrics(runtime::metrics::Registry& registry) {
  batch_seconds_ = &registry.histogram(
      "pqrflow_ingest_batch_duration_seconds",
      "From a batch's poll to its commit: decode, produce and wait for acknowledgements.",
      runtime::metrics::kDefaultLatencyBuckets);
  lag_ = registry.gauge_family("pqrflow_consumer_lag_messages",
                               "Records behind the log end, per assigned partition.",
                               {"topic", "partition"});
}

bool IngestService::process(const runtime::MessageBatch& batch) {
  const auto started = std::chrono::steady_clock::now();
  for (const runtime::ConsumerError& e : batch.errors()) {
    if (e.offset_out_of_range) {
      health_.gap = true;
      log::error("offset_gap", {{"topic", e.topic},
                                {"partition", e.partition},
                                {"error", e.message},
                                {"hint",
                                 "raw records were deleted by retention before ingest "
                                 "read them; they must be re-sent"}});
      consumer_->pause({{e.topic, e.partition, 0}});
    } else {
      log::warn("consumer_error",
                {{"topic", e.topic}, {"partition", e.partition}, {"error", e.message}});
    }
  }
  if (batch.empty()) return true;
  // Per partition of the batch: its first offset (to re-read from) and the next one (to
  // commit). A handful of partitions, looked up per record without allocating.
  std::vector<runtime::TopicPartition> first, next;
  std::size_t current = 0;
  Normalized n;
  std::string error;
  for (const runtime::Message& m : batch.messages()) {
    if (current >= first.size() || first[current].partition != m.partition ||
        first[current].topic != m.topic) {
      current = 0;
      while (current < first.size() &&
             (first[current].partition != m.partition || first[current].topic != m.topic))
        ++current;
      if (current == first.size()) {
        first.push_back({std::string(m.topic), m.partition, m.offset});
        next.push_back(first.back());
      }
    }
    next[current].offset = m.offset + 1;
    const std::optional<std::string_view> content_type = m.header("content-type");
    normalize(decoder_, m.value, content_type && is_protobuf_content_type(*content_type), &n);
    health_.records_total.fetch_add(1, std::memory_order_relaxed);
    bool ok = false;
    if (n.accepted) {
      ok = producer_->produce(settings_.common.topics.events, n.key, n.event_bytes, {}, &error);
      health_.accepted_total.fetch_add(1, std::memory_order_relaxed);
    } else {
      const std::string reason(core::reason_code(n.rejection.reason));
      pqrflow::v1::DeadLetter dl;
      dl.set_reason(reason);
      dl.set_detail(n.rejection.detail);
      dl.set_origin_topic(std::string(m.topic));
      dl.set_origin_partition(m.partition);
      dl.set_origin_offset(m.offset);
      // A dead letter must fit the producer's message.max.bytes (2 × max_record_bytes,
      // see start()), or its delivery fails on every retry and ingest stalls on the
      // record forever. Only a record_too_large value can exceed max_record_bytes — by
      // any amount the broker accepted — so it keeps its first max_record_bytes bytes
      // (its detail gives the full size); a key is cut at half of that.
      dl.set_original(std::string(m.value.substr(0, settings_.max_record_bytes)));
      dl.set_original_key(std::string(m.key.substr(0, settings_.max_record_bytes / 2)));
      dl.set_rejected_at_us(runtime::wall_now().us);
      dl.set_service("pqrflow-ingest");
      ok = producer_->produce(
          settings_.common.topics.deadletter, origin_key(m), dl.SerializeAsString(),
          {{"reason", reason}, {"detail", n.rejection.detail}, {"origin", origin_key(m)}}, &error);
      health_.rejected_total.fetch_add(1, std::memory_order_relaxed);
      health_.rejected_by_reason[static_cast<std::size_t>(n.rejection.reason)].fetch_add(1);
    }
    if (!ok) {
      log::error("produce_failed", {{"error", error}});
      rewind(first);
      return false;
    }
  }
  runtime::crash_point("ingest.after_produce");
  // Commit only what the broker acknowledged.
  const runtime::DeliveryReport report = producer_->flush(settings_.flush_timeout);
  if (!report.complete || report.failed > 0) {
    health_.delivering = false;
    log::error("delivery_failed", {{"failed", report.failed},
                                   {"complete", report.complete},
                                   {"error", report.last_error},
                                   {"action", "re-reading the batch"}});
    rewind(first);
    return false;
  }
  health_.delivering = true;
  runtime::crash_point("ingest.before_commit");
  if (!consumer_->commit(next, true, &error)) {
    // The records are published; a restart would re-send them, which is harmless.
    log::warn("commit_failed", {{"error", error}});
  }
  if (batch_seconds_ != nullptr)
    batch_seconds_->observe(std::chrono::steady_clock::now() - started);
  return true;
}

void IngestService::rewind(const std::vector<runtime::TopicPartition>& first_offsets) {
  health_.redeliveries_total.fetch_add(1);
  // Let in-flight messages finish (or time out) before re-sending.
  producer_->flush(settings_.flush_timeout);
  for (const runtime::TopicPartition& tp : first_offsets) {
    std::string error;
    if (!consumer_->seek(tp, std::chrono::seconds(10), &error)) {
      log::error("seek_failed",
                 {{"topic", tp.topic}, {"partition", tp.partition}, {"error", error}});
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // back off before retrying
}

void IngestService::run() {
  runtime::Periodic timers;
  timers.every(std::chrono::seconds(1), [this] {
    std::int64_t lag = 0;
    for (const auto& [tp, l] : consumer_->lag()) {
      lag += std::max<std::int64_t>(l, 0);
      if (lag_ && l >= 0)
        lag_->with({tp.topic, std::to_string(tp.partition)}).set(static_cast<double>(l));
    }
    health_.lag = lag;
  });
  while (!stopping_) {
    runtime::MessageBatch batch =
        consumer_->poll(settings_.batch_size, std::chrono::milliseconds(50));
    process(batch);
    timers.run_ready();
  }
  log::info("stopping", {});
  producer_->flush(settings_.flush_timeout);
  consumer_->close();
  log::info("stopped", {});
}

}  // namespace pqrflow::ingest
