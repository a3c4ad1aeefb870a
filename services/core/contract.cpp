// The raw JSON contract (design.md §4) and the rules shared with protobuf input.
//
// decode_json runs Boost.JSON's SAX parser over the record once. The handler only
// notes, for each known top-level field (and each key of `amounts`), its JSON kind and
// its text: a view into the record when possible, a reused per-field buffer when the
// string had escapes. Nothing is interpreted during the parse because "type" may come
// last; once the whole record is known to be well-formed, the fields relevant to the
// type are read in a fixed order (so the reported rule does not depend on field order).
//
// Precedence of rejections: record_too_large; then invalid_utf8 (whatever else is wrong,
// a record that is not UTF-8 text says so); nesting_too_deep / invalid_json;
// not_an_object; duplicate_field (top level); then field by field in the order of the
// tables of §4: common fields (event_id, type, occurred_at, source), then the type's
// fields, then time order.
#include "core/contract.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <boost/json/basic_parser_impl.hpp>
#include <cassert>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/calendar.hpp"
#include "core/event_codec.hpp"
#include "core/event_detail.hpp"
#include "google/protobuf/io/coded_stream.h"
#include "pqrflow/v1/events.pb.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace pqrflow::core {
namespace {

// ---------------------------------------------------------------------------------
// Rejections

// Fills *why with "<field>: <parts…>" and returns false, so checks read `return reject(…)`.
template <typename... Parts>
bool reject(Rejection* why, RejectReason reason, std::string_view field, const Parts&... parts) {
  if (why != nullptr) {
    why->reason = reason;
    why->detail.assign(field);
    why->detail.append(": ");
    (why->detail.append(std::string_view(parts)), ...);
  }
  return false;
}

// `value` in double quotes for a detail: cut at a character boundary after ~40 bytes,
// with quotes, backslashes and control characters escaped (details end up in logs).
std::string quoted(std::string_view value) {
  constexpr std::size_t kMaxBytes = 40;
  std::size_t end = value.size();
  bool cut = false;
  if (end > kMaxBytes) {
    end = kMaxBytes;
    while (end > 0 && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80) --end;
    cut = true;
  }
  std::string out = "\"";
  for (std::size_t i = 0; i < end; ++i) {
    const char c = value[i];
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      std::array<char, 8> buf{};
      std::snprintf(buf.data(), buf.size(), "\\u%04x", static_cast<unsigned>(c));
      out += buf.data();
    } else {
      out += c;
    }
  }
  if (cut) out += "\u2026";
  out += '"';
  return out;
}

// "a, b, c" from a vocabulary table (skipping the unspecified "").
template <std::size_t N>
std::string joined(const std::array<std::string_view, N>& names) {
  std::string out;
  for (const std::string_view name : names) {
    if (name.empty()) continue;
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

// Offset of the first byte that does not start a well-formed UTF-8 sequence (Unicode
// table 3-7: no overlongs, no surrogates, nothing above U+10FFFF), or npos. Only run on
// records the JSON parser already refused, to tell invalid_utf8 from invalid_json.
std::size_t first_invalid_utf8(std::string_view s) {
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned lo = 0x80;
    unsigned hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c == 0xE0) {
      len = 3;
      lo = 0xA0;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
      len = 3;
    } else if (c == 0xED) {
      len = 3;
      hi = 0x9F;
    } else if (c == 0xF0) {
      len = 4;
      lo = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
      len = 4;
    } else if (c == 0xF4) {
      len = 4;
      hi = 0x8F;
    } else {
      return i;
    }
    if (len > n - i) return i;
    const auto second = static_cast<unsigned char>(s[i + 1]);
    if (second < lo || second > hi) return i;
    for (std::size_t k = 2; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

// Unicode code points in valid UTF-8 text (bytes that are not continuation bytes).
std::size_t count_code_points(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// ---------------------------------------------------------------------------------
// The rules shared by JSON and protobuf input: one function per rule.

constexpr std::size_t kMaxEventIdChars = 128;
// Instants whose Bogota local date lies in the calendar's years (calendar_supports()),
// as bounds on the raw microseconds: local_date() itself would overflow near INT64_MIN.
constexpr Instant kFirstInstant = local_midnight(date_of(kFirstYear, 1, 1));
constexpr Instant kLastInstant{local_midnight(date_of(kLastYear + 1, 1, 1)).us - 1};
constexpr YearMonth kFirstPeriod = YearMonth::of(kFirstYear, 1);
constexpr YearMonth kLastPeriod = YearMonth::of(kLastYear, 12);

bool reject_missing(Rejection* why, std::string_view field, std::optional<EventType> type) {
  if (!type) return reject(why, RejectReason::kMissingField, field, "required");
  return reject(why, RejectReason::kMissingField, field, "required for ", name_of(*type));
}

bool check_event_id(std::string_view id, Rejection* why) {
  if (id.empty()) return reject(why, RejectReason::kInvalidValue, "event_id", "must not be empty");
  if (id.size() <= kMaxEventIdChars) return true;  // never more characters than bytes
  const std::size_t chars = count_code_points(id);
  if (chars > kMaxEventIdChars) {
    return reject(why, RejectReason::kInvalidValue, "event_id", "has ", std::to_string(chars),
                  " characters; at most 128 are allowed");
  }
  return true;
}

bool check_type(EventType type, Rejection* why) {
  if (static_cast<std::size_t>(type) < kEventTypeNames.size()) return true;
  return reject(why, RejectReason::kUnknownType, "type",
                "value " + std::to_string(static_cast<unsigned>(type)),
                " is not one of the eight event types");
}

// A required identifier (ticket_id, turn_id, …) must not be empty.
bool check_id(std::string_view field, std::string_view value, EventType type, Rejection* why) {
  if (!value.empty()) return true;
  return reject(why, RejectReason::kInvalidValue, field, "must not be empty (required for ",
                name_of(type), ")");
}

bool check_instant(std::string_view field, Instant t, Rejection* why) {
  if (t >= kFirstInstant && t <= kLastInstant) return true;
  constexpr std::int64_t kPrintable = 1'000'000LL * kMicrosPerDay;  // ±2700 years
  const std::string where = t.us > -kPrintable && t.us < kPrintable
                                ? "local date " + format_date(local_date(t))
                                : std::to_string(t.us) + " \u00b5s since the epoch";
  return reject(why, RejectReason::kTimestampOutOfRange, field, where, " is outside ",
                format_date(local_date(kFirstInstant)), "..", format_date(local_date(kLastInstant)),
                " (America/Bogota)");
}

bool check_order(std::string_view early_field, Instant early, std::string_view late_field,
                 Instant late, Rejection* why) {
  if (early <= late) return true;
  return reject(why, RejectReason::kTimeOrder, early_field, "must not be after ", late_field);
}

// window.served: arrived_at <= started_at <= occurred_at.
bool check_window_times(const Event& e, Rejection* why) {
  const Instant started = e.started_at.value_or(e.arrived_at);
  return check_order("arrived_at", e.arrived_at, "started_at", started, why) &&
         check_order("started_at", started, "occurred_at", e.occurred_at, why);
}

// visit.completed: started_at (optional) <= occurred_at.
bool check_visit_times(const Event& e, Rejection* why) {
  return !e.started_at ||
         check_order("started_at", *e.started_at, "occurred_at", e.occurred_at, why);
}

bool check_period(YearMonth period, Rejection* why) {
  if (period >= kFirstPeriod && period <= kLastPeriod) return true;
  if (period == detail::kInvalidPeriod) {
    return reject(why, RejectReason::kInvalidPeriod, "period", "not a valid year and month");
  }
  return reject(why, RejectReason::kInvalidPeriod, "period", format_year_month(period),
                " is outside ", format_year_month(kFirstPeriod), "..",
                format_year_month(kLastPeriod));
}

bool reject_negative(Rejection* why, std::string_view field) {
  return reject(why, RejectReason::kNegativeAmount, field, "must not be negative");
}

bool reject_too_large(Rejection* why, std::string_view field) {
  return reject(why, RejectReason::kAmountOutOfRange, field, "must be below 10^13 pesos");
}

// 0 <= cents < 10^13 pesos.
bool check_amount(std::string_view field, Cents cents, Rejection* why) {
  if (cents < 0) return reject_negative(why, field);
  if (cents >= kMaxCents) return reject_too_large(why, field);
  return true;
}

bool check_reform_amount(Cents cents, Rejection* why) {
  if (cents > 0) return true;
  return reject(why, RejectReason::kAmountNotPositive, "amount",
                "must be greater than 0 for bill.reformed");
}

// Protobuf enums: 0 (UNSPECIFIED) is how proto3 says "absent"; values beyond the
// vocabulary (kept by from_proto as kInvalidEnumValue or the wire value) are invalid.
template <typename Enum, std::size_t N>
bool check_enum(std::string_view field, Enum value, const std::array<std::string_view, N>& names,
                std::optional<EventType> required_for, Rejection* why) {
  const auto index = static_cast<std::size_t>(value);
  if (index == 0) return !required_for || reject_missing(why, field, required_for);
  if (index < N) return true;
  return reject(why, RejectReason::kInvalidEnum, field, "enum value is not one of ", joined(names));
}

constexpr std::array<std::string_view, kServiceCount> kAmountFields = {"amounts.acueducto",
                                                                       "amounts.alcantarillado"};

// The type-specific rules of validate(), in the order of the tables of design.md §4.
bool validate_body(const Event& e, Rejection* why) {
  const EventType t = e.type;
  switch (t) {
    case EventType::kPqrFiled:
      return check_id("ticket_id", e.ticket_id, t, why) &&
             check_enum("kind", e.kind, kPqrKindNames, t, why) &&
             check_enum("channel", e.channel, kChannelNames, t, why) &&
             check_enum("service", e.service, kServiceNames, std::nullopt, why);
    case EventType::kPqrAnswered:
      return check_id("ticket_id", e.ticket_id, t, why) &&
             check_enum("outcome", e.outcome, kOutcomeNames, t, why);
    case EventType::kPqrMisfiled:
      return check_id("ticket_id", e.ticket_id, t, why);
    case EventType::kWindowServed:
      return check_id("turn_id", e.turn_id, t, why) && check_id("office", e.office, t, why) &&
             check_instant("arrived_at", e.arrived_at, why) &&
             (e.started_at.has_value() || reject_missing(why, "started_at", t)) &&
             check_instant("started_at", *e.started_at, why) && check_window_times(e, why);
    case EventType::kVisitRequested:
      return check_id("visit_id", e.visit_id, t, why);
    case EventType::kVisitCompleted:
      return check_id("visit_id", e.visit_id, t, why) &&
             (!e.started_at || check_instant("started_at", *e.started_at, why)) &&
             check_visit_times(e, why);
    case EventType::kBillIssued:
      if (!check_id("bill_id", e.bill_id, t, why) ||
          !check_id("subscriber_id", e.subscriber_id, t, why) || !check_period(e.period, why)) {
        return false;
      }
      for (std::size_t s = 0; s < e.amounts.size(); ++s) {
        if (e.amounts[s] && !check_amount(kAmountFields[s], *e.amounts[s], why)) return false;
      }
      return true;
    case EventType::kBillReformed:
      return check_id("bill_id", e.bill_id, t, why) &&
             check_id("subscriber_id", e.subscriber_id, t, why) &&
             check_enum("service", e.service, kServiceNames, t, why) &&
             check_amount("amount", e.amount, why) && check_reform_amount(e.amount, why);
  }
  return check_type(t, why);
}

// ---------------------------------------------------------------------------------
// The SAX handler: records what the record holds, decides nothing.

enum class JsonKind : std::uint8_t { kNotSeen, kNull, kString, kNumber, kBool, kObject, kArray };

std::string_view kind_name(JsonKind k) {
  constexpr std::array<std::string_view, 7> kNames = {
      "nothing", "null", "a string", "a number", "a boolean", "an object", "an array"};
  return kNames[static_cast<std::size_t>(k)];
}

// Every top-level field of any event type.
enum class Field : std::uint8_t {
  kEventId,
  kType,
  kOccurredAt,
  kSource,
  kTicketId,
  kKind,
  kChannel,
  kSubscriberId,
  kService,
  kCausal,
  kOffice,
  kOutcome,
  kInternalError,
  kReason,
  kTurnId,
  kArrivedAt,
  kStartedAt,
  kVisitId,
  kBillId,
  kPeriod,
  kAmounts,
  kAmount,
};
constexpr std::size_t kFieldCount = 22;
constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "event_id",       "type",          "occurred_at", "source",     "ticket_id",  "kind",
    "channel",        "subscriber_id", "service",     "causal",     "office",     "outcome",
    "internal_error", "reason",        "turn_id",     "arrived_at", "started_at", "visit_id",
    "bill_id",        "period",        "amounts",     "amount"};

constexpr std::string_view name_of(Field f) {
  return kFieldNames[static_cast<std::size_t>(f)];
}

// field_named() finds a key's field with one table probe: the slot is a hash of the
// key's size, first byte and last-but-one byte, collision-free over the field names
// (checked at compile time below), and one compare of at most two words confirms it.
constexpr std::size_t kFieldSlots = 32;
constexpr std::size_t field_slot(std::string_view key) {
  return (key.size() + static_cast<unsigned char>(key[0]) +
          static_cast<unsigned char>(key[key.size() - 2]) * 13u) %
         kFieldSlots;
}

struct FieldSlot {
  std::array<char, 16> name{};  // NUL-padded: two 8-byte loads always stay inside
  std::uint8_t size = 0;        // 0 = no field hashes here
  Field field = Field::kEventId;
};

constexpr std::array<FieldSlot, kFieldSlots> field_slots() {
  std::array<FieldSlot, kFieldSlots> slots{};
  for (std::size_t i = 0; i < kFieldCount; ++i) {
    const std::string_view name = kFieldNames[i];
    FieldSlot& slot = slots[field_slot(name)];
    if (slot.size != 0 || name.size() < 4 || name.size() > slot.name.size()) return {};
    for (std::size_t k = 0; k < name.size(); ++k) slot.name[k] = name[k];
    slot.size = static_cast<std::uint8_t>(name.size());
    slot.field = static_cast<Field>(i);
  }
  return slots;
}
constexpr std::array<FieldSlot, kFieldSlots> kFieldSlotTable = field_slots();

// Whether key equals the slot's name, both of size 4..16: the first and the last 8 (or
// 4) bytes of each, which overlap for shorter names.
inline bool same_name(std::string_view key, const FieldSlot& slot) {
  const std::size_t n = key.size();
  const char* a = key.data();
  const char* b = slot.name.data();
  if (n >= 8) return load_u64(a) == load_u64(b) && load_u64(a + n - 8) == load_u64(b + n - 8);
  return load_u32(a) == load_u32(b) && load_u32(a + n - 4) == load_u32(b + n - 4);
}

// Called for every top-level key.
constexpr std::optional<Field> field_named(std::string_view key) {
  if (key.size() < 4 || key.size() > 16) return std::nullopt;
  const FieldSlot& slot = kFieldSlotTable[field_slot(key)];
  if (slot.size != key.size()) return std::nullopt;
  if (std::is_constant_evaluated()) {
    if (key != std::string_view(slot.name.data(), slot.size)) return std::nullopt;
  } else if (!same_name(key, slot)) {
    return std::nullopt;
  }
  return slot.field;
}

constexpr bool field_named_knows_every_field() {
  for (std::size_t i = 0; i < kFieldCount; ++i) {
    if (field_named(kFieldNames[i]) != static_cast<Field>(i)) return false;
  }
  return true;
}
static_assert(field_named_knows_every_field());

// What the record holds for one field.
struct Slot {
  std::uint64_t record = 0;            // the Handler::record_number_ it was last set in
  JsonKind kind = JsonKind::kNotSeen;  // meaningful only when `record` is current
  bool boolean = false;
  std::string_view text;  // string content or number literal; into the record or `scratch`
  std::string scratch;    // reused across records: holds unescaped or split text
};

// What a record holds for one field, as the Reader sees it.
struct Value {
  JsonKind kind = JsonKind::kNotSeen;
  bool boolean = false;
  std::string_view text;
};

// The keys of one object that the handler does not otherwise track, to find a
// duplicate once the object is complete (sorting: no quadratic worst case).
class KeySet {
 public:
  void clear() {
    refs_.clear();
    arena_.clear();
  }

  // Keys inside the record are kept as offsets; others (unescaped) are copied.
  void add(std::string_view key, std::string_view record, bool in_record) {
    if (in_record) {
      refs_.push_back({static_cast<std::size_t>(key.data() - record.data()), key.size(), false});
    } else {
      refs_.push_back({arena_.size(), key.size(), true});
      arena_.append(key);
    }
  }

  // The smallest key added more than once, if any.
  std::optional<std::string_view> duplicate(std::string_view record) {
    if (refs_.size() < 2) return std::nullopt;
    const auto view = [&](const Ref& r) {
      return (r.in_arena ? std::string_view(arena_) : record).substr(r.offset, r.size);
    };
    if (refs_.size() == 2) {  // the common case (a bill's estrato and consumo_m3): no sort
      const std::string_view a = view(refs_[0]);
      if (a == view(refs_[1])) return a;
      return std::nullopt;
    }
    views_.clear();
    for (const Ref& r : refs_) views_.push_back(view(r));
    std::sort(views_.begin(), views_.end());
    const auto it = std::adjacent_find(views_.begin(), views_.end());
    if (it == views_.end()) return std::nullopt;
    return *it;
  }

 private:
  struct Ref {
    std::size_t offset;
    std::size_t size;
    bool in_arena;
  };
  std::vector<Ref> refs_;
  std::string arena_;
  std::vector<std::string_view> views_;
};

using boost::json::error_code;
using JsonText = boost::json::string_view;

class Handler {
 public:
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);

  // Prepares for one record; buffers keep their capacity.
  void begin(std::string_view record) {
    record_ = record;
    depth_ = 0;
    top_ = JsonKind::kNotSeen;
    target_ = Target::kIgnore;
    index_ = 0;
    in_parts_ = false;
    amounts_open_ = false;
    duplicate_ = {};
    amounts_duplicate_ = {};
    amounts_unknown_ = false;
    ++record_number_;  // marks every slot as not seen, without touching them
    top_keys_.clear();
    amounts_keys_.clear();
  }

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) { return open(JsonKind::kObject); }
  bool on_object_end(std::size_t, error_code&) { return close(); }
  bool on_array_begin(error_code&) { return open(JsonKind::kArray); }
  bool on_array_end(std::size_t, error_code&) { return close(); }
  bool on_key_part(JsonText s, std::size_t, error_code&) {
    if (keys_matter()) add_part(&key_scratch_, s);
    return true;
  }
  bool on_key(JsonText s, std::size_t, error_code&) {
    // Hot path: a key in one piece, at the top level or in a bill's amounts. Keys that
    // came in pieces (from Boost.JSON) are kept out of line so that this stays small (it
    // runs for every key of every record).
    const std::string_view k(s.data(), s.size());
    if (depth_ == 1 && !in_parts_) {
      top_key(k);
    } else if (depth_ == 2 && amounts_open_ && !in_parts_) {
      amounts_key(k);
    } else if (keys_matter()) {
      key_in_pieces(finish(&key_scratch_, s));
    }
    return true;
  }
  bool on_string_part(JsonText s, std::size_t, error_code&) { return part(s); }
  bool on_string(JsonText s, std::size_t, error_code&) { return scalar(JsonKind::kString, s); }
  bool on_number_part(JsonText s, error_code&) { return part(s); }
  // Numbers are kept as their literal text: parse_amount reads it exactly.
  bool on_int64(std::int64_t, JsonText s, error_code&) { return number(s); }
  bool on_uint64(std::uint64_t, JsonText s, error_code&) { return number(s); }
  bool on_double(double, JsonText s, error_code&) { return number(s); }
  bool number(JsonText s) { return scalar(JsonKind::kNumber, s); }
  // From SimpleScanner: a string's content or a number's literal, whole and lying in the
  // record (what scalar() would keep, without its checks for pieces and copies).
  bool whole_in_record(JsonKind kind, JsonText s) {
    if (depth_ == 0) {
      top_ = kind;
    } else if (Slot* slot = value_slot()) {
      mark(slot, kind);
      slot->text = {s.data(), s.size()};
    }
    return true;
  }
  bool on_bool(bool b, error_code&) {
    if (Slot* slot = value_slot()) slot->boolean = b;
    return scalar(JsonKind::kBool, {});
  }
  bool on_null(error_code&) { return scalar(JsonKind::kNull, {}); }
  bool on_comment_part(JsonText, error_code&) { return true; }
  bool on_comment(JsonText, error_code&) { return true; }

  // After a successful parse.
  JsonKind top() const { return top_; }
  Value field(Field f) const { return value_of(fields_[static_cast<std::size_t>(f)]); }
  Value amount(std::size_t service_index) const { return value_of(amounts_[service_index]); }
  // A top-level key given twice (a known field first, else the smallest unknown key).
  std::optional<std::string_view> duplicate() {
    if (!duplicate_.empty()) return duplicate_;
    return top_keys_.duplicate(record_);
  }
  std::optional<std::string_view> amounts_duplicate() {
    if (!amounts_duplicate_.empty()) return amounts_duplicate_;
    return amounts_keys_.duplicate(record_);
  }
  // The first key of `amounts` that is not a service.
  std::optional<std::string_view> amounts_unknown_key() const {
    if (!amounts_unknown_) return std::nullopt;
    return std::string_view(amounts_bad_key_);
  }

 private:
  enum class Target : std::uint8_t { kIgnore, kField, kAmount };

  bool seen(const Slot& s) const { return s.record == record_number_; }
  Value value_of(const Slot& s) const {
    if (!seen(s)) return {};
    return {s.kind, s.boolean, s.text};
  }
  void mark(Slot* s, JsonKind kind) const {
    s->record = record_number_;
    s->kind = kind;
  }

  // Keys matter in the top-level object (depth 1) and in `amounts` (depth 2).
  bool keys_matter() const { return depth_ == 1 || (depth_ == 2 && amounts_open_); }

  // The slot the value being parsed belongs to, or nullptr when it is ignored.
  Slot* value_slot() {
    if (depth_ == 1 && target_ == Target::kField) return &fields_[index_];
    if (depth_ == 2 && amounts_open_ && target_ == Target::kAmount) return &amounts_[index_];
    return nullptr;
  }

  bool in_record(JsonText s) const {
    const std::less_equal<const char*> le;
    return le(record_.data(), s.data()) && le(s.data() + s.size(), record_.data() + record_.size());
  }

  void add_part(std::string* buffer, JsonText s) {
    if (!in_parts_) {
      buffer->clear();
      in_parts_ = true;
    }
    buffer->append(s.data(), s.size());
  }

  // The complete text: the record itself when it came in one piece from the record,
  // else the buffer (the parser's own unescaping buffer does not outlive the call).
  std::string_view finish(std::string* buffer, JsonText s) {
    if (!in_parts_) {
      if (in_record(s)) return {s.data(), s.size()};
      buffer->assign(s.data(), s.size());
      return *buffer;
    }
    buffer->append(s.data(), s.size());
    in_parts_ = false;
    return *buffer;
  }

  bool part(JsonText s) {
    if (Slot* slot = value_slot()) add_part(&slot->scratch, s);
    return true;
  }

  bool scalar(JsonKind kind, JsonText s) {
    if (depth_ == 0) {
      top_ = kind;
    } else if (Slot* slot = value_slot()) {
      mark(slot, kind);
      slot->text = kind == JsonKind::kString || kind == JsonKind::kNumber
                       ? finish(&slot->scratch, s)
                       : std::string_view();
    }
    return true;
  }

  bool open(JsonKind kind) {
    if (depth_ == 0) {
      top_ = kind;
    } else if (Slot* slot = value_slot()) {
      mark(slot, kind);
      if (depth_ == 1 && kind == JsonKind::kObject &&
          index_ == static_cast<std::size_t>(Field::kAmounts)) {
        amounts_open_ = true;
      }
    }
    ++depth_;
    return true;
  }

  bool close() {
    --depth_;
    if (depth_ == 1) amounts_open_ = false;
    return true;
  }

  void known_key(Field f) {
    index_ = static_cast<std::size_t>(f);
    if (seen(fields_[index_]) && duplicate_.empty()) duplicate_ = name_of(f);
    target_ = Target::kField;
  }

  void top_key(std::string_view k) {
    if (const std::optional<Field> f = field_named(k)) return known_key(*f);
    unknown_key(&top_keys_, k);
  }
  void amounts_key(std::string_view k) {
    if (service_key(k)) return;
    if (!amounts_unknown_) {
      amounts_unknown_ = true;
      amounts_bad_key_.assign(k);
    }
    unknown_key(&amounts_keys_, k);
  }
  // A key that came in pieces, whole now.
  [[gnu::noinline]] void key_in_pieces(std::string_view k) {
    if (depth_ == 1) return top_key(k);
    amounts_key(k);
  }
  // A key the event does not read: kept to find duplicates, its value ignored.
  [[gnu::noinline]] void unknown_key(KeySet* keys, std::string_view k) {
    keys->add(k, record_, in_record({k.data(), k.size()}));
    target_ = Target::kIgnore;
  }

  // A key of `amounts` that names a service; false for any other.
  bool service_key(std::string_view k) {
    constexpr std::string_view kAcueducto = kServiceNames[1];
    constexpr std::string_view kAlcantarillado = kServiceNames[2];
    static_assert(kServiceNames.size() == 3 && kAcueducto.size() == 9 &&
                  kAlcantarillado.size() == 14);
    if (k.size() == 9 && std::memcmp(k.data(), kAcueducto.data(), 9) == 0) {
      service_key(Service::kAcueducto);
      return true;
    }
    if (k.size() == 14 && std::memcmp(k.data(), kAlcantarillado.data(), 14) == 0) {
      service_key(Service::kAlcantarillado);
      return true;
    }
    return false;
  }
  void service_key(Service service) {
    index_ = static_cast<std::size_t>(service) - 1;
    if (seen(amounts_[index_]) && amounts_duplicate_.empty()) {
      amounts_duplicate_ = name_of(service);
    }
    target_ = Target::kAmount;
  }

  std::string_view record_;
  std::size_t depth_ = 0;  // containers currently open
  JsonKind top_ = JsonKind::kNotSeen;
  Target target_ = Target::kIgnore;  // where the next value at depth 1 (or in amounts) goes
  std::size_t index_ = 0;            // its Field, or service index in amounts
  bool in_parts_ = false;            // a key/string/number is arriving in pieces
  bool amounts_open_ = false;        // inside the top-level `amounts` object
  std::string_view duplicate_;       // a known field given twice (static name)
  std::string_view amounts_duplicate_;
  bool amounts_unknown_ = false;
  std::string amounts_bad_key_;
  std::string key_scratch_;
  std::uint64_t record_number_ = 0;  // 64 bits: never wraps onto a stale slot
  std::array<Slot, kFieldCount> fields_;
  std::array<Slot, kServiceCount> amounts_;
  KeySet top_keys_;
  KeySet amounts_keys_;
};

// ---------------------------------------------------------------------------------
// The fast path: a scanner for plain records.
//
// Nearly every record is plain: ASCII, no escapes, numbers without exponents, a few
// levels of nesting. SimpleScanner reads such a record straight into the Handler, making
// the calls Boost.JSON's parser would make with the same texts (a string or a number
// through whole_in_record, which keeps what on_string / on_int64 … would keep for a
// text that is whole and in the record), with fewer instructions (a whole bill.issued
// decode: ~4,600 instructions against ~5,740, callgrind). It reads a copy of the record
// followed by NUL bytes, so that no step checks for the end of the input.
// It answers false as soon as it meets anything else (an escape, a control character,
// an exponent, deeper nesting, anything malformed, a top level that is not an object);
// decode_json then parses the record again with Boost.JSON, which stays the reference
// for everything beyond the plain subset and for every error. tests/unit/core and the
// decode_json fuzzer check the two paths give the same outcome on any input.

class SimpleScanner {
 public:
  // Bytes after the record that must be readable and NUL: no token is NUL, so the
  // scanner needs no end-of-input checks (a NUL stops every loop and fails every
  // expected token), and a 16-byte load never leaves the buffer.
  static constexpr std::size_t kPadding = 16;

  // `record` lies in a buffer with kPadding NUL bytes after it. max_depth: the decoder's
  // limit; the scanner leaves records that reach it to Boost.
  SimpleScanner(std::string_view record, Handler& h, std::size_t max_depth)
      : p_(record.data()),
        end_(record.data() + record.size()),
        h_(h),
        max_depth_(std::min(max_depth, kMaxDepth)) {}

  // Answers false for any byte >= 0x80 (in a string it is UTF-8 for Boost.JSON to check;
  // anywhere else it is malformed), so what it accepts is ASCII.
  bool run() {
    skip_whitespace();
    if (*p_ != '{' || !object(1)) return false;
    skip_whitespace();
    return p_ == end_;
  }

 private:
  static constexpr std::size_t kMaxDepth = 8;
  static constexpr std::size_t kMaxNumberBytes = 32;

  static bool whitespace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
  void skip_whitespace() {
    while (whitespace(*p_)) ++p_;
  }
  // Whether the next token is `c`, skipping whitespace only when it is not there at once
  // (records are usually compact: one compare instead of a whitespace loop per token).
  bool next_is(char c) {
    if (*p_ == c) return true;
    skip_whitespace();
    return *p_ == c;
  }

  static bool digit(char c) { return c >= '0' && c <= '9'; }

  // The offset in the 16 bytes at p of the first '"', '\\', control character (NUL
  // included) or byte >= 0x80, or 16.
  static unsigned special_in_16(const char* p) {
#ifdef __SSE2__
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i special = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
        _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));  // signed: bytes >= 0x80 are below too
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(special));
    return mask == 0 ? 16 : static_cast<unsigned>(std::countr_zero(mask));
#else
    for (unsigned i = 0; i < 16; ++i) {
      const auto c = static_cast<unsigned char>(p[i]);
      if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) return i;
    }
    return 16;
#endif
  }

  // p_ at the opening quote. An ASCII string without escapes or control characters.
  // The scan stops at the latest at the NUL after the record.
  bool string(JsonText* out) {
    const char* const begin = ++p_;
    for (;;) {
      const unsigned at = special_in_16(p_);
      p_ += at;
      if (at != 16) break;
    }
    if (*p_ != '"') return false;  // an escape, a control or a non-ASCII byte, the end
    *out = JsonText(begin, static_cast<std::size_t>(p_ - begin));
    ++p_;
    return true;
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)? — exponents are left to Boost (it rejects huge ones).
  bool number(JsonText* out) {
    const char* const begin = p_;
    if (*p_ == '-') ++p_;
    if (!digit(*p_)) return false;
    if (*p_++ != '0') {
      while (digit(*p_)) ++p_;
    }
    if (*p_ == '.') {
      const char* const fraction = ++p_;
      while (digit(*p_)) ++p_;
      if (p_ == fraction) return false;
    }
    if (*p_ == 'e' || *p_ == 'E') return false;
    const auto size = static_cast<std::size_t>(p_ - begin);
    if (size > kMaxNumberBytes) return false;
    *out = JsonText(begin, size);
    return true;
  }

  // true, false, null: the padding makes their bytes readable.
  bool word(std::string_view w) {
    if (std::memcmp(p_, w.data(), w.size()) != 0) return false;
    p_ += w.size();
    return true;
  }

  // A value at nesting `depth` (its container's depth if it is one). Strings and numbers,
  // nearly every value, are read here without a call.
  bool value(std::size_t depth) {
    JsonText text;
    const char c = *p_;
    if (c == '"') return string(&text) && h_.whole_in_record(JsonKind::kString, text);
    if (digit(c) || c == '-') return number(&text) && h_.whole_in_record(JsonKind::kNumber, text);
    return other_value(depth);
  }

  bool other_value(std::size_t depth) {
    error_code ec;
    switch (*p_) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case 't':
        return word("true") && h_.on_bool(true, ec);
      case 'f':
        return word("false") && h_.on_bool(false, ec);
      case 'n':
        return word("null") && h_.on_null(ec);
      default:
        return false;
    }
  }

  // p_ at '{'; the object is at nesting `depth` (the top level is 1).
  bool object(std::size_t depth) {
    if (depth >= max_depth_) return false;
    error_code ec;
    ++p_;
    h_.on_object_begin(ec);
    if (next_is('}')) {
      ++p_;
      return h_.on_object_end(0, ec);
    }
    for (;;) {
      JsonText key;
      if (*p_ != '"' || !string(&key)) return false;
      h_.on_key(key, key.size(), ec);
      if (!next_is(':')) return false;
      ++p_;
      if (static_cast<unsigned char>(*p_) <= ' ') skip_whitespace();
      if (!value(depth + 1)) return false;
      if (next_is(',')) {
        ++p_;
        if (!next_is('"')) return false;
        continue;
      }
      if (*p_ != '}') return false;
      ++p_;
      return h_.on_object_end(0, ec);
    }
  }

  bool array(std::size_t depth) {
    if (depth >= max_depth_) return false;
    error_code ec;
    ++p_;
    h_.on_array_begin(ec);
    if (next_is(']')) {
      ++p_;
      return h_.on_array_end(0, ec);
    }
    for (;;) {
      if (!value(depth + 1)) return false;
      if (next_is(']')) {
        ++p_;
        return h_.on_array_end(0, ec);
      }
      if (*p_++ != ',') return false;
      skip_whitespace();
    }
  }

  const char* p_;
  const char* const end_;
  Handler& h_;
  const std::size_t max_depth_;
};

// ---------------------------------------------------------------------------------
// Reading the recorded fields into an Event, applying the contract.

enum class Need : bool { kOptional, kRequired };

class Reader {
 public:
  Reader(Handler& h, Rejection* why) : h_(h), why_(why) {}

  bool read(Event* e) {
    e_ = e;
    return common() && body() && times();
  }

 private:
  Value slot(Field f) const { return h_.field(f); }

  // The event's strings are empty here (decode_json reset it), so appending is
  // assigning, by a shorter path than assign's (which allows for overlap).
  static void set_text(std::string* out, std::string_view v) {
    assert(out->empty());
    out->append(v.data(), v.size());
  }

  bool wrong_type(std::string_view field, std::string_view expected, JsonKind got) {
    return reject(why_, RejectReason::kWrongType, field, "must be ", expected, ", got ",
                  kind_name(got));
  }

  // A string field: nullopt when absent or null (missing_field if required).
  bool text(Field f, Need need, std::optional<std::string_view>* out) {
    const Value s = slot(f);
    if (s.kind == JsonKind::kString) [[likely]] {
      *out = s.text;
      return true;
    }
    if (s.kind == JsonKind::kNotSeen || s.kind == JsonKind::kNull) {
      *out = std::nullopt;
      return need == Need::kOptional || reject_missing(why_, name_of(f), type_);
    }
    return wrong_type(name_of(f), "a string", s.kind);
  }

  bool id(Field f, std::string* out) {
    std::optional<std::string_view> v;
    if (!text(f, Need::kRequired, &v)) return false;
    set_text(out, *v);
    return check_id(name_of(f), *out, *type_, why_);
  }

  bool optional_text(Field f, std::string* out) {
    std::optional<std::string_view> v;
    if (!text(f, Need::kOptional, &v)) return false;
    if (v) set_text(out, *v);
    return true;
  }

  template <typename Enum, std::size_t N>
  bool vocabulary(Field f, Need need, const std::array<std::string_view, N>& names, Enum* out) {
    std::optional<std::string_view> v;
    if (!text(f, need, &v)) return false;
    if (!v) return true;
    if (const std::optional<Enum> e = enum_from_name<Enum>(names, *v)) {
      *out = *e;
      return true;
    }
    return reject(why_, RejectReason::kInvalidEnum, name_of(f), quoted(*v), " is not one of ",
                  joined(names));
  }

  bool instant(Field f, Need need, Instant* out, bool* present) {
    std::optional<std::string_view> v;
    if (!text(f, need, &v)) return false;
    *present = v.has_value();
    if (!v) return true;
    std::string problem;
    const std::optional<Instant> t = parse_rfc3339(*v, &problem);
    if (!t) return reject(why_, RejectReason::kInvalidTimestamp, name_of(f), problem);
    *out = *t;
    return check_instant(name_of(f), *t, why_);
  }

  bool optional_instant(Field f, Need need, std::optional<Instant>* out) {
    Instant t;
    bool present = false;
    if (!instant(f, need, &t, &present)) return false;
    if (present) *out = t;
    return true;
  }

  bool amount(const Value& s, std::string_view field, Need need, std::optional<Cents>* out) {
    Cents cents = 0;
    switch (s.kind) {
      case JsonKind::kNotSeen:
      case JsonKind::kNull:
        return need == Need::kOptional || reject_missing(why_, field, type_);
      case JsonKind::kNumber:
      case JsonKind::kString:
        if (!parse_amount(s.text, s.kind == JsonKind::kNumber, &cents, why_, field)) return false;
        *out = cents;
        return true;
      default:
        return wrong_type(field, "a number or a decimal string", s.kind);
    }
  }

  bool flag(Field f, std::optional<bool>* out) {
    const Value s = slot(f);
    if (s.kind == JsonKind::kNotSeen || s.kind == JsonKind::kNull) return true;
    if (s.kind != JsonKind::kBool) return wrong_type(name_of(f), "true or false", s.kind);
    *out = s.boolean;
    return true;
  }

  bool common() {
    std::optional<std::string_view> v;
    if (!text(Field::kEventId, Need::kRequired, &v)) return false;
    set_text(&e_->event_id, *v);
    if (!check_event_id(e_->event_id, why_)) return false;
    if (!text(Field::kType, Need::kRequired, &v)) return false;
    const std::optional<EventType> type = enum_from_name<EventType>(kEventTypeNames, *v);
    if (!type) {
      return reject(why_, RejectReason::kUnknownType, "type", quoted(*v),
                    " is not one of the eight event types");
    }
    e_->type = *type;
    bool present = false;
    if (!instant(Field::kOccurredAt, Need::kRequired, &e_->occurred_at, &present)) return false;
    if (!optional_text(Field::kSource, &e_->source)) return false;
    type_ = *type;
    return true;
  }

  bool body() {
    Event& e = *e_;
    constexpr Need kReq = Need::kRequired;
    constexpr Need kOpt = Need::kOptional;
    switch (e.type) {
      case EventType::kPqrFiled:
        return id(Field::kTicketId, &e.ticket_id) &&
               vocabulary(Field::kKind, kReq, kPqrKindNames, &e.kind) &&
               vocabulary(Field::kChannel, kReq, kChannelNames, &e.channel) &&
               optional_text(Field::kSubscriberId, &e.subscriber_id) &&
               vocabulary(Field::kService, kOpt, kServiceNames, &e.service) &&
               optional_text(Field::kCausal, &e.causal) && optional_text(Field::kOffice, &e.office);
      case EventType::kPqrAnswered:
        return id(Field::kTicketId, &e.ticket_id) &&
               vocabulary(Field::kOutcome, kReq, kOutcomeNames, &e.outcome) &&
               flag(Field::kInternalError, &e.internal_error);
      case EventType::kPqrMisfiled:
        return id(Field::kTicketId, &e.ticket_id) && optional_text(Field::kReason, &e.reason);
      case EventType::kWindowServed: {
        bool present = false;
        return id(Field::kTurnId, &e.turn_id) && id(Field::kOffice, &e.office) &&
               instant(Field::kArrivedAt, kReq, &e.arrived_at, &present) &&
               optional_instant(Field::kStartedAt, kReq, &e.started_at);
      }
      case EventType::kVisitRequested:
        return id(Field::kVisitId, &e.visit_id) && optional_text(Field::kTicketId, &e.ticket_id);
      case EventType::kVisitCompleted:
        return id(Field::kVisitId, &e.visit_id) && optional_text(Field::kTicketId, &e.ticket_id) &&
               optional_instant(Field::kStartedAt, kOpt, &e.started_at);
      case EventType::kBillIssued:
        return id(Field::kBillId, &e.bill_id) && id(Field::kSubscriberId, &e.subscriber_id) &&
               period() && amounts();
      case EventType::kBillReformed: {
        std::optional<Cents> cents;
        if (!id(Field::kBillId, &e.bill_id) || !id(Field::kSubscriberId, &e.subscriber_id) ||
            !vocabulary(Field::kService, kReq, kServiceNames, &e.service) ||
            !amount(slot(Field::kAmount), "amount", kReq, &cents)) {
          return false;
        }
        e.amount = *cents;
        return check_reform_amount(e.amount, why_) &&
               optional_text(Field::kTicketId, &e.ticket_id) &&
               optional_text(Field::kReason, &e.reason);
      }
    }
    return false;
  }

  bool times() {
    if (e_->type == EventType::kWindowServed) return check_window_times(*e_, why_);
    if (e_->type == EventType::kVisitCompleted) return check_visit_times(*e_, why_);
    return true;
  }

  bool period() {
    std::optional<std::string_view> v;
    if (!text(Field::kPeriod, Need::kRequired, &v)) return false;
    const std::optional<YearMonth> p = parse_year_month(*v);
    if (!p) {
      return reject(why_, RejectReason::kInvalidPeriod, "period", quoted(*v),
                    " is not YYYY-MM with a month 01..12");
    }
    e_->period = *p;
    return check_period(*p, why_);
  }

  bool amounts() {
    const Value s = slot(Field::kAmounts);
    if (s.kind == JsonKind::kNotSeen || s.kind == JsonKind::kNull) {
      return reject_missing(why_, "amounts", type_);
    }
    if (s.kind != JsonKind::kObject) {
      return wrong_type("amounts", "an object mapping acueducto/alcantarillado to amounts", s.kind);
    }
    if (const std::optional<std::string_view> d = h_.amounts_duplicate()) {
      return reject(why_, RejectReason::kDuplicateField, "amounts." + std::string(*d),
                    "key appears more than once");
    }
    if (const std::optional<std::string_view> k = h_.amounts_unknown_key()) {
      return reject(why_, RejectReason::kInvalidEnum, "amounts", "key ", quoted(*k),
                    " is not one of ", joined(kServiceNames));
    }
    for (std::size_t i = 0; i < e_->amounts.size(); ++i) {
      if (!amount(h_.amount(i), kAmountFields[i], Need::kOptional, &e_->amounts[i])) return false;
    }
    return true;
  }

  Handler& h_;  // non-const: finding duplicates sorts its scratch list
  Rejection* why_;
  Event* e_ = nullptr;
  std::optional<EventType> type_;  // set once the common fields are read
};

boost::json::parse_options parse_options_for(const DecoderLimits& limits) {
  boost::json::parse_options options;
  options.max_depth = limits.max_depth;
  return options;  // strict JSON: no comments, no trailing commas, UTF-8 checked
}

bool reject_malformed(std::string_view record, const error_code& ec, std::size_t max_depth,
                      Rejection* why) {
  const std::size_t bad = first_invalid_utf8(record);
  if (bad != std::string_view::npos) {
    return reject(why, RejectReason::kInvalidUtf8, "record", "byte " + std::to_string(bad),
                  " is not part of a valid UTF-8 sequence");
  }
  if (ec == boost::json::error::too_deep) {
    return reject(why, RejectReason::kNestingTooDeep, "record",
                  "arrays and objects nest deeper than " + std::to_string(max_depth), " levels");
  }
  if (!ec) {
    return reject(why, RejectReason::kInvalidJson, "record",
                  "unexpected data after the JSON value");
  }
  if (ec == boost::json::error::exponent_overflow) {
    return reject(why, RejectReason::kInvalidJson, "record",
                  "a number's exponent is too large to parse");
  }
  return reject(why, RejectReason::kInvalidJson, "record", "not well-formed JSON (", ec.message(),
                ")");
}

bool reject_record_size(std::size_t size, std::size_t limit, Rejection* why) {
  return reject(why, RejectReason::kRecordTooLarge, "record", std::to_string(size),
                " bytes exceed the limit of " + std::to_string(limit), " bytes");
}

// Protobuf shapes an Event cannot hold: bill lines without a known service, or two
// lines for one service.
bool check_bill_lines(const pqrflow::v1::Event& m, Rejection* why) {
  if (m.body_case() != pqrflow::v1::Event::kBillIssued) return true;
  std::array<bool, kServiceCount> seen{};
  for (const pqrflow::v1::BillLine& line : m.bill_issued().lines()) {
    const int s = line.service();
    if (s < 1 || s > kServiceCount) {
      return reject(why, RejectReason::kInvalidEnum, "amounts",
                    "bill line service " + std::to_string(s), " is not one of ",
                    joined(kServiceNames));
    }
    if (seen[static_cast<std::size_t>(s - 1)]) {
      return reject(why, RejectReason::kDuplicateField,
                    kAmountFields[static_cast<std::size_t>(s - 1)],
                    "more than one bill line for the service");
    }
    seen[static_cast<std::size_t>(s - 1)] = true;
  }
  return true;
}

// The body field (10..17) serialised Event bytes end up with: the last one on the wire;
// 0 when there is none, or when the bytes hold anything but plain top-level fields of
// wire types 0, 1, 2 and 5 (then libprotobuf alone decides what they are).
int last_body_field(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* const end = p + bytes.size();
  const auto varint = [&](std::uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64 && p != end; shift += 7) {
      const unsigned char b = *p++;
      *v |= std::uint64_t{b & 0x7Fu} << shift;
      if (b < 0x80) return true;
    }
    return false;
  };
  int last = 0;
  while (p != end) {
    std::uint64_t tag = 0;
    std::uint64_t n = 0;
    if (!varint(&tag)) return 0;
    switch (tag & 7) {
      case 0:
        if (!varint(&n)) return 0;
        break;
      case 1:
      case 5:
        n = (tag & 7) == 1 ? 8 : 4;
        if (n > static_cast<std::uint64_t>(end - p)) return 0;
        p += n;
        break;
      case 2:
        if (!varint(&n) || n > static_cast<std::uint64_t>(end - p)) return 0;
        p += n;
        if (const std::uint64_t field = tag >> 3; field >= 10 && field <= 17) {
          last = static_cast<int>(field);
        }
        break;
      default:
        return 0;
    }
  }
  return last;
}

// ParseFromArray into a reused message, which Clear()s it first: that frees the body
// (and a bill's lines) for the next record to allocate again, a tenth of metrics' time.
// When the bytes' body has the type the message holds, its fields are cleared in place
// instead and the bytes merged in: the same result, since a parse merges every
// occurrence of a field into what the message holds.
bool parse_reusing_body(std::string_view bytes, pqrflow::v1::Event* m) {
  const int body = last_body_field(bytes);
  if (body == 0 || !clear_keeping_body(m, body)) {
    return m->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  }
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  return m->MergeFromCodedStream(&in) && in.CurrentPosition() == static_cast<int>(bytes.size());
}

}  // namespace

std::string_view reason_code(RejectReason r) {
  static constexpr std::array<std::string_view, kRejectReasonCount> kCodes = {
      "record_too_large",       "invalid_json",      "invalid_utf8",        "nesting_too_deep",
      "not_an_object",          "duplicate_field",   "missing_field",       "wrong_type",
      "invalid_value",          "unknown_type",      "invalid_enum",        "invalid_timestamp",
      "timestamp_out_of_range", "invalid_period",    "invalid_amount",      "negative_amount",
      "amount_not_positive",    "too_many_decimals", "amount_out_of_range", "time_order",
      "invalid_protobuf"};
  const auto i = static_cast<std::size_t>(r);
  return i < kCodes.size() ? kCodes[i] : std::string_view("unknown");
}

bool parse_amount(std::string_view text, bool from_json_number, Cents* out, Rejection* why,
                  std::string_view field) {
  const std::size_t n = text.size();
  // The common cases first: whole pesos, 1–13 digits without a leading zero (below
  // 10^13), optionally with one or two decimals ("24383", "24383.5", "24383.00"). The
  // general path below gives the same cents for these.
  if (n >= 1 && n <= 16 && text[0] >= '1' && text[0] <= '9') {
    Cents pesos = 0;
    std::size_t i = 0;
    for (; i < n && i < 13 && text[i] >= '0' && text[i] <= '9'; ++i) {
      pesos = pesos * 10 + (text[i] - '0');
    }
    if (i == n) {
      *out = pesos * 100;
      return true;
    }
    const auto digit_value = [&](std::size_t k) { return static_cast<unsigned>(text[k] - '0'); };
    if (text[i] == '.' && (n - i == 2 || n - i == 3) && digit_value(i + 1) <= 9) {
      Cents cents = pesos * 100 + digit_value(i + 1) * 10;
      if (n - i == 2) {
        *out = cents;
        return true;
      }
      if (digit_value(i + 2) <= 9) {
        *out = cents + digit_value(i + 2);
        return true;
      }
    }
  }
  const auto digit_at_pos = [&](std::size_t k) {
    return k < n && text[k] >= '0' && text[k] <= '9';
  };
  const auto invalid = [&] {
    return from_json_number
               ? reject(why, RejectReason::kInvalidAmount, field, "not a valid JSON number")
               : reject(why, RejectReason::kInvalidAmount, field,
                        "a decimal string must be digits with an optional point and decimals, "
                        "like \"1234.56\" (no sign, exponent or spaces)");
  };

  // Grammar: JSON numbers -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?; strings \d+(\.\d+)?.
  // A string with a leading '-' and otherwise a decimal ("-27067.25") is parsed as such
  // only to say what is wrong with it: negative_amount is clearer than a syntax error.
  std::size_t i = 0;
  bool negative = false;
  if (i < n && text[i] == '-' && (from_json_number || digit_at_pos(1))) {
    negative = true;
    ++i;
  }
  const std::size_t int_begin = i;
  while (digit_at_pos(i)) ++i;
  const std::size_t int_end = i;
  if (int_end == int_begin) return invalid();
  if (from_json_number && text[int_begin] == '0' && int_end - int_begin > 1) return invalid();
  std::size_t frac_begin = i;
  std::size_t frac_end = i;
  if (i < n && text[i] == '.') {
    frac_begin = ++i;
    while (digit_at_pos(i)) ++i;
    frac_end = i;
    if (frac_end == frac_begin) return invalid();
  }
  std::int64_t exponent = 0;
  if (from_json_number && i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exponent_negative = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) exponent_negative = text[i++] == '-';
    if (!digit_at_pos(i)) return invalid();
    // Saturate: beyond 10^15 the outcome is decided, and the sums below cannot overflow.
    constexpr std::int64_t kExponentCap = 1'000'000'000'000'000;
    for (; digit_at_pos(i); ++i) {
      if (exponent < kExponentCap) exponent = exponent * 10 + (text[i] - '0');
    }
    if (exponent_negative) exponent = -exponent;
  }
  if (i != n) return invalid();

  // The value is the digit string D (integer digits then fraction digits) × 10^(exponent
  // − fraction length). Trim D to its significant digits and work with their count.
  const std::size_t int_len = int_end - int_begin;
  const std::size_t total = int_len + (frac_end - frac_begin);
  const auto digit = [&](std::size_t k) {
    return static_cast<int>(text[k < int_len ? int_begin + k : frac_begin + (k - int_len)] - '0');
  };
  std::size_t first = 0;
  while (first < total && digit(first) == 0) ++first;
  if (first == total) {  // zero, whatever its sign or exponent: "-0", 0e999, 0.000
    *out = 0;
    return true;
  }
  if (negative) return reject_negative(why, field);
  std::size_t last = total - 1;
  while (digit(last) == 0) --last;
  const auto significant = static_cast<std::int64_t>(last - first + 1);
  // value = significant digits × 10^scale
  const std::int64_t scale = exponent - static_cast<std::int64_t>(frac_end - frac_begin) +
                             static_cast<std::int64_t>(total - 1 - last);
  if (scale < -2) {
    return reject(why, RejectReason::kTooManyDecimals, field,
                  "has more than 2 decimal places (a cent is the smallest unit)");
  }
  // 10^(significant − 1 + scale) <= value < 10^(significant + scale)
  if (significant - 1 + scale >= 13) return reject_too_large(why, field);
  // Now significant + scale <= 13 and scale >= -2: at most 15 digits of cents.
  Cents cents = 0;
  for (std::size_t k = first; k <= last; ++k) cents = cents * 10 + digit(k);
  for (std::int64_t k = 0; k < scale + 2; ++k) cents *= 10;
  if (!check_amount(field, cents, why)) return false;
  *out = cents;
  return true;
}

bool validate(const Event& e, Rejection* why) {
  return check_event_id(e.event_id, why) && check_type(e.type, why) &&
         check_instant("occurred_at", e.occurred_at, why) && validate_body(e, why);
}

bool is_ascii(std::string_view s) {
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, s.data() + i, sizeof word);
    if ((word & 0x8080808080808080ULL) != 0) return false;
  }
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0x80) != 0) return false;
  }
  return true;
}

boost::json::parse_options ascii_parse_options_for(const DecoderLimits& limits) {
  boost::json::parse_options options = parse_options_for(limits);
  options.allow_invalid_utf8 = true;  // only ever given pure ASCII: nothing to check
  return options;
}

struct Decoder::Impl {
  Impl(const DecoderLimits& limits, JsonFrontEnd front_end)
      : parser(parse_options_for(limits)),
        ascii_parser(ascii_parse_options_for(limits)),
        simple_scanner(front_end == JsonFrontEnd::kSimpleScannerFirst) {}
  boost::json::basic_parser<Handler> parser;
  // The same parser without the per-string UTF-8 check (a fifth of the decoding time),
  // for records that one pass of 8-byte words shows are pure ASCII: the results are
  // identical, since ASCII is always valid UTF-8.
  boost::json::basic_parser<Handler> ascii_parser;
  bool simple_scanner;         // try SimpleScanner before ascii_parser
  std::string padded;          // the record and SimpleScanner::kPadding NUL bytes
  pqrflow::v1::Event message;  // reused by decode_protobuf

  // A copy of `record` followed by the NUL bytes SimpleScanner needs; valid until the
  // next call.
  std::string_view padded_copy(std::string_view record) {
    const std::size_t n = record.size();
    if (padded.size() < n + SimpleScanner::kPadding) padded.resize(n + SimpleScanner::kPadding);
    if (n != 0) std::memcpy(padded.data(), record.data(), n);
    std::memset(padded.data() + n, 0, SimpleScanner::kPadding);
    return {padded.data(), n};
  }
};

Decoder::Decoder(DecoderLimits limits, JsonFrontEnd front_end)
    : impl_(new Impl(limits, front_end)), limits_(limits) {}

Decoder::~Decoder() {
  delete impl_;
}

bool Decoder::decode_json(std::string_view bytes, Event* out, Rejection* why) {
  detail::reset_event(out);
  if (bytes.size() > limits_.max_record_bytes) {
    return reject_record_size(bytes.size(), limits_.max_record_bytes, why);
  }
  // Give the parser a real pointer even for an empty view.
  const std::string_view record = bytes.data() != nullptr ? bytes : std::string_view("");
  // The scanner reads a padded copy (the texts it records point into it) and checks the
  // record is ASCII as it goes; it fills ascii_parser's handler.
  Handler* handler = &impl_->ascii_parser.handler();
  bool scanned = false;
  if (impl_->simple_scanner) {
    const std::string_view copy = impl_->padded_copy(record);
    handler->begin(copy);
    scanned = SimpleScanner(copy, *handler, limits_.max_depth).run();
  }
  if (!scanned) {
    boost::json::basic_parser<Handler>& parser =
        is_ascii(record) ? impl_->ascii_parser : impl_->parser;
    handler = &parser.handler();
    handler->begin(record);  // forget what the scanner saw before it gave up
    parser.reset();
    error_code ec;
    const std::size_t used = parser.write_some(false, record.data(), record.size(), ec);
    if (ec || used != record.size()) return reject_malformed(record, ec, limits_.max_depth, why);
  }

  if (handler->top() != JsonKind::kObject) {
    return reject(why, RejectReason::kNotAnObject, "record",
                  "the top-level JSON value must be an object, got ", kind_name(handler->top()));
  }
  if (const std::optional<std::string_view> d = handler->duplicate()) {
    const std::string field = field_named(*d) ? std::string(*d) : quoted(*d);
    return reject(why, RejectReason::kDuplicateField, field,
                  "key appears more than once in the object");
  }
  return Reader(*handler, why).read(out);
}

bool Decoder::decode_protobuf(std::string_view bytes, Event* out, Rejection* why) {
  detail::reset_event(out);
  if (bytes.size() > limits_.max_record_bytes || bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    return reject_record_size(bytes.size(), limits_.max_record_bytes, why);
  }
  pqrflow::v1::Event& m = impl_->message;
  if (!parse_reusing_body(bytes, &m)) {
    return reject(why, RejectReason::kInvalidProtobuf, "record",
                  "not a valid pqrflow.v1.Event protobuf message");
  }
  if (m.body_case() == pqrflow::v1::Event::BODY_NOT_SET) {
    return reject(why, RejectReason::kInvalidProtobuf, "record",
                  "the pqrflow.v1.Event has no body, so no event type");
  }
  if (!check_bill_lines(m, why)) return false;
  from_proto(m, out);
  return validate(*out, why);
}

}  // namespace pqrflow::core
