#include "runtime/clock.hpp"

#include <chrono>
#include <fstream>

namespace pqrflow::runtime {
namespace {

class WallClock final : public Clock {
 public:
  std::optional<core::Instant> now() override { return wall_now(); }
  std::string describe() const override { return "wall"; }
};

class EventClock final : public Clock {
 public:
  explicit EventClock(std::function<std::optional<core::Instant>()> f) : f_(std::move(f)) {}
  std::optional<core::Instant> now() override { return f_(); }
  std::string describe() const override { return "event"; }

 private:
  std::function<std::optional<core::Instant>()> f_;
};

class FileClock final : public Clock {
 public:
  explicit FileClock(std::string path) : path_(std::move(path)) {}
  std::optional<core::Instant> now() override {
    std::ifstream in(path_);
    std::string text;
    if (!in || !std::getline(in, text)) return last_;
    while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.pop_back();
    if (auto t = core::parse_rfc3339(text)) last_ = t;
    return last_;
  }
  std::string describe() const override { return "file:" + path_; }

 private:
  std::string path_;
  std::optional<core::Instant> last_;
};

class FixedClock final : public Clock {
 public:
  explicit FixedClock(core::Instant t) : t_(t) {}
  std::optional<core::Instant> now() override { return t_; }
  std::string describe() const override { return "fixed:" + core::format_local(t_); }

 private:
  core::Instant t_;
};

}  // namespace

core::Instant wall_now() {
  return core::Instant{std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count()};
}

std::unique_ptr<Clock> make_clock(const std::string& spec,
                                  std::function<std::optional<core::Instant>()> event_time,
                                  std::string* error) {
  if (spec == "wall") return std::make_unique<WallClock>();
  if (spec == "event") return std::make_unique<EventClock>(std::move(event_time));
  if (spec.rfind("file:", 0) == 0 && spec.size() > 5) {
    return std::make_unique<FileClock>(spec.substr(5));
  }
  if (spec.rfind("fixed:", 0) == 0) {
    std::string why;
    if (auto t = core::parse_rfc3339(spec.substr(6), &why)) return std::make_unique<FixedClock>(*t);
    *error =
        "fixed:T needs an RFC 3339 instant such as fixed:2024-03-01T00:00:00-05:00 (" + why + ")";
    return nullptr;
  }
  *error = "expected wall | event | file:PATH | fixed:RFC3339";
  return nullptr;
}

}  // namespace pqrflow::runtime
