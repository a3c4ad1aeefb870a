// IndicatorState ⇄ pqrflow.v1.IndicatorStateSnapshot (checkpoint.proto).
#include "core/state.hpp"
#include "pqrflow/v1/checkpoint.pb.h"

namespace pqrflow::core {
namespace {

std::string office_name(const ScopeTable& scopes, ScopeId id) {
  if (id == kScopeAll) return {};
  return scopes.name(id).substr(7);  // strip "office:"
}

template <typename Enum>
bool to_enum(int value, int max, Enum* out) {
  if (value < 0 || value > max) return false;
  *out = static_cast<Enum>(value);
  return true;
}

}  // namespace

void IndicatorState::save(pqrflow::v1::IndicatorStateSnapshot* out) const {
  out->Clear();
  const ScopeTable& scopes = aggregates_.scopes();
  out->mutable_tickets()->Reserve(static_cast<int>(tickets_.size()));
  for (const auto& [id, t] : tickets_) {
    auto* p = out->add_tickets();
    p->set_ticket_id(std::string(id));
    p->set_filed(t.filed);
    p->set_filed_at_us(t.filed_at.us);
    p->set_kind(static_cast<int>(t.kind));
    p->set_channel(static_cast<int>(t.channel));
    p->set_service(static_cast<int>(t.service));
    p->set_office(office_name(scopes, t.office));
    p->set_subscriber_id(name(t.subscriber));
    p->set_causal(name(t.causal));
    p->set_answered(t.answered);
    p->set_answered_at_us(t.answered_at.us);
    p->set_outcome(static_cast<int>(t.outcome));
    p->set_internal_error(t.internal_error);
    p->set_misfiled(t.misfiled);
  }
  for (const auto& [id, v] : visits_) {
    auto* p = out->add_visits();
    p->set_visit_id(id);
    p->set_requested(v.requested);
    p->set_requested_at_us(v.requested_at.us);
    p->set_completed(v.completed);
    p->set_completed_at_us(v.completed_at.us);
  }
  for (const auto& [id, t] : turns_) {
    auto* p = out->add_turns();
    p->set_turn_id(id);
    p->set_ended_at_us(t.ended_at.us);
    p->set_arrived_at_us(t.arrived_at.us);
    p->set_started_at_us(t.started_at.us);
    p->set_office(office_name(scopes, t.office));
  }
  out->mutable_bills()->Reserve(static_cast<int>(bills_.size()));
  for (const auto& [id, b] : bills_) {
    auto* p = out->add_bills();
    p->set_bill_id(std::string(id));
    p->set_issued_at_us(b.issued_at.us);
    p->set_subscriber_id(name(b.subscriber));
    p->set_period_index(b.period.index);
    for (std::size_t s = 0; s < b.amounts.size(); ++s) {
      if (!b.amounts[s]) continue;
      auto* line = p->add_lines();
      line->set_service(static_cast<pqrflow::v1::Service>(s + 1));
      line->set_amount_cents(*b.amounts[s]);
    }
  }
  for (const auto& [id, r] : reforms_) {
    auto* p = out->add_reforms();
    p->set_event_id(id);
    p->set_applied_at_us(r.applied_at.us);
    p->set_service(static_cast<int>(r.service));
    p->set_amount_cents(r.amount);
    p->set_bill_id(r.bill_id);
    p->set_subscriber_id(r.subscriber_id);
    p->set_ticket_id(r.ticket_id);
  }
  out->set_max_event_time_us(aggregates_.max_event_time().us);
}

bool IndicatorState::load(const pqrflow::v1::IndicatorStateSnapshot& in, std::string* error) {
  IndicatorState fresh(terms_);
  const auto fail = [error](const std::string& what) {
    if (error != nullptr) *error = "checkpoint: " + what;
    return false;
  };
  for (const auto& p : in.tickets()) {
    TicketState t;
    t.filed = p.filed();
    t.filed_at = Instant{p.filed_at_us()};
    if (!to_enum(p.kind(), 7, &t.kind) || !to_enum(p.channel(), 7, &t.channel) ||
        !to_enum(p.service(), 2, &t.service) || !to_enum(p.outcome(), 9, &t.outcome)) {
      return fail("ticket " + p.ticket_id() + " has an out-of-range enumeration");
    }
    if (t.filed && t.kind == PqrKind::kUnspecified) {
      return fail("ticket " + p.ticket_id() + " is filed without a kind");
    }
    t.office = fresh.office_scope(p.office());
    t.subscriber = fresh.strings_.intern(p.subscriber_id());
    t.causal = fresh.strings_.intern(p.causal());
    t.answered = p.answered();
    t.answered_at = Instant{p.answered_at_us()};
    t.internal_error = p.internal_error();
    t.misfiled = p.misfiled();
    auto [slot, inserted] = fresh.tickets_.try_emplace(p.ticket_id());
    if (!inserted) return fail("ticket " + p.ticket_id() + " appears twice");
    fresh.contribute(t, +1);
    *slot = t;
  }
  for (const auto& p : in.visits()) {
    VisitState v{Instant{p.requested_at_us()}, Instant{p.completed_at_us()}, p.requested(),
                 p.completed()};
    fresh.contribute(v, +1);
    fresh.visits_.emplace(p.visit_id(), v);
  }
  for (const auto& p : in.turns()) {
    if (p.office().empty()) return fail("turn " + p.turn_id() + " has no office");
    TurnState t{Instant{p.ended_at_us()}, Instant{p.arrived_at_us()}, Instant{p.started_at_us()},
                fresh.office_scope(p.office())};
    fresh.contribute(t, +1);
    fresh.turns_.emplace(p.turn_id(), t);
  }
  for (const auto& p : in.bills()) {
    BillState b;
    b.issued_at = Instant{p.issued_at_us()};
    b.subscriber = fresh.strings_.intern(p.subscriber_id());
    b.period = YearMonth{p.period_index()};
    for (const auto& line : p.lines()) {
      const int s = static_cast<int>(line.service());
      if (s < 1 || s > kServiceCount) return fail("bill " + p.bill_id() + " has a bad service");
      b.amounts[static_cast<std::size_t>(s - 1)] = line.amount_cents();
    }
    auto [slot, inserted] = fresh.bills_.try_emplace(p.bill_id());
    if (!inserted) return fail("bill " + p.bill_id() + " appears twice");
    fresh.contribute(b, +1);
    *slot = b;
  }
  for (const auto& p : in.reforms()) {
    ReformState r;
    r.applied_at = Instant{p.applied_at_us()};
    if (!to_enum(p.service(), 2, &r.service) || r.service == Service::kUnspecified) {
      return fail("reform " + p.event_id() + " has a bad service");
    }
    r.amount = p.amount_cents();
    r.bill_id = p.bill_id();
    r.subscriber_id = p.subscriber_id();
    r.ticket_id = p.ticket_id();
    fresh.contribute(r, +1);
    fresh.reforms_.emplace(p.event_id(), std::move(r));
  }
  fresh.aggregates_.observe_event_time(Instant{in.max_event_time_us()});
  fresh.aggregates_.track_changes(aggregates_.tracking());
  *this = std::move(fresh);
  return true;
}

}  // namespace pqrflow::core
