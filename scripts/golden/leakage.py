#!/usr/bin/env python3
"""Golden vectors for the categorical single-feature leakage check (docs/STATISTICS.md, Leakage).

Writes Tests/ContractsTests/Golden/leakage.json: category columns (null as None) with binary labels
(null as None), the out-of-fold target encoding of every labelled row, and its AUC from
scikit-learn's roc_auc_score. Folds: row i is in fold i mod K; a row in fold f scores
(positives + m * prior) / (rows + m) over the labelled rows outside f with its category (a null is
a category of its own), prior = positive rate of the labelled rows outside f (0.5 when none).
Run:  python3 -m venv /tmp/golden-venv --system-site-packages
      /tmp/golden-venv/bin/pip install scikit-learn==1.9.1
      /tmp/golden-venv/bin/python scripts/golden/leakage.py
"""
import json
import pathlib

import numpy as np
import sklearn
from sklearn.metrics import roc_auc_score

assert sklearn.__version__ == "1.9.1", sklearn.__version__
K = 5
M = 10.0
OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/ContractsTests/Golden/leakage.json"


def encoding(values, labels):
    n = len(values)
    fold = np.arange(n) % K
    labelled = [i for i in range(n) if labels[i] is not None]
    scores = []
    for i in labelled:
        outside = [j for j in labelled if fold[j] != fold[i]]
        prior = sum(labels[j] for j in outside) / len(outside) if outside else 0.5
        same = [j for j in outside if values[j] == values[i]]
        scores.append((sum(labels[j] for j in same) + M * prior) / (len(same) + M))
    return labelled, scores


def case(name, values, labels):
    labelled, scores = encoding(values, labels)
    y = [labels[i] for i in labelled]
    return {"name": name, "values": values, "labels": labels, "encoding": scores,
            "auc": float(roc_auc_score(y, scores))}


def main():
    rng = np.random.default_rng(20261204)
    label = (rng.random(600) < 0.3).astype(int)
    noisy = np.where(rng.random(600) < 0.01, 1 - label, label)
    copy = ["yes" if v else "no" for v in noisy]
    ids = [f"id{i:05d}" for i in rng.permutation(600)]
    region = [["north", "south", "east", "west", None][k] for k in rng.integers(0, 5, 600)]
    rate = {"a": 0.1, "b": 0.3, "c": 0.6, None: 0.5}
    grade_values = [["a", "b", "c", None][k] for k in rng.integers(0, 4, 400)]
    grade_labels = [int(rng.random() < rate[v]) if rng.random() > 0.05 else None for v in grade_values]
    small_values = ["x", "y", "x", "z", "y", "x", "z", "z", "x", "y", "y", "x"]
    small_labels = [1, 0, 1, None, 0, 1, 1, 0, 1, 0, 0, 1]
    cases = [
        case("label-copy-1pct-noise", copy, label.tolist()),
        case("unique-id", ids, label.tolist()),
        case("unrelated-with-nulls", region, label.tolist()),
        case("associated-with-null-labels", grade_values, grade_labels),
        case("small", small_values, small_labels),
    ]
    OUT.write_text(json.dumps({"generator": f"scripts/golden/leakage.py (numpy {np.__version__}, scikit-learn {sklearn.__version__})",
                               "folds": K, "smoothing": M, "cases": cases}, separators=(",", ":")))


if __name__ == "__main__":
    main()
