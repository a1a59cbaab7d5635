#!/usr/bin/env python3
"""Cost growth of the GBDT fit with the number of training rows, beside LightGBM (issue 21).

    QUIET=1 Benchmarks/.venv/bin/python Benchmarks/scaling/gbdt.py [--rows 100000,1000000,10000000] [--runs 1]

The data is the learner benchmark's generator (Benchmarks/learners/bench.py: 30 float32 features,
a nonlinear binary task, seed 7) at each size, with 10,000 holdout rows. Each fit is 100 rounds,
31 leaves, learning rate 0.1, 255 bins, 2 threads: GitML's `learners-bench gbdt` (release build)
and LightGBM 4.7.0 through `bench.py lightgbm` (row-wise, deterministic), each in its own
process, alternating, each started at a 1-minute load below 1 with QUIET=1. Both processes read
the same column files, fit, then predict the training rows; the table gives the fit's wall and
CPU seconds (timed inside each process) and the process's peak RSS (GNU time), which holds the
data (30 × 4 bytes a row), the binned matrix and the model. A Markdown table goes to
Benchmarks/work/BENCHMARKS-scaling-gbdt.md and the plots (fit time and peak RSS against rows,
log-log) to docs/scaling-gbdt.svg. Needs Benchmarks/.venv with LightGBM (Benchmarks/learners/run.sh).
"""
import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import time

import common

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WORK = os.path.join(ROOT, "Benchmarks", "work", "scaling")
HOLDOUT = 10_000


def measure(rows, runs, binary):
    data = os.path.join(WORK, f"gbdt-{rows}")
    env = dict(os.environ, LEARNERS_DATA=data, LEARNERS_TRAIN_ROWS=str(rows), LEARNERS_HOLDOUT_ROWS=str(HOLDOUT),
               OMP_NUM_THREADS="2", OPENBLAS_NUM_THREADS="2", MKL_NUM_THREADS="2")
    bench = os.path.join(ROOT, "Benchmarks", "learners", "bench.py")
    shutil.rmtree(data, ignore_errors=True)
    common.timed(f"{sys.executable} -c 'import sys; sys.path.insert(0, \"{os.path.dirname(bench)}\"); import bench; bench.generate()'",
                 ROOT, env, WORK)
    commands = {"GitML": f"{binary} gbdt {data} 2", "LightGBM": f"{sys.executable} {bench} lightgbm"}
    samples = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            result = common.timed(command, ROOT, env, WORK)
            fit = json.loads(result["stdout"].strip().splitlines()[-1])
            samples[name].append({"fit": fit["fit_seconds"], "fit_cpu": fit["fit_cpu_seconds"], "rss": result["rss"], "load": result["load"]})
    shutil.rmtree(data)
    return {name: {key: statistics.median(s[key] for s in runs_of) for key in ("fit", "fit_cpu", "rss")}
            | {"loads": [s["load"] for s in runs_of], "fits": [s["fit"] for s in runs_of]}
            for name, runs_of in samples.items()}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rows", default="100000,1000000,10000000")
    p.add_argument("--runs", type=int, default=1, help="fits of each library at each size (the table gives the median)")
    p.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "learners-bench"))
    p.add_argument("--svg", default=os.path.join(ROOT, "docs", "scaling-gbdt.svg"))
    a = p.parse_args()
    os.makedirs(WORK, exist_ok=True)
    results = []
    for rows in [int(r) for r in a.rows.split(",")]:
        result = measure(rows, a.runs, a.binary)
        results.append((rows, result))
        print(f"{rows} rows: " + ", ".join(f"{k} fit {v['fit']:.2f} s, {v['rss']:.0f} MiB" for k, v in result.items()), file=sys.stderr, flush=True)
    loads = [l for _, r in results for v in r.values() for l in v["loads"]]
    lines = [f"GBDT fit against rows (100 rounds, 31 leaves, 2 threads; {platform.machine()}, {os.cpu_count()} CPUs; "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {a.runs} run(s) each, median; 1-minute load at each start "
             f"{min(loads):.2f}–{max(loads):.2f})", "",
             "| training rows | GitML fit s (CPU s) | LightGBM fit s (CPU s) | GitML / LightGBM | GitML peak RSS | LightGBM peak RSS | GitML µs per row |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for rows, r in results:
        g, l = r["GitML"], r["LightGBM"]
        lines.append(f"| {rows:,} | {g['fit']:.2f} ({g['fit_cpu']:.2f}) | {l['fit']:.2f} ({l['fit_cpu']:.2f}) | {g['fit'] / l['fit']:.2f}× | "
                     f"{g['rss']:.0f} MiB | {l['rss']:.0f} MiB | {g['fit'] / rows * 1e6:.2f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    with open(os.path.join(ROOT, "Benchmarks", "work", "BENCHMARKS-scaling-gbdt.md"), "w") as f:
        f.write(text)
    with open(a.svg, "w") as f:
        f.write(common.svg(results, "training rows", "", {"GitML": "#1f77b4", "LightGBM": "#d62728"}, time_key="fit", time_label="fit time"))


if __name__ == "__main__":
    main()
