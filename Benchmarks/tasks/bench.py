#!/usr/bin/env python3
"""Regression and multiclass benchmarks (issue 17), side by side in one run; prints Markdown tables.

  Benchmarks/tasks/run.sh [learners] [metrics]   (venv with scikit-learn 1.9.1 and LightGBM 4.7.0,
                                                  release build; both sections by default)

1. Regression, 1,000,000 training rows × 30 float32 features (+ 250,000 holdout rows, seed 17):
   GitML GBDT (squared error) vs LightGBM `objective=regression`, 100 rounds, 31 leaves,
   learning rate 0.1, 255 bins, 2 threads; fit time and holdout RMSE.
2. Multiclass, 5 classes, same shape (seed 23): GitML GBDT softmax vs LightGBM `multiclass`
   (fit time, holdout log loss), and GitML multinomial logistic regression vs scikit-learn
   LogisticRegression(lbfgs, C=1, tol=1e-4) on standardized features (fit time, log loss).
3. Metrics on 10,000,000 rows: RMSE + MAE + R² and multiclass log loss + macro F1 + one-vs-rest
   macro ROC AUC (5 classes): GitML vs scikit-learn 1.9.1 on the same arrays (best of 3 for
   GitML, best of 2 for scikit-learn; wall and CPU seconds).
Every fit runs in its own process (peak RSS per fit from GNU time); QUIET=1 waits before each fit
until the 1-minute load is below 1. The learner workers are the
ones of Benchmarks/learners (learners-bench) and Benchmarks/evaluation (EvaluationBenchmark).
"""
import json
import os
import pathlib
import platform
import subprocess
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
WORK = ROOT / "Benchmarks/work/tasks"
TRAIN, HOLDOUT, COLUMNS, CLASSES, THREADS = 1_000_000, 250_000, 30, 5, 2
METRIC_ROWS = 10_000_000
LEARNERS = ROOT / ".build/release/learners-bench"
EVALUATION = ROOT / ".build/release/EvaluationBenchmark"


def features(rng, rows):
    x = rng.normal(size=(rows, COLUMNS)).astype(np.float32)
    x[:, 10:20] += 0.5 * x[:, 0:10]
    return x


def regression_target(rng, x):
    z = x.astype(np.float64)
    beta = np.zeros(COLUMNS)
    beta[:12] = rng.normal(scale=1.0, size=12)
    return z @ beta + 2 * z[:, 0] * z[:, 1] + 3 * (z[:, 2] > 0.5) + 2 * np.sin(2 * z[:, 3]) + rng.normal(size=len(z))


def multiclass_target(rng, x):
    z = x.astype(np.float64)
    weights = rng.normal(scale=0.7, size=(COLUMNS, CLASSES))
    weights[12:] = 0
    logits = z @ weights
    logits[:, 0] += 1.5 * z[:, 0] * z[:, 1]
    logits[:, 1] += 2.0 * (z[:, 2] > 0.5)
    logits[:, 2] += np.sin(2 * z[:, 3])
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    u = rng.random(len(z))[:, None]
    return (u > np.cumsum(p, axis=1)).sum(axis=1).astype(np.float32)


def generate(kind, seed, target):
    directory = WORK / kind
    if (directory / "shape.txt").exists():
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    x = features(rng, TRAIN + HOLDOUT)
    y = target(rng, x).astype(np.float32)
    for name, part in (("train", slice(0, TRAIN)), ("holdout", slice(TRAIN, TRAIN + HOLDOUT))):
        for j in range(COLUMNS):
            np.ascontiguousarray(x[part, j]).tofile(directory / f"{name}-x{j}.f32")
        y[part].tofile(directory / f"{name}-y.f32")
    (directory / "shape.txt").write_text(f"{TRAIN} {HOLDOUT} {COLUMNS}\n")
    return directory


def load(directory, name, rows):
    x = np.empty((rows, COLUMNS), dtype=np.float32)
    for j in range(COLUMNS):
        x[:, j] = np.fromfile(directory / f"{name}-x{j}.f32", dtype=np.float32)
    return x, np.fromfile(directory / f"{name}-y.f32", dtype=np.float32)


def worker(task, directory):
    """One Python-side fit; prints JSON timings, writes holdout predictions (float64, row-major)."""
    directory = pathlib.Path(directory)
    x, y = load(directory, "train", TRAIN)
    xh, _ = load(directory, "holdout", HOLDOUT)
    result = {}
    if task.startswith("lightgbm"):
        import lightgbm as lgb
        params = dict(num_leaves=31, learning_rate=0.1, num_threads=THREADS, max_bin=255, min_data_in_leaf=20,
                      verbose=-1, seed=42, deterministic=True, force_row_wise=True)
        params.update(dict(objective="regression") if task == "lightgbm-regression"
                      else dict(objective="multiclass", num_class=CLASSES))
        start = time.perf_counter()
        booster = lgb.train(params, lgb.Dataset(x, label=y), num_boost_round=100)
        result["fit_seconds"] = time.perf_counter() - start
        scores = booster.predict(xh, num_threads=THREADS)
    elif task == "sklearn-multinomial":
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler
        scaler = StandardScaler().fit(x.astype(np.float64))
        z, zh = scaler.transform(x.astype(np.float64)), scaler.transform(xh.astype(np.float64))
        start = time.perf_counter()
        model = LogisticRegression(C=1.0, tol=1e-4, max_iter=1000).fit(z, y)
        result["fit_seconds"] = time.perf_counter() - start
        result["iterations"] = int(model.n_iter_[0])
        scores = model.predict_proba(zh)
    else:
        raise SystemExit(f"unknown task {task}")
    np.asarray(scores, dtype=np.float64).tofile(directory / f"{task}-holdout.f64")
    print(json.dumps(result))


def measure(command):
    env = dict(os.environ, OMP_NUM_THREADS=str(THREADS), OPENBLAS_NUM_THREADS=str(THREADS), MKL_NUM_THREADS=str(THREADS))
    rss_file = WORK / "peak-rss-kb"
    process = subprocess.Popen(["/usr/bin/time", "-f", "%M %U %S", "-o", str(rss_file)] + [str(c) for c in command],
                               stdout=subprocess.PIPE, env=env, text=True)
    output = process.stdout.read()
    if process.wait() != 0:
        raise SystemExit(f"{command} failed with status {process.returncode}")
    result = json.loads(output.strip().splitlines()[-1])
    rss, user, system = rss_file.read_text().split()[-3:]
    result["peak_rss_mb"] = int(rss) / 1024
    result["process_cpu_seconds"] = float(user) + float(system)
    return result


def wait_for_quiet():
    """The 1-minute load; with QUIET=1 in the environment, first waits until it is below 1 (issue
    21's rule for a verdict: the 2-thread fits leave it near 2, so a wait takes about a minute)."""
    while os.environ.get("QUIET") == "1" and os.getloadavg()[0] >= 1:
        time.sleep(5)
    return os.getloadavg()[0]


def holdout(directory, name, width):
    values = np.fromfile(directory / f"{name}-holdout.f64", dtype=np.float64)
    return values if width == 1 else values.reshape(-1, width)


def verdict(ok):
    return "yes" if ok else "no"


def learner_rows():
    from sklearn.metrics import log_loss, root_mean_squared_error
    regression = generate("regression", 17, regression_target)
    multiclass = generate("multiclass", 23, multiclass_target)
    _, y_regression = load(regression, "holdout", HOLDOUT)
    _, y_multiclass = load(multiclass, "holdout", HOLDOUT)
    runs = {}
    for name, directory, width, command in [
        ("swift-gbdt-regression", regression, 1, [LEARNERS, "gbdt-regression", regression, THREADS]),
        ("lightgbm-regression", regression, 1, [sys.executable, __file__, "lightgbm-regression", regression]),
        ("swift-gbdt-multiclass", multiclass, CLASSES, [LEARNERS, "gbdt-multiclass", multiclass, THREADS, CLASSES]),
        ("lightgbm-multiclass", multiclass, CLASSES, [sys.executable, __file__, "lightgbm-multiclass", multiclass]),
        ("swift-multinomial", multiclass, CLASSES, [LEARNERS, "multinomial", multiclass, THREADS, CLASSES]),
        ("sklearn-multinomial", multiclass, CLASSES, [sys.executable, __file__, "sklearn-multinomial", multiclass]),
    ]:
        load_before = wait_for_quiet()
        result = measure(command)
        result["load_before"] = load_before
        scores = holdout(directory, name, width)
        if width == 1:
            result["rmse"] = root_mean_squared_error(y_regression, scores)
        else:
            result["log_loss"] = log_loss(y_multiclass, scores, labels=list(range(CLASSES)))
        runs[name] = result
        print(f"{name}: {json.dumps(result)}", file=sys.stderr)

    g, l = runs["swift-gbdt-regression"], runs["lightgbm-regression"]
    m, n = runs["swift-gbdt-multiclass"], runs["lightgbm-multiclass"]
    s, k = runs["swift-multinomial"], runs["sklearn-multinomial"]

    def fit(r):
        return f"{r['fit_seconds']:.2f} s (CPU {r['process_cpu_seconds']:.1f} s, {r['peak_rss_mb']:.0f} MB)"

    rows = [
        "| goal | GitML | anchor | measured | target met |",
        "|---|---|---|---|---|",
        f"| regression GBDT fit ≤ 1.0× LightGBM | {fit(g)} | {fit(l)} | {g['fit_seconds'] / l['fit_seconds']:.2f}× | "
        f"{verdict(g['fit_seconds'] <= l['fit_seconds'])} |",
        f"| regression holdout RMSE ≤ 1.01× LightGBM's | {g['rmse']:.5f} | {l['rmse']:.5f} | "
        f"{g['rmse'] / l['rmse']:.4f}× | {verdict(g['rmse'] <= 1.01 * l['rmse'])} |",
        f"| multiclass GBDT fit ≤ 1.0× LightGBM | {fit(m)} | {fit(n)} | {m['fit_seconds'] / n['fit_seconds']:.2f}× | "
        f"{verdict(m['fit_seconds'] <= n['fit_seconds'])} |",
        f"| multiclass GBDT holdout log loss ≤ 1.01× LightGBM's | {m['log_loss']:.5f} | {n['log_loss']:.5f} | "
        f"{m['log_loss'] / n['log_loss']:.4f}× | {verdict(m['log_loss'] <= 1.01 * n['log_loss'])} |",
        f"| multinomial logistic fit ≤ 0.5× scikit-learn lbfgs | {fit(s)}, {s.get('iterations')} it | "
        f"{fit(k)}, {k['iterations']} it | {s['fit_seconds'] / k['fit_seconds']:.2f}× | "
        f"{verdict(s['fit_seconds'] <= 0.5 * k['fit_seconds'])} |",
        f"| multinomial holdout log loss within 1e-4 | {s['log_loss']:.6f} | {k['log_loss']:.6f} | "
        f"{s['log_loss'] - k['log_loss']:+.2e} | {verdict(abs(s['log_loss'] - k['log_loss']) <= 1e-4)} |",
    ]
    return rows, runs


def best(repeats, f):
    runs = []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        value = f()
        runs.append((time.perf_counter() - start, time.process_time() - start_cpu, value))
    return min(runs, key=lambda r: r[0])


def swift_metrics(*args):
    out = subprocess.run([str(EVALUATION), *map(str, args)], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def metric_rows():
    from sklearn.metrics import f1_score, log_loss, mean_absolute_error, r2_score, roc_auc_score, root_mean_squared_error
    rng = np.random.default_rng(31)
    target = rng.normal(size=METRIC_ROWS) * 10
    prediction = np.round(target + rng.normal(size=METRIC_ROWS) * 3, 3)
    (WORK / "metrics").mkdir(parents=True, exist_ok=True)
    target.tofile(WORK / "metrics/targets.f64")
    prediction.tofile(WORK / "metrics/predictions.f64")
    labels = rng.integers(0, CLASSES, size=METRIC_ROWS).astype(np.uint8)
    logits = rng.normal(size=(METRIC_ROWS, CLASSES))
    logits[np.arange(METRIC_ROWS), labels] += 1.0
    probabilities = np.exp(np.round(logits, 2))
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    labels.tofile(WORK / "metrics/labels.u8")
    probabilities.tofile(WORK / "metrics/probabilities.f64")

    ours = swift_metrics("regression", WORK / "metrics/targets.f64", WORK / "metrics/predictions.f64")
    wall, cpu, theirs = best(2, lambda: (root_mean_squared_error(target, prediction),
                                         mean_absolute_error(target, prediction), r2_score(target, prediction)))
    regression = (ours, wall, cpu, theirs)
    ours_m = swift_metrics("multiclass", WORK / "metrics/labels.u8", WORK / "metrics/probabilities.f64", CLASSES)
    wall_m, cpu_m, theirs_m = best(2, lambda: (
        log_loss(labels, probabilities, labels=list(range(CLASSES))),
        f1_score(labels, probabilities.argmax(axis=1), average="macro"),
        roc_auc_score(labels, probabilities, multi_class="ovr", average="macro")))
    print(json.dumps({"regression": [ours, wall, cpu, theirs], "multiclass": [ours_m, wall_m, cpu_m, theirs_m]}),
          file=sys.stderr)
    agree = (abs(ours["rmse"] - regression[3][0]) <= 1e-9 * abs(regression[3][0])
             and abs(ours["mae"] - regression[3][1]) <= 1e-9 * abs(regression[3][1])
             and abs(ours["r2"] - regression[3][2]) <= 1e-9)
    agree_m = (abs(ours_m["log_loss"] - theirs_m[0]) <= 1e-9 and abs(ours_m["macro_f1"] - theirs_m[1]) <= 1e-9
               and abs(ours_m["ovr_macro_auc"] - theirs_m[2]) <= 1e-9)
    return [
        "| goal (10,000,000 rows) | GitML | scikit-learn 1.9.1 | measured | values equal (1e-9) | target met |",
        "|---|---|---|---|---|---|",
        f"| RMSE + MAE + R² ≤ 0.2× | {ours['seconds']:.3f} s (CPU {ours['cpu']:.2f} s) | {wall:.3f} s (CPU {cpu:.2f} s) | "
        f"{ours['seconds'] / wall:.3f}× | {verdict(agree)} | {verdict(ours['seconds'] <= 0.2 * wall)} |",
        f"| log loss + macro F1 + OvR macro AUC (5 classes) ≤ 0.2× | {ours_m['seconds']:.3f} s (CPU {ours_m['cpu']:.2f} s) | "
        f"{wall_m:.3f} s (CPU {cpu_m:.2f} s) | {ours_m['seconds'] / wall_m:.3f}× | {verdict(agree_m)} | "
        f"{verdict(ours_m['seconds'] <= 0.2 * wall_m)} |",
    ]


def main(sections):
    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
          f"1-minute load before: {os.getloadavg()[0]:.2f}")
    if "learners" in sections:
        rows, _ = learner_rows()
        print("\n".join(rows) + "\n")
    if "metrics" in sections:
        print("\n".join(metric_rows()))
    print(f"\n1-minute load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] not in ("learners", "metrics"):
        worker(sys.argv[1], sys.argv[2])
    else:
        main(sys.argv[1:] or ["learners", "metrics"])
