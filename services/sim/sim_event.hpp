// One simulated event before it is written as JSON: a compact, copyable struct the
// generator schedules and sorts, and the hand-written JSON writer that turns it into
// the raw record bytes (no allocation once the buffers have grown). Internal to pqrflow::sim.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/event.hpp"
#include "core/time.hpp"
#include "core/vocabulary.hpp"

namespace pqrflow::sim {

// UTC offsets a source may write. Bogota's -05:00 dominates; the rest denote the same
// instants (a server in UTC, a misconfigured client).
struct Zone {
  int minutes;
  std::string_view suffix;
};
inline constexpr std::array<Zone, 7> kZones = {{{-300, "-05:00"},
                                                {0, "Z"},
                                                {0, "+00:00"},
                                                {-180, "-03:00"},
                                                {-360, "-06:00"},
                                                {-240, "-04:00"},
                                                {60, "+01:00"}}};
inline constexpr std::uint8_t kZoneBogota = 0;
inline constexpr std::uint8_t kZoneUtc = 1;

// SimEvent::flags.
enum EventFlag : std::uint16_t {
  kFlagSubscriber = 1 << 0,     // pqr.filed carries subscriber_id
  kFlagService = 1 << 1,        // pqr.filed carries service
  kFlagCausal = 1 << 2,         // pqr.filed carries causal
  kFlagOffice = 1 << 3,         // pqr.filed carries office
  kFlagInternalError = 1 << 4,  // pqr.answered carries internal_error …
  kFlagInternalTrue = 1 << 5,   // … and it is true
  kFlagTicket = 1 << 6,         // visit.*, bill.reformed carry ticket_id
  kFlagStarted = 1 << 7,        // visit.completed carries started_at
  kFlagAmount1String = 1 << 8,  // first amount written as a decimal string
  kFlagAmount2String = 1 << 9,  // second amount written as a decimal string
  kFlagNoSource = 1 << 10,      // no `source` field
  kFlagAttachments = 1 << 11,   // pqr.filed carries an unknown nested field
  kFlagLateDelivery = 1 << 15,  // never written: delivered after a later event of its ticket
};

struct SimEvent {
  core::Instant at;              // delivery instant (the stream's order)
  core::Instant occurred;        // occurred_at
  core::Instant t1;              // window.served: arrived_at; visit.completed: started_at
  core::Instant t2;              // window.served: started_at
  std::uint64_t seq = 0;         // creation order: breaks ties in `at` deterministically
  core::Cents amount1 = -1;      // bill.issued: acueducto line; bill.reformed: amount
  core::Cents amount2 = -1;      // bill.issued: alcantarillado line (-1 = none)
  std::uint32_t number = 0;      // ticket, visit, reform or turn number
  std::uint32_t ticket = 0;      // visit.*, bill.reformed: related ticket number
  std::uint32_t subscriber = 0;  // subscriber index + 1 (0 = none)
  std::int32_t period = 0;       // bill.*: billing period (YearMonth index)
  std::int16_t year = 0;         // year in the entity's id
  std::int16_t ticket_year = 0;  // year of `ticket`
  std::uint16_t m3 = 0;          // bill.issued: consumption (an extra field)
  std::uint16_t flags = 0;
  core::EventType type = core::EventType::kPqrFiled;
  std::uint8_t office = 0xff;
  std::uint8_t kind = 0;     // core::PqrKind
  std::uint8_t channel = 0;  // core::Channel
  std::uint8_t outcome = 0;  // core::Outcome
  std::uint8_t service = 0;  // core::Service
  std::uint8_t causal = 0;   // index into the kind's causal list
  std::uint8_t reason = 0;   // index into the misfiled or reform reasons
  std::uint8_t zone = kZoneBogota;
  std::uint8_t ordinal = 1;  // pqr.answered: 1st or 2nd answer
  std::uint8_t estrato = 0;  // bill.issued: an extra field (0 = commercial, omitted)

  bool has(EventFlag f) const { return (flags & f) != 0; }
};

// Writes the record's JSON into `json` and its suggested Kafka key into `key` (both
// replaced; their capacity is reused).
void write_event(const SimEvent& e, std::string& json, std::string& key);

// Appends an RFC 3339 timestamp (no quotes) in the zone; milliseconds when non-zero.
void append_timestamp(std::string& out, core::Instant t, std::uint8_t zone);

// Appends cents as a decimal: shortest ("48213", "48213.5", "48213.47") or, with
// `two_decimals`, always with cents ("48213.00") as billing systems print strings.
void append_amount(std::string& out, core::Cents cents, bool two_decimals);

}  // namespace pqrflow::sim
