#!/usr/bin/env python3
"""Side-by-side benchmark of the GitML dataset store against DVC, git-lfs, zstd and sha256sum.

Run through Benchmarks/store/run.sh, which installs the anchors and generates the data.
Every figure is the median of --runs runs (wall time from the parent, peak RSS and CPU time
from /usr/bin/time). Each add runs in a fresh temporary repository under the work folder;
input files are read once before each series, so the page cache is warm for every tool.
With QUIET=1 in the environment each run first waits until the 1-minute load is below 1 (issue
21's rule for a verdict); the load recorded is the one each run started at.
A GitML command that fails is recorded with its error and never replaced by a figure.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Callable

MIB = 1 << 20


@dataclass
class Sample:
    """One run of one command."""

    wall_s: float
    cpu_s: float
    peak_rss_kib: int


@dataclass
class Series:
    """Repeated runs of one command; `error` is set when a run failed (no figure then)."""

    key: str
    command: str
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None
    extra: dict = field(default_factory=dict)

    shown: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.samples)

    def median(self, attribute: str = "wall_s") -> float:
        return statistics.median(getattr(s, attribute) for s in self.samples)

    def as_json(self) -> dict:
        return {
            "command": self.shown,
            "error": self.error,
            "wall_s": [round(s.wall_s, 4) for s in self.samples],
            "cpu_s": [round(s.cpu_s, 3) for s in self.samples],
            "peak_rss_kib": [s.peak_rss_kib for s in self.samples],
            **self.extra,
        }


class CommandFailed(Exception):
    """A measured or setup command exited non-zero."""

    def __init__(self, command: str, returncode: int, stderr: str):
        lines = [l for l in stderr.strip().splitlines() if l.strip()]
        tail = lines[-1] if lines else "(no output)"
        super().__init__(f"`{command}` exited {returncode}: {tail}")


def shell(command: str, cwd: str, env: dict | None = None) -> str:
    """Run a setup command (not measured); raise CommandFailed on a non-zero exit."""
    proc = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise CommandFailed(command, proc.returncode, proc.stderr + proc.stdout)
    return proc.stdout


def timed(command: str, cwd: str, env: dict | None = None) -> Sample:
    """Run one measured command under /usr/bin/time; wall time is taken around the process."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        argv = ["/usr/bin/time", "-f", "%M %U %S", "-o", report.name, "bash", "-c", command]
        started = time.perf_counter()
        proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - started
        if proc.returncode != 0:
            raise CommandFailed(command, proc.returncode, proc.stderr + proc.stdout)
        rss, user, system = report.read().split()[-3:]
    return Sample(wall, float(user) + float(system), int(rss))


def quiet_load() -> float:
    """The 1-minute load; with QUIET=1 in the environment, first waits until it is below 1."""
    while os.environ.get("QUIET") == "1" and os.getloadavg()[0] >= 1:
        time.sleep(2)
    return os.getloadavg()[0]


def tree_bytes(path: str) -> int:
    """Sum of the apparent sizes of all regular files under path (0 if it does not exist)."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            if not os.path.islink(full):
                total += os.path.getsize(full)
    return total


def warm(path: str) -> None:
    """Read a file or tree once so the page cache holds it for every tool alike."""
    shell(f"find {shlex.quote(path)} -type f -print0 | xargs -0 cat > /dev/null", cwd="/")


class Bench:
    """Holds paths, tools and results of one benchmark run."""

    def __init__(self, args: argparse.Namespace):
        self.data = os.path.abspath(args.data)
        self.scratch = os.path.abspath(args.scratch)
        self.gitml = args.gitml
        self.runs = args.runs
        self.venv_bin = os.path.dirname(os.path.abspath(args.dvc))
        self.results: dict[str, Series] = {}
        self.sizes: dict[str, int] = {}
        self.load: list[float] = []
        self.env = dict(os.environ)
        self.env.update(
            {
                "PATH": self.venv_bin + os.pathsep + os.path.dirname(os.path.abspath(self.gitml)) + os.pathsep + os.environ["PATH"],
                "GIT_AUTHOR_NAME": "bench",
                "GIT_AUTHOR_EMAIL": "bench@example.invalid",
                "GIT_COMMITTER_NAME": "bench",
                "GIT_COMMITTER_EMAIL": "bench@example.invalid",
                "DVC_NO_ANALYTICS": "1",
                "GIT_CONFIG_NOSYSTEM": "1",
            }
        )
        shutil.rmtree(self.scratch, ignore_errors=True)
        self.zstd_dir = os.path.join(self.scratch, "zstd")
        os.makedirs(self.zstd_dir)

    # ------------------------------------------------------------ helpers

    def display(self, command: str) -> str:
        """The command as a reader would type it: `git ml` for the binary, $DATA for the data folder."""
        return command.replace(self.data, "$DATA").replace(self.gitml, "git ml")

    def input(self, name: str) -> str:
        return os.path.join(self.data, name)

    def fresh_repo(self, label: str, kind: str) -> str:
        """A new git repository prepared for one tool: gitml | dvc | lfs | git."""
        repo = os.path.join(self.scratch, label)
        shutil.rmtree(repo, ignore_errors=True)
        os.makedirs(repo)
        shell("git init -q -b main . && git commit -q --allow-empty -m init", repo, self.env)
        if kind == "gitml":
            shell(f"{self.gitml} init", repo, self.env)
        elif kind == "dvc":
            shell("dvc init -q && dvc config core.analytics false", repo, self.env)
        elif kind == "lfs":
            shell("git lfs install --local >/dev/null && git lfs track '*.csv' >/dev/null && "
                  "git add .gitattributes && git commit -q -m lfs", repo, self.env)
        return repo

    def series(self, key: str, command: str, cwd_for_run: Callable[[int], str],
               after_run: Callable[[int, str], None] | None = None) -> Series:
        """Run `command` --runs times; cwd_for_run(i) prepares run i and returns its folder."""
        result = Series(key, command, shown=self.display(command))
        self.results[key] = result
        try:
            for i in range(self.runs):
                cwd = cwd_for_run(i)
                self.load.append(quiet_load())
                result.samples.append(timed(command, cwd, self.env))
                if after_run is not None:
                    after_run(i, cwd)
        except CommandFailed as failure:
            result.error = str(failure)
        ok = "ok" if result.ok else f"FAILED: {result.error}"
        shown = f"{result.median():.2f} s" if result.samples else "-"
        print(f"[{key}] {shown} ({ok})", file=sys.stderr, flush=True)
        return result

    def record_size(self, key: str, path: str) -> Callable[[int, str], None]:
        """An after_run hook storing the bytes under repo/path (the last run's), then removing the repository."""
        def hook(_: int, repo: str) -> None:
            self.sizes[key] = tree_bytes(os.path.join(repo, path))
            shutil.rmtree(repo, ignore_errors=True)
        return hook

    # ------------------------------------------------------------ measurements

    def add_v1(self) -> None:
        v1 = self.input("v1.csv")
        warm(v1)

        def fresh(kind: str) -> Callable[[int], str]:
            def prepare(i: int) -> str:
                repo = self.fresh_repo(f"{kind}-v1-{i}", kind)
                shutil.copyfile(v1, os.path.join(repo, "data.csv"))
                return repo
            return prepare

        self.series("gitml.add.v1", f"{self.gitml} data add data.csv --name table", fresh("gitml"),
                    self.record_size("gitml.store.v1", ".git/ml/packs"))
        self.series("dvc.add.v1", "dvc add -q data.csv", fresh("dvc"), self.record_size("dvc.store.v1", ".dvc/cache"))
        self.series("lfs.add.v1", "git add data.csv && git commit -q -m v1", fresh("lfs"),
                    self.record_size("lfs.store.v1", ".git/lfs/objects"))
        zstd_dir = self.zstd_dir
        self.series("zstd.compress.v1", f"zstd -1 -T0 -q -f {shlex.quote(v1)} -o v1.csv.zst", lambda i: zstd_dir)
        self.sizes["zstd.v1"] = os.path.getsize(os.path.join(zstd_dir, "v1.csv.zst"))
        self.series("sha256sum.v1", f"sha256sum {shlex.quote(v1)} > /dev/null", lambda i: zstd_dir)

    def add_variants(self) -> None:
        """For each variant: a fresh repository holding v1, then the timed add of the variant."""
        v1 = self.input("v1.csv")
        variants = ("v2", "append", "blocks")
        for variant in variants:
            new = self.input(f"{variant}.csv")
            warm(new)
            warm(v1)
            changed = self.input(f"{variant}.changed")
            self.sizes[f"changed.{variant}"] = os.path.getsize(changed)
            self.sizes[f"changed.zstd.{variant}"] = len(
                subprocess.run(["zstd", "-1", "-T0", "-q", "-c", changed], capture_output=True, check=True).stdout
            )
            before: dict[str, int] = {}

            def prepare(kind: str, store: str, add_v1: str) -> Callable[[int], str]:
                def run(i: int) -> str:
                    repo = self.fresh_repo(f"{kind}-{variant}-{i}", kind)
                    shutil.copyfile(v1, os.path.join(repo, "data.csv"))
                    shell(add_v1, repo, self.env)
                    before[kind] = tree_bytes(os.path.join(repo, store))
                    shutil.copyfile(new, os.path.join(repo, "data.csv"))
                    return repo
                return run

            def growth(kind: str, store: str, *, keep: bool) -> Callable[[int, str], None]:
                def hook(i: int, repo: str) -> None:
                    self.sizes[f"{kind}.new.{variant}"] = tree_bytes(os.path.join(repo, store)) - before[kind]
                    if not (keep and i == self.runs - 1):
                        shutil.rmtree(repo, ignore_errors=True)
                return hook

            gitml_add = f"{self.gitml} data add data.csv --name table"
            self.series(f"gitml.add.{variant}", gitml_add, prepare("gitml", ".git/ml/packs", gitml_add),
                        growth("gitml", ".git/ml/packs", keep=variant == "v2"))
            if variant == "v2":
                dvc_add, lfs_add = "dvc add -q data.csv", "git add data.csv && git commit -q -m v"
                self.series("dvc.add.v2", dvc_add, prepare("dvc", ".dvc/cache", dvc_add),
                            growth("dvc", ".dvc/cache", keep=True))
                self.series("lfs.add.v2", lfs_add, prepare("lfs", ".git/lfs/objects", lfs_add),
                            growth("lfs", ".git/lfs/objects", keep=True))

    def checkout(self) -> None:
        """Restore the 500 MB file after rm, in the repositories left by add_variants (they hold
        v1 and v2): the latest version v2 (GitML: mostly delta chunks), then GitML's v1 (full chunks)."""
        last = self.runs - 1

        def removed(kind: str) -> Callable[[int], str]:
            def run(_: int) -> str:
                repo = os.path.join(self.scratch, f"{kind}-v2-{last}")
                added = self.results.get(f"{kind}.add.v2")
                if added is None or not added.ok:
                    raise CommandFailed(f"{kind} checkout", 1, "no repository holding v1 and v2: add_variants failed or did not run")
                os.remove(os.path.join(repo, "data.csv"))
                return repo
            return run

        def verify(version: str) -> Callable[[int, str], None]:
            expected = shell(f"sha256sum {shlex.quote(self.input(version + '.csv'))}", "/").split()[0]

            def hook(_: int, repo: str) -> None:
                got = shell("sha256sum data.csv", repo).split()[0]
                if got != expected:
                    raise CommandFailed("sha256sum data.csv after checkout", 1, f"restored bytes differ from {version}: {got}")
            return hook

        def fresh_output(_: int) -> str:
            if os.path.exists(os.path.join(self.zstd_dir, "data.csv")):
                os.remove(os.path.join(self.zstd_dir, "data.csv"))
            return self.zstd_dir

        self.series("gitml.checkout.v2", f"{self.gitml} data checkout table", removed("gitml"), verify("v2"))
        self.series("dvc.checkout.v2", "dvc checkout -q data.csv.dvc", removed("dvc"), verify("v2"))
        self.series("lfs.checkout.v2", "git checkout -- data.csv", removed("lfs"), verify("v2"))
        for version in ("v2", "v1"):
            shell(f"zstd -1 -T0 -q -f {shlex.quote(self.input(version + '.csv'))} -o {version}.csv.zst", self.zstd_dir)
        warm(os.path.join(self.zstd_dir, "v2.csv.zst"))
        self.series("zstd.decompress.v2", "zstd -d -q -f v2.csv.zst -o data.csv", fresh_output, verify("v2"))
        self.series("gitml.checkout.v1", f"{self.gitml} data checkout table@v1", removed("gitml"), verify("v1"))
        warm(os.path.join(self.zstd_dir, "v1.csv.zst"))
        self.series("zstd.decompress.v1", "zstd -d -q -f v1.csv.zst -o data.csv", fresh_output, verify("v1"))
        for kind in ("gitml", "dvc", "lfs"):
            shutil.rmtree(os.path.join(self.scratch, f"{kind}-v2-{last}"), ignore_errors=True)

    def small_files(self) -> None:
        small = self.input("small")
        warm(small)
        self.sizes["small.files"] = sum(len(f) for _, _, f in os.walk(small))
        self.sizes["small.bytes"] = tree_bytes(small)

        def fresh(kind: str) -> Callable[[int], str]:
            def prepare(i: int) -> str:
                repo = self.fresh_repo(f"{kind}-small-{i}", kind)
                shutil.copytree(small, os.path.join(repo, "small"))
                return repo
            return prepare

        def drop(_: int, repo: str) -> None:
            shutil.rmtree(repo, ignore_errors=True)

        self.series("gitml.add.small", f"{self.gitml} data add small --name small", fresh("gitml"), drop)
        self.series("dvc.add.small", "dvc add -q small", fresh("dvc"), drop)
        tar_dir = os.path.join(self.scratch, "tar")
        os.makedirs(tar_dir, exist_ok=True)
        self.series("tar.zstd.small", f"tar -C {shlex.quote(self.data)} -c small | zstd -1 -T0 -q > small.tar.zst", lambda i: tar_dir)

    def status(self) -> None:
        """Clean status of many tracked files: a GitML dataset vs the same files committed to git."""
        tree = self.input("small100k")
        self.sizes["status.files"] = sum(len(f) for _, _, f in os.walk(tree))
        self.clean_status("gitml", f"{self.gitml} data add many --name many", f"{self.gitml} data status", tree)
        self.clean_status("git", "git add many && git commit -q -m many", "git status", tree)

    def clean_status(self, kind: str, add: str, status: str, tree: str) -> None:
        """Track `tree` (hard links) in a fresh repository with `add` (timed once), then time `status`."""
        repo = os.path.join(self.scratch, f"{kind}-status")

        def prepare(i: int) -> str:
            if i == 0:
                self.fresh_repo(f"{kind}-status", kind)
                shell(f"cp -al {shlex.quote(tree)} many", repo)
                sample = timed(add, repo, self.env)
                self.results[f"{kind}.add.many"] = Series(f"{kind}.add.many", add, [sample], shown=self.display(add))
                timed(status, repo, self.env)  # the first run refreshes caches and the index: not counted
            return repo

        self.series(f"{kind}.status", status, prepare)


# ---------------------------------------------------------------- report


def fmt_s(series: Series | None) -> str:
    if series is None:
        return "not run"
    if not series.ok:
        return "failed"
    return f"{series.median():.2f} s"


def fmt_bytes(n: int | None) -> str:
    if n is None:
        return "-"
    if n >= 10 * MIB:
        return f"{n / MIB:.1f} MiB"
    if n >= 10 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n} B"


def verdict(met: bool | None) -> str:
    return {True: "met", False: "missed", None: "not measured"}[met]


def target_rows(b: Bench) -> list[tuple[str, str, str, str, str]]:
    """(measure, target, GitML figure, anchor figure, verdict) per target of the issue."""
    r, s = b.results, b.sizes
    rows = []

    def ratio_row(measure: str, target: str, ours: str, anchor: str, limit: float) -> None:
        a, o = r.get(anchor), r.get(ours)
        if o is None or not o.ok or a is None or not a.ok:
            rows.append((measure, target, fmt_s(o) if o else "not run", fmt_s(a), verdict(None)))
            return
        ratio = o.median() / a.median()
        rows.append((measure, target, f"{o.median():.2f} s ({ratio:.2f}×); CPU {o.median('cpu_s'):.2f} s",
                     f"{a.median():.2f} s; CPU {a.median('cpu_s'):.2f} s", verdict(ratio <= limit)))

    ratio_row("add v1 wall time", "≤ 1.0× `dvc add`", "gitml.add.v1", "dvc.add.v1", 1.0)
    ours, dvc = s.get("gitml.store.v1"), s.get("dvc.store.v1")
    if r.get("gitml.add.v1") and r["gitml.add.v1"].ok and ours is not None and dvc:
        rows.append(("stored bytes v1", "≤ 0.45× DVC cache", f"{fmt_bytes(ours)} ({ours / dvc:.3f}×)", fmt_bytes(dvc), verdict(ours / dvc <= 0.45)))
    else:
        rows.append(("stored bytes v1", "≤ 0.45× DVC cache", "failed" if "gitml.add.v1" in r else "not run", fmt_bytes(dvc), verdict(None)))

    v2 = r.get("gitml.add.v2")
    v2_size = os.path.getsize(b.input("v2.csv"))
    if v2 is not None and v2.ok:
        new = s["gitml.new.v2"]
        rows.append(("add v2 (scattered) new bytes", "≤ 1% of file size", f"{fmt_bytes(new)} ({100 * new / v2_size:.2f}%)", f"file {fmt_bytes(v2_size)}", verdict(new <= 0.01 * v2_size)))
        v1 = r.get("gitml.add.v1")
        if v1 is not None and v1.ok:
            ratio = v2.median() / v1.median()
            rows.append(("add v2 wall time", "≤ 1.5× GitML add v1", f"{v2.median():.2f} s ({ratio:.2f}×); CPU {v2.median('cpu_s'):.2f} s",
                         f"v1 {v1.median():.2f} s; CPU {v1.median('cpu_s'):.2f} s", verdict(ratio <= 1.5)))
        rss = v2.median("peak_rss_kib") / 1024
        rows.append(("add v2 peak RSS", "≤ 256 MiB", f"{rss:.0f} MiB", "-", verdict(rss <= 256)))
    else:
        for measure, target in (("add v2 (scattered) new bytes", "≤ 1% of file size"), ("add v2 wall time", "≤ 1.5× GitML add v1"), ("add v2 peak RSS", "≤ 256 MiB")):
            rows.append((measure, target, fmt_s(v2), "-", verdict(None)))
    for variant in ("append", "blocks"):
        series, compressed = r.get(f"gitml.add.{variant}"), s.get(f"changed.zstd.{variant}")
        measure = f"add {variant}-variant new bytes"
        if series is not None and series.ok:
            new = s[f"gitml.new.{variant}"]
            rows.append((measure, "≤ 1.2× changed bytes after zstd -1", f"{fmt_bytes(new)} ({new / compressed:.2f}×)", fmt_bytes(compressed), verdict(new <= 1.2 * compressed)))
        else:
            rows.append((measure, "≤ 1.2× changed bytes after zstd -1", fmt_s(series), fmt_bytes(compressed), verdict(None)))
    ratio_row(f"checkout v2 ({fmt_bytes(v2_size)}, delta chunks) wall time", "≤ 0.8× `zstd -d`", "gitml.checkout.v2", "zstd.decompress.v2", 0.8)
    ratio_row(f"checkout v1 ({fmt_bytes(os.path.getsize(b.input('v1.csv')))}, full chunks) wall time", "≤ 0.8× `zstd -d`", "gitml.checkout.v1", "zstd.decompress.v1", 0.8)
    ratio_row(f"add {s.get('small.files', 0):,} files of 1–10 KB", "≤ 1.0× `tar -c | zstd -1 -T0`", "gitml.add.small", "tar.zstd.small", 1.0)
    ratio_row(f"clean status, {s.get('status.files', 0):,} tracked files", "≤ 1.0× `git status`", "gitml.status", "git.status", 1.0)
    return rows


def detail_rows(b: Bench) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for key, series in b.results.items():
        if series.ok:
            walls = sorted(s.wall_s for s in series.samples)
            rows.append((key, f"`{series.shown}`", f"{series.median():.3f}", f"{walls[0]:.3f}–{walls[-1]:.3f}",
                         f"{series.median('cpu_s'):.2f} s / {series.median('peak_rss_kib') / 1024:.0f} MiB"))
        else:
            rows.append((key, f"`{series.shown}`", "failed", b.display(series.error or ""), "-"))
    return rows


def machine() -> str:
    model = "unknown"
    for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / (1 << 30)
    return f"{model}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, {platform.system()} {platform.release()}"


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def report(b: Bench, args: argparse.Namespace, versions: dict[str, str]) -> str:
    manifest = json.load(open(b.input("manifest.json")))
    tables = manifest["tables"]
    mode = "quick smoke run (small data: figures are not comparable with the targets)" if args.quick else "full run"
    missing = ("\n\n**GitML was not available for this run** (no working `git-ml` binary): its figures are"
               " missing; the anchors are measured." if versions["GitML"] == "(unavailable)" else "")
    quiet = (" (QUIET=1: each run waited for a load below 1)" if os.environ.get("QUIET") == "1"
             else " (no wait for a quiet machine: QUIET=1 adds one)")
    sizes = "\n".join(f"| {k} | {fmt_bytes(v)} ({v:,} B) |" for k, v in sorted(b.sizes.items()) if not k.endswith("files"))
    return f"""# Store benchmarks: GitML vs DVC, git-lfs, zstd, sha256sum

{mode}; {b.runs} runs per figure, median wall time.{missing}

- Machine: {machine()}
- Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; 1-minute load average as each run started: {min(b.load):.2f}–{max(b.load):.2f}{quiet}
- Tools: {', '.join(f'{k} {v}' for k, v in versions.items())}
- Data (`Benchmarks/data/generate.py`, seed {manifest['seed']}): v1 {tables['rows']:,} rows, {fmt_bytes(tables['bytes']['v1.csv'])};
  v2 = 1% rows edited at scattered positions + {tables['appended_rows']:,} rows appended; append = v1 + 1% rows;
  blocks = 1% rows edited in 10 contiguous blocks; {b.sizes.get('small.files', 0):,} small files ({fmt_bytes(b.sizes.get('small.bytes'))});
  {b.sizes.get('status.files', 0):,} files for the status test.
- Load: the load above includes the benchmark's own commands (on 2 cores); a run that started at
  1 or more is not a verdict (issue 21). GitML works on both cores while `dvc add`, `sha256sum`, `zstd -d` and `git status` use one, so
  contention lengthens GitML's wall times more than the anchors'; CPU seconds (user + system,
  median) are shown next to each wall time. Verdicts use the median wall time, as the targets do.
- Page cache: warm (inputs read once before each series, as a user's recent file would be; the
  cold-cache growth to 15 GiB is `Benchmarks/scaling/store.py`). Outputs go to the same ext4 disk. GitML fsyncs its packs; zstd, tar and
  sha256sum do not.
- Reproduce: `{args.reproduce}`

## Targets (issue 2)

{table(('Measure', 'Target', 'GitML', 'Anchor', 'Verdict'), target_rows(b))}

## All measured commands

{table(('Key', 'Command (in a fresh temporary repository; $DATA: the generated data)', 'Median wall s', 'Range s', 'CPU / peak RSS'), detail_rows(b))}

## Bytes

| Quantity | Bytes |
|---|---|
{sizes}

`gitml.store.v1`: `.git/ml/packs`; `dvc.store.v1`: `.dvc/cache`; `lfs.store.v1`: `.git/lfs/objects`;
`*.new.<variant>`: growth of that folder when the variant is added after v1;
`changed.<variant>`: bytes of the rows that differ from v1 (edited and appended rows);
`changed.zstd.<variant>`: the same after `zstd -1 -T0`.
"""


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data", required=True, help="folder written by Benchmarks/data/generate.py")
    p.add_argument("--scratch", required=True, help="folder for the temporary repositories (emptied)")
    p.add_argument("--gitml", required=True, help="path of the git-ml executable")
    p.add_argument("--dvc", required=True, help="path of the dvc executable")
    p.add_argument("--gitml-commit", default="unknown", help="the commit the git-ml binary was built from")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--out", required=True, help="Markdown report to write")
    p.add_argument("--json", required=True, help="raw results to write")
    p.add_argument("--reproduce", required=True, help="the command line shown in the report")
    p.add_argument("--only", default="add_v1,add_variants,checkout,small_files,status")
    args = p.parse_args()
    bench = Bench(args)
    gitml_version = subprocess.run(f"{args.gitml} --version", shell=True, capture_output=True, text=True)
    versions = {
        "GitML": (f"{gitml_version.stdout.strip()} (built from commit {args.gitml_commit})"
                  if gitml_version.returncode == 0 else "(unavailable)"),
        "DVC": subprocess.run([args.dvc, "--version"], capture_output=True, text=True).stdout.strip(),
        "git": subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip().removeprefix("git version "),
        "git-lfs": subprocess.run(["git", "lfs", "version"], capture_output=True, text=True).stdout.split()[0].split("/")[-1],
        "zstd": re.search(r"v(\d+\.\d+\.\d+)", subprocess.run(["zstd", "-V"], capture_output=True, text=True).stdout).group(1),
    }
    for step in args.only.split(","):
        getattr(bench, step)()
    text = report(bench, args, versions)
    with open(args.out, "w") as f:
        f.write(text)
    with open(args.json, "w") as f:
        json.dump({"sizes": bench.sizes, "series": {k: v.as_json() for k, v in bench.results.items()}}, f, indent=2)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
