// The connection/server shell around http_message.hpp: only this file touches sockets.
//
// Threading: the acceptor and the stop timers live on the server's strand; each
// connection (HttpSession, later perhaps an SseSession) on its own strand. Anything
// arriving from another thread (stop, a responder, an SSE publish) is posted.
#include "runtime/http_server.hpp"

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "runtime/log.hpp"

namespace pqrflow::runtime {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// ---- responder -------------------------------------------------------------------------

struct HttpResponder::State {
  std::atomic<bool> answered{false};
  std::function<void(HttpResponse)> deliver;

  ~State() {
    if (!answered.exchange(true) && deliver) {
      deliver(HttpResponse::error(500, "no_response", "the handler dropped the request"));
    }
  }
};

HttpResponder::HttpResponder(std::function<void(HttpResponse)> deliver)
    : state_(std::make_shared<State>()) {
  state_->deliver = std::move(deliver);
}

void HttpResponder::operator()(HttpResponse response) const {
  if (state_ && !state_->answered.exchange(true) && state_->deliver) {
    state_->deliver(std::move(response));
  }
}

bool HttpResponder::answered() const noexcept {
  return state_ && state_->answered.load();
}

namespace detail {
namespace {

class SseChannelImpl;

// A live connection the server can close on stop().
class Session : public std::enable_shared_from_this<Session> {
 public:
  virtual ~Session() = default;
  // Any thread. force: close now even if a response is in progress.
  virtual void shutdown(bool force) = 0;
};

enum class RouteKind { kSync, kAsync, kSse };

struct Route {
  std::string method;
  std::string path;
  RouteKind kind = RouteKind::kSync;
  HttpHandler sync;
  AsyncHttpHandler async;
  std::shared_ptr<SseChannelImpl> channel;
};

}  // namespace

class HttpServerImpl : public std::enable_shared_from_this<HttpServerImpl> {
 public:
  HttpServerImpl(asio::io_context& ioc, HttpServerSettings settings)
      : ioc_(ioc),
        settings_(std::move(settings)),
        strand_(asio::make_strand(ioc)),
        acceptor_(strand_),
        retry_timer_(strand_),
        grace_timer_(strand_) {}

  asio::io_context& ioc() { return ioc_; }
  const HttpServerSettings& settings() const { return settings_; }

  void add_route(Route route) {
    if (started_) throw std::logic_error("HttpServer: register routes before start()");
    for (const Route& r : routes_) {
      if (r.method == route.method && r.path == route.path) {
        throw std::logic_error("HttpServer: " + route.method + " " + route.path +
                               " registered twice");
      }
    }
    routes_.push_back(std::move(route));
  }

  // nullptr with *status = 404 or 405 (and *allow filled) when nothing matches.
  const Route* match(std::string_view method, std::string_view path, int* status,
                     std::string* allow) const {
    *status = 404;
    for (const Route& r : routes_) {
      if (r.path != path) continue;
      if (r.method == method) return &r;
      *status = 405;
      if (!allow->empty()) *allow += ", ";
      *allow += r.method;
    }
    return nullptr;
  }

  void start();
  void stop();
  std::uint16_t port() const noexcept { return port_.load(); }

  // False once stopping: the caller must close its connection.
  bool add_session(const std::shared_ptr<Session>& s) {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    sessions_.emplace(s.get(), s);
    return true;
  }

  void remove_session(Session* s) {
    bool last = false;
    {
      std::lock_guard lock(mutex_);
      sessions_.erase(s);
      last = stopping_ && sessions_.empty();
    }
    // Nothing left to wait for: release the grace timer so the io_context can finish.
    if (last) asio::post(strand_, [self = shared_from_this()] { self->grace_timer_.cancel(); });
  }

  bool stopping() const {
    std::lock_guard lock(mutex_);
    return stopping_;
  }

 private:
  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  std::vector<std::shared_ptr<Session>> live_sessions() {
    std::vector<std::shared_ptr<Session>> out;
    std::lock_guard lock(mutex_);
    for (auto& [raw, weak] : sessions_) {
      if (auto s = weak.lock()) out.push_back(std::move(s));
    }
    return out;  // destroyed by the caller outside the lock (a destructor re-locks)
  }

  asio::io_context& ioc_;
  const HttpServerSettings settings_;
  std::vector<Route> routes_;  // immutable once started
  bool started_ = false;
  asio::strand<asio::io_context::executor_type> strand_;
  tcp::acceptor acceptor_;          // strand_ only
  asio::steady_timer retry_timer_;  // strand_ only
  asio::steady_timer grace_timer_;  // strand_ only
  std::atomic<std::uint16_t> port_{0};

  mutable std::mutex mutex_;
  bool stopping_ = false;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
};

namespace {

// ---- SSE -------------------------------------------------------------------------------

constexpr std::string_view kSseHeader =
    "HTTP/1.1 200 OK\r\n"
    "Server: pqrflow\r\n"
    "Content-Type: text/event-stream\r\n"
    "Cache-Control: no-cache\r\n"
    "X-Accel-Buffering: no\r\n"
    "\r\n";  // no Content-Length: the stream ends when the connection closes

class SseSession;

class SseChannelImpl final : public SseChannel {
 public:
  void publish(std::string_view event, std::string_view data) override;
  std::size_t subscriber_count() const override {
    std::lock_guard lock(mutex_);
    return subscribers_.size();
  }
  void add(const std::shared_ptr<SseSession>& s);
  void remove(SseSession* s) {
    std::lock_guard lock(mutex_);
    subscribers_.erase(s);
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<SseSession*, std::weak_ptr<SseSession>> subscribers_;
};

using Frame = std::shared_ptr<const std::string>;

class SseSession final : public Session {
 public:
  SseSession(std::shared_ptr<HttpServerImpl> server, std::shared_ptr<SseChannelImpl> channel,
             beast::tcp_stream stream, std::string remote)
      : server_(std::move(server)),
        channel_(std::move(channel)),
        stream_(std::move(stream)),
        heartbeat_(stream_.get_executor()),
        remote_(std::move(remote)) {}

  ~SseSession() override {
    channel_->remove(this);
    server_->remove_session(this);
  }

  // On the connection's strand.
  void start() {
    auto self = std::static_pointer_cast<SseSession>(shared_from_this());
    if (!server_->add_session(self)) return close();
    enqueue(std::make_shared<const std::string>(kSseHeader));
    channel_->add(self);  // after the header is queued, so every event follows it
    log::debug("sse_subscribed", {{"remote", remote_}});
    arm_heartbeat();
    do_read();
  }

  // Any thread.
  void deliver(Frame frame) {
    asio::post(stream_.get_executor(),
               [self = std::static_pointer_cast<SseSession>(shared_from_this()),
                frame = std::move(frame)]() mutable { self->enqueue(std::move(frame)); });
  }

  void shutdown(bool /*force*/) override {
    // An event stream never ends by itself, so graceful and forced stops are the same.
    asio::post(
        stream_.get_executor(),
        [self = std::static_pointer_cast<SseSession>(shared_from_this())] { self->close(); });
  }

 private:
  void enqueue(Frame frame) {
    if (closed_) return;
    if (queue_.size() >= server_->settings().sse_max_queued_events) {
      log::warn("sse_subscriber_dropped",
                {{"remote", remote_}, {"reason", "too far behind"}, {"queued", queue_.size()}});
      return close();
    }
    queue_.push_back(std::move(frame));
    if (!writing_) write_next();
  }

  void write_next() {
    writing_ = true;
    stream_.expires_after(server_->settings().write_timeout);
    asio::async_write(stream_, asio::buffer(*queue_.front()),
                      [self = std::static_pointer_cast<SseSession>(shared_from_this())](
                          beast::error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(beast::error_code ec) {
    writing_ = false;
    if (ec) return close();
    queue_.pop_front();
    if (!queue_.empty()) return write_next();
    stream_.expires_never();
  }

  void arm_heartbeat() {
    heartbeat_.expires_after(server_->settings().sse_heartbeat);
    heartbeat_.async_wait(
        [self = std::static_pointer_cast<SseSession>(shared_from_this())](beast::error_code ec) {
          if (ec || self->closed_) return;
          // A comment line: keeps proxies from timing out and reveals dead peers on write.
          static const Frame kHeartbeat = std::make_shared<const std::string>(": heartbeat\n\n");
          if (self->queue_.empty()) self->enqueue(kHeartbeat);
          self->arm_heartbeat();
        });
  }

  // Clients send nothing after the request; a completed read means they left.
  void do_read() {
    stream_.socket().async_read_some(
        asio::buffer(discard_), [self = std::static_pointer_cast<SseSession>(shared_from_this())](
                                    beast::error_code ec, std::size_t) {
          if (ec) return self->close();
          self->do_read();
        });
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    channel_->remove(this);
    heartbeat_.cancel();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    log::debug("sse_unsubscribed", {{"remote", remote_}});
  }

  std::shared_ptr<HttpServerImpl> server_;
  std::shared_ptr<SseChannelImpl> channel_;
  beast::tcp_stream stream_;
  asio::steady_timer heartbeat_;
  std::string remote_;
  std::deque<Frame> queue_;
  bool writing_ = false;
  bool closed_ = false;
  std::array<char, 256> discard_{};
};

void SseChannelImpl::add(const std::shared_ptr<SseSession>& s) {
  std::lock_guard lock(mutex_);
  subscribers_.emplace(s.get(), s);
}

void SseChannelImpl::publish(std::string_view event, std::string_view data) {
  const Frame frame = std::make_shared<const std::string>(format_sse_event(event, data));
  std::vector<std::shared_ptr<SseSession>> targets;
  {
    std::lock_guard lock(mutex_);
    targets.reserve(subscribers_.size());
    for (auto& [raw, weak] : subscribers_) {
      if (auto s = weak.lock()) targets.push_back(std::move(s));
    }
  }
  for (auto& s : targets) s->deliver(frame);
}

// ---- plain HTTP ------------------------------------------------------------------------

bool valid_header_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F || c == ':') return false;
  }
  return true;
}

bool valid_header_value(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool iequals(std::string_view a, std::string_view b) {
  return beast::iequals(a, b);
}

class HttpSession final : public Session {
 public:
  HttpSession(std::shared_ptr<HttpServerImpl> server, tcp::socket socket)
      : server_(std::move(server)), stream_(std::move(socket)) {}

  ~HttpSession() override { server_->remove_session(this); }

  void start() {
    beast::error_code ec;
    const auto peer = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = peer.address().to_string() + ":" + std::to_string(peer.port());
    if (!server_->add_session(shared_from_this())) return close();
    do_read_header();
  }

  void shutdown(bool force) override {
    asio::post(stream_.get_executor(), [self = self(), force] {
      self->stopping_ = true;
      // Busy connections close right after their response is written (see write_response).
      if (force || self->state_ == State::kReading || self->state_ == State::kLingering) {
        self->close();
      }
    });
  }

 private:
  enum class State { kReading, kBusy, kLingering, kClosed };
  static constexpr std::chrono::seconds kLingerTimeout{2};

  std::shared_ptr<HttpSession> self() {
    return std::static_pointer_cast<HttpSession>(shared_from_this());
  }

  void do_read_header() {
    state_ = State::kReading;
    parser_.emplace();
    parser_->body_limit(server_->settings().body_limit_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(server_->settings().header_limit_bytes));
    stream_.expires_after(server_->settings().idle_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = self()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    if (stopping_) return close();
    // A declared length over the limit is refused before reading it.
    const auto length = parser_->content_length();
    if (length && *length > server_->settings().body_limit_bytes) return too_large();
    if (parser_->is_done()) return dispatch();
    state_ = State::kBusy;
    // Clients such as curl wait for this before sending a large body.
    if (iequals(parser_->get()[http::field::expect], "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      stream_.expires_after(server_->settings().write_timeout);
      return asio::async_write(stream_, asio::buffer(kContinue),
                               [self = self()](beast::error_code wec, std::size_t) {
                                 if (wec) return self->close();
                                 self->read_body();
                               });
    }
    read_body();
  }

  void read_body() {
    state_ = State::kReading;
    stream_.expires_after(server_->settings().idle_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = self()](beast::error_code ec, std::size_t) {
                       if (ec) return self->on_read_error(ec);
                       if (self->stopping_) return self->close();
                       self->dispatch();
                     });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::body_limit) return too_large();
    if (ec == http::error::header_limit) {
      return send_error_and_close(431, "headers_too_large", "request headers over the limit");
    }
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::operation_aborted || ec == beast::error::timeout ||
        ec == asio::error::connection_reset || state_ == State::kClosed) {
      return close();
    }
    if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
      return send_error_and_close(400, "bad_request", ec.message());
    }
    close();
  }

  void too_large() {
    send_error_and_close(
        413, "body_too_large",
        "request body over " + std::to_string(server_->settings().body_limit_bytes) + " bytes");
  }

  void send_error_and_close(int status, std::string_view code, std::string_view message) {
    // The rest of the request is unread, so the connection cannot carry another one.
    close_after_write_ = true;
    version_ = parser_ ? parser_->get().version() : 11;
    if (version_ == 0) version_ = 11;
    method_ = parser_ ? std::string(parser_->get().method_string()) : std::string();
    path_ = parser_ ? std::string(parser_->get().target()) : std::string();
    write_response(HttpResponse::error(status, code, message));
  }

  void dispatch() {
    state_ = State::kBusy;
    http::request<http::string_body> message = parser_->release();
    parser_.reset();
    version_ = message.version();
    keep_alive_ = message.keep_alive();

    HttpRequest req;
    req.method = std::string(message.method_string());
    req.target = std::string(message.target());
    for (const auto& field : message) {
      req.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    req.body = std::move(message.body());
    req.remote = remote_;
    method_ = req.method;
    path_ = req.target;

    auto target = parse_target(req.target);
    if (!target) {
      return write_response(HttpResponse::error(400, "bad_target", "malformed request target"));
    }
    req.path = std::move(target->path);
    req.query = std::move(target->query);
    path_ = req.path;

    int status = 404;
    std::string allow;
    const Route* route = server_->match(req.method, req.path, &status, &allow);
    if (route == nullptr) {
      HttpResponse r = status == 405
                           ? HttpResponse::error(405, "method_not_allowed",
                                                 req.method + " is not allowed on " + req.path)
                           : HttpResponse::error(404, "not_found", "no route for " + req.path);
      if (status == 405) r.headers.emplace_back("Allow", allow);
      return write_response(std::move(r));
    }
    switch (route->kind) {
      case RouteKind::kSync:
        return run_sync(*route, req);
      case RouteKind::kAsync:
        return run_async(*route, req);
      case RouteKind::kSse:
        return hand_over_to_sse(*route);
    }
  }

  void run_sync(const Route& route, const HttpRequest& req) {
    HttpResponse response;
    try {
      response = route.sync(req);
    } catch (const std::exception& e) {
      log::error("http_handler_failed",
                 {{"method", req.method}, {"path", req.path}, {"error", e.what()}});
      response = HttpResponse::error(500, "internal_error", "the handler failed");
    } catch (...) {
      log::error("http_handler_failed", {{"method", req.method}, {"path", req.path}});
      response = HttpResponse::error(500, "internal_error", "the handler failed");
    }
    write_response(std::move(response));
  }

  void run_async(const Route& route, const HttpRequest& req) {
    // The responder holds this session alive until it answers (or is dropped: 500).
    HttpResponder responder([self = self()](HttpResponse r) {
      asio::post(self->stream_.get_executor(),
                 [self, r = std::move(r)]() mutable { self->write_response(std::move(r)); });
    });
    try {
      route.async(req, responder);
    } catch (const std::exception& e) {
      log::error("http_handler_failed",
                 {{"method", req.method}, {"path", req.path}, {"error", e.what()}});
      responder(HttpResponse::error(500, "internal_error", "the handler failed"));
    } catch (...) {
      log::error("http_handler_failed", {{"method", req.method}, {"path", req.path}});
      responder(HttpResponse::error(500, "internal_error", "the handler failed"));
    }
  }

  void hand_over_to_sse(const Route& route) {
    // The socket (and with it this connection's strand, where we are now) moves to the
    // SSE session; this object just ends.
    state_ = State::kClosed;
    stream_.expires_never();
    std::make_shared<SseSession>(server_, route.channel, std::move(stream_), remote_)->start();
  }

  void write_response(HttpResponse r) {
    if (state_ == State::kClosed) return;
    state_ = State::kBusy;
    if (r.status < 200 || r.status > 599) {
      log::error("http_bad_status", {{"path", path_}, {"status", r.status}});
      r = HttpResponse::error(500, "internal_error", "the handler returned a bad status");
    }
    response_ = {};
    response_.version(version_);
    response_.result(static_cast<unsigned>(r.status));
    response_.set(http::field::server, "pqrflow");
    if (!r.content_type.empty() && valid_header_value(r.content_type)) {
      response_.set(http::field::content_type, r.content_type);
    }
    for (const auto& [name, value] : r.headers) {
      if (!valid_header_name(name) || !valid_header_value(value)) {
        log::error("http_bad_header", {{"path", path_}, {"header", name}});
        continue;
      }
      response_.insert(name, value);
    }
    response_.body() = std::move(r.body);
    response_.keep_alive(keep_alive_ && !stopping_ && !close_after_write_);
    response_.prepare_payload();
    log::debug("http_request",
               {{"method", method_}, {"path", path_}, {"status", r.status}, {"remote", remote_}});
    stream_.expires_after(server_->settings().write_timeout);
    http::async_write(stream_, response_, [self = self()](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      if (!self->response_.keep_alive() || self->stopping_) return self->linger();
      self->do_read_header();
    });
  }

  // Closing a socket with unread input makes the kernel send RST, which can destroy the
  // response the client has not read yet (a 413 sent while the body is still coming).
  // So: send FIN, drain what the client still sends until it closes, then close.
  void linger() {
    state_ = State::kLingering;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTimeout);
    drain();
  }

  void drain() {
    stream_.async_read_some(asio::buffer(discard_),
                            [self = self()](beast::error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->drain();
                            });
  }

  void close() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  std::shared_ptr<HttpServerImpl> server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  State state_ = State::kReading;
  bool stopping_ = false;
  bool keep_alive_ = false;
  bool close_after_write_ = false;
  unsigned version_ = 11;
  std::string remote_;
  std::string method_;  // for logs
  std::string path_;
  std::array<char, 4096> discard_{};
};

}  // namespace

// ---- server ----------------------------------------------------------------------------

void HttpServerImpl::start() {
  if (started_) throw std::logic_error("HttpServer: start() called twice");
  const std::string where = settings_.address + ":" + std::to_string(settings_.port);
  beast::error_code ec;
  const auto address = asio::ip::make_address(settings_.address, ec);
  if (ec) {
    throw HttpServerError("invalid HTTP listen address \"" + settings_.address +
                          "\": " + ec.message() + " (set the HTTP address, e.g. 0.0.0.0)");
  }
  const tcp::endpoint endpoint(address, settings_.port);
  if (acceptor_.open(endpoint.protocol(), ec); ec) {
    throw HttpServerError("cannot open an HTTP socket for " + where + ": " + ec.message());
  }
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (acceptor_.bind(endpoint, ec); ec) {
    throw HttpServerError("cannot listen for HTTP on " + where + ": " + ec.message() +
                          " (choose another --http-port; 0 picks a free one)");
  }
  if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec) {
    throw HttpServerError("cannot listen for HTTP on " + where + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  started_ = true;
  asio::post(strand_, [self = shared_from_this()] { self->do_accept(); });
}

void HttpServerImpl::do_accept() {
  if (!acceptor_.is_open()) return;
  acceptor_.async_accept(asio::make_strand(ioc_),
                         [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                           self->on_accept(ec, std::move(socket));
                         });
}

void HttpServerImpl::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // Typically out of file descriptors: wait a little instead of spinning.
    log::warn("http_accept_failed", {{"error", ec.message()}});
    retry_timer_.expires_after(std::chrono::milliseconds(100));
    retry_timer_.async_wait([self = shared_from_this()](beast::error_code wec) {
      if (!wec) self->do_accept();
    });
    return;
  }
  std::make_shared<HttpSession>(shared_from_this(), std::move(socket))->start();
  do_accept();
}

void HttpServerImpl::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  asio::post(strand_, [self = shared_from_this()] {
    beast::error_code ignored;
    self->acceptor_.close(ignored);
    self->retry_timer_.cancel();
    bool any = false;
    {
      std::lock_guard lock(self->mutex_);
      any = !self->sessions_.empty();
    }
    if (!any) return;
    self->grace_timer_.expires_after(self->settings_.shutdown_grace);
    self->grace_timer_.async_wait([self](beast::error_code ec) {
      if (ec) return;  // cancelled: every connection closed in time
      const auto left = self->live_sessions();
      log::warn("http_stop_forced", {{"connections", left.size()}});
      for (const auto& s : left) s->shutdown(true);
    });
  });
  for (const auto& s : live_sessions()) s->shutdown(false);
}

}  // namespace detail

HttpServer::HttpServer(asio::io_context& ioc, HttpServerSettings settings)
    : impl_(std::make_shared<detail::HttpServerImpl>(ioc, std::move(settings))) {}

HttpServer::~HttpServer() {
  impl_->stop();
}

void HttpServer::route(std::string method, std::string path, HttpHandler handler) {
  detail::Route r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.kind = detail::RouteKind::kSync;
  r.sync = std::move(handler);
  impl_->add_route(std::move(r));
}

void HttpServer::route_async(std::string method, std::string path, AsyncHttpHandler handler) {
  detail::Route r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.kind = detail::RouteKind::kAsync;
  r.async = std::move(handler);
  impl_->add_route(std::move(r));
}

std::shared_ptr<SseChannel> HttpServer::sse(std::string path) {
  detail::Route r;
  r.method = "GET";
  r.path = std::move(path);
  r.kind = detail::RouteKind::kSse;
  r.channel = std::make_shared<detail::SseChannelImpl>();
  auto channel = r.channel;
  impl_->add_route(std::move(r));
  return channel;
}

void HttpServer::start() {
  impl_->start();
}
void HttpServer::stop() {
  impl_->stop();
}
std::uint16_t HttpServer::port() const noexcept {
  return impl_->port();
}

}  // namespace pqrflow::runtime
