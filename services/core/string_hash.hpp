// Hashes of short strings (ids, names) for the state's own indexes, and 32 bits of them
// for index slots that keep the hash beside a 32-bit index (IdTable's cached slots, the
// Interner): growing such an index rehashes the slots without reading the strings.
// widen_hash32() spreads the 32 bits back over 64 for absl's tables, which take a slot's
// position from the high bits and a 7-bit tag from the low ones.
//
// string_hash() reads a string of up to 16 bytes as two (overlapping) words and mixes
// them with two 64×64→128-bit multiplies: ~15 instructions for a bill or subscriber id,
// against ~60–90 for absl::Hash<std::string_view> (which Debian's build routes through
// libstdc++'s std::_Hash_bytes). Only in-memory indexes use it: nothing it returns is
// stored or sent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bytes.hpp"

namespace pqrflow::core {

namespace hash_detail {

__extension__ using Uint128 = unsigned __int128;

// The full product of a and b, its two halves folded together.
inline std::uint64_t fold_multiply(std::uint64_t a, std::uint64_t b) {
  const Uint128 m = static_cast<Uint128>(a) * b;
  return static_cast<std::uint64_t>(m) ^ static_cast<std::uint64_t>(m >> 64);
}

inline constexpr std::uint64_t kMix0 = 0x9E3779B97F4A7C15ULL;  // 2^64 / golden ratio
inline constexpr std::uint64_t kMix1 = 0xC2B2AE3D27D4EB4FULL;
inline constexpr std::uint64_t kMix2 = 0x165667B19E3779F9ULL;

}  // namespace hash_detail

inline std::uint64_t string_hash(std::string_view s) {
  using namespace hash_detail;
  const char* p = s.data();
  const std::size_t n = s.size();
  std::uint64_t seed = kMix0 ^ n;
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  if (n <= 16) {
    if (n >= 8) {
      a = load_u64(p);
      b = load_u64(p + n - 8);
    } else if (n >= 4) {
      a = load_u32(p);
      b = load_u32(p + n - 4);
    } else if (n > 0) {
      a = std::uint64_t{static_cast<unsigned char>(p[0])} << 16 |
          std::uint64_t{static_cast<unsigned char>(p[n / 2])} << 8 |
          static_cast<unsigned char>(p[n - 1]);
    }
  } else {
    std::size_t left = n;
    for (; left > 16; left -= 16, p += 16) {
      seed = fold_multiply(load_u64(p) ^ kMix1, load_u64(p + 8) ^ seed);
    }
    a = load_u64(p + left - 16);
    b = load_u64(p + left - 8);
  }
  return fold_multiply(kMix2 ^ n, fold_multiply(a ^ kMix1, b ^ seed));
}

inline std::uint32_t hash32(std::string_view s) {
  const std::uint64_t h = string_hash(s);
  return static_cast<std::uint32_t>(h ^ (h >> 32));
}

inline std::size_t widen_hash32(std::uint32_t h) {
  return std::uint64_t{h} * 0x9E3779B97F4A7C15ULL;
}

}  // namespace pqrflow::core
