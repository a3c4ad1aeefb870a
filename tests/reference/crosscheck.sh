#!/usr/bin/env bash
# Cross-check: the naive Python implementation and `pqrflow replay` must print the same
# BI rows, byte for byte, for a generated two-year utility.
#   crosscheck.sh PQRFLOW_BINARY SOURCE_DIR WORK_DIR [SUBSCRIBERS]
set -euo pipefail
pqrflow=$1 src=$2 work=$3 subscribers=${4:-4000}
rm -rf "$work" && mkdir -p "$work"
"$pqrflow" generate --subscribers "$subscribers" --seed 11 --from 2023-01 --to 2024-12 \
  --invalid-rate 0.01 --duplicate-rate 0.01 "$work/raw"
"$pqrflow" plan check "$src/plans/f-pco-021-2024.yaml" --json > "$work/plan.json" 2>/dev/null
"$pqrflow" replay --plan "$src/plans/f-pco-021-2024.yaml" "$work"/raw/*.jsonl > "$work/replay.jsonl"
python3 "$src/tests/reference/naive_pqrflow.py" --plan-json "$work/plan.json" "$work"/raw/*.jsonl \
  > "$work/naive.jsonl"
test "$(wc -l < "$work/replay.jsonl")" -gt 500
python3 "$src/tests/reference/compare_bi.py" "$work/naive.jsonl" "$work/replay.jsonl"
