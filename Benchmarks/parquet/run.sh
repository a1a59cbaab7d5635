#!/usr/bin/env bash
# Parquet read benchmark (issue 18): GitML vs pyarrow.parquet.read_table (2 threads) and polars
# on ROWS rows of mixed types, snappy and zstd. Usage: Benchmarks/parquet/run.sh [ROWS]
# (default 10,000,000 rows, about 1.2 GB decoded). Needs pyarrow and polars (Benchmarks/.venv);
# peak RSS from GNU time. Prints key=value lines per codec; docs/BENCHMARKS.md holds results.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS="${1:-10000000}"
WORK=Benchmarks/work/parquet
VENV=Benchmarks/.venv
mkdir -p "$WORK"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q pyarrow polars numpy
swift build -c release --product parquet-bench >/dev/null
for codec in snappy zstd; do
  file="$WORK/mixed-$ROWS-$codec.parquet"
  [ -f "$file" ] || "$VENV/bin/python" Benchmarks/parquet/generate.py "$file" "$ROWS" "$codec"
  cat "$file" >/dev/null   # warm the page cache
  echo "codec=$codec"
  "$VENV/bin/python" Benchmarks/parquet/anchors.py "$file"
  /usr/bin/time -v .build/release/parquet-bench "$file" 2> "$WORK/time.txt"
  grep "Maximum resident set size" "$WORK/time.txt" | awk '{print "gitml_peak_rss_kb=" $NF}'
done
