// The pqrflow-metrics process: settings, HTTP endpoints and metrics around MetricsService.
#pragma once

namespace pqrflow::metrics {
int run_app(int argc, const char* const argv[]);
}
