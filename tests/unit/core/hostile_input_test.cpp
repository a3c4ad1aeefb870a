// Hostile input for the raw contract decoder: oversized records, deep nesting, invalid
// UTF-8, NUL bytes, huge numbers and strings, wrong types for every field of every event
// type, absurd dates. Each is rejected with its specific reason (never just "not ok"),
// 1 MiB hostile records decode in bounded time (the test's CTest timeout, no timed
// assertion), and a reused Decoder's memory does not grow across 10k hostile records.
#include <gtest/gtest.h>
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "core/contract.hpp"
#include "core/event.hpp"
#include "core/event_codec.hpp"
#include "google/protobuf/stubs/logging.h"
#include "pqrflow/v1/events.pb.h"

// ---------------------------------------------------------------------------------
// Live heap bytes of this process, counted by replacing the global operator new and
// delete (malloc_usable_size is exact and works under ASan too). Deterministic, unlike
// RSS or mallinfo2(): the same inputs decoded twice allocate exactly the same way.

namespace {
std::atomic<std::int64_t> g_live_bytes{0};

void* counted_new(std::size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  g_live_bytes.fetch_add(static_cast<std::int64_t>(malloc_usable_size(p)),
                         std::memory_order_relaxed);
  return p;
}

void counted_delete(void* p) noexcept {
  if (p == nullptr) return;
  g_live_bytes.fetch_sub(static_cast<std::int64_t>(malloc_usable_size(p)),
                         std::memory_order_relaxed);
  std::free(p);
}
}  // namespace

void* operator new(std::size_t n) {
  return counted_new(n);
}
void* operator new[](std::size_t n) {
  return counted_new(n);
}
void operator delete(void* p) noexcept {
  counted_delete(p);
}
void operator delete[](void* p) noexcept {
  counted_delete(p);
}
void operator delete(void* p, std::size_t) noexcept {
  counted_delete(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  counted_delete(p);
}

namespace pqrflow::core {
namespace {

using namespace std::string_literals;
using R = RejectReason;

// The outcome of decoding one record: nullopt = accepted.
struct Outcome {
  std::optional<RejectReason> reason;
  std::string detail;
};

Outcome decode(Decoder& d, std::string_view json) {
  Event e;
  Rejection why;
  if (d.decode_json(json, &e, &why)) return {};
  return {why.reason, why.detail};
}

std::string code_of(const std::optional<RejectReason>& r) {
  return r ? std::string(reason_code(*r)) : "accepted";
}

// Expects `json` to give `expected` (nullopt = accepted) and, when rejected, a detail
// starting with `field` + ":".
::testing::AssertionResult Gives(Decoder& d, std::string_view json,
                                 std::optional<RejectReason> expected,
                                 std::string_view field = {}) {
  const Outcome got = decode(d, json);
  const std::string shown = json.size() > 300 ? std::string(json.substr(0, 300)) + "… (" +
                                                    std::to_string(json.size()) + " bytes)"
                                              : std::string(json);
  if (got.reason != expected) {
    return ::testing::AssertionFailure() << "got " << code_of(got.reason) << " (" << got.detail
                                         << "), want " << code_of(expected) << " for: " << shown;
  }
  if (expected && !field.empty() && got.detail.rfind(std::string(field) + ":", 0) != 0) {
    return ::testing::AssertionFailure()
           << "detail \"" << got.detail << "\" does not start with " << field << ": for " << shown;
  }
  return ::testing::AssertionSuccess();
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

std::string misfiled(std::string_view extra = {}) {
  std::string body = R"("ticket_id":"T-1")";
  if (!extra.empty()) body += "," + std::string(extra);
  return record("pqr.misfiled", body);
}

std::string reform(std::string_view amount) {
  return record("bill.reformed",
                R"("bill_id":"B-1","subscriber_id":"S-1","service":"acueducto","amount":)" +
                    std::string(amount));
}

std::string bill(std::string_view amounts, std::string_view period = R"("2024-03")") {
  return record("bill.issued", R"("bill_id":"B-1","subscriber_id":"S-1","period":)" +
                                   std::string(period) + R"(,"amounts":)" + std::string(amounts));
}

class HostileInput : public ::testing::Test {
 protected:
  Decoder d_;
};

// ---------------------------------------------------------------------------------
// Size

TEST_F(HostileInput, OversizedRecordsAreRejectedBeforeParsing) {
  const std::size_t limit = DecoderLimits{}.max_record_bytes;
  // A valid record padded with whitespace to exactly the limit passes; one byte more
  // does not, whatever the bytes are.
  std::string at_limit = misfiled();
  at_limit.append(limit - at_limit.size(), ' ');
  ASSERT_EQ(at_limit.size(), limit);
  EXPECT_TRUE(Gives(d_, at_limit, std::nullopt));
  EXPECT_TRUE(Gives(d_, at_limit + " ", R::kRecordTooLarge, "record"));
  EXPECT_TRUE(Gives(d_, std::string(limit + 1, '\xff'), R::kRecordTooLarge, "record"));
  EXPECT_TRUE(Gives(d_, std::string(4 * limit, '['), R::kRecordTooLarge, "record"));
  const Outcome o = decode(d_, std::string(2 * limit, ' '));
  EXPECT_EQ(o.detail, "record: 2097152 bytes exceed the limit of 1048576 bytes");

  // ingest's --max-record-bytes: the same rule at a smaller limit, for both formats.
  Decoder small(DecoderLimits{.max_record_bytes = 64 * 1024});
  EXPECT_TRUE(Gives(small, misfiled(R"("reason":")" + std::string(100'000, 'r') + "\""),
                    R::kRecordTooLarge, "record"));
  Event e;
  Rejection why;
  EXPECT_FALSE(small.decode_protobuf(std::string(64 * 1024 + 1, '\x0a'), &e, &why));
  EXPECT_EQ(why.reason, R::kRecordTooLarge);
}

// ---------------------------------------------------------------------------------
// Nesting

TEST_F(HostileInput, DeepNestingIsCutAtTheDepthLimit) {
  const std::string open(100'000, '[');
  EXPECT_TRUE(Gives(d_, open, R::kNestingTooDeep, "record"));
  EXPECT_TRUE(Gives(d_, open + std::string(100'000, ']'), R::kNestingTooDeep, "record"));
  EXPECT_TRUE(Gives(d_, misfiled(R"("x":)" + open), R::kNestingTooDeep, "record"));
  std::string objects;
  for (int i = 0; i < 100'000; ++i) objects += R"({"a":)";
  EXPECT_TRUE(Gives(d_, objects, R::kNestingTooDeep, "record"));
  EXPECT_TRUE(Gives(d_, bill(R"({"acueducto":)" + open), R::kNestingTooDeep, "record"));
  // 100000 '{' is not even a key: malformed before it is deep.
  EXPECT_TRUE(Gives(d_, std::string(100'000, '{'), R::kInvalidJson, "record"));
}

// ---------------------------------------------------------------------------------
// UTF-8

TEST_F(HostileInput, InvalidUtf8InKeysAndValuesIsInvalidUtf8AtItsOffset) {
  const std::vector<std::pair<std::string, std::string>> sequences = {
      {"overlong 2-byte '/'", "\xc0\xaf"},
      {"overlong 2-byte U+007F", "\xc1\xbf"},
      {"overlong 3-byte '/'", "\xe0\x80\xaf"},
      {"overlong 4-byte '/'", "\xf0\x80\x80\xaf"},
      {"surrogate U+D800 in UTF-8", "\xed\xa0\x80"},
      {"surrogate U+DFFF in UTF-8", "\xed\xbf\xbf"},
      {"CESU-8 surrogate pair", "\xed\xa0\xbd\xed\xb2\xa7"},
      {"truncated 2-byte", "\xc3"},
      {"truncated 3-byte", "\xe2\x82"},
      {"truncated 4-byte", "\xf0\x9f\x92"},
      {"lone continuation 0x80", "\x80"},
      {"lone continuation 0xBF", "\xbf"},
      {"0xFF", "\xff"},
      {"0xFE", "\xfe"},
      {"above U+10FFFF", "\xf4\x90\x80\x80"},
      {"0xF5 lead", "\xf5\x80\x80\x80"},
      {"5-byte form", "\xf8\x88\x80\x80\x80"},
  };
  // Where the bytes go: "@" is replaced by the sequence.
  const std::vector<std::pair<std::string, std::string>> places = {
      {"known field value", misfiled().insert(misfiled().find("T-1") + 1, "@")},
      {"event_id", record("pqr.misfiled", R"("ticket_id":"T-1")").replace(14, 0, "@")},
      {"unknown key", misfiled(R"("x@y":1)")},
      {"unknown value", misfiled(R"("x":"@")")},
      {"nested key", misfiled(R"("x":{"@":[1]})")},
      {"amounts key", bill(R"({"@":1})")},
      {"enum value", record("pqr.filed", R"("ticket_id":"T","kind":"queja@","channel":"web")")},
      {"timestamp", record("pqr.misfiled", R"("ticket_id":"T")", "2024-03-19T10:15:00@Z")},
      {"after the object", misfiled() + "@"},
  };
  for (const auto& [what, bytes] : sequences) {
    for (const auto& [where, tmpl] : places) {
      std::string json = tmpl;
      const std::size_t at = json.find('@');
      ASSERT_NE(at, std::string::npos) << where;
      json.replace(at, 1, bytes);
      const Outcome o = decode(d_, json);
      EXPECT_EQ(o.reason, R::kInvalidUtf8) << what << " in " << where << ": " << o.detail;
      EXPECT_EQ(o.detail,
                "record: byte " + std::to_string(at) + " is not part of a valid UTF-8 sequence")
          << what << " in " << where;
    }
  }
  // A record that is also broken JSON still says invalid_utf8: the bytes are not text.
  EXPECT_TRUE(Gives(d_, "{\"a\":,\xff}", R::kInvalidUtf8, "record"));
}

// ---------------------------------------------------------------------------------
// NUL

TEST_F(HostileInput, RawNulBytesAreInvalidJsonEverywhere) {
  const std::string nul(1, '\0');
  for (const std::string& json :
       {nul, nul + misfiled(), misfiled() + nul, misfiled().insert(misfiled().find("T-1"), nul),
        misfiled().insert(2, nul), misfiled().insert(1, nul), misfiled(R"("x":)" + nul + "1"),
        std::string(1000, '\0')}) {
    EXPECT_TRUE(Gives(d_, json, R::kInvalidJson, "record")) << json.size();
  }
}

TEST_F(HostileInput, EscapedNulIsDataSoEachFieldRuleJudgesIt) {
  // \u0000 is valid JSON and U+0000 valid UTF-8 (see contract_test): free text and ids
  // carry it; closed vocabularies, timestamps and amounts reject it by their own rule.
  Event e;
  Rejection why;
  ASSERT_TRUE(d_.decode_json(
      R"({"event_id":"e\u0000","type":"pqr.misfiled","occurred_at":"2024-03-19T10:15:00Z",)"
      R"("ticket_id":"T\u0000","reason":"\u0000"})",
      &e, &why))
      << why.detail;
  EXPECT_EQ(e.event_id, "e\0"s);
  EXPECT_EQ(e.ticket_id, "T\0"s);
  EXPECT_EQ(e.reason, "\0"s);
  EXPECT_TRUE(
      Gives(d_, record("pqr.misfiled\\u0000", R"("ticket_id":"T")"), R::kUnknownType, "type"));
  // The detail quotes the value with the NUL escaped: details never hold raw control bytes.
  EXPECT_EQ(decode(d_, record("pqr.misfiled\\u0000", R"("ticket_id":"T")")).detail,
            R"(type: "pqr.misfiled\u0000" is not one of the eight event types)");
  EXPECT_TRUE(Gives(d_,
                    record("pqr.filed", R"("ticket_id":"T","kind":"queja\u0000",)"
                                        R"("channel":"web")"),
                    R::kInvalidEnum, "kind"));
  EXPECT_TRUE(Gives(d_, record("pqr.misfiled", R"("ticket_id":"T")", "2024-03-19T10:15:00Z\\u0000"),
                    R::kInvalidTimestamp, "occurred_at"));
  EXPECT_TRUE(Gives(d_, reform(R"("1\u0000")"), R::kInvalidAmount, "amount"));
  EXPECT_TRUE(Gives(d_, bill("{}", R"("2024-03\u0000")"), R::kInvalidPeriod, "period"));
  EXPECT_TRUE(Gives(d_, bill(R"({"acueducto\u0000":1})"), R::kInvalidEnum, "amounts"));
  // A key with a NUL is another key: "ticket_id\u0000" does not give ticket_id.
  EXPECT_TRUE(
      Gives(d_, record("pqr.misfiled", R"("ticket_id\u0000":"T")"), R::kMissingField, "ticket_id"));
}

// ---------------------------------------------------------------------------------
// Numbers

TEST_F(HostileInput, HugeNumbersAreJudgedExactly) {
  const std::string digits400 = "1" + std::string(399, '7');
  EXPECT_TRUE(Gives(d_, reform("1e999999999"), R::kAmountOutOfRange, "amount"));
  EXPECT_TRUE(Gives(d_, reform("-1e999999999"), R::kNegativeAmount, "amount"));
  EXPECT_TRUE(Gives(d_, reform("1e-999999999"), R::kTooManyDecimals, "amount"));
  EXPECT_TRUE(Gives(d_, reform("0e999999999"), R::kAmountNotPositive, "amount"));
  EXPECT_TRUE(Gives(d_, reform(digits400), R::kAmountOutOfRange, "amount"));
  EXPECT_TRUE(Gives(d_, reform('"' + digits400 + '"'), R::kAmountOutOfRange, "amount"));
  EXPECT_TRUE(Gives(d_, reform("-" + digits400), R::kNegativeAmount, "amount"));
  EXPECT_TRUE(Gives(d_, reform("0." + std::string(399, '0') + "1"), R::kTooManyDecimals, "amount"));
  // An exponent too large for the JSON parser itself.
  EXPECT_TRUE(Gives(d_, reform("1e99999999999"), R::kInvalidJson, "record"));
  // -0 is zero: fine on a bill line, not as a reform amount (> 0).
  EXPECT_TRUE(Gives(d_, reform("-0"), R::kAmountNotPositive, "amount"));
  EXPECT_TRUE(Gives(d_, reform("-0.0e5"), R::kAmountNotPositive, "amount"));
  Event e;
  Rejection why;
  ASSERT_TRUE(d_.decode_json(bill(R"({"acueducto":-0,"alcantarillado":"0.00"})"), &e, &why))
      << why.detail;
  EXPECT_EQ(e.amounts[0], 0);
  EXPECT_EQ(e.amounts[1], 0);
  // Exactly 10^13 pesos, however written, is out of range; one cent less is not.
  for (const char* at_limit : {"10000000000000", "1e13", "1E+13", "10000000000000.00",
                               "\"10000000000000\"", "\"10000000000000.0\"", "0.1e14"}) {
    EXPECT_TRUE(Gives(d_, reform(at_limit), R::kAmountOutOfRange, "amount")) << at_limit;
    EXPECT_TRUE(Gives(d_, bill(std::string(R"({"alcantarillado":)") + at_limit + "}"),
                      R::kAmountOutOfRange, "amounts.alcantarillado"))
        << at_limit;
  }
  ASSERT_TRUE(d_.decode_json(reform("9999999999999.99"), &e, &why)) << why.detail;
  EXPECT_EQ(e.amount, kMaxCents - 1);
  ASSERT_TRUE(d_.decode_json(reform("\"9999999999999.990000\""), &e, &why)) << why.detail;
  EXPECT_EQ(e.amount, kMaxCents - 1);
  // Huge numbers where a string or a boolean belongs are wrong types; where nothing is
  // expected (unknown fields) they are ignored.
  EXPECT_TRUE(
      Gives(d_, R"({"event_id":1e999999999,"type":"pqr.misfiled"})", R::kWrongType, "event_id"));
  EXPECT_TRUE(Gives(d_,
                    record("pqr.answered", R"("ticket_id":"T","outcome":"accede",)"
                                           R"("internal_error":)" +
                                               digits400),
                    R::kWrongType, "internal_error"));
  EXPECT_TRUE(Gives(d_, misfiled(R"("x":1e999999999,"y":-)" + digits400), std::nullopt));
}

// ---------------------------------------------------------------------------------
// Strings

TEST_F(HostileInput, HugeStringsAreRejectedByTheFieldRuleWithAShortDetail) {
  const std::string big(900 * 1024, 'x');
  const auto with_event_id = [](const std::string& id) {
    return R"({"event_id":")" + id +
           R"(","type":"pqr.misfiled","occurred_at":"2024-03-19T10:15:00Z","ticket_id":"T"})";
  };
  Outcome o = decode(d_, with_event_id(big));
  EXPECT_EQ(o.reason, R::kInvalidValue);
  EXPECT_EQ(o.detail, "event_id: has 921600 characters; at most 128 are allowed");
  // Counted in characters, not bytes: 128 four-byte characters pass, 129 do not.
  std::string drops;
  for (int i = 0; i < 128; ++i) drops += "\xf0\x9f\x92\xa7";
  EXPECT_TRUE(Gives(d_, with_event_id(drops), std::nullopt));
  EXPECT_TRUE(Gives(d_, with_event_id(drops + "\xc3\xa9"), R::kInvalidValue, "event_id"));
  std::string escaped;
  for (int i = 0; i < 100'000; ++i) escaped += R"(\u00e9)";
  EXPECT_TRUE(Gives(d_, with_event_id(escaped), R::kInvalidValue, "event_id"));

  // Values echoed in details are cut to about 40 bytes.
  for (const auto& [json, reason, field] :
       std::vector<std::tuple<std::string, RejectReason, std::string>>{
           {record(big, R"("ticket_id":"T")"), R::kUnknownType, "type"},
           {record("pqr.filed", R"("ticket_id":"T","kind":")" + big + R"(","channel":"web")"),
            R::kInvalidEnum, "kind"},
           {record("pqr.misfiled", R"("ticket_id":"T")", big), R::kInvalidTimestamp, "occurred_at"},
           {bill("{}", '"' + big + '"'), R::kInvalidPeriod, "period"},
           {bill(R"({")" + big + R"(":1})"), R::kInvalidEnum, "amounts"},
           {reform('"' + big + '"'), R::kInvalidAmount, "amount"},
           {reform('"' + std::string(900 * 1024, '9') + '"'), R::kAmountOutOfRange, "amount"},
           {misfiled('"' + big.substr(0, 400'000) + R"(":1,")" + big.substr(0, 400'000) + R"(":2)"),
            R::kDuplicateField, "unknown key"}}) {
    o = decode(d_, json);
    EXPECT_EQ(o.reason, reason) << field << ": " << o.detail.substr(0, 200);
    EXPECT_LT(o.detail.size(), 200u) << field;
  }
  // The contract sets no length on other ids and free text: a 900 KB ticket_id or
  // unknown field is accepted (ingest's --max-record-bytes bounds the whole record).
  Event e;
  Rejection why;
  ASSERT_TRUE(d_.decode_json(record("pqr.misfiled", R"("ticket_id":")" + big + "\""), &e, &why))
      << why.detail;
  EXPECT_EQ(e.ticket_id.size(), big.size());
  EXPECT_TRUE(Gives(d_, misfiled(R"("x":")" + big + "\""), std::nullopt));
}

// ---------------------------------------------------------------------------------
// Wrong types, systematically: for each event type, each of its fields, each JSON kind
// the field does not take.

enum class Kind { kString, kAmount, kObject, kBool, kAmountLine };
struct FieldSpec {
  std::string name;  // top-level field, or "amounts.<service>"
  Kind kind;
  bool required;
  std::string valid;  // a valid JSON value
};

struct TypeSpec {
  std::string type;
  std::vector<FieldSpec> fields;  // besides event_id, type, occurred_at, source
};

std::vector<TypeSpec> every_type() {
  const auto s = [](std::string name, bool required, std::string value) {
    return FieldSpec{std::move(name), Kind::kString, required, '"' + value + '"'};
  };
  const std::string t0 = "2024-03-19T09:00:00-05:00";
  const std::string t1 = "2024-03-19T09:30:00-05:00";
  return {
      {"pqr.filed",
       {s("ticket_id", true, "T-1"), s("kind", true, "reclamo"), s("channel", true, "web"),
        s("subscriber_id", false, "S-1"), s("service", false, "acueducto"),
        s("causal", false, "C-1"), s("office", false, "Centro")}},
      {"pqr.answered",
       {s("ticket_id", true, "T-1"),
        s("outcome", true, "accede"),
        {"internal_error", Kind::kBool, false, "true"}}},
      {"pqr.misfiled", {s("ticket_id", true, "T-1"), s("reason", false, "r")}},
      {"window.served",
       {s("turn_id", true, "A-1"), s("office", true, "Norte"), s("arrived_at", true, t0),
        s("started_at", true, t1)}},
      {"visit.requested", {s("visit_id", true, "V-1"), s("ticket_id", false, "T-1")}},
      {"visit.completed",
       {s("visit_id", true, "V-1"), s("ticket_id", false, "T-1"), s("started_at", false, t0)}},
      {"bill.issued",
       {s("bill_id", true, "B-1"),
        s("subscriber_id", true, "S-1"),
        s("period", true, "2024-03"),
        {"amounts", Kind::kObject, true, ""},
        {"amounts.acueducto", Kind::kAmountLine, false, "100.5"},
        {"amounts.alcantarillado", Kind::kAmountLine, false, "\"20\""}}},
      {"bill.reformed",
       {s("bill_id", true, "B-1"),
        s("subscriber_id", true, "S-1"),
        s("service", true, "alcantarillado"),
        {"amount", Kind::kAmount, true, "15000.75"},
        s("ticket_id", false, "T-1"),
        s("reason", false, "r")}},
  };
}

// The record of `t` with every field valid, except `replaced` whose value is `value`.
std::string build(const TypeSpec& t, const std::string& replaced, const std::string& value) {
  std::vector<FieldSpec> fields = {
      {"event_id", Kind::kString, true, R"("e-1")"},
      {"type", Kind::kString, true, '"' + t.type + '"'},
      {"occurred_at", Kind::kString, true, R"("2024-03-19T10:15:00-05:00")"},
      {"source", Kind::kString, false, R"("sgc")"}};
  fields.insert(fields.end(), t.fields.begin(), t.fields.end());
  std::string out = "{";
  std::string lines;  // amounts members
  bool amounts_replaced = false;
  for (const FieldSpec& f : fields) {
    const std::string& v = f.name == replaced ? value : f.valid;
    if (f.name.rfind("amounts.", 0) == 0) {
      if (!lines.empty()) lines += ',';
      lines += '"' + f.name.substr(8) + "\":" + v;
      continue;
    }
    if (f.name == "amounts") {
      amounts_replaced = f.name == replaced;
      continue;  // written last, once its members are known
    }
    if (out.size() > 1) out += ',';
    out += '"' + f.name + "\":" + v;
  }
  if (t.type == "bill.issued")
    out += R"(,"amounts":)" + (amounts_replaced ? value : "{" + lines + "}");
  return out + "}";
}

TEST_F(HostileInput, WrongTypesForEveryFieldOfEveryEventType) {
  const std::vector<std::pair<std::string, std::string>> values = {
      {"null", "null"},        {"boolean", "true"}, {"number", "42"},
      {"string", R"("text")"}, {"array", "[1]"},    {"object", R"({"a":1})"}};
  int cases = 0;
  for (const TypeSpec& t : every_type()) {
    ASSERT_TRUE(Gives(d_, build(t, "", ""), std::nullopt)) << t.type;
    std::vector<FieldSpec> fields = {{"event_id", Kind::kString, true, ""},
                                     {"type", Kind::kString, true, ""},
                                     {"occurred_at", Kind::kString, true, ""},
                                     {"source", Kind::kString, false, ""}};
    fields.insert(fields.end(), t.fields.begin(), t.fields.end());
    for (const FieldSpec& f : fields) {
      for (const auto& [kind_name, value] : values) {
        std::optional<RejectReason> expected = R::kWrongType;
        if (kind_name == "null") {
          expected = f.required ? std::optional(R::kMissingField) : std::nullopt;
        } else if ((kind_name == "string" && f.kind == Kind::kString) ||
                   (kind_name == "boolean" && f.kind == Kind::kBool) ||
                   (kind_name == "object" && f.kind == Kind::kObject) ||
                   (kind_name == "number" &&
                    (f.kind == Kind::kAmount || f.kind == Kind::kAmountLine))) {
          continue;  // the field's own kind: not a wrong type
        } else if (kind_name == "string" &&
                   (f.kind == Kind::kAmount || f.kind == Kind::kAmountLine)) {
          expected = R::kInvalidAmount;  // amounts may be decimal strings: "text" is not one
        }
        // Without a type string there is no type to name in missing_field.
        EXPECT_TRUE(Gives(d_, build(t, f.name, value), expected, f.name))
            << t.type << "." << f.name << " = " << value;
        ++cases;
      }
    }
    // Fields of other types are not this type's business, whatever they hold.
    for (const TypeSpec& other : every_type()) {
      for (const FieldSpec& f : other.fields) {
        const bool own = std::any_of(t.fields.begin(), t.fields.end(), [&](const FieldSpec& g) {
          return g.name.substr(0, g.name.find('.')) == f.name.substr(0, f.name.find('.'));
        });
        if (own || f.name.find('.') != std::string::npos) continue;
        for (const auto& [kind_name, value] : values) {
          std::string json = build(t, "", "");
          json.insert(1, '"' + f.name + "\":" + value + ",");
          EXPECT_TRUE(Gives(d_, json, std::nullopt))
              << t.type << " with " << f.name << " = " << value;
          ++cases;
        }
      }
    }
  }
  EXPECT_GT(cases, 400);
}

// ---------------------------------------------------------------------------------
// Dates

TEST_F(HostileInput, AbsurdDatesInEveryTimestampField) {
  const std::optional<RejectReason> ok;
  const std::vector<std::pair<std::string, std::optional<RejectReason>>> cases = {
      {"0000-01-01T00:00:00Z", R::kTimestampOutOfRange},
      {"9999-12-31T23:59:59Z", R::kTimestampOutOfRange},
      {"1583-01-01T00:00:00Z", R::kTimestampOutOfRange},
      {"1983-12-31T23:59:59-05:00", R::kTimestampOutOfRange},
      {"1984-01-01T00:00:00-05:00", ok},
      {"2200-12-31T23:59:59.999999-05:00", ok},
      {"2201-01-01T00:00:00-05:00", R::kTimestampOutOfRange},
      {"2201-01-01T04:59:59Z", ok},  // still 2200-12-31 in Bogota
      {"2024-13-01T00:00:00Z", R::kInvalidTimestamp},
      {"2024-00-10T00:00:00Z", R::kInvalidTimestamp},
      {"2024-01-32T00:00:00Z", R::kInvalidTimestamp},
      {"2024-01-00T00:00:00Z", R::kInvalidTimestamp},
      {"2024-04-31T00:00:00Z", R::kInvalidTimestamp},
      {"2023-02-29T12:00:00Z", R::kInvalidTimestamp},
      {"2100-02-29T12:00:00Z", R::kInvalidTimestamp},  // centuries are not leap years…
      {"2000-02-29T12:00:00Z", ok},                    // …unless divisible by 400
      {"2024-02-29T12:00:00Z", ok},
      {"2024-03-19T10:15:00+24:00", R::kInvalidTimestamp},
      {"2024-03-19T10:15:00-24:00", R::kInvalidTimestamp},
      {"2024-03-19T10:15:00+23:60", R::kInvalidTimestamp},
      {"2024-03-19T10:15:00+23:59", ok},
      {"2024-03-19T10:15:00-23:59", ok},
      {"2024-03-19T10:15:00.123456789-05:00", ok},
      {"2024-03-19T10:15:00.1234567890-05:00", R::kInvalidTimestamp},
      {"2024-03-19T10:15:00." + std::string(30, '9') + "-05:00", R::kInvalidTimestamp},
      {"2024-03-19T10:15:00.-05:00", R::kInvalidTimestamp},
      {"2024-03-19T24:00:00Z", R::kInvalidTimestamp},
      {"2024-03-19T23:59:60Z", R::kInvalidTimestamp},
      {"2024-03-19T10:15:00", R::kInvalidTimestamp},
      {"2024-03-19", R::kInvalidTimestamp},
      {"", R::kInvalidTimestamp},
      {"+02024-03-19T10:15:00Z", R::kInvalidTimestamp},
      {"2024-03-19T10:15:00+05", R::kInvalidTimestamp},
      {"2024-03-19t10:15:00z", ok},
  };
  // Each timestamp field, with the others at the ends of the range so that order holds.
  const std::string first = "1984-01-01T00:00:00-05:00";
  const std::string last = "2200-12-31T23:59:59.999999-05:00";
  const std::vector<std::tuple<std::string, std::string, std::function<std::string(std::string)>>>
      fields = {
          {"occurred_at", "pqr.misfiled",
           [](const std::string& ts) { return record("pqr.misfiled", R"("ticket_id":"T")", ts); }},
          {"arrived_at", "window.served",
           [&](const std::string& ts) {
             return record("window.served",
                           R"("turn_id":"A","office":"N","arrived_at":")" + ts +
                               R"(","started_at":")" + last + '"',
                           last);
           }},
          {"started_at", "window.served",
           [&](const std::string& ts) {
             return record("window.served",
                           R"("turn_id":"A","office":"N","arrived_at":")" + first +
                               R"(","started_at":")" + ts + '"',
                           last);
           }},
          {"started_at", "visit.completed",
           [&](const std::string& ts) {
             return record("visit.completed", R"("visit_id":"V","started_at":")" + ts + '"', last);
           }},
      };
  for (const auto& [field, type, make] : fields) {
    for (const auto& [ts, expected] : cases) {
      EXPECT_TRUE(Gives(d_, make(ts), expected, field)) << type << "." << field << " = " << ts;
    }
  }
  // Billing periods.
  for (const auto& [period, expected] :
       std::vector<std::pair<std::string, std::optional<RejectReason>>>{
           {"0000-01", R::kInvalidPeriod},
           {"9999-12", R::kInvalidPeriod},
           {"1983-12", R::kInvalidPeriod},
           {"1984-01", ok},
           {"2200-12", ok},
           {"2201-01", R::kInvalidPeriod},
           {"2024-13", R::kInvalidPeriod},
           {"2024-00", R::kInvalidPeriod},
           {"2024-1", R::kInvalidPeriod},
           {"24-01", R::kInvalidPeriod},
           {"2024-03-01", R::kInvalidPeriod}}) {
    EXPECT_TRUE(Gives(d_, bill("{}", '"' + period + '"'), expected, "period")) << period;
  }
}

// ---------------------------------------------------------------------------------
// Time and memory

// 1 MiB (just under the limit) hostile records, with what each must give. Their decoding
// time is bounded by this test's CTest timeout (no timed assertion: machines differ);
// each duration is recorded as a test property.
std::vector<std::pair<std::string, std::optional<RejectReason>>> one_mib_records() {
  const std::size_t size = DecoderLimits{}.max_record_bytes - 64;
  std::vector<std::pair<std::string, std::optional<RejectReason>>> out;
  out.emplace_back(std::string(size, '['), R::kNestingTooDeep);
  std::string keys = R"({"event_id":"e","type":"pqr.misfiled","ticket_id":"T")";
  for (int i = 0; keys.size() < size; ++i) keys += ",\"k" + std::to_string(i) + "\":0";
  out.emplace_back(keys + R"(,"k0":1})", R::kDuplicateField);
  std::string amounts = R"({"acueducto":1)";
  for (int i = 0; amounts.size() < size - 200; ++i) amounts += ",\"s" + std::to_string(i) + "\":0";
  out.emplace_back(bill(amounts + "}"), R::kInvalidEnum);
  std::string same_key = "{";
  while (same_key.size() < size) same_key += R"("a":0,)";
  out.emplace_back(same_key + R"("a":0})", R::kDuplicateField);
  std::string escapes;
  while (escapes.size() < size - 200) escapes += R"(\u00e9\"\\)";
  out.emplace_back(misfiled(R"("reason":")" + escapes + "\""), std::nullopt);
  out.emplace_back(reform(std::string(size - 200, '7')), R::kAmountOutOfRange);
  // An exponent of a million digits is beyond what the JSON parser reads.
  out.emplace_back(reform("1e" + std::string(size - 200, '9')), R::kInvalidJson);
  out.emplace_back(reform("1." + std::string(size - 200, '0')), std::nullopt);  // one peso
  out.emplace_back(misfiled(R"("x":")" + std::string(size - 200, 'x') + "\"") + "\xff",
                   R::kInvalidUtf8);
  std::string shallow = R"([[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]])";
  std::string many = R"("x":[)" + shallow;
  while (many.size() < size - 200) many += "," + shallow;
  out.emplace_back(misfiled(many + "]"), std::nullopt);
  out.emplace_back(std::string(size, ' ') + "{}", R::kMissingField);
  return out;
}

TEST_F(HostileInput, OneMebibyteHostileRecordsDecodeInBoundedTime) {
  for (const auto& [json, expected] : one_mib_records()) {
    ASSERT_LE(json.size(), DecoderLimits{}.max_record_bytes);
    const auto start = std::chrono::steady_clock::now();
    const Outcome o = decode(d_, json);
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    EXPECT_EQ(o.reason, expected) << o.detail << " for " << json.substr(0, 80);
    RecordProperty(code_of(expected) + "_" + std::to_string(json.size()) + "_us",
                   std::to_string(us));
  }
}

// Every hostile class above in small form, for the memory test.
std::vector<std::string> hostile_battery() {
  std::vector<std::string> out = {
      std::string(2000, '['),
      std::string(100, '{'),
      "{\"a\":\"\xc0\xaf\"}",
      misfiled().insert(20, "\xed\xa0\x80"),
      misfiled() + std::string(1, '\0'),
      record("pqr.misfiled\\u0000", R"("ticket_id":"T")"),
      reform("1e999999999"),
      reform("1" + std::string(399, '7')),
      reform("-0"),
      reform("1e13"),
      record("pqr.misfiled", R"("ticket_id":"T")", "2023-02-29T12:00:00Z"),
      record("pqr.misfiled", R"("ticket_id":"T")", "2024-03-19T10:15:00+24:00"),
      record("pqr.misfiled", R"("ticket_id":"T")", "0000-01-01T00:00:00Z"),
      R"({"event_id":")" + std::string(5000, 'x') + R"(","type":"pqr.misfiled"})",
      record(std::string(5000, 't'), R"("ticket_id":"T")"),
      bill(R"({"gas":1,"gas":2})"),
      misfiled(R"("x":{"a":[1,{"b":"\ud83d\udca7"}]},"y":"\u0041\u0000")"),
      misfiled(R"("k1":1,"k2":2,"k1":3)"),
  };
  for (const TypeSpec& t : every_type()) {
    out.push_back(build(t, "", ""));
    for (const FieldSpec& f : t.fields) out.push_back(build(t, f.name, "[{}]"));
  }
  return out;
}

// Live heap bytes after decoding `inputs` `passes` times in order with one decoder.
// What stays allocated depends on the last input decoded (protobuf frees the previous
// message's body, the Event keeps its strings), so runs are compared after whole passes.
template <typename Decode>
std::int64_t live_after(const std::vector<std::string>& inputs, int passes, Decode decode) {
  for (int p = 0; p < passes; ++p) {
    for (const std::string& input : inputs) decode(input);
  }
  return g_live_bytes.load();
}

TEST_F(HostileInput, DecoderMemoryDoesNotGrowAcrossTenThousandHostileRecords) {
  google::protobuf::LogSilencer quiet;  // invalid UTF-8 in protobuf strings is logged
  const std::vector<std::string> battery = hostile_battery();
  Event e;
  Rejection why;
  const auto json = [&](const std::string& input) { d_.decode_json(input, &e, &why); };
  const int passes = static_cast<int>(10'000 / battery.size()) + 1;
  // Warm-up: every scratch buffer reaches the size the battery needs.
  const std::int64_t before = live_after(battery, 2, json);
  const std::int64_t after = live_after(battery, passes, json);
  EXPECT_EQ(after, before) << "live heap bytes grew by " << after - before << " over "
                           << passes * battery.size() << " records";

  // The same for protobuf input: garbage, truncations, and the canonical bytes of the
  // battery's valid records.
  std::vector<std::string> protos = {"", "\xff\xff\xff\xff", "\x0a\x02\xff\xfe",
                                     std::string(3000, '\x0a')};
  for (const std::string& input : battery) {
    if (d_.decode_json(input, &e, &why)) {
      std::string bytes;
      serialize_event(e, &bytes);
      protos.push_back(bytes.substr(0, bytes.size() / 2));
      protos.push_back(bytes);
    }
  }
  const auto protobuf = [&](const std::string& input) { d_.decode_protobuf(input, &e, &why); };
  const int proto_passes = static_cast<int>(10'000 / protos.size()) + 1;
  const std::int64_t proto_before = live_after(protos, 2, protobuf);
  const std::int64_t proto_after = live_after(protos, proto_passes, protobuf);
  EXPECT_EQ(proto_after, proto_before) << "live heap bytes grew by " << proto_after - proto_before
                                       << " over " << proto_passes * protos.size() << " messages";
}

}  // namespace
}  // namespace pqrflow::core
