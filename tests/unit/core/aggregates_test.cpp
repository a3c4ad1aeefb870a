// Aggregates' cell table (CellTable): every cell added is found again with its sums, through
// many growths, whatever its key (every indicator, scopes up to 2^32 − 1, months far
// before and after the calendar), and iteration visits each cell exactly once.
#include "core/aggregates.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace pqrflow::core {
namespace {

using Reference = std::map<std::tuple<int, ScopeId, std::int32_t>, Cell>;

CellKey random_key(std::mt19937_64& rng) {
  const auto indicator = static_cast<Indicator>(rng() % kIndicatorCount);
  const ScopeId scopes[] = {kScopeAll, 1, 2, 17, 0xFFFFFFFFu, static_cast<ScopeId>(rng() % 64)};
  const std::int32_t months[] = {
      0,         -1,        24'000 + static_cast<std::int32_t>(rng() % 48),
      INT32_MIN, INT32_MAX, static_cast<std::int32_t>(rng())};
  return {indicator, scopes[rng() % 6], YearMonth{months[rng() % 6]}};
}

TEST(CellTableTest, FindsEveryCellAndIteratesEachOnce) {
  std::mt19937_64 rng(7);
  CellTable a;
  Reference ref;
  for (int i = 0; i < 50'000; ++i) {
    const CellKey k = random_key(rng);
    const auto num = static_cast<std::int64_t>(rng() % 1000) - 500;
    const auto den = static_cast<std::int64_t>(rng() % 7);
    Cell& c = a[k];
    c.numerator += num;
    c.denominator += den;
    Cell& r = ref[{static_cast<int>(k.indicator), k.scope, k.month.index}];
    r.numerator += num;
    r.denominator += den;
  }
  ASSERT_GT(ref.size(), 10'000u);  // many growths of the table
  EXPECT_EQ(a.size(), ref.size());
  Reference seen;
  for (const auto& [key, cell] : a) {
    const auto [it, fresh] =
        seen.try_emplace({static_cast<int>(key.indicator), key.scope, key.month.index}, cell);
    EXPECT_TRUE(fresh) << "a cell visited twice";
  }
  EXPECT_EQ(seen, ref);
  for (const auto& [k, cell] : ref) {
    const CellKey key{static_cast<Indicator>(std::get<0>(k)), std::get<1>(k),
                      YearMonth{std::get<2>(k)}};
    const Cell* found = a.find(key);
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(*found, cell);
  }
  // Keys never added are not found, in a full table and in an empty one.
  for (int i = 0; i < 10'000; ++i) {
    const CellKey k = random_key(rng);
    const bool known = ref.count({static_cast<int>(k.indicator), k.scope, k.month.index}) != 0;
    EXPECT_EQ(a.find(k) != nullptr, known);
  }
  EXPECT_EQ(CellTable().find({Indicator::kPqrPendientes, kScopeAll, YearMonth{}}), nullptr);
  EXPECT_TRUE(CellTable().empty());
  const CellTable copy = a;
  EXPECT_EQ(copy.size(), a.size());
  for (const auto& [key, cell] : a) {
    ASSERT_NE(copy.find(key), nullptr);
    EXPECT_EQ(*copy.find(key), cell);
  }
}

// Aggregates over its scope table: a copy holds the same cells, and merging into an
// empty one (scopes matched by name) gives the same sums.
TEST(AggregatesTest, CopiesAndMergesEveryCell) {
  std::mt19937_64 rng(3);
  Aggregates a;
  std::vector<ScopeId> scopes = {kScopeAll};
  for (int i = 0; i < 40; ++i) scopes.push_back(a.scopes().intern("office:" + std::to_string(i)));
  for (int i = 0; i < 20'000; ++i) {
    const CellKey k{static_cast<Indicator>(rng() % kIndicatorCount), scopes[rng() % scopes.size()],
                    YearMonth{24'000 + static_cast<std::int32_t>(rng() % 60)}};
    a.add(k, static_cast<std::int64_t>(rng() % 100), 1);
  }
  ASSERT_GT(a.cells().size(), 5'000u);
  const Aggregates copy = a;
  Aggregates merged;
  merged.merge(a);
  EXPECT_EQ(copy.cells().size(), a.cells().size());
  EXPECT_EQ(merged.cells().size(), a.cells().size());
  for (const auto& [key, cell] : a.cells()) {
    ASSERT_NE(copy.find(key), nullptr);
    EXPECT_EQ(*copy.find(key), cell);
    ScopeId scope = 0;
    ASSERT_TRUE(merged.scopes().find(a.scopes().name(key.scope), &scope));
    const Cell* m = merged.find({key.indicator, scope, key.month});
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(*m, cell);
  }
}

// Change tracking still reports each touched cell once per hand-over.
TEST(AggregatesTest, TracksTouchedCellsOnce) {
  Aggregates a;
  const CellKey k1{Indicator::kPqrPendientes, kScopeAll, YearMonth::of(2024, 3)};
  const CellKey k2{Indicator::kIndiceReclamacion, kScopeAll, YearMonth::of(2024, 3)};
  a.add(k1, 1, 1);
  a.track_changes(true);
  a.add(k1, 1, 0);
  a.add(k2, 0, 1);
  a.add(k1, -1, 0);
  std::vector<CellKey> dirty = a.take_dirty();
  ASSERT_EQ(dirty.size(), 2u);
  EXPECT_TRUE((dirty[0] == k1 && dirty[1] == k2) || (dirty[0] == k2 && dirty[1] == k1));
  EXPECT_TRUE(a.take_dirty().empty());
  EXPECT_EQ(*a.find(k1), (Cell{1, 1}));
}

}  // namespace
}  // namespace pqrflow::core
