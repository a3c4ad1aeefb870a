// Hostile input end to end: the real broker and pqrflow-ingest as a child process. A
// battery of hostile records (every class of tests/unit/core/hostile_input_test.cpp,
// 900 KB and 1–2 MiB records, protobuf garbage with the content-type header) with
// valid records interleaved, then 20k small hostile records. Every hostile record is
// dead-lettered exactly once with its reason, origin and original bytes; every valid
// record is published; ingest keeps running with bounded resident memory.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/contract.hpp"
#include "core/event.hpp"
#include "core/event_codec.hpp"
#include "pqrflow/v1/deadletter.pb.h"
#include "pqrflow/v1/events.pb.h"
#include "support/stack.hpp"

namespace pqrflow::testing {
namespace {

using namespace std::chrono_literals;
using R = core::RejectReason;

constexpr std::size_t kMiB = 1 << 20;

// One record to produce, with what ingest must do with it.
struct Sent {
  std::string topic;
  std::string key;  // unique: identifies the record in the outputs
  std::string value;
  bool protobuf_header = false;
  std::optional<R> reason;  // nullopt: valid, must reach pqrflow.events.v1
  std::string event_id;     // valid records only
};

std::string record(std::string_view id, std::string_view type, std::string_view body,
                   std::string_view at = "2024-03-19T10:15:00-05:00") {
  return R"({"event_id":")" + std::string(id) + R"(","type":")" + std::string(type) +
         R"(","occurred_at":")" + std::string(at) + "\"," + std::string(body) + "}";
}

std::string misfiled(std::string_view id, std::string_view extra = {},
                     std::string_view at = "2024-03-19T10:15:00-05:00") {
  std::string body = R"("ticket_id":"T-)" + std::string(id) + "\"";
  if (!extra.empty()) body += "," + std::string(extra);
  return record(id, "pqr.misfiled", body, at);
}

std::string reform(std::string_view id, std::string_view amount) {
  return record(id, "bill.reformed",
                R"("bill_id":"B-1","subscriber_id":"S-1","service":"acueducto","amount":)" +
                    std::string(amount));
}

std::string protobuf_of(const std::string& json) {
  core::Decoder d;
  core::Event e;
  core::Rejection why;
  if (!d.decode_json(json, &e, &why)) throw std::runtime_error(why.detail);
  std::string bytes;
  core::serialize_event(e, &bytes);
  return bytes;
}

// Small hostile records, one per class: the n-th variant with a unique id.
std::vector<std::pair<std::string, R>> small_hostile(const std::string& id) {
  return {
      {std::string(2000, '['), R::kNestingTooDeep},
      {misfiled(id, "\"x\":\"\xc0\xaf\""), R::kInvalidUtf8},
      {misfiled(id, "\"x\xed\xa0\x80\":1"), R::kInvalidUtf8},
      {misfiled(id, "\"x\":\"\xe2\x82\""), R::kInvalidUtf8},
      {misfiled(id) + "\xff", R::kInvalidUtf8},
      {misfiled(id, std::string("\"x\":\"\0\"", 7)), R::kInvalidJson},
      {record(id, "pqr.misfiled\\u0000", R"("ticket_id":"T")"), R::kUnknownType},
      {reform(id, "1e999999999"), R::kAmountOutOfRange},
      {reform(id, "1" + std::string(399, '7')), R::kAmountOutOfRange},
      {reform(id, "-0"), R::kAmountNotPositive},
      {reform(id, "10000000000000"), R::kAmountOutOfRange},
      {record(id, "pqr.misfiled", R"("ticket_id":42)"), R::kWrongType},
      {record(id, "pqr.answered", R"("ticket_id":"T","outcome":"accede","internal_error":"yes")"),
       R::kWrongType},
      {record(id, "bill.issued",
              R"("bill_id":"B","subscriber_id":"S","period":"2024-03",)"
              R"("amounts":[])"),
       R::kWrongType},
      {misfiled(id, {}, "0000-01-01T00:00:00Z"), R::kTimestampOutOfRange},
      {misfiled(id, {}, "2201-01-01T00:00:00-05:00"), R::kTimestampOutOfRange},
      {misfiled(id, {}, "2024-13-01T00:00:00Z"), R::kInvalidTimestamp},
      {misfiled(id, {}, "2023-02-29T12:00:00Z"), R::kInvalidTimestamp},
      {misfiled(id, {}, "2024-03-19T10:15:00+24:00"), R::kInvalidTimestamp},
      {misfiled(id, {}, "2024-03-19T10:15:00." + std::string(30, '1') + "Z"), R::kInvalidTimestamp},
      {"[" + misfiled(id) + "]", R::kNotAnObject},
      {misfiled(id, R"("ticket_id":"again")"), R::kDuplicateField},
      {"", R::kInvalidJson},
  };
}

// Peak resident memory in KiB (VmHWM of /proc/<pid>/status), -1 when unknown.
std::int64_t peak_rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtoll(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

TEST(HostileInput, EveryHostileRecordIsDeadLetteredOnceAndIngestStaysUpAndSmall) {
  Stack stack;
  const runtime::TopicNames topics;
  const int ingest = stack.start_ingest();  // --max-record-bytes 1 MiB (the default)
  const std::vector<std::string> raw = topics.raw();

  std::vector<Sent> sent;
  int n = 0;
  const auto next_id = [&] { return "h" + std::to_string(n++); };
  const auto hostile = [&](std::string value, R reason, bool header = false) {
    const std::string id = next_id();
    sent.push_back({raw[sent.size() % raw.size()], id, std::move(value), header, reason, {}});
  };
  const auto valid = [&](std::string json, bool as_protobuf = false) {
    const std::string id = next_id();
    std::string event_id = "v-" + id;
    const std::size_t at = json.find("@ID");
    json.replace(at, 3, event_id);
    std::string value = as_protobuf ? protobuf_of(json) : json;
    sent.push_back(
        {raw[sent.size() % raw.size()], id, std::move(value), as_protobuf, {}, event_id});
  };

  // The battery: every class, large records, protobuf garbage; valid records between.
  for (auto& [value, reason] : small_hostile("b")) {
    hostile(std::move(value), reason);
    valid(misfiled("@ID"));
  }
  hostile(std::string(100'000, '['), R::kNestingTooDeep);
  hostile(R"({"event_id":")" + std::string(900 * 1024, 'e') +
              R"(","type":"pqr.misfiled","occurred_at":"2024-03-19T10:15:00Z","ticket_id":"T"})",
          R::kInvalidValue);
  valid(record("@ID", "pqr.misfiled", R"("ticket_id":")" + std::string(900 * 1024, 't') + "\""));
  hostile(misfiled("big", R"("x":")" + std::string(300'000, 'x')), R::kInvalidJson);  // cut short
  valid(misfiled("@ID"), true);
  hostile("\xff\xff\xff\xff garbage", R::kInvalidProtobuf, true);
  hostile(protobuf_of(misfiled("p1")).substr(0, 10), R::kInvalidProtobuf, true);
  hostile(misfiled("p2"), R::kInvalidProtobuf, true);  // JSON sent as protobuf
  hostile("", R::kInvalidProtobuf, true);
  {
    pqrflow::v1::Event m;
    m.ParseFromString(protobuf_of(
        record("p3", "pqr.filed", R"("ticket_id":"T","kind":"queja","channel":"web")")));
    m.mutable_pqr_filed()->set_kind(static_cast<pqrflow::v1::PqrKind>(42));
    hostile(m.SerializeAsString(), R::kInvalidEnum, true);
  }
  hostile(std::string("\x0a\x02\xff\xfe", 4), R::kInvalidUtf8);  // looks like protobuf, no header
  valid(misfiled("@ID"));
  // Over the limit: one byte over, and 2 MiB (the embedded broker takes it).
  hostile(std::string(kMiB + 1, ' '), R::kRecordTooLarge);
  hostile(misfiled("huge", R"("x":")" + std::string(2 * kMiB, 'x') + "\""), R::kRecordTooLarge);
  valid(misfiled("@ID"));
  const std::size_t battery = sent.size();

  // Produce: large records through a producer that allows them, each group in order.
  std::string error;
  auto big = runtime::Producer::create({{"bootstrap.servers", stack.brokers()},
                                        {"message.max.bytes", std::to_string(8 * kMiB)},
                                        {"linger.ms", "5"},
                                        {"enable.idempotence", "true"}},
                                       &error);
  ASSERT_TRUE(big) << error;
  const std::vector<runtime::Header> protobuf_header = {{"content-type", "application/x-protobuf"}};
  for (const Sent& s : sent) {
    ASSERT_TRUE(big->produce(s.topic, s.key, s.value,
                             s.protobuf_header ? protobuf_header : std::vector<runtime::Header>{},
                             &error))
        << error;
  }
  const runtime::DeliveryReport report = big->flush(60s);
  ASSERT_TRUE(report.complete && report.failed == 0) << report.last_error;

  // Then 20k small hostile records, spread over the raw topics.
  constexpr int kBulk = 20'000;
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> bulk;
  for (int i = 0; static_cast<int>(sent.size() - battery) < kBulk; ++i) {
    for (auto& [value, reason] : small_hostile("bulk" + std::to_string(i))) {
      if (static_cast<int>(sent.size() - battery) == kBulk) break;
      hostile(std::move(value), reason);
      bulk[sent.back().topic].emplace_back(sent.back().key, sent.back().value);
    }
  }
  for (const auto& [topic, records] : bulk) stack.produce(topic, records);

  // Wait until every hostile record has a dead letter (by its key: redeliveries could
  // reach the count with duplicates).
  std::set<std::string> hostile_keys;
  for (const Sent& s : sent) {
    if (s.reason) hostile_keys.insert(s.key);
  }
  const std::size_t hostile_count = hostile_keys.size();
  std::vector<Stack::Record> dead;
  std::size_t lettered = 0;
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually(
      [&] {
        dead = stack.read_records(topics.deadletter);
        std::set<std::string> seen;
        for (const Stack::Record& r : dead) {
          pqrflow::v1::DeadLetter dl;
          if (dl.ParseFromString(r.value) && hostile_keys.contains(dl.original_key())) {
            seen.insert(dl.original_key());
          }
        }
        lettered = seen.size();
        return lettered == hostile_count;
      },
      120s, 1s))
      << lettered << " of " << hostile_count << " hostile records dead-lettered; ingest log:\n"
      << stack.log_of(ingest).substr(0, 4000);
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(stack.running(ingest)) << stack.log_of(ingest);

  // Resident memory after the battery and the 20k records.
  const std::int64_t rss_kib = stack.rss_kib(ingest);
  const std::int64_t peak_kib = peak_rss_kib(stack.pid(ingest));
  ::testing::Test::RecordProperty("ingest_vmrss_kib", std::to_string(rss_kib));
  ::testing::Test::RecordProperty("ingest_vmhwm_kib", std::to_string(peak_kib));
  std::printf("ingest VmRSS %lld KiB, VmHWM %lld KiB; dead letters complete after %lld ms\n",
              static_cast<long long>(rss_kib), static_cast<long long>(peak_kib),
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(waited).count()));
  EXPECT_GT(rss_kib, 0);
  EXPECT_LT(rss_kib, 300 * 1024) << "ingest's resident memory";

  // Where each record landed in the raw topics, by its unique key.
  std::map<std::string, std::tuple<std::string, std::int32_t, std::int64_t>> origin_of;
  for (const std::string& topic : raw) {
    for (const Stack::Record& r : stack.read_records(topic)) {
      origin_of[r.key] = {topic, r.partition, r.offset};
    }
  }

  // Every hostile record: exactly one dead letter, with its reason, origin and bytes.
  std::map<std::string, int> letters_per_key;
  std::map<std::string, pqrflow::v1::DeadLetter> letter_of;
  for (const Stack::Record& r : dead) {
    pqrflow::v1::DeadLetter dl;
    ASSERT_TRUE(dl.ParseFromString(r.value));
    EXPECT_EQ(r.key, dl.origin_topic() + "/" + std::to_string(dl.origin_partition()) + "/" +
                         std::to_string(dl.origin_offset()));
    ++letters_per_key[dl.original_key()];
    letter_of[dl.original_key()] = std::move(dl);
  }
  int checked = 0;
  for (const Sent& s : sent) {
    if (!s.reason) {
      EXPECT_EQ(letters_per_key.count(s.key), 0u) << "valid record " << s.key << " dead-lettered";
      continue;
    }
    ASSERT_EQ(letters_per_key[s.key], 1) << "dead letters for " << s.key;
    const pqrflow::v1::DeadLetter& dl = letter_of[s.key];
    EXPECT_EQ(dl.reason(), core::reason_code(*s.reason))
        << s.key << ": " << dl.detail() << " for " << s.value.substr(0, 120);
    EXPECT_FALSE(dl.detail().empty());
    EXPECT_EQ(std::make_tuple(dl.origin_topic(), dl.origin_partition(), dl.origin_offset()),
              origin_of.at(s.key))
        << s.key;
    if (s.value.size() <= kMiB) {
      EXPECT_TRUE(dl.original() == s.value) << s.key << ": original bytes differ";
    } else {  // record_too_large keeps the first max-record-bytes bytes; the detail the size
      EXPECT_EQ(dl.original().size(), kMiB) << s.key;
      EXPECT_TRUE(s.value.compare(0, kMiB, dl.original()) == 0) << s.key;
      EXPECT_NE(dl.detail().find(std::to_string(s.value.size()) + " bytes"), std::string::npos)
          << dl.detail();
    }
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(hostile_count));
  EXPECT_EQ(dead.size(), hostile_count);

  // Every valid record, and nothing else, is a canonical event.
  std::map<std::string, int> events;
  for (const auto& [key, value] : stack.read_all(topics.events)) {
    pqrflow::v1::Event e;
    ASSERT_TRUE(e.ParseFromString(value));
    ++events[e.event_id()];
  }
  std::map<std::string, int> expected_events;
  for (const Sent& s : sent) {
    if (!s.reason) expected_events[s.event_id] = 1;
  }
  EXPECT_EQ(events, expected_events);

  EXPECT_TRUE(stack.running(ingest));
  EXPECT_EQ(stack.stop(ingest), 0) << stack.log_of(ingest).substr(0, 4000);
}

}  // namespace
}  // namespace pqrflow::testing
