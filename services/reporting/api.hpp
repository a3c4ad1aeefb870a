// Reporting's HTTP API (docs/api.yaml): pure functions from a published view to JSON,
// and the route registration. Numbers are exact rationals printed like the BI rows
// (6 decimals, half away from zero), so the API and the BI feed always agree.
//
//   GET /api/v1/compliance                         the plan year's compliance, with trends
//   GET /api/v1/indicators?indicator=&scope=&period=   BI rows, filtered
//   GET /api/v1/alerts                             active alerts, recent transitions, live figures
//   GET /api/v1/deadlines?office=&kind=&limit=     the legal-deadline worklist, overdue first
//   GET /api/v1/stream                             Server-Sent Events: compliance, alert, deadlines
#pragma once

#include <optional>
#include <string>

#include "core/plan.hpp"
#include "reporting/reporting_service.hpp"
#include "runtime/http_message.hpp"

namespace pqrflow::runtime {
class HttpServer;
}

namespace pqrflow::reporting {

std::string compliance_json(const ReportingView& view, const core::Plan& plan);
std::string alerts_json(const ReportingView& view);
std::string live_json(const ReportingView& view);

// 200 with the JSON, or 400 with {"error":"bad_parameter","message":…} naming the parameter.
runtime::HttpResponse indicators_response(const ReportingView& view, const runtime::HttpRequest& r);
runtime::HttpResponse deadlines_response(const ReportingView& view, const runtime::HttpRequest& r);

// Registers the API routes, the dashboard at "/" and the SSE stream.
void register_api(runtime::HttpServer& http, ReportingService& service, const core::Plan& plan);

}  // namespace pqrflow::reporting
