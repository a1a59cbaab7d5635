#!/usr/bin/env bash
# Reruns the Evaluation benchmarks: creates Benchmarks/.venv with the anchors, then bench.py.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -x Benchmarks/.venv/bin/python ]; then
    python3 -m venv Benchmarks/.venv
    Benchmarks/.venv/bin/pip install -q numpy scikit-learn==1.9.1
fi
Benchmarks/.venv/bin/python Benchmarks/evaluation/bench.py
