#include "core/aggregates.hpp"

namespace pqrflow::core {

void CellTable::grow() {
  std::vector<Slot> old = std::move(slots_);
  const std::size_t capacity = old.empty() ? 64 : old.size() * 2;
  slots_.assign(capacity, Slot{CellKey{kEmpty, kScopeAll, YearMonth{}}, Cell{}});
  shift_ = 64 - std::countr_zero(capacity);
  for (const Slot& s : old) {
    if (s.key.indicator != kEmpty) slots_[probe(s.key)] = s;
  }
}

void Aggregates::mark_dirty(const CellKey& key) {
  dirty_.try_emplace(key, true);
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
  return cells_.find(key);
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
