// Words read from unaligned bytes in native (little-endian on x86-64) order, for code
// that compares or mixes a few bytes at a time: the state's string hash, the decoder's
// field-name compare. memcpy of a constant size compiles to one load.
#pragma once

#include <cstdint>
#include <cstring>

namespace pqrflow::core {

inline std::uint64_t load_u64(const char* p) {
  std::uint64_t v = 0;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline std::uint32_t load_u32(const char* p) {
  std::uint32_t v = 0;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace pqrflow::core
