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
import os

import common


def main():
    a = common.arguments("gate", "10000,100000,1000000,10000000", "gate-bench", resamples=(int, 2000))

    def measure(rows):
        result = common.timed(f"{a.binary} {rows} {a.resamples}", common.WORK, dict(os.environ), common.WORK)
        cells = [c.strip() for c in result["stdout"].strip().splitlines()[-1].strip("|").split("|")]
        return {"Gate.evaluate": {"wall": float(cells[5]), "cpu": float(cells[6]), "rss": result["rss"], "load": result["load"],
                                  "process": result["wall"], "decision": cells[7]}}

    results = common.each_size(a.rows, measure, lambda r: f"{r['Gate.evaluate']['wall']:.2f} s, {r['Gate.evaluate']['rss']:.0f} MiB")
    lines = [common.heading("Gate.evaluate against evaluation rows", [r["Gate.evaluate"]["load"] for _, r in results],
                            f"{a.resamples} resamples; "), "",
             "| evaluation rows | Gate.evaluate wall s (CPU s) | process wall s (with making the predictions) | peak RSS | µs per row | decision |",
             "|---:|---:|---:|---:|---:|---|"]
    for rows, r in results:
        g = r["Gate.evaluate"]
        lines.append(f"| {rows:,} | {g['wall']:.2f} ({g['cpu']:.2f}) | {g['process']:.2f} | {g['rss']:.0f} MiB | {g['wall'] / rows * 1e6:.2f} | {g['decision']} |")
    common.report("gate", lines, a.svg, common.svg(results, "evaluation rows", f", {a.resamples} resamples", {"Gate.evaluate": "#1f77b4"},
                                                   time_label="Gate.evaluate time"))


if __name__ == "__main__":
    main()
