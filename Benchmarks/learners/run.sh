#!/usr/bin/env bash
# Reruns the learner benchmark: venv with the anchors, release build, side-by-side run.
# Usage: Benchmarks/learners/run.sh   (from anywhere; prints a Markdown table)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${LEARNERS_BENCH_VENV:-$root/Benchmarks/.venv}"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv --system-site-packages "$venv"; fi
"$venv/bin/pip" install -q scikit-learn==1.9.1 lightgbm==4.7.0 xgboost==3.2.0
(cd "$root" && swift build -c release --product learners-bench)
lscpu | grep -E "Model name|^CPU\(s\)"
"$venv/bin/python" "$root/Benchmarks/learners/bench.py"
