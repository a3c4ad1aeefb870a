// Interner: dense ids in order of first appearance, the same id for the same string
// through growth, copies and moves (its index compares through a pointer to the names).
#include "core/interner.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

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

}  // namespace
}  // namespace pqrflow::core
