#!/usr/bin/env python3
"""Golden vectors for the regression metrics and the paired t-test, from scikit-learn 1.9.1,
scipy and numpy.

Run:  python3 -m venv /tmp/golden-venv && /tmp/golden-venv/bin/pip install scipy scikit-learn==1.9.1 numpy
      /tmp/golden-venv/bin/python scripts/golden/regression.py
Writes Tests/EvaluationTests/Golden/regression.json (NaN is written as null). sMAPE and the
mean residual have no scikit-learn function: they are numpy formulas (docs/STATISTICS.md).
"""
import json
import math
import pathlib
import warnings

import numpy as np
import scipy
import sklearn
from scipy import stats
from sklearn import metrics as M

assert sklearn.__version__ == "1.9.1", sklearn.__version__
OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/EvaluationTests/Golden/regression.json"
QUANTILES = [0.1, 0.5, 0.9]
TWEEDIE_POWERS = [0.0, 1.0, 1.5, 2.0, 3.0, -1.0]
COSTS = dict(under=3.0, over=1.0)


def clean(x):
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, (np.floating, float)):
        return None if math.isnan(x) else float(x)
    return x


def quiet(f, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return f(*a, **k)


def tweedie_ok(y, p, power):
    if power == 0:
        return True
    if power < 0:
        return bool(np.all(p > 0))
    if power < 2:
        return bool(np.all(y >= 0) and np.all(p > 0))
    return bool(np.all(y > 0) and np.all(p > 0))


def case(name, y, p, w=None):
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    ww = None if w is None else np.asarray(w, dtype=float)
    avg = lambda v: float(np.average(v, weights=ww))
    kw = dict(sample_weight=ww)
    out = dict(name=name, targets=y.tolist(), predictions=p.tolist(), weights=None if ww is None else ww.tolist())
    out["mae"] = M.mean_absolute_error(y, p, **kw)
    out["rmse"] = M.root_mean_squared_error(y, p, **kw)
    out["mape"] = M.mean_absolute_percentage_error(y, p, **kw)
    out["smape"] = avg(2 * np.abs(y - p) / np.maximum(np.abs(y) + np.abs(p), np.finfo(np.float64).eps))
    out["median_ae"] = M.median_absolute_error(y, p, **kw)
    out["r2"] = quiet(M.r2_score, y, p, **kw)
    out["explained_variance"] = quiet(M.explained_variance_score, y, p, **kw)
    out["tweedie"] = {str(pw): M.mean_tweedie_deviance(y, p, power=pw, **kw) for pw in TWEEDIE_POWERS if tweedie_ok(y, p, pw)}
    if tweedie_ok(y, p, 1.0):
        assert out["tweedie"]["1.0"] == M.mean_poisson_deviance(y, p, **kw)
    if tweedie_ok(y, p, 2.0):
        assert out["tweedie"]["2.0"] == M.mean_gamma_deviance(y, p, **kw)
    out["pinball"] = {str(a): M.mean_pinball_loss(y, p, alpha=a, **kw) for a in QUANTILES}
    out["mean_residual"] = avg(y - p)
    u, o = COSTS["under"], COSTS["over"]
    out["expected_cost"] = (u + o) * M.mean_pinball_loss(y, p, alpha=u / (u + o), **kw)
    return out


def paired_t(name, y, a, b):
    """scipy's paired t-test on the per-row squared and absolute errors of two models."""
    y, a, b = (np.asarray(v, dtype=float) for v in (y, a, b))
    sq = stats.ttest_rel((y - b) ** 2, (y - a) ** 2)
    ab = stats.ttest_rel(np.abs(y - b), np.abs(y - a))
    return dict(name=name, targets=y.tolist(), baseline=a.tolist(), candidate=b.tolist(),
                squared=dict(statistic=sq.statistic, p_value=sq.pvalue, df=float(sq.df)),
                absolute=dict(statistic=ab.statistic, p_value=ab.pvalue, df=float(ab.df)))


ILL_CONDITIONED_ROWS = 20_000


def ill_conditioned(rows):
    """Targets 10⁹ + a small spread over many rows (several of GitML's metric blocks), generated
    by formulas whose float64 steps are the same in Swift: y = 1e9 + (7919·i mod 1000)/1000 − 0.5,
    ŷ = y + (104729·i mod 997)/997 − 0.5, weights i mod 4 (zeros included)."""
    y = np.array([1e9 + ((i * 7919) % 1000) / 1000 - 0.5 for i in range(rows)])
    p = np.array([y[i] + ((i * 104729) % 997) / 997 - 0.5 for i in range(rows)])
    w = np.array([float(i % 4) for i in range(rows)])
    out = dict(rows=rows)
    for name, kw in (("unweighted", {}), ("weighted", dict(sample_weight=w))):
        out[name] = dict(mae=M.mean_absolute_error(y, p, **kw), rmse=M.root_mean_squared_error(y, p, **kw),
                         r2=M.r2_score(y, p, **kw), explained_variance=M.explained_variance_score(y, p, **kw),
                         mean_residual=float(np.average(y - p, weights=kw.get("sample_weight"))))
    return out


def main():
    rng = np.random.default_rng(17)
    t = rng.gamma(2.0, 50.0, size=300) + 1.0
    cases = [
        case("random", t, t + rng.normal(scale=20, size=300)),
        case("positive-predictions", t, np.abs(t * rng.lognormal(sigma=0.3, size=300))),
        case("weighted", t, t * rng.lognormal(sigma=0.2, size=300), rng.random(300)),
        case("weighted-with-zeros", t[:50], t[:50] + rng.normal(size=50), np.where(rng.random(50) < 0.3, 0.0, rng.random(50))),
        case("ties", [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [2.0, 1.0, 4.0, 3.0, 5.0, 8.0]),
        case("ties-weighted-half", [1.0, 2.0, 3.0, 4.0], [1.5, 3.0, 4.5, 6.0], [1.0, 1.0, 1.0, 1.0]),
        case("weights-at-half", [0.0, 0.0, 0.0, 0.0], [1.0, 2.0, 3.0, 4.0], [2.0, 0.0, 1.0, 1.0]),
        case("zeros-in-target", [0.0, 1.0, 2.0, 0.0], [0.1, 1.5, 1.0, 0.2]),
        case("perfect", t[:40], t[:40]),
        case("constant-target-exact", [2.0, 2.0, 2.0], [2.0, 2.0, 2.0]),
        case("constant-target-wrong", [2.0, 2.0, 2.0], [2.0, 1.0, 2.0]),
        case("negative", [-3.0, -1.0, 2.0, 5.0, -2.0], [-2.0, 0.0, 2.5, 4.0, -4.0]),
    ]
    y = t[:200]
    tests = [
        paired_t("better", y, y + rng.normal(scale=20, size=200), y + rng.normal(scale=15, size=200)),
        paired_t("similar", y, y + rng.normal(scale=20, size=200), y + rng.normal(scale=20, size=200)),
    ]
    doc = dict(sklearn=sklearn.__version__, scipy=scipy.__version__, numpy=np.__version__, quantiles=QUANTILES,
               tweedie_powers=TWEEDIE_POWERS, costs=COSTS, cases=cases, paired_t=tests,
               ill_conditioned=ill_conditioned(ILL_CONDITIONED_ROWS))
    OUT.write_text(json.dumps(clean(doc), allow_nan=False, separators=(",", ":")))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
