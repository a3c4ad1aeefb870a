#include "support/stack.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/plan.hpp"
#include "core/replay.hpp"

namespace pqrflow::testing {
namespace {

std::filesystem::path make_temp_dir() {
  std::random_device rd;
  const std::filesystem::path base = std::filesystem::temp_directory_path();
  for (;;) {
    auto p = base / ("pqrflow-e2e-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    if (std::filesystem::create_directory(p)) return p;
  }
}

std::string strip_version(const std::string& json) {
  boost::json::object o = boost::json::parse(json).as_object();
  o.erase("version");
  return boost::json::serialize(o);
}

}  // namespace

Stack::Stack(int partitions, int brokers) : dir_(make_temp_dir()) {
  runtime::SubprocessOptions o;
  o.argv = {bin_.pqrflow,   "broker",
            "--partitions", std::to_string(partitions),
            "--brokers",    std::to_string(brokers)};
  o.pipe_stdout = true;
  o.stdin_pipe = true;
  o.stderr_path = (dir_ / "broker.log").string();
  std::string error;
  broker_ = runtime::Subprocess::spawn(o, &error);
  if (!broker_) throw std::runtime_error(error);
  const std::optional<std::string> first = broker_->read_line(std::chrono::seconds(20));
  if (!first || first->rfind("BROKERS=", 0) != 0) {
    throw std::runtime_error("pqrflow broker did not print BROKERS=: " +
                             first.value_or("(nothing)"));
  }
  brokers_ = first->substr(8);
  producer_ = runtime::Producer::create({{"bootstrap.servers", brokers_},
                                         {"linger.ms", "5"},
                                         {"partitioner", "murmur2_random"},
                                         {"enable.idempotence", "true"}},
                                        &error);
  if (!producer_) throw std::runtime_error(error);
}

Stack::~Stack() {
  for (Service& s : services_) {
    if (s.process) s.process->terminate(std::chrono::seconds(10));
  }
  services_.clear();
  producer_.reset();
  if (broker_) broker_->terminate(std::chrono::seconds(5));
  if (std::getenv("PQRFLOW_KEEP_TEST_DIRS") == nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::unique_ptr<runtime::Subprocess> Stack::spawn(
    const std::string& name, const std::vector<std::string>& argv,
    const std::vector<std::pair<std::string, std::string>>& env) {
  runtime::SubprocessOptions o;
  o.argv = argv;
  o.env = env;
  o.stderr_path = (dir_ / (name + ".log")).string();
  o.stdout_path = o.stderr_path;
  std::string error;
  auto p = runtime::Subprocess::spawn(o, &error);
  if (!p) throw std::runtime_error(error);
  return p;
}

int Stack::start_service(const std::string& name, const std::string& binary,
                         std::vector<std::string> args,
                         std::vector<std::pair<std::string, std::string>> env) {
  std::vector<std::string> argv = {binary, "--brokers", brokers_, "--http-port", "0"};
  argv.insert(argv.end(), args.begin(), args.end());
  services_.push_back({name, spawn(name, argv, env), argv});
  return static_cast<int>(services_.size()) - 1;
}

void Stack::restart(int index, std::vector<std::pair<std::string, std::string>> env) {
  Service& s = services_.at(static_cast<std::size_t>(index));
  if (s.process && s.process->running()) throw std::logic_error(s.name + " is still running");
  s.process = spawn(s.name, s.argv, env);
}

std::optional<int> Stack::exit_code(int index) {
  auto& p = services_.at(static_cast<std::size_t>(index)).process;
  return p->wait(std::chrono::milliseconds(0));
}

pid_t Stack::pid(int index) const {
  return services_.at(static_cast<std::size_t>(index)).process->pid();
}

pid_t Stack::broker_pid() const {
  return broker_->pid();
}

long Stack::rss_kib(int index) const {
  std::ifstream in("/proc/" + std::to_string(pid(index)) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

int Stack::start_ingest(std::vector<std::string> args) {
  return start_service("ingest" + std::to_string(services_.size()), bin_.ingest, std::move(args));
}

namespace {

// Adds `--option value` pairs that `args` does not set already.
void with_defaults(std::vector<std::string>* args,
                   const std::vector<std::pair<std::string, std::string>>& defaults) {
  for (const auto& [option, value] : defaults) {
    if (std::find(args->begin(), args->end(), option) != args->end()) continue;
    args->push_back(option);
    args->push_back(value);
  }
}

}  // namespace

int Stack::start_metrics(std::vector<std::string> args) {
  with_defaults(&args, {{"--checkpoint-dir", (dir_ / "metrics-state").string()},
                        {"--checkpoint-interval", "1s"},
                        {"--emit-interval", "100ms"},
                        {"--live-interval", "250ms"}});
  return start_service("metrics" + std::to_string(services_.size()), bin_.metrics, std::move(args));
}

int Stack::start_reporting(std::vector<std::string> args) {
  with_defaults(&args, {{"--plan", bin_.plan},
                        {"--checkpoint-dir", (dir_ / "reporting-state").string()},
                        {"--checkpoint-interval", "1s"},
                        {"--bi-interval", "250ms"},
                        {"--alert-interval", "250ms"}});
  return start_service("reporting" + std::to_string(services_.size()), bin_.reporting,
                       std::move(args));
}

int Stack::stop(int index, std::chrono::milliseconds grace) {
  return services_.at(static_cast<std::size_t>(index)).process->terminate(grace);
}

void Stack::kill(int index) {
  auto& p = services_.at(static_cast<std::size_t>(index)).process;
  p->signal(SIGKILL);
  p->wait(std::chrono::seconds(10));
}

bool Stack::running(int index) {
  return services_.at(static_cast<std::size_t>(index)).process->running();
}

std::string Stack::log_of(int index) const {
  std::ifstream in(dir_ / (services_.at(static_cast<std::size_t>(index)).name + ".log"));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Stack::broker_command(const std::string& command) {
  broker_->write_stdin(command + "\n");
  return broker_->read_line(std::chrono::seconds(10)).value_or("(no answer)");
}

void Stack::produce(const std::string& topic,
                    const std::vector<std::pair<std::string, std::string>>& key_values,
                    const std::vector<runtime::Header>& headers) {
  std::string error;
  for (const auto& [key, value] : key_values) {
    if (!producer_->produce(topic, key, value, headers, &error)) throw std::runtime_error(error);
  }
  const runtime::DeliveryReport r = producer_->flush(std::chrono::seconds(60));
  if (!r.complete || r.failed > 0)
    throw std::runtime_error("produce to " + topic + ": " + r.last_error);
}

std::vector<std::pair<std::string, std::string>> Stack::read_all(const std::string& topic) {
  std::vector<std::pair<std::string, std::string>> out;
  for (Record& r : read_records(topic)) out.emplace_back(std::move(r.key), std::move(r.value));
  return out;
}

std::vector<Stack::Record> Stack::read_records(const std::string& topic) {
  std::string error;
  auto consumer = runtime::Consumer::create({{"bootstrap.servers", brokers_},
                                             {"group.id", "e2e-reader"},
                                             {"enable.partition.eof", "false"}},
                                            &error);
  if (!consumer) throw std::runtime_error(error);
  const std::optional<int> n = consumer->partition_count(topic, std::chrono::seconds(10));
  if (!n) throw std::runtime_error("no topic " + topic);
  std::vector<runtime::TopicPartition> tps;
  for (int p = 0; p < *n; ++p) tps.push_back({topic, p, runtime::kOffsetBeginning});
  if (!consumer->assign(tps, &error)) throw std::runtime_error(error);
  std::vector<Record> out;
  // Read until every partition's position reaches its high watermark.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int idle_rounds = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    runtime::MessageBatch b = consumer->poll(10000, std::chrono::milliseconds(200));
    for (const auto& m : b.messages()) {
      out.push_back({m.partition, m.offset, std::string(m.key), std::string(m.value)});
    }
    if (!b.empty()) {
      idle_rounds = 0;
      continue;
    }
    bool caught_up = true;
    for (const auto& [tp, lag] : consumer->lag()) caught_up = caught_up && lag == 0;
    if (caught_up && ++idle_rounds >= 2) break;
  }
  consumer->close();
  return out;
}

int Stack::http_port(int index) const {
  int port = 0;
  eventually(
      [&] {
        const std::string log = log_of(index);
        const auto at = log.rfind("\"http_listening\",\"port\":");
        if (at == std::string::npos) return false;
        port = std::atoi(log.c_str() + at + 24);
        return port > 0;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(50));
  return port;
}

std::pair<int, std::string> http_get(int port, const std::string& target) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  try {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket socket(ioc);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    http::write(socket, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(socket, buffer, res);
    return {res.result_int(), res.body()};
  } catch (const std::exception&) {
    return {0, {}};
  }
}

std::pair<int, std::string> http_post(
    int port, const std::string& target, const std::string& body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  try {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket socket(ioc);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    http::write(socket, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    http::read(socket, buffer, parser);
    return {parser.get().result_int(), parser.get().body()};
  } catch (const std::exception&) {
    return {0, {}};
  }
}

std::int64_t Stack::consumer_group_lag(const std::string& group,
                                       const std::vector<std::string>& topics) {
  std::string error;
  auto c =
      runtime::Consumer::create({{"bootstrap.servers", brokers_}, {"group.id", group}}, &error);
  if (!c) throw std::runtime_error(error);
  std::int64_t end = 0, committed = 0;
  std::vector<runtime::TopicPartition> tps;
  for (const std::string& t : topics) {
    end += c->end_offsets_total(t, std::chrono::seconds(10)).value_or(0);
    const int n = c->partition_count(t, std::chrono::seconds(10)).value_or(0);
    for (int p = 0; p < n; ++p) tps.push_back({t, p, runtime::kOffsetStored});
  }
  for (const auto& tp : c->committed(tps, std::chrono::seconds(10))) {
    committed += std::max<std::int64_t>(tp.offset, 0);
  }
  return end - committed;
}

std::map<std::string, std::string> latest_bi_rows(
    const std::vector<std::pair<std::string, std::string>>& messages) {
  std::map<std::string, std::pair<std::uint64_t, std::string>> latest;
  for (const auto& [key, value] : messages) {
    const boost::json::object o = boost::json::parse(value).as_object();
    const std::uint64_t version = o.at("version").to_number<std::uint64_t>();
    auto it = latest.find(key);
    if (it == latest.end() || it->second.first < version) latest[key] = {version, value};
  }
  std::map<std::string, std::string> out;
  for (const auto& [key, v] : latest) out[key] = strip_version(v.second);
  return out;
}

std::map<std::string, std::string> replay_rows(const std::vector<std::string>& records,
                                               const std::string& plan_path) {
  std::ifstream in(plan_path);
  std::stringstream text;
  text << in.rdbuf();
  core::PlanLoad load = core::load_plan(text.str());
  if (!load.plan) throw std::runtime_error("plan " + plan_path + " does not load");
  core::Replayer r(*load.plan, std::nullopt);
  for (const std::string& rec : records) r.feed_json(rec);
  std::map<std::string, std::string> out;
  for (const core::BiRow& row : r.rows()) out[row.key()] = strip_version(core::to_json(row));
  return out;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds every) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(every);
  }
}

std::string diff_rows(const std::map<std::string, std::string>& expected,
                      const std::map<std::string, std::string>& actual) {
  std::ostringstream out;
  int shown = 0, missing = 0, extra = 0, differing = 0;
  for (const auto& [k, v] : expected) {
    auto it = actual.find(k);
    if (it == actual.end()) {
      ++missing;
      if (shown++ < 5) out << "missing " << k << "\n";
    } else if (it->second != v) {
      ++differing;
      if (shown++ < 5)
        out << "differs " << k << "\n  expected " << v << "\n  actual   " << it->second << "\n";
    }
  }
  for (const auto& [k, v] : actual) {
    if (!expected.contains(k)) {
      ++extra;
      if (shown++ < 5) out << "extra " << k << "\n";
    }
  }
  out << expected.size() << " expected, " << actual.size() << " actual: " << missing << " missing, "
      << extra << " extra, " << differing << " differing";
  return out.str();
}

}  // namespace pqrflow::testing
