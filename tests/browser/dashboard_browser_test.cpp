// The dashboard in a real browser (label `browser`): a real stack (broker, ingest, metrics,
// reporting with an injected file clock and alert thresholds this test sets), fed a
// generated utility; then tests/browser/dashboard.test.mjs drives Debian's headless
// Chromium through playwright-core against reporting's dashboard and API.
//
// The Node script asks this process for what only the stack's owner can do, one line
// on its stdout each, answered with "ok" on its stdin:
//   @@surge N      produce N unanswered filings (a surge) before the clock instant
//   @@clock T      set the injected clocks to T (RFC 3339); the first one starts the
//                  alert rules
// Everything else it prints is its report, echoed here.
//
// Needs node, /usr/bin/chromium and `npm ci` in tests/browser (deploy/dev/run.sh and
// .ci/run install them). Without them the test fails saying what is missing; set
// PQRFLOW_SKIP_BROWSER=1 to skip it instead (ignored in CI, where CI=true).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "core/plan.hpp"
#include "core/replay.hpp"
#include "core/time.hpp"
#include "sim/generator.hpp"
#include "support/stack.hpp"

namespace pqrflow::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const fs::path kBrowserDir = PQRFLOW_SOURCE_DIR "/tests/browser";
const fs::path kArtifacts = PQRFLOW_BROWSER_ARTIFACTS;
// The injected clock: the morning after the generated data ends (June 2024).
constexpr const char* kClockStart = "2024-07-01T08:00:00-05:00";
constexpr const char* kSurgeFiledAt = "2024-07-01T07:30:00-05:00";

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

std::optional<std::string> on_path(const std::string& program) {
  std::string path = env_or("PATH", "/usr/bin:/bin");
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find(':', start), path.size());
    const fs::path candidate = fs::path(path.substr(start, end - start)) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    start = end + 1;
  }
  return std::nullopt;
}

// What the test needs from outside the build; empty `missing` when all is there.
struct Tools {
  std::string node;
  std::string chromium;
  std::vector<std::string> missing;
};

Tools find_tools() {
  Tools t;
  t.chromium = env_or("PQRFLOW_CHROMIUM", "/usr/bin/chromium");
  if (auto n = on_path("node")) {
    t.node = *n;
  } else {
    t.missing.push_back("node (Debian package nodejs)");
  }
  if (::access(t.chromium.c_str(), X_OK) != 0)
    t.missing.push_back(t.chromium + " (Debian package chromium)");
  if (!fs::exists(kBrowserDir / "node_modules/playwright-core/package.json"))
    t.missing.push_back("playwright-core (run `npm ci` in " + kBrowserDir.string() + ")");
  return t;
}

void set_clock(const fs::path& file, const std::string& instant) {
  std::ofstream(file.string() + ".tmp") << instant << "\n";
  fs::rename(file.string() + ".tmp", file);
}

// The port reporting logged as {"event":"http_listening","port":N}.
std::optional<int> logged_port(const std::string& log) {
  const auto at = log.find("\"http_listening\",\"port\":");
  if (at == std::string::npos) return std::nullopt;
  return std::atoi(log.c_str() + at + 24);
}

std::string surge_filing(int i) {
  const std::string ticket = "SURGE-" + std::to_string(i);
  const char* offices[] = {"Centro", "Norte", "Sur"};
  return R"({"event_id":"surge-)" + std::to_string(i) + R"(","type":"pqr.filed","occurred_at":")" +
         kSurgeFiledAt + R"(","ticket_id":")" + ticket +
         R"(","kind":"reclamo","channel":"telefono","office":")" + offices[i % 3] + "\"}";
}

// A backlog the generated utility lacks (it answers nearly everything in time): tickets
// filed in late May and early June 2024 and never answered, so that on the clock's
// morning some are past their legal due date and some near it — the worklist and its
// filters have rows to show.
std::vector<std::pair<std::string, std::string>> backlog() {
  const char* offices[] = {"Centro", "Norte", "Sur", "Oriente"};
  const char* kinds[] = {"reclamo", "peticion", "queja", "recurso_reposicion",
                         "solicitud_informacion"};
  const char* days[] = {"2024-05-27", "2024-05-29", "2024-05-31", "2024-06-04", "2024-06-06",
                        "2024-06-07", "2024-06-11", "2024-06-12", "2024-06-13", "2024-06-14"};
  std::vector<std::pair<std::string, std::string>> out;
  for (int i = 0; i < 20; ++i) {
    const std::string ticket = "R2024-9" + std::to_string(10000 + i);
    out.emplace_back(ticket, R"({"event_id":"backlog-)" + std::to_string(i) +
                                 R"(","type":"pqr.filed","occurred_at":")" + days[i % 10] + "T" +
                                 std::to_string(10 + i % 8) + R"(:15:00-05:00","ticket_id":")" +
                                 ticket + R"(","kind":")" + kinds[i % 5] +
                                 R"(","channel":"escrito","office":")" + offices[i % 4] + R"("})");
  }
  return out;
}

TEST(Browser, DashboardEqualsTheApiAndShowsAProvokedAlertLive) {
  const auto started = std::chrono::steady_clock::now();
  const Tools tools = find_tools();
  if (!tools.missing.empty()) {
    std::string what;
    for (const auto& m : tools.missing) what += "\n  - " + m;
    const bool ci = env_or("CI", "") == "true";
    if (env_or("PQRFLOW_SKIP_BROWSER", "") == "1" && !ci) {
      GTEST_SKIP() << "browser test skipped (PQRFLOW_SKIP_BROWSER=1); missing:" << what;
    }
    FAIL() << "the browser test needs:" << what
           << "\ndeploy/dev/run.sh test installs them; set PQRFLOW_SKIP_BROWSER=1 to skip this "
              "test on a machine without a browser (not honoured when CI=true).";
  }

  Stack stack;
  // Metrics' live figures follow `clock` from the start. Reporting's alert rules follow
  // `alert_clock`, which exists only once the script asks for the clock: without an
  // instant no rule is evaluated, so the pending-ratio rule's reference for its rise is
  // the settled figure, not one seen while the feed was half read.
  const fs::path clock = stack.dir() / "clock";
  const fs::path alert_clock = stack.dir() / "alert-clock";
  set_clock(clock, kClockStart);
  stack.start_ingest();
  stack.start_metrics({"--clock", "file:" + clock.string()});
  // The pending-ratio rule fires only on the surge below: a threshold of 60 %, a rise of
  // at least 5 points within a day, one hour before firing.
  const int reporting = stack.start_reporting(
      {"--clock", "file:" + alert_clock.string(), "--pending-ratio-threshold", "60",
       "--pending-ratio-resolve", "45", "--pending-ratio-min-rise", "5", "--pending-ratio-lookback",
       "1d", "--pending-ratio-for", "1h", "--pending-ratio-cooldown", "1d"});

  // A generated utility: 2023 (the baseline year) and the first half of 2024.
  sim::GeneratorOptions g;
  g.subscribers = std::stoi(env_or("PQRFLOW_BROWSER_SUBSCRIBERS", "1500"));
  g.seed = 7;
  g.from = core::YearMonth::of(2023, 1);
  g.to = core::YearMonth::of(2024, 6);
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> by_topic;
  std::ifstream plan_in(stack.bin().plan);
  std::stringstream plan_text;
  plan_text << plan_in.rdbuf();
  const core::PlanLoad plan = core::load_plan(plan_text.str());
  ASSERT_TRUE(plan.plan);
  core::Replayer replay(*plan.plan, std::nullopt);  // for the as-of the stack will reach
  sim::generate(g, [&](const sim::RawRecord& r) {
    by_topic[std::string(sim::topic_name(r.topic))].emplace_back(r.key, r.json);
    replay.feed_json(r.json);
  });
  for (const auto& [key, json] : backlog()) {
    by_topic[std::string(runtime::TopicNames{}.raw_pqr)].emplace_back(key, json);
    replay.feed_json(json);
  }
  ASSERT_TRUE(replay.as_of());
  for (const auto& [topic, records] : by_topic) stack.produce(topic, records);

  std::optional<int> port;
  ASSERT_TRUE(
      eventually([&] { return (port = logged_port(stack.log_of(reporting))).has_value(); }, 30s));
  const std::string url = "http://127.0.0.1:" + std::to_string(*port) + "/";
  fs::create_directories(kArtifacts);
  fs::remove_all(kArtifacts / "api-samples");  // the script saves fresh ones

  runtime::SubprocessOptions o;
  o.argv = {tools.node,    (kBrowserDir / "dashboard.test.mjs").string(),
            "--url",       url,
            "--chromium",  tools.chromium,
            "--as-of",     core::format_local(*replay.as_of()),
            "--clock",     kClockStart,
            "--threshold", "60",
            "--artifacts", kArtifacts.string(),
            "--profile",   (stack.dir() / "chromium-profile").string()};
  const std::string docs = env_or("PQRFLOW_BROWSER_DOCS_SCREENSHOT", "");
  if (!docs.empty()) {
    o.argv.push_back("--docs-screenshot");
    o.argv.push_back(docs);
  }
  o.pipe_stdout = true;
  o.stdin_pipe = true;
  o.stderr_path = (kArtifacts / "node.stderr.log").string();
  std::error_code ec;
  fs::remove(o.stderr_path, ec);
  std::string error;
  std::unique_ptr<runtime::Subprocess> node = runtime::Subprocess::spawn(o, &error);
  ASSERT_TRUE(node) << error;

  int surge_size = 0;
  for (;;) {
    const std::optional<std::string> line = node->read_line(120s);
    if (!line) break;  // EOF (the script ended) or a stalled script
    if (line->rfind("@@surge ", 0) == 0) {
      surge_size = std::stoi(line->substr(8));
      std::vector<std::pair<std::string, std::string>> surge;
      for (int i = 0; i < surge_size; ++i)
        surge.emplace_back("SURGE-" + std::to_string(i), surge_filing(i));
      stack.produce(runtime::TopicNames{}.raw_pqr, surge);
      std::cout << "# produced a surge of " << surge_size << " unanswered filings at "
                << kSurgeFiledAt << std::endl;
      node->write_stdin("ok\n");
    } else if (line->rfind("@@clock ", 0) == 0) {
      set_clock(clock, line->substr(8));
      set_clock(alert_clock, line->substr(8));
      std::cout << "# clock moved to " << line->substr(8) << std::endl;
      node->write_stdin("ok\n");
    } else {
      std::cout << *line << std::endl;
    }
  }
  std::optional<int> rc = node->wait(30s);
  if (!rc) rc = node->terminate(5s);
  std::ifstream err(o.stderr_path);
  std::stringstream err_text;
  err_text << err.rdbuf();
  EXPECT_EQ(*rc, 0) << "dashboard.test.mjs failed; its stderr:\n"
                    << err_text.str() << "\nreporting's log tail:\n"
                    << stack.log_of(reporting).substr(stack.log_of(reporting).size() > 3000
                                                          ? stack.log_of(reporting).size() - 3000
                                                          : 0);
  EXPECT_GT(surge_size, 0) << "the script never asked for the surge";
  std::cout << "# browser test took "
            << std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                                started)
                   .count()
            << " s; screenshot " << (kArtifacts / "dashboard.png").string() << std::endl;
}

}  // namespace
}  // namespace pqrflow::testing
