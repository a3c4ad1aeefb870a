#include "fuzz_checks.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/event_codec.hpp"
#include "google/protobuf/stubs/logging.h"

namespace pqrflow::fuzz {
namespace {

// libprotobuf logs every string field that is not UTF-8: millions of lines when fuzzing.
const google::protobuf::LogSilencer kQuietProtobuf;

// Details travel in dead-letter headers and logs: they name a field and quote at most
// a short cut of a value, never the record.
constexpr std::size_t kMaxDetailBytes = 512;

void print_input(std::string_view input) {
  constexpr std::size_t kShown = 512;
  std::fprintf(stderr, "input (%zu bytes): \"", input.size());
  for (std::size_t i = 0; i < input.size() && i < kShown; ++i) {
    const auto c = static_cast<unsigned char>(input[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      std::fputc(c, stderr);
    } else {
      std::fprintf(stderr, "\\x%02x", c);
    }
  }
  std::fprintf(stderr, input.size() > kShown ? "\"…\n" : "\"\n");
}

std::string describe(const core::Rejection& why) {
  return std::string(core::reason_code(why.reason)) + " (" + why.detail + ")";
}

// The reasons decode_protobuf can give: structural ones, then validate()'s rules.
bool protobuf_can_give(core::RejectReason r) {
  using R = core::RejectReason;
  switch (r) {
    case R::kRecordTooLarge:
    case R::kInvalidProtobuf:
    case R::kDuplicateField:
    case R::kMissingField:
    case R::kInvalidValue:
    case R::kUnknownType:
    case R::kInvalidEnum:
    case R::kTimestampOutOfRange:
    case R::kInvalidPeriod:
    case R::kNegativeAmount:
    case R::kAmountNotPositive:
    case R::kAmountOutOfRange:
    case R::kTimeOrder:
      return true;
    default:
      return false;
  }
}

}  // namespace

void fail(std::string_view what, std::string_view input) {
  std::fprintf(stderr, "\nfuzz invariant violated: %.*s\n", static_cast<int>(what.size()),
               what.data());
  print_input(input);
  std::abort();
}

void require(bool condition, std::string_view what, std::string_view input) {
  if (!condition) [[unlikely]] {
    fail(what, input);
  }
}

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i < len) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    constexpr std::array<std::uint32_t, 5> kMinimum = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinimum[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

void check_accepted(const core::Event& e, std::string_view input) {
  core::Rejection why;
  if (!core::validate(e, &why)) fail("an accepted event fails validate(): " + describe(why), input);
  require(!core::partition_key(e).empty(), "an accepted event has an empty partition key", input);
  std::string bytes;
  core::serialize_event(e, &bytes);
  core::Decoder fresh;
  core::Event back;
  if (!fresh.decode_protobuf(bytes, &back, &why)) {
    fail("the canonical protobuf of an accepted event is rejected: " + describe(why), input);
  }
  require(back == e, "the canonical protobuf does not decode back to the same event", input);
}

void check_rejected(const core::Rejection& why, Path path, const core::DecoderLimits& limits,
                    std::size_t input_size, std::string_view input) {
  const auto index = static_cast<std::size_t>(why.reason);
  if (index >= core::kRejectReasonCount || core::reason_code(why.reason) == "unknown") {
    fail("rejection with an unknown reason " + std::to_string(index), input);
  }
  if (why.detail.empty()) fail("rejection " + describe(why) + " without a detail", input);
  if (why.detail.size() > kMaxDetailBytes) {
    fail("detail of " + std::to_string(why.detail.size()) + " bytes: " + describe(why), input);
  }
  if (!is_valid_utf8(why.detail)) fail("detail is not valid UTF-8: " + describe(why), input);
  if (why.detail.find(": ") == std::string::npos) {
    fail("detail does not name a field: " + describe(why), input);
  }
  if ((why.reason == core::RejectReason::kRecordTooLarge) !=
      (input_size > limits.max_record_bytes)) {
    fail("record_too_large does not match the size limit: " + describe(why), input);
  }
  if (path == Path::kJson && why.reason == core::RejectReason::kInvalidProtobuf) {
    fail("decode_json gave invalid_protobuf: " + describe(why), input);
  }
  if (path == Path::kProtobuf && !protobuf_can_give(why.reason)) {
    fail("decode_protobuf gave a JSON-only reason: " + describe(why), input);
  }
}

std::string outcome_difference(bool ok_a, const core::Event& a, const core::Rejection& why_a,
                               bool ok_b, const core::Event& b, const core::Rejection& why_b,
                               std::string_view name_b, std::string_view name_a) {
  const std::string b_name(name_b);
  if (ok_a != ok_b) {
    return b_name + " " + (ok_b ? "accepts" : "rejects") + " what " + std::string(name_a) + " " +
           (ok_a ? "accepts" : "rejects") + ": " + describe(ok_a ? why_b : why_a);
  }
  if (ok_a && !(a == b)) return b_name + " gives a different event";
  if (!ok_a && (why_a.reason != why_b.reason || why_a.detail != why_b.detail)) {
    return b_name + " rejects differently: " + describe(why_a) + " vs " + describe(why_b);
  }
  return "";
}

void check_same_outcome(bool ok_a, const core::Event& a, const core::Rejection& why_a, bool ok_b,
                        const core::Event& b, const core::Rejection& why_b, std::string_view input,
                        std::string_view name_b, std::string_view name_a) {
  const std::string difference = outcome_difference(ok_a, a, why_a, ok_b, b, why_b, name_b, name_a);
  if (!difference.empty()) fail(difference, input);
}

void fill_every_field(core::Event* e) {
  e->type = core::EventType::kBillReformed;
  e->event_id = "stale-event-id";
  e->occurred_at = core::Instant{1};
  e->source = "stale-source";
  e->ticket_id = "stale-ticket";
  e->kind = core::PqrKind::kQueja;
  e->channel = core::Channel::kOtro;
  e->subscriber_id = "stale-subscriber";
  e->service = core::Service::kAlcantarillado;
  e->causal = "stale-causal";
  e->office = "stale-office";
  e->outcome = core::Outcome::kArchiva;
  e->internal_error = true;
  e->reason = "stale-reason";
  e->turn_id = "stale-turn";
  e->arrived_at = core::Instant{2};
  e->started_at = core::Instant{3};
  e->visit_id = "stale-visit";
  e->bill_id = "stale-bill";
  e->period = core::YearMonth::of(2024, 2);
  e->amounts = {core::Cents{4}, core::Cents{5}};
  e->amount = 6;
}

}  // namespace pqrflow::fuzz
