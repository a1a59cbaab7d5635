#!/usr/bin/env bash
# The main job on an embedded sample: a temporary git repository, a generated churn dataset,
# two versions, status, log, diff, an exact checkout of the first version, and an integrity check.
# Needs git-ml and git-mlcommit on PATH (`make install` puts them there).
set -euo pipefail

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

fixtures=$(cd "$(dirname "$0")/fixtures" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/gitml-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
git init -q -b main
git config user.name "GitML demo"
git config user.email "demo@example.com"
# The demo's shared repository, blob remote and teammate clone live beside the work tree.
printf 'origin.git/\nblobs/\nteammate/\n' >> .git/info/exclude

# A deterministic sample: 50,000 customers, 6 features, a churn label at ~5%.
generate() {  # $1 = edits (0 = original), $2 = random seed, $3 = first customer number, $4 = rows
  awk -v edit="$1" -v seed="${2:-12}" -v first="${3:-1}" -v rows="${4:-50000}" 'BEGIN {
    srand(seed); print "customer_id,snapshot_date,tenure_months,monthly_fee,support_calls,plan,region,churned";
    split("basic,plus,pro", plans, ","); split("north,south,east,west", regions, ",");
    for (i = first; i < first + rows; i++) {
      t = int(rand() * 72); fee = 10 + rand() * 90; calls = int(-log(1 - rand()) * 1.5);
      p = plans[1 + int(rand() * 3)]; r = regions[1 + int(rand() * 4)];
      risk = 0.02 + 0.04 * (calls > 3) + 0.03 * (t < 6) + 0.02 * (fee > 80);
      churn = (rand() < risk) ? "yes" : "no";
      if (edit > 0 && i % 100 == 0) { fee = fee * 1.1; calls = calls + 1 }
      printf "C%06d,2026-%02d-01,%d,%.2f,%d,%s,%s,%s\n", i, 1 + i % 12, t, fee, calls, p, r, churn
    }
  }'
}
mkdir -p data
generate 0 > data/churn.csv

step git ml version
step git ml init
step git ml data add data/churn.csv --name churn
step git ml data status
step git mlcommit -m "Add churn dataset v1"

# A data contract: what "churn" must look like (ODCS v3 + GitML's drift block).
mkdir -p ml/contracts
cat > ml/contracts/churn.yaml <<'YAML'
apiVersion: v3.0.2
kind: DataContract
name: churn
schema:
  - name: churn
    properties:
      - { name: customer_id, logicalType: string, required: true, unique: true, primaryKey: true }
      - { name: snapshot_date, logicalType: timestamp, required: true }
      - { name: tenure_months, logicalType: integer, logicalTypeOptions: { minimum: 0, maximum: 120 } }
      - { name: monthly_fee, logicalType: number, logicalTypeOptions: { minimum: 0 } }
      - { name: support_calls, logicalType: integer, logicalTypeOptions: { minimum: 0 } }
      - name: plan
        logicalType: string
        quality:
          - { metric: invalidValues, arguments: { validValues: [basic, plus, pro] }, mustBe: 0 }
      - { name: region, logicalType: string, required: true }
      - { name: churned, logicalType: string, required: true }
label: { column: churned, allowedValues: ["yes", "no"], positiveValue: "yes", positiveRate: [0.01, 0.3] }
drift:
  reference: previous
  thresholds: { psi: 0.2, ks: 0.1, js: 0.1, linf: 0.1 }
leakage: { entityKey: [customer_id], label: churned, maxRowOverlap: 20, maxKeyOverlap: 0, featureAucCeiling: 0.95 }  # a few equal rows happen by chance
YAML
step git ml data validate churn@v1
step git ml data show churn@v1 --profile

generate 1 > data/churn.csv   # 1% of the rows change
step git ml data status
step git ml data add data/churn.csv --name churn
step git mlcommit
step git ml data log churn
step git ml data validate churn@v2
step git ml data diff churn@v1 churn@v2
step git ml data checkout churn@v1
echo "sha256sum of the restored file (equals churn@v1's digest):"
sha256sum data/churn.csv
step git ml data show churn@v1
step git log --oneline
step git ml fsck

# An experiment: gradient-boosted trees judged by a suite on a pinned evaluation set.
# The evaluation set comes as Parquet: these generator rows, converted by
# scripts/fixtures/demo_parquet.py (committed, so the demo needs no Python).
cp "$fixtures/churn-eval.parquet" data/churn-eval.parquet
step git ml data add data/churn-eval.parquet --name churn-eval
step git ml data show churn-eval@v1 --profile
mkdir -p ml/suites ml/experiments
cat > ml/suites/churn.yaml <<'YAML'
task: binary
label: { column: churned, positive: "yes" }
eval: churn-eval@v1              # pinned evaluation data
entity: customer_id              # bootstrap resamples whole customers
primary: { metric: roc_auc }
guardrails:
  - { metric: ece, max: 0.05 }
  - { metric: latency_p99_us, max: 5000 }
slices: [plan, region]
significance: { method: paired_bootstrap, resamples: 1000, confidence: 0.95, seed: 7 }
YAML
cat > ml/experiments/churn-gbdt.yaml <<'YAML'
suite: churn
train: churn@v2
validation: { split: random, fraction: 0.2 }
features: { exclude: [customer_id, snapshot_date] }
model: { kind: gbdt, rounds: 100, num_leaves: 15, learning_rate: 0.05 }
seeds: [1, 2, 3]
candidate: ensemble
budget: { max_cpu_seconds: 600, max_usd: 0.05 }
YAML
cat >> ml/config.yaml <<'YAML'
cost: { cpu_hour_usd: 0.048, gb_month_usd: 0.023 }
budget: { project_month_usd: 500 }
YAML
step git mlcommit -m "Evaluation data, the churn suite and a GBDT experiment"
step git ml run churn-gbdt
step git ml log
step git mlcommit -m "GBDT baseline for churn"
# A trusted reproducer (CI, say) holds an SSH key listed in ml/allowed_signers on main; the gate
# counts only reproductions it signed.
ssh-keygen -q -t ed25519 -N '' -C gitml-ci -f "$work/.git/ci-key"
echo "ci@example.com $(cat "$work/.git/ci-key.pub")" > ml/allowed_signers
git config user.signingkey "$work/.git/ci-key"
run=$(git ml log --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"][7:19])')
step git ml reproduce "$run" --sign
step git mlcommit -m "Attest the baseline (signed by the CI key)"
step git ml cost --by experiment

# Sharing: a bare git repository for refs and records, a shared folder for the bytes.
git init -q --bare -b main "$work/origin.git"
git remote add origin "$work/origin.git"
step git ml remote add shared "$work/blobs" --default
step git mlcommit -m "Add the shared blob remote"
step git ml push
cd "$work" && git clone -q origin.git teammate && cd teammate
step git ml init
step git ml pull
step git ml data checkout
echo "sha256sum in the teammate's clone (the digest of the version ml/lock.json pins):"
sha256sum data/churn.csv
step git ml data status

# The promotion gate: a policy on main, GitML's receive hooks on the shared repository.
cd "$work"
cat > ml/gate.yaml <<'YAML'
protected: [main]
benchmark: { min_effect: 0.0, confidence: 0.95 }      # the candidate must be better, provably
cost: { max_usd_per_unit: 10 }
reproducibility: { require_attestation: true, tolerance: 1.0e-9 }
deployment: { promote: all_pass, shadow: better_not_significant, reject: otherwise }
YAML
step git mlcommit -m "Gate policy for main"
step git ml push
(cd "$work/origin.git" && step git ml hooks install --server --protect main)

# A weaker candidate: the same model on one column.
sed 's/features: { exclude: \[customer_id, snapshot_date\] }/features: { include: [region] }/' \
  ml/experiments/churn-gbdt.yaml > ml/experiments/churn-region.yaml
step git mlcommit -m "Experiment: region only"
step git ml run churn-region
run=$(git ml log --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"][7:19])')
step git ml reproduce "$run" --sign
step git mlcommit -m "Region-only candidate" "$run"
step git mlcommit -m "Attest the region-only candidate"
step git ml diff origin/main HEAD
step git ml gate --base origin/main || echo "(git ml gate exited $?: 1 means reject)"
step git ml push || echo "(the server refused the push: its pre-receive gate rejects the worse candidate)"
