// Periodic work inside a service's consumer loop, on Boost.Asio timers: the loop calls
// run_ready() between Kafka polls, and each task runs on the loop's thread when its
// steady_timer expires, so state needs no locks.
//
//   Periodic timers;
//   timers.every(250ms, [&] { emit_snapshots(); });
//   while (!stopping) { process(consumer.poll(…)); timers.run_ready(); }
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <list>

namespace pqrflow::runtime {

class Periodic {
 public:
  Periodic() = default;
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;

  // Runs `task` every `interval` (first run after one interval, or now when `now`).
  void every(std::chrono::milliseconds interval, std::function<void()> task, bool now = false);
  // Runs the tasks whose timers expired; never blocks.
  void run_ready();

 private:
  struct Task {
    boost::asio::steady_timer timer;
    std::chrono::milliseconds interval;
    std::function<void()> run;
  };
  void arm(Task& t, std::chrono::milliseconds after);
  boost::asio::io_context ioc_;
  std::list<Task> tasks_;
};

}  // namespace pqrflow::runtime
