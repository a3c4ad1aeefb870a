// Loading a plan file for a command: read, parse, print issues with the file name.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "core/plan.hpp"

namespace pqrflow::cli {

// Prints "FILE:LINE: error: …" / "warning: …" lines to `err`; returns the plan when it
// has no errors.
std::optional<core::Plan> load_plan_file(const std::string& path, std::ostream& err,
                                         bool show_warnings = true);

}  // namespace pqrflow::cli
