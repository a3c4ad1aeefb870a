// POST /v1/events on ingest, end to end through the embedded broker: accepted records
// reach the pipeline (and the BI feed equals replay over them), rejected ones are listed by
// index and dead-lettered, and every status of the contract is produced for real.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "pqrflow/v1/deadletter.pb.h"
#include "support/feed.hpp"
#include "support/stack.hpp"

namespace pqrflow::testing {
namespace {

using namespace std::chrono_literals;

std::string array_of(const std::vector<std::string>& records) {
  std::string out = "[";
  for (const std::string& r : records) out += (out.size() > 1 ? ",\n " : "") + r;
  return out + "]";
}

const std::string kValid =
    R"({"event_id":"w1","type":"pqr.filed","occurred_at":"2024-03-19T10:00:00-05:00","ticket_id":"W1","kind":"reclamo","channel":"web","office":"Centro"})";
const std::string kBadKind =
    R"({"event_id":"w2","type":"pqr.filed","occurred_at":"2024-03-19T10:00:00-05:00","ticket_id":"W2","kind":"sugerencia","channel":"web"})";
const std::string kNoOffset =
    R"({"event_id":"w3","type":"pqr.answered","occurred_at":"2024-03-19T10:00:00","ticket_id":"W1","outcome":"accede"})";

TEST(Webhook, AcceptedRecordsFlowAndTheBiFeedEqualsReplay) {
  Stack stack;
  const int ingest = stack.start_ingest();
  stack.start_metrics();
  stack.start_reporting({"--clock", "event"});
  const int port = stack.http_port(ingest);
  const Feed f = generated_feed(400, 81, core::YearMonth::of(2024, 1), core::YearMonth::of(2024, 4),
                                0.01, 0.01);
  // Records that are not JSON objects cannot travel in a JSON array: each alone is a 400.
  std::vector<std::string> events;
  int not_json = 0;
  for (const auto& r : f.records) {
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(r.json, ec);
    if (!ec && v.is_object()) {
      events.push_back(r.json);
    } else {
      EXPECT_EQ(http_post(port, "/v1/events", r.json).first, 400) << r.json;
      ++not_json;
    }
  }
  // One event alone, then requests of 500; each answered after durable production.
  std::size_t rejected = 0;
  const auto send = [&](std::size_t begin, std::size_t end) {
    const std::vector<std::string> batch(events.begin() + static_cast<std::ptrdiff_t>(begin),
                                         events.begin() + static_cast<std::ptrdiff_t>(end));
    const auto [status, body] =
        http_post(port, "/v1/events", batch.size() == 1 ? batch[0] : array_of(batch));
    ASSERT_TRUE(status == 202 || status == 207) << status << " " << body;
    const auto answer = boost::json::parse(body).as_object();
    rejected += answer.at("rejected").as_array().size();
    EXPECT_EQ(
        answer.at("accepted").to_number<std::size_t>() + answer.at("rejected").as_array().size(),
        batch.size());
  };
  send(0, 1);
  for (std::size_t i = 1; i < events.size(); i += 500) send(i, std::min(i + 500, events.size()));
  EXPECT_EQ(static_cast<int>(rejected) + not_json, f.invalid);
  const auto expected = replay_rows(f.jsons(), stack.bin().plan);
  std::map<std::string, std::string> actual;
  EXPECT_TRUE(eventually(
      [&] {
        return (actual = latest_bi_rows(stack.read_all(runtime::TopicNames{}.bi))) == expected;
      },
      120s))
      << diff_rows(expected, actual);
  // Re-sending everything (a client retry) changes nothing.
  for (std::size_t i = 0; i < f.records.size(); i += 1000) {
    std::vector<std::string> batch;
    for (std::size_t j = i; j < std::min(i + 1000, f.records.size()); ++j)
      batch.push_back(f.records[j].json);
    EXPECT_NE(http_post(port, "/v1/events", array_of(batch)).first, 503);
  }
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(latest_bi_rows(stack.read_all(runtime::TopicNames{}.bi)), expected);
}

TEST(Webhook, StatusesOfTheContract) {
  Stack stack;
  const std::filesystem::path token = stack.dir() / "token";
  std::ofstream(token) << "s3cret\n";
  const int ingest =
      stack.start_ingest({"--webhook-token-file", token.string(), "--webhook-max-bytes", "8192",
                          "--webhook-max-records", "5"});
  const int port = stack.http_port(ingest);
  const std::vector<std::pair<std::string, std::string>> auth = {
      {"Authorization", "Bearer s3cret"}};

  // 401 without or with a wrong token.
  EXPECT_EQ(http_post(port, "/v1/events", kValid).first, 401);
  EXPECT_EQ(http_post(port, "/v1/events", kValid, {{"Authorization", "Bearer nope"}}).first, 401);
  // 202: all valid.
  auto [status, body] = http_post(port, "/v1/events", array_of({kValid}), auth);
  EXPECT_EQ(status, 202) << body;
  EXPECT_EQ(body, R"({"accepted":1,"rejected":[]})");
  // 207: rejected records listed by index with their reason.
  std::tie(status, body) =
      http_post(port, "/v1/events", array_of({kValid, kBadKind, kNoOffset}), auth);
  EXPECT_EQ(status, 207) << body;
  const auto answer = boost::json::parse(body).as_object();
  EXPECT_EQ(answer.at("accepted").as_int64(), 1);
  ASSERT_EQ(answer.at("rejected").as_array().size(), 2U);
  EXPECT_EQ(answer.at("rejected").as_array()[0].as_object().at("index").as_int64(), 1);
  EXPECT_EQ(answer.at("rejected").as_array()[0].as_object().at("reason").as_string(),
            "invalid_enum");
  EXPECT_EQ(answer.at("rejected").as_array()[1].as_object().at("index").as_int64(), 2);
  EXPECT_EQ(answer.at("rejected").as_array()[1].as_object().at("reason").as_string(),
            "invalid_timestamp");
  // …and dead-lettered with the original bytes.
  int webhook_letters = 0;
  for (const auto& [key, value] : stack.read_all(runtime::TopicNames{}.deadletter)) {
    pqrflow::v1::DeadLetter dl;
    ASSERT_TRUE(dl.ParseFromString(value));
    if (dl.origin_topic() != "webhook") continue;
    ++webhook_letters;
    EXPECT_TRUE(dl.original() == kBadKind || dl.original() == kNoOffset) << dl.original();
  }
  EXPECT_EQ(webhook_letters, 2);
  // 400: not JSON, or not events.
  EXPECT_EQ(http_post(port, "/v1/events", "{not json", auth).first, 400);
  EXPECT_EQ(http_post(port, "/v1/events", "[1,2]", auth).first, 400);
  // 413: over the byte limit, over the record limit.
  EXPECT_EQ(http_post(port, "/v1/events", std::string(10000, ' ') + kValid, auth).first, 413);
  EXPECT_EQ(http_post(port, "/v1/events",
                      array_of({kValid, kValid, kValid, kValid, kValid, kValid}), auth)
                .first,
            413);
}

TEST(Webhook, BrokerUnavailableAnswers503) {
  Stack stack(16, 2);
  // Canonical events live on broker 2; take it down.
  for (int p = 0; p < 16; ++p) {
    ASSERT_EQ(stack.broker_command("leader pqrflow.events.v1 " + std::to_string(p) + " 2"), "ok");
    ASSERT_EQ(stack.broker_command("leader pqrflow.deadletter.v1 " + std::to_string(p) + " 2"),
              "ok");
  }
  const int ingest = stack.start_ingest({"--webhook-timeout", "2s"});
  const int port = stack.http_port(ingest);
  ASSERT_EQ(http_post(port, "/v1/events", kValid).first, 202);
  ASSERT_EQ(stack.broker_command("down 2"), "ok");
  const auto [status, body] = http_post(port, "/v1/events", array_of({kValid, kBadKind}));
  EXPECT_EQ(status, 503) << body;
  EXPECT_NE(body.find("broker_unavailable"), std::string::npos);
  ASSERT_EQ(stack.broker_command("up 2"), "ok");
  EXPECT_TRUE(eventually([&] { return http_post(port, "/v1/events", kValid).first == 202; }, 60s));
}

}  // namespace
}  // namespace pqrflow::testing
