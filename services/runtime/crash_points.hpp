// Deterministic crash injection for the reliability tests. With the environment variable
// PQRFLOW_CRASH_AT=name:N (several separated by commas), the process kills itself with
// SIGKILL — exactly like `kill -9` — the N-th time execution reaches crash_point(name).
// Without the variable a crash point costs one relaxed atomic load.
//
// A child forked by ForkedTask counts on the same counters (shared memory), and when a
// point fires there it kills the service that forked it as well, so "the N-th checkpoint
// write" means the same thing whether the checkpoint is written in-process or forked.
//
// Points: checkpoint.before_rename, checkpoint.after_rename (runtime/checkpoint_store),
// metrics.handover, ingest.after_produce, ingest.before_commit, reporting.after_publish.
#pragma once

#include <string_view>

namespace pqrflow::runtime {

void crash_point(std::string_view name);

// Reads PQRFLOW_CRASH_AT now (if not yet), so that children forked afterwards share the
// counters with this process.
void prepare_crash_points_for_fork();

}  // namespace pqrflow::runtime
