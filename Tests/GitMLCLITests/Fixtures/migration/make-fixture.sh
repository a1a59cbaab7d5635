#!/usr/bin/env bash
# Makes the migration fixture (docs/RELIABILITY.md, "Upgrades"): a small GitML project written by
# the release whose git-ml and git-mlcommit are first on PATH, frozen as
# gitml-<release>-project.tar.gz beside this script, so that every later build is tested on
# reading it (MigrationTests). Run it once per release that changes an on-disk format, with that
# release installed, and commit the tarball; never regenerate an old one with a newer build.
#
#   PATH=<release>/bin:$PATH Tests/GitMLCLITests/Fixtures/migration/make-fixture.sh
#
# The tarball holds project/ (the repository with its .git/ml store, its data files removed as
# in a fresh clone, so they come back only from the store), made-by.txt (`git ml version` of the
# writing build: release, commit and format versions) and checksums (sha256sum of each data
# version as written, under the name <dataset>@<version>).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
release=$(git-ml --version)
work=$(mktemp -d "${TMPDIR:-/tmp}/gitml-migration.XXXXXX")
trap 'rm -rf "$work"' EXIT
export GIT_AUTHOR_NAME="GitML fixture" GIT_AUTHOR_EMAIL="fixture@example.com"
export GIT_COMMITTER_NAME="GitML fixture" GIT_COMMITTER_EMAIL="fixture@example.com"
export GIT_AUTHOR_DATE="2026-12-05T12:00:00Z" GIT_COMMITTER_DATE="2026-12-05T12:00:00Z"

# Rows with two informative features and a region; $1 rows from id $2, seed $3, $4 edits (0 or 1).
churn() {
  awk -v rows="$1" -v first="$2" -v seed="$3" -v edit="${4:-0}" 'BEGIN {
    srand(seed); print "customer_id,usage,tenure,region,churned"; split("north,south,east,west", regions, ",")
    for (i = first; i < first + rows; i++) {
      usage = rand() * 8 - 4; tenure = rand() * 10; region = regions[1 + int(rand() * 4)]
      logit = 1.2 * usage - 0.3 * tenure + (region == "north" ? 0.8 : 0) + 1
      churned = rand() < 1 / (1 + exp(-logit)) ? 1 : 0
      if (edit && i % 50 == 0) tenure = tenure / 2
      printf "%d,%.4f,%.3f,%s,%d\n", i, usage, tenure, region, churned
    }
  }'
}

experiment() {  # $1 = the features it sees
  cat <<YAML
suite: churn
train: churn-train@v2
validation: { split: random, fraction: 0.25 }
features: { include: [$1] }
model: { kind: gbdt, rounds: 20, num_leaves: 7, learning_rate: 0.1 }
seeds: [1]
candidate: ensemble
YAML
}

# Runs the experiment, reproduces it signed by the trusted key, commits run and attestation.
run_and_commit() {  # $1 = features, $2 = message
  experiment "$1" > ml/experiments/churn-gbdt.yaml
  git add ml && git commit -qm "experiment: $2"
  git ml run churn-gbdt >/dev/null
  local id
  id=$(git ml log --json -n 1 | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"][7:19])')
  git ml reproduce "$id" --sign >/dev/null
  git mlcommit -m "$2" "$id" >/dev/null
  git mlcommit -m "attest $2" >/dev/null
}

mkdir -p "$work/project" && cd "$work/project"
git init -q -b main
git ml init >/dev/null
mkdir -p ml/contracts ml/suites ml/experiments
cat > ml/contracts/churn-train.yaml <<'YAML'
apiVersion: v3.0.2
kind: DataContract
name: churn
schema:
  - name: churn
    properties:
      - { name: customer_id, logicalType: integer, required: true, unique: true, primaryKey: true }
      - { name: usage, logicalType: number, logicalTypeOptions: { minimum: -10, maximum: 10 } }
      - { name: tenure, logicalType: number }
      - { name: region, logicalType: string, required: true }
      - { name: churned, logicalType: integer, required: true }
YAML
cat > ml/suites/churn.yaml <<'YAML'
task: binary
label: { column: churned, positive: "1" }
eval: churn-eval@v1
entity: customer_id
primary: { metric: roc_auc }
guardrails:
  - { metric: ece, max: 0.5 }
slices: [region]
significance: { method: paired_bootstrap, resamples: 200, confidence: 0.95, seed: 7 }
YAML
echo "cost: { cpu_hour_usd: 3.6, gb_month_usd: 1000 }" >> ml/config.yaml
churn 1200 1 1 > train.csv
churn 600 100000 2 > eval.csv
git ml data add train.csv --name churn-train >/dev/null
git ml data add eval.csv --name churn-eval >/dev/null
sums=$(sha256sum train.csv | sed 's/train.csv$/churn-train@v1/'; sha256sum eval.csv | sed 's/eval.csv$/churn-eval@v1/')
# The trusted reproducer's key: its public half in ml/allowed_signers; the private half is not kept.
ssh-keygen -q -t ed25519 -N '' -C fixture-ci -f "$work/ci-key"
echo "ci@example.com $(cat "$work/ci-key.pub")" > ml/allowed_signers
git config user.signingkey "$work/ci-key"
git add -A && git commit -qm "churn project, v1 data"
git mlcommit -m "churn data v1" >/dev/null
churn 1200 1 1 1 > train.csv   # every 50th row changes
git ml data add train.csv --name churn-train >/dev/null
sums+=$'\n'$(sha256sum train.csv | sed 's/train.csv$/churn-train@v2/')
git mlcommit -m "churn data v2" >/dev/null
cat > ml/gate.yaml <<'YAML'
protected: [main]
benchmark: { min_effect: 0.0, confidence: 0.95 }
cost: { max_usd_per_unit: 1000 }
reproducibility: { require_attestation: true, tolerance: 1.0e-9 }
deployment: { promote: all_pass, shadow: better_not_significant, reject: otherwise }
YAML
git add ml/gate.yaml && git commit -qm "gate policy"
# main: a weak champion, recorded by the gate (a verdict and a promotion).
run_and_commit "tenure" "tenure only"
git ml gate --base main --head HEAD --record >/dev/null   # refs/ml/promotions/churn
# candidate: a better model on a branch.
git checkout -qb candidate
run_and_commit "usage, tenure, region" "all features"
git ml gate --base main --head candidate >/dev/null   # promote (exit 0), or this script stops
git checkout -q main
git ml fsck >/dev/null
git config --unset user.signingkey
rm -f train.csv eval.csv   # as in a fresh clone: the data comes back from the store

cd "$work"
git-ml version > made-by.txt
echo "$sums" > checksums
out=$here/gitml-$release-project.tar.gz
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - project made-by.txt checksums | gzip -n -9 > "$out"
echo "$out ($(stat -c %s "$out") bytes)"
