// Per-entity indicator state: tickets, visits, window turns, bills, reforms and
// billed subscriber-months, folded into additive monthly components (aggregates.hpp).
//
// Every entity keeps a deterministic choice among the events it received (the earliest
// filing, the first answer, …; docs/semantics.md), so applying events is idempotent and
// order-independent: duplicates and redeliveries change nothing, and a late answer
// that turns out to be the first one moves the ticket's contribution. Each change
// retracts the entity's old contribution and adds the new one.
//
//   IndicatorState s(LegalTerms{});
//   s.apply(event);                       // any order, any number of times
//   compute_rows(s.aggregates(), …);      // values.hpp
#pragma once

#include <absl/container/flat_hash_map.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/aggregates.hpp"
#include "core/event.hpp"
#include "core/id_table.hpp"
#include "core/interner.hpp"

namespace pqrflow::v1 {
class IndicatorStateSnapshot;
}

namespace pqrflow::core {

// Legal term in business days per PQR kind (index = PqrKind).
using LegalTerms = std::array<int, 8>;
inline constexpr LegalTerms kDefaultLegalTerms{15, 15, 15, 15, 15, 15, 15, 15};

struct TicketState {
  Instant filed_at;
  Instant answered_at;
  ScopeId office = kScopeAll;  // kScopeAll = no office
  PqrKind kind = PqrKind::kUnspecified;
  Channel channel = Channel::kUnspecified;
  Service service = Service::kUnspecified;
  Outcome outcome = Outcome::kUnspecified;
  bool filed = false;
  bool answered = false;
  bool misfiled = false;
  bool internal_error = false;
  Interner::Id subscriber = 0;  // IndicatorState::name(); 0 = ""
  Interner::Id causal = 0;

  friend bool operator==(const TicketState&, const TicketState&) = default;
};

struct VisitState {
  Instant requested_at;
  Instant completed_at;
  bool requested = false;
  bool completed = false;
  friend bool operator==(const VisitState&, const VisitState&) = default;
};

struct TurnState {
  Instant ended_at;
  Instant arrived_at;
  Instant started_at;
  ScopeId office = kScopeAll;
  friend bool operator==(const TurnState&, const TurnState&) = default;
};

struct BillState {
  Instant issued_at;
  Interner::Id subscriber = 0;
  YearMonth period;
  std::array<std::optional<Cents>, kServiceCount> amounts{};
  friend bool operator==(const BillState&, const BillState&) = default;
};

struct ReformState {
  Instant applied_at;
  Service service = Service::kUnspecified;
  Cents amount = 0;
  std::string bill_id;
  std::string subscriber_id;
  std::string ticket_id;
  friend bool operator==(const ReformState&, const ReformState&) = default;
};

// How many bills of a subscriber cover a billing month, in all and per service.
struct SubscriberMonth {
  std::uint16_t bills = 0;
  std::array<std::uint16_t, kServiceCount> per_service{};
};

struct DataQuality {
  std::int64_t orphan_tickets = 0;          // answered or mis-filed, never filed
  std::int64_t visits_without_request = 0;  // completed, never requested
};

class IndicatorState {
 public:
  explicit IndicatorState(const LegalTerms& terms = kDefaultLegalTerms);

  // Folds one valid event in. Returns true when it changed the state.
  bool apply(const Event& e);

  const Aggregates& aggregates() const { return aggregates_; }
  Aggregates& aggregates() { return aggregates_; }
  DataQuality data_quality() const;

  // Tickets in order of first appearance.
  const IdTable<TicketState>& tickets() const { return tickets_; }
  // Subscriber ids and causals held by tickets and bills as interned ids.
  const std::string& name(Interner::Id id) const { return strings_.name(id); }
  const LegalTerms& legal_terms() const { return terms_; }

  // Legal due date of a filed ticket (nullopt when not filed).
  std::optional<Date> due_date_of(const TicketState& t) const;

  // Checkpoints (state_codec.cpp): the entities only; load() recomputes the aggregates
  // and rejects snapshots with out-of-range values (a corrupt or foreign file).
  void save(pqrflow::v1::IndicatorStateSnapshot* out) const;
  bool load(const pqrflow::v1::IndicatorStateSnapshot& in, std::string* error);

 private:
  // The scope "office:NAME" (kScopeAll for no office).
  ScopeId office_scope(std::string_view office);
  bool apply_ticket(const Event& e);
  bool apply_visit(const Event& e);
  bool apply_turn(const Event& e);
  bool apply_bill(const Event& e);
  bool apply_reform(const Event& e);

  void contribute(const TicketState& t, int sign);
  void contribute(const VisitState& v, int sign);
  void contribute(const TurnState& t, int sign);
  void contribute(const BillState& b, int sign);
  void contribute(const ReformState& r, int sign);

  LegalTerms terms_;
  Aggregates aggregates_;
  Interner strings_;  // subscriber ids and causals; "" is id 0
  IdTable<TicketState> tickets_;
  absl::flat_hash_map<std::string, VisitState> visits_;
  absl::flat_hash_map<std::string, TurnState> turns_;
  IdTable<BillState, IdHash::kCached> bills_;
  absl::flat_hash_map<std::string, ReformState> reforms_;  // by event_id
  // Billing month index → its bills per subscriber, indexed by the subscriber's interned
  // id (6 bytes each, up to the highest id billed that month). Ids are dense and given in
  // order of first appearance, and a billing system bills its subscribers in much the
  // same order every month, so consecutive bills touch neighbouring counts: no hash
  // probe, no cache miss. (One table keyed by (subscriber, month) was a random probe into
  // as many entries as bills; one hash table per month, a random probe into the month's.)
  absl::flat_hash_map<std::int32_t, std::vector<SubscriberMonth>> subscriber_months_;
  std::array<ScopeId, kServiceCount> service_scopes_{};
  absl::flat_hash_map<std::string, ScopeId> office_scopes_;  // office name → its scope
};

}  // namespace pqrflow::core
