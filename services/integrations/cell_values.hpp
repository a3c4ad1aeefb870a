// Reading the cells of spreadsheet exports as contract values: dates in local formats
// ("15/03/2024 02:30 p. m."), money with a decimal comma ("$ 1.234.567,89"), yes/no
// flags, and the loose matching of labels ("Petición" = "PETICION" = " peticion ").
//
//   parse_datetime("19/03/2024 10:05", {"%d/%m/%Y %H:%M"}, -300)  → "2024-03-19T10:05:00-05:00"
//   parse_money("1.234.567,89", {',', "."})                        → "1234567.89"
//
// Pure: no locale, no clock.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pqrflow::integrations {

// Date formats: %d day (1–2 digits), %m month (1–2 digits), %Y year (4 digits), %y year
// (2 digits, 20yy), %H hour 0–23, %I hour 1–12, %M minutes, %S seconds with an optional
// fraction (".123" or ",123"), %p AM/PM ("a. m.", "p.m.", "AM", …), %z offset ("Z",
// "-05:00", "-0500"), %% a percent sign. A space matches one or more spaces; any other
// character matches itself. "iso" stands for the ISO 8601 forms with or without offset.
// Without %z the time is local at `utc_offset_minutes` (Bogota: -300). Missing time
// fields are 0 (a date alone is local midnight).
//
// Returns RFC 3339 text, or nullopt with *why saying which formats were tried.
std::optional<std::string> parse_datetime(std::string_view text,
                                          const std::vector<std::string>& formats,
                                          int utc_offset_minutes, std::string* why);

// A billing month: the same formats (only %Y/%y and %m are needed), "YYYY-MM" out.
std::optional<std::string> parse_period(std::string_view text,
                                        const std::vector<std::string>& formats, std::string* why);

struct NumberFormat {
  char decimal = '.';
  std::string thousands;  // separators to drop, e.g. "." or ", " (empty: none allowed)
};

// Money as a plain decimal string ("-12.5", "1234567.89"): currency sign "$", spaces and
// thousands separators dropped, the decimal separator made '.', "(123)" read as negative.
// Range and decimals are left to the contract's rules. nullopt with *why otherwise.
std::optional<std::string> parse_money(std::string_view text, const NumberFormat& format,
                                       std::string* why);

// "sí", "si", "s", "yes", "y", "true", "1", "x", "verdadero" → true; "no", "n", "false",
// "0", "falso" → false (ignoring case and accents).
std::optional<bool> parse_flag(std::string_view text);

// For matching labels: trimmed, lower case, Spanish accents removed (á→a, ñ→n, ü→u, …),
// inner runs of spaces, '_' and '-' made one space.
std::string normalize_label(std::string_view text);

// Trims spaces, tabs and no-break spaces at both ends.
std::string_view trim(std::string_view text);

}  // namespace pqrflow::integrations
