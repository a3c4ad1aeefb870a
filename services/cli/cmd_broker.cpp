// `pqrflow broker`: the embedded Kafka-protocol cluster (design.md §3). Prints
// BROKERS=host:port as its first stdout line, then serves until SIGINT/SIGTERM.
// Fault-injection commands may be written to its stdin, one per line (reliability
// tests use them):
//   down ID | up ID | rtt ID MS | errors API COUNT CODE | clear API |
//   leader TOPIC PARTITION ID |
//   topic NAME PARTITIONS
// Each command answers "ok" or "error: …" on stdout.
#include <signal.h>

#include <atomic>
#include <boost/program_options.hpp>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "runtime/embedded_broker.hpp"
#include "runtime/topics.hpp"

namespace po = boost::program_options;

namespace pqrflow::cli {
namespace {

std::string run_control(runtime::EmbeddedBroker& broker, const std::string& line) {
  std::istringstream in(line);
  std::string verb;
  in >> verb;
  std::string error;
  bool ok = false;
  if (verb == "down" || verb == "up") {
    int id = 0;
    if (!(in >> id)) return "error: usage: " + verb + " BROKER_ID";
    ok = verb == "down" ? broker.set_broker_down(id, &error) : broker.set_broker_up(id, &error);
  } else if (verb == "rtt") {
    int id = 0, ms = 0;
    if (!(in >> id >> ms)) return "error: usage: rtt BROKER_ID MILLISECONDS";
    ok = broker.set_broker_rtt(id, ms, &error);
  } else if (verb == "errors") {
    std::string api;
    int count = 0, code = 0;
    if (!(in >> api >> count >> code)) return "error: usage: errors API COUNT KAFKA_ERROR_CODE";
    ok = broker.push_request_errors(api, count, code, &error);
  } else if (verb == "clear") {
    std::string api;
    if (!(in >> api)) return "error: usage: clear API";
    ok = broker.clear_request_errors(api, &error);
  } else if (verb == "leader") {
    std::string topic;
    int partition = 0, id = 0;
    if (!(in >> topic >> partition >> id)) return "error: usage: leader TOPIC PARTITION BROKER_ID";
    ok = broker.set_partition_leader(topic, partition, id, &error);
  } else if (verb == "topic") {
    std::string topic;
    int partitions = 0;
    if (!(in >> topic >> partitions)) return "error: usage: topic NAME PARTITIONS";
    ok = broker.create_topic(topic, partitions, &error);
  } else {
    return "error: unknown command '" + verb + "'";
  }
  return ok ? "ok" : "error: " + error;
}

}  // namespace

int run_broker(const Args& args) {
  po::options_description options(
      "Usage: pqrflow broker [--partitions N] [--brokers N] [--topic NAME]...\n\n"
      "Starts librdkafka's embedded Kafka-protocol cluster on 127.0.0.1 with every pqrflow\n"
      "topic pre-created, prints BROKERS=host:port as the first line on stdout and serves\n"
      "until SIGINT or SIGTERM. Limits: in memory only, random ports, no TLS/SASL, no\n"
      "CreateTopics (create topics with --topic or the stdin command `topic NAME N`), and\n"
      "each partition keeps only its newest ~5 MiB / 100k message sets.\n\n"
      "stdin commands (fault injection): down ID | up ID | rtt ID MS |\n"
      "  errors API COUNT CODE | clear API | leader TOPIC PARTITION ID | topic NAME PARTITIONS\n\n"
      "Options");
  runtime::EmbeddedBrokerSettings settings;
  std::vector<std::string> extra_topics;
  options.add_options()("help,h", "show this help")(
      "partitions", po::value(&settings.partitions)->default_value(16),
      "partitions of every topic (>= 16 recommended: each keeps only ~5 MiB)")(
      "brokers", po::value(&settings.brokers)->default_value(1), "number of brokers (1..9)")(
      "topic", po::value(&extra_topics)->composing(), "extra topic to create (repeatable)");
  po::variables_map vm;
  if (const auto exit = parse_command_line("broker", args, options, nullptr, &vm)) return *exit;
  settings.topics = runtime::TopicNames{}.all();
  settings.topics.insert(settings.topics.end(), extra_topics.begin(), extra_topics.end());

  // Block the stop signals before any thread starts so only sigwait() sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::string error;
  std::unique_ptr<runtime::EmbeddedBroker> broker =
      runtime::EmbeddedBroker::start(settings, &error);
  if (!broker) {
    std::cerr << "pqrflow broker: " << error << "\n";
    return 2;
  }
  std::cout << "BROKERS=" << broker->bootstrap_servers() << std::endl;
  std::cerr << "pqrflow broker: " << settings.topics.size() << " topics, " << settings.partitions
            << " partitions each, " << settings.brokers << " broker(s); stop with Ctrl-C\n";

  std::thread control([&broker] {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (line.empty()) continue;
      std::cout << run_control(*broker, line) << std::endl;
    }
  });
  control.detach();  // stdin may never close; the process ends on a signal

  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::cerr << "pqrflow broker: stopping on " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << "\n";
  broker.reset();
  std::cout.flush();
  std::_Exit(0);  // the control thread may be blocked reading stdin
}

}  // namespace pqrflow::cli
