#!/usr/bin/env bash
# Parse and validation benchmark of the Tables/Contracts modules against pyarrow and pandas.
# Usage: Benchmarks/tables/run.sh [ROWS]   (default 3,000,000 rows ≈ 520 MB)
# Installs pyarrow and pandas into Benchmarks/.venv, generates two versions of the data under
# Benchmarks/work/, builds tables-bench in release mode, runs everything side by side (page
# cache warm) and prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS="${1:-3000000}"
WORK=Benchmarks/work/tables
VENV=Benchmarks/.venv
mkdir -p "$WORK"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q pyarrow pandas numpy
[ -f "$WORK/v1-$ROWS.csv" ] || "$VENV/bin/python" Benchmarks/tables/generate.py "$WORK/v1-$ROWS.csv" "$ROWS" 1
[ -f "$WORK/v2-$ROWS.csv" ] || "$VENV/bin/python" Benchmarks/tables/generate.py "$WORK/v2-$ROWS.csv" "$ROWS" 2
swift build -c release --product tables-bench >/dev/null
cat "$WORK/v1-$ROWS.csv" "$WORK/v2-$ROWS.csv" >/dev/null   # warm the page cache

value() { grep "^$1=" "$2" | head -1 | cut -d= -f2; }
"$VENV/bin/python" Benchmarks/tables/anchors.py "$WORK/v2-$ROWS.csv" > "$WORK/anchors.txt"
/usr/bin/time -v .build/release/tables-bench "$WORK/v2-$ROWS.csv" > "$WORK/swift.txt" 2> "$WORK/swift-time.txt"
.build/release/tables-bench "$WORK/v2-$ROWS.csv" "$WORK/v1-$ROWS.csv" Benchmarks/tables/contract.yaml > "$WORK/validate.txt"

bytes=$(value bytes "$WORK/swift.txt")
mb=$(python3 -c "print($bytes / 1e6)")
swift_s=$(value parse_seconds "$WORK/swift.txt")
arrow_s=$(value pyarrow_seconds "$WORK/anchors.txt")
pandas_s=$(value pandas_seconds "$WORK/anchors.txt")
validate_s=$(value validate_seconds "$WORK/validate.txt")
swift_cpu=$(value parse_cpu_seconds "$WORK/swift.txt")
arrow_cpu=$(value pyarrow_cpu_seconds "$WORK/anchors.txt")
pandas_cpu=$(value pandas_cpu_seconds "$WORK/anchors.txt")
validate_cpu=$(value validate_cpu_seconds "$WORK/validate.txt")
rss_kb=$(grep "Maximum resident set size" "$WORK/swift-time.txt" | awk '{print $NF}')
column_bytes=$(value column_bytes "$WORK/swift.txt")
python3 - "$mb" "$swift_s" "$arrow_s" "$pandas_s" "$validate_s" "$rss_kb" "$column_bytes" "$swift_cpu" "$arrow_cpu" "$pandas_cpu" "$validate_cpu" <<'PY'
import sys
mb, swift, arrow, pandas, validate, rss_kb, column_bytes, swift_cpu, arrow_cpu, pandas_cpu, validate_cpu = map(float, sys.argv[1:])
print(f"| measure | wall | CPU (user+sys) |\n|---|---|---|")
print(f"| file | {mb:.0f} MB | |")
print(f"| GitML CSVReader parse | {swift:.2f} s ({mb / swift:.0f} MB/s) | {swift_cpu:.2f} s |")
print(f"| pyarrow.csv.read_csv (newlines_in_values) | {arrow:.2f} s ({mb / arrow:.0f} MB/s) | {arrow_cpu:.2f} s |")
print(f"| pandas.read_csv | {pandas:.2f} s ({mb / pandas:.0f} MB/s) | {pandas_cpu:.2f} s |")
print(f"| GitML / pyarrow throughput | {arrow / swift:.2f}× (goal ≥ 1.0×) | {arrow_cpu / swift_cpu:.2f}× per CPU-second |")
print(f"| full validation incl. drift of 14 columns vs v1 | {validate:.2f} s = {validate / arrow:.2f}× pyarrow parse (goal ≤ 3×) | {validate_cpu:.2f} s |")
print(f"| peak RSS of parse (incl. the file's bytes in memory) | {rss_kb / 1024:.0f} MiB = {rss_kb * 1024 / column_bytes:.2f}× column bytes ({column_bytes / 2**20:.0f} MiB; goal ≤ 1.5×) |")
PY
