"""Side-by-side learner benchmark: GitML (Swift) vs scikit-learn 1.9.1, LightGBM 4.7.0, XGBoost 3.2.0 (3.4.1 needs Python ≥ 3.12; this machine has 3.11).

Data: synthetic binary task, 30 numeric float32 features, 1,000,000 training rows and
250,000 holdout rows (seed 7). Every library runs with 2 threads, each in its own process so
peak RSS (GNU time's %M of the worker process) is per fit. Run through run.sh; prints a Markdown table.
"""
import json
import os
import pathlib
import subprocess
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
# LEARNERS_DATA, LEARNERS_TRAIN_ROWS and LEARNERS_HOLDOUT_ROWS move the data set and size it
# (Benchmarks/scaling/gbdt.py: the same generator at 10^5 to 10^7 rows).
WORK = pathlib.Path(os.environ.get("LEARNERS_DATA", ROOT / "Benchmarks/work/learners"))
TRAIN = int(os.environ.get("LEARNERS_TRAIN_ROWS", 1_000_000))
HOLDOUT = int(os.environ.get("LEARNERS_HOLDOUT_ROWS", 250_000))
COLUMNS = 30
THREADS = 2
MLP_EPOCHS, MLP_WIDTH = 3, 32
SWIFT_BIN = ROOT / ".build/release/learners-bench"


def generate():
    if (WORK / "shape.txt").exists():
        return
    WORK.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    rows = TRAIN + HOLDOUT
    base = rng.normal(size=(rows, COLUMNS)).astype(np.float32)
    base[:, 10:20] += 0.5 * base[:, 0:10]  # some correlation
    beta = np.zeros(COLUMNS)
    beta[:12] = rng.normal(scale=0.6, size=12)
    x = base.astype(np.float64)
    logit = x @ beta + 0.8 * x[:, 0] * x[:, 1] - 1.2 * (x[:, 2] > 0.5) + np.sin(2 * x[:, 3]) + 0.3 * x[:, 4] ** 2 - 0.3
    y = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    for name, part in (("train", slice(0, TRAIN)), ("holdout", slice(TRAIN, rows))):
        for j in range(COLUMNS):
            np.ascontiguousarray(base[part, j]).tofile(WORK / f"{name}-x{j}.f32")
        y[part].tofile(WORK / f"{name}-y.f32")
    (WORK / "shape.txt").write_text(f"{TRAIN} {HOLDOUT} {COLUMNS}\n")


def load(name, rows):
    x = np.empty((rows, COLUMNS), dtype=np.float32)
    for j in range(COLUMNS):
        x[:, j] = np.fromfile(WORK / f"{name}-x{j}.f32", dtype=np.float32)
    return x, np.fromfile(WORK / f"{name}-y.f32", dtype=np.float32)


def worker(task):
    """Runs one Python-side fit and prints JSON timings; holdout scores go to WORK."""
    x, y = load("train", TRAIN)
    xh, _ = load("holdout", HOLDOUT)
    result = {}
    if task == "sklearn_logistic":
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler
        scaler = StandardScaler().fit(x.astype(np.float64))
        z, zh = scaler.transform(x.astype(np.float64)), scaler.transform(xh.astype(np.float64))
        start = time.perf_counter()
        model = LogisticRegression(C=1.0, tol=1e-4, max_iter=1000).fit(z, y)
        result["fit_seconds"] = time.perf_counter() - start
        result["iterations"] = int(model.n_iter_[0])
        scores = model.predict_proba(zh)[:, 1]
    elif task == "lightgbm":
        import lightgbm as lgb
        params = dict(objective="binary", num_leaves=31, learning_rate=0.1, num_threads=THREADS, max_bin=255,
                      min_data_in_leaf=20, verbose=-1, seed=42, deterministic=True, force_row_wise=True)
        start, cpu = time.perf_counter(), time.process_time()
        booster = lgb.train(params, lgb.Dataset(x, label=y), num_boost_round=100)
        result["fit_seconds"], result["fit_cpu_seconds"] = time.perf_counter() - start, time.process_time() - cpu
        start, cpu = time.perf_counter(), time.process_time()
        booster.predict(x, num_threads=THREADS)
        result["predict_seconds"], result["predict_cpu_seconds"] = time.perf_counter() - start, time.process_time() - cpu
        scores = booster.predict(xh, num_threads=THREADS)
    elif task == "xgboost":
        import xgboost as xgb
        params = dict(objective="binary:logistic", tree_method="hist", grow_policy="lossguide", max_leaves=31,
                      max_depth=0, eta=0.1, nthread=THREADS, max_bin=255, seed=42)
        start, cpu = time.perf_counter(), time.process_time()
        booster = xgb.train(params, xgb.DMatrix(x, label=y, nthread=THREADS), num_boost_round=100)
        result["fit_seconds"], result["fit_cpu_seconds"] = time.perf_counter() - start, time.process_time() - cpu
        start, cpu = time.perf_counter(), time.process_time()
        booster.inplace_predict(x)
        result["predict_seconds"], result["predict_cpu_seconds"] = time.perf_counter() - start, time.process_time() - cpu
        scores = booster.inplace_predict(xh)
    elif task == "sklearn_mlp":
        from sklearn.neural_network import MLPClassifier
        from sklearn.preprocessing import StandardScaler
        scaler = StandardScaler().fit(x.astype(np.float64))
        z, zh = scaler.transform(x.astype(np.float64)), scaler.transform(xh.astype(np.float64))
        start = time.perf_counter()
        model = MLPClassifier(hidden_layer_sizes=(MLP_WIDTH,), solver="adam", learning_rate_init=1e-3, batch_size=200,
                              max_iter=MLP_EPOCHS, alpha=1e-4, shuffle=True, random_state=42, tol=0,
                              n_iter_no_change=10_000).fit(z, y)
        result["fit_seconds"] = time.perf_counter() - start
        scores = model.predict_proba(zh)[:, 1]
    else:
        raise SystemExit(f"unknown task {task}")
    np.asarray(scores, dtype=np.float64).tofile(WORK / f"{task}-holdout.f64")
    print(json.dumps(result))


def measure(command, env_threads=True):
    env = dict(os.environ)
    if env_threads:
        env.update(OMP_NUM_THREADS=str(THREADS), OPENBLAS_NUM_THREADS=str(THREADS), MKL_NUM_THREADS=str(THREADS))
    # GNU time forks the worker from its own small process: a child forked straight from this
    # interpreter would start with its resident set counted (Linux keeps ru_maxrss across exec).
    rss_file = WORK / "peak-rss-kb"
    process = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", str(rss_file)] + list(command),
                               stdout=subprocess.PIPE, env=env, text=True)
    output = process.stdout.read()
    if process.wait() != 0:
        raise SystemExit(f"{command} failed with status {process.returncode}")
    result = json.loads(output.strip().splitlines()[-1])
    result["peak_rss_mb"] = int(rss_file.read_text().split()[-1]) / 1024
    return result


def auc(scores, labels):
    from sklearn.metrics import roc_auc_score
    return roc_auc_score(labels, scores)


def main():
    generate()
    _, holdout_labels = load("holdout", HOLDOUT)
    runs = {}
    for name, command in [
        ("swift_logistic", [str(SWIFT_BIN), "logistic", str(WORK), str(THREADS)]),
        ("sklearn_logistic", [sys.executable, __file__, "sklearn_logistic"]),
        ("swift_gbdt", [str(SWIFT_BIN), "gbdt", str(WORK), str(THREADS)]),
        ("lightgbm", [sys.executable, __file__, "lightgbm"]),
        ("xgboost", [sys.executable, __file__, "xgboost"]),
        ("swift_mlp", [str(SWIFT_BIN), "mlp", str(WORK), str(THREADS), str(MLP_EPOCHS), str(MLP_WIDTH)]),
        ("sklearn_mlp", [sys.executable, __file__, "sklearn_mlp"]),
    ]:
        result = measure(command)
        file = WORK / (f"swift-{name[6:]}-holdout.f64" if name.startswith("swift_") else f"{name}-holdout.f64")
        result["auc"] = auc(np.fromfile(file, dtype=np.float64), holdout_labels)
        runs[name] = result
        print(f"{name}: {json.dumps(result)}", file=sys.stderr)
    print(json.dumps(runs), file=sys.stderr)

    def row(goal, ours, anchor, metric, target):
        return f"| {goal} | {ours} | {anchor} | {metric} | {target} |"

    s, k = runs["swift_logistic"], runs["sklearn_logistic"]
    g, l, x = runs["swift_gbdt"], runs["lightgbm"], runs["xgboost"]
    m, n = runs["swift_mlp"], runs["sklearn_mlp"]
    lines = [
        "| goal | GitML | anchor | measured | target met |",
        "|---|---|---|---|---|",
        row("logistic fit time ≤ 0.5× sklearn lbfgs", f"{s['fit_seconds']:.2f} s ({s.get('iterations')} it)",
            f"{k['fit_seconds']:.2f} s ({k['iterations']} it)", f"{s['fit_seconds'] / k['fit_seconds']:.2f}×",
            "yes" if s["fit_seconds"] <= 0.5 * k["fit_seconds"] else "no"),
        row("logistic holdout AUC within ±0.001", f"{s['auc']:.5f}", f"{k['auc']:.5f}", f"{s['auc'] - k['auc']:+.5f}",
            "yes" if abs(s["auc"] - k["auc"]) <= 0.001 else "no"),
        row("GBDT fit time ≤ 1.0× LightGBM", f"{g['fit_seconds']:.2f} s (CPU {g['fit_cpu_seconds']:.2f} s)",
            f"{l['fit_seconds']:.2f} s (CPU {l['fit_cpu_seconds']:.2f} s)",
            f"{g['fit_seconds'] / l['fit_seconds']:.2f}×", "yes" if g["fit_seconds"] <= l["fit_seconds"] else "no"),
        row("GBDT holdout AUC ≥ LightGBM − 0.002", f"{g['auc']:.5f}", f"{l['auc']:.5f}", f"{g['auc'] - l['auc']:+.5f}",
            "yes" if g["auc"] >= l["auc"] - 0.002 else "no"),
        row("GBDT peak RSS ≤ LightGBM", f"{g['peak_rss_mb']:.0f} MB", f"{l['peak_rss_mb']:.0f} MB",
            f"{g['peak_rss_mb'] / l['peak_rss_mb']:.2f}×", "yes" if g["peak_rss_mb"] <= l["peak_rss_mb"] else "no"),
        row("GBDT predict 1M rows ≤ 1.0× XGBoost", f"{g['predict_seconds']:.3f} s (CPU {g['predict_cpu_seconds']:.2f} s)",
            f"{x['predict_seconds']:.3f} s (CPU {x['predict_cpu_seconds']:.2f} s)",
            f"{g['predict_seconds'] / x['predict_seconds']:.2f}×", "yes" if g["predict_seconds"] <= x["predict_seconds"] else "no"),
        row(f"MLP fit time ≤ 1.0× sklearn ({MLP_EPOCHS} epochs, 1×{MLP_WIDTH} ReLU)", f"{m['fit_seconds']:.2f} s",
            f"{n['fit_seconds']:.2f} s", f"{m['fit_seconds'] / n['fit_seconds']:.2f}×",
            "yes" if m["fit_seconds"] <= n["fit_seconds"] else "no"),
        row("MLP holdout AUC ≥ sklearn − 0.002", f"{m['auc']:.5f}", f"{n['auc']:.5f}", f"{m['auc'] - n['auc']:+.5f}",
            "yes" if m["auc"] >= n["auc"] - 0.002 else "no"),
    ]
    print("\n".join(lines))
    print(f"\nXGBoost (hist, lossguide, 31 leaves) fit: {x['fit_seconds']:.2f} s, holdout AUC {x['auc']:.5f}, "
          f"peak RSS {x['peak_rss_mb']:.0f} MB. GitML numeric profile: {g['profile']}.")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        worker(sys.argv[1])
    else:
        main()
