#!/usr/bin/env python3
"""Golden vectors for the multiclass metrics, from scikit-learn 1.9.1 and numpy.

Run:  /tmp/golden-venv/bin/python scripts/golden/multiclass.py   (venv: see scripts/golden/regression.py)
Writes Tests/EvaluationTests/Golden/multiclass.json (NaN, and metrics scikit-learn refuses, as null).
Top-label and classwise ECE have no scikit-learn function: they are the numpy formulas in
docs/STATISTICS.md. Each case also carries a cost matrix: the Bayes-optimal decision of every row
(argmin over decided classes j of sum_k p_k*C[k][j], summed in class order as plain Python floats,
first class on ties) and the expected cost of the argmax and of the Bayes decisions, the latter
from scikit-learn's weighted confusion matrix (sum of counts * costs over the total weight).
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


def classwise_ece(y, p, w):
    ww = np.ones(len(y)) if w is None else w
    edges = np.linspace(0.0, 1.0, 16)[1:-1]
    total = 0.0
    for k in range(p.shape[1]):
        ids = np.searchsorted(edges, p[:, k])
        tot = np.bincount(ids, weights=ww, minlength=15)
        c = np.bincount(ids, weights=ww * p[:, k], minlength=15)
        a = np.bincount(ids, weights=ww * (y == k), minlength=15)
        nz = tot > 0
        total += float(np.sum(tot[nz] / tot.sum() * np.abs(a[nz] / tot[nz] - c[nz] / tot[nz])))
    return total / p.shape[1]


def bayes_decisions(p, costs):
    decided = []
    for row in p.tolist():
        best, best_cost = 0, math.inf
        for j in range(len(costs)):
            cost = 0.0
            for k, pk in enumerate(row):
                cost += pk * costs[k][j]
            if cost < best_cost:
                best, best_cost = j, cost
        decided.append(best)
    return np.asarray(decided)


def expected_cost(y, decided, costs, w, labels):
    cm = M.confusion_matrix(y, decided, labels=labels, sample_weight=w)
    return float(np.sum(cm * np.asarray(costs, dtype=float)) / cm.sum())


def case(name, y, p, w=None, costs=None):
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
    out["classwise_ece"] = classwise_ece(y, p, ww)
    out["costs"] = costs
    bayes = bayes_decisions(p, costs)
    out["bayes_decisions"] = bayes.tolist()
    out["expected_cost_argmax"] = expected_cost(y, pred, costs, ww, labels)
    out["expected_cost_bayes"] = expected_cost(y, bayes, costs, ww, labels)
    out["accuracy_bayes"] = M.accuracy_score(y, bayes, **kw)
    out["f1_macro_bayes"] = attempt(M.f1_score, y, bayes, average="macro", **kw)
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
    # Asymmetric costs; TIED has equal columns 0 and 1 (Bayes ties, the first class wins) and
    # ZERO_ONE makes Bayes the argmax (ties in p become ties in cost).
    costs = [[0, 1, 4, 2], [3, 0, 1, 5], [2, 2, 0, 1], [6, 1, 1, 0]]
    tied = [[0, 0, 4, 2], [3, 3, 1, 5], [2, 2, 0, 1], [6, 6, 1, 0]]
    zero_one = [[0, 1, 1, 1], [1, 0, 1, 1], [1, 1, 0, 1], [1, 1, 1, 0]]
    cases = [
        case("random", y, p, costs=costs),
        case("weighted", y, p, rng.random(n), costs=costs),
        case("weighted-with-zeros", y[:60], p[:60], np.where(rng.random(60) < 0.3, 0.0, rng.random(60)), costs=costs),
        case("ties", y, ties, costs=tied),
        case("ties-zero-one", y, ties, costs=zero_one),
        case("class-absent", absent, p, costs=costs),
        case("perfect", y[:40], np.eye(k)[y[:40]], costs=costs),
        case("three-classes", y[:90] % 3, (lambda q: q / q.sum(axis=1, keepdims=True))(p[:90, :3]),
             costs=[[0, 2, 5], [1, 0, 3], [4, 1, 0]]),
    ]
    doc = dict(sklearn=sklearn.__version__, numpy=np.__version__, ks=KS, cases=cases)
    OUT.write_text(json.dumps(clean(doc), allow_nan=False, separators=(",", ":")))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
