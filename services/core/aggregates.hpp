// Additive monthly components of the indicators: cells (indicator, scope, month) →
// (numerator, denominator). Aggregates built from disjoint key slices (shards) merge
// by addition into exactly the single-slice result; see indicator.hpp for what each
// component counts.
//
//   Aggregates a;
//   a.add({Indicator::kPqrPendientes, kScopeAll, YearMonth::of(2024, 3)}, +1, +1);
//   total.merge(a);
#pragma once

#include <absl/container/flat_hash_map.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/indicator.hpp"
#include "core/interner.hpp"
#include "core/time.hpp"

namespace pqrflow::core {

// Interned scope names: 0 is "all"; others are "office:<name>" or "service:<name>".
using ScopeId = std::uint32_t;
inline constexpr ScopeId kScopeAll = 0;

// Scope names ("all", "office:…", "service:…") interned; "all" is always kScopeAll.
class ScopeTable : public Interner {
 public:
  ScopeTable() { intern("all"); }
};

struct CellKey {
  Indicator indicator = Indicator::kOportunidadRespuesta;
  ScopeId scope = kScopeAll;
  YearMonth month;

  friend bool operator==(const CellKey&, const CellKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const CellKey& k) {
    // One word, one mix: indicator (8 bits) | scope (32) | month index (24 bits is
    // ~1.4 million years).
    return H::combine(std::move(h), std::uint64_t{static_cast<std::uint8_t>(k.indicator)} << 56 |
                                        std::uint64_t{k.scope} << 24 |
                                        (static_cast<std::uint64_t>(k.month.index) & 0xFFFFFF));
  }
};

struct Cell {
  std::int64_t numerator = 0;
  std::int64_t denominator = 0;
  bool empty() const { return numerator == 0 && denominator == 0; }
  friend bool operator==(const Cell&, const Cell&) = default;
};

class Aggregates {
 public:
  ScopeTable& scopes() { return scopes_; }
  const ScopeTable& scopes() const { return scopes_; }

  void add(const CellKey& key, std::int64_t numerator, std::int64_t denominator);
  // Adds every cell of `other` (scopes matched by name).
  void merge(const Aggregates& other);
  // Adds `delta` to the cell named by strings (used when merging snapshots).
  void add_named(Indicator indicator, std::string_view scope, YearMonth month, const Cell& delta);

  const Cell* find(const CellKey& key) const;
  const absl::flat_hash_map<CellKey, Cell>& cells() const { return cells_; }

  // Change tracking for streaming emission: when enabled, every key touched by add()
  // is recorded until take_dirty() hands the list over.
  void track_changes(bool on) { track_ = on; }
  bool tracking() const { return track_; }
  std::vector<CellKey> take_dirty();
  // Records every existing cell as changed (republish after a restore).
  void mark_all_dirty();

  // The latest event time folded in (the as-of watermark of this slice).
  Instant max_event_time() const { return max_event_time_; }
  void observe_event_time(Instant t) {
    if (t > max_event_time_) max_event_time_ = t;
  }
  bool has_events() const { return max_event_time_.us != kNoEvents; }

  static constexpr std::int64_t kNoEvents = INT64_MIN;

 private:
  ScopeTable scopes_;
  absl::flat_hash_map<CellKey, Cell> cells_;
  bool track_ = false;
  absl::flat_hash_map<CellKey, bool> dirty_;
  Instant max_event_time_{kNoEvents};
};

}  // namespace pqrflow::core
