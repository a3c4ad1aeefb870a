// The raw input contract (design.md §4): every event type decodes to the exact Event,
// every reason code is produced by the rule it names, and protobuf input follows the
// same rules.
#include "core/contract.hpp"

#include <gtest/gtest.h>

#include <array>
#include <climits>
#include <cstdint>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/event.hpp"
#include "core/event_codec.hpp"
#include "pqrflow/v1/events.pb.h"

namespace pqrflow::core {

// Readable Events in failure messages.
void PrintTo(const Event& e, std::ostream* os) {
  pqrflow::v1::Event m;
  to_proto(e, &m);
  *os << m.ShortDebugString();
}

namespace {

using namespace std::string_literals;

constexpr std::int64_t kUs = kMicrosPerSecond;

// An instant given as UTC fields, computed without the parser under test.
Instant utc(int y, int mo, int d, int hh, int mm, int ss, std::int64_t us = 0) {
  return Instant{static_cast<std::int64_t>(date_of(y, mo, d).days) * kMicrosPerDay +
                 (hh * 3600LL + mm * 60LL + ss) * kUs + us};
}

// A record with the common fields and `body` (a JSON member list, without braces).
std::string record(std::string_view type, std::string_view body,
                   std::string_view occurred_at = "2024-03-19T10:15:00-05:00") {
  std::string out = R"({"event_id":"e-1","type":")";
  out += type;
  out += R"(","occurred_at":")";
  out += occurred_at;
  out += '"';
  if (!body.empty()) {
    out += ',';
    out += body;
  }
  out += '}';
  return out;
}

// A pqr.misfiled record whose occurred_at is `ts`.
std::string at(std::string_view ts) {
  return record("pqr.misfiled", R"("ticket_id":"T-1")", ts);
}

// A bill.reformed record with `amount` as given (raw JSON text).
std::string reform(std::string_view amount) {
  return record("bill.reformed", R"("bill_id":"B-1","subscriber_id":"S-1","service":"acueducto",)"
                                 R"("amount":)" +
                                     std::string(amount));
}

// A bill.issued record with `amounts` as given (raw JSON text).
std::string bill(std::string_view amounts, std::string_view period = R"("2024-03")") {
  return record("bill.issued", R"("bill_id":"B-1","subscriber_id":"S-1","period":)" +
                                   std::string(period) + R"(,"amounts":)" + std::string(amounts));
}

class ContractTest : public ::testing::Test {
 protected:
  // Decodes `json` expecting success; the Event is in event_.
  ::testing::AssertionResult Accepts(std::string_view json) {
    if (decoder_.decode_json(json, &event_, &why_)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "rejected " << reason_code(why_.reason) << " (" << why_.detail << "): " << json;
  }

  // Decodes `json` expecting this reason and a detail containing `detail_part`.
  ::testing::AssertionResult Rejects(std::string_view json, RejectReason reason,
                                     std::string_view detail_part) {
    if (decoder_.decode_json(json, &event_, &why_)) {
      return ::testing::AssertionFailure() << "accepted: " << json;
    }
    return Matches(reason, detail_part, json);
  }

  ::testing::AssertionResult RejectsProto(const pqrflow::v1::Event& m, RejectReason reason,
                                          std::string_view detail_part) {
    std::string bytes;
    m.SerializeToString(&bytes);
    if (decoder_.decode_protobuf(bytes, &event_, &why_)) {
      return ::testing::AssertionFailure() << "accepted: " << m.ShortDebugString();
    }
    return Matches(reason, detail_part, m.ShortDebugString());
  }

  ::testing::AssertionResult Matches(RejectReason reason, std::string_view detail_part,
                                     std::string_view input) {
    if (why_.reason != reason || why_.detail.find(detail_part) == std::string::npos) {
      return ::testing::AssertionFailure()
             << "got " << reason_code(why_.reason) << " (" << why_.detail << "), want "
             << reason_code(reason) << " with \"" << detail_part << "\" for: " << input;
    }
    return ::testing::AssertionSuccess();
  }

  // The cents a bill.reformed record with this amount decodes to.
  Cents ReformCents(std::string_view amount) {
    EXPECT_TRUE(Accepts(reform(amount)));
    return event_.amount;
  }

  Decoder decoder_;
  Event event_;
  Rejection why_;
};

// ---------------------------------------------------------------------------------
// One valid example per event type, decoded to the exact Event.

struct Example {
  std::string json;
  Event expected;
};

std::vector<Example> examples() {
  return {
      {R"({"event_id":"e-1","type":"pqr.filed","occurred_at":"2024-03-19T10:15:00-05:00",)"
       R"("source":"sgc","ticket_id":"R-2024-001","kind":"reclamo","channel":"web",)"
       R"("subscriber_id":"S-77","service":"acueducto","causal":"SUI-102","office":"Centro"})",
       [] {
         Event e;
         e.type = EventType::kPqrFiled;
         e.event_id = "e-1";
         e.occurred_at = utc(2024, 3, 19, 15, 15, 0);
         e.source = "sgc";
         e.ticket_id = "R-2024-001";
         e.kind = PqrKind::kReclamo;
         e.channel = Channel::kWeb;
         e.subscriber_id = "S-77";
         e.service = Service::kAcueducto;
         e.causal = "SUI-102";
         e.office = "Centro";
         return e;
       }()},
      {R"({"event_id":"e-2","type":"pqr.answered","occurred_at":"2024-04-02T08:00:00Z",)"
       R"("ticket_id":"R-2024-001","outcome":"accede_parcialmente","internal_error":true})",
       [] {
         Event e;
         e.type = EventType::kPqrAnswered;
         e.event_id = "e-2";
         e.occurred_at = utc(2024, 4, 2, 8, 0, 0);
         e.ticket_id = "R-2024-001";
         e.outcome = Outcome::kAccedeParcialmente;
         e.internal_error = true;
         return e;
       }()},
      {R"({"event_id":"e-3","type":"pqr.misfiled","occurred_at":"2024-03-20T09:00:00-05:00",)"
       R"("ticket_id":"R-2024-001","reason":"wrong causal"})",
       [] {
         Event e;
         e.type = EventType::kPqrMisfiled;
         e.event_id = "e-3";
         e.occurred_at = utc(2024, 3, 20, 14, 0, 0);
         e.ticket_id = "R-2024-001";
         e.reason = "wrong causal";
         return e;
       }()},
      {R"({"event_id":"e-4","type":"window.served","occurred_at":"2024-03-19T09:30:00-05:00",)"
       R"("turn_id":"A-031","office":"Norte","arrived_at":"2024-03-19T09:02:10-05:00",)"
       R"("started_at":"2024-03-19T09:20:00.5-05:00"})",
       [] {
         Event e;
         e.type = EventType::kWindowServed;
         e.event_id = "e-4";
         e.occurred_at = utc(2024, 3, 19, 14, 30, 0);
         e.office = "Norte";
         e.turn_id = "A-031";
         e.arrived_at = utc(2024, 3, 19, 14, 2, 10);
         e.started_at = utc(2024, 3, 19, 14, 20, 0, 500'000);
         return e;
       }()},
      {R"({"event_id":"e-5","type":"visit.requested","occurred_at":"2024-03-21T11:00:00-05:00",)"
       R"("visit_id":"V-9","ticket_id":"R-2024-001"})",
       [] {
         Event e;
         e.type = EventType::kVisitRequested;
         e.event_id = "e-5";
         e.occurred_at = utc(2024, 3, 21, 16, 0, 0);
         e.ticket_id = "R-2024-001";
         e.visit_id = "V-9";
         return e;
       }()},
      {R"({"event_id":"e-6","type":"visit.completed","occurred_at":"2024-03-22T15:00:00-05:00",)"
       R"("visit_id":"V-9","started_at":"2024-03-22T13:45:00-05:00"})",
       [] {
         Event e;
         e.type = EventType::kVisitCompleted;
         e.event_id = "e-6";
         e.occurred_at = utc(2024, 3, 22, 20, 0, 0);
         e.started_at = utc(2024, 3, 22, 18, 45, 0);
         e.visit_id = "V-9";
         return e;
       }()},
      {R"({"event_id":"e-7","type":"bill.issued","occurred_at":"2024-04-01T00:00:00-05:00",)"
       R"("bill_id":"F-1","subscriber_id":"S-77","period":"2024-03",)"
       R"("amounts":{"acueducto":45210.5,"alcantarillado":"30100.25"}})",
       [] {
         Event e;
         e.type = EventType::kBillIssued;
         e.event_id = "e-7";
         e.occurred_at = utc(2024, 4, 1, 5, 0, 0);
         e.subscriber_id = "S-77";
         e.bill_id = "F-1";
         e.period = YearMonth::of(2024, 3);
         e.amounts[0] = 4'521'050;
         e.amounts[1] = 3'010'025;
         return e;
       }()},
      {R"({"event_id":"e-8","type":"bill.reformed","occurred_at":"2024-04-10T16:00:00-05:00",)"
       R"("bill_id":"F-1","subscriber_id":"S-77","service":"alcantarillado",)"
       R"("amount":"15000.75","ticket_id":"R-2024-001","reason":"meter misread"})",
       [] {
         Event e;
         e.type = EventType::kBillReformed;
         e.event_id = "e-8";
         e.occurred_at = utc(2024, 4, 10, 21, 0, 0);
         e.ticket_id = "R-2024-001";
         e.subscriber_id = "S-77";
         e.service = Service::kAlcantarillado;
         e.reason = "meter misread";
         e.bill_id = "F-1";
         e.amount = 1'500'075;
         return e;
       }()},
  };
}

TEST_F(ContractTest, EachEventTypeDecodesToTheExactEvent) {
  for (const Example& ex : examples()) {
    ASSERT_TRUE(Accepts(ex.json));
    EXPECT_EQ(event_, ex.expected) << ex.json;
  }
}

TEST_F(ContractTest, ReusedEventIsFullyReset) {
  // Every field set to something no example uses; each decode must leave none behind.
  const Event junk = [] {
    Event e;
    e.type = EventType::kBillReformed;
    e.event_id = "junk";
    e.occurred_at = Instant{1};
    e.source = "junk";
    e.ticket_id = "junk";
    e.kind = PqrKind::kDenuncia;
    e.channel = Channel::kOtro;
    e.subscriber_id = "junk";
    e.service = Service::kAlcantarillado;
    e.causal = "junk";
    e.office = "junk";
    e.outcome = Outcome::kArchiva;
    e.internal_error = false;
    e.reason = "junk";
    e.turn_id = "junk";
    e.arrived_at = Instant{2};
    e.started_at = Instant{3};
    e.visit_id = "junk";
    e.bill_id = "junk";
    e.period = YearMonth::of(1999, 1);
    e.amounts[0] = 1;
    e.amounts[1] = 2;
    e.amount = 3;
    return e;
  }();
  for (const Example& ex : examples()) {
    event_ = junk;
    ASSERT_TRUE(Accepts(ex.json));
    EXPECT_EQ(event_, ex.expected) << ex.json;
  }
  // Also after a rejection: the failed record's fields do not leak into the next one.
  EXPECT_TRUE(Rejects(record("pqr.filed", R"("ticket_id":"T-9","kind":"queja","channel":"x")"),
                      RejectReason::kInvalidEnum, "channel"));
  ASSERT_TRUE(Accepts(examples()[2].json));
  EXPECT_EQ(event_, examples()[2].expected);
}

TEST_F(ContractTest, FieldOrderDoesNotMatterAndTypeMayComeLast) {
  ASSERT_TRUE(Accepts(R"({"outcome":"no_accede","ticket_id":"T-1",)"
                      R"("occurred_at":"2024-03-19T10:15:00-05:00","event_id":"e-1",)"
                      R"("type":"pqr.answered"})"));
  EXPECT_EQ(event_.type, EventType::kPqrAnswered);
  EXPECT_EQ(event_.outcome, Outcome::kNoAccede);
  EXPECT_EQ(event_.ticket_id, "T-1");
}

TEST_F(ContractTest, UnknownExtraFieldsAndOtherTypesFieldsAreIgnored) {
  ASSERT_TRUE(Accepts(record("pqr.misfiled",
                             R"("ticket_id":"T-1","x-trace":{"a":[1,2,{"b":null}],"c":"d"},)"
                             R"("amount":true,"kind":7,"amounts":[],"visit_id":"V-1",)"
                             R"("started_at":"not a time","extra":[[[]]])")));
  Event expected = [] {
    Event e;
    e.type = EventType::kPqrMisfiled;
    e.event_id = "e-1";
    e.occurred_at = utc(2024, 3, 19, 15, 15, 0);
    e.ticket_id = "T-1";
    return e;
  }();
  EXPECT_EQ(event_, expected);
}

TEST_F(ContractTest, NullOptionalFieldsAreAbsent) {
  ASSERT_TRUE(Accepts(record("pqr.filed", R"("source":null,"ticket_id":"T-1","kind":"queja",)"
                                          R"("channel":"telefono","subscriber_id":null,)"
                                          R"("service":null,"causal":null,"office":null)")));
  EXPECT_EQ(event_.source, "");
  EXPECT_EQ(event_.service, Service::kUnspecified);
  ASSERT_TRUE(Accepts(record("pqr.answered", R"("ticket_id":"T-1","outcome":"accede",)"
                                             R"("internal_error":null)")));
  EXPECT_FALSE(event_.internal_error.has_value());
  ASSERT_TRUE(Accepts(record("visit.completed", R"("visit_id":"V-1","started_at":null)")));
  EXPECT_FALSE(event_.started_at.has_value());
  ASSERT_TRUE(Accepts(bill(R"({"acueducto":null,"alcantarillado":0})")));
  EXPECT_FALSE(event_.amounts[0].has_value());
  EXPECT_EQ(event_.amounts[1], Cents{0});
  ASSERT_TRUE(Accepts(bill("{}")));  // a bill without lines is allowed
  EXPECT_FALSE(event_.amounts[0].has_value());
  EXPECT_FALSE(event_.amounts[1].has_value());
}

TEST_F(ContractTest, EscapedStringsAndKeysAreUnescaped) {
  ASSERT_TRUE(Accepts(record(
      "pqr.misfiled", R"("ticket\u005fid":"R\u00e9-1\n","reason":"caf\u00e9 \ud83d\udca7")")));
  EXPECT_EQ(event_.ticket_id, "R\xc3\xa9-1\n");
  EXPECT_EQ(event_.reason, "caf\xc3\xa9 \xf0\x9f\x92\xa7");
}

TEST_F(ContractTest, LongStringsSplitByTheParserAreWhole) {
  // Over Boost.JSON's 4 KiB unescaping buffer: the text arrives in several parts.
  std::string reason;
  std::string escaped;
  for (int i = 0; i < 3000; ++i) {
    reason += "ab\"c";
    escaped += R"(ab\"c)";
  }
  ASSERT_TRUE(Accepts(record("pqr.misfiled", R"("ticket_id":"T-1","reason":")" + escaped + "\"")));
  EXPECT_EQ(event_.reason, reason);
  const std::string long_key(5000, 'k');
  ASSERT_TRUE(
      Accepts(record("pqr.misfiled", R"("ticket_id":"T-1",")" + long_key + R"(\u0041":1)")));
}

TEST_F(ContractTest, EscapedNulIsDataButRawNulIsInvalidJson) {
  // \u0000 is legal JSON and U+0000 is legal UTF-8: carried as data, like any character.
  ASSERT_TRUE(Accepts(record("pqr.misfiled", R"("ticket_id":"T-1","reason":"a\u0000b")")));
  EXPECT_EQ(event_.reason, "a\0b"s);
  EXPECT_TRUE(Rejects(record("pqr.misfiled", "\"ticket_id\":\"T-\0001\""s),
                      RejectReason::kInvalidJson, "record: not well-formed JSON"));
}

// ---------------------------------------------------------------------------------
// Record-level rules, in order of precedence.

TEST_F(ContractTest, RecordTooLargeIsCheckedFirst) {
  Decoder small(DecoderLimits{.max_record_bytes = 100});
  Event e;
  Rejection why;
  const std::string big = "{" + std::string(99, ' ') + "\xff";  // also neither JSON nor UTF-8
  ASSERT_FALSE(small.decode_json(big, &e, &why));
  EXPECT_EQ(why.reason, RejectReason::kRecordTooLarge);
  EXPECT_NE(why.detail.find("101 bytes exceed the limit of 100"), std::string::npos) << why.detail;
  ASSERT_FALSE(small.decode_protobuf(big, &e, &why));
  EXPECT_EQ(why.reason, RejectReason::kRecordTooLarge);
  EXPECT_TRUE(small.decode_json(R"({"event_id":"e","type":"pqr.misfiled","occurred_at":)"
                                R"("2024-03-19T10:15:00Z","ticket_id":"T"})",
                                &e, &why))
      << why.detail;
}

TEST_F(ContractTest, InvalidJson) {
  const RejectReason r = RejectReason::kInvalidJson;
  EXPECT_TRUE(Rejects("", r, "record: not well-formed JSON (incomplete JSON)"));
  EXPECT_TRUE(Rejects(R"({"event_id":"e-1",})", r, "record: not well-formed JSON"));
  EXPECT_TRUE(Rejects(R"({'event_id':'e-1'})", r, "record: not well-formed JSON"));
  EXPECT_TRUE(Rejects(R"({"event_id":"e-1")", r, "incomplete JSON"));
  EXPECT_TRUE(Rejects(R"({"amount":01})", r, "record: not well-formed JSON"));
  EXPECT_TRUE(Rejects(R"({"amount":NaN})", r, "record: not well-formed JSON"));
  EXPECT_TRUE(Rejects(R"({} x)", r, "record: unexpected data after the JSON value"));
  EXPECT_TRUE(Rejects(R"({"a":1}{"b":2})", r, "unexpected data after the JSON value"));
  EXPECT_TRUE(Rejects(R"({"a":"\ud800"})", r, "record: not well-formed JSON"));  // lone surrogate
  EXPECT_TRUE(Rejects(R"({"a":1e99999999999})", r, "exponent is too large"));
  // Surrounding whitespace is fine.
  EXPECT_TRUE(Accepts(" \n" + at("2024-03-19T10:15:00Z") + "\r\n\t "));
}

TEST_F(ContractTest, InvalidUtf8IsToldApartFromOtherSyntaxErrors) {
  const RejectReason r = RejectReason::kInvalidUtf8;
  const std::string bad = record("pqr.misfiled", "\"ticket_id\":\"T-\xff\"");
  EXPECT_TRUE(Rejects(bad, r,
                      "record: byte " + std::to_string(bad.find('\xff')) +
                          " is not part of a valid UTF-8 sequence"));
  EXPECT_TRUE(
      Rejects(record("pqr.misfiled", "\"ticket_id\":\"\xc0\xaf\""), r, "not part of a valid"));
  EXPECT_TRUE(Rejects("{\"\xed\xa0\x80\":1}", r, "byte 2"));          // UTF-8-encoded surrogate
  EXPECT_TRUE(Rejects("{\"a\":\"\xf4\x90\x80\x80\"}", r, "byte 6"));  // above U+10FFFF
  EXPECT_TRUE(Rejects("{\"a\":\"\xe2\x82\"}", r, "byte 6"));          // truncated sequence
  EXPECT_TRUE(Rejects("{\"a\":1}\xff", r, "byte 7"));                 // in trailing garbage
  EXPECT_TRUE(Rejects("{\"a\":1,\xff}", r, "byte 7"));                // between tokens
  // Even when the JSON is also broken elsewhere, non-UTF-8 bytes are the reason.
  EXPECT_TRUE(Rejects("{\"a\":,\"b\":\"\xff\"}", r, "byte 11"));
  // Valid multi-byte text is fine anywhere.
  EXPECT_TRUE(
      Accepts(record("pqr.misfiled", "\"ticket_id\":\"T-\xc3\xb1\xe2\x82\xac\xf0\x9f\x92\xa7\"")));
}

TEST_F(ContractTest, NestingTooDeep) {
  const std::string deep = std::string(10000, '[') + std::string(10000, ']');
  EXPECT_TRUE(Rejects(record("pqr.misfiled", R"("ticket_id":"T-1","x":)" + deep),
                      RejectReason::kNestingTooDeep,
                      "record: arrays and objects nest deeper than 32"));
  EXPECT_TRUE(Rejects(deep, RejectReason::kNestingTooDeep, "deeper than 32"));
  EXPECT_TRUE(Rejects(std::string(10000, '{'), RejectReason::kInvalidJson, "not well-formed"));
  // The limit counts the top-level object: 1 + 31 nested arrays pass, 1 + 32 do not.
  const auto nested = [](int n) { return std::string(n, '[') + std::string(n, ']'); };
  EXPECT_TRUE(Accepts(record("pqr.misfiled", R"("ticket_id":"T-1","x":)" + nested(31))));
  EXPECT_TRUE(Rejects(record("pqr.misfiled", R"("ticket_id":"T-1","x":)" + nested(32)),
                      RejectReason::kNestingTooDeep, "deeper than 32"));
  Decoder shallow(DecoderLimits{.max_depth = 2});
  Event e;
  Rejection why;
  EXPECT_FALSE(
      shallow.decode_json(record("pqr.misfiled", R"("ticket_id":"T-1","x":[[1]])"), &e, &why));
  EXPECT_EQ(why.reason, RejectReason::kNestingTooDeep);
}

TEST_F(ContractTest, TopLevelMustBeAnObject) {
  const RejectReason r = RejectReason::kNotAnObject;
  EXPECT_TRUE(Rejects(R"([{"event_id":"e-1"}])", r, "must be an object, got an array"));
  EXPECT_TRUE(Rejects(R"("pqr.filed")", r, "got a string"));
  EXPECT_TRUE(Rejects("42", r, "got a number"));
  EXPECT_TRUE(Rejects("null", r, "got null"));
  EXPECT_TRUE(Rejects(" true ", r, "got a boolean"));
}

TEST_F(ContractTest, DuplicateKeys) {
  const RejectReason r = RejectReason::kDuplicateField;
  EXPECT_TRUE(Rejects(record("pqr.misfiled", R"("ticket_id":"T-1","ticket_id":"T-2")"), r,
                      "ticket_id: key appears more than once"));
  // Duplicates are structural: even a null, or a field the type does not use, counts.
  EXPECT_TRUE(Rejects(record("pqr.misfiled", R"("ticket_id":"T-1","kind":null,"kind":null)"), r,
                      "kind: key appears more than once"));
  EXPECT_TRUE(Rejects(record("pqr.misfiled", R"("ticket_id":"T-1","type":"pqr.misfiled")"), r,
                      "type: key"));
  EXPECT_TRUE(Rejects(record("pqr.misfiled", R"("ticket_id":"T-1","ticket\u005fid":"T-1")"), r,
                      "ticket_id: key"));
  EXPECT_TRUE(Rejects(record("pqr.misfiled", R"("ticket_id":"T-1","x":1,"y":2,"x":[])"), r,
                      "\"x\": key appears more than once"));
  std::string many = R"("ticket_id":"T-1")";
  for (int i = 0; i < 5000; ++i) many += ",\"k" + std::to_string(i) + "\":" + std::to_string(i);
  EXPECT_TRUE(Accepts(record("pqr.misfiled", many)));
  EXPECT_TRUE(Rejects(record("pqr.misfiled", many + R"(,"k\u0034":0)"), r, "\"k4\": key"));
  // Keys of nested unknown objects are not the contract's business.
  EXPECT_TRUE(Accepts(record("pqr.misfiled", R"("ticket_id":"T-1","x":{"a":1,"a":2})")));
  // Inside amounts.
  EXPECT_TRUE(Rejects(bill(R"({"acueducto":1,"acueducto":2})"), r,
                      "amounts.acueducto: key appears more than once"));
  EXPECT_TRUE(Rejects(bill(R"({"gas":1,"gas":2})"), r, "amounts.gas: key"));
}

// ---------------------------------------------------------------------------------
// Field rules.

TEST_F(ContractTest, MissingField) {
  const RejectReason r = RejectReason::kMissingField;
  EXPECT_TRUE(Rejects(R"({"type":"pqr.misfiled","occurred_at":"2024-03-19T10:15:00Z"})", r,
                      "event_id: required"));
  EXPECT_TRUE(Rejects(R"({"event_id":null,"type":"pqr.misfiled"})", r, "event_id: required"));
  EXPECT_TRUE(
      Rejects(R"({"event_id":"e-1","occurred_at":"2024-03-19T10:15:00Z"})", r, "type: required"));
  EXPECT_TRUE(Rejects(R"({"event_id":"e-1","type":"pqr.misfiled","ticket_id":"T"})", r,
                      "occurred_at: required"));
  EXPECT_TRUE(Rejects(record("pqr.answered", R"("outcome":"accede")"), r,
                      "ticket_id: required for pqr.answered"));
  EXPECT_TRUE(Rejects(record("pqr.answered", R"("ticket_id":null,"outcome":"accede")"), r,
                      "ticket_id: required for pqr.answered"));
  EXPECT_TRUE(Rejects(record("pqr.filed", R"("ticket_id":"T-1","channel":"web")"), r,
                      "kind: required for pqr.filed"));
  EXPECT_TRUE(Rejects(record("pqr.answered", R"("ticket_id":"T-1")"), r,
                      "outcome: required for pqr.answered"));
  EXPECT_TRUE(
      Rejects(record("window.served", R"("turn_id":"A-1","arrived_at":"2024-03-19T09:00:00-05:00",)"
                                      R"("started_at":"2024-03-19T09:10:00-05:00")"),
              r, "office: required for window.served"));
  EXPECT_TRUE(Rejects(record("window.served", R"("turn_id":"A-1","office":"N",)"
                                              R"("arrived_at":"2024-03-19T09:00:00-05:00")"),
                      r, "started_at: required for window.served"));
  EXPECT_TRUE(Rejects(record("visit.requested", ""), r, "visit_id: required for visit.requested"));
  EXPECT_TRUE(
      Rejects(record("bill.issued", R"("bill_id":"B","subscriber_id":"S","period":"2024-03")"), r,
              "amounts: required for bill.issued"));
  EXPECT_TRUE(
      Rejects(record("bill.reformed", R"("bill_id":"B","subscriber_id":"S","service":"acueducto")"),
              r, "amount: required for bill.reformed"));
  EXPECT_TRUE(Rejects(reform("null"), r, "amount: required for bill.reformed"));
}

TEST_F(ContractTest, WrongType) {
  const RejectReason r = RejectReason::kWrongType;
  EXPECT_TRUE(Rejects(R"({"event_id":17,"type":"pqr.misfiled"})", r,
                      "event_id: must be a string, got a number"));
  EXPECT_TRUE(Rejects(record("pqr.misfiled", R"("ticket_id":["T-1"])"), r,
                      "ticket_id: must be a string, got an array"));
  EXPECT_TRUE(Rejects(at("2024-03-19T10:15:00Z").insert(1, R"("source":{},)"), r,
                      "source: must be a string, got an object"));
  EXPECT_TRUE(Rejects(
      record("pqr.answered", R"("ticket_id":"T","outcome":"accede","internal_error":"yes")"), r,
      "internal_error: must be true or false, got a string"));
  EXPECT_TRUE(
      Rejects(reform("true"), r, "amount: must be a number or a decimal string, got a boolean"));
  EXPECT_TRUE(
      Rejects(reform("{}"), r, "amount: must be a number or a decimal string, got an object"));
  EXPECT_TRUE(Rejects(bill("[]"), r, "amounts: must be an object"));
  EXPECT_TRUE(Rejects(bill(R"({"acueducto":[1]})"), r, "amounts.acueducto: must be a number or"));
  EXPECT_TRUE(Rejects(bill("{}", "202403"), r, "period: must be a string, got a number"));
}

TEST_F(ContractTest, InvalidValue) {
  const RejectReason r = RejectReason::kInvalidValue;
  EXPECT_TRUE(
      Rejects(R"({"event_id":"","type":"pqr.misfiled"})", r, "event_id: must not be empty"));
  const std::string id128(128, 'x');
  const std::string id129(129, 'x');
  std::string spanish128;  // 128 characters, 256 bytes
  for (int i = 0; i < 128; ++i) spanish128 += "\xc3\xb1";
  const auto with_id = [](const std::string& id) {
    return R"({"event_id":")" + id +
           R"(","type":"pqr.misfiled","occurred_at":"2024-03-19T10:15:00Z","ticket_id":"T"})";
  };
  EXPECT_TRUE(Accepts(with_id(id128)));
  EXPECT_TRUE(Accepts(with_id(spanish128)));
  EXPECT_EQ(event_.event_id, spanish128);
  EXPECT_TRUE(Rejects(with_id(id129), r, "event_id: has 129 characters; at most 128"));
  EXPECT_TRUE(Rejects(with_id(spanish128 + "a"), r, "has 129 characters"));
  EXPECT_TRUE(Rejects(record("pqr.misfiled", R"("ticket_id":"")"), r,
                      "ticket_id: must not be empty (required for pqr.misfiled)"));
  EXPECT_TRUE(Rejects(record("window.served", R"("turn_id":"A","office":"")"), r,
                      "office: must not be empty (required for window.served)"));
  EXPECT_TRUE(Rejects(record("bill.issued", R"("bill_id":"B","subscriber_id":"")"), r,
                      "subscriber_id: must not be empty (required for bill.issued)"));
  // An empty optional identifier is the same as an absent one.
  EXPECT_TRUE(Accepts(record("visit.requested", R"("visit_id":"V","ticket_id":"")")));
  EXPECT_EQ(event_.ticket_id, "");
}

TEST_F(ContractTest, UnknownType) {
  EXPECT_TRUE(Rejects(record("pqr.closed", ""), RejectReason::kUnknownType,
                      "type: \"pqr.closed\" is not one of the eight event types"));
  EXPECT_TRUE(Rejects(record("PQR.FILED", ""), RejectReason::kUnknownType, "\"PQR.FILED\""));
  EXPECT_TRUE(Rejects(record("", ""), RejectReason::kUnknownType, "type: \"\" is not"));
  EXPECT_TRUE(
      Rejects(R"({"event_id":"e","type":false})", RejectReason::kWrongType, "type: must be"));
}

TEST_F(ContractTest, InvalidEnum) {
  const RejectReason r = RejectReason::kInvalidEnum;
  EXPECT_TRUE(Rejects(record("pqr.filed", R"("ticket_id":"T","kind":"Reclamo","channel":"web")"), r,
                      "kind: \"Reclamo\" is not one of peticion, queja, reclamo"));
  EXPECT_TRUE(Rejects(record("pqr.filed", R"("ticket_id":"T","kind":"queja","channel":"fax")"), r,
                      "channel: \"fax\" is not one of ventanilla"));
  EXPECT_TRUE(
      Rejects(record("pqr.filed", R"("ticket_id":"T","kind":"queja","channel":"web","service":"")"),
              r, "service: \"\" is not one of acueducto, alcantarillado"));
  EXPECT_TRUE(
      Rejects(record("pqr.answered", R"("ticket_id":"T","outcome":"si")"), r, "outcome: \"si\""));
  EXPECT_TRUE(Rejects(
      record("bill.reformed", R"("bill_id":"B","subscriber_id":"S","service":"gas","amount":1)"), r,
      "service: \"gas\""));
  EXPECT_TRUE(Rejects(bill(R"({"acueducto":1,"energia":2})"), r,
                      "amounts: key \"energia\" is not one of acueducto, alcantarillado"));
  // Every name of the vocabulary is accepted.
  for (std::size_t k = 1; k < kPqrKindNames.size(); ++k) {
    EXPECT_TRUE(
        Accepts(record("pqr.filed", R"("ticket_id":"T","kind":")" + std::string(kPqrKindNames[k]) +
                                        R"(","channel":"otro")")));
    EXPECT_EQ(event_.kind, static_cast<PqrKind>(k));
  }
  for (std::size_t c = 1; c < kChannelNames.size(); ++c) {
    EXPECT_TRUE(Accepts(record("pqr.filed", R"("ticket_id":"T","kind":"queja","channel":")" +
                                                std::string(kChannelNames[c]) + "\"")));
    EXPECT_EQ(event_.channel, static_cast<Channel>(c));
  }
  for (std::size_t o = 1; o < kOutcomeNames.size(); ++o) {
    EXPECT_TRUE(Accepts(record(
        "pqr.answered", R"("ticket_id":"T","outcome":")" + std::string(kOutcomeNames[o]) + "\"")));
    EXPECT_EQ(event_.outcome, static_cast<Outcome>(o));
  }
}

// ---------------------------------------------------------------------------------
// Timestamps.

TEST_F(ContractTest, TimestampFormsAndOffsets) {
  ASSERT_TRUE(Accepts(at("2024-02-29T12:00:00-05:00")));  // leap day
  EXPECT_EQ(event_.occurred_at, utc(2024, 2, 29, 17, 0, 0));
  ASSERT_TRUE(Accepts(at("2024-03-19T20:45:00+05:30")));
  EXPECT_EQ(event_.occurred_at, utc(2024, 3, 19, 15, 15, 0));
  ASSERT_TRUE(Accepts(at("2024-03-19T15:15:00Z")));
  EXPECT_EQ(event_.occurred_at, utc(2024, 3, 19, 15, 15, 0));
  ASSERT_TRUE(Accepts(at("2024-03-19t15:15:00z")));
  EXPECT_EQ(event_.occurred_at, utc(2024, 3, 19, 15, 15, 0));
  ASSERT_TRUE(Accepts(at("2024-03-19T10:15:00.123456789-05:00")));  // beyond µs: truncated
  EXPECT_EQ(event_.occurred_at, utc(2024, 3, 19, 15, 15, 0, 123'456));
  ASSERT_TRUE(Accepts(at("2024-03-19T10:15:00.5Z")));
  EXPECT_EQ(event_.occurred_at, utc(2024, 3, 19, 10, 15, 0, 500'000));
  // 2024-03-01T02:00:00Z is still February 29 in Bogota.
  ASSERT_TRUE(Accepts(at("2024-03-01T02:00:00Z")));
  EXPECT_EQ(event_.occurred_at, utc(2024, 3, 1, 2, 0, 0));
  EXPECT_EQ(local_month(event_.occurred_at), YearMonth::of(2024, 2));
}

TEST_F(ContractTest, InvalidTimestamp) {
  const RejectReason r = RejectReason::kInvalidTimestamp;
  EXPECT_TRUE(Rejects(at("2024-03-19T10:15:00.25"), r,
                      "occurred_at: missing offset: RFC 3339 needs Z or \u00b1hh:mm"));
  EXPECT_TRUE(Rejects(at("2024-03-19T10:15:00"), r,
                      "occurred_at: missing offset: RFC 3339 needs Z or \u00b1hh:mm"));
  EXPECT_TRUE(Rejects(at("2023-02-29T10:00:00Z"), r, "occurred_at: not a real calendar date"));
  EXPECT_TRUE(Rejects(at("2024-03-19T24:00:00Z"), r, "occurred_at: not a real time of day"));
  EXPECT_TRUE(Rejects(at("2024-12-31T23:59:60Z"), r, "occurred_at: not a real time of day"));
  EXPECT_TRUE(Rejects(at("2024-03-19"), r, "occurred_at: expected YYYY-MM-DDThh:mm:ss"));
  EXPECT_TRUE(Rejects(at("2024-03-19T10:15:00+5:00"), r, "occurred_at: offset must be"));
  EXPECT_TRUE(Rejects(at(""), r, "occurred_at:"));
  EXPECT_TRUE(
      Rejects(record("window.served", R"("turn_id":"A","office":"N","arrived_at":"yesterday",)"
                                      R"("started_at":"2024-03-19T09:10:00-05:00")"),
              r, "arrived_at: expected"));
  EXPECT_TRUE(
      Rejects(record("visit.completed", R"("visit_id":"V","started_at":"2024-03-19 10:00")"), r,
              "started_at:"));
}

TEST_F(ContractTest, TimestampOutOfRange) {
  const RejectReason r = RejectReason::kTimestampOutOfRange;
  EXPECT_TRUE(Rejects(at("1983-12-31T23:59:59-05:00"), r,
                      "occurred_at: local date 1983-12-31 is outside 1984-01-01..2200-12-31"));
  EXPECT_TRUE(Rejects(at("2201-01-01T00:00:00-05:00"), r, "local date 2201-01-01 is outside"));
  // The local (Bogota) date decides, not the UTC one.
  EXPECT_TRUE(Rejects(at("1984-01-01T04:59:59Z"), r, "local date 1983-12-31"));
  EXPECT_TRUE(Accepts(at("1984-01-01T05:00:00Z")));
  EXPECT_TRUE(Accepts(at("2200-12-31T23:59:59.999999-05:00")));
  EXPECT_TRUE(Accepts(at("2201-01-01T04:59:59Z")));  // still 2200-12-31 in Bogota
  EXPECT_TRUE(Rejects(at("2201-01-01T05:00:00Z"), r, "local date 2201-01-01"));
  EXPECT_TRUE(Rejects(at("0000-01-01T00:00:00Z"), r, "outside"));
  EXPECT_TRUE(Rejects(record("window.served", R"("turn_id":"A","office":"N",)"
                                              R"("arrived_at":"1983-12-31T09:00:00-05:00",)"
                                              R"("started_at":"2024-03-19T09:10:00-05:00")"),
                      r, "arrived_at: local date 1983-12-31"));
}

TEST_F(ContractTest, TimeOrder) {
  const RejectReason r = RejectReason::kTimeOrder;
  const auto window = [](std::string_view arrived, std::string_view started) {
    return record("window.served", R"("turn_id":"A","office":"N","arrived_at":")" +
                                       std::string(arrived) + R"(","started_at":")" +
                                       std::string(started) + "\"");
  };  // occurred_at is 2024-03-19T10:15:00-05:00
  EXPECT_TRUE(Accepts(window("2024-03-19T10:15:00-05:00", "2024-03-19T10:15:00-05:00")));
  EXPECT_TRUE(Rejects(window("2024-03-19T10:00:00-05:00", "2024-03-19T09:59:59-05:00"), r,
                      "arrived_at: must not be after started_at"));
  EXPECT_TRUE(Rejects(window("2024-03-19T10:00:00-05:00", "2024-03-19T10:15:00.000001-05:00"), r,
                      "started_at: must not be after occurred_at"));
  EXPECT_TRUE(
      Rejects(record("visit.completed", R"("visit_id":"V","started_at":"2024-03-19T15:15:01Z")"), r,
              "started_at: must not be after occurred_at"));
  EXPECT_TRUE(
      Accepts(record("visit.completed", R"("visit_id":"V","started_at":"2024-03-19T15:15:00Z")")));
}

// ---------------------------------------------------------------------------------
// Periods and money.

TEST_F(ContractTest, InvalidPeriod) {
  const RejectReason r = RejectReason::kInvalidPeriod;
  EXPECT_TRUE(Rejects(bill("{}", R"("2024-13")"), r, "period: \"2024-13\" is not YYYY-MM"));
  EXPECT_TRUE(Rejects(bill("{}", R"("2024-3")"), r, "period: \"2024-3\" is not YYYY-MM"));
  EXPECT_TRUE(Rejects(bill("{}", R"("2024-00")"), r, "is not YYYY-MM"));
  EXPECT_TRUE(Rejects(bill("{}", R"("2024-03-01")"), r, "is not YYYY-MM"));
  EXPECT_TRUE(
      Rejects(bill("{}", R"("1983-12")"), r, "period: 1983-12 is outside 1984-01..2200-12"));
  EXPECT_TRUE(Rejects(bill("{}", R"("2201-01")"), r, "period: 2201-01 is outside"));
  EXPECT_TRUE(Accepts(bill("{}", R"("1984-01")")));
  EXPECT_TRUE(Accepts(bill("{}", R"("2200-12")")));
}

TEST_F(ContractTest, AmountsAreExactCents) {
  EXPECT_EQ(ReformCents(R"("0.01")"), 1);
  EXPECT_EQ(ReformCents(R"("12.5")"), 1250);
  EXPECT_EQ(ReformCents("12.50"), 1250);
  EXPECT_EQ(ReformCents(R"("12.500")"), 1250);  // value-based: trailing zeros are fine
  EXPECT_EQ(ReformCents("1e3"), 100'000);
  EXPECT_EQ(ReformCents("1E+3"), 100'000);
  EXPECT_EQ(ReformCents("1.5e1"), 1500);
  EXPECT_EQ(ReformCents("125e-2"), 125);
  EXPECT_EQ(ReformCents("0.1"), 10);  // no binary floating point on the way
  EXPECT_EQ(ReformCents("0.29"), 29);
  EXPECT_EQ(ReformCents("1234567.89"), 123'456'789);
  EXPECT_EQ(ReformCents(R"("007")"), 700);
  EXPECT_EQ(ReformCents("9999999999999.99"), 999'999'999'999'999);
  EXPECT_EQ(ReformCents(R"("9999999999999.99")"), 999'999'999'999'999);
  EXPECT_EQ(ReformCents("99999999999.9999e2"), 999'999'999'999'999);
  EXPECT_EQ(ReformCents("1844674407370950000000000e-12"), 184'467'440'737'095);  // > uint64
  ASSERT_FALSE(decoder_.decode_json(reform("18446744073709551616e-7"), &event_, &why_));
  EXPECT_EQ(why_.reason, RejectReason::kTooManyDecimals);
  // Zero is a valid amount for a bill line, in every spelling.
  for (const char* zero : {R"("0")", "0", "-0", "0.0", "-0.000e5", "0e999999", R"("0.00")"}) {
    ASSERT_TRUE(Accepts(bill(std::string(R"({"acueducto":)") + zero + "}"))) << zero;
    EXPECT_EQ(event_.amounts[0], Cents{0}) << zero;
  }
}

TEST_F(ContractTest, InvalidAmount) {
  const RejectReason r = RejectReason::kInvalidAmount;
  EXPECT_TRUE(Rejects(reform(R"("1e3")"), r, "amount: a decimal string must be digits"));
  EXPECT_TRUE(Rejects(reform(R"("-")"), r, "no sign, exponent or spaces"));
  EXPECT_TRUE(Rejects(reform(R"("--1")"), r, "no sign, exponent or spaces"));
  EXPECT_TRUE(Rejects(reform(R"("+1")"), r, "amount: a decimal string"));
  EXPECT_TRUE(Rejects(reform(R"(" 12")"), r, "amount:"));
  EXPECT_TRUE(Rejects(reform(R"("12 ")"), r, "amount:"));
  EXPECT_TRUE(Rejects(reform(R"("12.")"), r, "amount:"));
  EXPECT_TRUE(Rejects(reform(R"(".5")"), r, "amount:"));
  EXPECT_TRUE(Rejects(reform(R"("1,5")"), r, "amount:"));
  EXPECT_TRUE(Rejects(reform(R"("")"), r, "amount:"));
  EXPECT_TRUE(Rejects(reform(R"("NaN")"), r, "amount:"));
  EXPECT_TRUE(
      Rejects(bill(R"({"alcantarillado":"$100"})"), r, "amounts.alcantarillado: a decimal"));
}

TEST_F(ContractTest, NegativeAmount) {
  const RejectReason r = RejectReason::kNegativeAmount;
  EXPECT_TRUE(Rejects(reform("-1"), r, "amount: must not be negative"));
  EXPECT_TRUE(Rejects(reform("-0.01"), r, "amount: must not be negative"));
  // A negative decimal string says what is wrong, not only that it is not a decimal.
  EXPECT_TRUE(Rejects(reform(R"("-1")"), r, "amount: must not be negative"));
  EXPECT_TRUE(
      Rejects(bill(R"({"acueducto":"-27067.25"})"), r, "amounts.acueducto: must not be negative"));
  EXPECT_TRUE(Rejects(bill(R"({"acueducto":-5})"), r, "amounts.acueducto: must not be negative"));
  EXPECT_TRUE(Rejects(reform("-1e400"), r, "must not be negative"));
}

TEST_F(ContractTest, AmountNotPositive) {
  const RejectReason r = RejectReason::kAmountNotPositive;
  EXPECT_TRUE(Rejects(reform("0"), r, "amount: must be greater than 0 for bill.reformed"));
  EXPECT_TRUE(Rejects(reform(R"("0.00")"), r, "amount: must be greater than 0"));
  EXPECT_TRUE(Rejects(reform("-0"), r, "amount: must be greater than 0"));
}

TEST_F(ContractTest, TooManyDecimals) {
  const RejectReason r = RejectReason::kTooManyDecimals;
  EXPECT_TRUE(Rejects(reform("0.125"), r, "amount: has more than 2 decimal places"));
  EXPECT_TRUE(Rejects(reform(R"("12.345")"), r, "amount: has more than 2 decimal places"));
  EXPECT_TRUE(Rejects(reform("1.5e-3"), r, "more than 2 decimal places"));
  EXPECT_TRUE(Rejects(reform("1e-400"), r, "more than 2 decimal places"));
  EXPECT_TRUE(Rejects(bill(R"({"acueducto":"0.001"})"), r, "amounts.acueducto: has more than 2"));
}

TEST_F(ContractTest, AmountOutOfRange) {
  const RejectReason r = RejectReason::kAmountOutOfRange;
  EXPECT_TRUE(Rejects(reform("10000000000000"), r, "amount: must be below 10^13 pesos"));
  EXPECT_TRUE(Rejects(reform(R"("10000000000000.00")"), r, "must be below 10^13 pesos"));
  EXPECT_TRUE(Rejects(reform("1e13"), r, "must be below 10^13 pesos"));
  EXPECT_TRUE(Rejects(reform("1e400"), r, "must be below 10^13 pesos"));
  EXPECT_TRUE(Rejects(reform("1e2147483647"), r, "must be below 10^13 pesos"));
  const std::string digits400 = "1" + std::string(399, '7');
  EXPECT_TRUE(Rejects(reform(digits400), r, "must be below 10^13 pesos"));
  EXPECT_TRUE(Rejects(reform('"' + digits400 + '"'), r, "must be below 10^13 pesos"));
  EXPECT_TRUE(Rejects(reform(digits400 + ".00e-2"), r, "must be below 10^13 pesos"));
  // Too precise and too large at once: decimals are checked first.
  EXPECT_TRUE(Rejects(reform(digits400 + ".5e-380"), RejectReason::kTooManyDecimals, "decimal"));
  // A huge digit string can still denote a small exact amount.
  EXPECT_EQ(ReformCents("1" + std::string(399, '0') + "e-398"), 1000);
  EXPECT_TRUE(
      Rejects(bill(R"({"alcantarillado":1e15})"), r, "amounts.alcantarillado: must be below"));
}

TEST(ParseAmount, ReadsLiteralsExactly) {
  Cents c = -1;
  Rejection why;
  EXPECT_TRUE(parse_amount("1234.5", true, &c, &why, "x"));
  EXPECT_EQ(c, 123'450);
  EXPECT_TRUE(parse_amount("1234.5", false, &c, &why, "x"));
  EXPECT_EQ(c, 123'450);
  EXPECT_TRUE(parse_amount("-0", true, &c, &why, "x"));
  EXPECT_EQ(c, 0);
  // Whole pesos and one or two decimals (the fast paths) at every boundary of them, from
  // numbers and strings alike.
  const std::vector<std::pair<std::string_view, Cents>> accepted = {
      {"7", 700},
      {"72179", 7'217'900},
      {"9999999999999", 999'999'999'999'900},
      {"0", 0},
      {"24383.00", 2'438'300},
      {"46482.59", 4'648'259},
      {"1.05", 105},
      {"7.5", 750},
      {"9999999999999.99", 999'999'999'999'999},
      {"80742.000", 8'074'200},
      {"0.07", 7},
  };
  const std::vector<std::pair<std::string_view, RejectReason>> rejected = {
      {"10000000000000", RejectReason::kAmountOutOfRange},
      {"10000000000000.00", RejectReason::kAmountOutOfRange},
      {"80742.008", RejectReason::kTooManyDecimals},
      {"1.", RejectReason::kInvalidAmount},
      {"1.x", RejectReason::kInvalidAmount},
      {"1.2x", RejectReason::kInvalidAmount},
      {"1.-5", RejectReason::kInvalidAmount},
      {"12.3.4", RejectReason::kInvalidAmount},
      {"1.5 ", RejectReason::kInvalidAmount},
      {"1..5", RejectReason::kInvalidAmount},
  };
  for (const bool number : {true, false}) {
    for (const auto& [text, cents] : accepted) {
      c = -1;
      EXPECT_TRUE(parse_amount(text, number, &c, &why, "x")) << text;
      EXPECT_EQ(c, cents) << text;
    }
    for (const auto& [text, reason] : rejected) {
      EXPECT_FALSE(parse_amount(text, number, &c, &why, "x")) << text;
      EXPECT_EQ(why.reason, reason) << text;
    }
  }
  // JSON grammar is enforced even for text that did not come from the parser.
  for (const char* bad :
       {"", "-", "01", "1.", ".1", "1e", "1e+", "+1", "1 ", "0x10", "1.2.3", "--1"}) {
    EXPECT_FALSE(parse_amount(bad, true, &c, &why, "x")) << bad;
    EXPECT_EQ(why.reason, RejectReason::kInvalidAmount) << bad;
    EXPECT_EQ(why.detail, "x: not a valid JSON number") << bad;
  }
  EXPECT_FALSE(parse_amount("1e3", false, &c, &why, "y"));
  EXPECT_EQ(why.reason, RejectReason::kInvalidAmount);
  EXPECT_FALSE(parse_amount("-1", false, &c, &why, "y"));
  EXPECT_EQ(why.reason, RejectReason::kNegativeAmount);
  const std::string huge_exponent = "1e" + std::string(5000, '9');
  EXPECT_FALSE(parse_amount(huge_exponent, true, &c, &why, "x"));
  EXPECT_EQ(why.reason, RejectReason::kAmountOutOfRange);
  EXPECT_FALSE(parse_amount("1e-" + std::string(5000, '9'), true, &c, &why, "x"));
  EXPECT_EQ(why.reason, RejectReason::kTooManyDecimals);
  EXPECT_TRUE(parse_amount("0e" + std::string(5000, '9'), true, &c, &why, "x"));
  EXPECT_EQ(c, 0);
}

// ---------------------------------------------------------------------------------
// Reason codes.

TEST(ReasonCode, EveryReasonHasItsStableCode) {
  const std::array<std::pair<RejectReason, std::string_view>, kRejectReasonCount> expected = {{
      {RejectReason::kRecordTooLarge, "record_too_large"},
      {RejectReason::kInvalidJson, "invalid_json"},
      {RejectReason::kInvalidUtf8, "invalid_utf8"},
      {RejectReason::kNestingTooDeep, "nesting_too_deep"},
      {RejectReason::kNotAnObject, "not_an_object"},
      {RejectReason::kDuplicateField, "duplicate_field"},
      {RejectReason::kMissingField, "missing_field"},
      {RejectReason::kWrongType, "wrong_type"},
      {RejectReason::kInvalidValue, "invalid_value"},
      {RejectReason::kUnknownType, "unknown_type"},
      {RejectReason::kInvalidEnum, "invalid_enum"},
      {RejectReason::kInvalidTimestamp, "invalid_timestamp"},
      {RejectReason::kTimestampOutOfRange, "timestamp_out_of_range"},
      {RejectReason::kInvalidPeriod, "invalid_period"},
      {RejectReason::kInvalidAmount, "invalid_amount"},
      {RejectReason::kNegativeAmount, "negative_amount"},
      {RejectReason::kAmountNotPositive, "amount_not_positive"},
      {RejectReason::kTooManyDecimals, "too_many_decimals"},
      {RejectReason::kAmountOutOfRange, "amount_out_of_range"},
      {RejectReason::kTimeOrder, "time_order"},
      {RejectReason::kInvalidProtobuf, "invalid_protobuf"},
  }};
  std::set<std::string_view> seen;
  for (const auto& [reason, code] : expected) {
    EXPECT_EQ(reason_code(reason), code);
    seen.insert(reason_code(reason));
  }
  EXPECT_EQ(seen.size(), kRejectReasonCount);
}

// ---------------------------------------------------------------------------------
// Protobuf.

TEST_F(ContractTest, ProtobufRoundTripIsLossless) {
  for (const Example& ex : examples()) {
    std::string bytes;
    serialize_event(ex.expected, &bytes);
    Event back;
    ASSERT_TRUE(decoder_.decode_protobuf(bytes, &back, &why_))
        << reason_code(why_.reason) << ": " << why_.detail;
    EXPECT_EQ(back, ex.expected);
    pqrflow::v1::Event m;
    to_proto(ex.expected, &m);
    Event direct;
    ASSERT_TRUE(from_proto(m, &direct));
    EXPECT_EQ(direct, ex.expected);
    EXPECT_TRUE(validate(ex.expected, &why_)) << why_.detail;
  }
  // serialize_event replaces what *out held.
  std::string bytes = "stale";
  serialize_event(examples()[0].expected, &bytes);
  pqrflow::v1::Event m;
  ASSERT_TRUE(m.ParseFromString(bytes));
  EXPECT_EQ(m.event_id(), "e-1");
}

// Tripwire: to_proto and decode_protobuf's in-place reuse set or clear the top-level
// fields one by one (event_id, occurred_at_us, source) plus the eight bodies. A field
// added to pqrflow.v1.Event must be handled there too.
TEST_F(ContractTest, TheCodecKnowsEveryTopLevelEventField) {
  EXPECT_EQ(pqrflow::v1::Event::descriptor()->field_count(), 3 + 8)
      << "pqrflow.v1.Event changed: update to_proto() and clear_keeping_body()";
}

// to_proto keeps a reused message's body when the type repeats (ingest reuses one per
// thread): whatever the message held before, it gives what a fresh message gets.
TEST_F(ContractTest, ToProtoIntoAReusedMessageEqualsAFreshOne) {
  pqrflow::v1::Event reused;
  std::size_t checked = 0;
  for (const Example& before : examples()) {
    for (const Example& ex : examples()) {
      for (const bool unknown_fields : {false, true}) {
        to_proto(before.expected, &reused);
        if (unknown_fields) {  // as if parsed from a newer producer's bytes
          reused.GetReflection()->MutableUnknownFields(&reused)->AddVarint(99, 1);
        }
        to_proto(ex.expected, &reused);
        pqrflow::v1::Event fresh;
        to_proto(ex.expected, &fresh);
        ASSERT_EQ(reused.SerializeAsString(), fresh.SerializeAsString())
            << before.json << "\nthen\n"
            << ex.json;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 64u);
}

pqrflow::v1::Event proto_of(std::size_t example) {
  pqrflow::v1::Event m;
  to_proto(examples()[example].expected, &m);
  return m;
}

TEST_F(ContractTest, ProtobufRejections) {
  EXPECT_TRUE(decoder_.decode_protobuf("", &event_, &why_) == false &&
              Matches(RejectReason::kInvalidProtobuf, "has no body", "empty"));
  EXPECT_FALSE(decoder_.decode_protobuf("\xff\xff\xff\xff garbage", &event_, &why_));
  EXPECT_TRUE(Matches(RejectReason::kInvalidProtobuf, "not a valid pqrflow.v1.Event", "garbage"));

  pqrflow::v1::Event m = proto_of(0);
  m.clear_pqr_filed();
  EXPECT_TRUE(
      RejectsProto(m, RejectReason::kInvalidProtobuf, "record: the pqrflow.v1.Event has no body"));

  m = proto_of(0);
  m.mutable_pqr_filed()->set_kind(pqrflow::v1::PQR_KIND_UNSPECIFIED);
  EXPECT_TRUE(RejectsProto(m, RejectReason::kMissingField, "kind: required for pqr.filed"));
  m.mutable_pqr_filed()->set_kind(static_cast<pqrflow::v1::PqrKind>(257));  // would wrap to 1
  EXPECT_TRUE(
      RejectsProto(m, RejectReason::kInvalidEnum, "kind: enum value is not one of peticion"));
  m = proto_of(0);
  m.mutable_pqr_filed()->set_service(static_cast<pqrflow::v1::Service>(3));
  EXPECT_TRUE(RejectsProto(m, RejectReason::kInvalidEnum, "service: enum value is not one of"));
  m = proto_of(1);
  m.mutable_pqr_answered()->set_outcome(pqrflow::v1::OUTCOME_UNSPECIFIED);
  EXPECT_TRUE(RejectsProto(m, RejectReason::kMissingField, "outcome: required for pqr.answered"));

  m = proto_of(0);
  m.set_event_id("");
  EXPECT_TRUE(RejectsProto(m, RejectReason::kInvalidValue, "event_id: must not be empty"));
  m.set_event_id(std::string(129, 'e'));
  EXPECT_TRUE(RejectsProto(m, RejectReason::kInvalidValue, "event_id: has 129 characters"));
  m = proto_of(2);
  m.mutable_pqr_misfiled()->clear_ticket_id();
  EXPECT_TRUE(RejectsProto(m, RejectReason::kInvalidValue, "ticket_id: must not be empty"));

  m = proto_of(0);
  m.set_occurred_at_us(INT64_MIN);  // no overflow on the way to a local date
  EXPECT_TRUE(RejectsProto(m, RejectReason::kTimestampOutOfRange,
                           "occurred_at: -9223372036854775808 \u00b5s since the epoch is outside"));
  m.set_occurred_at_us(INT64_MAX);
  EXPECT_TRUE(RejectsProto(m, RejectReason::kTimestampOutOfRange, "occurred_at:"));
  m.set_occurred_at_us(0);
  EXPECT_TRUE(RejectsProto(m, RejectReason::kTimestampOutOfRange, "local date 1969-12-31"));

  m = proto_of(3);
  m.mutable_window_served()->clear_started_at_us();
  EXPECT_TRUE(RejectsProto(m, RejectReason::kTimestampOutOfRange, "started_at:"));
  m = proto_of(3);
  m.mutable_window_served()->set_started_at_us(m.occurred_at_us() + 1);
  EXPECT_TRUE(
      RejectsProto(m, RejectReason::kTimeOrder, "started_at: must not be after occurred_at"));
  m = proto_of(5);
  m.mutable_visit_completed()->set_started_at_us(m.occurred_at_us() + 1);
  EXPECT_TRUE(
      RejectsProto(m, RejectReason::kTimeOrder, "started_at: must not be after occurred_at"));

  m = proto_of(6);
  m.mutable_bill_issued()->set_period_month(13);
  EXPECT_TRUE(RejectsProto(m, RejectReason::kInvalidPeriod, "period: not a valid year and month"));
  m.mutable_bill_issued()->set_period_month(12);
  m.mutable_bill_issued()->set_period_year(INT32_MAX);
  EXPECT_TRUE(RejectsProto(m, RejectReason::kInvalidPeriod, "period:"));
  m.mutable_bill_issued()->set_period_year(2201);
  EXPECT_TRUE(RejectsProto(m, RejectReason::kInvalidPeriod, "period: 2201-12 is outside"));
  m = proto_of(6);
  m.mutable_bill_issued()->mutable_lines(0)->set_amount_cents(-1);
  EXPECT_TRUE(
      RejectsProto(m, RejectReason::kNegativeAmount, "amounts.acueducto: must not be negative"));
  m.mutable_bill_issued()->mutable_lines(0)->set_amount_cents(kMaxCents);
  EXPECT_TRUE(RejectsProto(m, RejectReason::kAmountOutOfRange, "amounts.acueducto: must be below"));
  m = proto_of(6);
  m.mutable_bill_issued()->mutable_lines(1)->set_service(pqrflow::v1::SERVICE_ACUEDUCTO);
  EXPECT_TRUE(RejectsProto(m, RejectReason::kDuplicateField, "amounts.acueducto: more than one"));
  m.mutable_bill_issued()->mutable_lines(1)->set_service(pqrflow::v1::SERVICE_UNSPECIFIED);
  EXPECT_TRUE(RejectsProto(m, RejectReason::kInvalidEnum, "amounts: bill line service 0"));

  m = proto_of(7);
  m.mutable_bill_reformed()->set_amount_cents(0);
  EXPECT_TRUE(RejectsProto(m, RejectReason::kAmountNotPositive, "amount: must be greater than 0"));
  m.mutable_bill_reformed()->set_amount_cents(-100);
  EXPECT_TRUE(RejectsProto(m, RejectReason::kNegativeAmount, "amount: must not be negative"));
  m = proto_of(7);
  m.mutable_bill_reformed()->set_service(pqrflow::v1::SERVICE_UNSPECIFIED);
  EXPECT_TRUE(RejectsProto(m, RejectReason::kMissingField, "service: required for bill.reformed"));
}

TEST(Validate, RejectsAnEventTypeOutsideTheEight) {
  Event e = examples()[2].expected;
  e.type = static_cast<EventType>(8);
  Rejection why;
  EXPECT_FALSE(validate(e, &why));
  EXPECT_EQ(why.reason, RejectReason::kUnknownType);
  EXPECT_EQ(why.detail, "type: value 8 is not one of the eight event types");
}

}  // namespace
}  // namespace pqrflow::core
