#!/usr/bin/env python3
"""Sweep throughput: `git ml sweep run` on the local executor vs the same random search
written by hand with Optuna (RandomSampler) + scikit-learn's HistGradientBoostingClassifier.

Makes a temporary GitML repository with a generated binary-classification dataset (ROWS rows
for training, ROWS/4 for evaluation), an experiment, a suite and a sweep of TRIALS random
trials over learning rate and leaves (fixed ROUNDS boosting rounds, no halving, so both sides
train the same number of models), runs the sweep, and reports trials per hour from the sweep
record's wall time. With optuna and scikit-learn importable it then runs the Optuna study with
the same ranges, the same 80/20 validation split rule, the same number of trials and the same
parallelism, and reports its trials per hour. Prints a Markdown table.

GitML's figure includes what a sweep does per trial beyond training: a process per trial,
contract validation (cached), metering, storing models and predictions, the trial's run record,
the sweep record after every job, and the chosen configuration's evaluation run at the end.

With --ray-python (a Python with ray) the same sweep also runs with `--on ray` on a 2-CPU Ray
head started on loopback inside a network namespace of its own (`unshare -n`, root), and the
table gets its row; the Ray head's start is not counted.

Usage: bench.py --git-ml PATH [--rows 200000] [--trials 12] [--jobs 2] [--rounds 100] [--ray-python PATH]
Numbers from a loaded machine are not verdicts: say "under load".
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time


def write_data(path: str, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    regions = ["north", "south", "east", "west"]
    with open(path, "w") as f:
        f.write("customer_id,usage,tenure,spend,region,churned\n")
        for i in range(rows):
            usage, tenure, spend = rng.uniform(-4, 4), rng.uniform(0, 10), rng.gauss(0, 1)
            region = regions[rng.randrange(4)]
            logit = 1.2 * usage - 0.3 * tenure + 0.5 * math.sin(3 * spend) + (0.8 if region == "north" else 0) + 1
            churned = 1 if rng.random() < 1 / (1 + math.exp(-logit)) else 0
            f.write(f"{seed * 10_000_000 + i},{usage:.4f},{tenure:.3f},{spend:.4f},{region},{churned}\n")


def git_ml(binary: str, repo: str, *args: str) -> str:
    return subprocess.run([binary, *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def sweep(binary: str, repo: str, name: str, jobs: int, ray_python: str | None) -> tuple[float, float | None]:
    """Runs sweep `name`, locally or on a loopback Ray head; returns the sweep's wall seconds and,
    on Ray, the seconds a bare driver takes to import ray and connect (None locally)."""
    if ray_python is None:
        start = time.monotonic()
        git_ml(binary, repo, "sweep", "run", name, "--jobs", str(jobs))
        return time.monotonic() - start, None
    ray = os.path.join(os.path.dirname(ray_python), "ray")
    script = f"""set -e
ip link set lo up
"{ray}" start --head --node-ip-address=127.0.0.1 --port=6391 --num-cpus=2 --include-dashboard=false \\
    --disable-usage-stats --temp-dir=/tmp/ray-bench-$$ > /dev/null 2>&1
trap '"{ray}" stop --force > /dev/null 2>&1; rm -rf /tmp/ray-bench-$$' EXIT
# What any Ray driver pays once to reach the cluster (import ray, connect), timed apart from the sweep.
connect=$(date +%s.%N)
"{ray_python}" -c 'import ray; ray.init(address="127.0.0.1:6391", logging_level="ERROR", log_to_driver=False)'
echo "connect $(echo "$(date +%s.%N) - $connect" | bc)"
start=$(date +%s.%N)
"{binary}" sweep run {name} --on ray --ray-address 127.0.0.1:6391 --ray-python "{ray_python}" --jobs {jobs} > /dev/null
echo "wall $(echo "$(date +%s.%N) - $start" | bc)"
"""
    done = subprocess.run(["unshare", "-n", "bash", "-c", script], cwd=repo, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"the sweep on Ray failed (exit {done.returncode}):\n{done.stderr}")
    out = done.stdout
    return float(out.split("wall ")[1].split()[0]), float(out.split("connect ")[1].split()[0])


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def summary(binary: str, repo: str, name: str, timed: tuple[float, float | None], jobs: int) -> dict:
    wall, connect = timed
    record = json.loads(git_ml(binary, repo, "sweep", "show", name, "--json"))
    # On Ray, each job's placement says what the cluster added to it (round trip − command) and the node's phases.
    cluster = [job["placement"]["seconds"] for job in record["jobs"] if (job.get("placement") or {}).get("seconds", {}).get("overhead") is not None]
    worker = sum(job["cost"]["wall_seconds"] for job in record["jobs"])
    best = max((job["metric"] for job in record["jobs"] if job["metric"] is not None), default=float("nan"))
    count = len(record["jobs"])
    # The chosen configuration's evaluation run comes after the trials: its phases are not trial overhead.
    evaluation = 0.0
    if record.get("evaluated_run"):
        run = json.loads(git_ml(binary, repo, "show", record["evaluated_run"][7:19], "--json"))
        evaluation = sum(run["timings"].values())
    search = max(0.0, wall - evaluation)
    return {"trials": count, "total_s": wall, "search_s": search, "worker_wall_s": worker, "best": best,
            "overhead_s": max(0.0, search * min(jobs, count) - worker) / max(count, 1), "connect_s": connect, "cluster": cluster}


def run_gitml(binary: str, rows: int, trials: int, jobs: int, rounds: int, ray_python: str | None) -> list[tuple[str, dict]]:
    repo = tempfile.mkdtemp(prefix="sweepcmd-bench-")
    blobs = tempfile.mkdtemp(prefix="sweepcmd-bench-blobs-")
    try:
        env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="b@example.com",
                   GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="b@example.com")
        subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True, env=env)
        git_ml(binary, repo, "init")
        write_data(os.path.join(repo, "train.csv"), rows, 1)
        write_data(os.path.join(repo, "eval.csv"), rows // 4, 2)
        git_ml(binary, repo, "data", "add", "train.csv", "--name", "bench-train")
        git_ml(binary, repo, "data", "add", "eval.csv", "--name", "bench-eval")
        for folder in ["suites", "experiments", "sweeps"]:
            os.makedirs(os.path.join(repo, "ml", folder), exist_ok=True)
        with open(os.path.join(repo, "ml/suites/bench.yaml"), "w") as f:
            f.write('task: binary\nlabel: { column: churned, positive: "1" }\neval: bench-eval@v1\nentity: customer_id\n'
                    "primary: { metric: roc_auc }\nsignificance: { method: paired_bootstrap, resamples: 200, confidence: 0.95, seed: 7 }\n")
        with open(os.path.join(repo, "ml/experiments/bench-gbdt.yaml"), "w") as f:
            f.write("suite: bench\ntrain: bench-train@v1\nvalidation: { split: random, fraction: 0.2 }\n"
                    f"model: {{ kind: gbdt, rounds: {rounds}, num_leaves: 31, learning_rate: 0.1 }}\nseeds: [1]\n")
        for name in ["bench", "bench-ray"]:
            # A comment makes the files (and so the job keys) differ: the Ray sweep reuses nothing.
            with open(os.path.join(repo, f"ml/sweeps/{name}.yaml"), "w") as f:
                f.write(f"# {name}\nexperiment: bench-gbdt\nbudget: {{ max_trials: {trials} }}\nsearch: random\ntrials: {trials}\nseed: 3\n"
                        "space:\n  model.learning_rate: { log_uniform: [0.03, 0.3] }\n  model.num_leaves: { int: [8, 63] }\n"
                        f"parallel: {jobs}\n")
        if ray_python:
            # Ray tasks fetch the code bundle and datasets from a blob remote: a directory one here.
            git_ml(binary, repo, "remote", "add", "bench", blobs, "--default")
        subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
        subprocess.run(["git", "commit", "-qm", "bench"], cwd=repo, check=True, env=env)
        rows_out = [("git ml sweep run (local executor)", summary(binary, repo, "bench", sweep(binary, repo, "bench", jobs, None), jobs))]
        if ray_python:
            timed = sweep(binary, repo, "bench-ray", jobs, ray_python)
            rows_out.append(("git ml sweep run --on ray (2-CPU loopback head)", summary(binary, repo, "bench-ray", timed, jobs)))
        return rows_out
    finally:
        shutil.rmtree(repo, ignore_errors=True)
        shutil.rmtree(blobs, ignore_errors=True)


def run_optuna(rows: int, trials: int, jobs: int, rounds: int) -> dict | None:
    try:
        import numpy as np
        import optuna
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.metrics import roc_auc_score
    except ImportError as error:
        print(f"optuna / scikit-learn not importable ({error}): only GitML is measured", file=sys.stderr)
        return None
    directory = tempfile.mkdtemp(prefix="sweepcmd-bench-optuna-")
    try:
        start = time.monotonic()
        path = os.path.join(directory, "train.csv")
        write_data(path, rows, 1)
        data = np.genfromtxt(path, delimiter=",", skip_header=1, dtype=None, encoding="utf-8")
        x = np.column_stack([data["f1"], data["f2"], data["f3"], (data["f4"] == "north").astype(float),
                             (data["f4"] == "south").astype(float), (data["f4"] == "east").astype(float)])
        y = data["f5"]
        order = np.random.default_rng(1).permutation(len(y))
        cut = int(round(len(y) * 0.2))
        valid, fit = order[:cut], order[cut:]
        optuna.logging.set_verbosity(optuna.logging.WARNING)

        def objective(trial: "optuna.Trial") -> float:
            model = HistGradientBoostingClassifier(max_iter=rounds, learning_rate=trial.suggest_float("lr", 0.03, 0.3, log=True),
                                                   max_leaf_nodes=trial.suggest_int("leaves", 8, 63), early_stopping=False,
                                                   random_state=1)
            model.fit(x[fit], y[fit])
            return roc_auc_score(y[valid], model.predict_proba(x[valid])[:, 1])

        study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(seed=3))
        study.optimize(objective, n_trials=trials, n_jobs=jobs)
        return {"trials": trials, "total_s": time.monotonic() - start, "best": study.best_value}
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--git-ml", required=True)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--trials", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--ray-python", help="a Python with ray: also run the sweep on a loopback Ray head")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"{args.rows} training rows, {args.trials} trials, {args.jobs} at once, {args.rounds} rounds; "
          f"1-minute load {load:.2f}{' (under load: not a verdict)' if load >= 1 else ''}\n")
    print("| sweep | trials | wall s | of which search s | trials/hour (search) | workers' wall s | overhead per trial s | best validation AUC |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    rows = run_gitml(os.path.abspath(args.git_ml), args.rows, args.trials, args.jobs, args.rounds, args.ray_python)
    for label, g in rows:
        print(f"| {label} | {g['trials']} | {g['total_s']:.1f} | {g['search_s']:.1f} | {3600 * g['trials'] / g['search_s']:.0f} | "
              f"{g['worker_wall_s']:.1f} | {g['overhead_s']:.2f} | {g['best']:.4f} |")
    o = run_optuna(args.rows, args.trials, args.jobs, args.rounds)
    if o:
        print(f"| Optuna RandomSampler + sklearn HistGradientBoosting (incl. CSV parse) | {o['trials']} | {o['total_s']:.1f} | "
              f"{o['total_s']:.1f} | {3600 * o['trials'] / o['total_s']:.0f} | – | – | {o['best']:.4f} |")
    print("\nGitML's wall includes the chosen configuration's evaluation run; search = wall − that run's phases; overhead per "
          "trial = (search × jobs at once − the workers' wall) / trials: process start, validation, storing, records, scheduling.")
    for label, g in rows:
        if not g["cluster"]:
            continue
        def spread(values: list[float]) -> str:
            return f"{median(values):.3f} ({min(values):.3f}–{max(values):.3f})"
        node = lambda phase: [c["node"][phase] for c in g["cluster"]]
        print(f"\n{label}, per job from the sweep record, median (range) s over {len(g['cluster'])} jobs:\n")
        print("| what the cluster added (round trip − command) | round trip | fetch and check out | command | upload | clean up |")
        print("|---:|---:|---:|---:|---:|---:|")
        print(f"| {spread([c['overhead'] for c in g['cluster']])} | {spread([c['round_trip'] for c in g['cluster']])} | "
              f"{spread(node('fetch_and_check_out'))} | {spread(node('command'))} | {spread(node('upload'))} | {spread(node('clean_up'))} |")
        print(f"\nOnce per sweep, outside the jobs: a bare Python driver's `import ray; ray.init(address)` took {g['connect_s']:.2f} s "
              "(GitML's bridge pays the same once per sweep; it is in the sweep's wall and the table's overhead above).")


if __name__ == "__main__":
    main()
