#include "runtime/config.hpp"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

namespace pqrflow::runtime {

bool CommonSettings::kafka_overrides(KafkaProperties* out, std::string* error) const {
  for (const std::string& kv : kafka_properties) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      *error = "kafka-property=" + kv + ": expected key=value (a librdkafka property)";
      return false;
    }
    out->emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return true;
}

ServiceOptions::ServiceOptions(std::string service, std::string summary, int default_http_port)
    : service_(std::move(service)), summary_(std::move(summary)), specific_("Service options") {
  common_.http_port = default_http_port;
}

std::optional<int> ServiceOptions::parse(int argc, const char* const argv[]) {
  std::string config_file;
  po::options_description generic("General options");
  generic.add_options()("help,h", "show this help and exit")(
      "config", po::value(&config_file)->value_name("FILE"),
      "read settings from FILE: `key = value` lines, keys as the options below without dashes "
      "(env PQRFLOW_CONFIG)");
  po::options_description common("Common options");
  TopicNames& t = common_.topics;
  common.add_options()("brokers", po::value(&common_.brokers)->value_name("HOST:PORT,…"),
                       "Kafka bootstrap servers, required (env PQRFLOW_BROKERS)")(
      "http-address", po::value(&common_.http_address)->default_value(common_.http_address),
      "address the HTTP server binds")(
      "http-port", po::value(&common_.http_port)->default_value(common_.http_port),
      "HTTP port for /metrics, /healthz, /readyz (0 = pick a free port and log it)")(
      "log-level", po::value(&common_.log_level)->default_value(common_.log_level),
      "debug | info | warn | error")(
      "ready-max-lag", po::value(&common_.ready_max_lag)->default_value(common_.ready_max_lag),
      "/readyz reports not ready while more records than this are waiting")(
      "kafka-property", po::value(&common_.kafka_properties)->composing()->value_name("KEY=VALUE"),
      "extra librdkafka property for every client (repeatable), e.g. security.protocol=ssl")(
      "topic-raw-pqr", po::value(&t.raw_pqr)->default_value(t.raw_pqr), "raw PQR topic")(
      "topic-raw-visits", po::value(&t.raw_visits)->default_value(t.raw_visits),
      "raw visits topic")("topic-raw-billing",
                          po::value(&t.raw_billing)->default_value(t.raw_billing),
                          "raw billing topic")(
      "topic-events", po::value(&t.events)->default_value(t.events), "canonical events topic")(
      "topic-deadletter", po::value(&t.deadletter)->default_value(t.deadletter),
      "dead-letter topic")("topic-indicators",
                           po::value(&t.indicators)->default_value(t.indicators),
                           "partial indicator snapshots topic")(
      "topic-deadlines", po::value(&t.deadlines)->default_value(t.deadlines),
      "deadline worklist topic")("topic-compliance",
                                 po::value(&t.compliance)->default_value(t.compliance),
                                 "compliance updates topic")(
      "topic-alerts", po::value(&t.alerts)->default_value(t.alerts), "alert transitions topic")(
      "topic-bi", po::value(&t.bi)->default_value(t.bi), "BI feed topic");

  po::options_description all;
  all.add(generic).add(common).add(specific_);
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, all), vm);
    // Environment: PQRFLOW_HTTP_PORT → http-port, for every known option.
    po::store(po::parse_environment(all,
                                    [&all](const std::string& env) -> std::string {
                                      const std::string prefix = "PQRFLOW_";
                                      if (env.rfind(prefix, 0) != 0) return {};
                                      std::string name = env.substr(prefix.size());
                                      for (char& c : name) {
                                        c = c == '_' ? '-' : static_cast<char>(std::tolower(c));
                                      }
                                      return all.find_nothrow(name, false) != nullptr
                                                 ? name
                                                 : std::string();
                                    }),
              vm);
    if (vm.count("config") != 0U) {
      const std::string path = vm["config"].as<std::string>();
      std::ifstream in(path);
      if (!in) {
        std::cerr << service_ << ": invalid setting config=" << path
                  << ": the file cannot be read\n";
        return 2;
      }
      po::store(po::parse_config_file(in, all, false), vm);
    }
    if (vm.count("help") != 0U) {
      std::cout << service_ << " — " << summary_ << "\n\nUsage: " << service_
                << " --brokers HOST:PORT [options]\n\n"
                << all << "\n";
      return 0;
    }
    po::notify(vm);
  } catch (const po::error_with_option_name& e) {
    // Name the setting and say what it accepts (its --help line).
    std::string name = e.get_option_name();
    while (!name.empty() && name.front() == '-') name.erase(0, 1);
    const po::option_description* d = name.empty() ? nullptr : all.find_nothrow(name, false);
    std::cerr << service_ << ": invalid setting " << (name.empty() ? "" : name + ": ") << e.what();
    if (d != nullptr) std::cerr << "; accepted: " << d->description();
    std::cerr << " (see --help)\n";
    return 2;
  } catch (const po::error& e) {
    std::cerr << service_ << ": invalid setting: " << e.what() << " (see --help)\n";
    return 2;
  }
  if (common_.brokers.empty()) {
    std::cerr << service_
              << ": missing setting brokers: pass --brokers HOST:PORT or set PQRFLOW_BROKERS\n";
    return 2;
  }
  if (common_.http_port < 0 || common_.http_port > 65535) {
    return reject("http-port", std::to_string(common_.http_port), "expected 0..65535");
  }
  if (common_.log_level != "debug" && common_.log_level != "info" && common_.log_level != "warn" &&
      common_.log_level != "error") {
    return reject("log-level", common_.log_level, "expected debug | info | warn | error");
  }
  if (common_.ready_max_lag < 0) {
    return reject("ready-max-lag", std::to_string(common_.ready_max_lag), "expected ≥ 0");
  }
  KafkaProperties unused;
  std::string error;
  if (!common_.kafka_overrides(&unused, &error)) {
    std::cerr << service_ << ": invalid setting " << error << "\n";
    return 2;
  }
  return std::nullopt;
}

int ServiceOptions::reject(const std::string& name, const std::string& value,
                           const std::string& why) const {
  std::cerr << service_ << ": invalid setting " << name << "=" << value << ": " << why << "\n";
  return 2;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || n < 0) return std::nullopt;
  const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  std::int64_t scale = 0;
  if (unit.empty() || unit == "ms") {
    scale = 1;
  } else if (unit == "s") {
    scale = 1000;
  } else if (unit == "m" || unit == "min") {
    scale = 60'000;
  } else if (unit == "h") {
    scale = 3'600'000;
  } else if (unit == "d") {
    scale = 86'400'000;
  } else {
    return std::nullopt;
  }
  return std::chrono::milliseconds(n * scale);
}

}  // namespace pqrflow::runtime
