"""Reference values for the multiclass and regression-loss learners (issue 17).

Writes Tests/LearnersTests/Golden/multiclass_learners.json:
- multinomial logistic regression: scikit-learn 1.9.1 LogisticRegression (lbfgs, multinomial,
  C = 1/l2) on standardized float32 features: training log loss and probabilities;
- softmax GBDT: LightGBM `multiclass` test log loss with the same settings as the Swift test;
- L1 / Huber / quantile GBDT: LightGBM `regression_l1`, `huber`, `quantile` test losses.
Features come from GitML's SplitMix64 (replicated below), so only labels and reference values
are stored; the Swift tests regenerate the same float32 features from the same seeds.
Run: /tmp/learners-venv/bin/python scripts/golden/learners_multiclass.py
"""
import json
import pathlib

import lightgbm
import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.preprocessing import StandardScaler

assert sklearn.__version__ == "1.9.1", sklearn.__version__
OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/LearnersTests/Golden/multiclass_learners.json"
MASK = (1 << 64) - 1


def splitmix_features(seed, rows, columns):
    """GitML's SplitMix64(seed).unit() * 2 - 1 as Float32, row by row (x[i][j] drawn in order)."""
    state = seed
    out = np.empty((rows, columns), dtype=np.float32)
    for i in range(rows):
        for j in range(columns):
            state = (state + 0x9E3779B97F4A7C15) & MASK
            z = state
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            z ^= z >> 31
            out[i, j] = np.float32((z >> 11) * 2.0 ** -53 * 2 - 1)
    return out


def sample_classes(rng, margins):
    p = np.exp(margins - margins.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    u = rng.random(len(p))[:, None]
    return (u > np.cumsum(p, axis=1)).sum(axis=1).clip(0, p.shape[1] - 1)


GBDT = dict(num_leaves=15, learning_rate=0.1, min_data_in_leaf=20, min_sum_hessian_in_leaf=1e-3, lambda_l2=0.0,
            max_bin=255, bagging_fraction=1.0, feature_fraction=1.0, num_threads=2, deterministic=True, verbose=-1)
ROUNDS = 100


def multinomial_case():
    x32 = splitmix_features(101, 600, 4)
    x32[:, 0] = x32[:, 0] * 3 + 1
    x = x32.astype(np.float64)
    margins = x @ np.array([[1.0, -0.5, 0.0], [0.0, 1.5, -1.0], [0.3, 0.0, 0.0], [-0.8, 0.4, 0.9]])
    y = sample_classes(np.random.default_rng(1), margins)
    z = StandardScaler().fit_transform(x)
    model = LogisticRegression(C=1.0, tol=1e-12, max_iter=100_000).fit(z, y)
    p = model.predict_proba(z)
    return {"seed": 101, "rows": 600, "columns": 4, "scale_first": True, "l2": 1.0, "labels": [int(v) for v in y],
            "log_loss": float(log_loss(y, p)), "probabilities": [float(v) for v in p.ravel()]}


def softmax_case():
    train32, test32 = splitmix_features(202, 5000, 6), splitmix_features(203, 3000, 6)

    def margins(x):
        x = x.astype(np.float64)
        return 2 * np.stack([np.sin(3 * x[:, 0]) + x[:, 1], 2 * x[:, 2] * x[:, 3], 2 * x[:, 4] ** 2 - 0.5,
                             -x[:, 0] + x[:, 5]], axis=1)

    rng = np.random.default_rng(2)
    y, y_test = sample_classes(rng, margins(train32)), sample_classes(rng, margins(test32))
    booster = lightgbm.train(dict(GBDT, objective="multiclass", num_class=4),
                             lightgbm.Dataset(train32.astype(np.float64), label=y), num_boost_round=ROUNDS)
    p = booster.predict(test32.astype(np.float64))
    return {"train_seed": 202, "test_seed": 203, "train_rows": 5000, "test_rows": 3000, "columns": 6, "classes": 4,
            "rounds": ROUNDS, "labels": [int(v) for v in y], "test_labels": [int(v) for v in y_test],
            "lightgbm_test_log_loss": float(log_loss(y_test, p, labels=[0, 1, 2, 3]))}


def regression_case():
    train32, test32 = splitmix_features(303, 5000, 4), splitmix_features(304, 3000, 4)
    rng = np.random.default_rng(3)

    def target(x):
        x = x.astype(np.float64)
        return 2 * np.sin(3 * x[:, 0]) + 3 * x[:, 1] * x[:, 2] + 0.5 * x[:, 3] + rng.standard_t(2, size=len(x))

    y, y_test = target(train32), target(test32)
    out = {"train_seed": 303, "test_seed": 304, "train_rows": 5000, "test_rows": 3000, "columns": 4, "rounds": ROUNDS,
           "labels": [float(v) for v in y], "test_labels": [float(v) for v in y_test], "huber_delta": 1.0,
           "quantile_alpha": 0.9}
    for name, params in [("l1", dict(objective="regression_l1")), ("huber", dict(objective="huber", alpha=1.0)),
                         ("quantile", dict(objective="quantile", alpha=0.9)), ("l2", dict(objective="regression"))]:
        booster = lightgbm.train(dict(GBDT, **params), lightgbm.Dataset(train32.astype(np.float64), label=y),
                                 num_boost_round=ROUNDS)
        r = y_test - booster.predict(test32.astype(np.float64))
        a = np.abs(r)
        out["lightgbm_test_" + name] = float({"l1": a.mean(), "l2": (r * r).mean(),
                                               "huber": np.where(a <= 1, 0.5 * r * r, a - 0.5).mean(),
                                               "quantile": np.maximum(0.9 * r, (0.9 - 1) * r).mean()}[name])
    return out


OUT.write_text(json.dumps({"generator": "scripts/golden/learners_multiclass.py", "sklearn": sklearn.__version__,
                           "lightgbm": lightgbm.__version__, "multinomial": multinomial_case(),
                           "softmax": softmax_case(), "regression": regression_case()}) + "\n")
print(f"wrote {OUT}")
