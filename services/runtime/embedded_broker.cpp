#include "runtime/embedded_broker.hpp"

#include <dirent.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <utility>

namespace pqrflow::runtime {
namespace {

// Kafka protocol API keys accepted by push_request_errors.
constexpr std::array<std::pair<const char*, int>, 12> kApis = {{
    {"Produce", 0},
    {"Fetch", 1},
    {"ListOffsets", 2},
    {"Metadata", 3},
    {"OffsetCommit", 8},
    {"OffsetFetch", 9},
    {"FindCoordinator", 10},
    {"JoinGroup", 11},
    {"Heartbeat", 12},
    {"LeaveGroup", 13},
    {"SyncGroup", 14},
    {"InitProducerId", 22},
}};

bool check(rd_kafka_resp_err_t err, const std::string& what, std::string* error) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return true;
  if (error != nullptr) *error = what + ": " + rd_kafka_err2str(err);
  return false;
}

// Turns Nagle's algorithm off on every socket of this process. librdkafka's mock cluster
// leaves it on for its listeners and accepted connections, so a response written while
// the previous one is unacknowledged waits for the client's delayed ACK — up to 40 ms on
// Linux — on every hop. Accepted sockets inherit TCP_NODELAY from their listener.
void disable_nagle_on_own_sockets() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return;
  while (const dirent* entry = readdir(dir)) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == dirfd(dir)) continue;
    struct stat st;
    if (fstat(static_cast<int>(fd), &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    const int on = 1;
    // Fails harmlessly (EOPNOTSUPP) on sockets that are not TCP.
    setsockopt(static_cast<int>(fd), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  }
  closedir(dir);
}

}  // namespace

struct EmbeddedBroker::Impl {
  rd_kafka_t* rk = nullptr;
  rd_kafka_mock_cluster_t* cluster = nullptr;
  int brokers = 1;
  ~Impl() {
    if (cluster != nullptr) rd_kafka_mock_cluster_destroy(cluster);
    if (rk != nullptr) rd_kafka_destroy(rk);
  }
};

EmbeddedBroker::EmbeddedBroker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EmbeddedBroker::~EmbeddedBroker() = default;

std::unique_ptr<EmbeddedBroker> EmbeddedBroker::start(const EmbeddedBrokerSettings& settings,
                                                      std::string* error) {
  if (settings.brokers < 1 || settings.brokers > 9) {
    *error = "broker count must be 1..9";
    return nullptr;
  }
  if (settings.partitions < 1 || settings.partitions > 1024) {
    *error = "partitions must be 1..1024";
    return nullptr;
  }
  auto impl = std::make_unique<Impl>();
  impl->brokers = settings.brokers;
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The handle only hosts the mock cluster's thread; it never connects anywhere.
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  impl->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (impl->rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    *error = std::string("embedded broker: ") + err;
    return nullptr;
  }
  impl->cluster = rd_kafka_mock_cluster_new(impl->rk, settings.brokers);
  if (impl->cluster == nullptr) {
    *error = "embedded broker: could not start the mock cluster";
    return nullptr;
  }
  disable_nagle_on_own_sockets();
  std::unique_ptr<EmbeddedBroker> broker(new EmbeddedBroker(std::move(impl)));
  for (const std::string& topic : settings.topics) {
    if (!broker->create_topic(topic, settings.partitions, error)) return nullptr;
  }
  return broker;
}

std::string EmbeddedBroker::bootstrap_servers() const {
  return rd_kafka_mock_cluster_bootstraps(impl_->cluster);
}

bool EmbeddedBroker::create_topic(const std::string& topic, int partitions, std::string* error) {
  return check(rd_kafka_mock_topic_create(impl_->cluster, topic.c_str(), partitions,
                                          std::min(impl_->brokers, 3)),
               "create topic " + topic, error);
}

bool EmbeddedBroker::set_broker_down(int broker_id, std::string* error) {
  return check(rd_kafka_mock_broker_set_down(impl_->cluster, broker_id),
               "broker " + std::to_string(broker_id) + " down", error);
}

bool EmbeddedBroker::set_broker_up(int broker_id, std::string* error) {
  return check(rd_kafka_mock_broker_set_up(impl_->cluster, broker_id),
               "broker " + std::to_string(broker_id) + " up", error);
}

bool EmbeddedBroker::set_broker_rtt(int broker_id, int rtt_ms, std::string* error) {
  return check(rd_kafka_mock_broker_set_rtt(impl_->cluster, broker_id, rtt_ms),
               "broker " + std::to_string(broker_id) + " rtt", error);
}

bool EmbeddedBroker::push_request_errors(const std::string& api, int count, int error_code,
                                         std::string* error) {
  for (const auto& [name, key] : kApis) {
    if (api != name) continue;
    std::vector<rd_kafka_resp_err_t> errors(static_cast<std::size_t>(count),
                                            static_cast<rd_kafka_resp_err_t>(error_code));
    rd_kafka_mock_push_request_errors_array(impl_->cluster, static_cast<std::int16_t>(key),
                                            errors.size(), errors.data());
    return true;
  }
  if (error != nullptr) *error = "unknown Kafka API '" + api + "'";
  return false;
}

bool EmbeddedBroker::clear_request_errors(const std::string& api, std::string* error) {
  for (const auto& [name, key] : kApis) {
    if (api != name) continue;
    rd_kafka_mock_clear_request_errors(impl_->cluster, static_cast<std::int16_t>(key));
    return true;
  }
  if (error != nullptr) *error = "unknown Kafka API '" + api + "'";
  return false;
}

bool EmbeddedBroker::set_partition_leader(const std::string& topic, int partition, int broker_id,
                                          std::string* error) {
  return check(
      rd_kafka_mock_partition_set_leader(impl_->cluster, topic.c_str(), partition, broker_id),
      "leader of " + topic + "/" + std::to_string(partition), error);
}

}  // namespace pqrflow::runtime
