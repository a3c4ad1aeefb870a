// Child processes for `pqrflow demo` and the end-to-end tests: spawn with arguments and
// extra environment, read the child's stdout line by line with a deadline, signal it,
// wait with a timeout. A Subprocess that is destroyed while its child runs kills it
// (SIGKILL) and reaps it, so nothing is left behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pqrflow::runtime {

struct SubprocessOptions {
  std::vector<std::string> argv;                         // argv[0] = executable path
  std::vector<std::pair<std::string, std::string>> env;  // added to the parent's
  bool pipe_stdout = false;                              // read it with read_line()
  std::string stdout_path;                               // else append stdout here ("" = inherit)
  std::string stderr_path;                               // append stderr here ("" = inherit)
  bool stdin_pipe = false;                               // write with write_stdin()
  // Own process group: a Ctrl-C at the terminal reaches only the parent, which then
  // stops its children in order.
  bool new_process_group = false;
};

class Subprocess {
 public:
  static std::unique_ptr<Subprocess> spawn(const SubprocessOptions& options, std::string* error);
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  // The next line of the child's stdout (without '\n'); nullopt on timeout or EOF.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);
  bool write_stdin(const std::string& text);
  bool signal(int sig);
  bool running();
  // Exit code (128 + signal number when killed by a signal); nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // SIGTERM, wait up to `grace`, then SIGKILL. Returns the exit code.
  int terminate(std::chrono::milliseconds grace);

 private:
  Subprocess() = default;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int stdin_fd_ = -1;
  std::string buffer_;
  std::optional<int> exit_code_;
};

// Directory of the running executable (to find the sibling service binaries).
std::string executable_directory();

}  // namespace pqrflow::runtime
