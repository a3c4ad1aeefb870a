// The pqrflow-ingest process: settings, HTTP endpoints and metrics around IngestService.
#pragma once

namespace pqrflow::ingest {
int run_app(int argc, const char* const argv[]);
}
