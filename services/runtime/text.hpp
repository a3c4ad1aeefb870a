// Text helpers shared by the runtime's output formats (JSON log lines, Prometheus text):
// UTF-8 validation and escaping that never produces an invalid document, whatever the
// input bytes. Invalid UTF-8 is replaced byte by byte with U+FFFD.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pqrflow::runtime::text {

// The length (1–4) of the well-formed UTF-8 sequence starting at s[i], or 0 when the
// bytes there are not one (overlong forms, surrogates and code points above U+10FFFF
// are rejected, as RFC 3629 requires).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept;

// Appends `in` as the inside of a JSON string (no surrounding quotes): quotes,
// backslashes and control characters (and DEL) escaped, invalid UTF-8 replaced.
void append_json_escaped(std::string& out, std::string_view in);

// Appends shortest round-trip text of a finite double ("0.25", "1e+21", "3").
void append_double(std::string& out, double value);

}  // namespace pqrflow::runtime::text
