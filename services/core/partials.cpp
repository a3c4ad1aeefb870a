#include "core/partials.hpp"

#include <set>

namespace pqrflow::core {

bool PartialMerger::apply(const PartialCell& s) {
  Key key{static_cast<std::uint8_t>(s.indicator), s.scope, s.month.index, s.partial_id};
  auto [it, inserted] = cells_.try_emplace(std::move(key));
  Stored& stored = it->second;
  if (!inserted && s.version <= stored.version) return false;
  const Cell delta{s.cell.numerator - stored.cell.numerator,
                   s.cell.denominator - stored.cell.denominator};
  stored.cell = s.cell;
  stored.version = s.version;
  if (delta.empty() && !inserted) return false;
  merged_.add_named(s.indicator, s.scope, s.month, delta);
  return true;
}

bool PartialMerger::apply_watermark(const std::string& partial_id, Instant max_event_time,
                                    std::uint64_t version) {
  Watermark& w = watermarks_[partial_id];
  if (w.version != 0 && version <= w.version) return false;
  const std::optional<Instant> before = as_of();
  w.at = max_event_time;
  w.version = version;
  merged_.observe_event_time(max_event_time);
  return as_of() != before;
}

bool PartialMerger::apply_live(const std::string& partial_id, const std::string& scope,
                               const LiveFigures& figures, std::uint64_t version) {
  Live& l = live_[{partial_id, scope}];
  if (l.version != 0 && version <= l.version) return false;
  const bool changed = !(l.figures == figures);
  l.figures = figures;
  l.version = version;
  return changed;
}

std::optional<Instant> PartialMerger::as_of() const {
  std::optional<Instant> out;
  for (const auto& [id, w] : watermarks_) {
    if (w.at.us == Aggregates::kNoEvents) continue;
    if (!out || w.at > *out) out = w.at;
  }
  return out;
}

std::map<std::string, LiveFigures> PartialMerger::live() const {
  std::map<std::string, LiveFigures> out;
  for (const auto& [key, l] : live_) out[key.second] += l.figures;
  return out;
}

std::vector<PartialCell> PartialMerger::cells() const {
  std::vector<PartialCell> out;
  out.reserve(cells_.size());
  for (const auto& [k, s] : cells_) {
    out.push_back({static_cast<Indicator>(k.indicator), k.scope, YearMonth{k.month}, k.partial_id,
                   s.cell, s.version});
  }
  return out;
}

std::size_t PartialMerger::partial_count() const {
  std::set<std::string> ids;
  for (const auto& [k, s] : cells_) ids.insert(k.partial_id);
  return ids.size();
}

}  // namespace pqrflow::core
