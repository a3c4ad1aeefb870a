// The HTTP/1.1 server every service embeds: /metrics, health, the ingest webhook, the
// reporting API and the dashboard's live updates (Server-Sent Events). Built on
// Boost.Beast; it runs on an io_context the caller owns and runs on any number of threads.
//
//   asio::io_context ioc;
//   HttpServer server(ioc, {.port = 9101});
//   server.route("GET", "/metrics", [&](const HttpRequest&) {
//     return HttpResponse{200, std::string(metrics::kContentType), registry.render()};
//   });
//   auto live = server.sse("/api/live");   // live->publish("compliance", json) from any thread
//   server.start();                         // binds now; throws HttpServerError on failure
//   log::info("http_listening", {{"port", server.port()}});
//   ioc.run();
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "runtime/http_message.hpp"

namespace pqrflow::runtime {

struct HttpServerSettings {
  std::string address = "0.0.0.0";
  std::uint16_t port = 0;                      // 0: the OS picks a free port, see port()
  std::size_t body_limit_bytes = 1 << 20;      // a larger request body gets 413
  std::size_t header_limit_bytes = 16 * 1024;  // larger request headers get 431
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(60);   // reading a request
  std::chrono::milliseconds write_timeout = std::chrono::seconds(30);  // writing a response
  std::chrono::milliseconds sse_heartbeat = std::chrono::seconds(15);  // ": heartbeat" comment
  std::size_t sse_max_queued_events = 1024;  // a subscriber further behind is disconnected
  // stop() lets responses already being produced (async handlers) finish for this long.
  std::chrono::milliseconds shutdown_grace = std::chrono::seconds(5);
};

// Start-up failure (bad address, port in use); the message names the setting to change.
class HttpServerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// Answers one request of an async route, from any thread, at most once: later calls are
// ignored. If every copy is destroyed without answering, the client gets a 500 — a
// request is never left hanging. Drop responders before destroying the io_context.
class HttpResponder {
 public:
  // `deliver` receives the single response; the server's posts it to the connection.
  // Public so that handlers can be unit-tested without sockets.
  explicit HttpResponder(std::function<void(HttpResponse)> deliver);
  void operator()(HttpResponse response) const;
  bool answered() const noexcept;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// The request is valid only during the call: copy what the later answer needs.
using AsyncHttpHandler = std::function<void(const HttpRequest&, HttpResponder)>;

// The subscribers of one SSE route. publish() is thread-safe and never blocks on the
// network: each subscriber gets the frame through its own queue.
class SseChannel {
 public:
  virtual ~SseChannel() = default;
  // Sends "event: <event>\ndata: <data>\n\n" (see format_sse_event) to every subscriber.
  virtual void publish(std::string_view event, std::string_view data) = 0;
  virtual std::size_t subscriber_count() const = 0;
};

namespace detail {
class HttpServerImpl;
}

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& ioc, HttpServerSettings settings);
  // Calls stop(). Handlers may still be running on io_context threads afterwards: join
  // those threads before destroying what the handlers capture.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Routes match the percent-decoded path exactly and the method case-sensitively.
  // Register them all before start(); an unknown path gets 404, a known path with
  // another method 405 (with Allow). Handlers run on io_context threads, one request
  // per connection at a time; an exception from a handler becomes a 500 and an error log.
  void route(std::string method, std::string path, HttpHandler handler);
  void route_async(std::string method, std::string path, AsyncHttpHandler handler);
  // A GET route whose clients stay connected and receive what the channel publishes.
  std::shared_ptr<SseChannel> sse(std::string path);

  // Binds and listens now (so port() is known on return) and starts accepting.
  void start();
  // Idempotent, from any thread, never blocks: closes the acceptor, SSE streams and idle
  // connections now; responses in progress are written (with Connection: close) if they
  // come within shutdown_grace, after which their connections are closed too. Once all
  // is closed the server holds no work on the io_context.
  void stop();
  // The bound port after start() (the chosen one when the settings say 0), 0 before.
  std::uint16_t port() const noexcept;

 private:
  std::shared_ptr<detail::HttpServerImpl> impl_;
};

}  // namespace pqrflow::runtime
