#!/usr/bin/env python3
"""Cost growth of `git ml data add` and `data checkout` with the file's size (issue 21).

    python3 Benchmarks/scaling/store.py [--copies 1,2,8,32] [--runs 1] [--git-ml PATH] [--no-dvc]

The file of each size is the store benchmark's generated CSV (`Benchmarks/work/data/v1.csv`,
467 MiB; `Benchmarks/store/run.sh` makes it) written COPIES times, each copy after the first
with its header dropped and its digits permuted (`tr`, a permutation per copy), so that no two
copies share a chunk — a concatenation of identical copies would deduplicate and say nothing —
while every copy compresses as the original does. 32 copies are 14.9 GiB.

For each size, in fresh repositories, one after the other (QUIET=1 first waits for a 1-minute
load below 1 before each command): `git ml data add` and its anchors `dvc add` (DVC 3.67.1 from
Benchmarks/.venv; `--no-dvc` skips it) and `zstd -1 -T0` to a file; then, the file deleted,
`git ml data checkout` and its anchor `zstd -d` of that file. Where the page cache can be dropped
(root), it is dropped before each command, so every size is read from disk as a file larger
than memory would be; otherwise the run says "warm". Wall time, user + system CPU and peak RSS
(GNU time) of each; a Markdown table in Benchmarks/work/BENCHMARKS-scaling-store.md and two
plots (time and peak RSS against size, log-log) in docs/scaling-store.svg.
"""
import argparse
import os
import platform
import shutil
import subprocess
import sys
import time

import common

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WORK = os.path.join(ROOT, "Benchmarks", "work", "scaling")
BASE = os.path.join(ROOT, "Benchmarks", "work", "data", "v1.csv")
VENV = os.path.join(ROOT, "Benchmarks", ".venv")
ENV = dict(os.environ, GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.com",
           GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.com")
GIB = 1 << 30


def run(command, cwd):
    subprocess.run(command, cwd=cwd, env=ENV, shell=True, check=True, stdout=subprocess.DEVNULL)


def timed(command, cwd, cold):
    return common.timed(command, cwd, ENV, WORK, cold)


def make_file(path, copies):
    """BASE written `copies` times, each later copy without its header and with digits permuted."""
    digits = "0123456789"
    with open(path, "wb") as out:
        with open(BASE, "rb") as base:
            shutil.copyfileobj(base, out, 1 << 24)
        for k in range(1, copies):
            # Permutation k of the digits: a rotation by k % 10 composed with a swap chosen by k // 10.
            rotated = digits[k % 10:] + digits[:k % 10]
            swap = (k // 10) % 9
            perm = list(rotated)
            perm[swap], perm[swap + 1] = perm[swap + 1], perm[swap]
            out.flush()
            tail = subprocess.Popen(["tail", "-n", "+2", BASE], stdout=subprocess.PIPE)
            subprocess.run(["tr", digits, "".join(perm)], stdin=tail.stdout, stdout=out, check=True)
            tail.wait()


def measure(copies, a, cold):
    folder = os.path.join(WORK, f"x{copies}")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    data = os.path.join(folder, "big.csv")
    make_file(data, copies)
    size = os.path.getsize(data)
    rows = {}
    gitml = os.path.join(folder, "gitml")
    os.makedirs(gitml)
    run(f"git init -q && {a.git_ml} init >/dev/null", gitml)
    os.rename(data, os.path.join(gitml, "big.csv"))
    rows["git ml data add"] = timed(f"{a.git_ml} data add big.csv --name big --no-checks", gitml, cold)
    rows["zstd -1 -T0"] = timed(f"zstd -1 -T0 -q -f big.csv -o {folder}/big.csv.zst", gitml, cold)
    if a.dvc:
        dvc = os.path.join(folder, "dvc")
        os.makedirs(dvc)
        run(f"git init -q && {VENV}/bin/dvc init -q && {VENV}/bin/dvc config core.analytics false", dvc)
        os.link(os.path.join(gitml, "big.csv"), os.path.join(dvc, "big.csv"))
        rows["dvc add"] = timed(f"{VENV}/bin/dvc add -q big.csv", dvc, cold)
        shutil.rmtree(dvc)
    os.unlink(os.path.join(gitml, "big.csv"))
    rows["git ml data checkout"] = timed(f"{a.git_ml} data checkout big", gitml, cold)
    rows["zstd -d"] = timed(f"zstd -d -q -f {folder}/big.csv.zst -o {folder}/out.csv", folder, cold)
    shutil.rmtree(folder)
    return size, rows


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--copies", default="1,2,8,32", help="sizes, in copies of the 467 MiB base file")
    p.add_argument("--git-ml", default=os.path.join(ROOT, ".build", "release", "git-ml"))
    p.add_argument("--no-dvc", dest="dvc", action="store_false")
    p.add_argument("--svg", default=os.path.join(ROOT, "docs", "scaling-store.svg"))
    a = p.parse_args()
    if not os.path.exists(BASE):
        raise SystemExit(f"{BASE} is missing: run Benchmarks/store/run.sh --only add_v1 first (it generates it)")
    if a.dvc and not os.path.exists(f"{VENV}/bin/dvc"):
        raise SystemExit(f"no DVC in {VENV}: run Benchmarks/store/run.sh (it installs it) or pass --no-dvc")
    os.makedirs(WORK, exist_ok=True)
    cold = common.drop_caches()
    results = []
    for copies in [int(c) for c in a.copies.split(",")]:
        size, rows = measure(copies, a, cold)
        results.append((size, rows))
        print(f"{size / GIB:.2f} GiB: " + ", ".join(f"{k} {v['wall']:.2f} s {v['rss']:.0f} MiB" for k, v in rows.items()), file=sys.stderr, flush=True)
    names = list(results[0][1])
    lines = [f"Cost growth of add and checkout ({'cold' if cold else 'warm'} page cache; machine "
             f"{platform.machine()}, {os.cpu_count()} CPUs; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
             f"1-minute load at each start {min(v['load'] for _, r in results for v in r.values()):.2f}–"
             f"{max(v['load'] for _, r in results for v in r.values()):.2f})", "",
             "| size | " + " | ".join(f"{n}: wall s (CPU s), peak RSS" for n in names) + " | GitML add s/GiB | checkout s/GiB |",
             "|---|" + "---|" * (len(names) + 2)]
    for size, rows in results:
        gib = size / GIB
        cells = [f"{rows[n]['wall']:.2f} ({rows[n]['cpu']:.2f}), {rows[n]['rss']:.0f} MiB" for n in names]
        lines.append(f"| {gib:.2f} GiB | " + " | ".join(cells) +
                     f" | {rows['git ml data add']['wall'] / gib:.2f} | {rows['git ml data checkout']['wall'] / gib:.2f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    with open(os.path.join(ROOT, "Benchmarks", "work", "BENCHMARKS-scaling-store.md"), "w") as f:
        f.write(text)
    colors = {"git ml data add": "#1f77b4", "dvc add": "#d62728", "zstd -1 -T0": "#7f7f7f",
              "git ml data checkout": "#2ca02c", "zstd -d": "#bcbd22"}
    with open(a.svg, "w") as f:
        f.write(common.svg([(size / GIB, rows) for size, rows in results], "size (GiB)",
                           ", cold cache" if cold else ", warm cache", colors))


if __name__ == "__main__":
    main()
