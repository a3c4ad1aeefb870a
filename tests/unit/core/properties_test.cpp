// Properties of the whole core over a generated utility (pqrflow::sim):
//  - order and duplicates never change the BI output (byte for byte);
//  - aggregates built from disjoint key slices and merged equal the single-slice result,
//    and so do the merged partial snapshots reporting receives;
//  - a state saved to a checkpoint and loaded back gives the same output.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "core/bi.hpp"
#include "core/contract.hpp"
#include "core/partials.hpp"
#include "core/replay.hpp"
#include "pqrflow/v1/checkpoint.pb.h"
#include "sim/generator.hpp"
#include "support/builders.hpp"

namespace pqrflow::core {
namespace {

struct Dataset {
  std::vector<std::string> records;  // raw JSON, valid and invalid, in delivery order
  std::vector<Event> events;         // the valid ones, decoded
};

const Dataset& dataset() {
  static const Dataset kData = [] {
    Dataset d;
    sim::GeneratorOptions g;
    g.subscribers = 600;
    g.seed = 7;
    g.from = YearMonth::of(2023, 1);
    g.to = YearMonth::of(2024, 12);
    g.pqr_rate = 4;  // more tickets per subscriber: every indicator gets data
    g.window_rate = 2;
    g.invalid_rate = 0.01;
    g.duplicate_rate = 0.01;
    Decoder decoder;
    Event e;
    Rejection why;
    sim::generate(g, [&](const sim::RawRecord& r) {
      d.records.push_back(r.json);
      if (decoder.decode_json(r.json, &e, &why)) d.events.push_back(e);
    });
    return d;
  }();
  return kData;
}

std::string render(const std::vector<BiRow>& rows) {
  std::string out;
  for (const BiRow& r : rows) out += to_json(r) + "\n";
  return out;
}

std::string replay_records(const std::vector<std::string>& records, const Plan& plan) {
  Replayer r(plan, std::nullopt);
  for (const std::string& rec : records) r.feed_json(rec);
  return render(r.rows());
}

TEST(Properties, DatasetExercisesEveryEventType) {
  std::array<int, 8> seen{};
  for (const Event& e : dataset().events) ++seen[static_cast<std::size_t>(e.type)];
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_GT(seen[i], 0) << kEventTypeNames[i];
  EXPECT_GT(dataset().records.size(), dataset().events.size());  // invalid records too
}

TEST(Properties, ShuffledAndDuplicatedInputGivesByteIdenticalOutput) {
  const Plan plan = testing::plan_2024();
  const std::string expected = replay_records(dataset().records, plan);
  ASSERT_GT(std::count(expected.begin(), expected.end(), '\n'), 500);
  for (std::uint64_t seed : {1U, 2U, 3U}) {
    std::vector<std::string> records = dataset().records;
    std::mt19937_64 rng(seed);
    // Duplicate a tenth of the records, then shuffle everything.
    const std::size_t n = records.size();
    for (std::size_t i = 0; i < n / 10; ++i) records.push_back(records[rng() % n]);
    std::shuffle(records.begin(), records.end(), rng);
    EXPECT_EQ(replay_records(records, plan), expected) << "seed " << seed;
  }
}

// Splits events by their partition key like Kafka would, folds each slice separately.
std::vector<IndicatorState> sliced_states(std::size_t slices) {
  std::vector<IndicatorState> states(slices);
  for (const Event& e : dataset().events) {
    states[std::hash<std::string>{}(partition_key(e)) % slices].apply(e);
  }
  return states;
}

TEST(Properties, MergedPartialsEqualTheSingleRun) {
  const Plan plan = testing::plan_2024();
  IndicatorState single;
  for (const Event& e : dataset().events) single.apply(e);
  const Instant as_of = single.aggregates().max_event_time();
  const std::string expected =
      render(build_rows(IndicatorCalculator(single.aggregates(), as_of), plan));
  for (std::size_t slices : {2U, 7U, 16U}) {
    Aggregates merged;
    for (const IndicatorState& s : sliced_states(slices)) merged.merge(s.aggregates());
    EXPECT_EQ(merged.max_event_time(), as_of);
    EXPECT_EQ(render(build_rows(IndicatorCalculator(merged, as_of), plan)), expected)
        << slices << " slices";
  }
}

TEST(Properties, PartialSnapshotsMergeLikeReportingDoes) {
  const Plan plan = testing::plan_2024();
  IndicatorState single;
  for (const Event& e : dataset().events) single.apply(e);
  const Instant as_of = single.aggregates().max_event_time();
  const std::string expected =
      render(build_rows(IndicatorCalculator(single.aggregates(), as_of), plan));

  PartialMerger merger;
  std::uint64_t version = 1;
  std::vector<IndicatorState> states = sliced_states(5);
  // Publish an early, wrong value for every cell first: the later version must win.
  for (std::size_t p = 0; p < states.size(); ++p) {
    const Aggregates& agg = states[p].aggregates();
    const std::string partial = "events/" + std::to_string(p);
    for (const auto& [key, cell] : agg.cells()) {
      merger.apply({key.indicator, agg.scopes().name(key.scope), key.month, partial,
                    Cell{cell.numerator + 1, cell.denominator + 3}, version});
    }
  }
  ++version;
  for (std::size_t p = 0; p < states.size(); ++p) {
    const Aggregates& agg = states[p].aggregates();
    const std::string partial = "events/" + std::to_string(p);
    for (const auto& [key, cell] : agg.cells()) {
      merger.apply(
          {key.indicator, agg.scopes().name(key.scope), key.month, partial, cell, version});
      // A redelivered older snapshot changes nothing.
      EXPECT_FALSE(merger.apply({key.indicator, agg.scopes().name(key.scope), key.month, partial,
                                 Cell{0, 0}, version - 1}));
    }
    merger.apply_watermark(partial, agg.max_event_time(), version);
  }
  ASSERT_EQ(merger.as_of(), as_of);
  EXPECT_EQ(render(build_rows(IndicatorCalculator(merger.merged(), *merger.as_of()), plan)),
            expected);
}

// Reporting derives again only the rows that read a changed month (RowCache): fed like
// metrics feeds it (the changed cells of each batch, then the watermark), the cached rows
// equal build_rows() from scratch after every batch, across month boundaries. In time
// order most changes are in the live month; shuffled, they land in any month, including
// the baseline year (every row of the series) and early months of pqr_pendientes (a
// running count: every later period).
void expect_row_cache_equals_build_rows(const std::vector<Event>& events,
                                        std::size_t* steps_keeping_rows) {
  const Plan plan = testing::plan_2024();
  IndicatorState state;
  state.aggregates().track_changes(true);
  PartialMerger merger;
  RowCache cache(plan);
  constexpr std::size_t kBatch = 100;
  std::uint64_t version = 0;
  std::size_t steps = 0;
  *steps_keeping_rows = 0;
  for (std::size_t begin = 0; begin < events.size(); begin += kBatch) {
    for (std::size_t i = begin; i < std::min(events.size(), begin + kBatch); ++i) {
      state.apply(events[i]);
    }
    ++version;
    const Aggregates& agg = state.aggregates();
    for (const CellKey& key : state.aggregates().take_dirty()) {
      const Cell* cell = agg.find(key);
      merger.apply({key.indicator, agg.scopes().name(key.scope), key.month, "events/0",
                    cell != nullptr ? *cell : Cell{}, version});
    }
    merger.apply_watermark("events/0", agg.max_event_time(), version);
    const Instant as_of = *merger.as_of();
    const std::vector<BiRow>& cached = cache.update(merger.merged(), merger.take_changed(), as_of);
    ASSERT_EQ(render(cached), render(build_rows(IndicatorCalculator(merger.merged(), as_of), plan)))
        << "after event " << begin + kBatch;
    ++steps;
    if (cache.derived_rows().size() < cached.size()) ++*steps_keeping_rows;
  }
  EXPECT_GT(steps, 100U);
}

TEST(Properties, RowCacheEqualsBuildingEveryRowInTimeOrder) {
  std::size_t keeping = 0;
  expect_row_cache_equals_build_rows(dataset().events, &keeping);
  EXPECT_GT(keeping, 100U);  // most batches keep most rows
}

TEST(Properties, RowCacheEqualsBuildingEveryRowInAnyOrder) {
  std::vector<Event> events = dataset().events;
  std::mt19937_64 rng(11);
  std::shuffle(events.begin(), events.end(), rng);
  std::size_t keeping = 0;
  expect_row_cache_equals_build_rows(events, &keeping);
}

TEST(Properties, CheckpointRoundTripGivesTheSameOutput) {
  const Plan plan = testing::plan_2024();
  IndicatorState original;
  for (const Event& e : dataset().events) original.apply(e);
  pqrflow::v1::IndicatorStateSnapshot snapshot;
  original.save(&snapshot);
  std::string bytes;
  ASSERT_TRUE(snapshot.SerializeToString(&bytes));
  pqrflow::v1::IndicatorStateSnapshot parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  IndicatorState restored;
  std::string error;
  ASSERT_TRUE(restored.load(parsed, &error)) << error;
  const Instant as_of = original.aggregates().max_event_time();
  EXPECT_EQ(restored.aggregates().max_event_time(), as_of);
  EXPECT_EQ(render(build_rows(IndicatorCalculator(restored.aggregates(), as_of), plan)),
            render(build_rows(IndicatorCalculator(original.aggregates(), as_of), plan)));
  // Folding the same events again into the restored state changes nothing.
  for (const Event& e : dataset().events) EXPECT_FALSE(restored.apply(e));
}

TEST(Properties, CheckpointRejectsCorruptEntities) {
  pqrflow::v1::IndicatorStateSnapshot snapshot;
  auto* t = snapshot.add_tickets();
  t->set_ticket_id("T1");
  t->set_filed(true);
  t->set_kind(42);
  IndicatorState s;
  std::string error;
  EXPECT_FALSE(s.load(snapshot, &error));
  EXPECT_NE(error.find("T1"), std::string::npos);
}

}  // namespace
}  // namespace pqrflow::core
