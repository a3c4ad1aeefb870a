// `pqrflow`: the command-line tool. Each subcommand lives in its own cmd_*.cpp.
#include <exception>
#include <iostream>
#include <string_view>

#include "cli/commands.hpp"

namespace {

struct Command {
  std::string_view name;
  int (*run)(const pqrflow::cli::Args&);
  std::string_view summary;
};

constexpr Command kCommands[] = {
    {"demo", pqrflow::cli::run_demo,
     "demo   the whole system on one machine: broker, services, a live synthetic utility"},
    {"replay", pqrflow::cli::run_replay,
     "replay --plan FILE [--as-of T] FILE.jsonl...   BI rows from raw files, in-process"},
    {"generate", pqrflow::cli::run_generate,
     "generate --subscribers N --seed S --from YYYY-MM --to YYYY-MM OUT_DIR   synthetic utility"},
    {"broker", pqrflow::cli::run_broker,
     "broker [--partitions N]   embedded Kafka-protocol cluster; prints BROKERS=host:port"},
    {"report", pqrflow::cli::run_report,
     "report --brokers B   the current compliance table from pqrflow.compliance.v1"},
    {"import-csv", pqrflow::cli::run_import_csv,
     "import-csv --mapping FILE.yaml --topic pqr|visits|billing FILE.csv...   spreadsheet "
     "exports → raw topics"},
    {"export", pqrflow::cli::run_export,
     "export sui --period YYYY-MM (--checkpoint-dir DIR | --raw FILE...)   SUI monthly PQR "
     "report (CSV)"},
    {"plan", pqrflow::cli::run_plan, "plan check FILE   validate an action plan"},
    {"holidays", pqrflow::cli::run_holidays, "holidays YEAR   Colombian national holidays"},
    {"due-date", pqrflow::cli::run_due_date,
     "due-date DATE [--days N]   legal due date of a PQR filed on DATE"},
};

void usage(std::ostream& out) {
  out << "pqrflow — a water utility's customer-service events turned into its action plan's "
         "indicators.\n\nUsage: pqrflow COMMAND [OPTIONS]\n\nCommands:\n";
  for (const Command& c : kCommands) out << "  " << c.summary << "\n";
  out << "\nRun `pqrflow COMMAND --help` for a command's options.\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h") {
    usage(argc < 2 ? std::cerr : std::cout);
    return argc < 2 ? 2 : 0;
  }
  const std::string_view name = argv[1];
  for (const Command& c : kCommands) {
    if (c.name != name) continue;
    try {
      return c.run(pqrflow::cli::Args(argv + 2, argv + argc));
    } catch (const std::exception& e) {
      std::cerr << "pqrflow " << name << ": " << e.what() << "\n";
      return 1;
    }
  }
  std::cerr << "pqrflow: unknown command '" << name << "'\n\n";
  usage(std::cerr);
  return 2;
}
