#!/usr/bin/env python3
"""Golden vectors for the regression suites' guardrails and tiered costs, from numpy, scipy,
statsmodels and scikit-learn 1.9.1.

Run:  python3 -m venv /tmp/golden-venv && /tmp/golden-venv/bin/pip install scipy scikit-learn==1.9.1 numpy statsmodels
      /tmp/golden-venv/bin/python scripts/golden/regression_suites.py
Writes Tests/EvaluationTests/Golden/regression_suites.json:
- tiered (piecewise linear) expected cost: each side's cost as np.interp over the cumulative
  cost at the tier limits, extended past the last limit at the last tier's rate;
- prediction-interval coverage: share of rows with lower <= y <= upper (crossed rows, lower >
  upper, never cover) and its Wilson interval from statsmodels `proportion_confint`, checked
  against scipy's `binomtest(...).proportion_ci(method="wilson")`; with entities, the cluster-robust
  interval of statsmodels' OLS on a constant with cov_type="cluster", clipped to [0, 1];
- per-group MAE (scikit-learn) and mean residual (numpy) and their max - min gaps;
- calibration by decile of the prediction: rows by a stable argsort of the prediction, decile d
  holding positions floor(d n / 10) .. floor((d + 1) n / 10) - 1, the weighted mean residual per
  decile, the largest absolute one.
"""
import json
import pathlib

import numpy as np
import scipy
import sklearn
import statsmodels
from scipy import stats
from sklearn import metrics as M
import statsmodels.api as sm
from statsmodels.stats.proportion import proportion_confint

assert sklearn.__version__ == "1.9.1", sklearn.__version__
OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/EvaluationTests/Golden/regression_suites.json"


def side_cost(errors, tiers):
    """Cost of errors >= 0 under tiers [{up_to, per_unit}, ..., {per_unit}]."""
    limits = [0.0] + [t["up_to"] for t in tiers[:-1]]
    cumulative = [0.0]
    for t, lo, hi in zip(tiers[:-1], limits[:-1], limits[1:]):
        cumulative.append(cumulative[-1] + t["per_unit"] * (hi - lo))
    inside = np.interp(errors, limits, cumulative)
    beyond = cumulative[-1] + tiers[-1]["per_unit"] * (errors - limits[-1])
    return np.where(errors > limits[-1], beyond, inside)


def cost_case(name, y, p, under, over, w=None):
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    r = y - p
    per_row = np.where(r >= 0, side_cost(np.maximum(r, 0), under), side_cost(np.maximum(-r, 0), over))
    return dict(name=name, targets=y.tolist(), predictions=p.tolist(), weights=None if w is None else list(w),
                under=under, over=over, per_row=per_row.tolist(), expected_cost=float(np.average(per_row, weights=w)))


def coverage_case(name, y, lo, hi, quantiles, confidence):
    y, lo, hi = (np.asarray(v, dtype=float) for v in (y, lo, hi))
    covered = int(np.sum((lo <= y) & (y <= hi) & (lo <= hi)))
    n = len(y)
    low, upp = proportion_confint(covered, n, alpha=1 - confidence, method="wilson")
    ci = stats.binomtest(covered, n).proportion_ci(confidence_level=confidence, method="wilson")
    assert abs(ci.low - low) < 1e-12 and abs(ci.high - upp) < 1e-12, (ci, low, upp)
    return dict(name=name, targets=y.tolist(), lower=lo.tolist(), upper=hi.tolist(), quantiles=quantiles,
                confidence=confidence, covered=covered, crossed=int(np.sum(lo > hi)), coverage=covered / n,
                nominal=quantiles[1] - quantiles[0], wilson=[float(low), float(upp)])


def clustered_coverage_case(name, y, lo, hi, quantiles, confidence, entities):
    """The cluster-robust interval: statsmodels OLS of the 0/1 covered indicator on a constant with
    cov_type="cluster" (default small-sample correction, normal quantiles), clipped to [0, 1]."""
    y, lo, hi = (np.asarray(v, dtype=float) for v in (y, lo, hi))
    covered = ((lo <= y) & (y <= hi) & (lo <= hi)).astype(float)
    codes = np.unique(np.asarray(entities), return_inverse=True)[1]
    fit = sm.OLS(covered, np.ones(len(y))).fit(cov_type="cluster", cov_kwds={"groups": codes})
    low, upp = fit.conf_int(alpha=1 - confidence)[0]
    return dict(name=name, targets=y.tolist(), lower=lo.tolist(), upper=hi.tolist(), quantiles=quantiles,
                confidence=confidence, entities=list(entities), covered=int(covered.sum()),
                distinct=int(codes.max() + 1), interval=[max(0.0, float(low)), min(1.0, float(upp))])


def group_case(name, y, p, groups, minimum_rows):
    y, p, groups = np.asarray(y, dtype=float), np.asarray(p, dtype=float), np.asarray(groups)
    order = list(dict.fromkeys(groups.tolist()))
    out = dict(name=name, targets=y.tolist(), predictions=p.tolist(), groups=groups.tolist(), minimum_rows=minimum_rows,
               order=order, mae={}, mean_residual={})
    for g in order:
        m = groups == g
        if m.sum() >= minimum_rows:
            out["mae"][g] = M.mean_absolute_error(y[m], p[m])
            out["mean_residual"][g] = float(np.mean(y[m] - p[m]))
    for key in ["mae", "mean_residual"]:
        values = list(out[key].values())
        out[key + "_gap"] = max(values) - min(values) if len(values) >= 2 else None
    return out


def decile_case(name, y, p, w=None):
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    ww = np.ones(len(y)) if w is None else np.asarray(w, dtype=float)
    order = np.argsort(p, kind="stable")
    decile = np.empty(len(y), dtype=int)
    bounds = (np.arange(11) * len(y)) // 10  # decile d holds positions bounds[d] .. bounds[d+1] - 1
    decile[order] = np.searchsorted(bounds, np.arange(len(y)), side="right") - 1
    residuals = [float(np.average((y - p)[decile == d], weights=ww[decile == d]))
                 for d in range(10) if ww[decile == d].sum() > 0]
    return dict(name=name, targets=y.tolist(), predictions=p.tolist(), weights=None if w is None else list(w),
                residuals=residuals, max_decile_residual=max(abs(r) for r in residuals))


def main():
    rng = np.random.default_rng(29)
    t = rng.gamma(2.0, 50.0, size=400) + 1.0
    pred = t + rng.normal(scale=25, size=400)
    tiers = dict(under=[{"up_to": 10.0, "per_unit": 2.0}, {"up_to": 40.0, "per_unit": 5.0}, {"per_unit": 9.0}],
                 over=[{"up_to": 5.0, "per_unit": 0.0}, {"per_unit": 1.5}])
    costs = [
        cost_case("tiers", t, pred, **tiers),
        cost_case("tiers-weighted", t, pred, **tiers, w=rng.random(400).tolist()),
        cost_case("at-the-limits", [10, 20, 50, 0, 0, 0], [0, 10, 10, 5, 45, 0], **tiers),
        cost_case("one-tier", t, pred, under=[{"per_unit": 3.0}], over=[{"per_unit": 1.0}]),
        cost_case("decreasing-rates", t, pred, under=[{"up_to": 1.0, "per_unit": 100.0}, {"per_unit": 0.5}],
                  over=[{"up_to": 20.0, "per_unit": 2.0}, {"up_to": 21.0, "per_unit": 0.0}, {"per_unit": 4.0}]),
    ]
    width = rng.gamma(4.0, 8.0, size=400)
    lo, hi = pred - width, pred + width
    crossed_lo, crossed_hi = lo.copy(), hi.copy()
    crossed_lo[:30], crossed_hi[:30] = hi[:30], lo[:30]
    coverage = [
        coverage_case("random", t, lo, hi, [0.05, 0.95], 0.95),
        coverage_case("narrow-99", t, pred - width / 3, pred + width / 3, [0.1, 0.9], 0.99),
        coverage_case("crossed", t, crossed_lo, crossed_hi, [0.05, 0.95], 0.9),
        coverage_case("all-covered", t[:50], t[:50] - 1, t[:50] + 1, [0.25, 0.75], 0.95),
        coverage_case("none-covered", t[:50], t[:50] + 1, t[:50] + 2, [0.05, 0.95], 0.95),
        coverage_case("on-the-bounds", [1.0, 2.0, 3.0], [1.0, 1.0, 3.5], [1.0, 2.0, 4.0], [0.05, 0.95], 0.95),
    ]
    customers = [f"c{k}" for k in np.random.default_rng(31).integers(0, 40, size=400)]
    # Whole customers covered or not: clustering must widen the interval well past Wilson's.
    sticky_lo, sticky_hi = lo.copy(), hi.copy()
    missed = np.array([int(c[1:]) % 3 == 0 for c in customers])
    sticky_lo[missed], sticky_hi[missed] = t[missed] + 1, t[missed] + 2
    clustered = [
        clustered_coverage_case("customers", t, lo, hi, [0.05, 0.95], 0.95, customers),
        clustered_coverage_case("customers-sticky", t, sticky_lo, sticky_hi, [0.1, 0.9], 0.9, customers),
        clustered_coverage_case("one-row-each", t[:60], lo[:60], hi[:60], [0.05, 0.95], 0.99, [f"r{i}" for i in range(60)]),
        clustered_coverage_case("two-entities", t[:30], lo[:30], hi[:30], [0.05, 0.95], 0.95, ["a"] * 17 + ["b"] * 13),
        clustered_coverage_case("all-covered", t[:50], t[:50] - 1, t[:50] + 1, [0.25, 0.75], 0.95, customers[:50]),
    ]
    regions = rng.choice(["north", "south", "east", "west"], size=400, p=[0.4, 0.3, 0.25, 0.05])
    biased = pred + np.where(regions == "south", 12.0, 0.0)
    groups = [
        group_case("regions", t, biased, regions, 1),
        group_case("regions-minimum-30", t, biased, regions, 30),
        group_case("one-group", t[:20], pred[:20], ["all"] * 20, 1),
    ]
    curved = t + 0.002 * (t - t.mean()) ** 2 + rng.normal(scale=10, size=400)
    deciles = [
        decile_case("curved", t, curved),
        decile_case("curved-weighted-with-zeros", t, curved, np.where(rng.random(400) < 0.2, 0.0, rng.random(400)).tolist()),
        decile_case("tied-predictions", t[:55], np.round(curved[:55] / 50) * 50),
        decile_case("seven-rows", t[:7], curved[:7]),
    ]
    doc = dict(sklearn=sklearn.__version__, scipy=scipy.__version__, numpy=np.__version__,
               statsmodels=statsmodels.__version__, costs=costs, coverage=coverage, clustered_coverage=clustered, groups=groups, deciles=deciles)
    OUT.write_text(json.dumps(doc, allow_nan=False, separators=(",", ":")))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
