// Live, clock-dependent figures of the ticket state (domain.md "Alerts"): tickets
// pending now, tickets filed in the trailing 30 days (their ratio is the live
// pending-PQR ratio), and legal-deadline risk — pending tickets with at most K business
// days left to their due date, and those already past it (silencio administrativo
// positivo exposure) — as counts per scope and as a worklist.
//
//   LiveCounts c = live_counts(state, now, /*warn_days=*/3);
//   c.by_scope["all"].overdue …
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/state.hpp"

namespace pqrflow::core {

inline constexpr std::int64_t kTrailingWindowMicros = 30 * kMicrosPerDay;

struct LiveFigures {
  std::int64_t pending = 0;    // filed by now, no answer by now
  std::int64_t filed_30d = 0;  // filed in (now − 30 days, now]
  std::int64_t due_soon = 0;   // pending, due today or within warn_days business days
  std::int64_t overdue = 0;    // pending, due date before today
  friend bool operator==(const LiveFigures&, const LiveFigures&) = default;
  LiveFigures& operator+=(const LiveFigures& o) {
    pending += o.pending;
    filed_30d += o.filed_30d;
    due_soon += o.due_soon;
    overdue += o.overdue;
    return *this;
  }
};

struct LiveCounts {
  std::map<std::string, LiveFigures> by_scope;  // "all" and "office:<name>"
};

LiveCounts live_counts(const IndicatorState& state, Instant now, int warn_days);

struct DeadlineItem {
  std::string ticket_id;
  std::string office;
  PqrKind kind = PqrKind::kUnspecified;
  Instant filed_at;
  Date due;
  int business_days_left = 0;  // negative when overdue
  friend bool operator==(const DeadlineItem&, const DeadlineItem&) = default;
};

// Pending tickets due within warn_days business days or overdue, most urgent first
// (due date, then filing instant, then ticket id), at most `limit`.
// *total (optional) receives how many tickets qualified before the cap.
std::vector<DeadlineItem> deadline_worklist(const IndicatorState& state, Instant now, int warn_days,
                                            std::size_t limit, std::size_t* total = nullptr);

// Business days left from `today` to `due`: 0 when due today; negative when overdue
// (−1 at least, also when only days off passed since the due date).
int business_days_left(Date today, Date due);

}  // namespace pqrflow::core
