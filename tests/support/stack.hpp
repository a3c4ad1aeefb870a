// A real pqrflow stack for end-to-end tests: `pqrflow broker` and the three service
// processes, each a child process with its own temporary state directory, talking over
// TCP on 127.0.0.1. Helpers feed raw records with a Kafka producer and read the output
// topics with a Kafka consumer. Nothing is faked; every wait polls with a deadline.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/kafka.hpp"
#include "runtime/subprocess.hpp"
#include "runtime/topics.hpp"

namespace pqrflow::testing {

struct Binaries {
  std::string pqrflow = PQRFLOW_BIN_CLI;
  std::string ingest = PQRFLOW_BIN_INGEST;
  std::string metrics = PQRFLOW_BIN_METRICS;
  std::string reporting = PQRFLOW_BIN_REPORTING;
  std::string plan = PQRFLOW_SOURCE_DIR "/plans/f-pco-021-2024.yaml";
};

class Stack {
 public:
  // Starts the embedded broker (partitions per topic, broker count) in a fresh
  // temporary directory.
  explicit Stack(int partitions = 16, int brokers = 1);
  ~Stack();

  const std::string& brokers() const { return brokers_; }
  const std::filesystem::path& dir() const { return dir_; }
  const Binaries& bin() const { return bin_; }

  // Starts a service with --brokers and --http-port 0 plus `args`; logs go to
  // dir()/<name>.log. Returns its index for stop()/kill().
  int start_service(const std::string& name, const std::string& binary,
                    std::vector<std::string> args,
                    std::vector<std::pair<std::string, std::string>> env = {});
  int start_ingest(std::vector<std::string> args = {});
  int start_metrics(std::vector<std::string> args = {});
  int start_reporting(std::vector<std::string> args = {});
  // SIGTERM and wait; returns the exit code.
  int stop(int index, std::chrono::milliseconds grace = std::chrono::seconds(30));
  void kill(int index);
  bool running(int index);
  // Starts the service again with the same arguments (and these environment variables,
  // e.g. PQRFLOW_CRASH_AT), appending to its log.
  void restart(int index, std::vector<std::pair<std::string, std::string>> env = {});
  // Exit code when it has exited (nullopt while running).
  std::optional<int> exit_code(int index);
  pid_t pid(int index) const;
  // The embedded broker's process id.
  pid_t broker_pid() const;
  // Resident memory in KiB (VmRSS), 0 when unknown.
  long rss_kib(int index) const;
  std::string log_of(int index) const;
  // The HTTP port the service logged ("http_listening"), waiting for it up to 30 s.
  int http_port(int index) const;

  // Sends a command to the broker's stdin (fault injection); returns its answer line.
  std::string broker_command(const std::string& command);

  // Produces records to a topic with the given keys (empty key = none) and flushes.
  void produce(const std::string& topic,
               const std::vector<std::pair<std::string, std::string>>& key_values,
               const std::vector<runtime::Header>& headers = {});

  // Records produced to `topics` that consumer group `group` has not committed yet.
  std::int64_t consumer_group_lag(const std::string& group, const std::vector<std::string>& topics);

  // Reads every message of a topic from the beginning to its current end.
  std::vector<std::pair<std::string, std::string>> read_all(const std::string& topic);
  // The same with each message's partition and offset.
  struct Record {
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::string key;
    std::string value;
  };
  std::vector<Record> read_records(const std::string& topic);

 private:
  std::filesystem::path dir_;
  Binaries bin_;
  std::unique_ptr<runtime::Subprocess> broker_;
  std::string brokers_;
  struct Service {
    std::string name;
    std::unique_ptr<runtime::Subprocess> process;
    std::vector<std::string> argv;
  };
  std::unique_ptr<runtime::Subprocess> spawn(
      const std::string& name, const std::vector<std::string>& argv,
      const std::vector<std::pair<std::string, std::string>>& env);
  std::vector<Service> services_;
  std::unique_ptr<runtime::Producer> producer_;
};

// The latest BI row per key (highest version), as JSON text with "version" removed.
std::map<std::string, std::string> latest_bi_rows(
    const std::vector<std::pair<std::string, std::string>>& messages);

// Replay's rows for the same records, keyed and with "version" removed.
std::map<std::string, std::string> replay_rows(const std::vector<std::string>& records,
                                               const std::string& plan_path);

// A plain HTTP/1.1 GET on 127.0.0.1: {status, body}; status 0 when it could not connect.
std::pair<int, std::string> http_get(int port, const std::string& target);
// A POST with a JSON body and extra headers: {status, body}.
std::pair<int, std::string> http_post(
    int port, const std::string& target, const std::string& body,
    const std::vector<std::pair<std::string, std::string>>& headers = {});

// Polls `condition` until it returns true or the deadline passes.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds every = std::chrono::milliseconds(250));

// Human summary of the differences between two row maps (first few).
std::string diff_rows(const std::map<std::string, std::string>& expected,
                      const std::map<std::string, std::string>& actual);

}  // namespace pqrflow::testing
