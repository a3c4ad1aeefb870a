// Kafka clients for the services: a producer whose flush() says whether everything
// enqueued was acknowledged, and a group consumer with batch polling, explicit offsets
// and a synchronous rebalance hook. librdkafka stays behind these classes (pimpl).
//
// Contracts the services rely on:
//  - Consumer::poll() serves rebalances: on_revoked() runs before partitions move
//    away (finish, flush, checkpoint there), on_assigned() returns the offsets to start
//    from (the checkpoint's, or kOffsetBeginning).
//  - Offsets are never committed automatically; auto.offset.reset is "error", so a
//    position that fell off the log is reported as a gap, never skipped silently.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pqrflow::runtime {

// librdkafka properties, applied in order (later entries win).
using KafkaProperties = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::int64_t kOffsetBeginning = -2;  // RD_KAFKA_OFFSET_BEGINNING
inline constexpr std::int64_t kOffsetEnd = -1;        // RD_KAFKA_OFFSET_END
inline constexpr std::int64_t kOffsetStored = -1000;  // RD_KAFKA_OFFSET_STORED

struct Header {
  std::string key;
  std::string value;
};

struct TopicPartition {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = kOffsetBeginning;
  friend bool operator==(const TopicPartition&, const TopicPartition&) = default;
};

// A message of a polled batch; views stay valid while the batch lives.
struct Message {
  std::string_view topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::string_view key;
  std::string_view value;
  std::int64_t timestamp_ms = 0;
  const void* raw = nullptr;  // the underlying rd_kafka_message_t
  // The first header with this name, if any.
  std::optional<std::string_view> header(std::string_view name) const;
};

// A consumer-side problem attached to a partition (or to none, partition = -1).
struct ConsumerError {
  std::string topic;
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  std::string message;
  bool offset_out_of_range = false;  // the position fell off the log: a gap
  bool fatal = false;
};

class MessageBatch {
 public:
  MessageBatch() = default;
  MessageBatch(MessageBatch&&) noexcept;
  MessageBatch& operator=(MessageBatch&&) noexcept;
  ~MessageBatch();
  const std::vector<Message>& messages() const { return messages_; }
  const std::vector<ConsumerError>& errors() const { return errors_; }
  bool empty() const { return messages_.empty(); }

 private:
  friend class Consumer;
  std::vector<Message> messages_;
  std::vector<ConsumerError> errors_;
  std::vector<void*> owned_;  // rd_kafka_message_t* to destroy
};

// Counts the delivery outcomes of a group of produced messages (e.g. the outputs of one
// consumed batch). Producer::produce_counted() adds one pending message; its delivery
// report, served on the thread that calls Producer::poll()/flush(), settles it.
class DeliveryTally {
 public:
  DeliveryTally() = default;
  DeliveryTally(const DeliveryTally&) = delete;
  DeliveryTally& operator=(const DeliveryTally&) = delete;
  virtual ~DeliveryTally() = default;
  std::int64_t pending() const { return pending_; }
  std::int64_t failed() const { return failed_; }
  bool settled() const { return pending_ == 0; }
  const std::string& last_error() const { return last_error_; }
  // Called once per message by the producer (public for the producer's callback types).
  virtual void delivered(bool ok, const char* error);

 private:
  friend class Producer;
  std::int64_t pending_ = 0;
  std::int64_t failed_ = 0;
  std::string last_error_;
};

struct DeliveryReport {
  bool complete = false;    // the queue drained within the timeout
  std::int64_t failed = 0;  // deliveries that failed since the previous flush()
  std::string last_error;   // the latest failure's message
};

class Producer {
 public:
  // Properties are librdkafka's (bootstrap.servers, linger.ms, …). Returns nullptr and
  // sets *error (naming the property) when the configuration is rejected.
  static std::unique_ptr<Producer> create(const KafkaProperties& properties, std::string* error);
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Enqueues a message. When the local queue is full it serves delivery reports and
  // retries for up to `block_for` (backpressure instead of unbounded buffering).
  // Returns false with *error when it could not enqueue.
  bool produce(std::string_view topic, std::string_view key, std::string_view value,
               const std::vector<Header>& headers = {}, std::string* error = nullptr,
               std::chrono::milliseconds block_for = std::chrono::seconds(30),
               std::int32_t partition = -1);

  // Like produce(), and `on_delivery(ok, error)` runs once the broker acknowledged (or
  // definitively refused) this message, on the thread that calls poll()/flush().
  using DeliveryCallback = std::function<void(bool ok, const std::string& error)>;
  bool produce_tracked(std::string_view topic, std::string_view key, std::string_view value,
                       const std::vector<Header>& headers, DeliveryCallback on_delivery,
                       std::string* error = nullptr);

  // Like produce(), and the message's outcome is counted in *tally, which must outlive
  // its delivery report (flush() before destroying it). Blocks like produce() when the
  // local queue is full.
  bool produce_counted(std::string_view topic, std::string_view key, std::string_view value,
                       const std::vector<Header>& headers, DeliveryTally* tally,
                       std::string* error = nullptr);

  // Serves delivery reports without blocking longer than timeout.
  void poll(std::chrono::milliseconds timeout);
  // Waits until every enqueued message is acknowledged or failed.
  DeliveryReport flush(std::chrono::milliseconds timeout);
  int queue_length() const;
  // Delivery outcomes so far (for metrics).
  std::int64_t delivered_total() const;
  std::int64_t failed_total() const;
  // Partition count of a topic from broker metadata (nullopt on error).
  std::optional<int> partition_count(std::string_view topic, std::chrono::milliseconds timeout);
  // True when a broker answers a metadata request in time (any thread).
  bool cluster_reachable(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  explicit Producer(std::unique_ptr<Impl> impl);
  bool produce_impl(std::string_view topic, std::string_view key, std::string_view value,
                    const std::vector<Header>& headers, std::string* error,
                    std::chrono::milliseconds block_for, std::int32_t partition,
                    DeliveryTally* tally);
  std::unique_ptr<Impl> impl_;
};

class Consumer {
 public:
  struct RebalanceHooks {
    // Partitions were assigned; return the offset to start each from (kOffsetStored to
    // use the group's committed offset, falling back to the beginning).
    std::function<std::vector<TopicPartition>(const std::vector<TopicPartition>&)> on_assigned;
    // Partitions are about to be taken away (or were lost): finish them now.
    std::function<void(const std::vector<TopicPartition>&, bool lost)> on_revoked;
  };

  static std::unique_ptr<Consumer> create(const KafkaProperties& properties, std::string* error);
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Joins the group (properties must hold group.id) on these topics.
  bool subscribe(const std::vector<std::string>& topics, RebalanceHooks hooks, std::string* error);
  // Reads these partitions from the given offsets without group management.
  bool assign(const std::vector<TopicPartition>& partitions, std::string* error);

  // Waits up to `timeout` for the first message, then takes whatever else is ready, up to
  // max_messages. Also serves rebalances (hooks run inside this call).
  MessageBatch poll(std::size_t max_messages, std::chrono::milliseconds timeout);

  // Commits "next offset to read" per partition.
  bool commit(const std::vector<TopicPartition>& offsets, bool synchronous, std::string* error);
  // Group-committed offsets for these partitions (offset < 0 when none).
  std::vector<TopicPartition> committed(const std::vector<TopicPartition>& partitions,
                                        std::chrono::milliseconds timeout);
  bool seek(const TopicPartition& to, std::chrono::milliseconds timeout, std::string* error);
  void pause(const std::vector<TopicPartition>& partitions);
  void resume(const std::vector<TopicPartition>& partitions);
  std::vector<TopicPartition> assignment() const;
  // High watermark minus the consumer's position, per assigned partition (cached
  // watermarks; -1 when unknown).
  std::vector<std::pair<TopicPartition, std::int64_t>> lag() const;
  // Partition count of a topic (nullopt on error).
  std::optional<int> partition_count(std::string_view topic, std::chrono::milliseconds timeout);
  // Σ over the topic's partitions of the log-end offset, from the broker (nullopt on error).
  std::optional<std::int64_t> end_offsets_total(std::string_view topic,
                                                std::chrono::milliseconds timeout);
  // Leaves the group (revoking partitions through the hooks).
  void close();

 private:
  struct Impl;
  explicit Consumer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Errors librdkafka reported in this process (all clients), for a metrics counter.
std::int64_t kafka_errors_total();

// A probe used at start-up: true when the cluster answers a metadata request in time.
bool brokers_reachable(const std::string& brokers, std::chrono::milliseconds timeout,
                       std::string* error);

}  // namespace pqrflow::runtime
