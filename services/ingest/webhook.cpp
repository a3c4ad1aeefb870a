#include "ingest/webhook.hpp"

#include <boost/json.hpp>
#include <mutex>

#include "core/bi.hpp"
#include "pqrflow/v1/deadletter.pb.h"
#include "runtime/clock.hpp"
#include "runtime/log.hpp"

namespace pqrflow::ingest {
namespace {

namespace log = runtime::log;

// Byte ranges of the top-level elements of a JSON array known to be valid.
std::vector<std::string_view> array_elements(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = text.find('[') + 1;
  int depth = 0;
  bool in_string = false;
  std::size_t start = std::string_view::npos;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (start == std::string_view::npos && depth == 0 && c != ',' && c != ']') start = i;
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) {  // the array's own ']'
        if (start != std::string_view::npos) out.push_back(text.substr(start, i - start));
        break;
      }
      --depth;
    } else if (c == ',' && depth == 0) {
      std::size_t end = i;
      while (end > start && (text[end - 1] == ' ' || text[end - 1] == '\n' ||
                             text[end - 1] == '\t' || text[end - 1] == '\r'))
        --end;
      out.push_back(text.substr(start, end - start));
      start = std::string_view::npos;
    }
  }
  // Trim trailing whitespace of the last element.
  if (!out.empty()) {
    std::string_view& last = out.back();
    while (!last.empty() && (last.back() == ' ' || last.back() == '\n' || last.back() == '\t' ||
                             last.back() == '\r')) {
      last.remove_suffix(1);
    }
  }
  return out;
}

std::string json_error(std::string_view code, std::string_view message) {
  std::string out = "{\"error\":";
  core::append_json_string(&out, code);
  out += ",\"message\":";
  core::append_json_string(&out, message);
  out += "}";
  return out;
}

}  // namespace

std::optional<std::vector<std::string_view>> split_records(std::string_view body,
                                                           std::string* why) {
  boost::json::parse_options options;
  options.max_depth = 64;
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(body, ec, {}, options);
  if (ec) {
    *why = "the body is not JSON: " + ec.message();
    return std::nullopt;
  }
  if (v.is_object()) return std::vector<std::string_view>{body};
  if (!v.is_array()) {
    *why = "expected one JSON event (an object) or an array of events";
    return std::nullopt;
  }
  for (const auto& e : v.as_array()) {
    if (!e.is_object()) {
      *why = "every element of the array must be an event (an object)";
      return std::nullopt;
    }
  }
  std::vector<std::string_view> records = array_elements(body);
  if (records.size() != v.as_array().size()) {
    *why = "could not split the array into its elements";
    return std::nullopt;
  }
  return records;
}

Webhook::Webhook(const IngestSettings& ingest, WebhookSettings settings)
    : ingest_(ingest), settings_(std::move(settings)) {}

Webhook::~Webhook() {
  stopping_ = true;
  if (poller_.joinable()) poller_.join();
  if (producer_) producer_->flush(std::chrono::seconds(10));
}

bool Webhook::start(std::string* error) {
  runtime::KafkaProperties overrides;
  if (!ingest_.common.kafka_overrides(&overrides, error)) return false;
  runtime::KafkaProperties props = {
      {"bootstrap.servers", ingest_.common.brokers},
      {"client.id", "pqrflow-ingest-webhook"},
      {"enable.idempotence", "true"},
      {"linger.ms", "1"},
      {"compression.type", "lz4"},
      {"partitioner", "murmur2_random"},
      // A request waits at most this long for the broker, then answers 503.
      {"message.timeout.ms", std::to_string(settings_.timeout.count())},
  };
  props.insert(props.end(), overrides.begin(), overrides.end());
  producer_ = runtime::Producer::create(props, error);
  if (!producer_) return false;
  reachable_ = std::make_unique<runtime::CachedCheck>(
      [this] { return producer_->cluster_reachable(std::chrono::seconds(1)); },
      std::chrono::seconds(1));
  // Delivery reports (and so the answers) are served by this thread.
  poller_ = std::thread([this] {
    while (!stopping_) producer_->poll(std::chrono::milliseconds(20));
  });
  return true;
}

void Webhook::register_routes(runtime::HttpServer& http) {
  http.route_async("POST", "/v1/events",
                   [this](const runtime::HttpRequest& r, runtime::HttpResponder respond) {
                     handle(r, std::move(respond));
                   });
}

void Webhook::handle(const runtime::HttpRequest& request, runtime::HttpResponder respond) {
  if (!settings_.token.empty()) {
    const std::optional<std::string_view> auth = request.header("Authorization");
    if (!auth || *auth != "Bearer " + settings_.token) {
      runtime::HttpResponse r = runtime::HttpResponse::json(
          401, json_error("unauthorized",
                          "send Authorization: Bearer <token> (see --webhook-token-file)"));
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"pqrflow\"");
      respond(std::move(r));
      return;
    }
  }
  // The records must outlive this call: keep the body.
  auto body = std::make_shared<const std::string>(request.body);
  std::string why;
  const std::optional<std::vector<std::string_view>> records = split_records(*body, &why);
  if (!records) {
    respond(runtime::HttpResponse::json(400, json_error("bad_request", why)));
    return;
  }
  if (records->size() > settings_.max_records) {
    respond(runtime::HttpResponse::json(
        413, json_error("too_many_records", std::to_string(records->size()) + " records; at most " +
                                                std::to_string(settings_.max_records) +
                                                " per request (--webhook-max-records)")));
    return;
  }
  if (!reachable_->ok()) {
    respond(
        runtime::HttpResponse::json(503, json_error("broker_unavailable",
                                                    "the Kafka brokers do not answer; nothing was "
                                                    "accepted, retry later")));
    return;
  }
  const std::uint64_t request_id = ++requests_;
  struct Pending {
    explicit Pending(runtime::HttpResponder r) : respond(std::move(r)) {}
    std::mutex mu;
    std::size_t outstanding = 0;
    bool failed = false;
    std::string failure;
    std::size_t accepted = 0;
    std::string rejected = "[";
    runtime::HttpResponder respond;
    std::shared_ptr<const std::string> body;
    bool finished_producing = false;
  };
  auto pending = std::make_shared<Pending>(std::move(respond));
  pending->body = body;
  const auto finish_if_done = [](const std::shared_ptr<Pending>& p) {
    // Called with p->mu held.
    if (!p->finished_producing || p->outstanding != 0) return;
    if (p->failed) {
      p->respond(runtime::HttpResponse::json(
          503, json_error("broker_unavailable", "not every record was acknowledged (" + p->failure +
                                                    "); nothing is reported accepted, retry the "
                                                    "request: event ids make re-sends harmless")));
      return;
    }
    const bool all = p->rejected == "[";
    std::string out =
        "{\"accepted\":" + std::to_string(p->accepted) + ",\"rejected\":" + p->rejected + "]}";
    p->respond(runtime::HttpResponse::json(all ? 202 : 207, std::move(out)));
  };
  const auto on_delivery = [pending, finish_if_done](bool ok, const std::string& error) {
    std::lock_guard lock(pending->mu);
    --pending->outstanding;
    if (!ok) {
      pending->failed = true;
      pending->failure = error;
    }
    finish_if_done(pending);
  };
  core::Decoder decoder(core::DecoderLimits{ingest_.max_record_bytes, 32});
  Normalized n;
  std::string error;
  for (std::size_t i = 0; i < records->size(); ++i) {
    const std::string_view record = (*records)[i];
    normalize(decoder, record, false, &n);
    {
      std::lock_guard lock(pending->mu);
      ++pending->outstanding;
    }
    bool produced = false;
    if (n.accepted) {
      produced = producer_->produce_tracked(ingest_.common.topics.events, n.key, n.event_bytes, {},
                                            on_delivery, &error);
      std::lock_guard lock(pending->mu);
      ++pending->accepted;
    } else {
      const std::string reason(core::reason_code(n.rejection.reason));
      const std::string key = "webhook/" + std::to_string(request_id) + "/" + std::to_string(i);
      pqrflow::v1::DeadLetter dl;
      dl.set_reason(reason);
      dl.set_detail(n.rejection.detail);
      dl.set_origin_topic("webhook");
      dl.set_origin_partition(-1);
      dl.set_origin_offset(-1);
      dl.set_original(std::string(record));
      dl.set_rejected_at_us(runtime::wall_now().us);
      dl.set_service("pqrflow-ingest/webhook");
      produced = producer_->produce_tracked(
          ingest_.common.topics.deadletter, key, dl.SerializeAsString(),
          {{"reason", reason}, {"detail", n.rejection.detail}, {"origin", key}}, on_delivery,
          &error);
      std::lock_guard lock(pending->mu);
      if (pending->rejected.size() > 1) pending->rejected += ",";
      pending->rejected += "{\"index\":" + std::to_string(i) + ",\"reason\":";
      core::append_json_string(&pending->rejected, reason);
      pending->rejected += ",\"detail\":";
      core::append_json_string(&pending->rejected, n.rejection.detail);
      pending->rejected += "}";
    }
    if (!produced) {
      std::lock_guard lock(pending->mu);
      --pending->outstanding;
      pending->failed = true;
      pending->failure = error;
    }
  }
  std::lock_guard lock(pending->mu);
  pending->finished_producing = true;
  log::debug("webhook_request",
             {{"request", request_id}, {"records", static_cast<std::int64_t>(records->size())}});
  finish_if_done(pending);
}

}  // namespace pqrflow::ingest
