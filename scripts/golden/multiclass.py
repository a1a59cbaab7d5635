#!/usr/bin/env python3
"""Golden vectors for the multiclass metrics, from scikit-learn 1.9.1 and numpy.

Run:  /tmp/golden-venv/bin/python scripts/golden/multiclass.py   (venv: see scripts/golden/regression.py)
Writes Tests/EvaluationTests/Golden/multiclass.json (NaN, and metrics scikit-learn refuses, as null).
Top-label ECE has no scikit-learn function: it is the numpy formula in docs/STATISTICS.md.
"""
import json
import math
import pathlib
import warnings

import numpy as np
import sklearn
from sklearn import metrics as M

assert sklearn.__version__ == "1.9.1", sklearn.__version__
OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/EvaluationTests/Golden/multiclass.json"
KS = [1, 2, 3]


def clean(x):
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, (np.floating, float)):
        return None if math.isnan(x) else float(x)
    if isinstance(x, np.integer):
        return int(x)
    return x


def attempt(f, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return f(*a, **k)
        except ValueError:
            return None


def top_label_ece(y, p, w):
    conf, pred = p.max(axis=1), p.argmax(axis=1)
    ww = np.ones(len(y)) if w is None else w
    ids = np.searchsorted(np.linspace(0.0, 1.0, 16)[1:-1], conf)
    tot = np.bincount(ids, weights=ww, minlength=15)
    c = np.bincount(ids, weights=ww * conf, minlength=15)
    a = np.bincount(ids, weights=ww * (pred == y), minlength=15)
    nz = tot > 0
    return float(np.sum(tot[nz] / tot.sum() * np.abs(a[nz] / tot[nz] - c[nz] / tot[nz])))


def case(name, y, p, w=None):
    y = np.asarray(y)
    p = np.asarray(p, dtype=float)
    ww = None if w is None else np.asarray(w, dtype=float)
    k = p.shape[1]
    labels = list(range(k))
    pred = p.argmax(axis=1)
    kw = dict(sample_weight=ww)
    out = dict(name=name, classes=k, labels=y.tolist(), probabilities=p.ravel().tolist(),
               weights=None if ww is None else ww.tolist())
    out["log_loss"] = M.log_loss(y, p, labels=labels, **kw)
    out["accuracy"] = M.accuracy_score(y, pred, **kw)
    out["balanced_accuracy"] = attempt(M.balanced_accuracy_score, y, pred, **kw)
    for avg in ["macro", "micro", "weighted"]:
        out[f"f1_{avg}"] = attempt(M.f1_score, y, pred, average=avg, **kw)
    present = sorted(set(y.tolist()) | set(pred.tolist()))
    out["present"] = present
    out["precision"] = attempt(M.precision_score, y, pred, average=None, **kw).tolist()
    out["recall"] = attempt(M.recall_score, y, pred, average=None, **kw).tolist()
    out["top_k"] = {str(kk): M.top_k_accuracy_score(y, p, k=kk, labels=labels, **kw) for kk in KS}
    out["roc_auc_ovr_macro"] = attempt(M.roc_auc_score, y, p, multi_class="ovr", average="macro", labels=labels, **kw)
    out["roc_auc_ovr_weighted"] = attempt(M.roc_auc_score, y, p, multi_class="ovr", average="weighted", labels=labels, **kw)
    # Undefined (NaN here) with weights, which scikit-learn's one-vs-one refuses, or with a class
    # absent from y (a pair then has one class).
    out["roc_auc_ovo"] = None if ww is not None or len(set(y.tolist())) < k else \
        attempt(M.roc_auc_score, y, p, multi_class="ovo", labels=labels)
    out["brier"] = M.brier_score_loss(y, p, labels=labels, **kw)
    out["top_label_ece"] = top_label_ece(y, p, ww)
    return out


def main():
    rng = np.random.default_rng(23)
    n, k = 300, 4
    y = rng.integers(0, k, size=n)
    logits = rng.normal(size=(n, k)) + 1.5 * np.eye(k)[y]
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    ties = np.round(p, 1)
    ties = ties / ties.sum(axis=1, keepdims=True)
    ties = np.round(ties, 2)
    ties[:, -1] = 1 - ties[:, :-1].sum(axis=1)
    ties = np.clip(ties, 0, 1)
    absent = y.copy()
    absent[absent == 2] = 1
    cases = [
        case("random", y, p),
        case("weighted", y, p, rng.random(n)),
        case("weighted-with-zeros", y[:60], p[:60], np.where(rng.random(60) < 0.3, 0.0, rng.random(60))),
        case("ties", y, ties),
        case("class-absent", absent, p),
        case("perfect", y[:40], np.eye(k)[y[:40]]),
        case("three-classes", y[:90] % 3, (lambda q: q / q.sum(axis=1, keepdims=True))(p[:90, :3])),
    ]
    doc = dict(sklearn=sklearn.__version__, numpy=np.__version__, ks=KS, cases=cases)
    OUT.write_text(json.dumps(clean(doc), allow_nan=False, separators=(",", ":")))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
