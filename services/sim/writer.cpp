// The JSON writer of simulated events: a raw cursor over a stack buffer (no capacity
// checks per piece, no allocation, no locale, no printf), copied once into the caller's
// reused strings. Values written here never need escaping (ids, vocabulary names and
// fixed Spanish texts).
#include <cassert>
#include <cstdint>
#include <cstring>

#include "sim/model.hpp"
#include "sim/sim_event.hpp"

namespace pqrflow::sim {
namespace {

using core::EventType;

// The longest record is a pqr.filed with every optional field, well under 600 bytes.
constexpr std::size_t kMaxRecordBytes = 1024;

constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

class Cursor {
 public:
  explicit Cursor(char* p) : p_(p) {}
  char* pos() const { return p_; }

  void put(std::string_view s) {
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  // A string literal: its size is a constant, so the copy compiles to a few moves.
  template <std::size_t N>
  void lit(const char (&s)[N]) {
    std::memcpy(p_, s, N - 1);
    p_ += N - 1;
  }
  void put(char c) { *p_++ = c; }
  // Two digits of v in 0..99.
  void two(int v) {
    std::memcpy(p_, kDigitPairs + 2 * v, 2);
    p_ += 2;
  }
  // v in decimal, zero-padded to at least `width` digits.
  void uint(std::uint64_t v, int width) {
    char buf[24];
    int pos = 24;
    while (v >= 100) {
      pos -= 2;
      std::memcpy(buf + pos, kDigitPairs + 2 * (v % 100), 2);
      v /= 100;
    }
    if (v >= 10) {
      pos -= 2;
      std::memcpy(buf + pos, kDigitPairs + 2 * v, 2);
    } else {
      buf[--pos] = static_cast<char>('0' + v);
    }
    while (24 - pos < width) buf[--pos] = '0';
    put(std::string_view(buf + pos, static_cast<std::size_t>(24 - pos)));
  }

  void timestamp(core::Instant t, std::uint8_t zone) {
    const Zone& z = kZones[zone];
    const std::int64_t local_us = t.us + std::int64_t{z.minutes} * 60 * core::kMicrosPerSecond;
    const std::int64_t days = core::floor_div(local_us, core::kMicrosPerDay);
    const std::int64_t in_day = local_us - days * core::kMicrosPerDay;
    const core::Ymd c = core::ymd_of(core::Date{static_cast<std::int32_t>(days)});
    const auto secs = static_cast<int>(in_day / core::kMicrosPerSecond);
    const auto millis = static_cast<int>(in_day % core::kMicrosPerSecond / 1000);
    two(c.year / 100);
    two(c.year % 100);
    put('-');
    two(c.month);
    put('-');
    two(c.day);
    put('T');
    two(secs / 3600);
    put(':');
    two(secs / 60 % 60);
    put(':');
    two(secs % 60);
    if (millis != 0) {
      put('.');
      put(static_cast<char>('0' + millis / 100));
      two(millis % 100);
    }
    put(z.suffix);
  }

  // Shortest form ("48213", "48213.5", "48213.47"), or always two decimals.
  void amount(core::Cents cents, bool two_decimals) {
    uint(static_cast<std::uint64_t>(cents / 100), 1);
    const int frac = static_cast<int>(cents % 100);
    if (!two_decimals && frac == 0) return;
    put('.');
    if (!two_decimals && frac % 10 == 0) {
      put(static_cast<char>('0' + frac / 10));
    } else {
      two(frac);
    }
  }

 private:
  char* p_;
};

void ticket_id(Cursor& o, int year, std::uint32_t number) {
  o.put('R');
  o.uint(static_cast<std::uint64_t>(year), 4);
  o.put('-');
  o.uint(number, 6);
}

void visit_id(Cursor& o, int year, std::uint32_t number) {
  o.put('V');
  o.uint(static_cast<std::uint64_t>(year), 4);
  o.put('-');
  o.uint(number, 6);
}

void reform_id(Cursor& o, int year, std::uint32_t number) {
  o.lit("RF");
  o.uint(static_cast<std::uint64_t>(year), 4);
  o.put('-');
  o.uint(number, 6);
}

void subscriber_id(Cursor& o, std::uint32_t subscriber) {
  o.put('S');
  o.uint(subscriber, 7);
}

// "F202403-0012345": billing period and subscriber number.
void bill_id(Cursor& o, std::int32_t period, std::uint32_t subscriber) {
  const core::YearMonth p{period};
  o.put('F');
  o.uint(static_cast<std::uint64_t>(p.year()), 4);
  o.two(p.month());
  o.put('-');
  o.uint(subscriber, 7);
}

// "CEN-20240305-042": office, local date of arrival, turn number of the day.
void turn_id(Cursor& o, const SimEvent& e) {
  o.put(model::kOffices[e.office].code);
  o.put('-');
  const core::Ymd d = core::ymd_of(core::local_date(e.t1));
  o.uint(static_cast<std::uint64_t>(d.year), 4);
  o.two(d.month);
  o.two(d.day);
  o.put('-');
  o.uint(e.number, 3);
}

template <std::size_t N>
void string_field(Cursor& o, const char (&key_and_quote)[N], std::string_view value) {
  o.lit(key_and_quote);
  o.put(value);
  o.put('"');
}

template <std::size_t N>
void time_field(Cursor& o, const char (&key_and_quote)[N], core::Instant t, std::uint8_t zone) {
  o.lit(key_and_quote);
  o.timestamp(t, zone);
  o.put('"');
}

void amount_value(Cursor& o, core::Cents cents, bool as_string) {
  if (as_string) o.put('"');
  o.amount(cents, as_string);
  if (as_string) o.put('"');
}

// {"event_id":"<prefix><id><suffix>","type":"…","occurred_at":"…"[,"source":"…"]
// `write_id(o)` writes the entity id; returns where it sits, to be reused.
template <typename WriteId>
std::string_view head(Cursor& o, const SimEvent& e, std::string_view prefix,
                      const WriteId& write_id, std::string_view suffix, std::string_view source) {
  o.lit(R"({"event_id":")");
  o.put(prefix);
  const char* id_begin = o.pos();
  write_id(o);
  const std::string_view id(id_begin, static_cast<std::size_t>(o.pos() - id_begin));
  o.put(suffix);
  o.lit(R"(","type":")");
  o.put(core::name_of(e.type));
  time_field(o, R"(","occurred_at":")", e.occurred, e.zone);
  if (!e.has(kFlagNoSource)) string_field(o, R"(,"source":")", source);
  return id;
}

std::string_view causal_of(const SimEvent& e) {
  return static_cast<core::PqrKind>(e.kind) == core::PqrKind::kReclamo
             ? model::kReclamoCausales[e.causal % model::kReclamoCausales.size()]
             : model::kOtherCausales[e.causal % model::kOtherCausales.size()];
}

// Writes the record; returns its Kafka key (a view into the record).
std::string_view write_ticket_event(Cursor& o, const SimEvent& e) {
  const auto id = [&e](Cursor& c) { ticket_id(c, e.year, e.number); };
  std::string_view key;
  switch (e.type) {
    case EventType::kPqrFiled:
      key = head(o, e, "pqr-", id, "-f", "sgc");
      string_field(o, R"(,"ticket_id":")", key);
      string_field(o, R"(,"kind":")", core::name_of(static_cast<core::PqrKind>(e.kind)));
      string_field(o, R"(,"channel":")", core::name_of(static_cast<core::Channel>(e.channel)));
      if (e.has(kFlagSubscriber)) {
        o.lit(R"(,"subscriber_id":")");
        subscriber_id(o, e.subscriber);
        o.put('"');
      }
      if (e.has(kFlagService)) {
        string_field(o, R"(,"service":")", core::name_of(static_cast<core::Service>(e.service)));
      }
      if (e.has(kFlagCausal)) string_field(o, R"(,"causal":")", causal_of(e));
      if (e.has(kFlagOffice)) string_field(o, R"(,"office":")", model::kOffices[e.office].name);
      if (e.has(kFlagAttachments)) {
        o.lit(R"(,"attachments":[{"name":"soporte.pdf","pages":)");
        o.uint(1 + e.number % 7, 1);
        o.lit("}]");
      }
      break;
    case EventType::kPqrAnswered:
      key = head(o, e, "pqr-", id, e.ordinal == 1 ? "-a1" : "-a2", "sgc");
      string_field(o, R"(,"ticket_id":")", key);
      string_field(o, R"(,"outcome":")", core::name_of(static_cast<core::Outcome>(e.outcome)));
      if (e.has(kFlagInternalError)) {
        o.put(e.has(kFlagInternalTrue) ? R"(,"internal_error":true)"
                                       : R"(,"internal_error":false)");
      }
      break;
    default:  // kPqrMisfiled
      key = head(o, e, "pqr-", id, "-m", "sgc");
      string_field(o, R"(,"ticket_id":")", key);
      string_field(o, R"(,"reason":")", model::kMisfiledReasons[e.reason]);
      break;
  }
  return key;
}

std::string_view write_visit_event(Cursor& o, const SimEvent& e) {
  const bool completed = e.type == EventType::kVisitCompleted;
  const std::string_view key = head(
      o, e, "vis-", [&e](Cursor& c) { visit_id(c, e.year, e.number); }, completed ? "-c" : "-r",
      "campo");
  string_field(o, R"(,"visit_id":")", key);
  if (e.has(kFlagTicket)) {
    o.lit(R"(,"ticket_id":")");
    ticket_id(o, e.ticket_year, e.ticket);
    o.put('"');
  }
  if (completed && e.has(kFlagStarted)) time_field(o, R"(,"started_at":")", e.t1, e.zone);
  return key;
}

// The key of bill.* records is the subscriber id.
std::string_view subscriber_field(Cursor& o, const SimEvent& e) {
  o.lit(R"(,"subscriber_id":")");
  const char* begin = o.pos();
  subscriber_id(o, e.subscriber);
  const std::string_view key(begin, static_cast<std::size_t>(o.pos() - begin));
  o.put('"');
  return key;
}

std::string_view write_bill_event(Cursor& o, const SimEvent& e) {
  const auto bill = [&e](Cursor& c) { bill_id(c, e.period, e.subscriber); };
  if (e.type == EventType::kBillIssued) {
    const std::string_view id = head(o, e, "bill-", bill, "", "sifac");
    string_field(o, R"(,"bill_id":")", id);
    const std::string_view key = subscriber_field(o, e);
    o.lit(R"(,"period":")");
    const core::YearMonth p{e.period};
    o.uint(static_cast<std::uint64_t>(p.year()), 4);
    o.put('-');
    o.two(p.month());
    o.lit(R"(","amounts":{"acueducto":)");
    amount_value(o, e.amount1, e.has(kFlagAmount1String));
    if (e.amount2 >= 0) {
      o.lit(R"(,"alcantarillado":)");
      amount_value(o, e.amount2, e.has(kFlagAmount2String));
    }
    o.put('}');
    if (e.estrato != 0) {
      o.lit(R"(,"estrato":)");
      o.uint(e.estrato, 1);
    }
    o.lit(R"(,"consumo_m3":)");
    o.uint(e.m3, 1);
    return key;
  }
  head(
      o, e, "ref-", [&e](Cursor& c) { reform_id(c, e.year, e.number); }, "", "sifac");
  o.lit(R"(,"bill_id":")");
  bill(o);
  o.put('"');
  const std::string_view key = subscriber_field(o, e);
  string_field(o, R"(,"service":")", core::name_of(static_cast<core::Service>(e.service)));
  o.lit(R"(,"amount":)");
  amount_value(o, e.amount1, e.has(kFlagAmount1String));
  if (e.has(kFlagTicket)) {
    o.lit(R"(,"ticket_id":")");
    ticket_id(o, e.ticket_year, e.ticket);
    o.put('"');
  }
  string_field(o, R"(,"reason":")", model::kReformReasons[e.reason]);
  return key;
}

}  // namespace

void append_timestamp(std::string& out, core::Instant t, std::uint8_t zone) {
  char buf[48];
  Cursor o(buf);
  o.timestamp(t, zone);
  out.append(buf, static_cast<std::size_t>(o.pos() - buf));
}

void append_amount(std::string& out, core::Cents cents, bool two_decimals) {
  char buf[32];
  Cursor o(buf);
  o.amount(cents, two_decimals);
  out.append(buf, static_cast<std::size_t>(o.pos() - buf));
}

void write_event(const SimEvent& e, std::string& json, std::string& key) {
  char buf[kMaxRecordBytes];
  Cursor o(buf);
  std::string_view k;
  switch (e.type) {
    case EventType::kPqrFiled:
    case EventType::kPqrAnswered:
    case EventType::kPqrMisfiled:
      k = write_ticket_event(o, e);
      break;
    case EventType::kWindowServed:
      k = head(
          o, e, "win-", [&e](Cursor& c) { turn_id(c, e); }, "", "turnos");
      string_field(o, R"(,"turn_id":")", k);
      string_field(o, R"(,"office":")", model::kOffices[e.office].name);
      time_field(o, R"(,"arrived_at":")", e.t1, e.zone);
      time_field(o, R"(,"started_at":")", e.t2, e.zone);
      break;
    case EventType::kVisitRequested:
    case EventType::kVisitCompleted:
      k = write_visit_event(o, e);
      break;
    case EventType::kBillIssued:
    case EventType::kBillReformed:
      k = write_bill_event(o, e);
      break;
  }
  o.put('}');
  assert(o.pos() - buf < static_cast<std::ptrdiff_t>(kMaxRecordBytes));
  json.assign(buf, static_cast<std::size_t>(o.pos() - buf));
  key.assign(k);
}

}  // namespace pqrflow::sim
