#include "runtime/log.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <mutex>

#include "runtime/text.hpp"

namespace pqrflow::runtime::log {
namespace {

// The configuration is an immutable snapshot swapped under a mutex, so writers copy a
// pointer (not the strings) and format outside any lock; only the sink call is serialised.
struct Config {
  std::string service = "pqrflow";
  Sink sink;
};

struct State {
  std::mutex config_mutex;
  std::shared_ptr<const Config> config = std::make_shared<const Config>();
  std::mutex output_mutex;
};

State& state() {
  // Leaked on purpose: destructors of other statics may still log during exit.
  static State* const s = new State;
  return *s;
}

std::shared_ptr<const Config> current_config() {
  State& s = state();
  std::lock_guard lock(s.config_mutex);
  return s.config;
}

void replace_config(const std::function<void(Config&)>& edit) {
  State& s = state();
  std::lock_guard lock(s.config_mutex);
  auto next = std::make_shared<Config>(*s.config);
  edit(*next);
  s.config = std::move(next);
}

void append_padded(std::string& out, long long value, int width) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value < 0 ? -value : value);
  (void)ec;
  if (value < 0) out += '-';
  for (auto digits = static_cast<int>(end - buf); digits < width; ++digits) out += '0';
  out.append(buf, end);
}

void append_timestamp(std::string& out, std::chrono::system_clock::time_point ts) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(ts);
  const auto day = floor<days>(ms);
  const year_month_day ymd{day};
  const hh_mm_ss hms{ms - day};
  append_padded(out, static_cast<int>(ymd.year()), 4);
  out += '-';
  append_padded(out, static_cast<unsigned>(ymd.month()), 2);
  out += '-';
  append_padded(out, static_cast<unsigned>(ymd.day()), 2);
  out += 'T';
  append_padded(out, hms.hours().count(), 2);
  out += ':';
  append_padded(out, hms.minutes().count(), 2);
  out += ':';
  append_padded(out, hms.seconds().count(), 2);
  out += '.';
  append_padded(out, hms.subseconds().count(), 3);
  out += 'Z';
}

void append_string(std::string& out, std::string_view s) {
  out += '"';
  text::append_json_escaped(out, s);
  out += '"';
}

bool is_reserved(std::string_view key) {
  return key == "ts" || key == "level" || key == "service" || key == "event";
}

void append_value(std::string& out, const Field::Value& value) {
  struct Visitor {
    std::string& out;
    void operator()(std::string_view s) const { append_string(out, s); }
    void operator()(std::int64_t v) const { out += std::to_string(v); }
    void operator()(std::uint64_t v) const { out += std::to_string(v); }
    void operator()(bool v) const { out += v ? "true" : "false"; }
    void operator()(double v) const {
      if (std::isnan(v)) {
        out += "\"nan\"";
      } else if (std::isinf(v)) {
        out += v > 0 ? "\"inf\"" : "\"-inf\"";
      } else {
        text::append_double(out, v);
      }
    }
  };
  std::visit(Visitor{out}, value);
}

void write_stderr(std::string_view line) {
  // stderr is unbuffered: one fwrite is one write(2), so lines from several processes
  // sharing the stream stay whole as long as they fit in PIPE_BUF.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

std::optional<Level> parse_level(std::string_view text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "debug") return Level::kDebug;
  if (lower == "info") return Level::kInfo;
  if (lower == "warn" || lower == "warning") return Level::kWarn;
  if (lower == "error") return Level::kError;
  return std::nullopt;
}

std::string_view level_name(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

void configure(std::string_view service, Level min_level) {
  replace_config([&](Config& c) { c.service = std::string(service); });
  set_level(min_level);
}

void set_level(Level min_level) {
  detail::g_min_level.store(static_cast<std::uint8_t>(min_level), std::memory_order_relaxed);
}

Level level() noexcept {
  return static_cast<Level>(detail::g_min_level.load(std::memory_order_relaxed));
}

void set_sink(Sink sink) {
  replace_config([&](Config& c) { c.sink = std::move(sink); });
}

std::string format_line(std::chrono::system_clock::time_point ts, Level level,
                        std::string_view service, std::string_view event,
                        std::span<const Field> fields) {
  std::string out;
  out.reserve(96 + service.size() + event.size() + fields.size() * 24);
  out += "{\"ts\":\"";
  append_timestamp(out, ts);
  out += "\",\"level\":\"";
  out += level_name(level);
  out += "\",\"service\":";
  append_string(out, service);
  out += ",\"event\":";
  append_string(out, event);
  for (const Field& f : fields) {
    out += ',';
    out += '"';
    if (is_reserved(f.key())) out += "field_";
    text::append_json_escaped(out, f.key());
    out += "\":";
    append_value(out, f.value());
  }
  out += "}\n";
  return out;
}

void write(Level level, std::string_view event, std::span<const Field> fields) {
  const auto config = current_config();
  const std::string line =
      format_line(std::chrono::system_clock::now(), level, config->service, event, fields);
  std::lock_guard lock(state().output_mutex);
  if (config->sink) {
    config->sink(line);
  } else {
    write_stderr(line);
  }
}

}  // namespace pqrflow::runtime::log
