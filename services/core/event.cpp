#include "core/event.hpp"

namespace pqrflow::core {

const std::string& partition_key(const Event& e) {
  switch (e.type) {
    case EventType::kPqrFiled:
    case EventType::kPqrAnswered:
    case EventType::kPqrMisfiled:
      return e.ticket_id;
    case EventType::kWindowServed:
      return e.turn_id;
    case EventType::kVisitRequested:
    case EventType::kVisitCompleted:
      return e.visit_id;
    case EventType::kBillIssued:
    case EventType::kBillReformed:
      return e.subscriber_id;
  }
  return e.event_id;
}

}  // namespace pqrflow::core
