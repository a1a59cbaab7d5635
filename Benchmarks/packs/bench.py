#!/usr/bin/env python3
"""Pack-count benchmark (issue 21): the same data in 10 packs and in 10,000 packs.

    python3 Benchmarks/packs/bench.py [--git-ml PATH] [--baseline PATH] [--runs N] [--quick]

Builds one project (a folder of small files and a CSV, added, committed, pushed to a directory
blob remote, and pulled into a clone), then copies it once per pack count and rewrites both
stores' packs as that many packs holding the same objects (`regroup.py`, bytes copied as they
are; `git ml fsck` checks each copy and, with a GitML that has the master index, writes its
multi-pack index, so the timed steps find the steady state). Each run restores a fresh copy and times, in the project: `data add` of v2
(1% of the CSV's rows edited, 1% of the files edited, 1% new), `data checkout` of v1 (files
deleted first), `git ml push` of v2; in the clone: `git ml pull` of v2. Pack counts alternate
within each run. Then, once per pack count, counts what load does not change: the `openat`
calls of the checkout (and how many opened a `.idx`) under `strace -f`, and the instructions
of the whole sequence (`perf stat -e instructions:u`) where perf is allowed.

`--baseline` names a second git-ml (e.g. a build of the commit before the master index): its
counts (and one timed run) are reported beside. Output: a Markdown table on stdout and in
Benchmarks/work/BENCHMARKS-packs.md. On a loaded machine the times are "under load" and are not
a verdict; the counts are.
"""
import argparse
import hashlib
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import regroup  # noqa: E402

ENV = dict(os.environ, GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.com",
           GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.com")
STEPS = ["add", "checkout", "push", "pull"]
# Seconds between the benchmark's own deletions and a timed step (see Bench.restore).
SETTLE = 16.0


class Seconds:
    """Wall and CPU (user + system of the command and its children) seconds, added step by step."""
    def __init__(self, wall=0.0, cpu=0.0):
        self.wall, self.cpu = wall, cpu

    def __add__(self, other):
        return Seconds(self.wall + other.wall, self.cpu + other.cpu)


def sh(args, cwd, binary, wrap=()):
    env = dict(ENV, PATH=os.path.dirname(binary) + ":" + ENV["PATH"])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(list(wrap) + args, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} in {cwd} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Seconds(elapsed, cpu), done


class Bench:
    def __init__(self, a):
        self.a = a
        self.work = os.path.join(ROOT, "Benchmarks", "work", "packs")
        self.project = os.path.join(self.work, "run")
        self.clone = self.project + "-clone"
        self.paths = [self.project, self.project + "-bare.git", self.project + "-blobs", self.clone]

    def write_files(self, version):
        rng = random.Random(7)
        folder = os.path.join(self.project, "files")
        os.makedirs(folder, exist_ok=True)
        count = self.a.files + (self.a.files // 100 if version == 2 else 0)
        for i in range(count):
            lines = [f"{i},{j},{rng.randrange(10**6)},{rng.random():.6f}" for j in range(self.a.file_rows)]
            if version == 2 and i % 100 == 7:
                lines[0] += ",edited"
            with open(os.path.join(folder, f"f{i:05d}.csv"), "w") as f:
                f.write("\n".join(lines) + "\n")
        rng = random.Random(11)
        with open(os.path.join(self.project, "big.csv"), "w") as f:
            for i in range(self.a.csv_rows):
                row = f"{i},{rng.randrange(10**6)},{rng.random():.6f},cat{rng.randrange(7)}"
                f.write(row + (",edited\n" if version == 2 and i % 100 == 42 else "\n"))

    def ml(self, cwd, binary, *args, wrap=()):
        return sh(["git", "ml", *args], cwd, binary, wrap)

    def build_template(self, binary):
        for p in self.paths:
            shutil.rmtree(p, ignore_errors=True)
        bare, blobs = self.paths[1], self.paths[2]
        sh(["git", "init", "-q", "-b", "main", self.project], self.work, binary)
        sh(["git", "init", "-q", "--bare", "-b", "main", bare], self.work, binary)
        sh(["git", "remote", "add", "origin", bare], self.project, binary)
        self.ml(self.project, binary, "init")
        self.ml(self.project, binary, "remote", "add", "shared", blobs, "--default")
        self.write_files(1)
        self.ml(self.project, binary, "data", "add", "files", "--name", "files", "--no-checks")
        self.ml(self.project, binary, "data", "add", "big.csv", "--name", "big", "--no-checks")
        sh(["git", "mlcommit", "-m", "v1"], self.project, binary)
        self.ml(self.project, binary, "push")
        sh(["git", "clone", "-q", bare, self.clone], self.work, binary)
        self.ml(self.clone, binary, "init")
        self.ml(self.clone, binary, "pull")
        self.big_v1 = hashlib.sha256(open(os.path.join(self.project, "big.csv"), "rb").read()).hexdigest()
        with open(os.path.join(self.work, "big-v1.sha256"), "w") as f:
            f.write(self.big_v1 + "\n")
        for n in self.a.packs:
            keep = os.path.join(self.work, f"template-{n}")
            shutil.rmtree(keep, ignore_errors=True)
            os.makedirs(keep)
            for p in self.paths:
                shutil.copytree(p, os.path.join(keep, os.path.basename(p)), symlinks=True)
            for repo in ("run", "run-clone"):
                objects, packs = regroup.regroup(os.path.join(keep, repo, ".git", "ml", "packs"), n)
                print(f"template {n}: {repo}: {objects} objects in {packs} packs", file=sys.stderr)
                # Checks the regrouped store; a master-index build writes its multi-pack index here.
                self.ml(os.path.join(keep, repo), binary, "fsck")

    def discard(self, path):
        """Moves `path` into the trash folder: it is deleted before the next copy, not during a timed step."""
        trash = os.path.join(self.work, "trash")
        os.makedirs(trash, exist_ok=True)
        if os.path.lexists(path):
            os.rename(path, os.path.join(trash, f"{len(os.listdir(trash))}-{os.path.basename(path)}"))

    def restore(self, n, binary):
        """A fresh copy of the template, made at least SETTLE seconds after the last deletion.

        A copy's pack folder is a new inode, so the record of its packs (docs/FORMAT.md, "Pack
        folder record") does not match it: one untimed `git ml data log big` in each copy lists
        the folder and writes the record, as GitML keeps it in a store it made and changed
        itself (the timed steps measure that steady state, as the templates' multi-pack index).

        ext4 without a journal (this machine's root file system) skips inodes freed in the last
        10-15 s when it allocates new ones (`recently_deleted`), one buffer lookup each: a
        checkout creating 10,000 files just after the benchmark deleted 30,000 spent 3-5 s in the
        kernel, whatever the pack count. So deletions happen here, and the timed steps start
        only once they are older than that window.
        """
        for p in self.paths:
            self.discard(p)
        shutil.rmtree(os.path.join(self.work, "trash"), ignore_errors=True)
        deleted = time.monotonic()
        for p in self.paths:
            shutil.copytree(os.path.join(self.work, f"template-{n}", os.path.basename(p)), p, symlinks=True)
        for repo in (self.project, self.clone):
            self.ml(repo, binary, "data", "log", "big")
        os.sync()
        time.sleep(max(0.0, SETTLE - (time.monotonic() - deleted)))

    def sequence(self, n, binary, wrap=()):
        """The four timed steps on a fresh copy holding `n` packs."""
        self.restore(n, binary)
        self.write_files(2)
        t = {}
        t["add"] = (self.ml(self.project, binary, "data", "add", "big.csv", "--name", "big", "--no-checks", wrap=wrap)[0]
                    + self.ml(self.project, binary, "data", "add", "files", "--name", "files", "--no-checks", wrap=wrap)[0])
        sh(["git", "mlcommit", "-m", "v2"], self.project, binary)
        self.discard(os.path.join(self.project, "files"))
        self.discard(os.path.join(self.project, "big.csv"))
        t["checkout"] = (self.ml(self.project, binary, "data", "checkout", "big@v1", wrap=wrap)[0]
                         + self.ml(self.project, binary, "data", "checkout", "files@v1", wrap=wrap)[0])
        got = hashlib.sha256(open(os.path.join(self.project, "big.csv"), "rb").read()).hexdigest()
        assert got == self.big_v1, "checkout wrote different bytes"
        t["push"] = self.ml(self.project, binary, "push", wrap=wrap)[0]
        sh(["git", "pull", "-q", "--ff-only"], self.clone, binary)
        t["pull"] = self.ml(self.clone, binary, "pull", wrap=wrap)[0]
        return t

    def counts(self, n, binary):
        """openat calls of the checkout (and of .idx files) under strace; its instructions under callgrind."""
        self.restore(n, binary)
        self.write_files(2)
        self.ml(self.project, binary, "data", "add", "big.csv", "--name", "big", "--no-checks")
        self.ml(self.project, binary, "data", "add", "files", "--name", "files", "--no-checks")
        sh(["git", "mlcommit", "-m", "v2"], self.project, binary)
        shutil.rmtree(os.path.join(self.project, "files"))
        os.unlink(os.path.join(self.project, "big.csv"))
        trace = os.path.join(self.work, "strace.txt")
        self.ml(self.project, binary, "data", "checkout", "big@v1", "files@v1",
                wrap=("strace", "-f", "-qq", "-e", "trace=openat", "-o", trace))
        lines = open(trace).read().splitlines()
        out = {"openat": len(lines), "idx": sum(1 for l in lines if '.idx"' in l)}
        if self.a.callgrind:
            shutil.rmtree(os.path.join(self.project, "files"))
            os.unlink(os.path.join(self.project, "big.csv"))
            # valgrind 3.19 cannot read Swift's DWARF 5: count a copy without debug information.
            stripped = os.path.join(self.work, "git-ml-stripped")
            subprocess.run(["objcopy", "--strip-debug", binary, stripped], check=True)
            _, done = sh([stripped, "data", "checkout", "big@v1", "files@v1"], self.project, binary,
                         wrap=("valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"))
            for line in done.stderr.splitlines():
                if "Collected :" in line:
                    out["instructions"] = int(line.split(":")[-1])
        return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--git-ml", default=os.path.join(ROOT, ".build", "release", "git-ml"))
    p.add_argument("--baseline", help="a second git-ml to count (and time once) beside")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--packs", default="10,10000")
    p.add_argument("--files", type=int, default=10_000)
    p.add_argument("--file-rows", type=int, default=40)
    p.add_argument("--csv-rows", type=int, default=600_000)
    p.add_argument("--callgrind", action="store_true", help="count the checkout's instructions with callgrind")
    p.add_argument("--quick", action="store_true", help="small data, one run (figures not comparable)")
    p.add_argument("--reuse", action="store_true", help="keep the templates of the last run with the same arguments")
    a = p.parse_args()
    a.packs = [int(x) for x in a.packs.split(",")]
    if a.quick:
        a.files, a.csv_rows, a.runs, a.packs = 300, 20_000, 1, [3, 300]
    if a.reuse and not all(os.path.isdir(os.path.join(ROOT, "Benchmarks", "work", "packs", f"template-{n}")) for n in a.packs):
        a.reuse = False
    bench = Bench(a)
    os.makedirs(bench.work, exist_ok=True)
    binaries = [("master index", a.git_ml)] + ([("baseline", a.baseline)] if a.baseline else [])
    if a.reuse:
        bench.big_v1 = open(os.path.join(bench.work, "big-v1.sha256")).read().strip()
    else:
        bench.build_template(a.git_ml)
    load = os.getloadavg()[0]
    times = {(label, n): {s: [] for s in STEPS} for label, _ in binaries for n in a.packs}
    for run in range(a.runs):
        for label, binary in binaries:
            if label == "baseline" and run > 0:
                continue
            for n in (a.packs if run % 2 == 0 else list(reversed(a.packs))):
                for step, seconds in bench.sequence(n, binary).items():
                    times[(label, n)][step].append(seconds)
                print(f"run {run + 1} {label} {n} packs: " + ", ".join(
                    f"{step} {x[-1].wall:.2f} s wall {x[-1].cpu:.2f} s CPU" for step, x in times[(label, n)].items()), file=sys.stderr)
    counts = {(label, n): bench.counts(n, binary) for label, binary in binaries for n in a.packs}
    load = max(load, os.getloadavg()[0])

    def cell(values):
        return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})" if values else "—"

    def ratio(large, small):
        return f"{statistics.median(large) / statistics.median(small):.2f}×" if small and large else "—"

    small, large = a.packs[0], a.packs[-1]
    out = [f"Same data in {small:,} and {large:,} packs: {a.files:,} files of {a.file_rows} rows + a CSV of "
           f"{a.csv_rows:,} rows; 1-minute load {load:.1f}" + (" (**measured under load**: not a verdict)" if load >= 1 else ""),
           "", f"| binary | step | wall, {small:,} packs | wall, {large:,} packs | ratio | CPU, {small:,} packs | CPU, {large:,} packs | ratio |",
           "|---|---|---|---|---|---|---|---|"]
    for label, _ in binaries:
        for step in STEPS:
            s, l = times[(label, small)][step], times[(label, large)][step]
            sw, lw, sc, lc = [x.wall for x in s], [x.wall for x in l], [x.cpu for x in s], [x.cpu for x in l]
            out.append(f"| {label} | {step} | {cell(sw)} | {cell(lw)} | {ratio(lw, sw)} | {cell(sc)} | {cell(lc)} | {ratio(lc, sc)} |")
    out += ["", "| binary | packs | checkout: openat calls | of them `.idx` | checkout: instructions |", "|---|---|---|---|---|"]
    for label, _ in binaries:
        for n in a.packs:
            c = counts[(label, n)]
            instructions = f"{c['instructions']:,}" if "instructions" in c else "—"
            out.append(f"| {label} | {n:,} | {c['openat']:,} | {c['idx']:,} | {instructions} |")
    text = "\n".join(out) + "\n"
    print(text)
    with open(os.path.join(ROOT, "Benchmarks", "work", "BENCHMARKS-packs" + ("-quick" if a.quick else "") + ".md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
