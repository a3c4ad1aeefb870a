#include "sim/flaws.hpp"

#include <array>
#include <cstddef>
#include <string_view>
#include <vector>

namespace pqrflow::sim {
namespace {

using core::EventType;

// Where a top-level field of one of our own records sits: "key":value.
struct Field {
  std::size_t key_begin = 0;    // the opening quote of the key
  std::size_t value_begin = 0;  // first byte of the value
  std::size_t value_end = 0;    // one past its last byte
};

// End of the JSON value starting at b. Our records have no escapes and no brackets
// inside strings, so a quote or bracket count is enough.
std::size_t value_end(std::string_view j, std::size_t b) {
  if (j[b] == '"') return j.find('"', b + 1) + 1;
  if (j[b] == '{' || j[b] == '[') {
    int depth = 0;
    for (std::size_t i = b; i < j.size(); ++i) {
      if (j[i] == '"') {
        i = j.find('"', i + 1);
      } else if (j[i] == '{' || j[i] == '[') {
        ++depth;
      } else if ((j[i] == '}' || j[i] == ']') && --depth == 0) {
        return i + 1;
      }
    }
    return j.size();
  }
  return j.find_first_of(",}]", b);
}

// The field named key (keys are unique in our records, nested "acueducto" included).
bool find_field(std::string_view j, std::string_view key, Field* f) {
  std::string pattern;
  pattern.reserve(key.size() + 3);
  pattern.append("\"").append(key).append("\":");
  const std::size_t at = j.find(pattern);
  if (at == std::string_view::npos) return false;
  f->key_begin = at;
  f->value_begin = at + pattern.size();
  f->value_end = value_end(j, f->value_begin);
  return true;
}

void replace_value(std::string& j, const Field& f, std::string_view value) {
  j.replace(f.value_begin, f.value_end - f.value_begin, value);
}

template <std::size_t N>
std::string_view choose(Rng& rng, const std::array<std::string_view, N>& options) {
  return options[rng.below(static_cast<std::uint32_t>(N))];
}

// Required fields per type (design.md §4), the candidates for kMissingField.
std::vector<std::string_view> required_fields(EventType t) {
  std::vector<std::string_view> f = {"event_id", "occurred_at"};
  switch (t) {
    case EventType::kPqrFiled:
      f.insert(f.end(), {"ticket_id", "kind", "channel"});
      break;
    case EventType::kPqrAnswered:
      f.insert(f.end(), {"ticket_id", "outcome"});
      break;
    case EventType::kPqrMisfiled:
      f.emplace_back("ticket_id");
      break;
    case EventType::kWindowServed:
      f.insert(f.end(), {"turn_id", "office", "arrived_at", "started_at"});
      break;
    case EventType::kVisitRequested:
    case EventType::kVisitCompleted:
      f.emplace_back("visit_id");
      break;
    case EventType::kBillIssued:
      f.insert(f.end(), {"bill_id", "subscriber_id", "period", "amounts"});
      break;
    case EventType::kBillReformed:
      f.insert(f.end(), {"bill_id", "subscriber_id", "service", "amount"});
      break;
  }
  return f;
}

void remove_field(std::string& j, std::string_view key) {
  Field f;
  if (!find_field(j, key, &f)) return;
  if (j[f.key_begin - 1] == ',') {
    j.erase(f.key_begin - 1, f.value_end - (f.key_begin - 1));
  } else {  // the first field: take the comma after it
    j.erase(f.key_begin, f.value_end + 1 - f.key_begin);
  }
}

// The digits of a string value without leading zeros, as a JSON number ("R2024-000123"
// → 2024000123); a JSON number may not start with 0.
std::string digits_of(std::string_view value) {
  std::string d;
  for (char c : value) {
    if (c >= '0' && c <= '9' && !(d.empty() && c == '0')) d.push_back(c);
  }
  return d.empty() ? "7" : d;
}

void make_wrong_type(const SimEvent& e, std::string& j, Rng& rng) {
  Field f;
  switch (rng.below(3)) {
    case 0:  // occurred_at as epoch milliseconds
      if (find_field(j, "occurred_at", &f)) {
        replace_value(j, f, std::to_string(e.occurred.us / 1000));
      }
      return;
    case 1:  // event_id as a number
      if (find_field(j, "event_id", &f)) {
        replace_value(
            j, f,
            digits_of(std::string_view(j).substr(f.value_begin, f.value_end - f.value_begin)));
      }
      return;
    default:
      break;
  }
  // A type-specific required field.
  switch (e.type) {
    case EventType::kBillIssued:
      if (rng.chance(0.5) && find_field(j, "amounts", &f)) {
        std::string total = "\"";
        append_amount(total, e.amount1 + (e.amount2 > 0 ? e.amount2 : 0), true);
        total.push_back('"');
        replace_value(j, f, total);
        return;
      }
      if (find_field(j, "period", &f)) {
        replace_value(
            j, f,
            digits_of(std::string_view(j).substr(f.value_begin, f.value_end - f.value_begin)));
      }
      return;
    case EventType::kBillReformed:
      if (find_field(j, "amount", &f)) replace_value(j, f, "true");
      return;
    default:
      break;
  }
  std::string_view key = "ticket_id";
  if (e.type == EventType::kWindowServed) key = "turn_id";
  if (e.type == EventType::kVisitRequested || e.type == EventType::kVisitCompleted) {
    key = "visit_id";
  }
  if (find_field(j, key, &f)) {
    replace_value(
        j, f, digits_of(std::string_view(j).substr(f.value_begin, f.value_end - f.value_begin)));
  }
}

void make_unknown_enum(const SimEvent& e, std::string& j, Rng& rng) {
  Field f;
  if (e.type == EventType::kPqrFiled) {
    if (rng.chance(0.5) && find_field(j, "kind", &f)) {
      constexpr std::array<std::string_view, 3> kKinds = {R"("sugerencia")", R"("felicitacion")",
                                                          R"("tutela")"};
      replace_value(j, f, choose(rng, kKinds));
    } else if (find_field(j, "channel", &f)) {
      constexpr std::array<std::string_view, 3> kChannels = {R"("fax")", R"("whatsapp")",
                                                             R"("presencial")"};
      replace_value(j, f, choose(rng, kChannels));
    }
  } else if (e.type == EventType::kPqrAnswered) {
    if (find_field(j, "outcome", &f)) {
      constexpr std::array<std::string_view, 3> kOutcomes = {R"("pendiente")", R"("en_tramite")",
                                                             R"("resuelto")"};
      replace_value(j, f, choose(rng, kOutcomes));
    }
  } else if (find_field(j, "service", &f)) {  // bill.reformed
    constexpr std::array<std::string_view, 2> kServices = {R"("aseo")", R"("energia")"};
    replace_value(j, f, choose(rng, kServices));
  }
}

// The inside of a quoted timestamp value of field `key`.
bool find_time(std::string_view j, std::string_view key, std::size_t* begin, std::size_t* end) {
  Field f;
  if (!find_field(j, key, &f)) return false;
  *begin = f.value_begin + 1;
  *end = f.value_end - 1;
  return true;
}

void make_amount_flaw(InvalidKind k, const SimEvent& e, std::string& j, Rng& rng) {
  Field f;
  if (!find_field(j, e.type == EventType::kBillIssued ? "acueducto" : "amount", &f)) return;
  const bool quoted = j[f.value_begin] == '"';
  std::string v;
  if (quoted) v.push_back('"');
  switch (k) {
    case InvalidKind::kTooManyDecimals:
      append_amount(v, e.amount1, true);
      v.push_back(static_cast<char>('1' + rng.below(9)));  // a non-zero third decimal
      break;
    case InvalidKind::kNegativeAmount:
      v.push_back('-');
      append_amount(v, e.amount1 > 0 ? e.amount1 : 100, quoted);
      break;
    default:  // kZeroReform
      v.append(quoted ? "0.00" : "0");
      break;
  }
  if (quoted) v.push_back('"');
  replace_value(j, f, v);
}

std::string garbage(std::string_view valid, const SimEvent& e, Rng& rng) {
  switch (rng.below(4)) {
    case 0:
      return "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center>"
             "</body></html>";
    case 1: {  // a CSV export line on the wrong topic
      std::string s = "ERROR;";
      s.append(core::name_of(e.type));
      s.append(";timeout exporting record");
      return s;
    }
    case 2:
      return "{{payload}}";  // an unrendered template
    default: {               // a Python dict dumped instead of JSON
      std::string s(valid);
      for (char& c : s) {
        if (c == '"') c = '\'';
      }
      return s;
    }
  }
}

}  // namespace

bool applicable(InvalidKind k, EventType t) {
  switch (k) {
    case InvalidKind::kNone:
      return false;
    case InvalidKind::kUnknownEnum:
      return t == EventType::kPqrFiled || t == EventType::kPqrAnswered ||
             t == EventType::kBillReformed;
    case InvalidKind::kTooManyDecimals:
      return t == EventType::kBillIssued || t == EventType::kBillReformed;
    case InvalidKind::kNegativeAmount:
      return t == EventType::kBillIssued;
    case InvalidKind::kZeroReform:
      return t == EventType::kBillReformed;
    case InvalidKind::kTimeOrder:
      return t == EventType::kWindowServed;
    default:
      return true;
  }
}

void make_invalid(InvalidKind k, const SimEvent& e, std::string_view valid, Rng& rng,
                  std::string* out) {
  std::string& j = *out;
  if (k == InvalidKind::kGarbage) {
    j = garbage(valid, e, rng);
    return;
  }
  j.assign(valid);
  // A distinct event_id: the invalid record is not the valid event it was made from.
  if (Field f; find_field(j, "event_id", &f)) j.insert(f.value_end - 1, "-x");

  Field f;
  std::size_t tb = 0;
  std::size_t te = 0;
  switch (k) {
    case InvalidKind::kMissingField: {
      const auto fields = required_fields(e.type);
      remove_field(j, fields[rng.below(static_cast<std::uint32_t>(fields.size()))]);
      break;
    }
    case InvalidKind::kWrongType:
      make_wrong_type(e, j, rng);
      break;
    case InvalidKind::kUnknownType:
      if (find_field(j, "type", &f)) {
        constexpr std::array<std::string_view, 5> kTypes = {
            R"("pqr.reopened")", R"("pqr.cancelled")", R"("visit.scheduled")",
            R"("bill.cancelled")", R"("meter.read")"};
        replace_value(j, f, choose(rng, kTypes));
      }
      break;
    case InvalidKind::kUnknownEnum:
      make_unknown_enum(e, j, rng);
      break;
    case InvalidKind::kTimestampNoOffset:
      if (find_time(j, "occurred_at", &tb, &te)) {
        const std::size_t suffix = j[te - 1] == 'Z' ? 1 : 6;
        j.erase(te - suffix, suffix);
      }
      break;
    case InvalidKind::kImpossibleDate:
      if (find_time(j, "occurred_at", &tb, &te)) {
        constexpr std::array<std::string_view, 6> kDays = {"02-30", "02-31", "04-31",
                                                           "06-31", "09-31", "11-31"};
        j.replace(tb + 5, 5, choose(rng, kDays));
      }
      break;
    case InvalidKind::kTooManyDecimals:
    case InvalidKind::kNegativeAmount:
    case InvalidKind::kZeroReform:
      make_amount_flaw(k, e, j, rng);
      break;
    case InvalidKind::kTimeOrder:
      if (find_field(j, "arrived_at", &f)) {
        std::string v = "\"";
        const core::Instant after{e.t2.us + rng.between(60, 600) * core::kMicrosPerSecond};
        append_timestamp(v, after, e.zone);
        v.push_back('"');
        replace_value(j, f, v);
      }
      break;
    case InvalidKind::kTruncated: {
      // Cut inside the object, never inside a UTF-8 sequence (that would be
      // invalid_utf8 rather than invalid_json).
      std::size_t cut = 1 + rng.below(static_cast<std::uint32_t>(j.size() - 1));
      while (cut > 1 && (static_cast<unsigned char>(j[cut]) & 0xC0) == 0x80) --cut;
      j.resize(cut);
      break;
    }
    default:
      break;
  }
}

}  // namespace pqrflow::sim
