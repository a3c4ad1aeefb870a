// Service settings from three sources, highest first: command-line options, PQRFLOW_*
// environment variables (PQRFLOW_HTTP_PORT for --http-port), and a `--config FILE` of
// `key = value` lines (the option names without dashes, `#` comments). Every setting has
// a default except --brokers; bad values stop the service with exit code 2 and a message
// naming the setting and the accepted values.
//
//   ServiceOptions opts("pqrflow-metrics", "Keeps the rolling indicator aggregates.", 9102);
//   opts.add()("checkpoint-dir", po::value(&s.checkpoint_dir)->default_value("…"), "…");
//   if (auto exit = opts.parse(argc, argv)) return *exit;
#pragma once

#include <boost/program_options.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "runtime/kafka.hpp"
#include "runtime/topics.hpp"

namespace pqrflow::runtime {

namespace po = boost::program_options;

// Settings every service has.
struct CommonSettings {
  std::string brokers;
  TopicNames topics;
  std::string http_address = "0.0.0.0";
  int http_port = 0;
  std::string log_level = "info";
  std::vector<std::string> kafka_properties;  // extra librdkafka "key=value" pairs
  std::int64_t ready_max_lag = 100000;        // /readyz: at most this many records behind

  // The extra properties as pairs; false with *error naming the bad entry.
  bool kafka_overrides(KafkaProperties* out, std::string* error) const;
};

class ServiceOptions {
 public:
  ServiceOptions(std::string service, std::string summary, int default_http_port);

  po::options_description_easy_init add() { return specific_.add_options(); }
  CommonSettings& common() { return common_; }

  // Parses argv, environment and config file. Returns an exit code when the process
  // should stop (0 after --help, 2 on a bad setting), nullopt to continue.
  std::optional<int> parse(int argc, const char* const argv[]);

  // For validation after parse(): prints "SERVICE: invalid setting NAME=VALUE: WHY" and
  // returns 2.
  int reject(const std::string& name, const std::string& value, const std::string& why) const;

  const std::string& service() const { return service_; }

 private:
  std::string service_;
  std::string summary_;
  CommonSettings common_;
  po::options_description specific_;
};

// "250ms", "5s", "2m", "1h", "3d" (and plain milliseconds "500"). nullopt otherwise.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace pqrflow::runtime
