#include "cli/plan_loading.hpp"

#include <ostream>

#include "cli/files.hpp"

namespace pqrflow::cli {

std::optional<core::Plan> load_plan_file(const std::string& path, std::ostream& err,
                                         bool show_warnings) {
  std::string error;
  const std::optional<std::string> text = read_file(path, &error);
  if (!text) {
    err << error << "\n";
    return std::nullopt;
  }
  core::PlanLoad load = core::load_plan(*text);
  for (const core::PlanIssue& issue : load.issues) {
    const bool is_error = issue.severity == core::PlanIssue::Severity::kError;
    if (!is_error && !show_warnings) continue;
    err << path;
    if (issue.line > 0) err << ":" << issue.line;
    err << ": " << (is_error ? "error" : "warning") << ": " << issue.message << "\n";
  }
  return std::move(load.plan);
}

}  // namespace pqrflow::cli
