#include "ingest/app.hpp"

#include <iostream>

#include "ingest/ingest_service.hpp"
#include "runtime/log.hpp"
#include "runtime/service_host.hpp"

namespace pqrflow::ingest {
namespace {
constexpr const char* kService = "pqrflow-ingest";
}

int run_app(int argc, const char* const argv[]) {
  IngestSettings s;
  std::string flush_timeout = "30s";
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
      "how long a batch may wait for acknowledgements before it is read again");
  if (auto exit = opts.parse(argc, argv)) return *exit;
  s.common = opts.common();
  if (s.batch_size < 1 || s.batch_size > 1000000) {
    return opts.reject("batch-size", std::to_string(s.batch_size), "expected 1..1000000");
  }
  if (s.max_record_bytes < 64 || s.max_record_bytes > (64U << 20)) {
    return opts.reject("max-record-bytes", std::to_string(s.max_record_bytes),
                       "expected 64..67108864");
  }
  const auto ft = runtime::parse_duration(flush_timeout);
  if (!ft || ft->count() < 100)
    return opts.reject("flush-timeout", flush_timeout, "expected a duration ≥ 100ms, like 30s");
  s.flush_timeout = *ft;

  runtime::configure_logging(kService, s.common);
  runtime::silence_protobuf_logging();
  IngestService service(s);
  runtime::ServiceHost host(kService, s.common);
  service.attach_metrics(host.registry());
  std::string error;
  if (!service.start(&error)) {
    runtime::log::error("start_failed", {{"error", error}});
    std::cerr << kService << ": " << error << "\n";
    return 1;
  }
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
