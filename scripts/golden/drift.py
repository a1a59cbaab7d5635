#!/usr/bin/env python3
"""Golden vectors for the drift statistics (docs/STATISTICS.md).

Writes Tests/ContractsTests/Golden/drift.json with inputs and the values numpy/scipy give:
PSI, Jensen-Shannon and chi-square on the drift bins (one bin per distinct value for at most 20
distinct values, else reference deciles with point masses alone), scipy.stats.ks_2samp(method="auto"),
the null-share two-proportion test (scipy.stats.chi2_contingency(correction=False) on the 2x2
null / non-null table), and
scipy.stats.chi2_contingency(correction=False) with the L-infinity distance for categories, and
scipy.stats.kstwo.sf(x, n) (the asymptotic KS p-value) on points in every branch of scipy's
scipy.stats._ksstats._kolmogn.
Rerun: python3 scripts/golden/drift.py
"""
import json
import math
import pathlib

import numpy as np
import scipy
from scipy import special, stats

FLOOR = 1e-4
DISCRETE_LIMIT = 20
POINT_MASS_SHARE = 0.1
OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/ContractsTests/Golden/drift.json"


def bin_edges(ref, cur):
    """Every distinct value but the smallest when there are at most DISCRETE_LIMIT in ref and cur;
    else the reference deciles plus v and nextafter(v, inf) for each reference point mass v."""
    values = np.unique(np.concatenate([ref, cur]))
    if len(values) <= DISCRETE_LIMIT:
        return values[1:], True
    distinct, counts = np.unique(ref, return_counts=True)
    masses = distinct[counts >= POINT_MASS_SHARE * len(ref)]
    deciles = np.quantile(ref, np.arange(1, 10) / 10)
    return np.unique(np.concatenate([deciles, masses, np.nextafter(masses, np.inf)])), False


def numeric_case(name, ref, cur):
    ref = np.asarray(ref, dtype=np.float64)
    cur = np.asarray(cur, dtype=np.float64)
    edges, discrete = bin_edges(ref, cur)
    rc = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=len(edges) + 1)
    cc = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=len(edges) + 1)
    p, q = rc / len(ref), cc / len(cur)
    occupied = (rc + cc) > 0
    if occupied.sum() > 1:
        chi2, chi_p, dof, _ = stats.chi2_contingency(np.array([rc[occupied], cc[occupied]], dtype=np.float64), correction=False)
    else:
        chi2, chi_p, dof = 0.0, 1.0, 0
    pf, qf = np.maximum(p, FLOOR), np.maximum(q, FLOOR)
    psi = float(np.sum((qf - pf) * np.log(qf / pf)))
    m = (p + q) / 2
    js = float((special.rel_entr(p, m).sum() + special.rel_entr(q, m).sum()) / 2 / np.log(2))
    ks = stats.ks_2samp(ref, cur, method="auto")
    exact = max(len(ref), len(cur)) <= 10000
    return {
        "name": name, "reference": ref.tolist(), "current": cur.tolist(), "edges": edges.tolist(), "discrete": bool(discrete),
        "psi": psi, "js": js, "ksStatistic": float(ks.statistic), "ksPValue": float(ks.pvalue), "ksExact": exact,
        "chiSquare": float(chi2), "chiSquarePValue": float(chi_p), "chiSquareDof": int(dof),
    }


def null_share_case(name, ref_nulls, ref_rows, cur_nulls, cur_rows):
    table = np.array([[ref_nulls, ref_rows - ref_nulls], [cur_nulls, cur_rows - cur_nulls]], dtype=np.float64)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] > 1:
        chi2, p, _, _ = stats.chi2_contingency(table, correction=False)
    else:
        chi2, p = 0.0, 1.0
    return {"name": name, "referenceNulls": ref_nulls, "referenceRows": ref_rows, "currentNulls": cur_nulls,
            "currentRows": cur_rows, "change": abs(cur_nulls / cur_rows - ref_nulls / ref_rows),
            "chiSquare": float(chi2), "pValue": float(p)}


def kolmogorov_branch(n, x):
    """The branch scipy's _kolmogn(n, x, cdf=False) takes, with its float arithmetic."""
    t = n * x
    if x >= 1.0 or x <= 0.0 or t <= 0.5:
        return "bounds"
    if t <= 1.0:
        return "ruben-gambino-low"
    if t >= n - 1:
        return "ruben-gambino-high"
    if x >= 0.5:
        return "smirnov-x-half"
    nxsquared = t * x
    if n <= 140:
        if nxsquared <= 0.754693:
            return "durbin-small-n"
        return "pomeranz" if nxsquared <= 4 else "smirnov-small-n"
    if nxsquared >= 370.0:
        return "zero"
    if nxsquared >= 2.2:
        return "smirnov-million" if n > 1_000_000 else "smirnov"
    if n <= 100000 and n * x**1.5 <= 1.4:
        return "durbin"
    return "pelz-good"


def kolmogorov_cases():
    """(n, x) points in and at the edges of every branch of _kolmogn, n from 1 to 2*10^6."""
    points = []
    for n in (1, 2, 3, 5, 10, 140, 141, 1000, 10**6):
        points += [(n, 0.4 / n), (n, 0.5 / n), (n, 0.75 / n), (n, 1.0 / n)]
    for n in (2, 3, 5, 10, 140, 141, 1000, 10**6):
        points += [(n, (n - 1) / n), (n, 1 - 0.3 / n), (n, 1.0), (n, 0.0)]
    for n in (3, 5, 10, 40, 140, 141, 200, 1000, 1480):
        points += [(n, 0.5), (n, 0.55), (n, 0.7), (n, 0.9)]
    for n in (4, 10, 25, 60, 100, 139, 140):
        for q in (0.05, 0.3, 0.754693, 0.76, 1.0, 2.0, 3.0, 3.99, 4.0, 4.01, 6.0, 10.0, 20.0, 40.0):
            points.append((n, math.sqrt(q / n)))
    for n in (141, 150, 200, 500, 1000, 1012, 1013, 5000, 10**4, 99_999, 10**5, 100_001, 10**6, 10**6 + 1, 2 * 10**6):
        for q in (0.01, 0.1, 0.3, 1.0, 1.5, 2.0, 2.19, 2.2, 2.21, 3.0, 5.0, 10.0, 30.0, 100.0, 200.0, 300.0, 350.0, 369.9, 370.0):
            points.append((n, math.sqrt(q / n)))
        # the Durbin / Pelz-Good edge n*x^1.5 = 1.4
        for c in (1.0, 1.39, 1.4, 1.41, 2.0):
            points.append((n, (c / n) ** (2 / 3)))
    cases = []
    for n, x in points:
        if not 0.0 <= x <= 1.0:
            continue
        cases.append({"n": n, "x": x, "sf": float(stats.kstwo.sf(x, n)), "branch": kolmogorov_branch(n, x)})
    return cases


def categorical_case(name, ref_counts, cur_counts):
    cats = sorted(c for c in set(ref_counts) | set(cur_counts) if ref_counts.get(c, 0) + cur_counts.get(c, 0) > 0)
    table = np.array([[ref_counts.get(c, 0) for c in cats], [cur_counts.get(c, 0) for c in cats]], dtype=np.float64)
    if len(cats) > 1:
        chi2, p, dof, _ = stats.chi2_contingency(table, correction=False)
    else:
        chi2, p, dof = 0.0, 1.0, 0
    pr, pc = table[0] / table[0].sum(), table[1] / table[1].sum()
    return {
        "name": name, "reference": ref_counts, "current": cur_counts,
        "chiSquare": float(chi2), "pValue": float(p), "dof": int(dof),
        "lInfinity": float(np.max(np.abs(pr - pc))),
        "newCategories": [c for c in cats if ref_counts.get(c, 0) == 0],
    }


def main():
    rng = np.random.default_rng(20261130)
    r3 = lambda a: np.round(a, 6)
    numeric = [
        numeric_case("small-equal-n", r3(rng.normal(0, 1, 40)), r3(rng.normal(0.3, 1, 40))),
        numeric_case("small-unequal", r3(rng.normal(0, 1, 50)), r3(rng.normal(0.5, 1.2, 73))),
        numeric_case("integers-with-ties", rng.integers(0, 6, 300), rng.integers(0, 7, 250)),
        numeric_case("constant-reference", np.full(100, 3.0), rng.integers(2, 5, 120)),
        numeric_case("medium-shift", r3(rng.normal(0, 1, 1000)), r3(rng.normal(0.1, 1, 800))),
        numeric_case("same-distribution", r3(rng.exponential(1, 2000)), r3(rng.exponential(1, 1500))),
        numeric_case("large-exact", r3(rng.normal(0, 1, 9000)), r3(rng.normal(0.02, 1, 10000))),
        numeric_case("asymptotic", r3(rng.normal(0, 1, 20000)), r3(rng.normal(0.015, 1, 15000))),
        numeric_case("asymptotic-small-n", r3(rng.normal(0, 1, 10001)), r3(rng.normal(0.4, 1, 12))),
        numeric_case("asymptotic-small-n-tail", r3(rng.normal(0, 1, 10001)), r3(rng.normal(1.5, 1, 30))),
        numeric_case("asymptotic-near-identical", np.arange(10001.0), np.concatenate([np.arange(9998.0), [1e6] * 3])),
        numeric_case("asymptotic-smirnov", r3(rng.normal(0, 1, 10001)), r3(rng.normal(0.1, 1, 2000))),
    ]
    # Discrete and low-cardinality columns: one bin per distinct value; point masses alone.
    flag_ref = np.where(rng.random(2000) < 0.05, 1.0, 0.0)
    flag_cur = np.where(rng.random(2000) < 0.5, 1.0, 0.0)
    months = rng.integers(1, 13, 1200).astype(np.float64)
    discrete = [
        numeric_case("flag-5-to-50-percent", flag_ref, flag_cur),
        numeric_case("flag-unchanged", flag_ref, np.where(rng.random(1500) < 0.05, 1.0, 0.0)),
        numeric_case("month-1-to-12", np.full(500, 1.0), np.full(400, 12.0)),
        numeric_case("months-shifted", months, np.clip(months + rng.integers(0, 3, 1200), 1, 12)),
        numeric_case("twenty-values", rng.integers(0, 20, 800), rng.integers(0, 20, 600)),
        numeric_case("twenty-one-values", rng.integers(0, 21, 800), rng.integers(0, 21, 600)),
        numeric_case("zero-mass-continuous", np.concatenate([np.zeros(600), r3(rng.exponential(1, 400))]),
                     np.concatenate([np.zeros(200), r3(rng.exponential(1, 800))])),
        numeric_case("new-point-mass", r3(rng.normal(0, 1, 1000)), np.concatenate([np.full(400, 0.5), r3(rng.normal(0, 1, 600))])),
    ]
    null_share = [
        null_share_case("zero-to-forty-percent", 0, 500, 200, 500),
        null_share_case("no-nulls", 0, 300, 0, 400),
        null_share_case("all-null", 100, 100, 50, 50),
        null_share_case("small-sample", 0, 20, 3, 20),
        null_share_case("small-change-large-sample", 1000, 100000, 1150, 100000),
    ]
    categorical = [
        categorical_case("two-categories", {"a": 60, "b": 40}, {"a": 45, "b": 55}),
        categorical_case("new-category", {"x": 100, "y": 50, "z": 25}, {"x": 90, "y": 40, "z": 20, "w": 30}),
        categorical_case("vanished-category", {"p": 10, "q": 5, "r": 1}, {"p": 12, "q": 7}),
        categorical_case("single-category", {"only": 10}, {"only": 20}),
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"generator": f"scripts/golden/drift.py (numpy {np.__version__}, scipy {scipy.__version__})",
                               "numeric": numeric, "discrete": discrete, "nullShare": null_share, "categorical": categorical,
                               "kolmogorov": kolmogorov_cases()}, separators=(",", ":")))


if __name__ == "__main__":
    main()
