#!/usr/bin/env python3
"""Cost growth of the promotion gate with the number of evaluation rows (issue 21).

    QUIET=1 python3 Benchmarks/scaling/gate.py [--rows 10000,100000,1000000,10000000] [--resamples 2000]

`gate-bench ROWS RESAMPLES` (release build; Benchmarks/gate/Sources) makes a candidate's and a
champion's predictions on ROWS evaluation rows (and ROWS/5 validation rows) in memory and times
`Gate.evaluate` on the gate benchmark's suite: the expected cost at the cost-optimal operating
point as the primary metric, ECE and per-slice recall over three slice columns as guardrails,
a paired bootstrap of RESAMPLES resamples. The table gives the evaluation's wall and CPU
seconds (timed inside the process) and the process's peak RSS (GNU time), which holds both
models' predictions with their slice columns and row ids. No other tool makes this decision,
so there is no anchor beside it; the metric work alone is compared with scikit-learn in
Benchmarks/scaling/eval.py. Each size started at a 1-minute load below 1 with QUIET=1. A Markdown
table goes to Benchmarks/work/BENCHMARKS-scaling-gate.md and the plots to docs/scaling-gate.svg.
"""
import argparse
import os
import platform
import sys
import time

import common

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WORK = os.path.join(ROOT, "Benchmarks", "work", "scaling")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rows", default="10000,100000,1000000,10000000")
    p.add_argument("--resamples", type=int, default=2000)
    p.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "gate-bench"))
    p.add_argument("--svg", default=os.path.join(ROOT, "docs", "scaling-gate.svg"))
    a = p.parse_args()
    os.makedirs(WORK, exist_ok=True)
    results = []
    for rows in [int(r) for r in a.rows.split(",")]:
        result = common.timed(f"{a.binary} {rows} {a.resamples}", WORK, dict(os.environ), WORK)
        cells = [c.strip() for c in result["stdout"].strip().splitlines()[-1].strip("|").split("|")]
        gate = {"wall": float(cells[5]), "cpu": float(cells[6]), "rss": result["rss"], "load": result["load"], "process": result["wall"],
                "decision": cells[7]}
        results.append((rows, {"Gate.evaluate": gate}))
        print(f"{rows} rows: {gate['wall']:.2f} s, {gate['rss']:.0f} MiB", file=sys.stderr, flush=True)
    loads = [r["Gate.evaluate"]["load"] for _, r in results]
    lines = [f"Gate.evaluate against evaluation rows ({a.resamples} resamples; {platform.machine()}, {os.cpu_count()} CPUs; "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; 1-minute load at each start {min(loads):.2f}–{max(loads):.2f})", "",
             "| evaluation rows | Gate.evaluate wall s (CPU s) | process wall s (with making the predictions) | peak RSS | µs per row | decision |",
             "|---:|---:|---:|---:|---:|---|"]
    for rows, r in results:
        g = r["Gate.evaluate"]
        lines.append(f"| {rows:,} | {g['wall']:.2f} ({g['cpu']:.2f}) | {g['process']:.2f} | {g['rss']:.0f} MiB | {g['wall'] / rows * 1e6:.2f} | {g['decision']} |")
    text = "\n".join(lines) + "\n"
    print(text)
    with open(os.path.join(ROOT, "Benchmarks", "work", "BENCHMARKS-scaling-gate.md"), "w") as f:
        f.write(text)
    with open(a.svg, "w") as f:
        f.write(common.svg(results, "evaluation rows", f", {a.resamples} resamples", {"Gate.evaluate": "#1f77b4"},
                           time_label="Gate.evaluate time"))


if __name__ == "__main__":
    main()
