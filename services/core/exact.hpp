// Exact arithmetic for indicator values, baselines, targets and achievements.
//
// Inputs are exact integers (counts, cents, microseconds); every derived figure is an
// exact rational until it is printed, so "ratios from exact counts" hold and equality
// tests (achievement == 1 → cumplida) never depend on floating-point rounding.
//
//   format_decimal(Rational(107 * 100, 893), 6) == "11.982083"
#pragma once

#include <boost/multiprecision/cpp_int.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace pqrflow::core {

using Rational = boost::multiprecision::cpp_rational;

// Decimal text rounded half away from zero to at most `places` decimals, trailing
// zeros and a trailing point removed: 11.982083, 50, -0.5, 0.
std::string format_decimal(const Rational& r, int places);

// Parses a plain decimal ("12", "-2.5", "0.975"); nullopt otherwise.
std::optional<Rational> parse_decimal(std::string_view text);

double to_double(const Rational& r);

}  // namespace pqrflow::core
