// Portable pseudo-random numbers for the synthetic feed: the same seed gives the same
// stream with any compiler, standard library and CPU.
//
// std:: engines are portable but std:: distributions are not (their algorithms are
// unspecified), and libm's log/exp may differ in the last bit between libraries. So the
// distributions here use integer operations and IEEE basic arithmetic only (+ − × ÷),
// which are exactly rounded everywhere; the target is built with -ffp-contract=off so
// no fused multiply-add changes a result.
//
//   Rng rng(derive_seed(seed, kStreamFilings, day));
//   if (rng.chance(0.35)) minutes = rng.exponential(12.0);
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace pqrflow::sim {

inline constexpr std::uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ULL;

// SplitMix64's output function: a bijective 64-bit mix with good avalanche.
constexpr std::uint64_t splitmix64_mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// One SplitMix64 step from state z: a well-mixed hash of z.
constexpr std::uint64_t mix64(std::uint64_t z) {
  return splitmix64_mix(z + kGoldenGamma);
}

// A seed for an independent stream named by keys (e.g. seed, stream id, day). Streams
// keyed by day or subscriber make each part of the simulation reproducible on its own.
constexpr std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0,
                                    std::uint64_t c = 0) {
  return mix64(mix64(mix64(mix64(seed) ^ a) ^ b) ^ c);
}

// Natural logarithm with basic arithmetic only, for x = 1 − uniform() (normal, in
// (0, 1]) and other positive normal doubles. x = 2^k·m with m in [1, 2); m is split at
// its top 7 bits into a table centre c (ln c and 1/c tabulated at compile time) and
// t = (m − c)/c with |t| < 1/256, and ln(1 + t) comes from five terms of its series.
// Error below 1e-15; bit-identical wherever doubles are IEEE-754.
namespace detail {

// ln(x) for x in [1, 2) by the slower atanh series; only used to fill the table.
constexpr double log_1_2(double x) {
  const double s = (x - 1.0) / (x + 1.0);
  const double s2 = s * s;
  double term = s;
  double sum = 0.0;
  for (int n = 1; n <= 41; n += 2) {
    sum += term / n;
    term *= s2;
  }
  return 2.0 * sum;
}

struct LogTable {
  std::array<double, 128> ln_centre{};
  std::array<double, 128> inv_centre{};
};

constexpr LogTable make_log_table() {
  LogTable t;
  for (int j = 0; j < 128; ++j) {
    const double c = 1.0 + (j + 0.5) / 128.0;
    t.ln_centre[j] = log_1_2(c);
    t.inv_centre[j] = 1.0 / c;
  }
  return t;
}
inline constexpr LogTable kLogTable = make_log_table();

}  // namespace detail

inline double portable_log(double x) {
  constexpr double kLn2 = 0.6931471805599453094;
  const auto bits = std::bit_cast<std::uint64_t>(x);
  const int k = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  const std::uint64_t mantissa = bits & ((std::uint64_t{1} << 52) - 1);
  const auto j = static_cast<std::size_t>(mantissa >> 45);
  const double m = std::bit_cast<double>(mantissa | 0x3ff0000000000000ULL);
  const double c = 1.0 + (static_cast<double>(j) + 0.5) / 128.0;
  const double t = (m - c) * detail::kLogTable.inv_centre[j];
  const double series = t * (1.0 + t * (-0.5 + t * (1.0 / 3 + t * (-0.25 + t * 0.2))));
  return k * kLn2 + detail::kLogTable.ln_centre[j] + series;
}

// xoshiro256** (Blackman & Vigna): fast, 2^256 − 1 period, seeded through SplitMix64.
class Rng {
 public:
  // The state is four outputs of SplitMix64 started at `seed`, as the authors advise.
  explicit constexpr Rng(std::uint64_t seed) {
    for (auto& word : s_) {
      seed += kGoldenGamma;
      word = splitmix64_mix(seed);
    }
  }

  constexpr std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  constexpr double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // Uniform in [lo, hi).
  constexpr double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

  // Uniform integer in [0, n), n >= 1 (multiply-shift; bias below 2^-32 for n < 2^32).
  constexpr std::uint32_t below(std::uint32_t n) {
    return static_cast<std::uint32_t>(((next() >> 32) * n) >> 32);
  }

  // Uniform integer in [lo, hi], lo <= hi.
  constexpr std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + below(static_cast<std::uint32_t>(hi - lo + 1));
  }

  constexpr bool chance(double p) { return uniform() < p; }

  // Exponential with the given mean, by inversion.
  double exponential(double mean) { return -mean * portable_log(1.0 - uniform()); }

  // Erlang (gamma with integer shape k) with the given mean: a hump instead of a mode at 0.
  double erlang(int k, double mean) {
    double sum = 0.0;
    for (int i = 0; i < k; ++i) sum += exponential(mean / k);
    return sum;
  }

  // floor(x) or floor(x)+1 with the right expectation: integer counts from a rate
  // with almost no variance, so monthly totals follow the model closely.
  constexpr int round_random(double x) {
    const auto whole = static_cast<int>(x);
    return whole + (chance(x - whole) ? 1 : 0);
  }

  // An index drawn with probability proportional to weights[i] (not all zero).
  template <std::size_t N>
  constexpr std::size_t pick(const std::array<double, N>& weights) {
    double total = 0.0;
    for (double w : weights) total += w;
    double u = uniform() * total;
    for (std::size_t i = 0; i < N; ++i) {
      if (u < weights[i]) return i;
      u -= weights[i];
    }
    // Rounding can leave u just above the last weight: return the last non-zero one.
    for (std::size_t i = N; i-- > 0;) {
      if (weights[i] > 0) return i;
    }
    return 0;
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> s_{};
};

}  // namespace pqrflow::sim
