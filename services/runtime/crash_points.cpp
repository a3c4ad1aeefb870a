#include "runtime/crash_points.hpp"

#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

namespace pqrflow::runtime {
namespace {

struct Plan {
  std::mutex mu;
  std::map<std::string, long, std::less<>> remaining;  // name → hits left before the crash
};

Plan* load() {
  const char* spec = std::getenv("PQRFLOW_CRASH_AT");
  if (spec == nullptr || *spec == '\0') return nullptr;
  auto* plan = new Plan();  // lives for the whole process
  std::string s(spec);
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t end = std::min(s.find(',', start), s.size());
    const std::string item = s.substr(start, end - start);
    const std::size_t colon = item.rfind(':');
    if (colon != std::string::npos) {
      plan->remaining[item.substr(0, colon)] = std::strtol(item.c_str() + colon + 1, nullptr, 10);
    } else if (!item.empty()) {
      plan->remaining[item] = 1;
    }
    start = end + 1;
  }
  return plan;
}

}  // namespace

void crash_point(std::string_view name) {
  static Plan* const plan = load();
  if (plan == nullptr) return;
  std::lock_guard lock(plan->mu);
  auto it = plan->remaining.find(name);
  if (it == plan->remaining.end()) return;
  if (--it->second == 0) ::raise(SIGKILL);
}

}  // namespace pqrflow::runtime
