"""Golden vectors for the Learners module (linear models) from scikit-learn 1.9.1.

Writes Tests/LearnersTests/Golden/linear.json. Features are float32 values (GitML's
FeatureMatrix holds Float32) fitted in float64. Run: python scripts/golden/learners.py
"""
import json
import pathlib

import numpy as np
import sklearn
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler

assert sklearn.__version__ == "1.9.1", sklearn.__version__
OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/LearnersTests/Golden/linear.json"


def features(rng, rows, columns):
    x = rng.normal(size=(rows, columns)).astype(np.float32)
    x[:, 0] = x[:, 0] * 3 + 1  # different scales, so standardization matters
    return x


def logistic_case(name, seed, rows, l2, class_weight, positive_rate_shift):
    rng = np.random.default_rng(seed)
    x32 = features(rng, rows, 4)
    x = x32.astype(np.float64)
    logits = x @ np.array([0.8, -1.5, 0.0, 0.6]) + positive_rate_shift
    y = (rng.random(rows) < 1 / (1 + np.exp(-logits))).astype(np.float64)
    z = StandardScaler().fit_transform(x)
    model = LogisticRegression(C=1 / l2, tol=1e-12, max_iter=100_000,
                               class_weight="balanced" if class_weight == "balanced" else None)
    model.fit(z, y)
    return {
        "name": name, "kind": "logistic", "l2": l2, "class_weight": class_weight,
        "columns": [[float(v) for v in x32[:, j]] for j in range(x32.shape[1])],
        "labels": [float(v) for v in y],
        "coefficients": [float(v) for v in model.coef_[0]],
        "intercept": float(model.intercept_[0]),
        "predictions": [float(v) for v in model.predict_proba(z)[:, 1]],
    }


def linear_case(name, seed, rows, l2):
    rng = np.random.default_rng(seed)
    x32 = features(rng, rows, 3)
    x = x32.astype(np.float64)
    y = x @ np.array([2.0, -0.5, 0.25]) + 4 + rng.normal(scale=0.1, size=rows)
    model = Ridge(alpha=l2, solver="cholesky") if l2 > 0 else LinearRegression()
    model.fit(x, y)
    return {
        "name": name, "kind": "linear", "l2": l2, "class_weight": "uniform",
        "columns": [[float(v) for v in x32[:, j]] for j in range(x32.shape[1])],
        "labels": [float(v) for v in y],
        "coefficients": [float(v) for v in model.coef_],
        "intercept": float(model.intercept_),
        "predictions": [float(v) for v in model.predict(x)],
    }


cases = [
    logistic_case("logistic_l2_1", 1, 300, 1.0, "uniform", 0.2),
    logistic_case("logistic_balanced_imbalanced", 2, 400, 0.5, "balanced", -1.5),
    linear_case("ols", 3, 200, 0.0),
    linear_case("ridge_2_5", 4, 200, 2.5),
]
OUT.write_text(json.dumps({"generator": "scripts/golden/learners.py", "sklearn": sklearn.__version__,
                           "cases": cases}, indent=1) + "\n")
print(f"wrote {OUT}")
