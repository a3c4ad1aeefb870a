// Every invalid setting stops a service before it does anything, with exit code 2 and a
// message naming the setting and what it accepts; unreachable brokers stop it with 1.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "runtime/subprocess.hpp"
#include "support/stack.hpp"

namespace pqrflow::testing {
namespace {

struct Outcome {
  int code = -1;
  std::string output;
};

Outcome run(std::vector<std::string> argv,
            std::vector<std::pair<std::string, std::string>> env = {}) {
  const std::filesystem::path out = std::filesystem::temp_directory_path() /
                                    ("pqrflow-config-test-" + std::to_string(::getpid()) + ".log");
  std::filesystem::remove(out);
  runtime::SubprocessOptions o;
  o.argv = std::move(argv);
  o.env = std::move(env);
  o.stdout_path = out.string();
  o.stderr_path = out.string();
  std::string error;
  auto p = runtime::Subprocess::spawn(o, &error);
  if (!p) return Outcome{-1, error};
  Outcome r;
  r.code = p->wait(std::chrono::seconds(60)).value_or(-1);
  std::ifstream in(out);
  r.output.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  std::filesystem::remove(out);
  return r;
}

struct Case {
  std::string binary;             // "ingest" | "metrics" | "reporting"
  std::vector<std::string> args;  // after --brokers
  std::string mentions;           // substring the message must contain (the setting)
  std::string accepted;           // substring describing what is accepted
  std::vector<std::pair<std::string, std::string>> env = {};
};

class BadSetting : public ::testing::TestWithParam<Case> {};

TEST_P(BadSetting, ExitsTwoNamingTheSetting) {
  const Binaries bin;
  const Case& c = GetParam();
  const std::string path = c.binary == "ingest"    ? bin.ingest
                           : c.binary == "metrics" ? bin.metrics
                                                   : bin.reporting;
  std::vector<std::string> argv = {path, "--brokers", "127.0.0.1:1"};
  if (c.binary == "reporting" &&
      std::find(c.args.begin(), c.args.end(), "--plan") == c.args.end()) {
    argv.insert(argv.end(), {"--plan", bin.plan});
  }
  argv.insert(argv.end(), c.args.begin(), c.args.end());
  const Outcome r = run(argv, c.env);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find(c.mentions), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(c.accepted), std::string::npos) << r.output;
}

const std::string kMissingFile = "/nonexistent/pqrflow.conf";

INSTANTIATE_TEST_SUITE_P(
    Services, BadSetting,
    ::testing::Values(
        // Common settings, every service.
        Case{"ingest", {"--http-port", "70000"}, "http-port", "0..65535"},
        Case{"metrics", {"--http-port", "-1"}, "http-port", "0..65535"},
        Case{"reporting", {"--http-port", "abc"}, "http-port", "HTTP port"},
        Case{"ingest", {"--log-level", "loud"}, "log-level", "debug | info | warn | error"},
        Case{"metrics", {"--kafka-property", "noequals"}, "kafka-property", "key=value"},
        Case{"reporting", {"--config", kMissingFile}, "config", "cannot be read"},
        Case{"ingest", {"--bogus-option", "1"}, "bogus-option", "see --help"},
        Case{"ingest", {}, "batch-size", "records per batch", {{"PQRFLOW_BATCH_SIZE", "abc"}}},
        // ingest
        Case{"ingest", {"--batch-size", "0"}, "batch-size", "1..1000000"},
        Case{"ingest", {"--max-in-flight", "0"}, "max-in-flight", "1..1000"},
        Case{"ingest", {"--max-record-bytes", "10"}, "max-record-bytes", "64..67108864"},
        Case{"ingest", {"--flush-timeout", "soon"}, "flush-timeout", "duration"},
        Case{"ingest", {"--ready-max-lag", "-1"}, "ready-max-lag", "≥ 0"},
        Case{"ingest", {"--webhook-max-bytes", "10"}, "webhook-max-bytes", "1024..1073741824"},
        Case{"ingest", {"--webhook-max-records", "0"}, "webhook-max-records", "1..1000000"},
        Case{"ingest", {"--webhook-timeout", "1ms"}, "webhook-timeout", "≥ 100ms"},
        Case{"ingest",
             {"--webhook-token-file", "/nonexistent/token"},
             "webhook-token-file",
             "cannot be read"},
        // metrics
        Case{"metrics", {"--checkpoint-interval", "1ms"}, "checkpoint-interval", "100ms"},
        Case{"metrics", {"--emit-interval", "fast"}, "emit-interval", "duration"},
        Case{"metrics", {"--live-interval", "0"}, "live-interval", "duration"},
        Case{"metrics", {"--clock", "moon"}, "clock", "wall | event | file:PATH | fixed:RFC3339"},
        Case{"metrics", {"--clock", "fixed:yesterday"}, "clock", "RFC 3339"},
        Case{"metrics", {"--warn-days", "99"}, "warn-days", "0..30"},
        Case{"metrics", {"--worklist-limit", "-5"}, "worklist-limit", "0..100000"},
        Case{"metrics", {"--batch-size", "0"}, "batch-size", "1..1000000"},
        Case{"metrics", {"--plan", "/nonexistent/plan.yaml"}, "plan", "cannot be read"},
        Case{"metrics", {"--checkpoint-dir", ""}, "checkpoint-dir", "directory"},
        // reporting
        Case{"reporting", {"--plan", "/nonexistent/plan.yaml"}, "plan", "cannot be read"},
        Case{"reporting", {"--bi-interval", "1ms"}, "bi-interval", "at least 10ms"},
        Case{"reporting", {"--alert-interval", "x"}, "alert-interval", "duration"},
        Case{"reporting", {"--checkpoint-interval", "1"}, "checkpoint-interval", "at least 100ms"},
        Case{"reporting", {"--pending-ratio-threshold", "-3"}, "pending-ratio-threshold", "≥ 0"},
        Case{"reporting", {"--pending-ratio-resolve", "90"}, "pending-ratio-resolve", "hysteresis"},
        Case{"reporting", {"--pending-ratio-min-rise", "-1"}, "pending-ratio-min-rise", "≥ 0"},
        Case{"reporting", {"--pending-ratio-for", "long"}, "pending-ratio-for", "duration"},
        Case{"reporting", {"--overdue-threshold", "0"}, "overdue-threshold", "≥ 1"},
        Case{"reporting", {"--due-soon-threshold", "0"}, "due-soon-threshold", "≥ 1"},
        Case{"reporting", {"--clock", "sundial"}, "clock", "wall | event"},
        Case{"reporting", {"--plan", "/dev/null"}, "plan", "the plan has errors"},
        Case{"reporting", {"--bi-min-interval", "0ms"}, "bi-min-interval", "at least 1ms"},
        Case{"reporting",
             {"--pending-ratio-lookback", "week"},
             "pending-ratio-lookback",
             "duration"},
        Case{
            "reporting", {"--pending-ratio-cooldown", "-1d"}, "pending-ratio-cooldown", "duration"},
        Case{"reporting", {"--checkpoint-dir", ""}, "checkpoint-dir", "directory"}));

TEST(Settings, MissingBrokersAndMissingPlanExitTwo) {
  const Binaries bin;
  Outcome r = run({bin.ingest});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("brokers"), std::string::npos) << r.output;
  r = run({bin.reporting, "--brokers", "127.0.0.1:1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("plan"), std::string::npos) << r.output;
}

TEST(Settings, ConfigFileAndEnvironmentAreRead) {
  const Binaries bin;
  const std::filesystem::path conf =
      std::filesystem::temp_directory_path() / "pqrflow-config-test.conf";
  std::ofstream(conf) << "# a comment\nbatch-size = 0\n";
  Outcome r = run({bin.ingest, "--brokers", "127.0.0.1:1", "--config", conf.string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("batch-size=0"), std::string::npos) << r.output;
  // The command line wins over the file and the environment.
  r = run({bin.ingest, "--config", conf.string(), "--batch-size", "10", "--log-level", "bad"},
          {{"PQRFLOW_BROKERS", "127.0.0.1:1"}});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("log-level"), std::string::npos) << r.output;
  std::filesystem::remove(conf);
}

TEST(Settings, UnreachableBrokersExitOneWithAMessage) {
  const Binaries bin;
  const Outcome r = run({bin.ingest, "--brokers", "127.0.0.1:1", "--http-port", "0"});
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("unreachable"), std::string::npos) << r.output;
}

TEST(Settings, HelpDocumentsEverySettingAndExitsZero) {
  const Binaries bin;
  for (const std::string& b : {bin.ingest, bin.metrics, bin.reporting}) {
    const Outcome r = run({b, "--help"});
    EXPECT_EQ(r.code, 0);
    for (const char* option :
         {"--brokers", "--config", "--http-port", "--log-level", "--kafka-property"}) {
      EXPECT_NE(r.output.find(option), std::string::npos) << b << " --help lacks " << option;
    }
  }
}

}  // namespace
}  // namespace pqrflow::testing
