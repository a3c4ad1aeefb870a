// The dashboard's static files (services/reporting/dashboard/), compiled into the
// reporting binary by cmake/EmbedFiles.cmake.
#pragma once

#include <span>
#include <string_view>

namespace pqrflow::reporting {

struct DashboardAsset {
  std::string_view path;          // URL path, e.g. "/" or "/dashboard.js"
  std::string_view content_type;  // e.g. "text/html; charset=utf-8"
  std::string_view body;
};

std::span<const DashboardAsset> dashboard_assets();

}  // namespace pqrflow::reporting
