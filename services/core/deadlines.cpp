#include "core/deadlines.hpp"

#include <algorithm>
#include <tuple>

#include "core/calendar.hpp"

namespace pqrflow::core {
namespace {

bool pending_at(const TicketState& t, Instant now) {
  return t.filed && t.filed_at <= now && !(t.answered && t.answered_at <= now);
}

}  // namespace

int business_days_left(Date today, Date due) {
  if (due >= today) return business_days_between(today, due);
  // Past the due date even when only weekends and holidays followed it (due on Friday,
  // today the holiday Monday): an answer dated today is late, so never 0 ("due today").
  return -std::max(1, business_days_between(due, today));
}

LiveCounts live_counts(const IndicatorState& state, Instant now, int warn_days) {
  LiveCounts out;
  const Date today = local_date(now);
  const ScopeTable& scopes = state.aggregates().scopes();
  LiveFigures& all = out.by_scope["all"];
  for (const auto& [id, t] : state.tickets()) {
    if (!t.filed || t.filed_at > now) continue;
    LiveFigures f;
    if (now.us - t.filed_at.us < kTrailingWindowMicros) f.filed_30d = 1;
    if (pending_at(t, now)) {
      f.pending = 1;
      if (const std::optional<Date> due = state.due_date_of(t)) {
        if (*due < today) {
          f.overdue = 1;
        } else if (business_days_between(today, *due) <= warn_days) {
          f.due_soon = 1;
        }
      }
    }
    all += f;
    if (t.office != kScopeAll) out.by_scope[scopes.name(t.office)] += f;
  }
  return out;
}

std::vector<DeadlineItem> deadline_worklist(const IndicatorState& state, Instant now, int warn_days,
                                            std::size_t limit, std::size_t* total) {
  std::vector<DeadlineItem> out;
  const Date today = local_date(now);
  const ScopeTable& scopes = state.aggregates().scopes();
  for (const auto& [id, t] : state.tickets()) {
    if (!pending_at(t, now)) continue;
    const std::optional<Date> due = state.due_date_of(t);
    if (!due) continue;
    const int left = business_days_left(today, *due);
    if (*due >= today && left > warn_days) continue;
    DeadlineItem item;
    item.ticket_id = std::string(id);
    item.office = t.office == kScopeAll ? std::string() : scopes.name(t.office).substr(7);
    item.kind = t.kind;
    item.filed_at = t.filed_at;
    item.due = *due;
    item.business_days_left = left;
    out.push_back(std::move(item));
  }
  const auto urgency = [](const DeadlineItem& i) {
    return std::tie(i.due, i.filed_at, i.ticket_id);
  };
  if (total != nullptr) *total = out.size();
  const std::size_t keep = std::min(limit, out.size());
  std::partial_sort(
      out.begin(), out.begin() + static_cast<std::ptrdiff_t>(keep), out.end(),
      [&](const DeadlineItem& a, const DeadlineItem& b) { return urgency(a) < urgency(b); });
  out.resize(keep);
  return out;
}

}  // namespace pqrflow::core
