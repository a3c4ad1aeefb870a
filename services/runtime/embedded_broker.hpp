// The embedded Kafka-protocol cluster (design.md §3): librdkafka's mock cluster on
// 127.0.0.1, with the pqrflow topics pre-created. Real clients (the services, kcat)
// connect to it over TCP. Limits: in memory only, random ports, no TLS/SASL, no admin
// CreateTopics (topics are created here), and each partition keeps only its newest
// ~5 MiB / 100k message sets — consumers must keep up.
//
// Fault injection (broker down/up, round-trip time, request errors, leader moves)
// drives the reliability tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace pqrflow::runtime {

struct EmbeddedBrokerSettings {
  int brokers = 1;                  // broker count (ids 1..brokers)
  int partitions = 16;              // partitions of every pre-created topic
  std::vector<std::string> topics;  // topics to create
};

class EmbeddedBroker {
 public:
  static std::unique_ptr<EmbeddedBroker> start(const EmbeddedBrokerSettings& settings,
                                               std::string* error);
  ~EmbeddedBroker();
  EmbeddedBroker(const EmbeddedBroker&) = delete;
  EmbeddedBroker& operator=(const EmbeddedBroker&) = delete;

  // "127.0.0.1:PORT[,127.0.0.1:PORT…]"
  std::string bootstrap_servers() const;

  bool create_topic(const std::string& topic, int partitions, std::string* error);

  // Fault injection. Broker ids are 1-based.
  bool set_broker_down(int broker_id, std::string* error);
  bool set_broker_up(int broker_id, std::string* error);
  bool set_broker_rtt(int broker_id, int rtt_ms, std::string* error);
  // The next `count` requests of the Kafka API `api` (e.g. "Produce", "Fetch",
  // "OffsetCommit", "JoinGroup") fail with the Kafka error `error_code`.
  bool push_request_errors(const std::string& api, int count, int error_code, std::string* error);
  // Drops the errors still queued for `api`.
  bool clear_request_errors(const std::string& api, std::string* error);
  bool set_partition_leader(const std::string& topic, int partition, int broker_id,
                            std::string* error);

 private:
  struct Impl;
  explicit EmbeddedBroker(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pqrflow::runtime
