#!/usr/bin/env python3
"""Cost growth of `git ml eval` with the number of rows, beside pandas + scikit-learn (issue 21).

    QUIET=1 Benchmarks/.venv/bin/python Benchmarks/scaling/eval.py [--rows 100000,1000000,10000000,100000000] [--runs 1]

Each size is a predictions CSV of a binary label and a score with four decimals (`y,p`; 30%
positives, seed 1; 9 bytes a row), written with numpy. GitML: `git ml eval FILE --label y
--score p` (release build) — ROC AUC, average precision, log loss, Brier score and ECE over 15
bins. The anchor does the same work as a user would in Python: `pandas.read_csv`, then
scikit-learn 1.9.1's `roc_auc_score`, `average_precision_score`, `log_loss` and
`brier_score_loss`, and the 15-bin ECE in numpy; its values are checked against GitML's to
1e-6. Each command in its own process, alternating, each started at a 1-minute load below 1
with QUIET=1, the file in the page cache; wall and CPU seconds and peak RSS from GNU time. A
Markdown table goes to Benchmarks/work/BENCHMARKS-scaling-eval.md and the plots to
docs/scaling-eval.svg. Needs Benchmarks/.venv with numpy, pandas 3.1.1 and scikit-learn 1.9.1.
"""
import os
import statistics
import sys

import numpy as np

import common

WORK = common.WORK

ANCHOR = r'''
import sys
import numpy as np, pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score
frame = pd.read_csv(sys.argv[1])
y, p = frame["y"].to_numpy(), frame["p"].to_numpy()
bins = np.minimum((p * 15).astype(np.int64), 14)
count = np.bincount(bins, minlength=15)
gap = np.abs(np.bincount(bins, weights=p, minlength=15) - np.bincount(bins, weights=y, minlength=15))
print(roc_auc_score(y, p), average_precision_score(y, p), log_loss(y, p), brier_score_loss(y, p), gap.sum() / len(y))
'''


def write_predictions(path, rows, chunk=10_000_000):
    """`y,p` rows: a label drawn with 30% positives and a score with four decimals."""
    rng = np.random.default_rng(1)
    with open(path, "wb") as out:
        out.write(b"y,p\n")
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            y = rng.random(n) < 0.3
            quantized = (np.clip(rng.normal(size=n) * 0.2 + 0.35 + 0.2 * y, 0, 0.9999) * 10000).astype(np.int64)
            text = np.empty((n, 9), dtype=np.uint8)
            text[:, 0] = ord("0") + y
            text[:, 1], text[:, 2], text[:, 3], text[:, 8] = ord(","), ord("0"), ord("."), ord("\n")
            for digit in range(4):
                text[:, 4 + digit] = ord("0") + quantized // 10 ** (3 - digit) % 10
            out.write(text.tobytes())


def measure(rows, runs, binary):
    path = os.path.join(WORK, f"eval-{rows}.csv")
    write_predictions(path, rows)
    anchor = os.path.join(WORK, "eval_anchor.py")
    with open(anchor, "w") as f:
        f.write(ANCHOR)
    commands = {"git ml eval": f"{binary} eval {path} --label y --score p",
                "pandas + scikit-learn": f"{sys.executable} {anchor} {path}"}
    samples = {name: [] for name in commands}
    outputs = {}
    for _ in range(runs):
        for name, command in commands.items():
            result = common.timed(command, WORK, dict(os.environ, OMP_NUM_THREADS="2"), WORK)
            samples[name].append(result)
            outputs[name] = result["stdout"]
    check(outputs["git ml eval"], outputs["pandas + scikit-learn"])
    os.unlink(path)
    return {name: {key: statistics.median(r[key] for r in results) for key in ("wall", "cpu", "rss")} | {"loads": [r["load"] for r in results]}
            for name, results in samples.items()}


def check(gitml, anchor):
    """GitML's five values equal the anchor's to 1e-6 (GitML prints six significant digits)."""
    ours = {line.strip().rsplit(None, 1)[0].strip(): float(line.split()[-1]) for line in gitml.splitlines()[1:] if line.strip()}
    theirs = [float(v) for v in anchor.split()]
    for name, value in zip(["ROC AUC", "average precision", "log loss", "Brier score", "ECE (15 bins)"], theirs):
        if abs(ours[name] - value) > 1e-6 * max(1, abs(value)):
            raise SystemExit(f"{name}: git ml eval says {ours[name]}, scikit-learn {value}")


def main():
    a = common.arguments("eval", "100000,1000000,10000000,100000000", "git-ml", runs=(int, 1))
    results = common.each_size(a.rows, lambda rows: measure(rows, a.runs, a.binary),
                               lambda r: ", ".join(f"{k} {v['wall']:.2f} s, {v['rss']:.0f} MiB" for k, v in r.items()))
    loads = [l for _, r in results for v in r.values() for l in v["loads"]]
    names = list(results[0][1])
    imports = common.timed(f"{sys.executable} -c 'import numpy, pandas, sklearn.metrics'", WORK, dict(os.environ), WORK)
    lines = [common.heading(f"git ml eval against rows (the anchor's imports alone take {imports['wall']:.2f} s of its wall)", loads,
                            f"{a.runs} run(s) each, median; "), "",
             "| rows | " + " | ".join(f"{n}: wall s (CPU s), peak RSS" for n in names) + " | GitML / anchor | GitML ns per row |",
             "|---:|" + "---|" * len(names) + "---:|---:|"]
    for rows, r in results:
        g, anchor = r[names[0]], r[names[1]]
        lines.append(f"| {rows:,} | " + " | ".join(f"{r[n]['wall']:.2f} ({r[n]['cpu']:.2f}), {r[n]['rss']:.0f} MiB" for n in names) +
                     f" | {g['wall'] / anchor['wall']:.2f}× | {g['wall'] / rows * 1e9:.0f} |")
    common.report("eval", lines, a.svg, common.svg(results, "rows", "", {"git ml eval": "#1f77b4", "pandas + scikit-learn": "#d62728"}))


if __name__ == "__main__":
    main()
