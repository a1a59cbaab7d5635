#!/usr/bin/env bash
# Parse and validation benchmark of the Tables/Contracts modules against pyarrow, pandas and
# pandera. Usage: Benchmarks/tables/run.sh [ROWS]   (default 3,000,000 rows ≈ 530 MB)
# Installs pyarrow, pandas, pandera and scipy into Benchmarks/.venv, generates two versions of
# the data under Benchmarks/work/, builds tables-bench in release mode, runs everything side by
# side (page cache warm) and prints a Markdown table. Peak RSS comes from GNU time (ru_maxrss of
# the process: anonymous memory plus mapped file pages resident at the peak).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS="${1:-3000000}"
WORK=Benchmarks/work/tables
VENV=Benchmarks/.venv
mkdir -p "$WORK"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q pyarrow pandas numpy scipy pandera
[ -f "$WORK/v1-$ROWS.csv" ] || "$VENV/bin/python" Benchmarks/tables/generate.py "$WORK/v1-$ROWS.csv" "$ROWS" 1
[ -f "$WORK/v2-$ROWS.csv" ] || "$VENV/bin/python" Benchmarks/tables/generate.py "$WORK/v2-$ROWS.csv" "$ROWS" 2
swift build -c release --product tables-bench >/dev/null
cat "$WORK/v1-$ROWS.csv" "$WORK/v2-$ROWS.csv" >/dev/null   # warm the page cache

load() { cut -d' ' -f1 /proc/loadavg; }
value() { grep "^$1=" "$2" | head -1 | cut -d= -f2; }
rss_kb() { grep "Maximum resident set size" "$1" | awk '{print $NF}'; }
CURRENT="$WORK/v2-$ROWS.csv" REFERENCE="$WORK/v1-$ROWS.csv" CONTRACT=Benchmarks/tables/contract.yaml
l1=$(load); "$VENV/bin/python" Benchmarks/tables/anchors.py "$CURRENT" > "$WORK/anchors.txt"
l2=$(load); /usr/bin/time -v .build/release/tables-bench "$CURRENT" > "$WORK/swift.txt" 2> "$WORK/swift-time.txt"
l3=$(load); /usr/bin/time -v .build/release/tables-bench "$CURRENT" --float32 "$CONTRACT" > "$WORK/float32.txt" 2> "$WORK/float32-time.txt"
l4=$(load); .build/release/tables-bench "$CURRENT" "$REFERENCE" "$CONTRACT" > "$WORK/validate.txt"
l5=$(load); "$VENV/bin/python" Benchmarks/tables/pandera_checks.py "$CURRENT" "$REFERENCE" > "$WORK/pandera.txt"
l6=$(load)

python3 - "$WORK" "$(rss_kb "$WORK/swift-time.txt")" "$(rss_kb "$WORK/float32-time.txt")" "$l1 $l2 $l3 $l4 $l5 $l6" <<'PY'
import sys
work, rss_kb, rss32_kb, loads = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4].split()

def read(name):
    return dict(line.strip().split("=", 1) for line in open(f"{work}/{name}") if "=" in line)

a, s, f, v, p = read("anchors.txt"), read("swift.txt"), read("float32.txt"), read("validate.txt"), read("pandera.txt")
n = lambda d, k: float(d[k])
mb = n(s, "bytes") / 1e6
swift, arrow, pandas = n(s, "parse_seconds"), n(a, "pyarrow_seconds"), n(a, "pandas_seconds")
print(f"pyarrow {a['pyarrow_version']}, pandas {a['pandas_version']}, pandera {p['pandera_version']}; "
      f"1-minute load average before each step: {', '.join(loads)}\n")
print("| measure | wall | CPU (user+sys) |\n|---|---|---|")
print(f"| file | {mb:.0f} MB, {int(n(s, 'rows')):,} rows | |")
print(f"| GitML `CSVReader.read(contentsOf:)` (types inferred) | {swift:.2f} s ({mb / swift:.0f} MB/s) | {n(s, 'parse_cpu_seconds'):.2f} s |")
print(f"| `pyarrow.csv.read_csv` (`newlines_in_values=True`) | {arrow:.2f} s ({mb / arrow:.0f} MB/s) | {n(a, 'pyarrow_cpu_seconds'):.2f} s |")
print(f"| `pandas.read_csv` | {pandas:.2f} s ({mb / pandas:.0f} MB/s) | {n(a, 'pandas_cpu_seconds'):.2f} s |")
print(f"| GitML / pyarrow throughput | **{arrow / swift:.2f}×** (goal ≥ 1.0×) | {n(a, 'pyarrow_cpu_seconds') / n(s, 'parse_cpu_seconds'):.2f}× per CPU-second |")
cb = n(s, "column_bytes")
print(f"| peak RSS of the parse (types inferred) | {rss_kb / 1024:.0f} MiB = **{rss_kb * 1024 / cb:.2f}×** the column bytes ({cb / 2**20:.0f} MiB; goal ≤ 1.5×) | |")
cb32 = n(f, "column_bytes")
print(f"| peak RSS of the parse with the contract's types, number columns as float32 | {rss32_kb / 1024:.0f} MiB = {rss32_kb * 1024 / cb32:.2f}× the column bytes ({cb32 / 2**20:.0f} MiB); parse {n(f, 'parse_seconds'):.2f} s | {n(f, 'parse_cpu_seconds'):.2f} s |")
val = n(v, "validate_seconds")
print(f"| GitML full validation ({v['checks']} checks incl. exact drift of 14 columns vs v1), tables parsed | {val:.2f} s = **{val / arrow:.2f}×** pyarrow's parse (goal ≤ 3×) | {n(v, 'validate_cpu_seconds'):.2f} s |")
print(f"| GitML validation without drift ({v['nodrift_checks']} checks) | {n(v, 'validate_nodrift_seconds'):.2f} s | {n(v, 'validate_nodrift_cpu_seconds'):.2f} s |")
print(f"| pandera, the same checks without drift (frame parsed by pandas with the contract's dtypes) | {n(p, 'pandera_seconds'):.2f} s | {n(p, 'pandera_cpu_seconds'):.2f} s |")
print(f"| drift in Python (no pandera feature: scipy `ks_2samp` + numpy PSI/JS/χ²/L∞ on 14 columns) | {n(p, 'pandera_drift_seconds'):.2f} s | {n(p, 'pandera_drift_cpu_seconds'):.2f} s |")
print(f"| pandera + Python drift / GitML full validation | {(n(p, 'pandera_seconds') + n(p, 'pandera_drift_seconds')) / val:.2f}× | {(n(p, 'pandera_cpu_seconds') + n(p, 'pandera_drift_cpu_seconds')) / n(v, 'validate_cpu_seconds'):.2f}× |")
print(f"| pandas typed parse of both files (for pandera) vs GitML typed parse of both | {n(p, 'pandas_typed_parse_both_seconds'):.2f} s vs {n(v, 'parse_with_schema_both_seconds'):.2f} s | {n(p, 'pandas_typed_parse_both_cpu_seconds'):.2f} s vs {n(v, 'parse_with_schema_both_cpu_seconds'):.2f} s |")
print(f"\nFailures found on this data: GitML {v['failed']} of {v['checks']} checks ({v.get('failed_checks') or 'none'}); "
      f"pandera {p['pandera_failure_cases']} failure cases ({p.get('pandera_failed_checks') or 'none'}); "
      f"Python drift {p['pandera_drift_failures']} ({p.get('pandera_drift_failed_checks') or 'none'})")
PY
