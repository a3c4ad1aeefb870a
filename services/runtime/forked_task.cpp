#include "runtime/forked_task.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "runtime/crash_points.hpp"

namespace pqrflow::runtime {
namespace {

// A pipe holds at least 4 KiB without a reader: the child never blocks on its message.
constexpr std::size_t kMaxErrorBytes = 4000;
constexpr int kChildNice = 10;

[[noreturn]] void child_main(const std::function<bool(std::string* error)>& work, pid_t parent,
                             int out, const sigset_t& mask) {
  // Die with the parent: a checkpoint writer outliving a killed service could rename an
  // old checkpoint over its successor's.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(3);
  // The parent's handlers (Asio's signal pipe) must not see the child's signals.
  for (int s = 1; s < NSIG; ++s) {
    if (s != SIGKILL && s != SIGSTOP) ::signal(s, SIG_DFL);
  }
  ::pthread_sigmask(SIG_SETMASK, &mask, nullptr);
  // Background work: the parent's threads (and everything else on the machine) go first.
  errno = 0;
  [[maybe_unused]] const int nice_value = ::nice(kChildNice);
  std::string error;
  bool ok = false;
  try {
    ok = work(&error);
  } catch (const std::exception& e) {
    error = e.what();
  } catch (...) {
    error = "unknown exception";
  }
  if (!ok && error.empty()) error = "failed";
  if (!ok) {
    const std::size_t n = std::min(error.size(), kMaxErrorBytes);
    [[maybe_unused]] const ssize_t written = ::write(out, error.data(), n);
  }
  ::_exit(ok ? 0 : 1);
}

}  // namespace

ForkedTask::~ForkedTask() {
  wait();
}

bool ForkedTask::start(const std::function<bool(std::string* error)>& work, std::string* error) {
  if (running()) {
    *error = "a forked task is still running";
    return false;
  }
  prepare_crash_points_for_fork();
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    *error = std::string("pipe: ") + std::strerror(errno);
    return false;
  }
  // No signal handler may run in the child before it has reset them.
  sigset_t all;
  sigset_t old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    child_main(work, parent, fds[1], old);
  }
  const int fork_errno = errno;
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    *error = std::string("fork: ") + std::strerror(fork_errno);
    return false;
  }
  pid_ = pid;
  pipe_ = fds[0];
  started_ = std::chrono::steady_clock::now();
  return true;
}

std::optional<ForkedTask::Result> ForkedTask::poll() {
  return reap(false);
}

std::optional<ForkedTask::Result> ForkedTask::wait() {
  return reap(true);
}

std::optional<ForkedTask::Result> ForkedTask::reap(bool block) {
  if (!running()) return std::nullopt;
  int status = 0;
  pid_t r = 0;
  do {
    r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  const int wait_errno = errno;
  if (r == 0) return std::nullopt;
  Result out;
  out.elapsed = std::chrono::steady_clock::now() - started_;
  char buf[512];
  for (ssize_t n = 0; (n = ::read(pipe_, buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    out.error.append(buf, static_cast<std::size_t>(n));
  }
  ::close(pipe_);
  pipe_ = -1;
  pid_ = -1;
  if (r < 0) {
    out.error = std::string("waitpid: ") + std::strerror(wait_errno);
  } else if (WIFEXITED(status)) {
    out.ok = WEXITSTATUS(status) == 0;
    if (!out.ok && out.error.empty()) {
      out.error = "the child exited with status " + std::to_string(WEXITSTATUS(status));
    }
  } else if (WIFSIGNALED(status)) {
    out.error = "the child was killed by signal " + std::to_string(WTERMSIG(status));
  }
  return out;
}

}  // namespace pqrflow::runtime
