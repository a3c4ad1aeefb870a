// Throughput of the synthetic feed (pqrflow::sim): records and bytes per second of CPU
// for one month and for the demo's two years, and a run of more than ten million
// records (400k subscribers, 2023–2024) for the end-to-end benchmarks.
//
//   build/bench/sim_generator_bench --benchmark_filter=TwoYears
#include <benchmark/benchmark.h>

#include "sim/generator.hpp"

namespace {

using pqrflow::core::YearMonth;
using pqrflow::sim::GeneratorOptions;
using pqrflow::sim::RawRecord;

void run(benchmark::State& state, const GeneratorOptions& o) {
  std::int64_t records = 0;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    const auto summary = pqrflow::sim::generate(
        o, [](const RawRecord& r) { benchmark::DoNotOptimize(r.json.data()); });
    records += summary.records;
    bytes += summary.bytes;
  }
  state.counters["records"] =
      benchmark::Counter(static_cast<double>(records) / static_cast<double>(state.iterations()));
  state.counters["records/s"] =
      benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(bytes);
}

void BM_GenerateOneMonth(benchmark::State& state) {
  GeneratorOptions o;
  o.subscribers = static_cast<int>(state.range(0));
  o.from = o.to = YearMonth::of(2024, 3);
  run(state, o);
}
BENCHMARK(BM_GenerateOneMonth)->Arg(50'000)->Unit(benchmark::kMillisecond);

void BM_GenerateTwoYears(benchmark::State& state) {
  GeneratorOptions o;  // 2023-01 .. 2024-12
  o.subscribers = static_cast<int>(state.range(0));
  run(state, o);
}
BENCHMARK(BM_GenerateTwoYears)->Arg(50'000)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_GenerateTwoYears)->Arg(400'000)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
