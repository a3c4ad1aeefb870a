#include "core/aggregates.hpp"

namespace pqrflow::core {

void Aggregates::add(const CellKey& key, std::int64_t numerator, std::int64_t denominator) {
  Cell& c = cells_[key];
  c.numerator += numerator;
  c.denominator += denominator;
  if (track_) dirty_.try_emplace(key, true);
}

void Aggregates::merge(const Aggregates& other) {
  for (const auto& [key, cell] : other.cells_) {
    add_named(key.indicator, other.scopes_.name(key.scope), key.month, cell);
  }
  observe_event_time(other.max_event_time_);
}

void Aggregates::add_named(Indicator indicator, std::string_view scope, YearMonth month,
                           const Cell& delta) {
  add(CellKey{indicator, scopes_.intern(scope), month}, delta.numerator, delta.denominator);
}

const Cell* Aggregates::find(const CellKey& key) const {
  auto it = cells_.find(key);
  return it == cells_.end() ? nullptr : &it->second;
}

void Aggregates::mark_all_dirty() {
  for (const auto& [key, cell] : cells_) dirty_.try_emplace(key, true);
}

std::vector<CellKey> Aggregates::take_dirty() {
  std::vector<CellKey> out;
  out.reserve(dirty_.size());
  for (const auto& [key, unused] : dirty_) out.push_back(key);
  dirty_.clear();
  return out;
}

}  // namespace pqrflow::core
