#!/usr/bin/env bash
# Store benchmark: GitML's dataset store side by side with DVC, git-lfs, zstd and sha256sum.
#
#   Benchmarks/store/run.sh            full run (~500 MB CSV, 10,000 + 100,000 small files)
#   Benchmarks/store/run.sh --quick    smoke check on small data (figures not comparable)
#   options: --runs N (default 3)  --only add_v1,add_variants,checkout,small_files,status
#   QUIET=1 waits before each run until the 1-minute load is below 1 (a verdict needs it)
#
# Installs the anchors (git-lfs, zstd, GNU time from apt when missing; DVC from pip into
# Benchmarks/.venv), generates the data into Benchmarks/work/ (git-ignored; regenerated only
# when the generator or its arguments change), uses GITML (default: .build/release/git-ml,
# built when missing), and writes Benchmarks/work/BENCHMARKS-store.md (full run; its table is
# the "Dataset store" section of docs/BENCHMARKS.md) or
# Benchmarks/work/BENCHMARKS-store-quick.md (--quick).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH="$ROOT/Benchmarks"
WORK="$BENCH/work"
VENV="$BENCH/.venv"
DVC_VERSION=3.67.1

QUICK=0
RUNS=3
ONLY=add_v1,add_variants,checkout,small_files,status
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --runs) RUNS="$2"; shift ;;
    --only) ONLY="$2"; shift ;;
    *) echo "usage: $0 [--quick] [--runs N] [--only steps]" >&2; exit 2 ;;
  esac
  shift
done

# ---- anchors
missing=()
command -v git-lfs >/dev/null || missing+=(git-lfs)
command -v zstd >/dev/null || missing+=(zstd)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q "${missing[@]}"
fi
if ! "$VENV/bin/dvc" --version 2>/dev/null | grep -qx "$DVC_VERSION"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "dvc==$DVC_VERSION" numpy
fi
"$VENV/bin/python" -c 'import numpy' 2>/dev/null || "$VENV/bin/pip" install -q numpy

# ---- GitML
GITML_COMMIT=${GITML_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD)}
if [ -z "${GITML:-}" ]; then
  GITML="$ROOT/.build/release/git-ml"
  [ -x "$GITML" ] || (cd "$ROOT" && swift build -c release --product git-ml) ||
    echo "warning: git-ml build failed; GitML figures will be recorded as failed" >&2
fi

# ---- data
if [ "$QUICK" -eq 1 ]; then
  DATA="$WORK/data-quick"; TABLE_ARGS=(--rows 40000 --small-count 1000); STATUS_COUNT=5000
  OUT="$WORK/BENCHMARKS-store-quick.md"; RESULTS="$WORK/results-quick.json"
else
  DATA="$WORK/data"; TABLE_ARGS=(--rows 1800000 --small-count 10000); STATUS_COUNT=100000
  OUT="$WORK/BENCHMARKS-store.md"; RESULTS="$WORK/results.json"
fi
GEN="$BENCH/data/generate.py"
STAMP="$(sha256sum "$GEN" | cut -c1-16) ${TABLE_ARGS[*]} status=$STATUS_COUNT"
if [ "$(cat "$DATA/.stamp" 2>/dev/null)" != "$STAMP" ]; then
  rm -rf "$DATA"
  "$VENV/bin/python" "$GEN" "$DATA" "${TABLE_ARGS[@]}" >/dev/null
  "$VENV/bin/python" "$GEN" "$DATA" --no-tables --small-count "$STATUS_COUNT" --small-dir small100k >/dev/null
  echo "$STAMP" > "$DATA/.stamp"
fi

# ---- measure
mkdir -p "$(dirname "$OUT")"
REPRO="Benchmarks/store/run.sh"
MODE=()
if [ "$QUICK" -eq 1 ]; then REPRO="$REPRO --quick"; MODE=(--quick); fi
[ "$RUNS" = 3 ] || REPRO="$REPRO --runs $RUNS"
"$VENV/bin/python" "$BENCH/store/bench.py" \
  --data "$DATA" --scratch "$WORK/scratch" --gitml "$GITML" --gitml-commit "$GITML_COMMIT" --dvc "$VENV/bin/dvc" \
  --runs "$RUNS" "${MODE[@]}" --only "$ONLY" \
  --out "$OUT" --json "$RESULTS" --reproduce "$REPRO"
rm -rf "$WORK/scratch"
echo "wrote $OUT" >&2
