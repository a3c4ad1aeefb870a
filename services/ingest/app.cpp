#include "ingest/app.hpp"

#include <fstream>
#include <iostream>

#include "ingest/ingest_service.hpp"
#include "ingest/webhook.hpp"
#include "runtime/log.hpp"
#include "runtime/service_host.hpp"

namespace pqrflow::ingest {
namespace {
constexpr const char* kService = "pqrflow-ingest";
}

int run_app(int argc, const char* const argv[]) {
  IngestSettings s;
  WebhookSettings w;
  std::string flush_timeout = "30s", webhook_timeout = "10s", token_file;
  std::size_t webhook_max_bytes = 16 << 20;
  runtime::ServiceOptions opts(kService,
                               "validates raw PQR, visit and billing records and publishes "
                               "canonical events; rejected records go to the dead-letter topic",
                               9101);
  opts.add()("group-id", runtime::po::value(&s.group_id)->default_value(s.group_id),
             "consumer group shared by every ingest instance")(
      "batch-size", runtime::po::value(&s.batch_size)->default_value(s.batch_size),
      "records per batch; a batch is committed after all its outputs are acknowledged")(
      "max-record-bytes",
      runtime::po::value(&s.max_record_bytes)->default_value(s.max_record_bytes),
      "larger records are dead-lettered as record_too_large")(
      "flush-timeout", runtime::po::value(&flush_timeout)->default_value(flush_timeout),
      "how long a batch may wait for acknowledgements before it is read again")(
      "max-in-flight", runtime::po::value(&s.max_in_flight)->default_value(s.max_in_flight),
      "batches produced and not yet acknowledged; ingest stops polling at this many "
      "(1: each batch is acknowledged before the next poll)")(
      "webhook-token-file", runtime::po::value(&token_file),
      "file holding the bearer token POST /v1/events requires (default: no token)")(
      "webhook-max-bytes", runtime::po::value(&webhook_max_bytes)->default_value(webhook_max_bytes),
      "largest request body of POST /v1/events (larger: 413)")(
      "webhook-max-records", runtime::po::value(&w.max_records)->default_value(w.max_records),
      "most events per POST /v1/events (more: 413)")(
      "webhook-timeout", runtime::po::value(&webhook_timeout)->default_value(webhook_timeout),
      "how long POST /v1/events waits for the broker before answering 503");
  if (auto exit = opts.parse(argc, argv)) return *exit;
  s.common = opts.common();
  if (s.batch_size < 1 || s.batch_size > 1000000) {
    return opts.reject("batch-size", std::to_string(s.batch_size), "expected 1..1000000");
  }
  if (s.max_in_flight < 1 || s.max_in_flight > 1000) {
    return opts.reject("max-in-flight", std::to_string(s.max_in_flight), "expected 1..1000");
  }
  if (s.max_record_bytes < 64 || s.max_record_bytes > (64U << 20)) {
    return opts.reject("max-record-bytes", std::to_string(s.max_record_bytes),
                       "expected 64..67108864");
  }
  const auto ft = runtime::parse_duration(flush_timeout);
  if (!ft || ft->count() < 100)
    return opts.reject("flush-timeout", flush_timeout, "expected a duration ≥ 100ms, like 30s");
  s.flush_timeout = *ft;
  const auto wt = runtime::parse_duration(webhook_timeout);
  if (!wt || wt->count() < 100) {
    return opts.reject("webhook-timeout", webhook_timeout, "expected a duration ≥ 100ms, like 10s");
  }
  w.timeout = *wt;
  if (webhook_max_bytes < 1024 || webhook_max_bytes > (1U << 30)) {
    return opts.reject("webhook-max-bytes", std::to_string(webhook_max_bytes),
                       "expected 1024..1073741824");
  }
  if (w.max_records < 1 || w.max_records > 1000000) {
    return opts.reject("webhook-max-records", std::to_string(w.max_records), "expected 1..1000000");
  }
  if (!token_file.empty()) {
    std::ifstream in(token_file);
    if (!in || !std::getline(in, w.token)) {
      return opts.reject("webhook-token-file", token_file,
                         "the file cannot be read (it holds the token on its first line)");
    }
    while (!w.token.empty() && (w.token.back() == '\r' || w.token.back() == ' '))
      w.token.pop_back();
    if (w.token.empty())
      return opts.reject("webhook-token-file", token_file, "the token (first line) is empty");
  }

  runtime::configure_logging(kService, s.common);
  runtime::silence_protobuf_logging();
  IngestService service(s);
  runtime::ServiceHost host(kService, s.common, webhook_max_bytes);
  service.attach_metrics(host.registry());
  std::string error;
  if (!service.start(&error)) {
    runtime::log::error("start_failed", {{"error", error}});
    std::cerr << kService << ": " << error << "\n";
    return 1;
  }
  Webhook webhook(s, w);
  if (!webhook.start(&error)) {
    std::cerr << kService << ": webhook: " << error << "\n";
    return 1;
  }
  webhook.register_routes(host.http());
  auto& reg = host.registry();
  const IngestHealth& h = service.health();
  std::vector<runtime::metrics::GaugeCallback> callbacks;
  const auto gauge = [&](const char* name, const char* help, const std::atomic<std::int64_t>& v) {
    const std::string_view n(name);
    const auto read = [&v] { return static_cast<double>(v.load()); };
    callbacks.push_back(n.ends_with("_total") ? reg.counter_callback(name, help, read)
                                              : reg.gauge_callback(name, help, read));
  };
  gauge("pqrflow_records_consumed_total", "Raw records read from the raw topics.", h.records_total);
  gauge("pqrflow_events_published_total", "Canonical events published.", h.accepted_total);
  gauge("pqrflow_deadletter_records_total", "Records sent to the dead-letter topic.",
        h.rejected_total);
  gauge("pqrflow_batches_redelivered_total", "Batches read again after a delivery failure.",
        h.redeliveries_total);
  for (std::size_t r = 0; r < core::kRejectReasonCount; ++r) {
    const std::string reason(core::reason_code(static_cast<core::RejectReason>(r)));
    callbacks.push_back(reg.counter_callback(
        "pqrflow_deadletter_by_reason_total", "Dead-lettered records by reason.",
        [&h, r] { return static_cast<double>(h.rejected_by_reason[r].load()); },
        {{"reason", reason}}));
  }
  runtime::CachedCheck brokers([&service] { return service.cluster_reachable(); },
                               std::chrono::seconds(2));
  const auto ready = [&h, &brokers, max_lag = s.common.ready_max_lag]() -> std::string {
    if (!h.delivering) return "the broker does not acknowledge our output";
    return runtime::common_readiness(h.gap, h.assigned, brokers, h.lag, max_lag);
  };
  if (!host.start(
          ready, [&service] { service.stop(); }, &error)) {
    std::cerr << kService << ": " << error << "\n";
    return 2;
  }
  runtime::log::info("started", {{"brokers", s.common.brokers}});
  service.run();
  host.shutdown();
  return 0;
}

}  // namespace pqrflow::ingest
