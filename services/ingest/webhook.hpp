// Webhook ingestion (POST /v1/events) for ticketing systems that cannot write to Kafka.
// The body is one JSON event or a JSON array of events, with the same contract as the raw
// topics. The answer comes only after the accepted records are durably produced:
//   202 every record accepted · 207 some rejected (listed by index with their reason;
//   they are also dead-lettered) · 400 the body is not JSON · 401 bad or missing bearer
//   token · 413 over the size or record limit · 503 the broker is unavailable (nothing
//   is reported accepted; re-sending is safe, event ids make duplicates harmless).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ingest/ingest_service.hpp"
#include "runtime/http_server.hpp"
#include "runtime/kafka.hpp"
#include "runtime/service_host.hpp"

namespace pqrflow::ingest {

struct WebhookSettings {
  std::string token;                         // empty: no authentication
  std::size_t max_records = 10000;           // per request
  std::chrono::milliseconds timeout{10000};  // how long a request waits for the broker
};

// Splits a JSON text into its records: the whole text when it is an object, the
// elements' exact bytes when it is an array. nullopt with *why when it is not valid JSON
// or not an object / array of objects.
std::optional<std::vector<std::string_view>> split_records(std::string_view body, std::string* why);

class Webhook {
 public:
  Webhook(const IngestSettings& ingest, WebhookSettings settings);
  ~Webhook();
  bool start(std::string* error);
  void register_routes(runtime::HttpServer& http);

 private:
  void handle(const runtime::HttpRequest& request, runtime::HttpResponder respond);

  IngestSettings ingest_;
  WebhookSettings settings_;
  std::unique_ptr<runtime::Producer> producer_;
  std::unique_ptr<runtime::CachedCheck> reachable_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> requests_{0};
  std::thread poller_;
};

}  // namespace pqrflow::ingest
