// Alert rules (domain.md "Alerts") as pure state machines over a value and a clock:
//
//   inactive ──condition──▶ pending ──held for `for`──▶ firing ──value < resolve──▶ resolved
//                 │                                                              (cooldown)
//                 └──value < resolve before `for`──▶ resolved
//
// The condition is value ≥ threshold and, when min_rise is set, a rise of at least
// min_rise over the look-back window. A firing alert resolves only below the lower
// resolve threshold (hysteresis), so a value hovering at the threshold never flaps, and
// after resolving no new alert starts until the cooldown has passed. Each transition is
// reported once.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "core/time.hpp"

namespace pqrflow::core {

struct AlertRule {
  std::string id;  // e.g. "pqr_pending_ratio_rising"
  std::string subject = "all";
  double threshold = 0;            // fire at or above
  double resolve_below = 0;        // resolve strictly below (≤ threshold)
  std::optional<double> min_rise;  // points over the look-back window
  std::int64_t lookback_us = 0;
  std::int64_t for_us = 0;       // how long the condition must hold before firing
  std::int64_t cooldown_us = 0;  // after resolving, no new alert for this long
};

enum class AlertState : std::uint8_t { kInactive, kPending, kFiring };

struct AlertTransitionEvent {
  std::string state;  // "pending", "firing", "resolved"
  double value = 0;
  Instant at;
};

// What a checkpoint keeps of a tracker (the look-back history restarts empty).
struct AlertTrackerSnapshot {
  AlertState state = AlertState::kInactive;
  Instant since{};
  std::optional<Instant> resolved_at;
};

class AlertTracker {
 public:
  explicit AlertTracker(AlertRule rule) : rule_(std::move(rule)) {}

  // Feeds the value observed at `now` (nullopt: no data; treated as condition false).
  // Returns the transition it caused, if any. `now` must not go backwards; a sample
  // older than the last one is ignored, and a later sample at the same instant replaces
  // the earlier one in the look-back history.
  std::optional<AlertTransitionEvent> observe(Instant now, std::optional<double> value);

  AlertState state() const { return state_; }
  const AlertRule& rule() const { return rule_; }
  std::optional<double> last_value() const { return last_value_; }
  Instant since() const { return since_; }

  AlertTrackerSnapshot snapshot() const { return {state_, since_, resolved_at_}; }
  void restore(const AlertTrackerSnapshot& s) {
    state_ = s.state;
    since_ = s.since;
    resolved_at_ = s.resolved_at;
  }

 private:
  bool rising(Instant now, double value) const;

  AlertRule rule_;
  AlertState state_ = AlertState::kInactive;
  Instant since_{};                     // when the current state began
  std::optional<Instant> resolved_at_;  // last resolution, for the cooldown
  std::optional<Instant> last_seen_;
  std::optional<double> last_value_;
  std::deque<std::pair<Instant, double>> history_;  // samples within the look-back window
};

}  // namespace pqrflow::core
