#include "runtime/text.hpp"

#include <array>
#include <charconv>

namespace pqrflow::runtime::text {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool in_range(std::string_view s, std::size_t i, unsigned char lo, unsigned char hi) {
  if (i >= s.size()) return false;
  const auto c = static_cast<unsigned char>(s[i]);
  return c >= lo && c <= hi;
}

}  // namespace

std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  const auto tail = [&](std::size_t k) { return in_range(s, i + k, 0x80, 0xBF); };
  if (b0 >= 0xC2 && b0 <= 0xDF) return tail(1) ? 2 : 0;
  if (b0 == 0xE0) return in_range(s, i + 1, 0xA0, 0xBF) && tail(2) ? 3 : 0;
  if ((b0 >= 0xE1 && b0 <= 0xEC) || b0 == 0xEE || b0 == 0xEF) return tail(1) && tail(2) ? 3 : 0;
  if (b0 == 0xED) return in_range(s, i + 1, 0x80, 0x9F) && tail(2) ? 3 : 0;  // no surrogates
  if (b0 == 0xF0) return in_range(s, i + 1, 0x90, 0xBF) && tail(2) && tail(3) ? 4 : 0;
  if (b0 >= 0xF1 && b0 <= 0xF3) return tail(1) && tail(2) && tail(3) ? 4 : 0;
  if (b0 == 0xF4) return in_range(s, i + 1, 0x80, 0x8F) && tail(2) && tail(3) ? 4 : 0;
  return 0;
}

void append_json_escaped(std::string& out, std::string_view in) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::size_t i = 0;
  while (i < in.size()) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c >= 0x80) {
      const std::size_t n = utf8_sequence_length(in, i);
      if (n == 0) {
        out += kReplacement;
        ++i;
      } else {
        out.append(in.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
}

void append_double(std::string& out, double value) {
  std::array<char, 32> buf{};
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  if (ec == std::errc{}) out.append(buf.data(), end);
}

}  // namespace pqrflow::runtime::text
