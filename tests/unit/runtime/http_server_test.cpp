// The HTTP server over real sockets on 127.0.0.1 (OS-chosen ports): routing, limits,
// keep-alive, async and SSE routes, and stop(). Every wait has a deadline; nothing sleeps
// to let the server "get there".
#include "runtime/http_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace pqrflow::runtime {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

constexpr auto kDeadline = 2s;
using Response = http::response<http::string_body>;

// Polls `done` until it holds or the deadline passes.
bool eventually(const std::function<bool()>& done) {
  const auto until = std::chrono::steady_clock::now() + kDeadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// A test client on its own io_context: each operation runs with a deadline, so a broken
// server fails the test instead of hanging it.
class Client {
 public:
  explicit Client(std::uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  static bool can_connect(std::uint16_t port) {
    asio::io_context ioc;
    tcp::socket s(ioc);
    beast::error_code ec;
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    return !ec;
  }

  void send(std::string_view raw) { asio::write(socket_, asio::buffer(raw)); }

  // One whole response (per Content-Length), or the error.
  beast::error_code read(Response& res) {
    beast::error_code result;
    run(
        [&](bool& done) {
          http::async_read(socket_, buffer_, res, [&](beast::error_code ec, std::size_t) {
            result = ec;
            done = true;
          });
        },
        result);
    return result;
  }

  Response get(std::string_view target, std::string_view extra_headers = "") {
    send("GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) +
         "\r\n");
    Response res;
    const auto ec = read(res);
    EXPECT_FALSE(ec) << ec.message();
    return res;
  }

  // Raw bytes up to and including `marker` (for 100 Continue and SSE streams).
  std::string read_until(std::string_view marker) {
    beast::error_code result;
    while (true) {
      const std::string_view have(static_cast<const char*>(buffer_.data().data()), buffer_.size());
      if (const auto at = have.find(marker); at != std::string_view::npos) {
        std::string out(have.substr(0, at + marker.size()));
        buffer_.consume(out.size());
        return out;
      }
      read_some(result);
      if (result) {
        ADD_FAILURE() << "waiting for " << marker << ": " << result.message();
        return std::string(have);
      }
    }
  }

  // True when the server closes the connection (EOF or reset) within the deadline.
  bool closed_by_server() {
    beast::error_code result;
    do {
      buffer_.consume(buffer_.size());
      read_some(result);
    } while (!result);
    return result == asio::error::eof || result == asio::error::connection_reset;
  }

  void close() {
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  void read_some(beast::error_code& result) {
    run(
        [&](bool& done) {
          socket_.async_read_some(buffer_.prepare(4096), [&](beast::error_code ec, std::size_t n) {
            buffer_.commit(n);
            result = ec;
            done = true;
          });
        },
        result);
  }

  void run(const std::function<void(bool&)>& start, beast::error_code& result) {
    bool done = false;
    start(done);
    ioc_.restart();
    ioc_.run_for(kDeadline);
    if (!done) {
      socket_.cancel();
      ioc_.restart();
      ioc_.run();
      result = asio::error::timed_out;
    }
  }

  asio::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

class HttpServerTest : public ::testing::Test {
 protected:
  static HttpServerSettings test_settings() {
    HttpServerSettings s;
    s.address = "127.0.0.1";
    s.port = 0;
    s.body_limit_bytes = 1024;
    s.shutdown_grace = 1s;
    return s;
  }

  HttpServer& server(HttpServerSettings settings = test_settings()) {
    if (!server_) server_.emplace(ioc_, std::move(settings));
    return *server_;
  }

  // Starts the server and two io_context threads (so strands matter).
  std::uint16_t run() {
    server().start();
    for (int i = 0; i < 2; ++i)
      runners_.push_back(std::async(std::launch::async, [this] { ioc_.run(); }));
    return server().port();
  }

  // stop(), then the io_context must run out of work: nothing of the server lingers.
  bool stop_and_drain() {
    if (!server_) return true;
    server_->stop();
    bool drained = true;
    for (auto& r : runners_) {
      if (r.wait_for(3s) != std::future_status::ready) drained = false;
    }
    if (!drained) ioc_.stop();
    runners_.clear();
    return drained;
  }

  void TearDown() override { EXPECT_TRUE(stop_and_drain()) << "io_context kept work after stop()"; }

  asio::io_context ioc_;
  std::optional<HttpServer> server_;
  std::vector<std::future<void>> runners_;
};

HttpResponse echo(const HttpRequest& r) {
  return HttpResponse::text(200, std::string(r.query_param("name").value_or("-")) + "|" +
                                     std::string(r.query_param("x").value_or("-")) + "|" +
                                     std::string(r.header("x-test").value_or("-")) + "|" + r.path);
}

TEST_F(HttpServerTest, GetRouteWithDecodedQueryAndHeaders) {
  server().route("GET", "/api/echo", echo);
  Client c(run());
  const Response res = c.get("/api/echo?name=Bogot%C3%A1&x=a+b%26c", "X-Test: yes\r\n");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "Bogot\xC3\xA1|a b&c|yes|/api/echo");
  EXPECT_EQ(res[http::field::content_type], "text/plain; charset=utf-8");
  EXPECT_EQ(res[http::field::server], "pqrflow");
}

TEST_F(HttpServerTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  server().route("GET", "/api/echo", echo);
  server().route("DELETE", "/api/echo", echo);
  Client c(run());
  const Response missing = c.get("/nope");
  EXPECT_EQ(missing.result_int(), 404);
  EXPECT_EQ(missing[http::field::content_type], "application/json");
  EXPECT_NE(missing.body().find("\"error\":\"not_found\""), std::string::npos);

  c.send("POST /api/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}");
  Response wrong;
  ASSERT_FALSE(c.read(wrong));
  EXPECT_EQ(wrong.result_int(), 405);
  EXPECT_EQ(wrong[http::field::allow], "GET, DELETE");
  EXPECT_TRUE(wrong.keep_alive()) << "a 405 does not cost the connection";
}

TEST_F(HttpServerTest, BodyWithinTheLimitArrivesWhole) {
  server().route("POST", "/upload", [](const HttpRequest& r) {
    return HttpResponse::text(200, std::to_string(r.body.size()) + ":" + r.body.substr(0, 3));
  });
  Client c(run());
  c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1024\r\n\r\n" +
         std::string(1024, 'a'));
  Response res;
  ASSERT_FALSE(c.read(res));
  EXPECT_EQ(res.body(), "1024:aaa");
}

TEST_F(HttpServerTest, DeclaredBodyOverTheLimitIs413AndCloses) {
  server().route("POST", "/upload", echo);
  Client c(run());
  c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 4096\r\n\r\n" +
         std::string(4096, 'a'));
  Response res;
  ASSERT_FALSE(c.read(res));
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_NE(res.body().find("body_too_large"), std::string::npos);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(HttpServerTest, ChunkedBodyOverTheLimitIs413) {
  server().route("POST", "/upload", echo);
  Client c(run());
  c.send(
      "POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "800\r\n" +
      std::string(2048, 'b') + "\r\n0\r\n\r\n");
  Response res;
  ASSERT_FALSE(c.read(res));
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(HttpServerTest, ExpectContinueGetsAnInterimResponse) {
  server().route("POST", "/upload",
                 [](const HttpRequest& r) { return HttpResponse::text(200, r.body); });
  Client c(run());
  c.send("POST /upload HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  EXPECT_EQ(c.read_until("\r\n\r\n"), "HTTP/1.1 100 Continue\r\n\r\n");
  c.send("hello");
  Response res;
  ASSERT_FALSE(c.read(res));
  EXPECT_EQ(res.body(), "hello");
}

TEST_F(HttpServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  int calls = 0;
  server().route("GET", "/who", [&](const HttpRequest& r) {
    ++calls;  // one connection: its requests never run concurrently
    return HttpResponse::text(200, r.remote);
  });
  Client c(run());
  const Response first = c.get("/who");
  const Response second = c.get("/who");
  EXPECT_EQ(first.result_int(), 200);
  EXPECT_TRUE(first.keep_alive());
  EXPECT_EQ(second.result_int(), 200);
  EXPECT_EQ(first.body(), second.body()) << "same peer address and port: same connection";
  EXPECT_TRUE(first.body().starts_with("127.0.0.1:"));
  EXPECT_EQ(calls, 2);
}

TEST_F(HttpServerTest, ConnectionCloseAndHttp10AreHonoured) {
  server().route("GET", "/x", [](const HttpRequest&) { return HttpResponse::text(200, "x"); });
  const auto port = run();
  Client a(port);
  const Response res = a.get("/x", "Connection: close\r\n");
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(a.closed_by_server());
  Client b(port);
  b.send("GET /x HTTP/1.0\r\n\r\n");
  Response old;
  ASSERT_FALSE(b.read(old));
  EXPECT_EQ(old.body(), "x");
  EXPECT_TRUE(b.closed_by_server());
}

TEST_F(HttpServerTest, MalformedRequestIs400) {
  server().route("GET", "/x", echo);
  Client c(run());
  c.send("GARBAGE\r\n\r\n");
  Response res;
  ASSERT_FALSE(c.read(res));
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(HttpServerTest, HandlerExceptionsBecome500) {
  server().route("GET", "/boom",
                 [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("kaput"); });
  Client c(run());
  const Response res = c.get("/boom");
  EXPECT_EQ(res.result_int(), 500);
  EXPECT_NE(res.body().find("internal_error"), std::string::npos);
  EXPECT_EQ(c.get("/boom").result_int(), 500) << "the connection survives";
}

TEST_F(HttpServerTest, AsyncHandlerAnswersFromAnotherThread) {
  std::promise<void> called;
  std::promise<void> release;
  std::thread worker;
  server().route_async("POST", "/webhook", [&](const HttpRequest& r, HttpResponder respond) {
    worker = std::thread([respond, body = r.body, go = release.get_future()]() mutable {
      go.wait();  // e.g. until Kafka acknowledges
      respond(HttpResponse::json(202, "{\"accepted\":" + body + "}"));
      respond(HttpResponse::text(500, "ignored: only the first answer counts"));
    });
    called.set_value();
  });
  Client c(run());
  c.send("POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\n7");
  ASSERT_EQ(called.get_future().wait_for(kDeadline), std::future_status::ready);
  release.set_value();
  Response res;
  ASSERT_FALSE(c.read(res));
  worker.join();
  EXPECT_EQ(res.result_int(), 202);
  EXPECT_EQ(res.body(), "{\"accepted\":7}");
  EXPECT_TRUE(res.keep_alive());
}

TEST_F(HttpServerTest, DroppedResponderAnswers500) {
  server().route_async("POST", "/webhook", [](const HttpRequest&, HttpResponder) {});
  Client c(run());
  c.send("POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
  Response res;
  ASSERT_FALSE(c.read(res));
  EXPECT_EQ(res.result_int(), 500);
  EXPECT_NE(res.body().find("no_response"), std::string::npos);
}

TEST_F(HttpServerTest, SseSubscribersReceiveBroadcastEvents) {
  auto channel = server().sse("/events");
  Client c(run());
  c.send("GET /events HTTP/1.1\r\nHost: t\r\nAccept: text/event-stream\r\n\r\n");
  const std::string head = c.read_until("\r\n\r\n");
  EXPECT_TRUE(head.starts_with("HTTP/1.1 200 OK\r\n")) << head;
  EXPECT_NE(head.find("Content-Type: text/event-stream\r\n"), std::string::npos);
  ASSERT_TRUE(eventually([&] { return channel->subscriber_count() == 1; }));

  std::thread publisher([&] {  // any thread may publish
    channel->publish("indicator", "{\"v\":1}");
    channel->publish("alert", "line one\nline two");
  });
  publisher.join();
  EXPECT_EQ(c.read_until("\n\n"), "event: indicator\ndata: {\"v\":1}\n\n");
  EXPECT_EQ(c.read_until("\n\n"), "event: alert\ndata: line one\ndata: line two\n\n");

  c.close();
  EXPECT_TRUE(eventually([&] { return channel->subscriber_count() == 0; }))
      << "a client that left is cleaned up";
  channel->publish("after", "nobody listens");
}

TEST_F(HttpServerTest, SseSendsHeartbeatComments) {
  auto settings = test_settings();
  settings.sse_heartbeat = 20ms;
  auto channel = server(settings).sse("/events");
  Client c(run());
  c.send("GET /events HTTP/1.1\r\nHost: t\r\n\r\n");
  c.read_until("\r\n\r\n");
  EXPECT_EQ(c.read_until("\n\n"), ": heartbeat\n\n");
  EXPECT_EQ(c.read_until("\n\n"), ": heartbeat\n\n");
}

TEST_F(HttpServerTest, StopClosesEveryConnectionAndReleasesTheIoContext) {
  server().route("GET", "/x", [](const HttpRequest&) { return HttpResponse::text(200, "x"); });
  auto channel = server().sse("/events");
  const auto port = run();
  Client idle(port);  // connected, never sends
  Client kept(port);  // keep-alive, between requests
  EXPECT_TRUE(kept.get("/x").keep_alive());
  Client sse(port);
  sse.send("GET /events HTTP/1.1\r\nHost: t\r\n\r\n");
  sse.read_until("\r\n\r\n");
  ASSERT_TRUE(eventually([&] { return channel->subscriber_count() == 1; }));

  server().stop();
  EXPECT_TRUE(idle.closed_by_server());
  EXPECT_TRUE(kept.closed_by_server());
  EXPECT_TRUE(sse.closed_by_server());
  EXPECT_TRUE(eventually([&] { return !Client::can_connect(port); }));
  EXPECT_EQ(channel->subscriber_count(), 0u);
  EXPECT_TRUE(stop_and_drain());
}

TEST_F(HttpServerTest, StopLetsAnInFlightAsyncResponseFinish) {
  std::promise<HttpResponder> parked;
  server().route_async("POST", "/webhook", [&](const HttpRequest&, HttpResponder respond) {
    parked.set_value(std::move(respond));
  });
  Client c(run());
  c.send("POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
  auto responder = parked.get_future();
  ASSERT_EQ(responder.wait_for(kDeadline), std::future_status::ready);
  server().stop();
  std::thread([r = responder.get()] { r(HttpResponse::text(202, "late but delivered")); }).join();
  Response res;
  ASSERT_FALSE(c.read(res));
  EXPECT_EQ(res.result_int(), 202);
  EXPECT_FALSE(res.keep_alive()) << "stopping: the connection closes after this response";
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(HttpServerTest, PortInUseIsAStartupErrorNamingTheSetting) {
  const auto port = run();
  asio::io_context other;
  auto settings = test_settings();
  settings.port = port;
  HttpServer second(other, settings);
  try {
    second.start();
    FAIL() << "expected HttpServerError";
  } catch (const HttpServerError& e) {
    EXPECT_NE(std::string(e.what()).find("--http-port"), std::string::npos) << e.what();
  }
}

TEST_F(HttpServerTest, BadAddressIsAStartupError) {
  auto settings = test_settings();
  settings.address = "not-an-address";
  EXPECT_THROW(server(settings).start(), HttpServerError);
}

TEST_F(HttpServerTest, DuplicateRoutesAreRejected) {
  server().route("GET", "/x", echo);
  EXPECT_THROW(server().route("GET", "/x", echo), std::logic_error);
  EXPECT_THROW((void)server().sse("/x"), std::logic_error);
  server().route("POST", "/x", echo);
}

TEST_F(HttpServerTest, RoutesAfterStartAreRejected) {
  run();
  EXPECT_THROW(server().route("GET", "/late", echo), std::logic_error);
}

TEST(HttpResponder, FirstAnswerWinsAndDroppingAnswers500) {
  std::vector<int> got;
  {
    HttpResponder r([&](HttpResponse res) { got.push_back(res.status); });
    const HttpResponder copy = r;
    EXPECT_FALSE(copy.answered());
    copy(HttpResponse::text(204, ""));
    r(HttpResponse::text(200, ""));
    EXPECT_TRUE(r.answered());
  }
  {
    HttpResponder dropped([&](HttpResponse res) { got.push_back(res.status); });
  }
  EXPECT_EQ(got, (std::vector<int>{204, 500}));
}

}  // namespace
}  // namespace pqrflow::runtime
