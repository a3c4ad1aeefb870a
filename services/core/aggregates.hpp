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

#include <bit>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
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

// The cells of one Aggregates: open addressing with linear probing over one array of
// (key, cell) slots, found by a multiplicative hash of the key's packed word. Cells are
// only ever added (never erased), so a look-up is a hash, a compare or two and no
// tombstones; a few thousand cells stay in a few hundred KiB. Iteration order is the
// slots' and means nothing.
class CellTable {
 public:
  struct Slot {
    CellKey key;
    Cell cell;
  };

  // The cell of `key`, zero and inserted when new.
  Cell& operator[](const CellKey& key) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    Slot& s = slots_[probe(key)];
    if (s.key.indicator == kEmpty) {
      s.key = key;
      ++size_;
    }
    return s.cell;
  }
  const Cell* find(const CellKey& key) const {
    if (slots_.empty()) return nullptr;
    const Slot& s = slots_[probe(key)];
    return s.key.indicator == kEmpty ? nullptr : &s.cell;
  }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  class const_iterator {
   public:
    using value_type = std::pair<const CellKey&, const Cell&>;
    const_iterator(const Slot* s, const Slot* end) : s_(s), end_(end) { skip(); }
    value_type operator*() const { return {s_->key, s_->cell}; }
    const_iterator& operator++() {
      ++s_;
      skip();
      return *this;
    }
    bool operator==(const const_iterator& o) const { return s_ == o.s_; }

   private:
    void skip() {
      while (s_ != end_ && s_->key.indicator == kEmpty) ++s_;
    }
    const Slot* s_;
    const Slot* end_;
  };
  const_iterator begin() const { return {slots_.data(), slots_.data() + slots_.size()}; }
  const_iterator end() const {
    const Slot* e = slots_.data() + slots_.size();
    return {e, e};
  }

 private:
  static constexpr auto kEmpty = static_cast<Indicator>(0xFF);  // no indicator has it
  static_assert(kIndicatorCount < 0xFF);

  static std::uint64_t packed(const CellKey& k) {
    return std::uint64_t{static_cast<std::uint8_t>(k.indicator)} << 56 ^
           std::uint64_t{k.scope} << 24 ^ static_cast<std::uint32_t>(k.month.index);
  }
  // The slot holding `key`, or the empty slot where it belongs (the table is never
  // full). The hash's high bits pick the first slot.
  std::size_t probe(const CellKey& key) const {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = (packed(key) * 0x9E3779B97F4A7C15ULL) >> shift_;
    for (;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.key == key || s.key.indicator == kEmpty) return i;
    }
  }
  void grow();  // doubles the slots (64 at first) and re-inserts every cell

  std::vector<Slot> slots_;  // a power of two of them, at most 3/4 full
  std::size_t size_ = 0;
  int shift_ = 0;  // 64 − log2(slots); set by grow() before any probe
};

class Aggregates {
 public:
  ScopeTable& scopes() { return scopes_; }
  const ScopeTable& scopes() const { return scopes_; }

  void add(const CellKey& key, std::int64_t numerator, std::int64_t denominator) {
    Cell& c = cells_[key];
    c.numerator += numerator;
    c.denominator += denominator;
    if (track_) mark_dirty(key);
  }
  // Adds every cell of `other` (scopes matched by name).
  void merge(const Aggregates& other);
  // Adds `delta` to the cell named by strings (used when merging snapshots).
  void add_named(Indicator indicator, std::string_view scope, YearMonth month, const Cell& delta);

  const Cell* find(const CellKey& key) const;
  const CellTable& cells() const { return cells_; }

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
  void mark_dirty(const CellKey& key);

  ScopeTable scopes_;
  CellTable cells_;
  bool track_ = false;
  absl::flat_hash_map<CellKey, bool> dirty_;
  Instant max_event_time_{kNoEvents};
};

}  // namespace pqrflow::core
