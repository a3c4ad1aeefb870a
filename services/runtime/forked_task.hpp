// Work on a copy-on-write image of this process: fork() a child that runs one function
// over the memory as it was at the call, while this process goes on changing it. The
// metrics service writes its checkpoints this way, so serialising a large state does
// not stall its consumer loop (the stall is the fork itself: copying page tables,
// ~1 ms per 100 MiB resident).
//
//   ForkedTask task;
//   if (!task.start([&](std::string* error) { return write_everything(error); }, &error))
//     write_everything(&error);  // no fork (e.g. out of memory): do it here
//   …
//   if (std::optional<ForkedTask::Result> r = task.poll()) use(r->ok, r->error);
//
// The child is a single thread: it must touch nothing another thread may have held at
// the fork (Kafka clients, the logger, the HTTP server), only plain memory, the heap and
// files. It dies with its parent (PR_SET_PDEATHSIG), ignores the parent's signal
// handlers, runs at nice +10 (background work: the parent's threads go first), and
// leaves with _exit, so no destructor or atexit hook runs twice.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace pqrflow::runtime {

class ForkedTask {
 public:
  struct Result {
    bool ok = false;
    std::string error;  // the child's error text, or why it ended abnormally
    std::chrono::steady_clock::duration elapsed{};  // start() → the child's exit seen
  };

  ForkedTask() = default;
  ForkedTask(const ForkedTask&) = delete;
  ForkedTask& operator=(const ForkedTask&) = delete;
  // Waits for a child still running.
  ~ForkedTask();

  // Runs `work` in a new child process. false (with *error) when one is still running
  // or fork() failed; `work` did not run then.
  bool start(const std::function<bool(std::string* error)>& work, std::string* error);

  bool running() const { return pid_ > 0; }
  // nullopt while the child runs (or none was started); its result once it has ended.
  std::optional<Result> poll();
  // Blocks until the child ends; nullopt when none was running.
  std::optional<Result> wait();

 private:
  std::optional<Result> reap(bool block);

  pid_t pid_ = -1;
  int pipe_ = -1;  // read end: the child's error text
  std::chrono::steady_clock::time_point started_{};
};

}  // namespace pqrflow::runtime
