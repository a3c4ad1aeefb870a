// HTTP requests and responses as plain values, and the pure text rules around them:
// request-target parsing with percent-decoding, and Server-Sent Events framing.
// No sockets here; http_server.hpp is the shell that reads and writes these.
//
//   auto t = parse_target("/api/indicators?period=2024-03&scope=office%3ACentro");
//   // t->path == "/api/indicators", t->query == {{"period","2024-03"},{"scope","office:Centro"}}
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pqrflow::runtime {

using HeaderList = std::vector<std::pair<std::string, std::string>>;
using QueryList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // as sent, e.g. "GET"
  std::string target;  // the raw request-target, e.g. "/api/x?y=1"
  std::string path;    // percent-decoded, without the query
  QueryList query;     // percent-decoded ('+' is a space), in order; repeats kept
  HeaderList headers;  // as received
  std::string body;
  std::string remote;  // peer address "ip:port", for logs

  // The first value of a query parameter / a header (names compared ignoring case).
  std::optional<std::string_view> query_param(std::string_view name) const;
  std::optional<std::string_view> header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";  // empty: no Content-Type
  std::string body;
  HeaderList headers;  // extra headers; values with CR or LF are dropped

  static HttpResponse text(int status, std::string body);
  static HttpResponse json(int status, std::string body);
  // {"error":"<code>","message":"<message>"}, the body of every error the server makes.
  static HttpResponse error(int status, std::string_view code, std::string_view message);
};

// Decodes %XX escapes (and '+' as a space when `plus_is_space`, for query strings);
// nullopt on a malformed escape such as "%4" or "%zz".
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space);

struct Target {
  std::string path;
  QueryList query;
};

// An origin-form request-target ("/path?query"); nullopt when it is not one (absolute or
// asterisk form, bad escapes). "a&&b=" yields {"a",""} and {"b",""}; empty pieces skipped.
std::optional<Target> parse_target(std::string_view target);

// One SSE frame: "event: <event>\n" (omitted when empty), one "data: " line per line of
// `data` (CR, LF and CRLF all split lines), then a blank line. CR/LF in `event` become
// spaces so one call is always exactly one event.
std::string format_sse_event(std::string_view event, std::string_view data);

}  // namespace pqrflow::runtime
