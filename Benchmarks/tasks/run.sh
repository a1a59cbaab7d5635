#!/usr/bin/env bash
# Reruns the regression and multiclass benchmarks (issue 17): venv with the anchors, release
# build of the two workers, side-by-side run. Usage: Benchmarks/tasks/run.sh [learners] [metrics]
# (both by default; prints Markdown tables)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${TASKS_BENCH_VENV:-$root/Benchmarks/.venv}"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv --system-site-packages "$venv"; fi
"$venv/bin/pip" install -q scikit-learn==1.9.1 lightgbm==4.7.0
(cd "$root" && swift build -c release --product learners-bench && swift build -c release --product EvaluationBenchmark)
"$venv/bin/python" "$root/Benchmarks/tasks/bench.py" "$@"
