#include "core/alerts.hpp"

namespace pqrflow::core {

bool AlertTracker::rising(Instant now, double value) const {
  if (!rule_.min_rise) return true;
  // The reference is the latest sample at least `lookback` old, or the oldest we have.
  std::optional<double> reference;
  for (const auto& [t, v] : history_) {
    if (now.us - t.us >= rule_.lookback_us) {
      reference = v;
    } else {
      if (!reference) reference = v;
      break;
    }
  }
  return reference.has_value() && value - *reference >= *rule_.min_rise;
}

std::optional<AlertTransitionEvent> AlertTracker::observe(Instant now,
                                                          std::optional<double> value) {
  if (last_seen_ && now < *last_seen_) return std::nullopt;
  last_seen_ = now;
  last_value_ = value;
  // One sample per instant, the latest: values seen while a batch was half applied
  // (filings before their answers) must not become the look-back reference.
  if (!history_.empty() && history_.back().first == now) history_.pop_back();
  const bool condition = value.has_value() && *value >= rule_.threshold && rising(now, *value);
  if (value) {
    history_.emplace_back(now, *value);
    // Keep one sample older than the window as the reference point.
    while (history_.size() > 2 && now.us - history_[1].first.us >= rule_.lookback_us) {
      history_.pop_front();
    }
  }
  const double v = value.value_or(0);
  switch (state_) {
    case AlertState::kInactive:
      if (condition && (!resolved_at_ || now.us - resolved_at_->us >= rule_.cooldown_us)) {
        state_ = AlertState::kPending;
        since_ = now;
        return AlertTransitionEvent{"pending", v, now};
      }
      return std::nullopt;
    case AlertState::kPending:
      // Hysteresis here too: an episode ends only below the resolve threshold.
      if (!value || *value < rule_.resolve_below) {
        state_ = AlertState::kInactive;
        resolved_at_ = now;
        since_ = now;
        return AlertTransitionEvent{"resolved", v, now};
      }
      if (now.us - since_.us >= rule_.for_us) {
        state_ = AlertState::kFiring;
        since_ = now;
        return AlertTransitionEvent{"firing", v, now};
      }
      return std::nullopt;
    case AlertState::kFiring:
      if (!value || *value < rule_.resolve_below) {
        state_ = AlertState::kInactive;
        resolved_at_ = now;
        since_ = now;
        return AlertTransitionEvent{"resolved", v, now};
      }
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace pqrflow::core
