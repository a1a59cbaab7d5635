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
import json
import os
import shutil
import statistics
import sys

import common

ROOT, WORK = common.ROOT, common.WORK
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
    a = common.arguments("gbdt", "100000,1000000,10000000", "learners-bench", runs=(int, 1))
    results = common.each_size(a.rows, lambda rows: measure(rows, a.runs, a.binary),
                               lambda r: ", ".join(f"{k} fit {v['fit']:.2f} s, {v['rss']:.0f} MiB" for k, v in r.items()))
    loads = [l for _, r in results for v in r.values() for l in v["loads"]]
    lines = [common.heading("GBDT fit against rows", loads, f"100 rounds, 31 leaves, 2 threads, {a.runs} run(s) each, median; "), "",
             "| training rows | GitML fit s (CPU s) | LightGBM fit s (CPU s) | GitML / LightGBM | GitML peak RSS | LightGBM peak RSS | GitML µs per row |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for rows, r in results:
        g, l = r["GitML"], r["LightGBM"]
        lines.append(f"| {rows:,} | {g['fit']:.2f} ({g['fit_cpu']:.2f}) | {l['fit']:.2f} ({l['fit_cpu']:.2f}) | {g['fit'] / l['fit']:.2f}× | "
                     f"{g['rss']:.0f} MiB | {l['rss']:.0f} MiB | {g['fit'] / rows * 1e6:.2f} |")
    common.report("gbdt", lines, a.svg, common.svg(results, "training rows", "", {"GitML": "#1f77b4", "LightGBM": "#d62728"},
                                                   time_key="fit", time_label="fit time"))


if __name__ == "__main__":
    main()
