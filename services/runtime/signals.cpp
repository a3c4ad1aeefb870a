#include "runtime/signals.hpp"

#include <boost/asio/post.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "runtime/log.hpp"

namespace pqrflow::runtime {

namespace {
constexpr int kExitOnSecondSignal = 130;  // the shell's convention for "killed by SIGINT"
}

ShutdownSignals::ShutdownSignals(boost::asio::io_context& ioc,
                                 std::function<void(int signal)> on_first)
    : signals_(ioc, SIGINT, SIGTERM), on_first_(std::move(on_first)) {
  wait();
}

ShutdownSignals::~ShutdownSignals() {
  boost::system::error_code ignored;
  signals_.cancel(ignored);
  signals_.clear(ignored);
}

void ShutdownSignals::cancel() {
  boost::asio::post(signals_.get_executor(), [this] {
    boost::system::error_code ignored;
    signals_.cancel(ignored);
    signals_.clear(ignored);
  });
}

void ShutdownSignals::wait() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;  // cancelled
    if (!seen_first_) {
      seen_first_ = true;
      log::info("shutdown_requested", {{"signal", signal}});
      if (on_first_) on_first_(signal);
      wait();
      return;
    }
    // The clean shutdown is taking too long for the operator: leave without running
    // destructors, which may be what hangs.
    log::error("shutdown_forced", {{"signal", signal}, {"exit_code", kExitOnSecondSignal}});
    std::fflush(stderr);
    std::_Exit(kExitOnSecondSignal);
  });
}

}  // namespace pqrflow::runtime
