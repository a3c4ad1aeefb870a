#include "runtime/crash_points.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <string>

namespace pqrflow::runtime {
namespace {

struct Plan {
  // name → hits left before the crash, in memory shared with forked children.
  std::map<std::string, std::atomic<long>*, std::less<>> remaining;
  pid_t service = 0;  // the process that read the plan: the one to kill
};

Plan* load() {
  const char* spec = std::getenv("PQRFLOW_CRASH_AT");
  if (spec == nullptr || *spec == '\0') return nullptr;
  auto* plan = new Plan();  // lives for the whole process
  plan->service = ::getpid();
  const auto counter = [](long hits) {
    void* shared = ::mmap(nullptr, sizeof(std::atomic<long>), PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) std::abort();  // a test harness setting: fail loudly
    return new (shared) std::atomic<long>(hits);
  };
  std::string s(spec);
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t end = std::min(s.find(',', start), s.size());
    const std::string item = s.substr(start, end - start);
    const std::size_t colon = item.rfind(':');
    if (colon != std::string::npos) {
      plan->remaining[item.substr(0, colon)] =
          counter(std::strtol(item.c_str() + colon + 1, nullptr, 10));
    } else if (!item.empty()) {
      plan->remaining[item] = counter(1);
    }
    start = end + 1;
  }
  return plan;
}

Plan* plan() {
  static Plan* const p = load();
  return p;
}

}  // namespace

void crash_point(std::string_view name) {
  Plan* const p = plan();
  if (p == nullptr) return;
  auto it = p->remaining.find(name);
  if (it == p->remaining.end()) return;
  if (it->second->fetch_sub(1) != 1) return;
  if (::getpid() != p->service) ::kill(p->service, SIGKILL);  // a forked writer
  ::raise(SIGKILL);
}

void prepare_crash_points_for_fork() {
  plan();
}

}  // namespace pqrflow::runtime
