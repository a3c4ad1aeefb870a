// `pqrflow report --brokers B`: the current compliance table, from the latest update on
// pqrflow.compliance.v1.
#include <boost/program_options.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/compliance_table.hpp"
#include "cli/options.hpp"

namespace po = boost::program_options;

namespace pqrflow::cli {

int run_report(const Args& args) {
  po::options_description options(
      "Usage: pqrflow report --brokers HOST:PORT [--topic pqrflow.compliance.v1]\n\n"
      "Prints the current compliance table: the latest compliance update of each plan.\n\n"
      "Options");
  std::string brokers, topic = "pqrflow.compliance.v1";
  options.add_options()("help,h", "show this help")(
      "brokers", po::value(&brokers), "Kafka bootstrap servers (env PQRFLOW_BROKERS)")(
      "topic", po::value(&topic)->default_value(topic), "compliance topic");
  po::variables_map vm;
  if (const auto exit = parse_command_line("report", args, options, nullptr, &vm)) return *exit;
  if (brokers.empty()) {
    if (const char* env = std::getenv("PQRFLOW_BROKERS")) brokers = env;
  }
  if (brokers.empty()) {
    std::cerr << "pqrflow report: --brokers HOST:PORT is required\n";
    return 2;
  }
  std::string error;
  if (!runtime::brokers_reachable(brokers, std::chrono::seconds(10), &error)) {
    std::cerr << "pqrflow report: " << error << "\n";
    return 1;
  }
  auto consumer = runtime::Consumer::create(
      {{"bootstrap.servers", brokers}, {"group.id", "pqrflow-report-cli"}}, &error);
  if (!consumer) {
    std::cerr << "pqrflow report: " << error << "\n";
    return 2;
  }
  const auto updates = read_compliance(*consumer, topic, &error);
  consumer->close();
  if (!error.empty()) {
    std::cerr << "pqrflow report: " << error << "\n";
    return 1;
  }
  if (updates.empty()) {
    std::cerr << "pqrflow report: no compliance update on " << topic << " yet\n";
    return 1;
  }
  for (const auto& u : updates) std::cout << format_compliance_table(u) << "\n";
  return 0;
}

}  // namespace pqrflow::cli
