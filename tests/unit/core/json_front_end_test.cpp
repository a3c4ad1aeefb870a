// decode_json's two front ends give the same outcome: the simple scanner (tried first on
// plain ASCII records) and Boost.JSON (the reference, JsonFrontEnd::kBoostOnly). Same
// accept/reject, same Event, same reason and detail — over a generated utility's
// records (its invalid ones included), every single-byte mutation of a sample of them,
// and hand-picked edge cases around what the scanner hands over to Boost.JSON
// (escapes, exponents, nesting depth, whitespace, literals, trailing bytes).
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/contract.hpp"
#include "fuzz_checks.hpp"
#include "sim/generator.hpp"

namespace pqrflow::core {
namespace {

class FrontEnds {
 public:
  explicit FrontEnds(DecoderLimits limits = {})
      : scanner_(limits, JsonFrontEnd::kSimpleScannerFirst),
        boost_(limits, JsonFrontEnd::kBoostOnly) {}

  // Decodes with both; returns "" when they agree, else what differs.
  std::string compare(std::string_view record) {
    Event a;
    Event b;
    Rejection why_a;
    Rejection why_b;
    const bool ok_a = boost_.decode_json(record, &a, &why_a);
    const bool ok_b = scanner_.decode_json(record, &b, &why_b);
    return fuzz::outcome_difference(ok_a, a, why_a, ok_b, b, why_b, "the simple scanner",
                                    "Boost.JSON alone");
  }

 private:
  Decoder scanner_;
  Decoder boost_;
};

const std::vector<std::string>& generated_records() {
  static const std::vector<std::string> kRecords = [] {
    std::vector<std::string> out;
    sim::GeneratorOptions g;
    g.subscribers = 150;
    g.seed = 11;
    g.pqr_rate = 4;
    g.window_rate = 2;
    g.invalid_rate = 0.05;  // every kind of invalid record, several times
    g.duplicate_rate = 0.01;
    sim::generate(g, [&](const sim::RawRecord& r) { out.push_back(r.json); });
    return out;
  }();
  return kRecords;
}

TEST(JsonFrontEnds, AgreeOnEveryGeneratedRecord) {
  FrontEnds f;
  const std::vector<std::string>& records = generated_records();
  ASSERT_GT(records.size(), 3000u);
  for (const std::string& r : records) ASSERT_EQ(f.compare(r), "") << r;
}

// Each record of a sample with one byte deleted, replaced by a character that matters
// to JSON or to the scanner, or doubled.
TEST(JsonFrontEnds, AgreeOnEverySingleByteMutation) {
  FrontEnds f;
  const std::vector<std::string>& records = generated_records();
  constexpr std::string_view kBytes = "\"\\{}[]:, \t\n0-+eE.9xtfn\x01\x1f\x7f";
  std::size_t checked = 0;
  for (std::size_t i = 0; i < records.size(); i += records.size() / 40) {
    const std::string& r = records[i];
    for (std::size_t pos = 0; pos < r.size(); ++pos) {
      std::string m = r;
      m.erase(pos, 1);
      ASSERT_EQ(f.compare(m), "") << m;
      m = r;
      m.insert(pos, 1, r[pos]);
      ASSERT_EQ(f.compare(m), "") << m;
      for (const char c : kBytes) {
        m = r;
        m[pos] = c;
        ASSERT_EQ(f.compare(m), "") << m;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 100'000u);
}

// The scanner reads a copy padded with NUL bytes and checks for the end of the input only
// at the very end: every prefix of a record ends it inside some token (a key, a string,
// a number, a literal, whitespace), and a NUL inside the record must not pass for that
// padding.
TEST(JsonFrontEnds, AgreeOnEveryPrefixAndEveryNulByte) {
  FrontEnds f;
  const std::vector<std::string> records = {
      generated_records().front(),
      generated_records().back(),
      R"({ "event_id" : "a-string-that-is-longer-than-sixteen-bytes" , "n" : -12.50 ,)"
      R"( "t" : true , "f" : false , "z" : null , "a" : [ 1 , [ ] , { } ] } )",
  };
  std::size_t checked = 0;
  for (const std::string& r : records) {
    for (std::size_t n = 0; n <= r.size(); ++n) {
      ASSERT_EQ(f.compare(std::string_view(r).substr(0, n)), "") << r.substr(0, n);
      std::string m = r;
      if (n < r.size()) {
        m[n] = '\0';
        ASSERT_EQ(f.compare(m), "") << n;
        m = r;
      }
      m.insert(n, 1, '\0');
      ASSERT_EQ(f.compare(m), "") << n;
      checked += 3;
    }
  }
  EXPECT_GT(checked, 1'000u);
}

constexpr std::string_view kBill =
    R"({"event_id":"b1","type":"bill.issued","occurred_at":"2024-03-19T10:15:00-05:00",)"
    R"("bill_id":"F1","subscriber_id":"S1","period":"2024-03","amounts":{"acueducto":12.5}})";

std::string with_extra(std::string_view extra) {
  std::string r(kBill);
  r.insert(r.size() - 1, std::string(",\"x\":") + std::string(extra));
  return r;
}

TEST(JsonFrontEnds, AgreeOnEdgeCases) {
  FrontEnds f;
  const std::vector<std::string> cases = {
      std::string(kBill),
      "",
      " ",
      "{}",
      " { } ",
      "[]",
      "\"text\"",
      "12",
      "null",
      std::string(kBill) + " ",
      std::string(kBill) + "\n\t\r ",
      std::string(kBill) + "x",
      std::string(kBill) + "{}",
      " \t\n\r" + std::string(kBill),
      R"({ "event_id" : "b1" , "type" : "bill.issued" , "occurred_at" : "2024-03-19T10:15:00Z" ,)"
      R"( "bill_id" : "F1" , "subscriber_id" : "S1" , "period" : "2024-03" ,)"
      R"( "amounts" : { "acueducto" : 1 , "alcantarillado" : "2.50" } })",
      with_extra("1e5"),
      with_extra("1E+2"),
      with_extra("-1e-2"),
      with_extra("1e99999999999999999999"),
      with_extra("-0"),
      with_extra("0.0"),
      with_extra("01"),
      with_extra("1."),
      with_extra(".5"),
      with_extra("-"),
      with_extra("+1"),
      with_extra("1234567890123456789012345678901234567890"),
      with_extra("12345678901234567890123456789012"),
      with_extra("123456789012345678901234567890123"),
      with_extra("true"),
      with_extra("false"),
      with_extra("null"),
      with_extra("tru"),
      with_extra("nul"),
      with_extra("falsey"),
      with_extra("[]"),
      with_extra("[1,2,[3,{\"a\":[]}]]"),
      with_extra("[1,]"),
      with_extra("{\"a\":1,}"),
      with_extra("{\"a\" 1}"),
      with_extra("\"a\\\"b\""),
      with_extra("\"a\\u00e9b\""),
      with_extra("\"tab\there\""),
      with_extra("\"del\x7f\""),
      with_extra("\"caf\xc3\xa9\""),
      with_extra("\"bad \xff\""),
      with_extra("\"a string longer than sixteen bytes, then caf\xc3\xa9\""),
      R"({"cafÃ©":1,"event_id":"b1"})",
      std::string(kBill) + "\xc3\xa9",
      with_extra("\xc3\xa9"),
      with_extra("[[[[[[1]]]]]]"),
      with_extra("[[[[[[[1]]]]]]]"),
      with_extra("[[[[[[[[1]]]]]]]]"),
      with_extra(std::string(40, '[') + std::string(40, ']')),
      R"({"event_id":"b1","event_id":"b2"})",
      R"({"a":1,"a":2,"event_id":"b1"})",
      R"({"event_id":"b1","type":"bill.issued","occurred_at":"2024-03-19T10:15:00-05:00",)"
      R"("bill_id":"F1","subscriber_id":"S1","period":"2024-03",)"
      R"("amounts":{"acueducto":1,"acueducto":2}})",
      R"({"event_id":"b1","type":"bill.issued","occurred_at":"2024-03-19T10:15:00-05:00",)"
      R"("bill_id":"F1","subscriber_id":"S1","period":"2024-03","amounts":{"gas":1}})",
      R"({"event_id":"b1","type":"bill.issued","occurred_at":"2024-03-19T10:15:00-05:00",)"
      R"("bill_id":"F1","subscriber_id":"S1","period":"2024-03","amounts":{"acueducto":{}}})",
      R"({"event_id":"a-string-that-is-longer-than-sixteen-bytes-to-cross-a-block","type":"x"})",
      std::string("{\"event_id\":\"nul\0byte\"}", 23),
  };
  for (const std::string& c : cases) EXPECT_EQ(f.compare(c), "") << c;
}

// Nesting right at the configured limit, for limits below, at and above the scanner's
// own depth: whichever parser decides, the outcome is the same.
TEST(JsonFrontEnds, AgreeAroundEveryNestingLimit) {
  for (const std::size_t limit : {1u, 2u, 3u, 7u, 8u, 9u, 32u}) {
    DecoderLimits limits;
    limits.max_depth = limit;
    FrontEnds f(limits);
    for (std::size_t depth = 0; depth <= limit + 2; ++depth) {
      const std::string nested = std::string(depth, '[') + "1" + std::string(depth, ']');
      EXPECT_EQ(f.compare(with_extra(nested)), "") << "limit " << limit << ", depth " << depth;
    }
    EXPECT_EQ(f.compare(std::string(kBill)), "") << "limit " << limit;
  }
}

}  // namespace
}  // namespace pqrflow::core
