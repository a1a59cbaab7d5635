#!/usr/bin/env bash
# Parquet read benchmark (issue 18): GitML vs pyarrow.parquet.read_table (2 threads) and polars
# on ROWS rows of mixed types, snappy and zstd, then GitML's read of the columns
# Benchmarks/parquet/contract.yaml names plus its validation. Usage: Benchmarks/parquet/run.sh
# [ROWS] (default 10,000,000 rows, about 1.2 GB decoded). CONFIG=debug uses a debug build (a
# quick correctness run at small ROWS; its times mean nothing). VENV names the Python
# environment (default Benchmarks/.venv; needs pyarrow, polars, numpy). Peak RSS from GNU time;
# CPU seconds (user + system) per read and, where `perf` runs, user-mode instructions of a whole
# process that only reads the file (pyarrow's includes starting Python and importing pyarrow).
# Prints key=value lines per codec; docs/BENCHMARKS.md holds results.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS="${1:-10000000}"
CONFIG="${CONFIG:-release}"
WORK=Benchmarks/work/parquet
VENV="${VENV:-Benchmarks/.venv}"
mkdir -p "$WORK"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import pyarrow, polars, numpy" 2>/dev/null || "$VENV/bin/pip" install -q pyarrow polars numpy
swift build -c "$CONFIG" --product parquet-bench >/dev/null
for codec in snappy zstd; do
  file="$WORK/mixed-$ROWS-$codec.parquet"
  [ -f "$file" ] || "$VENV/bin/python" Benchmarks/parquet/generate.py "$file" "$ROWS" "$codec"
  cat "$file" >/dev/null   # warm the page cache
  echo "codec=$codec rows=$ROWS load=$(cut -d' ' -f1 /proc/loadavg)"
  "$VENV/bin/python" Benchmarks/parquet/anchors.py "$file"
  /usr/bin/time -v ".build/$CONFIG/parquet-bench" "$file" Benchmarks/parquet/contract.yaml 2> "$WORK/time.txt"
  grep "Maximum resident set size" "$WORK/time.txt" | awk '{print "gitml_peak_rss_kb=" $NF}'
  # Instructions retired in user mode: a load-independent measure of the whole process's work.
  if command -v perf >/dev/null; then
    perf stat -x, -e instructions:u ".build/$CONFIG/parquet-bench" "$file" 2>&1 >/dev/null | awk -F, '/instructions/ {print "gitml_instructions_u=" $1}'
    perf stat -x, -e instructions:u "$VENV/bin/python" -c "import sys, pyarrow as pa, pyarrow.parquet as pq; pa.set_cpu_count(2); pq.read_table(sys.argv[1])" "$file" \
      2>&1 >/dev/null | awk -F, '/instructions/ {print "pyarrow_instructions_u=" $1}'
  fi
done
