#!/usr/bin/env python3
"""Evaluation benchmarks, side by side in one run; prints a Markdown table.

  Benchmarks/evaluation/run.sh            (creates Benchmarks/.venv with scikit-learn 1.9.1)

1. ROC AUC + average precision on 10M scores: Swift (radix sort) vs scikit-learn 1.9.1.
2. 1,000 stratified bootstrap resamples of ROC AUC on 1M rows: Swift vs a vectorized numpy
   implementation (sort once; each resample draws positions per class in sorted space and
   takes tie-aware weighted rank sums), and the naive scikit-learn loop (timed on 20 resamples,
   scaled to 1,000).
3. Paired bootstrap of ΔAUC, 2,000 resamples on 100k rows: Swift (goal ≤ 0.8 s on 2 cores).
"""
import json
import os
import pathlib
import platform
import subprocess
import sys
import time

import numpy as np
import sklearn
from sklearn.metrics import average_precision_score, roc_auc_score

ROOT = pathlib.Path(__file__).resolve().parents[2]
WORK = ROOT / "Benchmarks/work/evaluation"
BINARY = None


def swift(*args):
    out = subprocess.run([BINARY, *map(str, args)], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def write(name, array):
    path = WORK / name
    array.tofile(path)
    return path


def data(n, seed, positives=0.3):
    rng = np.random.default_rng(seed)
    y = rng.random(n) < positives
    score = np.round(rng.normal(size=n) + 0.8 * y, 4)  # realistic ties
    return y, score


def best(repeats, f):
    """Best wall seconds over `repeats`, with that run's CPU seconds, and the value."""
    runs = []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        value = f()
        runs.append((time.perf_counter() - start, time.process_time() - start_cpu))
    wall, cpu = min(runs)
    return wall, cpu, value


def numpy_stratified_auc_bootstrap(y, score, resamples, rng):
    """Sort once; per resample, counts per tie group from positions drawn per class."""
    order = np.argsort(score, kind="stable")
    s, yy = score[order], y[order]
    group = np.concatenate([[0], np.cumsum(s[1:] != s[:-1])])
    groups = group[-1] + 1
    pos_groups, neg_groups = group[yy], group[~yy]
    P, N = len(pos_groups), len(neg_groups)
    out = np.empty(resamples)
    for r in range(resamples):
        pos = np.bincount(pos_groups[rng.integers(0, P, P)], minlength=groups)
        neg = np.bincount(neg_groups[rng.integers(0, N, N)], minlength=groups)
        below = np.cumsum(neg) - neg
        out[r] = (pos * (below + 0.5 * neg)).sum() / (P * N)
    return np.percentile(out, [2.5, 97.5])


def main():
    global BINARY
    WORK.mkdir(parents=True, exist_ok=True)
    subprocess.run(["swift", "build", "-c", "release", "--product", "EvaluationBenchmark"], cwd=ROOT, check=True,
                   capture_output=True)
    bin_dir = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.strip()
    BINARY = os.path.join(bin_dir, "EvaluationBenchmark")
    rows = []

    # 1. AUC + AP on 10M scores.
    y, s = data(10_000_000, 1)
    sp, lp = write("auc10m.f64", s.astype(np.float64)), write("auc10m.u8", y.astype(np.uint8))
    ours = swift("auc", sp, lp)
    t_sk, c_sk, (auc, ap) = best(2, lambda: (roc_auc_score(y, s), average_precision_score(y, s)))
    assert abs(auc - ours["roc_auc"]) < 1e-9 and abs(ap - ours["average_precision"]) < 1e-9, (auc, ap, ours)
    rows.append(("ROC AUC + AP, 10M scores", ours, "scikit-learn 1.9.1", (t_sk, c_sk), "≤ 0.2×"))

    # 2. 1,000 stratified bootstrap AUC resamples on 1M rows.
    y, s = data(1_000_000, 2)
    sp, lp = write("boot1m.f64", s), write("boot1m.u8", y.astype(np.uint8))
    ours = swift("bootstrap", sp, lp, 1000)
    t_np, c_np, _ = best(1, lambda: numpy_stratified_auc_bootstrap(y, s, 1000, np.random.default_rng(0)))
    rows.append(("Stratified bootstrap AUC, 1,000 × 1M rows", ours, "numpy vectorized", (t_np, c_np), "≤ 0.25×"))
    rng = np.random.default_rng(0)
    pos, neg = np.flatnonzero(y), np.flatnonzero(~y)

    def naive(k):
        for _ in range(k):
            idx = np.concatenate([rng.choice(pos, len(pos)), rng.choice(neg, len(neg))])
            roc_auc_score(y[idx], s[idx])
    t_naive, c_naive, _ = best(1, lambda: naive(20))
    rows.append(("", None, "naive scikit-learn loop (20 timed, ×50)", (t_naive * 50, c_naive * 50), ""))

    # 3. Paired ΔAUC, 2,000 resamples on 100k rows.
    y, a = data(100_000, 3)
    b = np.round(a + np.random.default_rng(4).normal(size=len(a)) * 0.5, 4)
    ap_, bp, lp = write("pair_a.f64", a), write("pair_b.f64", b), write("pair.u8", y.astype(np.uint8))
    ours = swift("paired", ap_, bp, lp, 2000)
    rows.append(("Paired ΔAUC bootstrap, 2,000 × 100k rows", ours, "goal", (0.8, None), "≤ 0.8 s wall"))

    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    print(f"Machine: {cpu}, {os.cpu_count()} logical cores; Python {platform.python_version()}, "
          f"numpy {np.__version__}, scikit-learn {sklearn.__version__}\n")
    print("Wall = best wall-clock seconds; CPU = process CPU seconds of that run (all threads). "
          "On a shared machine the CPU figures are the stable ones.\n")
    print("| task | GitML wall (s) | GitML CPU (s) | anchor | anchor wall (s) | anchor CPU (s) | wall ratio | CPU ratio | goal |")
    print("|---|---|---|---|---|---|---|---|---|")
    fmt = lambda v: "" if v is None else f"{v:.3f}"
    for task, mine, anchor, (wall, cpu), goal in rows:
        mw, mc = (mine["seconds"], mine["cpu"]) if mine else (None, None)
        wr = f"{mw / wall:.3f}×" if mw is not None else ""
        cr = f"{mc / cpu:.3f}×" if mc is not None and cpu else ""
        print(f"| {task} | {fmt(mw)} | {fmt(mc)} | {anchor} | {fmt(wall)} | {fmt(cpu)} | {wr} | {cr} | {goal} |")


if __name__ == "__main__":
    sys.exit(main())
