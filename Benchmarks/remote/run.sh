#!/usr/bin/env bash
# Blob-remote benchmark: `git ml push` side by side with `dvc push` to the same S3 server
# (moto's standalone server on loopback), plus the pre-push hook's cost when nothing ML changed.
#
#   Benchmarks/remote/run.sh            full run (~500 MB CSV v1 then v2, 10,000 small files)
#   Benchmarks/remote/run.sh --quick    smoke check on small data (figures not comparable)
#   options: --runs N (default 3)  --only push_table,push_small,hook
#
# Installs DVC with S3 support (Benchmarks/.venv-remote/dvc) and moto's server with boto3
# (Benchmarks/.venv-remote/moto: two venvs, as aiobotocore and boto3 pin botocore apart) from pip,
# generates the data with Benchmarks/data/generate.py into Benchmarks/work/ (git-ignored;
# regenerated only when the generator or its arguments change), uses GITML (default:
# .build/release/git-ml, built when missing), and writes Benchmarks/work/BENCHMARKS-remote.md
# (full run; its table is copied by hand into docs/BENCHMARKS.md) or BENCHMARKS-remote-quick.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH="$ROOT/Benchmarks"
WORK="$BENCH/work"
VENV="$BENCH/.venv-remote"
DVC_VERSION=3.67.1

QUICK=0
RUNS=3
ONLY=push_table,push_small,hook
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
if [ ! -x /usr/bin/time ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q time
fi
if ! "$VENV/dvc/bin/dvc" --version 2>/dev/null | grep -qx "$DVC_VERSION"; then
  python3 -m venv "$VENV/dvc"
  "$VENV/dvc/bin/pip" install -q "dvc[s3]==$DVC_VERSION"
fi
if [ ! -x "$VENV/moto/bin/moto_server" ]; then
  python3 -m venv "$VENV/moto"
  "$VENV/moto/bin/pip" install -q 'moto[server]' boto3 numpy
fi

# ---- GitML
GITML_COMMIT=${GITML_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD)}
if [ -z "${GITML:-}" ]; then
  GITML="$ROOT/.build/release/git-ml"
  [ -x "$GITML" ] || (cd "$ROOT" && swift build -c release --product git-ml)
fi

# ---- data (the store benchmark's generator; its small/ folder is the 10,000 small files)
if [ "$QUICK" -eq 1 ]; then
  DATA="$WORK/data-remote-quick"; GEN_ARGS=(--rows 40000 --small-count 1000)
  OUT="$WORK/BENCHMARKS-remote-quick.md"; RESULTS="$WORK/results-remote-quick.json"
else
  DATA="$WORK/data-remote"; GEN_ARGS=(--rows 1800000 --small-count 10000)
  OUT="$WORK/BENCHMARKS-remote.md"; RESULTS="$WORK/results-remote.json"
fi
GEN="$BENCH/data/generate.py"
STAMP="$(sha256sum "$GEN" | cut -c1-16) ${GEN_ARGS[*]}"
if [ "$(cat "$DATA/.stamp" 2>/dev/null)" != "$STAMP" ]; then
  rm -rf "$DATA"
  "$VENV/moto/bin/python" "$GEN" "$DATA" "${GEN_ARGS[@]}" >/dev/null
  echo "$STAMP" > "$DATA/.stamp"
fi

# ---- measure
REPRO="Benchmarks/remote/run.sh"
MODE=()
if [ "$QUICK" -eq 1 ]; then REPRO="$REPRO --quick"; MODE=(--quick); fi
[ "$RUNS" = 3 ] || REPRO="$REPRO --runs $RUNS"
"$VENV/moto/bin/python" "$BENCH/remote/push_bench.py" \
  --data "$DATA" --scratch "$WORK/scratch-remote" --gitml "$GITML" --gitml-commit "$GITML_COMMIT" \
  --venv "$VENV" --runs "$RUNS" "${MODE[@]}" --only "$ONLY" \
  --out "$OUT" --json "$RESULTS" --reproduce "$REPRO"
rm -rf "$WORK/scratch-remote"
echo "wrote $OUT" >&2
