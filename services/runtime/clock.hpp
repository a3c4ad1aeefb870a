// The clock that drives live figures and alert timers. Production uses the wall clock;
// demos and backfills use event time (the latest event seen); tests inject time through
// a file they rewrite ("file:PATH" holds one RFC 3339 instant) or a fixed instant.
//
//   --clock wall | event | file:/tmp/now | fixed:2024-03-01T00:00:00-05:00
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/time.hpp"

namespace pqrflow::runtime {

class Clock {
 public:
  virtual ~Clock() = default;
  // nullopt when the clock has no reading yet (event time before any event, an
  // unreadable clock file).
  virtual std::optional<core::Instant> now() = 0;
  virtual std::string describe() const = 0;
};

// `event_time` supplies the latest event time for the "event" clock.
std::unique_ptr<Clock> make_clock(const std::string& spec,
                                  std::function<std::optional<core::Instant>()> event_time,
                                  std::string* error);

core::Instant wall_now();

}  // namespace pqrflow::runtime
