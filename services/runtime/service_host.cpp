#include "runtime/service_host.hpp"

#include <execinfo.h>
#include <google/protobuf/stubs/logging.h>
#include <signal.h>
#include <unistd.h>

#include "runtime/kafka.hpp"
#include "runtime/log.hpp"

namespace pqrflow::runtime {

ServiceHost::ServiceHost(std::string service, const CommonSettings& common,
                         std::size_t body_limit_bytes)
    : service_(std::move(service)) {
  HttpServerSettings settings;
  settings.body_limit_bytes = body_limit_bytes;
  settings.address = common.http_address;
  settings.port = static_cast<std::uint16_t>(common.http_port);
  http_ = std::make_unique<HttpServer>(ioc_, settings);
  registry_
      .gauge("pqrflow_build_info", "Build information (always 1).",
             {{"service", service_}, {"version", kVersion}})
      .set(1);
  kafka_errors_ = registry_.counter_callback(
      "pqrflow_kafka_errors_total", "Errors reported by the Kafka client library (retried).",
      [] { return static_cast<double>(kafka_errors_total()); });
}

ServiceHost::~ServiceHost() {
  shutdown();
}

bool ServiceHost::start(ReadinessCheck ready, std::function<void()> on_stop, std::string* error) {
  ready_ = std::move(ready);
  http_->route("GET", "/healthz",
               [](const HttpRequest&) { return HttpResponse::json(200, R"({"status":"alive"})"); });
  http_->route("GET", "/readyz", [this](const HttpRequest&) {
    const std::string why = ready_ ? ready_() : std::string();
    if (why.empty()) return HttpResponse::json(200, R"({"status":"ready"})");
    std::string body = R"({"status":"not_ready","reason":")";
    for (char c : why) {
      if (c == '"' || c == '\\') body.push_back('\\');
      body.push_back(c);
    }
    body += "\"}";
    return HttpResponse::json(503, body);
  });
  http_->route("GET", "/metrics", [this](const HttpRequest&) {
    HttpResponse r = HttpResponse::text(200, registry_.render());
    r.content_type = metrics::kContentType;
    return r;
  });
  try {
    http_->start();
  } catch (const HttpServerError& e) {
    *error = e.what();
    return false;
  }
  log::info("http_listening", {{"port", static_cast<std::int64_t>(http_->port())}});
  signals_ = std::make_unique<ShutdownSignals>(ioc_, [on_stop](int) { on_stop(); });
  thread_ = std::thread([this] { ioc_.run(); });
  return true;
}

void ServiceHost::shutdown() {
  if (!thread_.joinable()) return;
  if (http_) http_->stop();
  if (signals_) signals_->cancel();
  thread_.join();
  signals_.reset();
}

bool CachedCheck::ok() {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (!checked_ || now - at_ >= interval_) {
    ok_ = check_();
    at_ = now;
    checked_ = true;
  }
  return ok_;
}

std::string common_readiness(bool gap, bool assigned, CachedCheck& brokers, std::int64_t lag,
                             std::int64_t max_lag) {
  if (gap) return "a partition fell off the log (offset gap); see the error log";
  if (!assigned) return "no partition assigned yet";
  if (!brokers.ok()) return "brokers unreachable";
  if (lag > max_lag) return "catching up: " + std::to_string(lag) + " records behind";
  return {};
}

namespace {

// On a fatal signal: a backtrace on stderr (async-signal-safe calls only), then the
// default action, so the exit status still says which signal it was.
void on_fatal_signal(int sig) {
  static const char kHeader[] = "pqrflow: fatal signal, backtrace:\n";
  [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, kHeader, sizeof kHeader - 1);
  void* frames[64];
  const int depth = ::backtrace(frames, 64);
  ::backtrace_symbols_fd(frames, depth, STDERR_FILENO);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

void configure_logging(const std::string& service, const CommonSettings& common) {
  log::configure(service, log::parse_level(common.log_level).value_or(log::Level::kInfo));
  void* warm[1];
  ::backtrace(warm, 1);  // loads libgcc now, not inside the signal handler
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) ::signal(sig, on_fatal_signal);
}

void silence_protobuf_logging() {
  google::protobuf::SetLogHandler(
      [](google::protobuf::LogLevel level, const char*, int, const std::string& message) {
        if (level >= google::protobuf::LOGLEVEL_FATAL)
          log::error("protobuf_fatal", {{"message", message}});
      });
}

}  // namespace pqrflow::runtime
