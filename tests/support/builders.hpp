// Builders for canonical events and plans in tests: terse, explicit, no JSON.
//
//   Event e = filed("e1", "R1",
//   "2024-03-19T10:00:00-05:00").kind(PqrKind::kReclamo).office("Centro");
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

#include "core/event.hpp"
#include "core/plan.hpp"
#include "core/time.hpp"

namespace pqrflow::testing {

inline core::Instant at(std::string_view rfc3339) {
  std::string why;
  auto t = core::parse_rfc3339(rfc3339, &why);
  if (!t) throw std::invalid_argument(std::string(rfc3339) + ": " + why);
  return *t;
}

inline core::Date day(std::string_view ymd) {
  auto d = core::parse_date(ymd);
  if (!d) throw std::invalid_argument(std::string(ymd));
  return *d;
}

class EventBuilder {
 public:
  EventBuilder(core::EventType type, std::string event_id, std::string_view when) {
    e_.type = type;
    e_.event_id = std::move(event_id);
    e_.occurred_at = at(when);
  }
  EventBuilder& ticket(std::string v) {
    e_.ticket_id = std::move(v);
    return *this;
  }
  EventBuilder& kind(core::PqrKind v) {
    e_.kind = v;
    return *this;
  }
  EventBuilder& channel(core::Channel v) {
    e_.channel = v;
    return *this;
  }
  EventBuilder& office(std::string v) {
    e_.office = std::move(v);
    return *this;
  }
  EventBuilder& service(core::Service v) {
    e_.service = v;
    return *this;
  }
  EventBuilder& subscriber(std::string v) {
    e_.subscriber_id = std::move(v);
    return *this;
  }
  EventBuilder& outcome(core::Outcome v) {
    e_.outcome = v;
    return *this;
  }
  EventBuilder& turn(std::string v) {
    e_.turn_id = std::move(v);
    return *this;
  }
  EventBuilder& arrived(std::string_view v) {
    e_.arrived_at = at(v);
    return *this;
  }
  EventBuilder& started(std::string_view v) {
    e_.started_at = at(v);
    return *this;
  }
  EventBuilder& visit(std::string v) {
    e_.visit_id = std::move(v);
    return *this;
  }
  EventBuilder& bill(std::string v) {
    e_.bill_id = std::move(v);
    return *this;
  }
  EventBuilder& period(int y, int m) {
    e_.period = core::YearMonth::of(y, m);
    return *this;
  }
  EventBuilder& line(core::Service s, core::Cents cents) {
    e_.amounts[static_cast<std::size_t>(s) - 1] = cents;
    return *this;
  }
  EventBuilder& amount(core::Cents cents) {
    e_.amount = cents;
    return *this;
  }
  operator core::Event() const { return e_; }  // NOLINT: implicit by design
  core::Event build() const { return e_; }

 private:
  core::Event e_;
};

inline EventBuilder filed(std::string id, std::string ticket, std::string_view when,
                          core::PqrKind kind = core::PqrKind::kPeticion) {
  EventBuilder b(core::EventType::kPqrFiled, std::move(id), when);
  b.ticket(std::move(ticket)).kind(kind).channel(core::Channel::kWeb);
  return b;
}
inline EventBuilder answered(std::string id, std::string ticket, std::string_view when,
                             core::Outcome outcome = core::Outcome::kAccede) {
  EventBuilder b(core::EventType::kPqrAnswered, std::move(id), when);
  b.ticket(std::move(ticket)).outcome(outcome);
  return b;
}
inline EventBuilder misfiled(std::string id, std::string ticket, std::string_view when) {
  EventBuilder b(core::EventType::kPqrMisfiled, std::move(id), when);
  b.ticket(std::move(ticket));
  return b;
}
inline EventBuilder window_served(std::string id, std::string turn, std::string office,
                                  std::string_view arrived, std::string_view started,
                                  std::string_view ended) {
  EventBuilder b(core::EventType::kWindowServed, std::move(id), ended);
  b.turn(std::move(turn)).office(std::move(office)).arrived(arrived).started(started);
  return b;
}
inline EventBuilder visit_requested(std::string id, std::string visit, std::string_view when) {
  EventBuilder b(core::EventType::kVisitRequested, std::move(id), when);
  b.visit(std::move(visit));
  return b;
}
inline EventBuilder visit_completed(std::string id, std::string visit, std::string_view when) {
  EventBuilder b(core::EventType::kVisitCompleted, std::move(id), when);
  b.visit(std::move(visit));
  return b;
}
inline EventBuilder bill_issued(std::string id, std::string bill, std::string subscriber, int year,
                                int month, std::string_view when) {
  EventBuilder b(core::EventType::kBillIssued, std::move(id), when);
  b.bill(std::move(bill)).subscriber(std::move(subscriber)).period(year, month);
  return b;
}
inline EventBuilder bill_reformed(std::string id, std::string bill, std::string subscriber,
                                  core::Service service, core::Cents cents, std::string_view when) {
  EventBuilder b(core::EventType::kBillReformed, std::move(id), when);
  b.bill(std::move(bill)).subscriber(std::move(subscriber)).service(service).amount(cents);
  return b;
}

// The 2024 plan of domain.md, built in code (independent of the YAML loader).
inline core::Plan plan_2024() {
  using core::Direction;
  using core::Goal;
  using core::Indicator;
  using core::Rational;
  using core::TargetMode;
  core::Plan p;
  p.id = "F.PCO.021-2024";
  p.year = 2024;
  const auto add = [&p](Indicator i, Rational weight, std::optional<Goal> goal) {
    core::PlanIndicator pi;
    pi.indicator = i;
    pi.name = std::string(core::info(i).name_es);
    pi.weight = weight;
    pi.goal = goal;
    pi.baseline.period = "2023";
    p.indicators.push_back(pi);
  };
  add(Indicator::kOportunidadRespuesta, Rational(30, 100),
      Goal{Direction::kIncrease, TargetMode::kPoints, Rational(1)});
  add(Indicator::kIndiceReclamacion, Rational(20, 100),
      Goal{Direction::kDecrease, TargetMode::kRelative, Rational(5, 100)});
  add(Indicator::kPqrPendientes, Rational(10, 100),
      Goal{Direction::kDecrease, TargetMode::kRelative, Rational(40, 100)});
  add(Indicator::kPeticionesMalIngresadas, Rational(10, 100),
      Goal{Direction::kDecrease, TargetMode::kRelative, Rational(25, 1000)});
  add(Indicator::kReformadosValor, Rational(15, 100),
      Goal{Direction::kDecrease, TargetMode::kRelative, Rational(3, 100)});
  add(Indicator::kReformadosCantidad, Rational(15, 100),
      Goal{Direction::kDecrease, TargetMode::kRelative, Rational(5, 100)});
  add(Indicator::kTiempoAtencionVisitas, Rational(0),
      Goal{Direction::kDecrease, TargetMode::kRelative, Rational(25, 1000)});
  add(Indicator::kTiempoAtencionVentanilla, Rational(0), std::nullopt);
  return p;
}

}  // namespace pqrflow::testing
