// Interner: dense ids in order of first appearance, the same id for the same string
// through growth, copies and moves (its index compares through a pointer to the names).
#include "core/interner.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <set>
#include <string>
#include <utility>

#include "core/string_hash.hpp"

namespace pqrflow::core {
namespace {

TEST(InternerTest, GivesDenseIdsInOrderOfFirstAppearance) {
  Interner in;
  EXPECT_EQ(in.size(), 0u);
  EXPECT_EQ(in.intern("S0000001"), 0u);
  EXPECT_EQ(in.intern(""), 1u);  // the empty string is a string like any other
  EXPECT_EQ(in.intern("S0000002"), 2u);
  EXPECT_EQ(in.intern("S0000001"), 0u);
  EXPECT_EQ(in.intern(std::string("S000000") + "2"), 2u);
  EXPECT_EQ(in.size(), 3u);
  EXPECT_EQ(in.name(0), "S0000001");
  EXPECT_EQ(in.name(1), "");
  EXPECT_EQ(in.name(2), "S0000002");
  Interner::Id id = 99;
  EXPECT_TRUE(in.find("S0000002", &id));
  EXPECT_EQ(id, 2u);
  EXPECT_FALSE(in.find("S0000003", &id));
  EXPECT_EQ(id, 2u);         // untouched when not found
  EXPECT_EQ(in.size(), 3u);  // find never inserts
}

// 300,000 names: the index grows many times, and among that many 32-bit hashes some pairs
// are expected to coincide (≈10), so the names decide, not the hashes.
TEST(InternerTest, KeepsEveryIdThroughGrowth) {
  Interner in;
  constexpr int kNames = 300'000;
  const auto name = [](int i) { return "S" + std::to_string(i); };
  for (int i = 0; i < kNames; ++i) ASSERT_EQ(in.intern(name(i)), static_cast<Interner::Id>(i));
  EXPECT_EQ(in.size(), static_cast<std::size_t>(kNames));
  for (int i = 0; i < kNames; ++i) {
    Interner::Id id = 0;
    ASSERT_TRUE(in.find(name(i), &id)) << i;
    ASSERT_EQ(id, static_cast<Interner::Id>(i));
    ASSERT_EQ(in.name(id), name(i));
  }
  Interner::Id unused = 0;
  EXPECT_FALSE(in.find(name(kNames), &unused));
  // Names longer than the short-string buffer.
  const std::string long_name(1000, 'x');
  EXPECT_EQ(in.intern(long_name), static_cast<Interner::Id>(kNames));
  EXPECT_EQ(in.intern(std::string(1000, 'x')), static_cast<Interner::Id>(kNames));
}

TEST(InternerTest, CopiesAndMovesKeepTheirOwnNames) {
  Interner a;
  a.intern("uno");
  a.intern("dos");
  Interner copy = a;
  copy.intern("tres");  // the copy's index sees its own names, not a's
  EXPECT_EQ(a.size(), 2u);
  Interner::Id unused = 0;
  EXPECT_FALSE(a.find("tres", &unused));
  EXPECT_EQ(copy.intern("dos"), 1u);
  EXPECT_EQ(copy.intern("tres"), 2u);

  Interner moved = std::move(copy);
  EXPECT_EQ(moved.intern("tres"), 2u);
  EXPECT_EQ(moved.intern("cuatro"), 3u);
  Interner assigned;
  assigned.intern("otro");
  assigned = a;
  EXPECT_EQ(assigned.size(), 2u);
  EXPECT_EQ(assigned.intern("uno"), 0u);
  EXPECT_EQ(assigned.intern("otro"), 2u);
}

// string_hash (core/string_hash.hpp), which the interner and IdTable index by: every byte of a
// string of any length counts, and ids that differ in a digit or two spread over a table.
TEST(StringHashTest, EveryByteOfEveryLengthCounts) {
  for (std::size_t n = 0; n <= 48; ++n) {
    const std::string base(n, 'a');
    std::set<std::uint64_t> seen = {string_hash(base)};
    for (std::size_t i = 0; i < n; ++i) {
      std::string changed = base;
      changed[i] = 'b';
      EXPECT_TRUE(seen.insert(string_hash(changed)).second) << "length " << n << ", byte " << i;
    }
    if (n > 0) {
      EXPECT_NE(string_hash(base), string_hash(base.substr(0, n - 1))) << n;
    }
  }
}

TEST(StringHashTest, SequentialIdsSpreadOverTheSlotsAndTags) {
  constexpr int kIds = 300'000;
  std::set<std::uint32_t> hashes;
  std::array<int, 128> by_position{};  // absl takes the position from the high bits
  std::array<int, 128> by_tag{};       // and a 7-bit tag from the low ones
  std::array<char, 16> id{};
  for (int i = 0; i < kIds; ++i) {
    std::snprintf(id.data(), id.size(), "S%07d", i);
    const std::uint32_t h = hash32(id.data());
    hashes.insert(h);
    ++by_position[widen_hash32(h) >> 57];
    ++by_tag[widen_hash32(h) & 0x7F];
  }
  // 300k random 32-bit values coincide in ~10 pairs.
  EXPECT_GT(hashes.size(), static_cast<std::size_t>(kIds - 40));
  for (int b = 0; b < 128; ++b) {
    EXPECT_NEAR(by_position[b], kIds / 128, kIds / 128 / 10) << "position bucket " << b;
    EXPECT_NEAR(by_tag[b], kIds / 128, kIds / 128 / 10) << "tag " << b;
  }
}

}  // namespace
}  // namespace pqrflow::core
