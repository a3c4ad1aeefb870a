// Stable event ids for imported rows: SHA-256 over the row's mapped content, the first
// 128 bits printed as 32 hex digits. It has to give the same id for the same content on
// every run and machine — which is what makes re-imports idempotent — and different ids
// for different content (2^-64 odds of a collision at billions of rows). Implemented
// here (FIPS 180-4) to add no dependency; checked against the standard's test vectors.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace pqrflow::integrations {

class Sha256 {
 public:
  Sha256();
  Sha256& add(std::string_view bytes);
  // The digest (finishes the hash: call once).
  std::array<std::uint8_t, 32> digest();
  // The first `bytes` bytes of the digest as lowercase hex (finishes the hash).
  std::string hex(std::size_t bytes = 32);

 private:
  void block(const std::uint8_t* p);
  std::array<std::uint32_t, 8> h_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t length_ = 0;  // bytes added
};

}  // namespace pqrflow::integrations
