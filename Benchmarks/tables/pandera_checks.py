#!/usr/bin/env python3
"""The checks of Benchmarks/tables/contract.yaml written as a pandera schema, timed on the same
files as GitML's validation: python3 pandera_checks.py CURRENT.csv REFERENCE.csv -> key=value lines.

Parsing (pandas.read_csv with the contract's types) is timed apart from validation, as
tables-bench times GitML's validation apart from its parse.

What pandera expresses with its own checks: types (strict column set), nullability, the null
fraction of f0 (a whole-column check), ranges, the categorical domain, single-column and
compound uniqueness, label values and positive rate, row count. pandera has no drift
statistics, no schema drift and no row-count change against a previous version: those are
written here as custom checks around scipy.stats.ks_2samp and numpy (PSI on reference deciles,
Jensen-Shannon on the same bins, chi-square and L-infinity on category shares), timed
separately so the figure for pandera's own checks stays clean.
"""
import resource
import sys
import time

import numpy as np
import pandas as pd
import scipy.stats

try:
    import pandera.pandas as pa
except ImportError:  # pandera < 0.24
    import pandera as pa

current_path, reference_path = sys.argv[1], sys.argv[2]
PLANS = ["basic", "pro", "enterprise", "trial", "edu", "gov", "ngo", "family", "student", "team", "legacy", "partner"]
DRIFT_COLUMNS = ["f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "i0", "i1", "plan", "active", "ts", "label"]
DTYPES = {"id": "int64", "i0": "int64", "i1": "int64", "label": "int64", "plan": "category", "note": "str", "active": "bool"}
DTYPES.update({f"f{k}": "float64" for k in range(8)})


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def read(path):
    return pd.read_csv(path, dtype=DTYPES, parse_dates=["ts"])


def null_fraction_below(limit):
    return pa.Check(lambda s: s.isna().mean() < limit, ignore_na=False, name=f"null_fraction<{limit}")


def schema(reference_rows):
    number = lambda *checks: pa.Column("float64", list(checks), nullable=True)
    return pa.DataFrameSchema(
        {
            "id": pa.Column("int64", nullable=False, unique=True),
            "f0": pa.Column("float64", null_fraction_below(0.01), nullable=True),
            "f1": number(pa.Check.in_range(-10, 10)),
            "f2": number(), "f3": number(),
            "f4": number(pa.Check.ge(0)),
            "f5": number(), "f6": number(), "f7": number(),
            "i0": pa.Column("int64", pa.Check.in_range(0, 999), nullable=True),
            "i1": pa.Column("int64", nullable=True),
            "plan": pa.Column("category", pa.Check.isin(PLANS), nullable=False),
            "active": pa.Column("bool", nullable=True),
            "ts": pa.Column(pa.DateTime, nullable=True, coerce=False),
            "label": pa.Column("int64", [pa.Check.isin([0, 1]),
                                         pa.Check(lambda s: 0.1 <= (s == 1).mean() <= 0.3, name="positive_rate")],
                               nullable=False),
            "note": pa.Column(nullable=True),
        },
        checks=[pa.Check(lambda df: len(df) > 0, name="row_count>0"),
                pa.Check(lambda df: abs(len(df) - reference_rows) / reference_rows <= 0.1, name="row_count_change<=0.1")],
        unique=["id", "ts"],
        strict=True,
    )


def numeric(series):
    values = series.dropna()
    if values.dtype.kind == "M":
        values = values.astype("int64")
    return values.to_numpy(dtype=np.float64)


def drift(current, reference):
    """The contract's drift checks (GitML defaults: PSI <= 0.2, KS D <= 0.1, JS <= 0.1,
    L-infinity <= 0.1, no new categories); returns the names of failing checks."""
    failures = []
    # str() of a categorical dtype is "category", whatever its categories (new ones are checked below).
    if list(current.columns) != list(reference.columns) or list(map(str, current.dtypes)) != list(map(str, reference.dtypes)):
        failures.append("schema_drift")
    for name in DRIFT_COLUMNS:
        if isinstance(current[name].dtype, pd.CategoricalDtype):
            now = current[name].value_counts(normalize=True)
            before = reference[name].value_counts(normalize=True)
            keys = before.index.union(now.index)
            p, q = before.reindex(keys, fill_value=0).to_numpy(), now.reindex(keys, fill_value=0).to_numpy()
            counts = np.vstack([reference[name].value_counts().reindex(keys, fill_value=0).to_numpy(),
                                current[name].value_counts().reindex(keys, fill_value=0).to_numpy()])
            scipy.stats.chi2_contingency(counts[:, counts.sum(axis=0) > 0])
            if np.abs(p - q).max() > 0.1:
                failures.append(f"{name}:l_infinity")
            if len(now.index.difference(before.index)) > 0:
                failures.append(f"{name}:new_categories")
            continue
        ref, cur = numeric(reference[name]), numeric(current[name])
        edges = np.unique(np.quantile(ref, np.arange(1, 10) / 10))
        r = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=len(edges) + 1) / len(ref)
        c = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=len(edges) + 1) / len(cur)
        rf, cf = np.maximum(r, 1e-4), np.maximum(c, 1e-4)
        psi = float(np.sum((cf - rf) * np.log(cf / rf)))
        m = (r + c) / 2
        with np.errstate(divide="ignore", invalid="ignore"):
            js = float((np.nansum(np.where(r > 0, r * np.log(r / m), 0)) + np.nansum(np.where(c > 0, c * np.log(c / m), 0))) / 2 / np.log(2))
        ks = scipy.stats.ks_2samp(ref, cur, method="auto").statistic
        failures += [f"{name}:{k}" for k, v, limit in (("psi", psi, 0.2), ("ks", ks, 0.1), ("js", js, 0.1)) if v > limit]
    return failures


start, cpu_start = time.perf_counter(), cpu()
current, reference = read(current_path), read(reference_path)
print(f"pandas_typed_parse_both_seconds={time.perf_counter() - start}")
print(f"pandas_typed_parse_both_cpu_seconds={cpu() - cpu_start}")

checks = schema(len(reference))
start, cpu_start = time.perf_counter(), cpu()
try:
    checks.validate(current, lazy=True)
    failures = 0
except pa.errors.SchemaErrors as errors:
    failures = len(errors.failure_cases)
    print(f"pandera_failed_checks={' '.join(sorted({f'{c}({col})' for c, col in zip(errors.failure_cases['check'], errors.failure_cases['column'])}))}")
print(f"pandera_seconds={time.perf_counter() - start}")
print(f"pandera_cpu_seconds={cpu() - cpu_start}")
print(f"pandera_failure_cases={failures}")

start, cpu_start = time.perf_counter(), cpu()
drift_failures = drift(current, reference)
print(f"pandera_drift_seconds={time.perf_counter() - start}")
print(f"pandera_drift_cpu_seconds={cpu() - cpu_start}")
print(f"pandera_drift_failures={len(drift_failures)}")
print(f"pandera_drift_failed_checks={' '.join(drift_failures)}")
import pandera
print(f"pandera_version={pandera.__version__}")
