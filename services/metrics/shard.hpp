// One metrics shard: the indicator state of one input partition of pqrflow.events.v1,
// the next offset it has not folded in, and what it last published. A shard moves
// between instances only through its checkpoint (state + offset together).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/deadlines.hpp"
#include "core/state.hpp"

namespace pqrflow::metrics {

struct Shard {
  explicit Shard(const core::LegalTerms& terms) : state(terms) {
    state.aggregates().track_changes(true);
  }

  core::IndicatorState state;
  std::string topic;
  std::int32_t partition = 0;
  std::string partial_id;          // "<topic>/<partition>"
  std::int64_t next_offset = -2;   // kOffsetBeginning until something is folded in
  std::uint64_t last_version = 0;  // last snapshot version emitted
  bool changed_since_checkpoint = false;
  std::chrono::steady_clock::time_point last_checkpoint{};  // epoch: never
  core::Instant published_watermark{core::Aggregates::kNoEvents};
  std::map<std::string, core::LiveFigures> published_live;
  std::vector<core::DeadlineItem> published_worklist;
  bool worklist_published = false;
  std::size_t published_worklist_total = 0;  // qualifying tickets before the cap

  // A new, strictly larger version for the next emission round. Versions start from
  // the wall-clock milliseconds of the assignment shifted left 20 bits, so an instance
  // that takes a partition over always outranks what the previous owner emitted.
  std::uint64_t next_version(std::uint64_t epoch_floor) {
    last_version = std::max(last_version + 1, epoch_floor);
    return last_version;
  }
};

}  // namespace pqrflow::metrics
