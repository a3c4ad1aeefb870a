#!/usr/bin/env bash
# Bounded fuzz run: tests/fuzz/run.sh BUILD_DIR SECONDS
#
# Runs each libFuzzer target of BUILD_DIR (configured with -DPQRFLOW_BUILD_FUZZERS=ON,
# target `fuzzers` built) for SECONDS, one after the other, starting from a copy of its
# committed corpus (tests/fuzz/corpus/<target>/ is never written to). Fails on any crash,
# invariant violation, leak, timeout (10 s per input) or out-of-memory (2 GiB); the
# failing input is kept in BUILD_DIR/fuzz-out/<target>/artifacts/. To replay one:
#   BUILD_DIR/tests/fuzz/fuzz_<target> FILE   (or the g++ build's fuzz_<target>_corpus FILE)
# To add it to the corpus, copy it to tests/fuzz/corpus/<target>/ after the fix.
set -euo pipefail

if [ $# -ne 2 ] || ! [[ $2 =~ ^[0-9]+$ ]]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$(cd "$1" && pwd)
seconds=$2
out=$build/fuzz-out
rm -rf "$out"
mkdir -p "$out"

# target:dictionary
targets=(decode_json:contract.dict decode_protobuf:protobuf.dict normalize:contract.dict)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
for entry in "${targets[@]}"; do
  name=${entry%%:*}
  dict=${entry#*:}
  bin=$build/tests/fuzz/fuzz_$name
  if [ ! -x "$bin" ]; then
    echo "run.sh: $bin is missing: build the 'fuzzers' target of $build" >&2
    exit 2
  fi
  work=$out/$name
  mkdir -p "$work/corpus" "$work/artifacts"
  cp -R "$here/corpus/$name/." "$work/corpus/"
  seeds=$(find "$work/corpus" -type f | wc -l)
  echo "== fuzz_$name: ${seconds}s from $seeds seeds (log: $work/log)"
  rc=0
  "$bin" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
    -dict="$here/$dict" -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
    "$work/corpus" >"$work/log" 2>&1 || rc=$?
  # The closing status line: executions, coverage (cov: edges, ft: features), exec/s.
  grep -E '^#[0-9]+[[:space:]]+DONE' "$work/log" | tail -1 || true
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$work/log" || true
  if [ "$rc" -ne 0 ] || [ -n "$(ls -A "$work/artifacts")" ]; then
    echo "run.sh: fuzz_$name FAILED (exit $rc); artifacts:" >&2
    ls -l "$work/artifacts" >&2
    tail -n 80 "$work/log" >&2
    failed+=("$name")
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "run.sh: failing targets: ${failed[*]}" >&2
  exit 1
fi
echo "run.sh: ${#targets[@]} fuzz targets ran ${seconds}s each without a finding"
