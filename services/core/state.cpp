#include "core/state.hpp"

#include <tuple>

#include "core/calendar.hpp"

namespace pqrflow::core {
namespace {

constexpr std::size_t service_index(Service s) {
  return static_cast<std::size_t>(s) - 1;
}

// Replaces `current` by `candidate` when the candidate is smaller under `less`; the
// entity then keeps the same choice whatever the arrival order.
template <typename T, typename Less>
bool keep_min(bool* present, T* current, const T& candidate, Less less) {
  if (*present && !less(candidate, *current)) return false;
  *current = candidate;
  *present = true;
  return true;
}

}  // namespace

IndicatorState::IndicatorState(const LegalTerms& terms) : terms_(terms) {
  strings_.intern("");
  for (int s = 0; s < kServiceCount; ++s) {
    service_scopes_[static_cast<std::size_t>(s)] = aggregates_.scopes().intern(
        std::string("service:") + std::string(name_of(static_cast<Service>(s + 1))));
  }
}

ScopeId IndicatorState::office_scope(std::string_view office) {
  if (office.empty()) return kScopeAll;
  const auto it = office_scopes_.find(absl::string_view(office.data(), office.size()));
  if (it != office_scopes_.end()) return it->second;
  const ScopeId id = aggregates_.scopes().intern("office:" + std::string(office));
  office_scopes_.emplace(office, id);
  return id;
}

bool IndicatorState::apply(const Event& e) {
  aggregates_.observe_event_time(e.occurred_at);
  switch (e.type) {
    case EventType::kPqrFiled:
    case EventType::kPqrAnswered:
    case EventType::kPqrMisfiled:
      return apply_ticket(e);
    case EventType::kWindowServed:
      return apply_turn(e);
    case EventType::kVisitRequested:
    case EventType::kVisitCompleted:
      return apply_visit(e);
    case EventType::kBillIssued:
      return apply_bill(e);
    case EventType::kBillReformed:
      return apply_reform(e);
  }
  return false;
}

std::optional<Date> IndicatorState::due_date_of(const TicketState& t) const {
  if (!t.filed) return std::nullopt;
  return due_date(local_date(t.filed_at), terms_[static_cast<std::size_t>(t.kind)]);
}

bool IndicatorState::apply_ticket(const Event& e) {
  auto [entry, inserted] = tickets_.try_emplace(e.ticket_id);
  TicketState& t = *entry;
  const TicketState before = t;
  bool changed = inserted;
  const ScopeTable& scopes = aggregates_.scopes();
  switch (e.type) {
    case EventType::kPqrFiled: {
      TicketState c = t;
      c.filed_at = e.occurred_at;
      c.kind = e.kind;
      c.channel = e.channel;
      c.office = office_scope(e.office);
      c.service = e.service;
      c.subscriber = strings_.intern(e.subscriber_id);
      c.causal = strings_.intern(e.causal);
      const auto rank = [&](const TicketState& x) {
        return std::make_tuple(
            x.filed_at, x.kind, x.channel, std::string_view(scopes.name(x.office)), x.service,
            std::string_view(name(x.subscriber)), std::string_view(name(x.causal)));
      };
      if (!t.filed || rank(c) < rank(t)) {
        c.filed = true;
        t = std::move(c);
        changed = true;
      }
      break;
    }
    case EventType::kPqrAnswered: {
      const bool internal = e.internal_error.value_or(false);
      const auto candidate = std::tie(e.occurred_at, e.outcome, internal);
      if (!t.answered || candidate < std::tie(t.answered_at, t.outcome, t.internal_error)) {
        t.answered = true;
        t.answered_at = e.occurred_at;
        t.outcome = e.outcome;
        t.internal_error = internal;
        changed = true;
      }
      break;
    }
    case EventType::kPqrMisfiled:
      if (!t.misfiled) {
        t.misfiled = true;
        changed = true;
      }
      break;
    default:
      break;
  }
  if (changed && !(before == t)) {
    contribute(before, -1);
    contribute(t, +1);
  }
  return changed;
}

void IndicatorState::contribute(const TicketState& t, int sign) {
  if (!t.filed) return;
  const YearMonth filed_month = local_month(t.filed_at);
  const YearMonth answer_month = t.answered ? local_month(t.answered_at) : YearMonth{};
  const bool pending_at_filing_month_end = !t.answered || answer_month > filed_month;
  bool on_time = false;
  if (t.answered) {
    const std::optional<Date> due = due_date_of(t);
    on_time = due.has_value() && local_date(t.answered_at) <= *due;
  }
  const ScopeId scopes[] = {kScopeAll, t.office};
  const int n_scopes = t.office == kScopeAll ? 1 : 2;
  for (int i = 0; i < n_scopes; ++i) {
    const ScopeId s = scopes[i];
    aggregates_.add({Indicator::kPeticionesMalIngresadas, s, filed_month},
                    sign * (t.misfiled ? 1 : 0), sign);
    aggregates_.add({Indicator::kPqrPendientes, s, filed_month},
                    pending_at_filing_month_end ? sign : 0, sign);
    if (t.answered) {
      if (pending_at_filing_month_end) {
        aggregates_.add({Indicator::kPqrPendientes, s, answer_month}, -sign, 0);
      }
      aggregates_.add({Indicator::kOportunidadRespuesta, s, answer_month}, on_time ? sign : 0,
                      sign);
    }
  }
  if (t.kind == PqrKind::kReclamo) {
    aggregates_.add({Indicator::kIndiceReclamacion, kScopeAll, filed_month}, sign, 0);
  }
}

bool IndicatorState::apply_visit(const Event& e) {
  auto [it, inserted] = visits_.try_emplace(e.visit_id);
  VisitState& v = it->second;
  const VisitState before = v;
  const auto earlier = [](Instant a, Instant b) { return a < b; };
  bool changed = inserted;
  if (e.type == EventType::kVisitRequested) {
    changed = keep_min(&v.requested, &v.requested_at, e.occurred_at, earlier) || changed;
  } else {
    changed = keep_min(&v.completed, &v.completed_at, e.occurred_at, earlier) || changed;
  }
  if (!(before == v)) {
    contribute(before, -1);
    contribute(v, +1);
  }
  return changed;
}

void IndicatorState::contribute(const VisitState& v, int sign) {
  if (!v.requested || !v.completed) return;
  aggregates_.add({Indicator::kTiempoAtencionVisitas, kScopeAll, local_month(v.completed_at)},
                  sign * (v.completed_at.us - v.requested_at.us), sign);
}

bool IndicatorState::apply_turn(const Event& e) {
  TurnState c;
  c.ended_at = e.occurred_at;
  c.arrived_at = e.arrived_at;
  c.started_at = e.started_at.value_or(e.arrived_at);
  c.office = office_scope(e.office);
  auto [it, inserted] = turns_.try_emplace(e.turn_id, c);
  if (inserted) {
    contribute(c, +1);
    return true;
  }
  const ScopeTable& scopes = aggregates_.scopes();
  const auto rank = [&scopes](const TurnState& x) {
    return std::tie(x.ended_at, scopes.name(x.office), x.arrived_at, x.started_at);
  };
  if (!(rank(c) < rank(it->second))) return false;
  contribute(it->second, -1);
  it->second = c;
  contribute(c, +1);
  return true;
}

void IndicatorState::contribute(const TurnState& t, int sign) {
  const YearMonth m = local_month(t.ended_at);
  const std::int64_t duration = t.ended_at.us - t.arrived_at.us;
  aggregates_.add({Indicator::kTiempoAtencionVentanilla, kScopeAll, m}, sign * duration, sign);
  aggregates_.add({Indicator::kTiempoAtencionVentanilla, t.office, m}, sign * duration, sign);
}

bool IndicatorState::apply_bill(const Event& e) {
  BillState c;
  c.issued_at = e.occurred_at;
  c.subscriber = strings_.intern(e.subscriber_id);
  c.period = e.period;
  c.amounts = e.amounts;
  auto [bill, inserted] = bills_.try_emplace(e.bill_id);
  if (inserted) {
    *bill = c;
    contribute(c, +1);
    return true;
  }
  const auto rank = [this](const BillState& x) {
    return std::make_tuple(x.issued_at, std::string_view(name(x.subscriber)), x.period, x.amounts);
  };
  if (!(rank(c) < rank(*bill))) return false;
  contribute(*bill, -1);
  *bill = c;
  contribute(*bill, +1);
  return true;
}

void IndicatorState::contribute(const BillState& b, int sign) {
  std::vector<SubscriberMonth>& month = subscriber_months_[b.period.index];
  if (b.subscriber >= month.size()) month.resize(std::size_t{b.subscriber} + 1);
  SubscriberMonth& sm = month[b.subscriber];
  const auto step = [sign](std::uint16_t* count) {
    // Returns true when the count crosses zero (the subscriber starts or stops counting).
    const bool was = *count > 0;
    *count = static_cast<std::uint16_t>(*count + sign);
    return was != (*count > 0);
  };
  if (step(&sm.bills)) {
    aggregates_.add({Indicator::kIndiceReclamacion, kScopeAll, b.period}, 0, sign);
    aggregates_.add({Indicator::kReformadosCantidad, kScopeAll, b.period}, 0, sign);
  }
  bool lines = false;
  Cents total = 0;
  for (std::size_t s = 0; s < static_cast<std::size_t>(kServiceCount); ++s) {
    if (!b.amounts[s]) continue;
    const Cents cents = *b.amounts[s];
    lines = true;
    total += cents;
    aggregates_.add({Indicator::kReformadosValor, service_scopes_[s], b.period}, 0, sign * cents);
    if (step(&sm.per_service[s])) {
      aggregates_.add({Indicator::kReformadosCantidad, service_scopes_[s], b.period}, 0, sign);
    }
  }
  if (lines) aggregates_.add({Indicator::kReformadosValor, kScopeAll, b.period}, 0, sign * total);
}

bool IndicatorState::apply_reform(const Event& e) {
  ReformState c;
  c.applied_at = e.occurred_at;
  c.service = e.service;
  c.amount = e.amount;
  c.bill_id = e.bill_id;
  c.subscriber_id = e.subscriber_id;
  c.ticket_id = e.ticket_id;
  auto [it, inserted] = reforms_.try_emplace(e.event_id, c);
  if (inserted) {
    contribute(c, +1);
    return true;
  }
  const auto rank = [](const ReformState& x) {
    return std::tie(x.applied_at, x.service, x.amount, x.bill_id, x.subscriber_id, x.ticket_id);
  };
  if (!(rank(c) < rank(it->second))) return false;
  contribute(it->second, -1);
  it->second = std::move(c);
  contribute(it->second, +1);
  return true;
}

void IndicatorState::contribute(const ReformState& r, int sign) {
  const YearMonth m = local_month(r.applied_at);
  const ScopeId scopes[] = {kScopeAll, service_scopes_[service_index(r.service)]};
  for (ScopeId s : scopes) {
    aggregates_.add({Indicator::kReformadosValor, s, m}, sign * r.amount, 0);
    aggregates_.add({Indicator::kReformadosCantidad, s, m}, sign, 0);
  }
}

DataQuality IndicatorState::data_quality() const {
  DataQuality q;
  for (const auto& [id, t] : tickets_) q.orphan_tickets += t.filed ? 0 : 1;
  for (const auto& [id, v] : visits_)
    q.visits_without_request += (v.completed && !v.requested) ? 1 : 0;
  return q;
}

}  // namespace pqrflow::core
