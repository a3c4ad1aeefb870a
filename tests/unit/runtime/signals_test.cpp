// SIGINT/SIGTERM: the first signal calls back once, a second one exits with 130.
#include "runtime/signals.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <csignal>

namespace pqrflow::runtime {
namespace {

using namespace std::chrono_literals;

TEST(ShutdownSignals, FirstSignalCallsBackOnce) {
  boost::asio::io_context ioc;
  int calls = 0;
  int seen = 0;
  ShutdownSignals signals(ioc, [&](int sig) {
    ++calls;
    seen = sig;
  });
  std::raise(SIGTERM);
  const auto until = std::chrono::steady_clock::now() + 2s;
  while (calls == 0 && std::chrono::steady_clock::now() < until) ioc.run_one_for(100ms);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen, SIGTERM);
  signals.cancel();
  ioc.run_for(2s);  // returns as soon as the cancelled wait is gone
  EXPECT_TRUE(ioc.stopped());
  EXPECT_EQ(calls, 1);
}

TEST(ShutdownSignals, CancelReleasesTheIoContext) {
  boost::asio::io_context ioc;
  ShutdownSignals signals(ioc, [](int) {});
  signals.cancel();
  ioc.run_for(2s);
  EXPECT_TRUE(ioc.stopped());
}

TEST(ShutdownSignalsDeathTest, SecondSignalExitsWith130) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        boost::asio::io_context ioc;
        bool first = false;
        ShutdownSignals signals(ioc, [&](int) { first = true; });
        std::raise(SIGINT);
        const auto until = std::chrono::steady_clock::now() + 2s;
        while (!first && std::chrono::steady_clock::now() < until) ioc.run_one_for(100ms);
        std::raise(SIGINT);
        while (std::chrono::steady_clock::now() < until) ioc.run_one_for(100ms);
        std::exit(first ? 0 : 1);  // not reached when the second signal works
      },
      ::testing::ExitedWithCode(130), "shutdown_forced");
}

}  // namespace
}  // namespace pqrflow::runtime
