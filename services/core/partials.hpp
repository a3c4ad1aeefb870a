// Reporting's merge of partial snapshots: the latest version of every (indicator,
// scope, month, partial) cell and of every partial's live figures and watermark, summed
// into one Aggregates that IndicatorCalculator reads. Applying a snapshot replaces that
// partial's previous value (older or equal versions are ignored), so redelivered and
// re-emitted snapshots change nothing.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <map>
#include <string>
#include <vector>

#include "core/aggregates.hpp"
#include "core/deadlines.hpp"

namespace pqrflow::core {

struct PartialCell {
  Indicator indicator = Indicator::kOportunidadRespuesta;
  std::string scope;
  YearMonth month;
  std::string partial_id;
  Cell cell;
  std::uint64_t version = 0;
};

class PartialMerger {
 public:
  PartialMerger() { merged_.track_changes(true); }

  // Returns true when the merged aggregates changed.
  bool apply(const PartialCell& snapshot);
  // A partial's watermark (its latest event time); returns true when as_of() moved.
  bool apply_watermark(const std::string& partial_id, Instant max_event_time,
                       std::uint64_t version);
  // A partial's live figures per scope; returns true when the merged figures changed.
  bool apply_live(const std::string& partial_id, const std::string& scope,
                  const LiveFigures& figures, std::uint64_t version);

  const Aggregates& merged() const { return merged_; }
  // The merged cells changed since the previous call (RowCache::update).
  std::vector<CellKey> take_changed() { return merged_.take_dirty(); }
  // The latest event time over all partials (nullopt before any watermark).
  std::optional<Instant> as_of() const;
  std::map<std::string, LiveFigures> live() const;

  // Every stored partial cell (for checkpoints).
  std::vector<PartialCell> cells() const;
  std::size_t partial_count() const;

 private:
  struct Key {
    std::uint8_t indicator;
    std::string scope;
    std::int32_t month;
    std::string partial_id;
    friend bool operator==(const Key&, const Key&) = default;
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), k.indicator, k.scope, k.month, k.partial_id);
    }
  };
  struct Stored {
    Cell cell;
    std::uint64_t version = 0;
  };
  struct Watermark {
    Instant at{Aggregates::kNoEvents};
    std::uint64_t version = 0;
  };
  struct Live {
    LiveFigures figures;
    std::uint64_t version = 0;
  };

  absl::flat_hash_map<Key, Stored> cells_;
  absl::flat_hash_map<std::string, Watermark> watermarks_;
  std::map<std::pair<std::string, std::string>, Live> live_;  // (partial, scope)
  Aggregates merged_;
};

}  // namespace pqrflow::core
