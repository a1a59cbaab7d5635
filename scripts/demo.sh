#!/usr/bin/env bash
# The main job on an embedded sample: a temporary git repository, a generated churn dataset,
# two versions, status, log, diff, an exact checkout of the first version, and an integrity check.
# Needs git-ml and git-mlcommit on PATH (`make install` puts them there).
set -euo pipefail

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/gitml-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
git init -q -b main
git config user.name "GitML demo"
git config user.email "demo@example.com"

# A deterministic sample: 50,000 customers, 6 features, a churn label at ~5%.
generate() {  # $1 = seed offset for edits (0 = original)
  awk -v edit="$1" 'BEGIN {
    srand(12); print "customer_id,snapshot_date,tenure_months,monthly_fee,support_calls,plan,region,churned";
    split("basic,plus,pro", plans, ","); split("north,south,east,west", regions, ",");
    for (i = 1; i <= 50000; i++) {
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
