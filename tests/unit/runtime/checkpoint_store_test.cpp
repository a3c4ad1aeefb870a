// CheckpointStore: files framed with a magic, a length and a CRC-32 round-trip, and a
// damaged file (wrong magic, truncated, flipped byte) is refused with a reason instead of
// being half-loaded.
#include "runtime/checkpoint_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace pqrflow::runtime {
namespace {

TEST(Crc32, IsTheIeeeCrc) {
  EXPECT_EQ(crc32(""), 0U);
  EXPECT_EQ(crc32("123456789"), 0xCBF43926U);  // the CRC-32 check value
  EXPECT_EQ(crc32("The quick brown fox jumps over the lazy dog"), 0x414FA339U);
}

class CheckpointStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("checkpoint_store_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path file(const std::string& name) const { return dir_ / (name + ".ckpt"); }
  std::string bytes_of(const std::string& name) const {
    std::ifstream in(file(name), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  void overwrite(const std::string& name, const std::string& bytes) const {
    std::ofstream(file(name), std::ios::binary | std::ios::trunc) << bytes;
  }

  std::filesystem::path dir_;
};

TEST_F(CheckpointStoreTest, RoundTripsAndReplacesAtomically) {
  CheckpointStore store(dir_);
  std::string error;
  ASSERT_TRUE(store.open(&error)) << error;
  EXPECT_FALSE(store.read("metrics-events-3", &error).has_value());
  EXPECT_TRUE(error.empty()) << "no checkpoint is not an error";
  std::string payload(300'000, '\0');
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 131 % 251);
  ASSERT_TRUE(store.write("metrics-events-3", payload, &error)) << error;
  EXPECT_EQ(store.read("metrics-events-3", &error), payload);
  ASSERT_TRUE(store.write("metrics-events-3", "second", &error)) << error;
  EXPECT_EQ(store.read("metrics-events-3", &error), "second");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "metrics-events-3.ckpt.tmp"));
  ASSERT_TRUE(store.write("a/b", "slashes", &error)) << error;  // names become file names
  EXPECT_EQ(store.read("a/b", &error), "slashes");
}

TEST_F(CheckpointStoreTest, RefusesDamagedFilesWithAReason) {
  CheckpointStore store(dir_);
  std::string error;
  ASSERT_TRUE(store.open(&error)) << error;
  ASSERT_TRUE(store.write("shard", "the entities of a shard", &error)) << error;
  const std::string good = bytes_of("shard");

  std::string flipped = good;
  flipped.back() = static_cast<char>(flipped.back() ^ 0x01);
  overwrite("shard", flipped);
  EXPECT_FALSE(store.read("shard", &error).has_value());
  EXPECT_NE(error.find("fails its CRC check"), std::string::npos) << error;

  overwrite("shard", good.substr(0, good.size() - 3));
  EXPECT_FALSE(store.read("shard", &error).has_value());
  EXPECT_NE(error.find("is truncated"), std::string::npos) << error;

  overwrite("shard", "PQRCKPT0" + good.substr(8));
  EXPECT_FALSE(store.read("shard", &error).has_value());
  EXPECT_NE(error.find("is not a pqrflow checkpoint"), std::string::npos) << error;

  overwrite("shard", "");
  EXPECT_FALSE(store.read("shard", &error).has_value());
  EXPECT_NE(error.find("is not a pqrflow checkpoint"), std::string::npos) << error;

  overwrite("shard", good);
  EXPECT_EQ(store.read("shard", &error), "the entities of a shard");
  EXPECT_TRUE(error.empty());
}

}  // namespace
}  // namespace pqrflow::runtime
