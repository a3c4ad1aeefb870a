// Decoding and validation of the raw input contract (design.md §4).
//
// A raw record is one UTF-8 JSON object (or, when the producer says so, a canonical
// protobuf pqrflow.v1.Event). Decoding either accepts it as a canonical Event or
// rejects it with a stable reason code and a human detail naming the field:
//
//   Decoder d;
//   Event e; Rejection r;
//   if (!d.decode_json(R"({"event_id":"e1","type":"pqr.misfiled",...})", &e, &r))
//     std::cerr << reason_code(r.reason) << ": " << r.detail;   // "missing_field: ticket_id ..."
//
// Reason codes are part of the dead-letter contract: never rename one.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/event.hpp"

namespace pqrflow::core {

enum class RejectReason : std::uint8_t {
  kRecordTooLarge,       // record_too_large: over the configured size limit
  kInvalidJson,          // invalid_json: not one well-formed JSON value
  kInvalidUtf8,          // invalid_utf8: bytes are not valid UTF-8
  kNestingTooDeep,       // nesting_too_deep: arrays/objects nested deeper than the limit
  kNotAnObject,          // not_an_object: the top-level value is not an object
  kDuplicateField,       // duplicate_field: a key appears twice in one object
  kMissingField,         // missing_field: a required field is absent or null
  kWrongType,            // wrong_type: a field has the wrong JSON type
  kInvalidValue,         // invalid_value: empty id, event_id over 128 characters, …
  kUnknownType,          // unknown_type: "type" is not one of the eight event types
  kInvalidEnum,          // invalid_enum: kind/channel/outcome/service not in the vocabulary
  kInvalidTimestamp,     // invalid_timestamp: not RFC 3339 with offset, or not a real instant
  kTimestampOutOfRange,  // timestamp_out_of_range: local date outside 1984..2200
  kInvalidPeriod,        // invalid_period: bill period not a valid YYYY-MM
  kInvalidAmount,        // invalid_amount: not a decimal number or decimal string
  kNegativeAmount,       // negative_amount: below zero
  kAmountNotPositive,    // amount_not_positive: a reform amount must be > 0
  kTooManyDecimals,      // too_many_decimals: more than 2 decimal places (sub-cent)
  kAmountOutOfRange,     // amount_out_of_range: 10^13 pesos or more
  kTimeOrder,            // time_order: arrived <= started <= occurred_at broken
  kInvalidProtobuf,      // invalid_protobuf: bytes are not a pqrflow.v1.Event
};
inline constexpr std::size_t kRejectReasonCount = 21;

// The stable snake_case code of a reason, e.g. "missing_field".
std::string_view reason_code(RejectReason r);

struct Rejection {
  RejectReason reason = RejectReason::kInvalidJson;
  std::string detail;  // names the field and the rule, e.g. "occurred_at: missing offset"
};

struct DecoderLimits {
  std::size_t max_record_bytes = 1 << 20;  // 1 MiB, Kafka's default message.max.bytes
  std::size_t max_depth = 32;              // nesting of unknown extra fields
};

// How decode_json parses: plain records (ASCII, no escapes, no exponents, shallow) with
// a dedicated scanner and the rest with Boost.JSON, or everything with Boost.JSON. Both
// give the same outcome for every input; kBoostOnly is the reference the tests and the
// fuzzer compare the scanner with.
enum class JsonFrontEnd : std::uint8_t { kSimpleScannerFirst, kBoostOnly };

// Stateless apart from reusable scratch buffers; one per thread.
class Decoder {
 public:
  explicit Decoder(DecoderLimits limits = {},
                   JsonFrontEnd front_end = JsonFrontEnd::kSimpleScannerFirst);
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Decodes one raw JSON record. On success fills *out (every field reset first) and
  // returns true; otherwise fills *why and returns false.
  bool decode_json(std::string_view bytes, Event* out, Rejection* why);

  // Decodes one canonical protobuf pqrflow.v1.Event and applies the same rules.
  bool decode_protobuf(std::string_view bytes, Event* out, Rejection* why);

 private:
  struct Impl;
  Impl* impl_;
  DecoderLimits limits_;
};

// The semantic rules shared by both input formats (enums set, required ids present,
// event_id length, time range and order, amounts). Used by decode_protobuf.
bool validate(const Event& e, Rejection* why);

// Parses an amount written as a JSON number or a decimal string into exact cents.
// `text` is the number's literal text (e.g. "1234.5", "1e3") or the string's content.
// Value-based: "12.500" is 1250 cents; "12.345" is kTooManyDecimals.
bool parse_amount(std::string_view text, bool from_json_number, Cents* out, Rejection* why,
                  std::string_view field);

}  // namespace pqrflow::core
