#include "core/replay.hpp"

namespace pqrflow::core {

LegalTerms legal_terms_of(const Plan& plan) {
  LegalTerms terms{};
  for (std::size_t i = 0; i < terms.size(); ++i) terms[i] = plan.legal_terms[i];
  return terms;
}

Replayer::Replayer(const Plan& plan, std::optional<Instant> as_of, DecoderLimits limits)
    : plan_(plan), requested_as_of_(as_of), decoder_(limits), state_(legal_terms_of(plan)) {}

void Replayer::feed_json(std::string_view record, std::string_view origin) {
  ++counts_.records;
  if (decoder_.decode_json(record, &scratch_, &why_)) {
    feed_event(scratch_);
  } else {
    reject(origin, record, why_);
  }
}

void Replayer::feed_protobuf(std::string_view record, std::string_view origin) {
  ++counts_.records;
  if (decoder_.decode_protobuf(record, &scratch_, &why_)) {
    feed_event(scratch_);
  } else {
    reject(origin, record, why_);
  }
}

void Replayer::feed_event(const Event& e) {
  if (requested_as_of_ && e.occurred_at > *requested_as_of_) {
    ++counts_.after_as_of;
    return;
  }
  ++counts_.accepted;
  state_.apply(e);
}

void Replayer::reject(std::string_view origin, std::string_view record, const Rejection& why) {
  ++counts_.rejected;
  ++counts_.by_reason[static_cast<std::size_t>(why.reason)];
  if (reject_sink_) reject_sink_(origin, record, why);
}

std::optional<Instant> Replayer::as_of() const {
  if (requested_as_of_) return requested_as_of_;
  if (!state_.aggregates().has_events()) return std::nullopt;
  return state_.aggregates().max_event_time();
}

std::vector<BiRow> Replayer::rows() const {
  const std::optional<Instant> t = as_of();
  if (!t) return {};
  const IndicatorCalculator calc(state_.aggregates(), *t);
  return build_rows(calc, plan_);
}

}  // namespace pqrflow::core
