// What every pqrflow service process shares around its main loop: structured logging,
// SIGINT/SIGTERM handling, and an HTTP server on its own thread with /healthz (alive),
// /readyz (the service's readiness check) and /metrics (Prometheus text, build info).
//
//   ServiceHost host("pqrflow-metrics", settings.common);
//   host.start([&] { return service.ready(); }, [&] { service.stop(); }, &error);
//   service.run();        // returns after the stop callback
//   host.shutdown();
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "runtime/config.hpp"
#include "runtime/http_server.hpp"
#include "runtime/metrics_registry.hpp"
#include "runtime/signals.hpp"

namespace pqrflow::runtime {

// Readiness: empty string = ready; otherwise why not (shown by /readyz with 503).
using ReadinessCheck = std::function<std::string()>;

// A slow check (a metadata round trip) run at most once per interval, from any thread.
class CachedCheck {
 public:
  CachedCheck(std::function<bool()> check, std::chrono::milliseconds interval)
      : check_(std::move(check)), interval_(interval) {}
  bool ok();

 private:
  std::function<bool()> check_;
  std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point at_{};
  bool ok_ = false;
  bool checked_ = false;
};

// The readiness rules every service shares, in order: no offset gap, partitions
// assigned, brokers reachable, and no more than `max_lag` records behind.
std::string common_readiness(bool gap, bool assigned, CachedCheck& brokers, std::int64_t lag,
                             std::int64_t max_lag);

class ServiceHost {
 public:
  ServiceHost(std::string service, const CommonSettings& common);
  ~ServiceHost();

  metrics::Registry& registry() { return registry_; }
  HttpServer& http() { return *http_; }

  // Starts the HTTP server and signal handling. Register extra routes before this.
  // Returns false with *error when the port cannot be bound.
  bool start(ReadinessCheck ready, std::function<void()> on_stop, std::string* error);
  // Stops HTTP and joins its thread.
  void shutdown();

 private:
  std::string service_;
  boost::asio::io_context ioc_;
  metrics::Registry registry_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<ShutdownSignals> signals_;
  std::thread thread_;
  ReadinessCheck ready_;
  metrics::GaugeCallback kafka_errors_;
};

// Configures logging from the common settings (level) for `service`.
void configure_logging(const std::string& service, const CommonSettings& common);

// Keeps protobuf's own error lines out of stderr (e.g. invalid UTF-8 in a parsed
// string field of hostile input); they are counted by the callers' rejections instead.
void silence_protobuf_logging();

inline constexpr const char* kVersion = "0.1.0";

}  // namespace pqrflow::runtime
