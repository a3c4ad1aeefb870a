// Deterministic crash injection for the reliability tests. With the environment variable
// PQRFLOW_CRASH_AT=name:N (several separated by commas), the process kills itself with
// SIGKILL — exactly like `kill -9` — the N-th time execution reaches crash_point(name).
// Without the variable a crash point costs one relaxed atomic load.
//
// Points: checkpoint.before_rename, checkpoint.after_rename (runtime/checkpoint_store),
// metrics.handover, ingest.after_produce, ingest.before_commit, reporting.after_publish.
#pragma once

#include <string_view>

namespace pqrflow::runtime {

void crash_point(std::string_view name);

}  // namespace pqrflow::runtime
