#include "core/event_codec.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/event_detail.hpp"
#include "pqrflow/v1/events.pb.h"

namespace pqrflow::core {
namespace {

namespace v1 = pqrflow::v1;

// Core and protobuf enums share their numbers (vocabulary.hpp), so conversion is a cast;
// a wire value outside the vocabulary becomes kInvalidEnumValue for validate() to reject
// (casting it straight to a uint8_t enum could wrap it onto a valid value).
template <typename Enum, std::size_t N>
Enum enum_from_wire(int value, const std::array<std::string_view, N>& /*names*/) {
  if (value < 0 || static_cast<std::size_t>(value) >= N) {
    return static_cast<Enum>(detail::kInvalidEnumValue);
  }
  return static_cast<Enum>(value);
}

YearMonth period_from_wire(std::int32_t year, std::int32_t month) {
  if (year < 0 || year > 9999 || month < 1 || month > 12) return detail::kInvalidPeriod;
  return YearMonth::of(year, month);
}

// The body case of each event type: the oneof's field numbers follow EventType's order.
v1::Event::BodyCase body_case_of(EventType t) {
  static_assert(v1::Event::kPqrFiled == 10 && v1::Event::kBillReformed == 17 &&
                static_cast<int>(EventType::kBillReformed) == 7);
  return static_cast<v1::Event::BodyCase>(v1::Event::kPqrFiled + static_cast<int>(t));
}

}  // namespace

bool clear_keeping_body(v1::Event* m, int body) {
  if (body != m->body_case() || !m->GetReflection()->GetUnknownFields(*m).empty()) {
    m->Clear();
    return false;
  }
  m->clear_event_id();  // every top-level field (contract_test's tripwire counts them)
  m->clear_occurred_at_us();
  m->clear_source();
  switch (m->body_case()) {
    case v1::Event::kPqrFiled:
      m->mutable_pqr_filed()->Clear();
      break;
    case v1::Event::kPqrAnswered:
      m->mutable_pqr_answered()->Clear();
      break;
    case v1::Event::kPqrMisfiled:
      m->mutable_pqr_misfiled()->Clear();
      break;
    case v1::Event::kWindowServed:
      m->mutable_window_served()->Clear();
      break;
    case v1::Event::kVisitRequested:
      m->mutable_visit_requested()->Clear();
      break;
    case v1::Event::kVisitCompleted:
      m->mutable_visit_completed()->Clear();
      break;
    case v1::Event::kBillIssued:
      m->mutable_bill_issued()->Clear();
      break;
    case v1::Event::kBillReformed:
      m->mutable_bill_reformed()->Clear();
      break;
    case v1::Event::BODY_NOT_SET:
      break;
  }
  return true;
}

void to_proto(const Event& in, v1::Event* out) {
  // Clearing on a per-record path: a third of serialising was Clear() freeing the body
  // for the next record to allocate again.
  clear_keeping_body(out, body_case_of(in.type));
  out->set_event_id(in.event_id);
  out->set_occurred_at_us(in.occurred_at.us);
  out->set_source(in.source);
  switch (in.type) {
    case EventType::kPqrFiled: {
      v1::PqrFiled* b = out->mutable_pqr_filed();
      b->set_ticket_id(in.ticket_id);
      b->set_kind(static_cast<v1::PqrKind>(in.kind));
      b->set_channel(static_cast<v1::Channel>(in.channel));
      b->set_subscriber_id(in.subscriber_id);
      b->set_service(static_cast<v1::Service>(in.service));
      b->set_causal(in.causal);
      b->set_office(in.office);
      break;
    }
    case EventType::kPqrAnswered: {
      v1::PqrAnswered* b = out->mutable_pqr_answered();
      b->set_ticket_id(in.ticket_id);
      b->set_outcome(static_cast<v1::Outcome>(in.outcome));
      if (in.internal_error) b->set_internal_error(*in.internal_error);
      break;
    }
    case EventType::kPqrMisfiled: {
      v1::PqrMisfiled* b = out->mutable_pqr_misfiled();
      b->set_ticket_id(in.ticket_id);
      b->set_reason(in.reason);
      break;
    }
    case EventType::kWindowServed: {
      v1::WindowServed* b = out->mutable_window_served();
      b->set_turn_id(in.turn_id);
      b->set_office(in.office);
      b->set_arrived_at_us(in.arrived_at.us);
      b->set_started_at_us(in.started_at.value_or(Instant{}).us);
      break;
    }
    case EventType::kVisitRequested: {
      v1::VisitRequested* b = out->mutable_visit_requested();
      b->set_visit_id(in.visit_id);
      b->set_ticket_id(in.ticket_id);
      break;
    }
    case EventType::kVisitCompleted: {
      v1::VisitCompleted* b = out->mutable_visit_completed();
      b->set_visit_id(in.visit_id);
      b->set_ticket_id(in.ticket_id);
      if (in.started_at) b->set_started_at_us(in.started_at->us);
      break;
    }
    case EventType::kBillIssued: {
      v1::BillIssued* b = out->mutable_bill_issued();
      b->set_bill_id(in.bill_id);
      b->set_subscriber_id(in.subscriber_id);
      b->set_period_year(in.period.year());
      b->set_period_month(in.period.month());
      for (std::size_t s = 0; s < in.amounts.size(); ++s) {
        if (!in.amounts[s]) continue;
        v1::BillLine* line = b->add_lines();
        line->set_service(static_cast<v1::Service>(s + 1));
        line->set_amount_cents(*in.amounts[s]);
      }
      break;
    }
    case EventType::kBillReformed: {
      v1::BillReformed* b = out->mutable_bill_reformed();
      b->set_bill_id(in.bill_id);
      b->set_subscriber_id(in.subscriber_id);
      b->set_service(static_cast<v1::Service>(in.service));
      b->set_amount_cents(in.amount);
      b->set_ticket_id(in.ticket_id);
      b->set_reason(in.reason);
      break;
    }
  }
}

bool from_proto(const v1::Event& in, Event* out) {
  detail::reset_event(out);
  out->event_id.assign(in.event_id());
  out->occurred_at = Instant{in.occurred_at_us()};
  out->source.assign(in.source());
  switch (in.body_case()) {
    case v1::Event::kPqrFiled: {
      const v1::PqrFiled& b = in.pqr_filed();
      out->type = EventType::kPqrFiled;
      out->ticket_id.assign(b.ticket_id());
      out->kind = enum_from_wire<PqrKind>(b.kind(), kPqrKindNames);
      out->channel = enum_from_wire<Channel>(b.channel(), kChannelNames);
      out->subscriber_id.assign(b.subscriber_id());
      out->service = enum_from_wire<Service>(b.service(), kServiceNames);
      out->causal.assign(b.causal());
      out->office.assign(b.office());
      return true;
    }
    case v1::Event::kPqrAnswered: {
      const v1::PqrAnswered& b = in.pqr_answered();
      out->type = EventType::kPqrAnswered;
      out->ticket_id.assign(b.ticket_id());
      out->outcome = enum_from_wire<Outcome>(b.outcome(), kOutcomeNames);
      if (b.has_internal_error()) out->internal_error = b.internal_error();
      return true;
    }
    case v1::Event::kPqrMisfiled: {
      const v1::PqrMisfiled& b = in.pqr_misfiled();
      out->type = EventType::kPqrMisfiled;
      out->ticket_id.assign(b.ticket_id());
      out->reason.assign(b.reason());
      return true;
    }
    case v1::Event::kWindowServed: {
      const v1::WindowServed& b = in.window_served();
      out->type = EventType::kWindowServed;
      out->turn_id.assign(b.turn_id());
      out->office.assign(b.office());
      out->arrived_at = Instant{b.arrived_at_us()};
      out->started_at = Instant{b.started_at_us()};
      return true;
    }
    case v1::Event::kVisitRequested: {
      const v1::VisitRequested& b = in.visit_requested();
      out->type = EventType::kVisitRequested;
      out->visit_id.assign(b.visit_id());
      out->ticket_id.assign(b.ticket_id());
      return true;
    }
    case v1::Event::kVisitCompleted: {
      const v1::VisitCompleted& b = in.visit_completed();
      out->type = EventType::kVisitCompleted;
      out->visit_id.assign(b.visit_id());
      out->ticket_id.assign(b.ticket_id());
      if (b.has_started_at_us()) out->started_at = Instant{b.started_at_us()};
      return true;
    }
    case v1::Event::kBillIssued: {
      const v1::BillIssued& b = in.bill_issued();
      out->type = EventType::kBillIssued;
      out->bill_id.assign(b.bill_id());
      out->subscriber_id.assign(b.subscriber_id());
      out->period = period_from_wire(b.period_year(), b.period_month());
      // Lines of an unknown service are dropped and a repeated service keeps its last
      // line: decode_protobuf rejects both before converting.
      for (const v1::BillLine& line : b.lines()) {
        const int s = line.service();
        if (s >= 1 && s <= kServiceCount) {
          out->amounts[static_cast<std::size_t>(s - 1)] = line.amount_cents();
        }
      }
      return true;
    }
    case v1::Event::kBillReformed: {
      const v1::BillReformed& b = in.bill_reformed();
      out->type = EventType::kBillReformed;
      out->bill_id.assign(b.bill_id());
      out->subscriber_id.assign(b.subscriber_id());
      out->service = enum_from_wire<Service>(b.service(), kServiceNames);
      out->amount = b.amount_cents();
      out->ticket_id.assign(b.ticket_id());
      out->reason.assign(b.reason());
      return true;
    }
    case v1::Event::BODY_NOT_SET:
      break;
  }
  return false;
}

void serialize_event(const Event& in, std::string* out) {
  // One message per thread, reused: serialising is on ingest's per-record path.
  thread_local v1::Event message;
  to_proto(in, &message);
  out->clear();
  message.AppendToString(out);
}

}  // namespace pqrflow::core
