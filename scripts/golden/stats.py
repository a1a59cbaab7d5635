#!/usr/bin/env python3
"""Reference values for the Evaluation statistics (scipy, statsmodels, numpy, and the
published fast DeLong implementation of Sun & Xu 2014 as released in
github.com/yandexdataschool/roc_comparison, reproduced below).

Run:  /tmp/evalvenv/bin/pip install scikit-learn==1.9.1 statsmodels
      /tmp/evalvenv/bin/python scripts/golden/stats.py
Writes Tests/EvaluationTests/Golden/stats.json.
"""
import json
import pathlib

import numpy as np
import scipy
import scipy.stats
from scipy.special import ndtr, ndtri
from sklearn.metrics import roc_auc_score
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/EvaluationTests/Golden/stats.json"


# --- fast DeLong (yandexdataschool/roc_comparison, compare_auc_delong_xu.py) ---
def compute_midrank(x):
    J = np.argsort(x)
    Z = x[J]
    N = len(x)
    T = np.zeros(N, dtype=float)
    i = 0
    while i < N:
        j = i
        while j < N and Z[j] == Z[i]:
            j += 1
        T[i:j] = 0.5 * (i + j - 1)
        i = j
    T2 = np.empty(N, dtype=float)
    T2[J] = T + 1
    return T2


def fastDeLong(predictions_sorted_transposed, label_1_count):
    m = label_1_count
    n = predictions_sorted_transposed.shape[1] - m
    positive_examples = predictions_sorted_transposed[:, :m]
    negative_examples = predictions_sorted_transposed[:, m:]
    k = predictions_sorted_transposed.shape[0]
    tx = np.empty([k, m], dtype=float)
    ty = np.empty([k, n], dtype=float)
    tz = np.empty([k, m + n], dtype=float)
    for r in range(k):
        tx[r, :] = compute_midrank(positive_examples[r, :])
        ty[r, :] = compute_midrank(negative_examples[r, :])
        tz[r, :] = compute_midrank(predictions_sorted_transposed[r, :])
    aucs = tz[:, :m].sum(axis=1) / m / n - float(m + 1.0) / 2.0 / n
    v01 = (tz[:, :m] - tx[:, :]) / n
    v10 = 1.0 - (tz[:, m:] - ty[:, :]) / m
    sx = np.cov(v01)
    sy = np.cov(v10)
    delongcov = sx / m + sy / n
    return aucs, delongcov


def calc_pvalue(aucs, sigma):
    l = np.array([[1, -1]])
    z = np.abs(np.diff(aucs)) / np.sqrt(np.dot(np.dot(l, sigma), l.T))
    return np.log10(2) + scipy.stats.norm.logsf(z, loc=0, scale=1) / np.log(10)


def delong_roc_test(ground_truth, predictions_one, predictions_two):
    order = (-ground_truth).argsort(kind="mergesort")
    label_1_count = int(ground_truth.sum())
    predictions_sorted_transposed = np.vstack((predictions_one, predictions_two))[:, order]
    aucs, delongcov = fastDeLong(predictions_sorted_transposed, label_1_count)
    return calc_pvalue(aucs, delongcov), aucs, delongcov


def delong_cases(rng):
    cases = []
    for name, n, ties in [("small", 60, False), ("ties", 400, True), ("medium", 3000, False)]:
        y = (rng.random(n) < 0.35).astype(int)
        y[0], y[1] = 0, 1
        a = rng.normal(size=n) + 0.8 * y
        b = a + rng.normal(size=n) * 0.7 + 0.2 * y
        if ties:
            a, b = np.round(a, 0), np.round(b, 1)
        log10p, aucs, cov = delong_roc_test(y, a, b)
        assert abs(aucs[0] - roc_auc_score(y, a)) < 1e-12 and abs(aucs[1] - roc_auc_score(y, b)) < 1e-12
        cases.append(dict(name=name, labels=y.tolist(), baseline=a.tolist(), candidate=b.tolist(),
                          auc_baseline=aucs[0], auc_candidate=aucs[1], var_baseline=cov[0, 0],
                          var_candidate=cov[1, 1], covariance=cov[0, 1], p_value=float(10 ** log10p[0][0])))
    return cases


def bca_reference(replicates, estimate, jackknife, confidence):
    """scipy.stats.bootstrap's BCa formulas (scipy/stats/_resampling.py, _bca_interval)."""
    B = len(replicates)
    pct = (np.count_nonzero(replicates < estimate) + np.count_nonzero(replicates <= estimate)) / (2 * B)
    z0 = ndtri(pct)
    n = float(len(jackknife))
    U = (n - 1) * (jackknife.mean() - jackknife)
    a = 1 / 6 * ((U ** 3).sum() / n ** 3) / ((U ** 2).sum() / n ** 2) ** 1.5
    alpha = (1 - confidence) / 2
    za = float(ndtri(alpha))
    a1 = ndtr(z0 + (z0 + za) / (1 - a * (z0 + za)))
    a2 = ndtr(z0 + (z0 - za) / (1 - a * (z0 - za)))
    return [float(scipy.stats.quantile(replicates, a1)), float(scipy.stats.quantile(replicates, a2))], float(a)


def stratified_auc_bootstrap(y, a, b, B, rng):
    """Monte-Carlo reference: stratified bootstrap percentile intervals of AUC(b) and AUC(b) − AUC(a)."""
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    single, diff = [], []
    for _ in range(B):
        idx = np.concatenate([rng.choice(pos, len(pos)), rng.choice(neg, len(neg))])
        ab, bb = roc_auc_score(y[idx], a[idx]), roc_auc_score(y[idx], b[idx])
        single.append(bb)
        diff.append(bb - ab)
    q = lambda v: np.percentile(v, [2.5, 97.5]).tolist()
    return dict(auc_interval=q(single), auc_sd=float(np.std(single, ddof=1)),
                difference_interval=q(diff), difference_sd=float(np.std(diff, ddof=1)))


def main():
    rng = np.random.default_rng(7)
    doc = dict(scipy=scipy.__version__, numpy=np.__version__)
    doc["delong"] = delong_cases(rng)

    tables = [(0, 0), (5, 0), (3, 12), (40, 25), (100, 100), (7, 1), (250, 300)]
    doc["mcnemar"] = [dict(b=b, c=c, statistic=float(r.statistic), p_value=float(r.pvalue))
                      for b, c in tables for r in [mcnemar([[10, b], [c, 10]], exact=True)]]

    p = np.concatenate([rng.random(12) * 0.1, [0.001, 0.5, 0.04, 0.04, 1.0]])
    doc["multiple_testing"] = dict(p_values=p.tolist(), holm=multipletests(p, method="holm")[1].tolist(),
                                   bh=multipletests(p, method="fdr_bh")[1].tolist())

    probs = [1e-300, 1e-20, 1e-10, 0.001, 0.025, 0.2, 0.425, 0.5, 0.575, 0.8, 0.975, 0.999, 1 - 1e-12]
    xs = [-38.0, -10.0, -3.0, -1.96, -0.5, 0.0, 0.3, 1.0, 2.5, 8.0]
    doc["normal"] = dict(p=probs, quantile=ndtri(probs).tolist(), x=xs, cdf=ndtr(xs).tolist())

    reps = rng.normal(0.7, 0.03, 500) + rng.gamma(1.0, 0.01, 500)
    jack = 0.7 + rng.normal(0, 0.001, 300) ** 3 * 1e3 + rng.normal(0, 0.0005, 300)
    ci, a = bca_reference(reps, 0.705, jack, 0.95)
    doc["bca"] = dict(replicates=reps.tolist(), estimate=0.705, jackknife=jack.tolist(), confidence=0.95,
                      interval=ci, acceleration=a,
                      percentile=[float(scipy.stats.quantile(reps, 0.025)), float(scipy.stats.quantile(reps, 0.975))])

    margins = []
    for est, se, delta, kind in [(0.01, 0.02, 0.02, "nonInferiority"), (-0.03, 0.01, 0.02, "nonInferiority"),
                                 (0.05, 0.015, 0.01, "superiority"), (0.0, 0.01, 0.0, "superiority")]:
        bound = -delta if kind == "nonInferiority" else delta
        margins.append(dict(estimate=est, se=se, margin=delta, hypothesis=kind,
                            p_value=float(scipy.stats.norm.sf((est - bound) / se))))
    doc["margin"] = margins

    t = rng.lognormal(1.0, 0.5, 1001)
    doc["latency"] = dict(timings=t.tolist(), p50=float(np.percentile(t, 50)), p95=float(np.percentile(t, 95)),
                          p99=float(np.percentile(t, 99)), mean=float(t.mean()))

    n = 600
    y = (rng.random(n) < 0.25).astype(int)
    a = rng.normal(size=n) + 1.0 * y
    b = a + rng.normal(size=n) * 0.8 + 0.3 * y
    mc = dict(labels=y.tolist(), baseline=a.tolist(), candidate=b.tolist(), resamples=20000)
    mc.update(stratified_auc_bootstrap(y, a, b, 20000, rng))
    doc["monte_carlo"] = mc

    OUT.write_text(json.dumps(doc, allow_nan=False, separators=(",", ":")))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
