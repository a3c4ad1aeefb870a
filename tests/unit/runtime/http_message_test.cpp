// The pure half of the HTTP server: target parsing, percent-decoding, SSE framing.
#include "runtime/http_message.hpp"

#include <gtest/gtest.h>

namespace pqrflow::runtime {
namespace {

TEST(PercentDecode, DecodesEscapesAndOptionallyPlus) {
  EXPECT_EQ(percent_decode("Bogot%C3%A1", false), "Bogot\xC3\xA1");
  EXPECT_EQ(percent_decode("a+b%2Bc", true), "a b+c");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_EQ(percent_decode("%2f%2F", false), "//");
  EXPECT_EQ(percent_decode("%00", false), std::string(1, '\0'));
  EXPECT_EQ(percent_decode("", true), "");
}

TEST(PercentDecode, RejectsMalformedEscapes) {
  EXPECT_EQ(percent_decode("%", false), std::nullopt);
  EXPECT_EQ(percent_decode("%4", false), std::nullopt);
  EXPECT_EQ(percent_decode("ab%4", false), std::nullopt);
  EXPECT_EQ(percent_decode("%zz", false), std::nullopt);
  EXPECT_EQ(percent_decode("%4g", false), std::nullopt);
}

TEST(ParseTarget, SplitsPathAndQuery) {
  const auto t = parse_target("/api/indicators?period=2024-03&scope=office%3ACentro&q=a+b");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/api/indicators");
  EXPECT_EQ(t->query, (QueryList{{"period", "2024-03"}, {"scope", "office:Centro"}, {"q", "a b"}}));
}

TEST(ParseTarget, EdgeCasesOfTheQuery) {
  const auto t = parse_target("/x?&a&&b=&c=1=2&a=again&");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/x");
  EXPECT_EQ(t->query, (QueryList{{"a", ""}, {"b", ""}, {"c", "1=2"}, {"a", "again"}}));
  const auto empty = parse_target("/?");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->path, "/");
  EXPECT_TRUE(empty->query.empty());
}

TEST(ParseTarget, DecodesThePathButNotPlus) {
  const auto t = parse_target("/files/a%20b+c");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/files/a b+c");
}

TEST(ParseTarget, RejectsWhatIsNotOriginForm) {
  EXPECT_EQ(parse_target(""), std::nullopt);
  EXPECT_EQ(parse_target("*"), std::nullopt);
  EXPECT_EQ(parse_target("http://host/x"), std::nullopt);
  EXPECT_EQ(parse_target("/x%zz"), std::nullopt);
  EXPECT_EQ(parse_target("/x?a=%"), std::nullopt);
}

TEST(HttpRequest, LooksUpQueryAndHeaders) {
  HttpRequest r;
  r.query = {{"a", "1"}, {"a", "2"}};
  r.headers = {{"Content-Type", "application/json"}};
  EXPECT_EQ(r.query_param("a"), "1");
  EXPECT_EQ(r.query_param("A"), std::nullopt);
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("accept"), std::nullopt);
}

TEST(HttpResponse, ErrorBodiesAreJson) {
  const auto r = HttpResponse::error(404, "not_found", "no route for /a\"b");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, "{\"error\":\"not_found\",\"message\":\"no route for /a\\\"b\"}\n");
}

TEST(SseFrame, OneEventPerCall) {
  EXPECT_EQ(format_sse_event("compliance", "{\"score\":91.5}"),
            "event: compliance\ndata: {\"score\":91.5}\n\n");
  EXPECT_EQ(format_sse_event("", "plain"), "data: plain\n\n");
  EXPECT_EQ(format_sse_event("", ""), "data: \n\n");
}

TEST(SseFrame, EveryKindOfLineBreakStartsADataLine) {
  EXPECT_EQ(format_sse_event("e", "a\nb\r\nc\rd"),
            "event: e\ndata: a\ndata: b\ndata: c\ndata: d\n\n");
  EXPECT_EQ(format_sse_event("e", "a\n"), "event: e\ndata: a\ndata: \n\n");
  EXPECT_EQ(format_sse_event("two\nlines\r", "x"), "event: two lines \ndata: x\n\n");
}

}  // namespace
}  // namespace pqrflow::runtime
