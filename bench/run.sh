#!/usr/bin/env bash
# The whole benchmark suite in one command (docs/performance.md explains the method):
#
#   bench/run.sh                  # the issue's sizes (~8–9 min on 2 cores)
#   bench/run.sh --scale quick    # small sizes, a sanity run (~3 min)
#   bench/run.sh --scale full     # default + the 10^7-record scaling point (+ ~5 min)
#
# Options:
#   --build-dir DIR       build directory (default: build); configured RelWithDebInfo when new
#   --no-build            use the binaries as they are
#   --out DIR             where logs and results go (default: BUILD/bench-results/DATE-COMMIT)
#   --rate N              offered records/s in the latency phase (default 5000)
#   --latency-seconds N   length of the latency phase (default 60; quick: 20)
#   --skip-core           skip core_bench and the CLI replay
#   --skip-scaling        skip the scaling matrix
# Environment: JOBS (ninja -j, default 2).
#
# It builds core_bench, pipeline_bench and the services, then runs
#  1. core_bench: replay of ~1.2M records in-process, state memory per open ticket, the
#     per-event micro-benchmarks (quick: replay and memory only);
#  2. `pqrflow replay` (the CLI, one thread) over ≥1M records written by `pqrflow generate`;
#  3. pipeline_bench: the limit (plain and batched forwarders), pipeline throughput over
#     2M records with zero loss verified by counts and BI = replay, latency at a fixed
#     load (produce → BI row, produce → alert), metrics' RSS with 1M open tickets;
#  4. the scaling matrix: 10^5 and 10^6 records (10^7 with --scale full) on 16 partitions,
#     and 10^6 records on 1 and 4 partitions, each with its own limit;
# and prints a summary (Markdown tables), also saved as OUT/summary.md. The exit code is
# non-zero when any run failed a check.
set -euo pipefail
cd "$(dirname "$0")/.."

scale=default build_dir=build build=1 out="" rate=5000 latency_seconds="" skip_core=0 skip_scaling=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --scale) scale="$2"; shift 2 ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --out) out="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --latency-seconds) latency_seconds="$2"; shift 2 ;;
    --skip-core) skip_core=1; shift ;;
    --skip-scaling) skip_scaling=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

case "$scale" in
  quick)
    records=200000 open_tickets=200000 replay_subscribers=10000 latency_default=20
    sizes=(100000) partition_sizes=100000 core_filter='Replay1M|StateMemory' ;;
  default)
    records=2000000 open_tickets=1000000 replay_subscribers=40000 latency_default=60
    sizes=(100000 1000000) partition_sizes=1000000 core_filter='.' ;;
  full)
    records=2000000 open_tickets=1000000 replay_subscribers=40000 latency_default=60
    sizes=(100000 1000000 10000000) partition_sizes=1000000 core_filter='.' ;;
  *) echo "bench/run.sh: --scale quick|default|full, not '$scale'" >&2; exit 2 ;;
esac
latency_seconds="${latency_seconds:-$latency_default}"

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

if [[ $build -eq 1 ]]; then
  if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
    log "configuring $build_dir (RelWithDebInfo)"
    cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  log "building (ninja -j${JOBS:-2})"
  ninja -C "$build_dir" -j"${JOBS:-2}" core_bench pipeline_bench pqrflow pqrflow-ingest \
    pqrflow-metrics pqrflow-reporting >&2
fi
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build_dir/CMakeCache.txt")
case "$build_type" in
  Release|RelWithDebInfo) ;;
  *) log "warning: $build_dir is a '$build_type' build; figures need Release or RelWithDebInfo" ;;
esac

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]]; then commit="$commit+dirty"; fi
stamp=$(date +%Y%m%d-%H%M%S)
out="${out:-$build_dir/bench-results/$stamp-$commit}"
mkdir -p "$out"
results="$out/pipeline.jsonl"
: >"$results"
cat >"$out/machine.json" <<EOF
{"date": "$(date -Iseconds)", "commit": "$commit", "build_type": "$build_type",
 "scale": "$scale", "cores": $(nproc),
 "cpu": "$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)",
 "memory_gib": $(awk '/MemTotal/ {printf "%.1f", $2/1048576}' /proc/meminfo),
 "load_at_start": "$(cut -d' ' -f1-3 /proc/loadavg)",
 "kernel": "$(uname -r)"}
EOF
log "results in $out"
started=$(date +%s)
failed=0
bin="$build_dir/bench"

if [[ $skip_core -eq 0 ]]; then
  log "core_bench (filter '$core_filter')"
  if ! "$bin/core_bench" --benchmark_filter="$core_filter" --benchmark_out="$out/core_bench.json" \
      --benchmark_out_format=json >"$out/core_bench.txt" 2>&1; then
    log "core_bench failed (see $out/core_bench.txt)"; failed=1
  fi

  log "pqrflow replay over generated files ($replay_subscribers subscribers)"
  data=$(mktemp -d)
  trap 'rm -rf "$data"' EXIT
  "$build_dir/services/cli/pqrflow" generate --subscribers "$replay_subscribers" --seed 1 "$data" \
    2>"$out/generate.txt"
  replay_records=$(cat "$data"/*.jsonl | wc -l)
  seconds=()
  for _ in 1 2 3; do  # three runs: the summary gives their median and the best
    t0=$(date +%s.%N)
    "$build_dir/services/cli/pqrflow" replay --plan plans/f-pco-021-2024.yaml "$data"/*.jsonl \
      >"$out/replay-rows.jsonl" 2>"$out/replay.txt"
    t1=$(date +%s.%N)
    seconds+=("$(awk "BEGIN {print $t1 - $t0}")")
  done
  echo "{\"records\": $replay_records, \"seconds\": [$(IFS=,; echo "${seconds[*]}")], \"bytes\": $(cat "$data"/*.jsonl | wc -c)}" \
    >"$out/replay.json"
  rm -rf "$data"
fi

run_pipeline() {  # label, then pipeline_bench arguments
  local label="$1"; shift
  log "pipeline_bench $label: $*"
  if ! "$bin/pipeline_bench" --label "$label" --results "$results" "$@" >"$out/$label.txt" 2>&1; then
    log "pipeline_bench $label FAILED (see $out/$label.txt)"; failed=1
    grep -E 'FAIL|exception' "$out/$label.txt" | head -20 >&2 || true
  fi
}

run_pipeline main --phases limit,throughput,latency,memory --records "$records" --partitions 16 \
  --rate "$rate" --latency-seconds "$latency_seconds" --open-tickets "$open_tickets"

if [[ $skip_scaling -eq 0 ]]; then
  for n in "${sizes[@]}"; do
    run_pipeline "scale-$n-p16" --phases limit,throughput --limit-modes plain --records "$n" \
      --partitions 16
  done
  for p in 1 4; do
    run_pipeline "scale-$partition_sizes-p$p" --phases limit,throughput --limit-modes plain \
      --records "$partition_sizes" --partitions "$p"
  done
fi

elapsed=$(( $(date +%s) - started ))
python3 - "$out" "$elapsed" <<'PY' | tee "$out/summary.md"
import json, os, statistics, sys
out, elapsed = sys.argv[1], int(sys.argv[2])
machine = json.load(open(os.path.join(out, "machine.json")))
runs = {}
for line in open(os.path.join(out, "pipeline.jsonl")):
    r = json.loads(line)
    runs[r["label"]] = r

def rate(v): return "—" if v is None else f"{v:,.0f}"
def mib(kib): return "—" if kib is None else f"{kib / 1024:,.0f}"
def get(d, *path):
    for p in path:
        if not isinstance(d, dict) or p not in d: return None
        d = d[p]
    return d

print(f"# pqrflow benchmarks — {machine['date']}, commit {machine['commit']}")
print()
print(f"{machine['cores']} cores ({machine['cpu']}), {machine['memory_gib']} GiB, "
      f"{machine['build_type']} build, scale {machine['scale']}, "
      f"load average at start {machine['load_at_start']}; suite took {elapsed // 60} min {elapsed % 60} s.")
print()

core_path = os.path.join(out, "core_bench.json")
if os.path.exists(core_path):
    benchmarks = json.load(open(core_path)).get("benchmarks", [])
    core = {b["name"]: b for b in benchmarks}
    print("## Replay, one thread")
    print()
    print("Median of the runs, and the best (other work on the machine only ever slows a run).")
    print()
    print("| measure | records | runs | records/s, median | best |")
    print("|---|---:|---:|---:|---:|")
    replays = [b for b in benchmarks
               if b["name"].startswith("BM_Replay1M") and b.get("run_type", "iteration") == "iteration"]
    if replays:
        rates = sorted(b["events/s"] for b in replays)
        print(f"| core::Replayer in-process (core_bench BM_Replay1M) | {replays[0]['records']:,.0f} | "
              f"{len(rates)} | {rate(statistics.median(rates))} | {rate(rates[-1])} |")
    rp = os.path.join(out, "replay.json")
    if os.path.exists(rp):
        r = json.load(open(rp))
        rates = sorted(r["records"] / s for s in r["seconds"])
        print(f"| `pqrflow replay` CLI over generated files (read + parse + rows) | {r['records']:,} | "
              f"{len(rates)} | {rate(statistics.median(rates))} | {rate(rates[-1])} |")
    print()

m = runs.get("main", {})
if m:
    print(f"## Pipeline: {m['records']:,} records, {m['partitions']} partitions")
    print()
    print("| measure | records/s | pipeline ÷ this |")
    print("|---|---:|---:|")
    t = get(m, "throughput", "records_per_s")
    print(f"| pipeline: raw → ingest → metrics → reporting (compliance settled) | {rate(t)} | |")
    for key, what in (("limit", "limit: plain forward → relay → reader"),
                      ("limit_batched", "limit: forward with a flush + synchronous commit per batch → reader")):
        v = get(m, key, "records_per_s")
        if v: print(f"| {what} | {rate(v)} | {t / v:.2f} |" if t else f"| {what} | {rate(v)} | |")
    v = get(m, "limit", "single_consumer_records_per_s")
    if v: print(f"| one plain consumer reading the raw topics (reference) | {rate(v)} | |")
    v = get(m, "limit", "produce_only_records_per_s")
    if v: print(f"| the feed alone: produce, nobody reading (reference) | {rate(v)} | |")
    print()
    for key, what in (("throughput", "pipeline"), ("limit", "limit (plain)"),
                      ("limit_batched", "limit (batched)"), ("latency", "latency phase")):
        cpu = get(m, key, "cpu_seconds")
        if not cpu: continue
        wall = cpu.pop("wall")
        parts = ", ".join(f"{k} {v:.1f}" for k, v in cpu.items())
        total = sum(cpu.values())
        print(f"CPU seconds, {what}: {parts}; {total:.1f} s in {wall:.1f} s = {total / wall:.2f} cores busy.  ")
    print()
    tp = m.get("throughput", {})
    if tp.get("records"):
        print(f"Stages: feed done at {tp['feed_seconds']:.1f} s, ingest at {tp['ingest_done_s']:.1f} s, "
              f"metrics at {tp['metrics_done_s']:.1f} s, compliance last changed at "
              f"{tp['compliance_settled_s']:.1f} s. Zero loss: {tp['events_published']:,} events + "
              f"{tp['dead_lettered']:,} dead letters = {tp['records']:,} records; BI rows = replay: "
              f"{'yes' if 'bi_rows' in tp and not m['failures'] else 'see failures'} ({tp.get('bi_rows', 0)} rows). "
              f"RSS after: ingest {mib(tp['ingest_rss_kib'])} MiB, metrics {mib(tp['metrics_rss_kib'])} MiB, "
              f"reporting {mib(tp['reporting_rss_kib'])} MiB.")
        print()
    lat = m.get("latency", {})
    if lat.get("bi"):
        print(f"## Latency at {lat['offered_records_per_s']:,.0f} records/s offered")
        print()
        print("| path | samples | p50 ms | p99 ms | p99.9 ms | max ms |")
        print("|---|---:|---:|---:|---:|---:|")
        for key, what in (("bi", "produce → BI row"), ("alert_pending", "produce → alert (pending)"),
                          ("alert_firing", "produce → alert firing"),
                          ("alert_resolved", "produce answer → alert resolved")):
            l = lat[key]
            print(f"| {what} | {l['n']} | {l['p50_ms']:.0f} | {l['p99_ms']:.0f} | {l['p999_ms']:.0f} | {l['max_ms']:.0f} |")
        print()
        work = lat.get("service_work", {})
        if work:
            print("The services' own timings over the load period (their /metrics histograms):")
            print()
            print("| operation | rounds | mean ms | slowest below ms |")
            print("|---|---:|---:|---:|")
            for what, w in work.items():
                bound = "—" if w["max_below_ms"] < 0 else f"{w['max_below_ms']:.0f}"
                print(f"| {what} | {w['count']:.0f} | {w['mean_ms']:.1f} | {bound} |")
            print()
    mem = m.get("memory", {})
    if not mem.get("open_tickets"): mem = {}
    print("## Memory per open ticket")
    print()
    print("| measure | value |")
    print("|---|---:|")
    if os.path.exists(core_path):
        for name, b in core.items():
            if name.startswith("BM_StateMemoryPerTicket"):
                print(f"| core::IndicatorState, {b['tickets']:,.0f} tickets (mallinfo2) | {b['bytes/ticket']:.0f} bytes/ticket |")
    if mem:
        print(f"| metrics ΔRSS, {mem['open_tickets']:,} open tickets | {mem['bytes_per_ticket']:.0f} bytes/ticket |")
        print(f"| metrics RSS before → after (peak) | {mib(mem['metrics_rss_before_kib'])} → {mib(mem['metrics_rss_after_kib'])} ({mib(mem['metrics_hwm_kib'])}) MiB |")
    print()

scaling = [r for k, r in runs.items() if k.startswith("scale-")]
if scaling:
    print("## Scaling")
    print()
    print("| records | partitions | pipeline records/s | limit records/s | pipeline ÷ limit | metrics RSS MiB | metrics peak MiB | run s |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in sorted(scaling, key=lambda r: (r["records"], r["partitions"])):
        t, l = get(r, "throughput", "records_per_s"), get(r, "limit", "records_per_s")
        ratio = f"{t / l:.2f}" if t and l else "—"
        print(f"| {r['records']:,} | {r['partitions']} | {rate(t)} | {rate(l)} | {ratio} | "
              f"{mib(get(r, 'throughput', 'metrics_rss_kib'))} | {mib(get(r, 'throughput', 'metrics_hwm_kib'))} | {r['wall_seconds']:.0f} |")
    print()

failures = [(k, f) for k, r in runs.items() for f in r.get("failures", [])]
print("## Checks")
print()
if failures:
    for k, f in failures: print(f"- FAILED ({k}): {f}")
else:
    print(f"All checks passed in {len(runs)} pipeline_bench runs (zero loss by counts, BI = replay, probes confirmed).")
PY
log "done in ${elapsed}s; results in $out"
exit $failed
