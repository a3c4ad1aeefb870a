// The `pqrflow` subcommands. Each takes the arguments after its name and returns the
// process exit code: 0 success, 1 the command ran and found a problem (e.g. plan errors),
// 2 bad usage or configuration (the message names the option).
#pragma once

#include <string>
#include <vector>

namespace pqrflow::cli {

using Args = std::vector<std::string>;

int run_holidays(const Args& args);
int run_due_date(const Args& args);
int run_plan(const Args& args);
int run_replay(const Args& args);
int run_broker(const Args& args);
int run_generate(const Args& args);
int run_demo(const Args& args);
int run_report(const Args& args);
int run_import_csv(const Args& args);
int run_export(const Args& args);

}  // namespace pqrflow::cli
