// The pqrflow-reporting process: settings, HTTP endpoints and metrics around
// ReportingService.
#pragma once

namespace pqrflow::reporting {
int run_app(int argc, const char* const argv[]);
}
