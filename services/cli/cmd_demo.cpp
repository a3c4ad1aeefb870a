// `pqrflow demo`: the whole system on one machine with zero set-up. Starts the embedded
// broker and the three services as separate processes, feeds a generated utility
// (2023 as the baseline year as fast as the pipeline takes it, then 2024 at an
// accelerated pace), shows progress, the compliance table and alerts live, and ends
// with the final compliance summary. Ctrl-C stops everything it started.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli/commands.hpp"
#include "cli/compliance_table.hpp"
#include "cli/options.hpp"
#include "pqrflow/v1/indicators.pb.h"
#include "runtime/kafka.hpp"
#include "runtime/subprocess.hpp"
#include "runtime/topics.hpp"
#include "sim/generator.hpp"

namespace po = boost::program_options;

namespace pqrflow::cli {
namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) {
  g_stop = true;
}

using SteadyClock = std::chrono::steady_clock;

struct DemoOptions {
  int subscribers = 50000;
  std::uint64_t seed = 1;
  int partitions = 16;
  double pace = 4;  // simulated days of 2024 per wall-clock second
  int http_port = 8080;
  std::string state_dir;
  bool keep_running = false;
  bool keep_state = false;
};

// One child process of the demo, with its log file.
struct Child {
  std::string name;
  std::unique_ptr<runtime::Subprocess> process;
  std::string log;
};

std::string read_file_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The port a service logged as {"event":"http_listening","port":N}.
std::optional<int> logged_port(const std::string& log_path) {
  const std::string text = read_file_text(log_path);
  const auto at = text.find("\"http_listening\",\"port\":");
  if (at == std::string::npos) return std::nullopt;
  return std::atoi(text.c_str() + at + 24);
}

std::string bar(double fraction, int width) {
  const int full = static_cast<int>(fraction * width);
  std::string out = "[";
  for (int i = 0; i < width; ++i) out += i < full ? "█" : "·";
  return out + "]";
}

class Demo {
 public:
  explicit Demo(DemoOptions o) : o_(std::move(o)), tty_(isatty(STDOUT_FILENO) != 0) {}

  int run() {
    if (!start_processes()) return stop_all(1);
    if (!connect()) return stop_all(1);
    feed();
    if (g_stop) return stop_all(130);
    settle();
    print_final();
    if (o_.keep_running && !g_stop) {
      std::cout << "\nServices keep running: dashboard " << dashboard_url() << ", broker "
                << brokers_ << ". Ctrl-C stops everything.\n";
      while (!g_stop) {
        refresh_outputs();
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
    }
    return stop_all(0);
  }

 private:
  std::string exe(const std::string& name) const {
    return runtime::executable_directory() + "/" + name;
  }

  // Finds a sibling service binary: next to `pqrflow`, or in the build tree layout.
  std::string service_binary(const std::string& name) const {
    const std::string dir = runtime::executable_directory();
    for (const std::string& candidate :
         {dir + "/" + name, dir + "/../" + name.substr(8) + "/" + name}) {
      if (std::filesystem::exists(candidate))
        return std::filesystem::weakly_canonical(candidate).string();
    }
    return dir + "/" + name;
  }

  bool spawn(const std::string& name, std::vector<std::string> argv, bool pipe_stdout = false) {
    runtime::SubprocessOptions so;
    so.argv = std::move(argv);
    so.new_process_group = true;
    so.pipe_stdout = pipe_stdout;
    const std::string log = (std::filesystem::path(o_.state_dir) / (name + ".log")).string();
    so.stderr_path = log;
    if (!pipe_stdout) so.stdout_path = log;
    std::string error;
    auto p = runtime::Subprocess::spawn(so, &error);
    if (!p) {
      std::cerr << "pqrflow demo: " << error << "\n";
      return false;
    }
    children_.push_back({name, std::move(p), log});
    return true;
  }

  bool start_processes() {
    std::filesystem::create_directories(o_.state_dir);
    std::cout << "pqrflow demo: state and logs in " << o_.state_dir << "\n";
    if (!spawn("broker", {exe("pqrflow"), "broker", "--partitions", std::to_string(o_.partitions)},
               true)) {
      return false;
    }
    const std::optional<std::string> line =
        children_[0].process->read_line(std::chrono::seconds(20));
    if (!line || line->rfind("BROKERS=", 0) != 0) {
      std::cerr << "pqrflow demo: the embedded broker did not start (see " << children_[0].log
                << ")\n";
      return false;
    }
    brokers_ = line->substr(8);
    std::cout << "pqrflow demo: embedded broker at " << brokers_ << "\n";
    const std::string state = o_.state_dir;
    const std::string plan = find_plan();
    if (plan.empty()) {
      std::cerr << "pqrflow demo: plans/f-pco-021-2024.yaml not found (run from the repository)\n";
      return false;
    }
    bool ok =
        spawn("ingest",
              {service_binary("pqrflow-ingest"), "--brokers", brokers_, "--http-port", "0"}) &&
        spawn("metrics", {service_binary("pqrflow-metrics"), "--brokers", brokers_, "--http-port",
                          "0", "--checkpoint-dir", state + "/metrics", "--checkpoint-interval",
                          "2s", "--clock", "event", "--plan", plan}) &&
        spawn("reporting", {service_binary("pqrflow-reporting"),
                            "--brokers",
                            brokers_,
                            "--http-port",
                            std::to_string(o_.http_port),
                            "--plan",
                            plan,
                            "--checkpoint-dir",
                            state + "/reporting",
                            "--clock",
                            "event",
                            "--pending-ratio-for",
                            "2d",
                            "--pending-ratio-lookback",
                            "14d",
                            "--pending-ratio-cooldown",
                            "10d",
                            "--pending-ratio-threshold",
                            "35",
                            "--pending-ratio-resolve",
                            "30",
                            "--due-soon-threshold",
                            "40"});
    if (!ok) return false;
    // Every service must come up (a busy dashboard port is the usual failure).
    const auto deadline = SteadyClock::now() + std::chrono::seconds(30);
    for (std::size_t i = 1; i < children_.size(); ++i) {
      while (!logged_port(children_[i].log)) {
        if (!children_[i].process->running()) {
          std::cerr << "pqrflow demo: " << children_[i].name << " exited:\n"
                    << read_file_text(children_[i].log);
          return false;
        }
        if (SteadyClock::now() > deadline || g_stop) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    reporting_port_ = *logged_port(children_[3].log);
    std::cout << "pqrflow demo: ingest, metrics and reporting running\n\n"
              << "    Dashboard: " << dashboard_url() << "   (live while the demo runs"
              << (o_.keep_running ? " and after it, until Ctrl-C)\n" : ")\n")
              << "    API:       " << dashboard_url() << "api/v1/compliance (docs/api.yaml)\n\n";
    if (!o_.keep_running) {
      std::cout << "Hint: `pqrflow demo --keep-running` keeps the services and the dashboard up "
                   "after the summary.\n\n";
    }
    std::cout << std::flush;
    if (tty_) std::this_thread::sleep_for(std::chrono::seconds(2));  // before the screen redraws
    return true;
  }

  std::string find_plan() const {
    const std::string dir = runtime::executable_directory();
    for (const std::string& c :
         {std::string("plans/f-pco-021-2024.yaml"), dir + "/../../../plans/f-pco-021-2024.yaml",
          dir + "/../share/pqrflow/plans/f-pco-021-2024.yaml"}) {
      if (std::filesystem::exists(c)) return std::filesystem::weakly_canonical(c).string();
    }
    return {};
  }

  std::string dashboard_url() const {
    return "http://127.0.0.1:" + std::to_string(reporting_port_) + "/";
  }

  bool connect() {
    std::string error;
    producer_ = runtime::Producer::create({{"bootstrap.servers", brokers_},
                                           {"linger.ms", "20"},
                                           {"batch.num.messages", "10000"},
                                           {"compression.type", "lz4"},
                                           {"partitioner", "murmur2_random"}},
                                          &error);
    ingest_lag_ = runtime::Consumer::create(
        {{"bootstrap.servers", brokers_}, {"group.id", "pqrflow-ingest"}}, &error);
    metrics_lag_ = runtime::Consumer::create(
        {{"bootstrap.servers", brokers_}, {"group.id", "pqrflow-metrics"}}, &error);
    outputs_ = runtime::Consumer::create(
        {{"bootstrap.servers", brokers_}, {"group.id", "pqrflow-demo-view"}}, &error);
    if (!producer_ || !ingest_lag_ || !metrics_lag_ || !outputs_) {
      std::cerr << "pqrflow demo: " << error << "\n";
      return false;
    }
    std::vector<runtime::TopicPartition> tps;
    for (const std::string& t : {topics_.compliance, topics_.alerts}) {
      for (int p = 0; p < o_.partitions; ++p) tps.push_back({t, p, runtime::kOffsetBeginning});
    }
    return outputs_->assign(tps, &error);
  }

  // Records produced but not yet committed by a consumer group, over some topics.
  std::int64_t group_lag(runtime::Consumer& c, const std::vector<std::string>& topics) {
    std::int64_t end = 0, committed = 0;
    std::vector<runtime::TopicPartition> tps;
    for (const std::string& t : topics) {
      end += c.end_offsets_total(t, std::chrono::seconds(5)).value_or(0);
      for (int p = 0; p < o_.partitions; ++p) tps.push_back({t, p, runtime::kOffsetStored});
    }
    for (const auto& tp : c.committed(tps, std::chrono::seconds(5)))
      committed += std::max<std::int64_t>(tp.offset, 0);
    return end - committed;
  }

  void refresh_outputs() {
    runtime::MessageBatch b = outputs_->poll(1000, std::chrono::milliseconds(0));
    for (const auto& m : b.messages()) {
      if (m.topic == topics_.compliance) {
        pqrflow::v1::ComplianceUpdate u;
        if (u.ParseFromArray(m.value.data(), static_cast<int>(m.value.size())) &&
            u.version() > compliance_.version()) {
          compliance_ = u;
          last_compliance_change_ = SteadyClock::now();
        }
      } else {
        pqrflow::v1::AlertTransition a;
        if (a.ParseFromArray(m.value.data(), static_cast<int>(m.value.size()))) {
          alerts_.push_back(core::format_local(core::Instant{a.at_us()}).substr(0, 16) + "  " +
                            a.rule_id() + " → " + a.state() + "  " + a.summary());
        }
      }
    }
  }

  void draw(const std::string& phase, double fraction, core::Instant sim_time, bool force = false) {
    const auto now = SteadyClock::now();
    if (!force && now < next_draw_) return;
    next_draw_ = now + (tty_ ? std::chrono::milliseconds(500) : std::chrono::seconds(5));
    refresh_outputs();
    std::ostringstream s;
    const double secs = std::chrono::duration<double>(now - started_).count();
    char line[256];
    std::snprintf(line, sizeof line, "%s %5.1f %%  %s  simulated %s  %lld records  %.0f records/s",
                  bar(fraction, 30).c_str(), fraction * 100, phase.c_str(),
                  core::format_date(core::local_date(sim_time)).c_str(),
                  static_cast<long long>(produced_),
                  secs > 0 ? static_cast<double>(produced_) / secs : 0.0);
    if (!tty_) {
      std::cout << line << "\n" << std::flush;
      return;
    }
    s << "\x1b[H\x1b[2J";
    s << "pqrflow demo — dashboard " << dashboard_url() << " — broker " << brokers_ << "\n\n";
    s << line << "\n\n";
    if (compliance_.version() != 0) {
      s << format_compliance_table(compliance_);
    } else {
      s << "(waiting for the first compliance update…)\n";
    }
    s << "\nalertas (" << alerts_.size() << "):\n";
    const std::size_t from = alerts_.size() > 6 ? alerts_.size() - 6 : 0;
    for (std::size_t i = from; i < alerts_.size(); ++i) s << "  " << alerts_[i] << "\n";
    s << "\nCtrl-C stops everything.\n";
    std::cout << s.str() << std::flush;
  }

  void feed() {
    sim::GeneratorOptions g;
    g.subscribers = o_.subscribers;
    g.seed = o_.seed;
    g.from = core::YearMonth::of(2023, 1);
    g.to = core::YearMonth::of(2024, 12);
    sim::Generator gen(g);
    const core::Instant paced_from = core::local_midnight(core::date_of(2024, 1, 1));
    const core::Instant end = core::local_midnight(core::date_of(2025, 1, 1));
    const core::Instant begin = core::local_midnight(core::date_of(2023, 1, 1));
    started_ = SteadyClock::now();
    std::optional<SteadyClock::time_point> paced_start;
    sim::RawRecord r;
    std::string error;
    while (!g_stop && gen.next(&r)) {
      const std::string topic(sim::topic_name(r.topic));
      if (!producer_->produce(topic, r.key, r.json, {}, &error)) {
        std::cerr << "pqrflow demo: " << error << "\n";
        g_stop = true;
        break;
      }
      ++produced_;
      last_at_ = r.at;
      if (r.at >= paced_from) {
        // 2024 at `pace` simulated days per second.
        if (!paced_start) paced_start = SteadyClock::now();
        const double sim_days = static_cast<double>(r.at.us - paced_from.us) / core::kMicrosPerDay;
        const auto due = *paced_start + std::chrono::microseconds(
                                            static_cast<std::int64_t>(sim_days / o_.pace * 1e6));
        while (!g_stop && SteadyClock::now() < due) {
          draw("2024",
               static_cast<double>(r.at.us - begin.us) / static_cast<double>(end.us - begin.us),
               r.at);
          producer_->poll(std::chrono::milliseconds(5));
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
      }
      if (produced_ % 20000 == 0) {
        // The embedded broker keeps ~5 MiB per partition: never run ahead of ingest.
        producer_->flush(std::chrono::seconds(30));
        while (!g_stop && (group_lag(*ingest_lag_, topics_.raw()) > 60000 ||
                           group_lag(*metrics_lag_, {topics_.events}) > 150000)) {
          draw(r.at < paced_from ? "2023 (línea base)" : "2024",
               static_cast<double>(r.at.us - begin.us) / static_cast<double>(end.us - begin.us),
               r.at, false);
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
      }
      draw(r.at < paced_from ? "2023 (línea base)" : "2024",
           static_cast<double>(r.at.us - begin.us) / static_cast<double>(end.us - begin.us), r.at);
    }
    producer_->flush(std::chrono::seconds(30));
  }

  // Waits until every record went through and the compliance table stopped changing.
  void settle() {
    const auto deadline = SteadyClock::now() + std::chrono::seconds(180);
    while (!g_stop && SteadyClock::now() < deadline) {
      draw("procesando", 1.0, last_at_);
      const bool drained = group_lag(*ingest_lag_, topics_.raw()) == 0;
      if (drained && compliance_.version() != 0 &&
          SteadyClock::now() - last_compliance_change_ > std::chrono::seconds(6)) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    draw("listo", 1.0, last_at_, true);
  }

  void print_final() {
    const double secs = std::chrono::duration<double>(SteadyClock::now() - started_).count();
    std::cout << "\n=== Resumen final ===\n\n";
    if (compliance_.version() != 0) std::cout << format_compliance_table(compliance_);
    std::cout << "\n"
              << produced_ << " raw records fed in " << static_cast<int>(secs) << " s; "
              << alerts_.size() << " alert transitions.\n\n"
              << "    Dashboard: " << dashboard_url() << "\n"
              << "    API:       " << dashboard_url() << "api/v1/compliance\n\n";
    if (o_.keep_running) {
      std::cout << "Inspect the topics with kcat -b " << brokers_ << " -L\n";
    } else {
      std::cout << "The services stop now; run `pqrflow demo --keep-running` to keep the "
                   "dashboard and the broker (kcat -b BROKERS) up after the summary.\n";
    }
  }

  int stop_all(int code) {
    // Our own clients first (they would log the broker going away), then the services
    // (they flush and checkpoint against the broker), then the broker.
    outputs_.reset();
    ingest_lag_.reset();
    metrics_lag_.reset();
    producer_.reset();
    for (std::size_t i = children_.size(); i-- > 1;) children_[i].process->signal(SIGTERM);
    for (std::size_t i = children_.size(); i-- > 1;) {
      std::optional<int> rc = children_[i].process->wait(std::chrono::seconds(40));
      if (!rc) {
        children_[i].process->signal(SIGKILL);
        rc = children_[i].process->wait(std::chrono::seconds(10));
      }
      if (rc.value_or(-1) != 0 && code == 0) {
        std::cerr << "pqrflow demo: " << children_[i].name << " exited with " << rc.value_or(-1)
                  << " (see " << children_[i].log << ")\n";
      }
    }
    if (!children_.empty()) children_[0].process->terminate(std::chrono::seconds(10));
    children_.clear();
    if (!o_.keep_state && code == 0) {
      std::error_code ec;
      std::filesystem::remove_all(o_.state_dir, ec);
    }
    std::cout << "pqrflow demo: stopped everything it started.\n";
    return code;
  }

  DemoOptions o_;
  bool tty_;
  runtime::TopicNames topics_;
  std::vector<Child> children_;
  std::string brokers_;
  int reporting_port_ = 0;
  std::unique_ptr<runtime::Producer> producer_;
  std::unique_ptr<runtime::Consumer> ingest_lag_, metrics_lag_, outputs_;
  pqrflow::v1::ComplianceUpdate compliance_;
  SteadyClock::time_point last_compliance_change_ = SteadyClock::now();
  std::vector<std::string> alerts_;
  std::int64_t produced_ = 0;
  core::Instant last_at_;
  SteadyClock::time_point started_ = SteadyClock::now();
  SteadyClock::time_point next_draw_ = SteadyClock::now();
};

}  // namespace

int run_demo(const Args& args) {
  po::options_description options(
      "Usage: pqrflow demo [options]\n\n"
      "Starts the embedded broker and pqrflow-ingest, pqrflow-metrics and pqrflow-reporting as\n"
      "separate processes, feeds a generated utility (2023 as the baseline year, then 2024 at an\n"
      "accelerated pace), shows progress, the compliance table and alerts as they fire, and ends\n"
      "with the final compliance summary. Ctrl-C stops everything it started.\n\n"
      "Options");
  DemoOptions o;
  options.add_options()("help,h", "show this help")(
      "subscribers", po::value(&o.subscribers)->default_value(o.subscribers),
      "size of the utility")("seed", po::value(&o.seed)->default_value(o.seed), "simulation seed")(
      "pace", po::value(&o.pace)->default_value(o.pace), "simulated days of 2024 per second")(
      "partitions", po::value(&o.partitions)->default_value(o.partitions), "partitions per topic")(
      "http-port", po::value(&o.http_port)->default_value(o.http_port),
      "reporting's HTTP port (dashboard, API); 0 picks a free one")(
      "state-dir", po::value(&o.state_dir),
      "checkpoints and logs (default: a new temporary directory)")(
      "keep-running", po::bool_switch(&o.keep_running),
      "after the summary, keep the services and the dashboard up until Ctrl-C")(
      "keep-state", po::bool_switch(&o.keep_state), "do not delete the state directory at the end");
  po::variables_map vm;
  if (const auto exit = parse_command_line("demo", args, options, nullptr, &vm)) return *exit;
  if (o.subscribers < 100 || o.subscribers > 2000000) {
    std::cerr << "pqrflow demo: --subscribers must be 100..2000000\n";
    return 2;
  }
  if (!(o.pace > 0)) {
    std::cerr << "pqrflow demo: --pace must be > 0 simulated days per second\n";
    return 2;
  }
  if (o.partitions < 1 || o.partitions > 256) {
    std::cerr << "pqrflow demo: --partitions must be 1..256\n";
    return 2;
  }
  if (o.state_dir.empty()) {
    char tmpl[] = "/tmp/pqrflow-demo-XXXXXX";
    const char* d = mkdtemp(tmpl);
    if (d == nullptr) {
      std::cerr << "pqrflow demo: cannot create a temporary directory\n";
      return 2;
    }
    o.state_dir = d;
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  return Demo(o).run();
}

}  // namespace pqrflow::cli
