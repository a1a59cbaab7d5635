#!/usr/bin/env bash
# GBDT fit and predict, GitML against LightGBM and XGBoost, alternating, with CPU seconds beside
# wall seconds (the steadier figure on a shared machine) — the issue 21 rows of the learner table.
# Usage: Benchmarks/learners/gbdt-cpu.sh [repeats] [learners-bench binary ...]
#   Several binaries (e.g. a build of main and one of a branch) run side by side in each repeat.
#   INSTRUCTIONS=1 also counts each binary's user-space instructions for a 10-round fit and its
#   predictions under valgrind (cachegrind, no cache simulation): the machine has no hardware
#   counters for `perf stat -e instructions:u`. Expect minutes per binary.
#   QUIET=1 waits before every fit until the 1-minute load is below 1 (issue 21's rule for a
#   verdict; the 2-thread fits raise it to ~2, so each wait takes about a minute).
# Needs the data and venv of run.sh (LEARNERS_BENCH_VENV, default Benchmarks/.venv).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${LEARNERS_BENCH_VENV:-$root/Benchmarks/.venv}"
data="$root/Benchmarks/work/learners"
repeats="${1:-3}"
shift || true
binaries=("$@")
[ ${#binaries[@]} -gt 0 ] || binaries=("$root/.build/release/learners-bench")
"$venv/bin/python" -c "import sys; sys.path.insert(0, '$root/Benchmarks/learners'); import bench; bench.generate()"
export OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 MKL_NUM_THREADS=2
field() { "$venv/bin/python" -c "import json, sys; r = json.loads(sys.stdin.read().strip().splitlines()[-1]); print(' '.join(f'{r[k]:.2f}' for k in sys.argv[1:]))" "$@"; }
# Prints the 1-minute load, first waiting (QUIET=1) until it is below 1.
load_before() {
    if [ "${QUIET:-0}" = 1 ]; then
        while awk '{ exit !($1 >= 1) }' /proc/loadavg; do sleep 5; done
    fi
    cut -d' ' -f1 /proc/loadavg
}
echo "| run | what | fit s | fit CPU s | predict 1M s | predict CPU s | load before |"
echo "|---|---|---|---|---|---|---|"
for repeat in $(seq 1 "$repeats"); do
    for binary in "${binaries[@]}"; do
        load=$(load_before)
        result=$("$binary" gbdt "$data" 2 | field fit_seconds fit_cpu_seconds predict_seconds predict_cpu_seconds)
        echo "| $repeat | GitML $binary | ${result// / | } | $load |"
    done
    for anchor in lightgbm xgboost; do
        load=$(load_before)
        result=$("$venv/bin/python" "$root/Benchmarks/learners/bench.py" "$anchor" | field fit_seconds fit_cpu_seconds predict_seconds predict_cpu_seconds)
        echo "| $repeat | $anchor | ${result// / | } | $load |"
    done
done
if [ "${INSTRUCTIONS:-0}" = 1 ]; then
    echo
    echo "| binary | instructions, 10-round fit + predict (1M + 250k rows) |"
    echo "|---|---|"
    for binary in "${binaries[@]}"; do
        out=$(mktemp)
        valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file="$out" "$binary" gbdt "$data" 2 10 > /dev/null 2>&1
        echo "| $binary | $(grep '^summary:' "$out" | awk '{printf "%.3e", $2}') |"
        rm -f "$out"
    done
fi
