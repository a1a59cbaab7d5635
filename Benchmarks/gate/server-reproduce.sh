#!/usr/bin/env bash
# The server's own re-training under `reproducibility: { reproduce_in_gate: true }`: how long a
# self-hosted server's pre-receive takes to gate a push of a new candidate, without and with the
# re-training (two bare repositories with the server hooks, identical but for the policy; each
# gets the same history, client hooks skipped). The difference is the re-training, to compare
# with GITML_GATE_TIMEOUT (default 300 s) and with the run's own fit time.
# Usage: Benchmarks/gate/server-reproduce.sh [ROWS] [SEEDS] [ROUNDS]
#   (default 50,000 training rows, 1 seed, 100 rounds; needs python3 + numpy).
# GITML_BIN=DIR uses the git-ml/git-mlcommit in DIR (e.g. .build/debug) instead of building
# release binaries. Prints a Markdown table.
set -euo pipefail
ROWS=${1:-50000}
SEEDS=${2:-1}
ROUNDS=${3:-100}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${GITML_BIN:-}" ]; then
  (cd "$ROOT" && swift build -c release --product git-ml >&2 && swift build -c release --product git-mlcommit >&2)
  GITML_BIN="$ROOT/.build/release"
fi
export PATH="$(cd "$GITML_BIN" && pwd):$PATH"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gitml-server-reproduce.XXXXXX")
[ -n "${KEEP:-}" ] && echo "keeping $WORK" >&2 || trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
mkdir client && cd client
git init -q -b main && git config user.name bench && git config user.email bench@example.com
python3 - "$ROWS" <<'PY'
import sys, numpy as np
rows = int(sys.argv[1])
def write(path, n, seed, first):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8))
    logit = x[:, 0] * 1.2 - x[:, 1] * 0.8 + 0.5 * x[:, 2] * x[:, 3] - 1.0
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    with open(path, "w") as f:
        f.write("id," + ",".join(f"x{i}" for i in range(8)) + ",label\n")
        for i in range(n):
            f.write(f"{first + i}," + ",".join(f"{v:.5f}" for v in x[i]) + f",{y[i]}\n")
write("train.csv", rows, 1, 0)
write("eval.csv", rows // 4, 2, 10_000_000)
PY
git ml init >/dev/null
git ml remote add shared "$WORK/blobs" --default >/dev/null
mkdir -p ml/suites ml/experiments
git ml data add eval.csv --name eval >/dev/null
git ml data add train.csv --name train >/dev/null
printf 'task: binary\nlabel: { column: label, positive: "1" }\neval: eval@v1\nentity: id\nprimary: { metric: roc_auc }\nsignificance: { method: paired_bootstrap, resamples: 200, confidence: 0.95, seed: 7 }\n' > ml/suites/bench.yaml
seeds=$(seq -s, 1 "$SEEDS")
printf 'suite: bench\ntrain: train@v1\nvalidation: { split: random, fraction: 0.2 }\nfeatures: { exclude: [id] }\nmodel: { kind: gbdt, rounds: %s, num_leaves: 31, learning_rate: 0.05 }\nseeds: [%s]\n' "$ROUNDS" "$seeds" > ml/experiments/bench.yaml
now() { date +%s.%N; }
for policy in plain reproducing; do
  git init -q --bare -b main "$WORK/$policy.git"
  (cd "$WORK/$policy.git" && git ml hooks install --server >/dev/null)
done
git remote add plain "$WORK/plain.git"
git remote add origin "$WORK/reproducing.git"
printf 'protected: [main]\nbenchmark: { min_effect: 0.0 }\nreproducibility: { require_attestation: false, reproduce_in_gate: false }\n' > ml/gate.yaml
git add -A && git commit -qm setup
setup=$(git rev-parse HEAD)
# Each server's first push (not gated) carries its policy: the two differ only in ml/gate.yaml.
git push -q --no-verify plain main 2>/dev/null
sed -i 's/reproduce_in_gate: false/reproduce_in_gate: true/' ml/gate.yaml && git commit -qam "reproduce in gate"
git ml push >/dev/null 2>&1                      # main, dataset refs and bytes to origin
git checkout -q -b candidate
git ml run bench >/dev/null 2>&1
fit=$(git ml log --json -n 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["timings"]["fit"])')
git mlcommit -m candidate >/dev/null
git ml push >/dev/null 2>&1                      # not protected: run ref and bytes, not gated
git checkout -q -b plain-candidate "$setup"
git checkout -q candidate -- ml/lock.json ml/runs && git commit -qm candidate
git push -q --no-verify plain 'refs/ml/runs/*:refs/ml/runs/*' 'refs/ml/datasets/*:refs/ml/datasets/*' 2>/dev/null
t0=$(now); git push --no-verify plain plain-candidate:main 2>"$WORK/plain.err"; t1=$(now)
t2=$(now); git push --no-verify origin candidate:main 2>"$WORK/reproducing.err"; t3=$(now)
grep -q "reproduced by this gate (re-trained from the record): bit identical" "$WORK/reproducing.err" || { cat "$WORK/reproducing.err" >&2; exit 1; }
grep -q "no attestation required" "$WORK/plain.err" || { cat "$WORK/plain.err" >&2; exit 1; }
printf '| training rows | seeds × rounds | the run'"'"'s fit | gated push, plain | gated push, reproduce_in_gate | re-training at the server |\n|---|---|---|---|---|---|\n'
python3 -c "import sys; a,b,c,d,f=map(float,sys.argv[1:6]); print(f'| {int(sys.argv[6]):,} | $SEEDS × $ROUNDS | {f:.2f} s | {b-a:.2f} s | {d-c:.2f} s | {d-c-(b-a):.2f} s |')" "$t0" "$t1" "$t2" "$t3" "$fit" "$ROWS"
