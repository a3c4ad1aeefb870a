// The core's per-event cost and replay throughput (issue "Core library…"), and the
// per-item costs the services pay around it: snapshot and BI-row encoding, compliance.
//
//   build/bench/core_bench                          # everything
//   build/bench/core_bench --benchmark_filter=Replay
//   build/bench/core_bench --benchmark_filter=StateMemory   # bytes per open ticket
//
// Data comes from the deterministic simulator, so runs are comparable across machines
// and commits. "events/s" counters are per CPU second of the benchmark thread.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <map>
#include <memory>

#include "core/bi.hpp"
#include "core/compliance.hpp"
#include "core/contract.hpp"
#include "core/event_codec.hpp"
#include "core/replay.hpp"
#include "open_tickets.hpp"
#include "pqrflow/v1/indicators.pb.h"
#include "sim/generator.hpp"

namespace {

using namespace pqrflow;

core::Plan bench_plan() {
  core::Plan p;
  p.id = "F.PCO.021-2024";
  p.year = 2024;
  const auto add = [&p](core::Indicator i, core::Rational w, std::optional<core::Goal> g) {
    core::PlanIndicator pi;
    pi.indicator = i;
    pi.weight = w;
    pi.goal = g;
    pi.baseline.period = "2023";
    p.indicators.push_back(pi);
  };
  using core::Direction;
  using core::Indicator;
  using core::TargetMode;
  add(Indicator::kOportunidadRespuesta, core::Rational(3, 10),
      core::Goal{Direction::kIncrease, TargetMode::kPoints, 1});
  add(Indicator::kIndiceReclamacion, core::Rational(2, 10),
      core::Goal{Direction::kDecrease, TargetMode::kRelative, core::Rational(5, 100)});
  add(Indicator::kPqrPendientes, core::Rational(1, 10),
      core::Goal{Direction::kDecrease, TargetMode::kRelative, core::Rational(4, 10)});
  add(Indicator::kPeticionesMalIngresadas, core::Rational(1, 10),
      core::Goal{Direction::kDecrease, TargetMode::kRelative, core::Rational(25, 1000)});
  add(Indicator::kReformadosValor, core::Rational(15, 100),
      core::Goal{Direction::kDecrease, TargetMode::kRelative, core::Rational(3, 100)});
  add(Indicator::kReformadosCantidad, core::Rational(15, 100),
      core::Goal{Direction::kDecrease, TargetMode::kRelative, core::Rational(5, 100)});
  add(Indicator::kTiempoAtencionVisitas, 0,
      core::Goal{Direction::kDecrease, TargetMode::kRelative, core::Rational(25, 1000)});
  add(Indicator::kTiempoAtencionVentanilla, 0, std::nullopt);
  return p;
}

// ~1.1M raw records: a 40k-subscriber utility over 2023–2024 with PQR volume ×4.
const std::vector<std::string>& records_1m() {
  static const std::vector<std::string> kRecords = [] {
    std::vector<std::string> out;
    sim::GeneratorOptions g;
    g.subscribers = 40000;
    g.pqr_rate = 4;
    sim::generate(g, [&](const sim::RawRecord& r) { out.push_back(r.json); });
    return out;
  }();
  return kRecords;
}

// One typical record per event type, from the generated feed.
const std::map<core::EventType, std::string>& samples() {
  static const std::map<core::EventType, std::string> kSamples = [] {
    std::map<core::EventType, std::string> out;
    core::Decoder d;
    core::Event e;
    core::Rejection why;
    for (const std::string& r : records_1m()) {
      if (d.decode_json(r, &e, &why)) out.try_emplace(e.type, r);
      if (out.size() == 8) break;
    }
    return out;
  }();
  return kSamples;
}

// Second argument: the JSON front end, 0 = the simple scanner first (what the services
// use), 1 = Boost.JSON only (the reference it is compared with in the same run).
void BM_DecodeJson(benchmark::State& state) {
  const auto type = static_cast<core::EventType>(state.range(0));
  const auto front_end = static_cast<core::JsonFrontEnd>(state.range(1));
  const std::string& record = samples().at(type);
  core::Decoder d({}, front_end);
  core::Event e;
  core::Rejection why;
  for (auto _ : state) {
    benchmark::DoNotOptimize(d.decode_json(record, &e, &why));
  }
  state.SetLabel(std::string(core::name_of(type)) +
                 (front_end == core::JsonFrontEnd::kBoostOnly ? " boost-only" : ""));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * record.size()));
}
BENCHMARK(BM_DecodeJson)->ArgsProduct({benchmark::CreateDenseRange(0, 7, 1), {0, 1}});

void BM_DecodeProtobuf(benchmark::State& state) {
  const auto type = static_cast<core::EventType>(state.range(0));
  core::Decoder d;
  core::Event e;
  core::Rejection why;
  d.decode_json(samples().at(type), &e, &why);
  std::string bytes;
  core::serialize_event(e, &bytes);
  for (auto _ : state) benchmark::DoNotOptimize(d.decode_protobuf(bytes, &e, &why));
  state.SetLabel(std::string(core::name_of(type)));
}
BENCHMARK(BM_DecodeProtobuf)->DenseRange(0, 7);

// State apply per event type: each iteration folds a fresh batch of that type's events
// (from the generated feed) into a state that already holds the rest of the feed's
// entities of earlier batches, so lookups hit a realistically sized map.
void BM_Apply(benchmark::State& state) {
  const auto type = static_cast<core::EventType>(state.range(0));
  std::vector<core::Event> events;
  {
    core::Decoder d;
    core::Event e;
    core::Rejection why;
    for (const std::string& r : records_1m()) {
      if (d.decode_json(r, &e, &why) && e.type == type) events.push_back(e);
    }
  }
  std::int64_t applied = 0;
  for (auto _ : state) {
    state.PauseTiming();
    core::IndicatorState s;
    state.ResumeTiming();
    for (const core::Event& e : events) s.apply(e);
    applied += static_cast<std::int64_t>(events.size());
  }
  state.SetLabel(std::string(core::name_of(type)) + " ×" + std::to_string(events.size()));
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(applied), benchmark::Counter::kIsRate);
  state.counters["ns/event"] = benchmark::Counter(
      static_cast<double>(applied), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Apply)->DenseRange(0, 7)->Unit(benchmark::kMillisecond);

// The whole replay: decode + validate + state + rows + compliance over ~1.1M records.
// Five repetitions of one replay each: bench/run.sh reports their median and the best
// (other work on the machine only ever slows a run down).
void BM_Replay1M(benchmark::State& state) {
  const std::vector<std::string>& records = records_1m();
  const core::Plan plan = bench_plan();
  std::size_t rows = 0;
  for (auto _ : state) {
    core::Replayer r(plan, std::nullopt);
    for (const std::string& rec : records) r.feed_json(rec);
    rows = r.rows().size();
    benchmark::DoNotOptimize(rows);
  }
  state.counters["records"] = static_cast<double>(records.size());
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["events/s"] = benchmark::Counter(
      static_cast<double>(records.size() * state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Replay1M)->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(5);

// Memory per open ticket: the heap growth of an IndicatorState (malloc's in-use bytes,
// mallinfo2: small chunks plus mmapped blocks, chunk overhead included) while range(0)
// unanswered `pqr.filed` records (bench/open_tickets.hpp, the same ones pipeline_bench
// feeds to metrics) are decoded and applied. Decoding reuses one Event, so the growth is
// the state's: tickets, interned strings, hash-table slack, aggregates.
std::size_t heap_in_use() {
  const struct mallinfo2 m = ::mallinfo2();
  return m.uordblks + m.hblkhd;
}

void BM_StateMemoryPerTicket(benchmark::State& state) {
  const auto tickets = static_cast<std::uint64_t>(state.range(0));
  double bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto s = std::make_unique<core::IndicatorState>();
    core::Decoder d;
    core::Event e;
    core::Rejection why;
    std::string json;
    json.reserve(1024);
    const std::size_t before = heap_in_use();
    state.ResumeTiming();
    for (std::uint64_t i = 0; i < tickets; ++i) {
      json = bench::open_ticket(i).json;
      if (!d.decode_json(json, &e, &why)) {
        state.SkipWithError("an open ticket did not decode");
        return;
      }
      s->apply(e);
    }
    state.PauseTiming();
    bytes = static_cast<double>(heap_in_use()) - static_cast<double>(before);
    s.reset();
    state.ResumeTiming();
  }
  state.counters["tickets"] = static_cast<double>(tickets);
  state.counters["state_MiB"] = bytes / (1024.0 * 1024.0);
  state.counters["bytes/ticket"] = bytes / static_cast<double>(tickets);
}
BENCHMARK(BM_StateMemoryPerTicket)
    ->Arg(100000)
    ->Arg(1000000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// Rows and compliance from finished aggregates (what reporting does per publication).
void BM_BuildRows(benchmark::State& state) {
  const core::Plan plan = bench_plan();
  core::Replayer r(plan, std::nullopt);
  for (const std::string& rec : records_1m()) r.feed_json(rec);
  const core::IndicatorCalculator calc(r.state().aggregates(), *r.as_of());
  std::size_t rows = 0;
  for (auto _ : state) {
    rows = core::build_rows(calc, plan).size();
    benchmark::DoNotOptimize(rows);
  }
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(rows * state.iterations()),
                                                benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BuildRows)->Unit(benchmark::kMillisecond);

void BM_BiRowJson(benchmark::State& state) {
  const core::Plan plan = bench_plan();
  core::Replayer r(plan, std::nullopt);
  for (std::size_t i = 0; i < 200000; ++i) r.feed_json(records_1m()[i]);
  const std::vector<core::BiRow> rows = r.rows();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(core::to_json(rows[i++ % rows.size()]));
  }
}
BENCHMARK(BM_BiRowJson);

void BM_SnapshotEncode(benchmark::State& state) {
  pqrflow::v1::IndicatorSnapshot s;
  std::string out;
  for (auto _ : state) {
    s.Clear();
    s.set_indicator("pqr_pendientes");
    s.set_scope("office:Centro");
    s.set_period("2024-03");
    s.set_partial_id("pqrflow.events.v1/7");
    s.set_numerator(107);
    s.set_denominator(893);
    s.set_version(123456789);
    s.set_max_event_time_us(1'711'000'000'000'000);
    s.SerializeToString(&out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_SnapshotEncode);

void BM_ComplianceEvaluate(benchmark::State& state) {
  const core::Goal goal{core::Direction::kDecrease, core::TargetMode::kRelative,
                        core::Rational(40, 100)};
  const core::Rational baseline(1420, 100), value(107 * 100, 893), weight(1, 10);
  for (auto _ : state) {
    benchmark::DoNotOptimize(core::evaluate(value, baseline, goal, weight));
  }
}
BENCHMARK(BM_ComplianceEvaluate);

}  // namespace

BENCHMARK_MAIN();
