#include "core/exact.hpp"

namespace pqrflow::core {

using boost::multiprecision::cpp_int;

std::string format_decimal(const Rational& r, int places) {
  cpp_int scale = 1;
  for (int i = 0; i < places; ++i) scale *= 10;
  const cpp_int num = boost::multiprecision::numerator(r);
  const cpp_int den = boost::multiprecision::denominator(r);  // always > 0
  const bool negative = num < 0;
  const cpp_int abs_num = negative ? cpp_int(-num) : num;
  // round half away from zero: floor((|n|·scale·2 + d) / (2d))
  const cpp_int scaled = (abs_num * scale * 2 + den) / (den * 2);
  std::string digits = scaled.str();
  if (places > 0) {
    if (digits.size() <= static_cast<std::size_t>(places)) {
      digits.insert(0, static_cast<std::size_t>(places) + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - static_cast<std::size_t>(places), ".");
    while (digits.back() == '0') digits.pop_back();
    if (digits.back() == '.') digits.pop_back();
  }
  if (negative && digits != "0") digits.insert(0, "-");
  return digits;
}

std::optional<Rational> parse_decimal(std::string_view text) {
  if (text.empty()) return std::nullopt;
  bool negative = false;
  std::size_t pos = 0;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    pos = 1;
  }
  cpp_int value = 0;
  cpp_int scale = 1;
  bool any_digit = false;
  bool in_fraction = false;
  for (; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (c >= '0' && c <= '9') {
      value = value * 10 + (c - '0');
      if (in_fraction) scale *= 10;
      any_digit = true;
    } else if (c == '.' && !in_fraction) {
      in_fraction = true;
    } else {
      return std::nullopt;
    }
  }
  if (!any_digit) return std::nullopt;
  Rational r(value, scale);
  return negative ? Rational(-r) : r;
}

double to_double(const Rational& r) {
  return r.convert_to<double>();
}

}  // namespace pqrflow::core
