// 32 bits of a string's hash, for index slots that keep the hash beside a 32-bit index
// (IdTable's cached slots, the Interner): growing such an index rehashes the slots without
// reading the strings. widen_hash32() spreads the 32 bits back over 64 for absl's tables,
// which take a slot's position from the high bits and a 7-bit tag from the low ones.
#pragma once

#include <absl/hash/hash.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace pqrflow::core {

inline std::uint32_t hash32(std::string_view s) {
  const std::size_t h = absl::Hash<std::string_view>{}(s);
  return static_cast<std::uint32_t>(h ^ (h >> 32));
}

inline std::size_t widen_hash32(std::uint32_t h) {
  return std::uint64_t{h} * 0x9E3779B97F4A7C15ULL;
}

}  // namespace pqrflow::core
