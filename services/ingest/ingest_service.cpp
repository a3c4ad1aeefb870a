#include "ingest/ingest_service.hpp"

#include <algorithm>
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
    // Finish what is in flight and commit it before the partitions move.
    drain();
    health_.assigned = false;
    log::info(lost ? "partitions_lost" : "partitions_revoked",
              {{"count", static_cast<std::int64_t>(tps.size())}});
  };
  return consumer_->subscribe(settings_.common.topics.raw(), std::move(hooks), error);
}

void IngestService::attach_metrics(runtime::metrics::Registry& registry) {
  batch_seconds_ = &registry.histogram(
      "pqrflow_ingest_batch_duration_seconds",
      "From a batch's poll to the acknowledgement of all its outputs (decode, produce, "
      "broker round trip).",
      runtime::metrics::kDefaultLatencyBuckets);
  lag_ = registry.gauge_family("pqrflow_consumer_lag_messages",
                               "Records behind the log end, per assigned partition.",
                               {"topic", "partition"});
}

namespace {
// The entry of (topic, partition) in a short per-partition list, or end(): a handful of
// partitions, looked up without allocating.
auto find_partition(std::vector<runtime::TopicPartition>& list, std::string_view topic,
                    std::int32_t partition) {
  return std::find_if(list.begin(), list.end(), [&](const runtime::TopicPartition& o) {
    return o.partition == partition && o.topic == topic;
  });
}

// Sets `next` offsets by partition: one entry per partition, the latest offset wins.
void merge_offsets(const std::vector<runtime::TopicPartition>& from,
                   std::vector<runtime::TopicPartition>* into) {
  for (const runtime::TopicPartition& tp : from) {
    auto it = find_partition(*into, tp.topic, tp.partition);
    if (it == into->end()) {
      into->push_back(tp);
    } else {
      it->offset = std::max(it->offset, tp.offset);
    }
  }
}
}  // namespace

bool IngestService::process(const runtime::MessageBatch& batch) {
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
  auto owned = std::make_unique<InFlight>();
  InFlight& b = *owned;
  b.polled = std::chrono::steady_clock::now();
  in_flight_.push_back(std::move(owned));
  std::size_t current = 0;
  Normalized n;
  std::string error;
  for (const runtime::Message& m : batch.messages()) {
    if (current >= b.first.size() || b.first[current].partition != m.partition ||
        b.first[current].topic != m.topic) {
      current =
          static_cast<std::size_t>(find_partition(b.first, m.topic, m.partition) - b.first.begin());
      if (current == b.first.size()) {
        b.first.push_back({std::string(m.topic), m.partition, m.offset});
        b.next.push_back(b.first.back());
      }
    }
    b.next[current].offset = m.offset + 1;
    const std::optional<std::string_view> content_type = m.header("content-type");
    normalize(decoder_, m.value, content_type && is_protobuf_content_type(*content_type), &n);
    health_.records_total.fetch_add(1, std::memory_order_relaxed);
    bool ok = false;
    if (n.accepted) {
      ok = producer_->produce_counted(settings_.common.topics.events, n.key, n.event_bytes, {},
                                      &b.tally, &error);
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
      ok = producer_->produce_counted(
          settings_.common.topics.deadletter, origin_key(m), dl.SerializeAsString(),
          {{"reason", reason}, {"detail", n.rejection.detail}, {"origin", origin_key(m)}}, &b.tally,
          &error);
      health_.rejected_total.fetch_add(1, std::memory_order_relaxed);
      health_.rejected_by_reason[static_cast<std::size_t>(n.rejection.reason)].fetch_add(1);
    }
    if (!ok) {
      log::error("produce_failed", {{"error", error}});
      rewind();
      return false;
    }
  }
  runtime::crash_point("ingest.after_produce");
  return true;
}

bool IngestService::settle(bool force) {
  producer_->poll(std::chrono::milliseconds(0));  // serve delivery reports
  while (!retired_.empty() && retired_.front()->tally.settled()) retired_.pop_front();
  const auto now = std::chrono::steady_clock::now();
  while (!in_flight_.empty()) {
    InFlight& b = *in_flight_.front();
    if (!b.tally.settled()) {
      if (now - b.polled < settings_.flush_timeout) break;
      health_.delivering = false;
      log::error("delivery_failed", {{"pending", b.tally.pending()},
                                     {"complete", false},
                                     {"error", "not acknowledged within --flush-timeout"},
                                     {"action", "re-reading the unacknowledged batches"}});
      rewind();
      return false;
    }
    if (b.tally.failed() > 0) {
      health_.delivering = false;
      log::error("delivery_failed", {{"failed", b.tally.failed()},
                                     {"complete", true},
                                     {"error", b.tally.last_error()},
                                     {"action", "re-reading the unacknowledged batches"}});
      rewind();
      return false;
    }
    health_.delivering = true;
    merge_offsets(b.next, &to_commit_);
    if (batch_seconds_ != nullptr) batch_seconds_->observe(now - b.polled);
    in_flight_.pop_front();
  }
  if (to_commit_.empty() || (!force && now - last_commit_ < settings_.commit_interval)) return true;
  runtime::crash_point("ingest.before_commit");
  std::string error;
  if (!consumer_->commit(to_commit_, force, &error)) {
    // The records are published; a restart would re-send them, which is harmless.
    log::warn("commit_failed", {{"error", error}});
  }
  to_commit_.clear();
  last_commit_ = now;
  return true;
}

void IngestService::wait_in_flight(std::size_t max) {
  while (in_flight_.size() > max && !in_flight_.front()->tally.settled() && !stopping_ &&
         std::chrono::steady_clock::now() - in_flight_.front()->polled < settings_.flush_timeout)
    producer_->poll(std::chrono::milliseconds(5));
  settle(false);
}

void IngestService::retire_in_flight() {
  for (auto& b : in_flight_) {
    if (!b->tally.settled()) retired_.push_back(std::move(b));
  }
  in_flight_.clear();
}

void IngestService::rewind() {
  health_.redeliveries_total.fetch_add(1);
  // Every partition goes back to its first unacknowledged offset: its first offset in the
  // oldest in-flight batch holding it (batches are in poll order).
  std::vector<runtime::TopicPartition> first;
  for (const auto& b : in_flight_) {
    for (const runtime::TopicPartition& tp : b->first) {
      if (find_partition(first, tp.topic, tp.partition) == first.end()) first.push_back(tp);
    }
  }
  // Let in-flight messages finish (or time out) before re-sending.
  producer_->flush(settings_.flush_timeout);
  retire_in_flight();
  for (const runtime::TopicPartition& tp : first) {
    std::string error;
    if (!consumer_->seek(tp, std::chrono::seconds(10), &error)) {
      log::error("seek_failed",
                 {{"topic", tp.topic}, {"partition", tp.partition}, {"error", error}});
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // back off before retrying
}

void IngestService::drain() {
  if (in_flight_.empty() && to_commit_.empty()) return;
  producer_->flush(settings_.flush_timeout);
  // Commit what was acknowledged in order; whatever failed or is still pending is read
  // again by whoever gets the partitions (from the committed offsets).
  producer_->poll(std::chrono::milliseconds(0));
  while (!in_flight_.empty() && in_flight_.front()->tally.settled() &&
         in_flight_.front()->tally.failed() == 0) {
    merge_offsets(in_flight_.front()->next, &to_commit_);
    in_flight_.pop_front();
  }
  retire_in_flight();
  settle(true);
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
    // With batches in flight, poll briefly so their acknowledgements are served soon.
    runtime::MessageBatch batch = consumer_->poll(
        settings_.batch_size, std::chrono::milliseconds(in_flight_.empty() ? 50 : 2));
    if (process(batch)) {
      // Behind (a large batch): keep up to max_in_flight batches unacknowledged. Caught up
      // (a small one): wait for the acknowledgements first, so records gather into the
      // next batch instead of trickling out in many tiny produce requests.
      const bool behind =
          batch.messages().size() >= std::max<std::size_t>(settings_.batch_size / 4, 1);
      wait_in_flight(behind ? settings_.max_in_flight - 1 : 0);
    }
    timers.run_ready();
  }
  log::info("stopping", {});
  drain();
  consumer_->close();
  log::info("stopped", {});
}

}  // namespace pqrflow::ingest
