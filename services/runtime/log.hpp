// Structured logs: one JSON object per line on stderr, safe to call from any thread.
//
//   log::configure("pqrflow-ingest", log::Level::kInfo);
//   log::info("consumer_assigned", {{"partitions", "0,1,2"}, {"count", 3}});
//   // {"ts":"2026-11-29T02:28:58.123Z","level":"info","service":"pqrflow-ingest",
//   //  "event":"consumer_assigned","partitions":"0,1,2","count":3}
//
// A disabled level costs one relaxed atomic load: nothing is formatted. Every line is
// valid JSON whatever the bytes logged (control characters escaped, invalid UTF-8
// replaced with U+FFFD). Field keys "ts", "level", "service" and "event" are reserved;
// a field using one is written as "field_<key>".
#pragma once

#include <atomic>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace pqrflow::runtime::log {

enum class Level : std::uint8_t { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// "debug", "info", "warn" (or "warning"), "error", any letter case; nullopt otherwise.
std::optional<Level> parse_level(std::string_view text);
std::string_view level_name(Level level);  // "debug", "info", "warn", "error"

// One key and a value: text, integer, floating point or bool. Holds views, so a Field
// must not outlive the call it is passed to (temporaries like std::to_string(x) are
// fine inside the call expression). Non-finite doubles are written as strings
// ("nan", "inf", "-inf") because JSON has no such numbers.
class Field {
 public:
  using Value = std::variant<std::string_view, std::int64_t, std::uint64_t, double, bool>;

  Field(std::string_view key, std::string_view value) noexcept : key_(key), value_(value) {}
  Field(std::string_view key, const std::string& value) noexcept
      : key_(key), value_(std::string_view(value)) {}
  // Without this, a string literal would convert to bool.
  Field(std::string_view key, const char* value) noexcept
      : key_(key), value_(value ? std::string_view(value) : std::string_view()) {}
  Field(std::string_view key, bool value) noexcept : key_(key), value_(value) {}
  template <std::integral T>
  requires(!std::same_as<T, bool> && !std::same_as<T, char> && !std::same_as<T, wchar_t> &&
           !std::same_as<T, char8_t> && !std::same_as<T, char16_t> && !std::same_as<T, char32_t>)
      Field(std::string_view key, T value)
  noexcept : key_(key) {
    if constexpr (std::is_signed_v<T>) {
      value_ = static_cast<std::int64_t>(value);
    } else {
      value_ = static_cast<std::uint64_t>(value);
    }
  }
  template <std::floating_point T>
  Field(std::string_view key, T value) noexcept : key_(key), value_(static_cast<double>(value)) {}

  std::string_view key() const noexcept { return key_; }
  const Value& value() const noexcept { return value_; }

 private:
  std::string_view key_;
  Value value_;
};

// Receives each formatted line, '\n' included. Calls are serialised; a sink must not log.
using Sink = std::function<void(std::string_view line)>;

// Sets the service name written on every line and the minimum level. Call once at
// start-up; safe (but unusual) to call again while other threads log.
void configure(std::string_view service, Level min_level);
void set_level(Level min_level);
Level level() noexcept;
// Replaces the output (stderr by default); an empty Sink restores stderr. For tests.
void set_sink(Sink sink);

namespace detail {
inline std::atomic<std::uint8_t> g_min_level{static_cast<std::uint8_t>(Level::kInfo)};
}  // namespace detail

inline bool enabled(Level level) noexcept {
  return static_cast<std::uint8_t>(level) >= detail::g_min_level.load(std::memory_order_relaxed);
}

// Formats and writes one line regardless of the configured level.
void write(Level level, std::string_view event, std::span<const Field> fields);

// The pure formatter behind write(): one JSON object, terminated by '\n'.
std::string format_line(std::chrono::system_clock::time_point ts, Level level,
                        std::string_view service, std::string_view event,
                        std::span<const Field> fields);

inline void debug(std::string_view event, std::initializer_list<Field> fields = {}) {
  if (enabled(Level::kDebug)) write(Level::kDebug, event, fields);
}
inline void info(std::string_view event, std::initializer_list<Field> fields = {}) {
  if (enabled(Level::kInfo)) write(Level::kInfo, event, fields);
}
inline void warn(std::string_view event, std::initializer_list<Field> fields = {}) {
  if (enabled(Level::kWarn)) write(Level::kWarn, event, fields);
}
inline void error(std::string_view event, std::initializer_list<Field> fields = {}) {
  if (enabled(Level::kError)) write(Level::kError, event, fields);
}

}  // namespace pqrflow::runtime::log
