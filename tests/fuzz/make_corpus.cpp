// Writes (or checks) the generated part of the committed seed corpus, tests/fuzz/corpus/:
// valid records of every event type, one record per rejection reason, tricky escapes
// and numbers for decode_json; the canonical protobuf of the same valid events plus
// malformed messages for decode_protobuf; both, behind a flag byte, for normalize.
// Every seed's outcome (accepted, or the reason) is asserted as it is generated, so
// the corpus documents the contract.
//
//   fuzz_make_corpus --write tests/fuzz/corpus   # after changing this file
//   fuzz_make_corpus --check tests/fuzz/corpus   # CTest: the committed files are current
//
// Files that libFuzzer found and someone committed later (other names) are left alone.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/contract.hpp"
#include "core/event_codec.hpp"
#include "pqrflow/v1/events.pb.h"

namespace {

using namespace pqrflow;
using core::RejectReason;

struct Seed {
  std::string target;  // decode_json, decode_protobuf, normalize
  std::string name;
  std::string bytes;
};

class Corpus {
 public:
  // A JSON record with its expected outcome (nullopt = accepted). Accepted records
  // also give a protobuf seed, and both give normalize seeds.
  void json(const std::string& name, const std::string& record,
            std::optional<RejectReason> expected) {
    core::Event e;
    core::Rejection why;
    const bool ok = decoder_.decode_json(record, &e, &why);
    expect(name, ok, why, expected);
    add("decode_json", name + ".json", record);
    add("normalize", "json-" + name, std::string(1, '\0') + record);
    if (ok) {
      std::string bytes;
      core::serialize_event(e, &bytes);
      add("decode_protobuf", name + ".pb", bytes);
      add("normalize", "pb-" + name, std::string(1, '\1') + bytes);
    }
  }

  // Protobuf bytes with the expected outcome.
  void protobuf(const std::string& name, const std::string& bytes,
                std::optional<RejectReason> expected) {
    core::Event e;
    core::Rejection why;
    expect(name, decoder_.decode_protobuf(bytes, &e, &why), why, expected);
    add("decode_protobuf", name + ".pb", bytes);
  }

  void protobuf(const std::string& name, const v1::Event& m, std::optional<RejectReason> expected) {
    protobuf(name, m.SerializeAsString(), expected);
  }

  // Raw normalize input: flag byte then value.
  void normalize(const std::string& name, bool protobuf_header, const std::string& value) {
    add("normalize", name, std::string(1, protobuf_header ? '\1' : '\0') + value);
  }

  bool ok() const { return failures_ == 0; }
  const std::vector<Seed>& seeds() const { return seeds_; }

 private:
  void expect(const std::string& name, bool ok, const core::Rejection& why,
              std::optional<RejectReason> expected) {
    if (ok == !expected.has_value() && (ok || why.reason == *expected)) return;
    ++failures_;
    std::fprintf(stderr, "seed %s: expected %s, got %s (%s)\n", name.c_str(),
                 expected ? std::string(core::reason_code(*expected)).c_str() : "accepted",
                 ok ? "accepted" : std::string(core::reason_code(why.reason)).c_str(),
                 ok ? "" : why.detail.c_str());
  }

  void add(std::string target, std::string name, std::string bytes) {
    seeds_.push_back({std::move(target), std::move(name), std::move(bytes)});
  }

  core::Decoder decoder_;
  std::vector<Seed> seeds_;
  int failures_ = 0;
};

std::string rec(std::string_view type, std::string_view body,
                std::string_view at = "2024-03-19T10:15:00-05:00") {
  std::string out = R"({"event_id":"e-1","type":")";
  out += type;
  out += R"(","occurred_at":")";
  out += at;
  out += '"';
  if (!body.empty()) {
    out += ',';
    out += body;
  }
  return out + "}";
}

constexpr std::string_view kReform =
    R"("bill_id":"B-1","subscriber_id":"S-1","service":"acueducto",)";
constexpr std::string_view kBill = R"("bill_id":"B-1","subscriber_id":"S-1","period":"2024-03",)";

void valid_records(Corpus& c) {
  c.json("valid-pqr-filed-full",
         rec("pqr.filed", R"("source":"sgc","ticket_id":"R-2024-001","kind":"reclamo",)"
                          R"("channel":"web","subscriber_id":"S-77","service":"acueducto",)"
                          R"("causal":"SUI-102","office":"Centro")"),
         std::nullopt);
  c.json("valid-pqr-filed-minimal",
         rec("pqr.filed", R"("ticket_id":"R-1","kind":"recurso_apelacion","channel":"otro")"),
         std::nullopt);
  c.json("valid-pqr-answered-full",
         rec("pqr.answered",
             R"("ticket_id":"R-1","outcome":"traslada_competencia",)"
             R"("internal_error":false)",
             "2024-04-02T08:00:00Z"),
         std::nullopt);
  c.json("valid-pqr-answered-minimal",
         rec("pqr.answered", R"("ticket_id":"R-1","outcome":"accede")"), std::nullopt);
  c.json("valid-pqr-misfiled", rec("pqr.misfiled", R"("ticket_id":"R-1","reason":"wrong causal")"),
         std::nullopt);
  c.json("valid-window-served",
         rec("window.served", R"("turn_id":"A-031","office":"Norte",)"
                              R"("arrived_at":"2024-03-19T09:02:10-05:00",)"
                              R"("started_at":"2024-03-19T09:20:00.5-05:00")"),
         std::nullopt);
  c.json("valid-visit-requested", rec("visit.requested", R"("visit_id":"V-9","ticket_id":"R-1")"),
         std::nullopt);
  c.json("valid-visit-completed",
         rec("visit.completed", R"("visit_id":"V-9","started_at":"2024-03-19T08:45:00-05:00")"),
         std::nullopt);
  c.json("valid-bill-issued",
         rec("bill.issued",
             std::string(kBill) + R"("amounts":{"acueducto":45210.5,"alcantarillado":"30100.25"})",
             "2024-04-01T00:00:00-05:00"),
         std::nullopt);
  c.json("valid-bill-issued-empty-amounts",
         rec("bill.issued", std::string(kBill) + R"("amounts":{})"), std::nullopt);
  c.json("valid-bill-reformed",
         rec("bill.reformed",
             std::string(kReform) + R"("amount":"15000.75","ticket_id":"R-1","reason":"misread")"),
         std::nullopt);
  c.json(
      "valid-fields-any-order",
      R"({"outcome":"no_accede","ticket_id":"T-1","occurred_at":"2024-03-19T10:15:00.123456789-05:00",)"
      R"("event_id":"e-1","type":"pqr.answered","x":{"a":[1,2,{"b":null}]}})",
      std::nullopt);
}

void one_per_reason(Corpus& c) {
  using R = RejectReason;
  c.json("reason-invalid_json", R"({"event_id":"e-1",})", R::kInvalidJson);
  c.json("reason-invalid_utf8", rec("pqr.misfiled", "\"ticket_id\":\"T-\xc0\xaf\""),
         R::kInvalidUtf8);
  c.json("reason-nesting_too_deep",
         rec("pqr.misfiled",
             R"("ticket_id":"T-1","x":)" + std::string(40, '[') + std::string(40, ']')),
         R::kNestingTooDeep);
  c.json("reason-not_an_object", R"([{"event_id":"e-1"}])", R::kNotAnObject);
  c.json("reason-duplicate_field",
         rec("pqr.misfiled", R"("ticket_id":"T-1","ticket\u005fid":"T-2")"), R::kDuplicateField);
  c.json("reason-missing_field", rec("pqr.answered", R"("ticket_id":"T-1")"), R::kMissingField);
  c.json("reason-wrong_type", rec("pqr.misfiled", R"("ticket_id":42)"), R::kWrongType);
  c.json("reason-invalid_value", rec("pqr.misfiled", R"("ticket_id":"")"), R::kInvalidValue);
  c.json("reason-unknown_type", rec("pqr.closed", R"("ticket_id":"T-1")"), R::kUnknownType);
  c.json("reason-invalid_enum",
         rec("pqr.filed", R"("ticket_id":"T-1","kind":"queja","channel":"fax")"), R::kInvalidEnum);
  c.json("reason-invalid_timestamp",
         rec("pqr.misfiled", R"("ticket_id":"T-1")", "2023-02-29T10:00:00Z"), R::kInvalidTimestamp);
  c.json("reason-timestamp_out_of_range",
         rec("pqr.misfiled", R"("ticket_id":"T-1")", "2201-01-01T00:00:00-05:00"),
         R::kTimestampOutOfRange);
  c.json("reason-invalid_period",
         rec("bill.issued",
             R"("bill_id":"B-1","subscriber_id":"S-1","period":"2024-13","amounts":{})"),
         R::kInvalidPeriod);
  c.json("reason-invalid_amount", rec("bill.reformed", std::string(kReform) + R"("amount":"1e3")"),
         R::kInvalidAmount);
  c.json("reason-negative_amount",
         rec("bill.issued", std::string(kBill) + R"("amounts":{"acueducto":-1})"),
         R::kNegativeAmount);
  c.json("reason-amount_not_positive",
         rec("bill.reformed", std::string(kReform) + R"("amount":-0)"), R::kAmountNotPositive);
  c.json("reason-too_many_decimals",
         rec("bill.reformed", std::string(kReform) + R"("amount":0.001)"), R::kTooManyDecimals);
  c.json("reason-amount_out_of_range",
         rec("bill.reformed", std::string(kReform) + R"("amount":10000000000000)"),
         R::kAmountOutOfRange);
  c.json("reason-time_order",
         rec("window.served",
             R"("turn_id":"A-1","office":"N","arrived_at":"2024-03-19T10:00:00-05:00",)"
             R"("started_at":"2024-03-19T09:00:00-05:00")"),
         R::kTimeOrder);
}

void tricky_text_and_numbers(Corpus& c) {
  using R = RejectReason;
  c.json("escape-keys-and-values",
         rec("pqr.misfiled",
             R"("ticket\u005fid":"R\u00e9-1\n\t\/","reason":"caf\u00e9 \ud83d\udca7")"),
         std::nullopt);
  c.json("escape-nul", rec("pqr.misfiled", R"("ticket_id":"T\u0000","reason":"a\u0000b")"),
         std::nullopt);
  c.json("escape-lone-surrogate", rec("pqr.misfiled", R"("ticket_id":"\ud800")"), R::kInvalidJson);
  std::string split;
  for (int i = 0; i < 1200; ++i) split += R"(ab\"c)";
  c.json("escape-split-string",
         rec("pqr.misfiled", R"("ticket_id":"T-1","reason":")" + split + "\""), std::nullopt);
  c.json("raw-nul", rec("pqr.misfiled", std::string("\"ticket_id\":\"T-\0\"", 15)),
         R::kInvalidJson);
  c.json("utf8-surrogate-in-key", "{\"\xed\xa0\x80\":1}", R::kInvalidUtf8);
  c.json("utf8-multibyte-ok",
         rec("pqr.misfiled", "\"ticket_id\":\"T-\xc3\xb1\xe2\x82\xac\xf0\x9f\x92\xa7\""),
         std::nullopt);
  c.json("number-huge-exponent",
         rec("bill.reformed", std::string(kReform) + R"("amount":1e999999999)"),
         R::kAmountOutOfRange);
  c.json("number-400-digits",
         rec("bill.reformed", std::string(kReform) + R"("amount":)" + "1" + std::string(399, '7')),
         R::kAmountOutOfRange);
  c.json("number-exact-cents",
         rec("bill.reformed", std::string(kReform) + R"("amount":9999999999999.99)"), std::nullopt);
  c.json("number-exponent-cents",
         rec("bill.issued",
             std::string(kBill) + R"("amounts":{"acueducto":12.5e-1,"alcantarillado":"0.10"})"),
         std::nullopt);
  c.json("date-leap-day",
         rec("pqr.misfiled", R"("ticket_id":"T-1")", "2024-02-29T23:59:59.999999+14:00"),
         std::nullopt);
  c.json("date-offset-24", rec("pqr.misfiled", R"("ticket_id":"T-1")", "2024-03-19T10:15:00+24:00"),
         R::kInvalidTimestamp);
  c.json("date-year-0000", rec("pqr.misfiled", R"("ticket_id":"T-1")", "0000-01-01T00:00:00Z"),
         R::kTimestampOutOfRange);
  c.json("whitespace-around", " \n\t" + rec("visit.requested", R"("visit_id":"V-1")") + "\r\n ",
         std::nullopt);
}

v1::Event valid_proto(std::string_view id) {
  v1::Event m;
  m.set_event_id(std::string(id));
  m.set_occurred_at_us(1'710'861'300'000'000);  // 2024-03-19T10:15:00-05:00
  return m;
}

void malformed_protobuf(Corpus& c) {
  using R = RejectReason;
  c.protobuf("pb-empty", std::string(), R::kInvalidProtobuf);
  c.protobuf("pb-no-body", valid_proto("e-1"), R::kInvalidProtobuf);
  c.protobuf("pb-garbage", "\xff\xff\xff\xff garbage", R::kInvalidProtobuf);
  // event_id (field 1) holding bytes that are not UTF-8: proto3 strings must be.
  c.protobuf("pb-invalid-utf8", std::string("\x0a\x02\xff\xfe", 4), R::kInvalidProtobuf);
  v1::Event m = valid_proto("e-1");
  m.mutable_pqr_filed()->set_ticket_id("T-1");
  m.mutable_pqr_filed()->set_kind(static_cast<v1::PqrKind>(42));
  m.mutable_pqr_filed()->set_channel(v1::CHANNEL_WEB);
  c.protobuf("pb-enum-out-of-range", m, R::kInvalidEnum);
  const std::string valid = m.SerializeAsString();
  c.protobuf("pb-truncated", valid.substr(0, valid.size() - 3), R::kInvalidProtobuf);
  m = valid_proto("e-1");
  m.mutable_pqr_filed()->set_ticket_id("T-1");
  m.mutable_pqr_filed()->set_kind(v1::PQR_KIND_QUEJA);
  c.protobuf("pb-missing-channel", m, R::kMissingField);
  m = valid_proto("e-1");
  v1::BillIssued* b = m.mutable_bill_issued();
  b->set_bill_id("B-1");
  b->set_subscriber_id("S-1");
  b->set_period_year(2024);
  b->set_period_month(3);
  v1::BillLine* line = b->add_lines();
  line->set_service(v1::SERVICE_ACUEDUCTO);
  line->set_amount_cents(100);
  c.protobuf("pb-bill-one-line", m, std::nullopt);
  *b->add_lines() = *line;
  c.protobuf("pb-bill-duplicate-line", m, R::kDuplicateField);
  b->mutable_lines(1)->set_service(static_cast<v1::Service>(7));
  c.protobuf("pb-bill-unknown-service", m, R::kInvalidEnum);
  b->mutable_lines()->RemoveLast();
  b->set_period_month(13);
  c.protobuf("pb-bill-month-13", m, R::kInvalidPeriod);
  b->set_period_month(3);
  b->mutable_lines(0)->set_amount_cents(-1);
  c.protobuf("pb-bill-negative", m, R::kNegativeAmount);
  b->mutable_lines(0)->set_amount_cents(core::kMaxCents);
  c.protobuf("pb-bill-too-large", m, R::kAmountOutOfRange);
  m = valid_proto("e-1");
  m.set_occurred_at_us(INT64_MIN);
  m.mutable_visit_requested()->set_visit_id("V-1");
  c.protobuf("pb-instant-min", m, R::kTimestampOutOfRange);
  m = valid_proto("e-1");
  v1::WindowServed* w = m.mutable_window_served();
  w->set_turn_id("A-1");
  w->set_office("N");
  w->set_arrived_at_us(m.occurred_at_us() - 60'000'000);
  w->set_started_at_us(m.occurred_at_us() + 60'000'000);
  c.protobuf("pb-window-time-order", m, R::kTimeOrder);
  m = valid_proto("e-1");
  m.mutable_bill_reformed()->set_bill_id("B-1");
  m.mutable_bill_reformed()->set_subscriber_id("S-1");
  m.mutable_bill_reformed()->set_service(v1::SERVICE_ALCANTARILLADO);
  c.protobuf("pb-reform-zero", m, R::kAmountNotPositive);
  m.set_event_id(std::string(129, 'e'));
  c.protobuf("pb-event-id-129", m, R::kInvalidValue);
}

void normalize_only(Corpus& c) {
  // A JSON record sent with the protobuf header, and protobuf without it (the fallback
  // for records that start like a pqrflow.v1.Event).
  c.normalize("header-json-as-protobuf", true, rec("visit.requested", R"("visit_id":"V-1")"));
  v1::Event m = valid_proto("e-1");
  m.mutable_visit_requested()->set_visit_id("V-1");
  c.normalize("no-header-protobuf", false, m.SerializeAsString());
  c.normalize("no-header-protobuf-invalid", false, std::string("\x0a\x02\xff\xfe", 4));
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc == 3 ? argv[1] : "";
  if (mode != "--write" && mode != "--check") {
    std::fprintf(stderr, "usage: %s --write|--check CORPUS_DIR\n", argv[0]);
    return 2;
  }
  const std::filesystem::path root(argv[2]);
  Corpus c;
  valid_records(c);
  one_per_reason(c);
  tricky_text_and_numbers(c);
  malformed_protobuf(c);
  normalize_only(c);
  if (!c.ok()) return 1;
  int stale = 0;
  for (const Seed& s : c.seeds()) {
    const std::filesystem::path file = root / s.target / s.name;
    if (mode == "--write") {
      std::filesystem::create_directories(file.parent_path());
      std::ofstream(file, std::ios::binary) << s.bytes;
    } else if (!std::filesystem::exists(file) || read_file(file) != s.bytes) {
      std::fprintf(stderr, "%s is missing or stale: run fuzz_make_corpus --write %s\n",
                   file.c_str(), root.c_str());
      ++stale;
    }
  }
  std::printf("%zu seeds %s\n", c.seeds().size(), mode == "--write" ? "written" : "checked");
  return stale == 0 ? 0 : 1;
}
