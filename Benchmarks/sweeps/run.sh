#!/usr/bin/env bash
# Sweep throughput: git ml sweep vs Optuna + scikit-learn (venv with the anchors, release build).
# Usage: Benchmarks/sweeps/run.sh [bench.py options]   (prints a Markdown table)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${SWEEPS_BENCH_VENV:-$root/Benchmarks/.venv}"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv --system-site-packages "$venv"; fi
"$venv/bin/pip" install -q scikit-learn==1.9.1 optuna==5.0.0
(cd "$root" && swift build -c release --product git-ml)
lscpu | grep -E "Model name|^CPU\(s\)"
"$venv/bin/python" "$root/Benchmarks/sweeps/bench.py" --git-ml "$root/.build/release/git-ml" "$@"
