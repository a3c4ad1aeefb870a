// End-to-end harness on the embedded broker: the real `pqrflow broker` and the three
// services as separate processes, fed by a Kafka producer.
//
//   build/bench/pipeline_bench [--subscribers 20000] [--months 12] [--partitions 16]
//                              [--rate 5000] [--latency-seconds 30] [--probe-ms 200]
//
// 1. Throughput: a generated utility (subscribers × months of raw records) is produced as
//    fast as the pipeline takes it (the feed never runs more than ~60k records ahead of
//    ingest: the embedded broker keeps only 5 MiB per partition). Sustained records/s =
//    records ÷ (last change of the compliance table − first record produced).
// 2. Latency: the following months are offered at --rate records/s; every --probe-ms a
//    probe (a reclamo filed in 1999-01, a month no other record touches) is produced, and
//    the BI row indice_reclamacion|all|1999-01 is watched: the latency of probe i is the
//    time from its produce call to the first BI row whose numerator reaches i.
#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "pqrflow/v1/indicators.pb.h"
#include "runtime/clock.hpp"
#include "runtime/kafka.hpp"
#include "sim/generator.hpp"
#include "support/stack.hpp"

namespace po = boost::program_options;
using namespace pqrflow;
using SteadyClock = std::chrono::steady_clock;

namespace {

std::int64_t now_ms() {
  return runtime::wall_now().us / 1000;
}

struct Record {
  std::string topic, key, json;
};

std::vector<Record> generate(int subscribers, core::YearMonth from, core::YearMonth to,
                             std::uint64_t seed) {
  std::vector<Record> out;
  sim::GeneratorOptions g;
  g.subscribers = subscribers;
  g.seed = seed;
  g.from = from;
  g.to = to;
  sim::generate(g, [&](const sim::RawRecord& r) {
    out.push_back({std::string(sim::topic_name(r.topic)), r.key, r.json});
  });
  return out;
}

std::int64_t group_lag(runtime::Consumer& c, const std::vector<std::string>& topics,
                       int partitions) {
  std::int64_t end = 0, committed = 0;
  std::vector<runtime::TopicPartition> tps;
  for (const std::string& t : topics) {
    end += c.end_offsets_total(t, std::chrono::seconds(5)).value_or(0);
    for (int p = 0; p < partitions; ++p) tps.push_back({t, p, runtime::kOffsetStored});
  }
  for (const auto& tp : c.committed(tps, std::chrono::seconds(5)))
    committed += std::max<std::int64_t>(tp.offset, 0);
  return end - committed;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  int subscribers = 20000, months = 12, partitions = 16, latency_seconds = 30, probe_ms = 200;
  double rate = 5000;
  std::string emit_interval = "250ms", bi_interval = "1s";
  po::options_description options("pipeline_bench options");
  options.add_options()("help,h", "help")(
      "subscribers", po::value(&subscribers)->default_value(subscribers), "utility size")(
      "months", po::value(&months)->default_value(months),
      "months of data in the throughput phase")(
      "partitions", po::value(&partitions)->default_value(partitions), "partitions per topic")(
      "rate", po::value(&rate)->default_value(rate), "offered records/s in the latency phase")(
      "latency-seconds", po::value(&latency_seconds)->default_value(latency_seconds),
      "length of the latency phase")("probe-ms", po::value(&probe_ms)->default_value(probe_ms),
                                     "interval between latency probes")(
      "emit-interval", po::value(&emit_interval)->default_value(emit_interval),
      "metrics --emit-interval")("bi-interval", po::value(&bi_interval)->default_value(bi_interval),
                                 "reporting --bi-interval");
  po::variables_map vm;
  po::store(po::parse_command_line(argc, argv, options), vm);
  po::notify(vm);
  if (vm.count("help") != 0U) {
    std::cout << options << "\n";
    return 0;
  }
  const runtime::TopicNames topics;
  testing::Stack stack(partitions);
  stack.start_ingest();
  stack.start_metrics({"--emit-interval", emit_interval, "--checkpoint-interval", "1s"});
  stack.start_reporting({"--bi-interval", bi_interval, "--clock", "event"});
  std::string error;
  auto producer = runtime::Producer::create({{"bootstrap.servers", stack.brokers()},
                                             {"linger.ms", "5"},
                                             {"compression.type", "lz4"},
                                             {"partitioner", "murmur2_random"}},
                                            &error);
  auto ingest_lag = runtime::Consumer::create(
      {{"bootstrap.servers", stack.brokers()}, {"group.id", "pqrflow-ingest"}}, &error);
  if (!producer || !ingest_lag) {
    std::cerr << error << "\n";
    return 1;
  }

  // ---- 1. throughput ----
  const core::YearMonth from = core::YearMonth::of(2023, 1);
  const core::YearMonth to{from.index + months - 1};
  std::cerr << "generating " << subscribers << " subscribers × " << months << " months…\n";
  const std::vector<Record> feed = generate(subscribers, from, to, 5);
  std::cerr << "feeding " << feed.size() << " records\n";
  const std::int64_t t0 = now_ms();
  std::size_t n = 0;
  for (const Record& r : feed) {
    producer->produce(r.topic, r.key, r.json, {}, &error);
    if (++n % 20000 == 0) {
      producer->flush(std::chrono::seconds(30));
      while (group_lag(*ingest_lag, topics.raw(), partitions) > 60000)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  producer->flush(std::chrono::seconds(60));
  // Wait until the compliance table stops changing, then find when it last changed.
  std::int64_t last_change_ms = 0;
  std::size_t seen = 0;
  testing::eventually(
      [&] {
        const auto messages = stack.read_all(topics.compliance);
        if (messages.size() == seen && seen > 0 && now_ms() - last_change_ms > 4000) return true;
        seen = messages.size();
        std::vector<pqrflow::v1::ComplianceUpdate> updates;
        for (const auto& [k, v] : messages) {
          pqrflow::v1::ComplianceUpdate u;
          if (u.ParseFromString(v)) updates.push_back(u);
        }
        std::sort(updates.begin(), updates.end(),
                  [](const auto& a, const auto& b) { return a.version() < b.version(); });
        std::string previous;
        for (auto& u : updates) {
          const std::int64_t at = static_cast<std::int64_t>(u.version());  // wall ms of publication
          u.set_version(0);
          u.set_as_of_us(0);
          const std::string content = u.SerializeAsString();
          if (content != previous) last_change_ms = at;
          previous = content;
        }
        return false;
      },
      std::chrono::seconds(600), std::chrono::seconds(1));
  const double seconds = static_cast<double>(last_change_ms - t0) / 1000.0;
  std::printf(
      "throughput: %zu records through ingest → metrics → reporting in %.2f s = %.0f records/s\n",
      feed.size(), seconds, static_cast<double>(feed.size()) / seconds);

  // ---- 2. latency at a fixed offered load ----
  const std::vector<Record> load =
      generate(subscribers, core::YearMonth{to.index + 1}, core::YearMonth{to.index + 12}, 6);
  auto watcher = runtime::Consumer::create({{"bootstrap.servers", stack.brokers()},
                                            {"group.id", "pipeline-bench-watch"},
                                            {"fetch.wait.max.ms", "5"}},
                                           &error);
  std::vector<runtime::TopicPartition> tps;
  for (int p = 0; p < partitions; ++p) tps.push_back({topics.bi, p, runtime::kOffsetEnd});
  watcher->assign(tps, &error);
  std::mutex mu;
  std::vector<std::int64_t> sent_ms;  // probe i (1-based) sent at sent_ms[i-1]
  std::vector<double> latencies;
  std::int64_t confirmed = 0;
  std::atomic<bool> done{false};
  std::thread watch([&] {
    while (!done) {
      runtime::MessageBatch b = watcher->poll(10000, std::chrono::milliseconds(20));
      const std::int64_t received = now_ms();
      for (const auto& m : b.messages()) {
        if (m.key != "indice_reclamacion|all|1999-01") continue;
        const auto o = boost::json::parse(m.value).as_object();
        const auto numerator = static_cast<std::int64_t>(o.at("numerator").to_number<double>());
        std::lock_guard lock(mu);
        while (confirmed < numerator && confirmed < static_cast<std::int64_t>(sent_ms.size())) {
          latencies.push_back(
              static_cast<double>(received - sent_ms[static_cast<std::size_t>(confirmed)]));
          ++confirmed;
        }
      }
    }
  });
  const auto start = SteadyClock::now();
  SteadyClock::time_point stopped = start;
  std::size_t next = 0;
  int probes = 0;
  auto next_probe = start;
  while (SteadyClock::now() - start < std::chrono::seconds(latency_seconds) && next < load.size()) {
    const auto now = SteadyClock::now();
    const auto due =
        static_cast<std::size_t>(std::chrono::duration<double>(now - start).count() * rate);
    while (next < due && next < load.size()) {
      producer->produce(load[next].topic, load[next].key, load[next].json, {}, &error);
      ++next;
    }
    if (now >= next_probe) {
      ++probes;
      const std::string ticket = "PROBE-" + std::to_string(probes);
      const std::string json =
          R"({"event_id":"probe-)" + std::to_string(probes) +
          R"(","type":"pqr.filed","occurred_at":"1999-01-15T10:00:00-05:00","ticket_id":")" +
          ticket + R"(","kind":"reclamo","channel":"web"})";
      {
        std::lock_guard lock(mu);
        sent_ms.push_back(now_ms());
      }
      producer->produce(topics.raw_pqr, ticket, json, {}, &error);
      producer->poll(std::chrono::milliseconds(0));
      next_probe = now + std::chrono::milliseconds(probe_ms);
    }
    producer->poll(std::chrono::milliseconds(1));
  }
  stopped = SteadyClock::now();
  producer->flush(std::chrono::seconds(30));
  testing::eventually(
      [&] {
        std::lock_guard lock(mu);
        return confirmed == probes;
      },
      std::chrono::seconds(30));
  done = true;
  watch.join();
  const double offered =
      static_cast<double>(next) / std::chrono::duration<double>(stopped - start).count();

  std::lock_guard lock(mu);
  std::printf(
      "latency produce → BI row at %.0f records/s offered: %zu/%d probes, p50 %.0f ms, p99 %.0f "
      "ms, p99.9 %.0f ms, max %.0f ms\n",
      offered, latencies.size(), probes, percentile(latencies, 50), percentile(latencies, 99),
      percentile(latencies, 99.9),
      latencies.empty() ? 0.0 : *std::max_element(latencies.begin(), latencies.end()));
  return 0;
}
