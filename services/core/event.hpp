// The canonical event in memory: one flat struct for all eight event types, filled
// by the JSON contract decoder (contract.hpp) or from protobuf (event_codec.hpp) and
// consumed by the indicator state (state.hpp). Fields not used by a type stay empty.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "core/time.hpp"
#include "core/vocabulary.hpp"

namespace pqrflow::core {

// Colombian pesos as integer cents. Valid amounts are 0 <= cents < kMaxCents.
using Cents = std::int64_t;
inline constexpr Cents kMaxCents = 1'000'000'000'000'000;  // 10^13 pesos

struct Event {
  EventType type = EventType::kPqrFiled;
  std::string event_id;  // 1..128 characters
  Instant occurred_at;
  std::string source;  // optional

  // pqr.* (ticket_id), visit.* (optional ticket_id), bill.reformed (optional)
  std::string ticket_id;
  // pqr.filed
  PqrKind kind = PqrKind::kUnspecified;
  Channel channel = Channel::kUnspecified;
  std::string subscriber_id;                // optional on pqr.filed, required on bill.*
  Service service = Service::kUnspecified;  // optional on pqr.filed, required on bill.reformed
  std::string causal;
  std::string office;  // optional on pqr.filed, required on window.served
  // pqr.answered
  Outcome outcome = Outcome::kUnspecified;
  std::optional<bool> internal_error;
  // pqr.misfiled, bill.reformed
  std::string reason;
  // window.served
  std::string turn_id;
  Instant arrived_at;
  std::optional<Instant> started_at;  // required on window.served, optional on visit.completed
  // visit.*
  std::string visit_id;
  // bill.*
  std::string bill_id;
  YearMonth period;  // bill.issued
  // bill.issued: amount per service (index = Service - 1); nullopt = no line.
  std::array<std::optional<Cents>, kServiceCount> amounts{};
  Cents amount = 0;  // bill.reformed

  friend bool operator==(const Event&, const Event&) = default;
};

// The Kafka key of an event on pqrflow.events.v1, which also decides the shard that
// owns its state: ticket_id (pqr.*), visit_id (visit.*: the visit-time indicator joins
// on it and ticket_id is optional), turn_id (window.served), subscriber_id (bill.*).
const std::string& partition_key(const Event& e);

}  // namespace pqrflow::core
