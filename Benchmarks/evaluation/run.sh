#!/usr/bin/env bash
# Reruns the Evaluation benchmarks: creates Benchmarks/.venv with the anchors, then bench.py.
set -euo pipefail
cd "$(dirname "$0")/../.."
# The venv is shared with other benchmarks (the store's installs DVC into it): check the anchors, not the folder.
[ -x Benchmarks/.venv/bin/python ] || python3 -m venv Benchmarks/.venv
if ! Benchmarks/.venv/bin/python -c 'import numpy, sklearn; assert sklearn.__version__ == "1.9.1"' 2>/dev/null; then
    Benchmarks/.venv/bin/pip install -q numpy scikit-learn==1.9.1
fi
Benchmarks/.venv/bin/python Benchmarks/evaluation/bench.py
