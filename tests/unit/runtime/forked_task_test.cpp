// ForkedTask: the child works on the memory of the instant it was forked, reports its
// result and error text, and stays out of the parent's signal handling; crash points
// count across the fork and, fired in the child, kill the service too.
#include "runtime/forked_task.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <csignal>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "runtime/crash_points.hpp"
#include "runtime/signals.hpp"

namespace pqrflow::runtime {
namespace {

using namespace std::chrono_literals;

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "/forked_task_" + std::to_string(::getpid()) + "_" + name;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(ForkedTask, ChildSeesTheMemoryOfTheForkWhileTheParentGoesOn) {
  std::vector<int> values = {1, 2, 3};
  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  const std::string out = temp_path("image");
  ForkedTask task;
  std::string error;
  ASSERT_TRUE(task.start(
      [&](std::string*) {
        char c = 0;
        if (::read(go[0], &c, 1) != 1) return false;  // until the parent has changed `values`
        std::ofstream f(out);
        for (int v : values) f << v << ' ';
        return true;
      },
      &error))
      << error;
  EXPECT_TRUE(task.running());
  EXPECT_FALSE(task.poll().has_value());  // blocked on the pipe
  values = {7, 8};
  ASSERT_EQ(::write(go[1], "x", 1), 1);
  const std::optional<ForkedTask::Result> r = task.wait();
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->ok) << r->error;
  EXPECT_EQ(read_file(out), "1 2 3 ");
  EXPECT_FALSE(task.running());
  EXPECT_FALSE(task.wait().has_value());  // nothing left to wait for
  ::close(go[0]);
  ::close(go[1]);
  std::remove(out.c_str());
}

TEST(ForkedTask, ReportsTheChildsErrorTextAndExceptions) {
  ForkedTask task;
  std::string error;
  ASSERT_TRUE(task.start(
      [](std::string* e) {
        *e = "disk full on /var/lib/pqrflow";
        return false;
      },
      &error));
  std::optional<ForkedTask::Result> r = task.wait();
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->error, "disk full on /var/lib/pqrflow");

  ASSERT_TRUE(
      task.start([](std::string*) -> bool { throw std::runtime_error("bad shard"); }, &error));
  r = task.wait();
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->error, "bad shard");
}

TEST(ForkedTask, OneChildAtATime) {
  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  ForkedTask task;
  std::string error;
  ASSERT_TRUE(task.start(
      [&](std::string*) {
        char c = 0;
        return ::read(go[0], &c, 1) == 1;
      },
      &error));
  EXPECT_FALSE(task.start([](std::string*) { return true; }, &error));
  EXPECT_EQ(error, "a forked task is still running");
  ASSERT_EQ(::write(go[1], "x", 1), 1);
  const std::optional<ForkedTask::Result> r = task.wait();
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->ok);
  ::close(go[0]);
  ::close(go[1]);
}

TEST(ForkedTask, ChildSignalsDoNotReachTheParentsHandlers) {
  boost::asio::io_context ioc;
  int calls = 0;
  ShutdownSignals signals(ioc, [&](int) { ++calls; });
  ForkedTask task;
  std::string error;
  ASSERT_TRUE(task.start(
      [](std::string*) {
        std::raise(SIGTERM);  // default action in the child: it dies
        return true;
      },
      &error));
  const std::optional<ForkedTask::Result> r = task.wait();
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->error, "the child was killed by signal " + std::to_string(SIGTERM));
  ioc.run_for(200ms);
  EXPECT_EQ(calls, 0);
  signals.cancel();
}

TEST(ForkedTaskDeathTest, CrashPointFiredInTheChildKillsTheService) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");  // a fresh process reads the plan
  EXPECT_EXIT(
      {
        ::setenv("PQRFLOW_CRASH_AT", "forked.test:2", 1);
        crash_point("forked.test");  // the first hit, here
        ForkedTask task;
        std::string error;
        if (!task.start(
                [](std::string*) {
                  crash_point("forked.test");  // the second, in the child
                  return true;
                },
                &error)) {
          std::exit(2);
        }
        task.wait();
        std::this_thread::sleep_for(5s);
        std::exit(0);
      },
      ::testing::KilledBySignal(SIGKILL), "");
}

}  // namespace
}  // namespace pqrflow::runtime
