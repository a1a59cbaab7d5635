#!/usr/bin/env bash
# Runner overhead and evidence commands, measured on a generated experiment:
#   - `git ml run`: its wall time against the training, scoring and evaluation the run exists
#     for (the record's fit, predict and evaluate timings); the rest — resolving, contract validation,
#     leakage check, worker start, data loading, storing artifacts, recording — is overhead.
#   - `git mlcommit` of the run, `git ml diff` and `git ml gate` of two candidates.
# Usage: Benchmarks/runner/run.sh [ROWS] [SEEDS]   (default 200,000 training rows and 5 seeds, as the
# experiment template recommends for a seed-variance claim; needs python3 + numpy)
# Prints a Markdown table. Builds git-ml and git-mlcommit in release mode first (incremental).
set -euo pipefail
ROWS=${1:-200000}
SEEDS=${2:-5}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
(cd "$ROOT" && swift build -c release --product git-ml >&2 && swift build -c release --product git-mlcommit >&2)
export PATH="$ROOT/.build/release:$PATH"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gitml-runner-bench.XXXXXX")
[ -n "${KEEP:-}" ] && echo "keeping $WORK" >&2 || trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
git init -q -b main && git config user.name bench && git config user.email bench@example.com
python3 - "$ROWS" <<'PY'
import sys, numpy as np
rows = int(sys.argv[1])
def write(path, n, seed, first):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8))
    region = rng.integers(0, 4, n)
    logit = x[:, 0] * 1.2 - x[:, 1] * 0.8 + 0.5 * x[:, 2] * x[:, 3] + (region == 1) * 0.7 - 1.0
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    with open(path, "w") as f:
        f.write("id," + ",".join(f"x{i}" for i in range(8)) + ",region,label\n")
        names = np.array(["north", "south", "east", "west"])
        for i in range(n):
            f.write(f"{first + i}," + ",".join(f"{v:.5f}" for v in x[i]) + f",{names[region[i]]},{y[i]}\n")
write("train.csv", rows, 1, 0)
write("eval.csv", rows // 4, 2, 10_000_000)
PY
git ml init >/dev/null
mkdir -p ml/suites ml/experiments ml/contracts
cat > ml/contracts/train.yaml <<'YAML'
apiVersion: v3.0.2
kind: DataContract
name: train
schema:
  - name: train
    properties:
      - { name: id, logicalType: integer, required: true, unique: true }
      - { name: region, logicalType: string, quality: [ { metric: invalidValues, arguments: { validValues: [north, south, east, west] }, mustBe: 0 } ] }
      - { name: label, logicalType: integer, required: true }
leakage: { entityKey: [id], label: label, maxRowOverlap: 0, maxKeyOverlap: 0 }
YAML
# As users do: the suite pins its evaluation set and the contract exists when a training version
# is added, so `data add` validates it and checks it for leakage into that evaluation set.
git ml data add eval.csv --name eval >/dev/null
cat > ml/suites/bench.yaml <<'YAML'
task: binary
label: { column: label, positive: "1" }
eval: eval@v1
entity: id
primary: { metric: roc_auc }
guardrails: [ { metric: ece, max: 0.1 } ]
slices: [region]
significance: { method: paired_bootstrap, resamples: 2000, confidence: 0.95, seed: 7 }
YAML
now() { date +%s.%N; }
ta0=$(now); git ml data add train.csv --name train >/dev/null; ta1=$(now)
experiment() {  # $1 name, $2 rounds, $3 seeds (comma-separated)
  printf 'suite: bench\ntrain: train@v1\nvalidation: { split: random, fraction: 0.2 }\nfeatures: { exclude: [id] }\nmodel: { kind: gbdt, rounds: %s, num_leaves: 31, learning_rate: 0.05, bagging_fraction: 0.8 }\nseeds: [%s]\n' "$2" "$3" > "ml/experiments/$1.yaml"
}
seeds=$(seq -s, 1 "$SEEDS")
experiment base 100 "$seeds"
experiment more 300 "$seeds"
printf 'protected: [main]\nbenchmark: { min_effect: 0.0 }\nreproducibility: { require_attestation: false }\n' > ml/gate.yaml
git add -A && git commit -qm setup
t0=$(now); git ml run base >/dev/null 2>&1; t1=$(now)
git mlcommit -m base >/dev/null; git branch -q -f base-branch HEAD
git checkout -q -b candidate
t2=$(now); git ml run more >/dev/null 2>&1; t3=$(now)
t4=$(now); git mlcommit -m more >/dev/null; t5=$(now)
t6=$(now); git ml diff main candidate >/dev/null; t7=$(now)
t8=$(now); git ml gate --base main --head candidate >/dev/null || true; t9=$(now)
# The same data checks without their cache: what a run pays when `data add` did not make them.
rm -f .git/ml/cache/results/*
tv0=$(now); git ml data validate train@v1 --eval eval@v1 >/dev/null; tv1=$(now)
record=$(git ml log --json -n 2)
python3 - "$record" "$t2" "$t3" "$t4" "$t5" "$t6" "$t7" "$t8" "$t9" "$ROWS" "$SEEDS" "$ta0" "$ta1" "$tv0" "$tv1" <<'PY'
import json, sys, platform
r, first = json.loads(sys.argv[1])[0], json.loads(sys.argv[1])[1]
t2, t3, t4, t5, t6, t7, t8, t9 = map(float, sys.argv[2:10])
rows, seeds = int(sys.argv[10]), int(sys.argv[11])
ta0, ta1, tv0, tv1 = map(float, sys.argv[12:16])
wall = t3 - t2
tm = r["timings"]
work = tm["fit"] + tm["predict"] + tm["evaluate"]
over = wall - work
print(f"Runner benchmark: {rows:,} training rows, {rows // 4:,} evaluation rows, GBDT 300 rounds, {seeds} seed(s), 2,000 bootstrap resamples")
print()
print("| measure | value | goal |")
print("|---|---|---|")
print(f"| `git ml run` wall | {wall:.2f} s | |")
print(f"| fit + predict + evaluate (the work) | {tm['fit']:.2f} s + {tm['predict']:.2f} s + {tm['evaluate']:.2f} s | |")
print(f"| load (parse both datasets in the worker) | {tm['load']:.2f} s | |")
print(f"| `git ml data add` of the training version (store, contract, leakage vs the suite's evaluation set) | {ta1 - ta0:.2f} s | |")
print(f"| validate + leakage in the run (cached by `data add`) | {tm['validate']:.2f} s | |")
print(f"| validate + leakage in the first run (the first run's record) | {first['timings']['validate']:.2f} s | |")
print(f"| the same checks uncached (`git ml data validate train@v1 --eval eval@v1`) | {tv1 - tv0:.2f} s | |")
print(f"| store artifacts | {tm['store']:.3f} s | |")
print(f"| runner overhead = wall − fit − predict − evaluate | {over:.2f} s = **{100 * over / tm['fit']:.1f}%** of fit | ≤ 5% |")
print(f"| overhead without data loading | {over - tm['load']:.2f} s = **{100 * (over - tm['load']) / tm['fit']:.1f}%** of fit | |")
fresh = over + (t5 - t4) + first['timings']['validate'] - tm['validate']
print(f"| overhead + `git mlcommit`, first run of the pair | {fresh:.2f} s = **{100 * fresh / tm['fit']:.1f}%** of fit | ≤ 5% |")
print(f"| `git mlcommit` of the run | {1000 * (t5 - t4):.0f} ms | ≤ 100 ms |")
print(f"| `git ml diff` of two branches | {t7 - t6:.2f} s | ≤ 1 s |")
print(f"| `git ml gate` (2 suites rows, 2,000 resamples) | {t9 - t8:.2f} s | ≤ 2 s |")
print(f"| CPU seconds of the run (whole tree, {r['cost']['method']}) | {r['cost']['cpu_seconds']:.2f} s | |")
PY
