// SIGINT/SIGTERM handling for the services: the first signal asks for a clean shutdown
// (finish in-flight work, flush, commit, checkpoint); a second one means "now" and exits
// at once with code 130, for when a clean shutdown hangs.
//
//   ShutdownSignals signals(ioc, [&](int sig) { service.begin_shutdown(); });
//   ioc.run();   // the signal wait is work: cancel() it once shutdown is done
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <functional>

namespace pqrflow::runtime {

class ShutdownSignals {
 public:
  // Installs the handlers now. `on_first` runs once, on an io_context thread, with the
  // signal number; afterwards the set keeps waiting for the second signal, so the
  // io_context does not run out of work until cancel() or destruction.
  ShutdownSignals(boost::asio::io_context& ioc, std::function<void(int signal)> on_first);
  // Cancels the wait. Destroy before the io_context.
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  // Stops listening (the default signal actions come back); any thread.
  void cancel();

 private:
  void wait();
  boost::asio::signal_set signals_;
  std::function<void(int)> on_first_;
  bool seen_first_ = false;
};

}  // namespace pqrflow::runtime
