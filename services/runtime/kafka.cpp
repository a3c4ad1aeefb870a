#include "runtime/kafka.hpp"

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "runtime/log.hpp"

namespace pqrflow::runtime {
namespace {

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
struct ListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;
using ListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, ListDeleter>;

std::atomic<std::int64_t> g_kafka_errors{0};

// librdkafka's own log lines and errors go to the structured log (from its threads).
void on_log(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  const log::Level l = level <= 3   ? log::Level::kError
                       : level <= 5 ? log::Level::kWarn
                                    : log::Level::kDebug;
  if (!log::enabled(l)) return;
  const log::Field fields[] = {
      {"client", rd_kafka_name(rk)}, {"facility", facility}, {"message", message}};
  log::write(l, "kafka_log", fields);
}

void on_error(rd_kafka_t* rk, int err, const char* reason, void*) {
  g_kafka_errors.fetch_add(1, std::memory_order_relaxed);
  const auto code = static_cast<rd_kafka_resp_err_t>(err);
  const log::Field fields[] = {
      {"client", rd_kafka_name(rk)},
      {"error", rd_kafka_err2name(code)},
      {"reason", reason},
      {"hint", code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || code == RD_KAFKA_RESP_ERR__TRANSPORT
                   ? "the client retries with backoff; check the brokers"
                   : "the client retries where the error is retriable"}};
  log::write(code == RD_KAFKA_RESP_ERR__FATAL ? log::Level::kError : log::Level::kWarn,
             "kafka_error", fields);
}

ConfPtr make_conf(const KafkaProperties& properties, std::string* error) {
  ConfPtr conf(rd_kafka_conf_new());
  rd_kafka_conf_set_log_cb(conf.get(), &on_log);
  rd_kafka_conf_set_error_cb(conf.get(), &on_error);
  char err[512];
  // Every pqrflow client sends its requests at once: batching is linger.ms's job, and
  // Nagle's algorithm with delayed ACKs holds small requests (commits, sparse snapshots,
  // probes) for up to 40 ms per hop. Properties given by the caller still win.
  rd_kafka_conf_set(conf.get(), "socket.nagle.disable", "true", err, sizeof err);
  for (const auto& [key, value] : properties) {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), err, sizeof err) !=
        RD_KAFKA_CONF_OK) {
      *error = "kafka property " + key + "=" + value + ": " + err;
      return nullptr;
    }
  }
  return conf;
}

ListPtr to_list(const std::vector<TopicPartition>& tps) {
  ListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(tps.size())));
  for (const TopicPartition& tp : tps) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset =
        tp.offset;
  }
  return list;
}

std::vector<TopicPartition> from_list(const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartition> out;
  if (list == nullptr) return out;
  out.reserve(static_cast<std::size_t>(list->cnt));
  for (int i = 0; i < list->cnt; ++i) {
    const auto& e = list->elems[i];
    out.push_back({e.topic, e.partition, e.offset});
  }
  return out;
}

std::optional<int> metadata_partition_count(rd_kafka_t* rk, std::string_view topic,
                                            std::chrono::milliseconds timeout) {
  rd_kafka_topic_t* t = rd_kafka_topic_new(rk, std::string(topic).c_str(), nullptr);
  if (t == nullptr) return std::nullopt;
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk, 0, t, &md, static_cast<int>(timeout.count()));
  std::optional<int> out;
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR && md != nullptr && md->topic_cnt == 1 &&
      md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    out = md->topics[0].partition_cnt;
  }
  if (md != nullptr) rd_kafka_metadata_destroy(md);
  rd_kafka_topic_destroy(t);
  return out;
}

}  // namespace

std::optional<std::string_view> Message::header(std::string_view name) const {
  rd_kafka_headers_t* headers = nullptr;
  auto* msg = const_cast<rd_kafka_message_t*>(static_cast<const rd_kafka_message_t*>(raw));
  if (msg == nullptr || rd_kafka_message_headers(msg, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::nullopt;
  }
  const void* data = nullptr;
  std::size_t size = 0;
  if (rd_kafka_header_get_last(headers, std::string(name).c_str(), &data, &size) !=
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::nullopt;
  }
  if (data == nullptr) return std::string_view();
  return std::string_view(static_cast<const char*>(data), size);
}

MessageBatch::MessageBatch(MessageBatch&& o) noexcept
    : messages_(std::move(o.messages_)),
      errors_(std::move(o.errors_)),
      owned_(std::move(o.owned_)) {
  o.owned_.clear();
}

MessageBatch& MessageBatch::operator=(MessageBatch&& o) noexcept {
  if (this != &o) {
    for (void* m : owned_) rd_kafka_message_destroy(static_cast<rd_kafka_message_t*>(m));
    messages_ = std::move(o.messages_);
    errors_ = std::move(o.errors_);
    owned_ = std::move(o.owned_);
    o.owned_.clear();
  }
  return *this;
}

MessageBatch::~MessageBatch() {
  for (void* m : owned_) rd_kafka_message_destroy(static_cast<rd_kafka_message_t*>(m));
}

// ---------------------------------------------------------------------------------------
// Producer

struct Producer::Impl {
  rd_kafka_t* rk = nullptr;
  std::atomic<std::int64_t> delivered{0};
  std::atomic<std::int64_t> failed{0};
  std::int64_t failed_at_last_flush = 0;
  std::mutex error_mu;
  std::string last_error;

  ~Impl() {
    if (rk != nullptr) rd_kafka_destroy(rk);
  }

  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    if (msg->_private != nullptr) {
      // A tracked or counted message.
      static_cast<DeliveryTally*>(msg->_private)
          ->delivered(msg->err == RD_KAFKA_RESP_ERR_NO_ERROR, rd_kafka_err2str(msg->err));
    }
    if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      self->delivered.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    self->failed.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard lock(self->error_mu);
    self->last_error = rd_kafka_err2str(msg->err);
  }
};

Producer::Producer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Producer::~Producer() = default;

std::unique_ptr<Producer> Producer::create(const KafkaProperties& properties, std::string* error) {
  ConfPtr conf = make_conf(properties, error);
  if (!conf) return nullptr;
  auto impl = std::make_unique<Impl>();
  rd_kafka_conf_set_opaque(conf.get(), impl.get());
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &Impl::on_delivery);
  char err[512];
  impl->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), err, sizeof err);
  if (impl->rk == nullptr) {
    *error = std::string("kafka producer: ") + err;
    return nullptr;
  }
  conf.release();  // owned by rk now
  return std::unique_ptr<Producer>(new Producer(std::move(impl)));
}

void DeliveryTally::delivered(bool ok, const char* error) {
  --pending_;
  if (ok) return;
  ++failed_;
  last_error_ = error;
}

namespace {
// A produce_tracked() message's callback: runs once, then frees itself.
class TrackedDelivery final : public DeliveryTally {
 public:
  explicit TrackedDelivery(Producer::DeliveryCallback fn) : fn_(std::move(fn)) {}
  void delivered(bool ok, const char* error) override {
    std::unique_ptr<TrackedDelivery> self(this);
    fn_(ok, ok ? std::string() : std::string(error));
  }

 private:
  Producer::DeliveryCallback fn_;
};
}  // namespace

bool Producer::produce_tracked(std::string_view topic, std::string_view key, std::string_view value,
                               const std::vector<Header>& headers, DeliveryCallback on_delivery,
                               std::string* error) {
  auto* tracked = new TrackedDelivery(std::move(on_delivery));
  if (!produce_impl(topic, key, value, headers, error, std::chrono::seconds(30), -1,
                    static_cast<DeliveryTally*>(tracked))) {
    delete tracked;
    return false;
  }
  return true;
}

bool Producer::produce_counted(std::string_view topic, std::string_view key, std::string_view value,
                               const std::vector<Header>& headers, DeliveryTally* tally,
                               std::string* error) {
  ++tally->pending_;
  if (!produce_impl(topic, key, value, headers, error, std::chrono::seconds(30), -1, tally)) {
    --tally->pending_;
    return false;
  }
  return true;
}

bool Producer::produce(std::string_view topic, std::string_view key, std::string_view value,
                       const std::vector<Header>& headers, std::string* error,
                       std::chrono::milliseconds block_for, std::int32_t partition) {
  return produce_impl(topic, key, value, headers, error, block_for, partition, nullptr);
}

bool Producer::produce_impl(std::string_view topic, std::string_view key, std::string_view value,
                            const std::vector<Header>& headers, std::string* error,
                            std::chrono::milliseconds block_for, std::int32_t partition,
                            DeliveryTally* tally) {
  // Set when the local queue is first found full (reading the clock for every message
  // showed in ingest's profile).
  std::optional<std::chrono::steady_clock::time_point> deadline;
  for (;;) {
    rd_kafka_headers_t* hdrs = nullptr;
    if (!headers.empty()) {
      hdrs = rd_kafka_headers_new(headers.size());
      for (const Header& h : headers) {
        rd_kafka_header_add(hdrs, h.key.data(), static_cast<ssize_t>(h.key.size()), h.value.data(),
                            static_cast<ssize_t>(h.value.size()));
      }
    }
    // librdkafka wants a C string; topic names are short (no allocation per message).
    char short_name[256];
    std::string long_name;
    const char* topic_name = short_name;
    if (topic.size() < sizeof short_name) {
      topic.copy(short_name, topic.size());
      short_name[topic.size()] = '\0';
    } else {
      long_name = topic;
      topic_name = long_name.c_str();
    }
    rd_kafka_vu_t vus[7];
    vus[0].vtype = RD_KAFKA_VTYPE_TOPIC;
    vus[0].u.cstr = topic_name;
    vus[1].vtype = RD_KAFKA_VTYPE_PARTITION;
    vus[1].u.i32 = partition;
    vus[2].vtype = RD_KAFKA_VTYPE_KEY;
    vus[2].u.mem.ptr = const_cast<char*>(key.data());
    vus[2].u.mem.size = key.size();
    vus[3].vtype = RD_KAFKA_VTYPE_VALUE;
    vus[3].u.mem.ptr = const_cast<char*>(value.data());
    vus[3].u.mem.size = value.size();
    vus[4].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vus[4].u.i = RD_KAFKA_MSG_F_COPY;
    std::size_t count = 5;
    if (hdrs != nullptr) {
      vus[count].vtype = RD_KAFKA_VTYPE_HEADERS;
      vus[count].u.headers = hdrs;
      ++count;
    }
    if (tally != nullptr) {
      vus[count].vtype = RD_KAFKA_VTYPE_OPAQUE;
      vus[count].u.ptr = tally;
      ++count;
    }
    rd_kafka_error_t* produce_error = rd_kafka_produceva(impl_->rk, vus, count);
    const rd_kafka_resp_err_t err =
        produce_error == nullptr ? RD_KAFKA_RESP_ERR_NO_ERROR : rd_kafka_error_code(produce_error);
    if (produce_error != nullptr) rd_kafka_error_destroy(produce_error);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return true;  // headers now owned by librdkafka
    if (hdrs != nullptr) rd_kafka_headers_destroy(hdrs);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      const auto now = std::chrono::steady_clock::now();
      if (!deadline) deadline = now + block_for;
      if (now < *deadline) {
        // The local queue is full: serve delivery reports so it drains, then retry.
        rd_kafka_poll(impl_->rk, 50);
        continue;
      }
    }
    if (error != nullptr)
      *error = std::string("produce to ") + topic_name + ": " + rd_kafka_err2str(err);
    return false;
  }
}

void Producer::poll(std::chrono::milliseconds timeout) {
  rd_kafka_poll(impl_->rk, static_cast<int>(timeout.count()));
}

DeliveryReport Producer::flush(std::chrono::milliseconds timeout) {
  DeliveryReport report;
  report.complete =
      rd_kafka_flush(impl_->rk, static_cast<int>(timeout.count())) == RD_KAFKA_RESP_ERR_NO_ERROR;
  const std::int64_t failed = impl_->failed.load();
  report.failed = failed - impl_->failed_at_last_flush;
  impl_->failed_at_last_flush = failed;
  if (report.failed > 0) {
    std::lock_guard lock(impl_->error_mu);
    report.last_error = impl_->last_error;
  }
  return report;
}

int Producer::queue_length() const {
  return rd_kafka_outq_len(impl_->rk);
}
std::int64_t Producer::delivered_total() const {
  return impl_->delivered.load();
}
std::int64_t Producer::failed_total() const {
  return impl_->failed.load();
}

bool Producer::cluster_reachable(std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t err =
      rd_kafka_metadata(impl_->rk, 0, nullptr, &md, static_cast<int>(timeout.count()));
  const bool ok = err == RD_KAFKA_RESP_ERR_NO_ERROR && md != nullptr && md->broker_cnt > 0;
  if (md != nullptr) rd_kafka_metadata_destroy(md);
  return ok;
}

std::int64_t kafka_errors_total() {
  return g_kafka_errors.load(std::memory_order_relaxed);
}

std::optional<int> Producer::partition_count(std::string_view topic,
                                             std::chrono::milliseconds timeout) {
  return metadata_partition_count(impl_->rk, topic, timeout);
}

// ---------------------------------------------------------------------------------------
// Consumer

struct Consumer::Impl {
  rd_kafka_t* rk = nullptr;
  RebalanceHooks hooks;
  bool closed = false;
  // Where each assigned partition starts (offset ≥ 0 when known): its lag until the first
  // message arrives and gives librdkafka a position.
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> starts;

  void remember_starts(const rd_kafka_topic_partition_list_t* list) {
    for (int i = 0; i < list->cnt; ++i) {
      const auto& e = list->elems[i];
      starts[{e.topic, e.partition}] = e.offset;
    }
  }

  ~Impl() {
    if (rk != nullptr) {
      if (!closed) rd_kafka_consumer_close(rk);
      rd_kafka_destroy(rk);
    }
  }

  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    // NULL when the protocol is not known (e.g. the consumer is leaving mid-rebalance).
    const char* protocol = rd_kafka_rebalance_protocol(rk);
    const bool cooperative = protocol != nullptr && std::strcmp(protocol, "COOPERATIVE") == 0;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      std::vector<TopicPartition> tps = from_list(partitions);
      std::vector<TopicPartition> starts =
          self->hooks.on_assigned ? self->hooks.on_assigned(tps) : tps;
      // Resolve "stored" offsets to the group's commits, or the beginning when none.
      ListPtr list = to_list(starts);
      ListPtr stored(rd_kafka_topic_partition_list_new(list->cnt));
      for (int i = 0; i < list->cnt; ++i) {
        if (list->elems[i].offset == kOffsetStored) {
          rd_kafka_topic_partition_list_add(stored.get(), list->elems[i].topic,
                                            list->elems[i].partition);
        }
      }
      if (stored->cnt > 0) rd_kafka_committed(rk, stored.get(), 10000);
      for (int i = 0; i < list->cnt; ++i) {
        auto& e = list->elems[i];
        if (e.offset != kOffsetStored) continue;
        e.offset = kOffsetBeginning;
        for (int j = 0; j < stored->cnt; ++j) {
          if (stored->elems[j].partition == e.partition &&
              std::strcmp(stored->elems[j].topic, e.topic) == 0 && stored->elems[j].offset >= 0) {
            e.offset = stored->elems[j].offset;
          }
        }
      }
      self->remember_starts(list.get());
      if (cooperative) {
        rd_kafka_error_t* e = rd_kafka_incremental_assign(rk, list.get());
        if (e != nullptr) rd_kafka_error_destroy(e);
      } else {
        rd_kafka_assign(rk, list.get());
      }
    } else {
      const bool lost = rd_kafka_assignment_lost(rk) != 0;
      if (self->hooks.on_revoked) self->hooks.on_revoked(from_list(partitions), lost);
      if (cooperative) {
        rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, partitions);
        if (e != nullptr) rd_kafka_error_destroy(e);
      } else {
        rd_kafka_assign(rk, nullptr);
      }
    }
  }
};

Consumer::Consumer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Consumer::~Consumer() = default;

std::unique_ptr<Consumer> Consumer::create(const KafkaProperties& properties, std::string* error) {
  KafkaProperties props = {{"enable.auto.commit", "false"},
                           {"enable.auto.offset.store", "false"},
                           {"auto.offset.reset", "error"},
                           {"enable.partition.eof", "false"}};
  props.insert(props.end(), properties.begin(), properties.end());
  ConfPtr conf = make_conf(props, error);
  if (!conf) return nullptr;
  auto impl = std::make_unique<Impl>();
  rd_kafka_conf_set_opaque(conf.get(), impl.get());
  rd_kafka_conf_set_rebalance_cb(conf.get(), &Impl::on_rebalance);
  char err[512];
  impl->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), err, sizeof err);
  if (impl->rk == nullptr) {
    *error = std::string("kafka consumer: ") + err;
    return nullptr;
  }
  conf.release();
  rd_kafka_poll_set_consumer(impl->rk);
  return std::unique_ptr<Consumer>(new Consumer(std::move(impl)));
}

bool Consumer::subscribe(const std::vector<std::string>& topics, RebalanceHooks hooks,
                         std::string* error) {
  impl_->hooks = std::move(hooks);
  ListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
  for (const std::string& t : topics) {
    rd_kafka_topic_partition_list_add(list.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  }
  const rd_kafka_resp_err_t err = rd_kafka_subscribe(impl_->rk, list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    *error = std::string("subscribe: ") + rd_kafka_err2str(err);
    return false;
  }
  return true;
}

bool Consumer::assign(const std::vector<TopicPartition>& partitions, std::string* error) {
  ListPtr list = to_list(partitions);
  impl_->remember_starts(list.get());
  const rd_kafka_resp_err_t err = rd_kafka_assign(impl_->rk, list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    *error = std::string("assign: ") + rd_kafka_err2str(err);
    return false;
  }
  return true;
}

MessageBatch Consumer::poll(std::size_t max_messages, std::chrono::milliseconds timeout) {
  MessageBatch batch;
  int wait_ms = static_cast<int>(timeout.count());
  while (batch.messages_.size() < max_messages) {
    rd_kafka_message_t* msg = rd_kafka_consumer_poll(impl_->rk, wait_ms);
    wait_ms = 0;  // after the first, take only what is ready
    if (msg == nullptr) break;
    if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      ConsumerError e;
      if (msg->rkt != nullptr) e.topic = rd_kafka_topic_name(msg->rkt);
      e.partition = msg->partition;
      e.offset = msg->offset;
      e.message = rd_kafka_message_errstr(msg);
      e.offset_out_of_range = msg->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET ||
                              msg->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE;
      e.fatal = msg->err == RD_KAFKA_RESP_ERR__FATAL;
      const bool eof = msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
      rd_kafka_message_destroy(msg);
      if (!eof) batch.errors_.push_back(std::move(e));
      continue;
    }
    Message m;
    m.topic = rd_kafka_topic_name(msg->rkt);
    m.partition = msg->partition;
    m.offset = msg->offset;
    m.key = std::string_view(static_cast<const char*>(msg->key), msg->key_len);
    m.value = std::string_view(static_cast<const char*>(msg->payload), msg->len);
    m.timestamp_ms = rd_kafka_message_timestamp(msg, nullptr);
    m.raw = msg;
    batch.messages_.push_back(m);
    batch.owned_.push_back(msg);
  }
  return batch;
}

bool Consumer::commit(const std::vector<TopicPartition>& offsets, bool synchronous,
                      std::string* error) {
  if (offsets.empty()) return true;
  ListPtr list = to_list(offsets);
  const rd_kafka_resp_err_t err = rd_kafka_commit(impl_->rk, list.get(), synchronous ? 0 : 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
    if (error != nullptr) *error = std::string("commit: ") + rd_kafka_err2str(err);
    return false;
  }
  return true;
}

std::vector<TopicPartition> Consumer::committed(const std::vector<TopicPartition>& partitions,
                                                std::chrono::milliseconds timeout) {
  ListPtr list = to_list(partitions);
  if (rd_kafka_committed(impl_->rk, list.get(), static_cast<int>(timeout.count())) !=
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    return {};
  }
  return from_list(list.get());
}

bool Consumer::seek(const TopicPartition& to, std::chrono::milliseconds timeout,
                    std::string* error) {
  ListPtr list = to_list({to});
  rd_kafka_error_t* err =
      rd_kafka_seek_partitions(impl_->rk, list.get(), static_cast<int>(timeout.count()));
  if (err != nullptr) {
    if (error != nullptr) *error = std::string("seek: ") + rd_kafka_error_string(err);
    rd_kafka_error_destroy(err);
    return false;
  }
  if (list->elems[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (error != nullptr) *error = std::string("seek: ") + rd_kafka_err2str(list->elems[0].err);
    return false;
  }
  return true;
}

void Consumer::pause(const std::vector<TopicPartition>& partitions) {
  ListPtr list = to_list(partitions);
  rd_kafka_pause_partitions(impl_->rk, list.get());
}

void Consumer::resume(const std::vector<TopicPartition>& partitions) {
  ListPtr list = to_list(partitions);
  rd_kafka_resume_partitions(impl_->rk, list.get());
}

std::vector<TopicPartition> Consumer::assignment() const {
  rd_kafka_topic_partition_list_t* list = nullptr;
  if (rd_kafka_assignment(impl_->rk, &list) != RD_KAFKA_RESP_ERR_NO_ERROR) return {};
  ListPtr owned(list);
  return from_list(list);
}

std::vector<std::pair<TopicPartition, std::int64_t>> Consumer::lag() const {
  std::vector<std::pair<TopicPartition, std::int64_t>> out;
  rd_kafka_topic_partition_list_t* list = nullptr;
  if (rd_kafka_assignment(impl_->rk, &list) != RD_KAFKA_RESP_ERR_NO_ERROR) return out;
  ListPtr owned(list);
  rd_kafka_position(impl_->rk, list);
  for (int i = 0; i < list->cnt; ++i) {
    const auto& e = list->elems[i];
    std::int64_t low = -1, high = -1;
    std::int64_t lag = -1;
    if (rd_kafka_get_watermark_offsets(impl_->rk, e.topic, e.partition, &low, &high) ==
            RD_KAFKA_RESP_ERR_NO_ERROR &&
        high >= 0) {
      std::int64_t from = e.offset;  // the position, once a message arrived
      if (from < 0) {
        const auto start = impl_->starts.find({e.topic, e.partition});
        if (start != impl_->starts.end()) from = start->second;
      }
      lag = from >= 0 ? std::max<std::int64_t>(0, high - from)
                      : high - std::max<std::int64_t>(low, 0);
    }
    out.push_back({{e.topic, e.partition, e.offset}, lag});
  }
  return out;
}

std::optional<int> Consumer::partition_count(std::string_view topic,
                                             std::chrono::milliseconds timeout) {
  return metadata_partition_count(impl_->rk, topic, timeout);
}

std::optional<std::int64_t> Consumer::end_offsets_total(std::string_view topic,
                                                        std::chrono::milliseconds timeout) {
  const std::optional<int> n = partition_count(topic, timeout);
  if (!n) return std::nullopt;
  const std::string name(topic);
  std::int64_t total = 0;
  for (int p = 0; p < *n; ++p) {
    std::int64_t low = 0, high = 0;
    if (rd_kafka_query_watermark_offsets(impl_->rk, name.c_str(), p, &low, &high,
                                         static_cast<int>(timeout.count())) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      return std::nullopt;
    }
    total += high;
  }
  return total;
}

void Consumer::close() {
  if (impl_->closed) return;
  rd_kafka_consumer_close(impl_->rk);
  impl_->closed = true;
}

bool brokers_reachable(const std::string& brokers, std::chrono::milliseconds timeout,
                       std::string* error) {
  ConfPtr conf = make_conf({{"bootstrap.servers", brokers}, {"log_level", "0"}}, error);
  if (!conf) return false;
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), err, sizeof err);
  if (rk == nullptr) {
    *error = std::string("kafka client: ") + err;
    return false;
  }
  conf.release();
  // A metadata request answers only when some broker of the list is reachable.
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t e =
      rd_kafka_metadata(rk, 1, nullptr, &md, static_cast<int>(timeout.count()));
  if (md != nullptr) rd_kafka_metadata_destroy(md);
  rd_kafka_destroy(rk);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    *error = "brokers " + brokers + " unreachable: " + rd_kafka_err2str(e);
    return false;
  }
  return true;
}

}  // namespace pqrflow::runtime
