// IdTable: entities by string id, in insertion order, with either index slot layout
// (the hash recomputed from the id, or cached in the slot) giving the same table.
#include "core/id_table.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pqrflow::core {
namespace {

template <typename Table>
class IdTableTest : public ::testing::Test {};

using Layouts = ::testing::Types<IdTable<int, IdHash::kRecomputed>, IdTable<int, IdHash::kCached>>;
TYPED_TEST_SUITE(IdTableTest, Layouts);

TYPED_TEST(IdTableTest, FindsInsertsOnceAndIteratesInInsertionOrder) {
  TypeParam t;
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.find("F1"), nullptr);
  auto [a, inserted_a] = t.try_emplace("F1");
  ASSERT_TRUE(inserted_a);
  *a = 10;
  auto [b, inserted_b] = t.try_emplace("");  // the empty id is an id like any other
  ASSERT_TRUE(inserted_b);
  *b = 20;
  auto [again, inserted_again] = t.try_emplace("F1");
  EXPECT_FALSE(inserted_again);
  EXPECT_EQ(again, a);
  EXPECT_EQ(*t.find("F1"), 10);
  EXPECT_EQ(*t.find(""), 20);
  EXPECT_EQ(t.find("F2"), nullptr);
  std::vector<std::pair<std::string, int>> seen;
  for (const auto& [id, v] : t) seen.emplace_back(std::string(id), v);
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, int>>{{"F1", 10}, {"", 20}}));
}

// Growth rehashes the index many times (and the arena and entry chunks grow): every id
// keeps its entry, and values written before a growth are still there after it.
TYPED_TEST(IdTableTest, KeepsEveryEntryThroughGrowth) {
  TypeParam t;
  constexpr int kIds = 200'000;
  for (int i = 0; i < kIds; ++i) {
    auto [v, inserted] = t.try_emplace("F2024-" + std::to_string(i));
    ASSERT_TRUE(inserted) << i;
    *v = i;
  }
  EXPECT_EQ(t.size(), static_cast<std::size_t>(kIds));
  for (int i = 0; i < kIds; i += 997) {
    const int* v = t.find("F2024-" + std::to_string(i));
    ASSERT_NE(v, nullptr) << i;
    EXPECT_EQ(*v, i);
    EXPECT_FALSE(t.try_emplace("F2024-" + std::to_string(i)).second);
  }
  EXPECT_EQ(t.find("F2024-" + std::to_string(kIds)), nullptr);
  // A long id (bigger than an arena chunk) and a copy of the whole table.
  const std::string long_id(300 * 1024, 'x');
  *t.try_emplace(long_id).first = -1;
  const TypeParam copy = t;
  EXPECT_EQ(copy.size(), t.size());
  EXPECT_EQ(*copy.find(long_id), -1);
  EXPECT_EQ(*copy.find("F2024-12345"), 12345);
}

}  // namespace
}  // namespace pqrflow::core
