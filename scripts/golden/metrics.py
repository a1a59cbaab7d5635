#!/usr/bin/env python3
"""Golden vectors for the Evaluation metrics, from scikit-learn 1.9.1 and numpy.

Run:  python3 -m venv /tmp/evalvenv --system-site-packages
      /tmp/evalvenv/bin/pip install scikit-learn==1.9.1
      /tmp/evalvenv/bin/python scripts/golden/metrics.py
Writes Tests/EvaluationTests/Golden/metrics.json (NaN is written as null).
"""
import json
import math
import pathlib
import warnings

import numpy as np
import sklearn
from sklearn import metrics as M
from sklearn.calibration import calibration_curve

assert sklearn.__version__ == "1.9.1", sklearn.__version__
OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/EvaluationTests/Golden/metrics.json"
THRESHOLDS = [0.5, 0.3, 0.8]
MAX_FPRS = [0.1, 0.25, 0.5]
COSTS = dict(tp=-1.0, fp=2.0, tn=0.0, fn=10.0)


def clean(x):
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, (np.floating, float)):
        return None if math.isnan(x) else float(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    return x


def quiet(f, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return f(*a, **k)


def reliability(y, p, w, binning, n_bins):
    """Weighted generalisation of sklearn calibration_curve (identical when w is None)."""
    if binning == "uniform":
        bins = np.linspace(0.0, 1.0, n_bins + 1)
    else:
        bins = np.percentile(p, np.linspace(0, 1, n_bins + 1) * 100)
    ids = np.searchsorted(bins[1:-1], p)
    ww = np.ones_like(p) if w is None else np.asarray(w)
    tot = np.bincount(ids, weights=ww, minlength=n_bins)
    sums = np.bincount(ids, weights=ww * p, minlength=n_bins)
    true = np.bincount(ids, weights=ww * y, minlength=n_bins)
    nz = tot != 0
    prob_true, prob_pred = true[nz] / tot[nz], sums[nz] / tot[nz]
    if w is None:  # the unweighted case must equal scikit-learn exactly
        st, sp = calibration_curve(y, p, n_bins=n_bins, strategy=binning)
        assert np.allclose(st, prob_true, rtol=0, atol=1e-12) and np.allclose(sp, prob_pred, rtol=0, atol=1e-12)
    ece = float(np.sum(tot[nz] / tot.sum() * np.abs(prob_pred - prob_true)))
    return dict(edges=bins.tolist(), weight=tot[nz].tolist(), prob_true=prob_true.tolist(),
                prob_pred=prob_pred.tolist(), ece=ece)


def binary_case(name, y, p, w=None):
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    w = None if w is None else np.asarray(w, dtype=float)
    out = dict(name=name, labels=y.tolist(), scores=p.tolist(), weights=None if w is None else w.tolist())
    out["roc_auc"] = quiet(M.roc_auc_score, y, p, sample_weight=w)
    if len(np.unique(y)) == 2:
        out["partial_auc"] = {str(m): quiet(M.roc_auc_score, y, p, sample_weight=w, max_fpr=m) for m in MAX_FPRS}
    out["average_precision"] = quiet(M.average_precision_score, y, p, sample_weight=w)
    probs = bool(p.min() >= 0 and p.max() <= 1)
    if probs:
        out["log_loss"] = quiet(M.log_loss, y, p, sample_weight=w, labels=[0, 1])
        out["brier"] = quiet(M.brier_score_loss, y, p, sample_weight=w)
        out["reliability"] = {f"{b}-{n}": reliability(y, p, w, b, n)
                              for b, n in [("uniform", 15), ("uniform", 10), ("quantile", 10), ("quantile", 5)]}
    at = {}
    for t in THRESHOLDS:
        yhat = (p >= t).astype(float)
        tn, fp, fn, tp = quiet(M.confusion_matrix, y, yhat, labels=[0, 1], sample_weight=w).ravel()
        total = tn + fp + fn + tp
        at[str(t)] = dict(
            tn=tn, fp=fp, fn=fn, tp=tp,
            accuracy=quiet(M.accuracy_score, y, yhat, sample_weight=w),
            precision=quiet(M.precision_score, y, yhat, sample_weight=w, zero_division="warn"),
            recall=quiet(M.recall_score, y, yhat, sample_weight=w, zero_division="warn"),
            f1=quiet(M.f1_score, y, yhat, sample_weight=w, zero_division="warn"),
            specificity=quiet(M.recall_score, y, yhat, sample_weight=w, pos_label=0, zero_division="warn"),
            fpr=(fp / (fp + tn)) if fp + tn > 0 else 0.0,
            mcc=quiet(M.matthews_corrcoef, y, yhat, sample_weight=w),
            expected_cost=(tp * COSTS["tp"] + fp * COSTS["fp"] + tn * COSTS["tn"] + fn * COSTS["fn"]) / total,
        )
    out["at_threshold"] = at
    return out


def regression_case(name, y, p, w=None):
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    return dict(name=name, targets=y.tolist(), predictions=p.tolist(), weights=None if w is None else list(map(float, w)),
                mae=M.mean_absolute_error(y, p, sample_weight=w),
                rmse=M.root_mean_squared_error(y, p, sample_weight=w),
                r2=quiet(M.r2_score, y, p, sample_weight=w),
                mape=M.mean_absolute_percentage_error(y, p, sample_weight=w))


def main():
    rng = np.random.default_rng(20261130)
    cases = []
    cases.append(binary_case("tiny", [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]))
    cases.append(binary_case("tiny-weighted", [0, 0, 1, 1, 0], [0.1, 0.4, 0.35, 0.8, 0.4], [1.0, 2.0, 0.5, 3.0, 0.0]))
    n = 1000
    y = rng.random(n) < 0.3
    p = np.clip(np.round(0.3 * y + rng.random(n) * 0.7, 1), 0, 1)
    cases.append(binary_case("heavy-ties", y, p))
    w = rng.integers(0, 4, n).astype(float)
    cases.append(binary_case("heavy-ties-weighted", y, p, w))
    cases.append(binary_case("weights-continuous", y, rng.beta(2, 5, n) + 0.2 * y * rng.random(n) / 1.2, rng.gamma(2.0, 1.0, n)))
    cases.append(binary_case("all-equal-scores", y[:200], np.full(200, 0.5)))
    cases.append(binary_case("single-class-positive", np.ones(50), rng.random(50)))
    cases.append(binary_case("single-class-negative", np.zeros(50), rng.random(50)))
    cases.append(binary_case("edge-probabilities", [0, 1, 0, 1, 1, 0], [0.0, 1.0, 1.0, 0.0, 1e-20, 1 - 1e-17]))
    cases.append(binary_case("unbounded-scores", y[:300], rng.normal(size=300) + y[:300]))
    m = 20000
    ym = rng.random(m) < 0.1
    pm = 1 / (1 + np.exp(-(rng.normal(size=m) + 1.5 * ym - 2)))
    cases.append(binary_case("large-20k", ym, pm))
    cases.append(binary_case("large-20k-weighted", ym, np.round(pm, 3), rng.random(m) * 2))

    reg = []
    t = rng.normal(size=400) * 3
    reg.append(regression_case("random", t, t + rng.normal(size=400)))
    reg.append(regression_case("weighted", t, t + rng.normal(size=400), rng.random(400)))
    reg.append(regression_case("zeros-in-target", [0.0, 1.0, -2.0, 0.0], [0.1, 1.5, -1.0, 0.0]))
    reg.append(regression_case("constant-target-exact", [2.0, 2.0, 2.0], [2.0, 2.0, 2.0]))
    reg.append(regression_case("constant-target-wrong", [2.0, 2.0, 2.0], [2.0, 1.0, 2.0]))
    reg.append(regression_case("single-row", [1.0], [2.0]))

    doc = dict(sklearn=sklearn.__version__, numpy=np.__version__, thresholds=THRESHOLDS, max_fprs=MAX_FPRS,
               costs=COSTS, binary=cases, regression=reg)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(clean(doc), allow_nan=False, separators=(",", ":")))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
