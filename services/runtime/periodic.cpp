#include "runtime/periodic.hpp"

namespace pqrflow::runtime {

void Periodic::every(std::chrono::milliseconds interval, std::function<void()> task, bool now) {
  tasks_.push_back(Task{boost::asio::steady_timer(ioc_), interval, std::move(task)});
  arm(tasks_.back(), now ? std::chrono::milliseconds(0) : interval);
}

void Periodic::arm(Task& t, std::chrono::milliseconds after) {
  t.timer.expires_after(after);
  t.timer.async_wait([this, &t](const boost::system::error_code& ec) {
    if (ec) return;
    t.run();
    arm(t, t.interval);  // the next period counts from the end of this run
  });
}

void Periodic::run_ready() {
  ioc_.poll();
  ioc_.restart();
}

}  // namespace pqrflow::runtime
