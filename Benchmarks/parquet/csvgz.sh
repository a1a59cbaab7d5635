#!/usr/bin/env bash
# Compressed-text benchmark (issue 18): reading the tables benchmark CSV (Benchmarks/tables/
# generate.py; 3,000,000 rows ≈ 530 MB by default) gzip-compressed, GitML (`parquet-bench`,
# TableFile: streamed in blocks, all cores) vs pandas.read_csv on the same .csv.gz; peak RSS of
# both from GNU time. Usage: Benchmarks/parquet/csvgz.sh [ROWS]. CONFIG=debug uses a debug build
# (for a quick correctness run at small ROWS; its times mean nothing). VENV names the Python
# environment (default Benchmarks/.venv; needs pandas and numpy). Prints key=value lines.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS="${1:-3000000}"
CONFIG="${CONFIG:-release}"
WORK=Benchmarks/work/csvgz
VENV="${VENV:-Benchmarks/.venv}"
mkdir -p "$WORK"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import pandas, numpy" 2>/dev/null || "$VENV/bin/pip" install -q pandas numpy
csv="$WORK/bench-$ROWS.csv"
[ -f "$csv.gz" ] || { "$VENV/bin/python" Benchmarks/tables/generate.py "$csv" "$ROWS" 1 && gzip -6 -f "$csv"; }
swift build -c "$CONFIG" --product parquet-bench >/dev/null
cat "$csv.gz" >/dev/null   # warm the page cache
echo "rows=$ROWS compressed_bytes=$(stat -c %s "$csv.gz") decompressed_bytes=$(gzip -dc "$csv.gz" | wc -c) load=$(cut -d' ' -f1 /proc/loadavg)"
/usr/bin/time -v ".build/$CONFIG/parquet-bench" "$csv.gz" 2> "$WORK/gitml-time.txt" | sed 's/^/gitml_/'
grep "Maximum resident set size" "$WORK/gitml-time.txt" | awk '{print "gitml_peak_rss_kb=" $NF}'
/usr/bin/time -v "$VENV/bin/python" -c '
import sys, time, pandas
start = time.perf_counter(); frame = pandas.read_csv(sys.argv[1]); print(f"pandas_read_seconds={time.perf_counter() - start:.3f} rows={len(frame)}")
' "$csv.gz" 2> "$WORK/pandas-time.txt"
grep "Maximum resident set size" "$WORK/pandas-time.txt" | awk '{print "pandas_peak_rss_kb=" $NF}'
