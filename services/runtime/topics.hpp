// The pqrflow topic names (design.md §5). Defaults are the contract's names; every
// service lets them be overridden, and the embedded broker pre-creates them all.
#pragma once

#include <string>
#include <vector>

namespace pqrflow::runtime {

struct TopicNames {
  std::string raw_pqr = "pqrflow.raw.pqr";
  std::string raw_visits = "pqrflow.raw.visits";
  std::string raw_billing = "pqrflow.raw.billing";
  std::string events = "pqrflow.events.v1";
  std::string deadletter = "pqrflow.deadletter.v1";
  std::string indicators = "pqrflow.indicators.v1";
  std::string deadlines = "pqrflow.deadlines.v1";
  std::string compliance = "pqrflow.compliance.v1";
  std::string alerts = "pqrflow.alerts.v1";
  std::string bi = "pqrflow.bi.v1";

  std::vector<std::string> all() const {
    return {raw_pqr,    raw_visits, raw_billing, events, deadletter,
            indicators, deadlines,  compliance,  alerts, bi};
  }
  std::vector<std::string> raw() const { return {raw_pqr, raw_visits, raw_billing}; }
};

}  // namespace pqrflow::runtime
