#!/usr/bin/env python3
"""Side-by-side benchmark of GitML's blob remote against `dvc push`, on one S3 server on loopback.

Run through Benchmarks/remote/run.sh, which installs the anchors and generates the data.
One moto server (its standalone S3 server, in memory) serves both tools; every run pushes to a
fresh bucket from a fresh repository (the adds are setup, not measured). Uploaded bytes are
what the server holds afterwards (the sum of object sizes in the bucket, listed with boto3),
so both tools are counted the same way. Wall time is taken around the client process, CPU
time (user + system) of the client from /usr/bin/time and of the server from /proc.
The pre-push hook is measured as `git push` of a commit that changes nothing under ml/, with
GitML's hook installed and without it, to a bare repository on the same disk.
The timing helpers are the store benchmark's (Benchmarks/store/bench.py).
"""
from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

import boto3

_spec = importlib.util.spec_from_file_location(
    "store_bench", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "store", "bench.py"))
store_bench = sys.modules["store_bench"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(store_bench)
CommandFailed, Series = store_bench.CommandFailed, store_bench.Series
fmt_bytes, machine, shell, table, timed, warm = (store_bench.fmt_bytes, store_bench.machine, store_bench.shell,
                                                 store_bench.table, store_bench.timed, store_bench.warm)

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"}


class MotoServer:
    """moto's standalone S3 server on a free loopback port, with its CPU time and bucket sizes."""

    def __init__(self, binary: str):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen([binary, "-H", "127.0.0.1", "-p", str(self.port)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                urllib.request.urlopen(self.endpoint + "/moto-api/data.json", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"moto_server did not start on {self.endpoint}")
        self.s3 = boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id="bench",
                               aws_secret_access_key="bench", region_name="us-east-1")

    def cpu_seconds(self) -> float:
        """User + system CPU seconds the server has used so far."""
        with open(f"/proc/{self.process.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def bucket_usage(self, bucket: str) -> tuple[int, int]:
        """(bytes, objects) the bucket holds."""
        total = count = 0
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                total += item["Size"]
                count += 1
        return total, count

    def create_bucket(self, bucket: str) -> None:
        self.s3.create_bucket(Bucket=bucket)

    def delete_bucket(self, bucket: str) -> None:
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            for start in range(0, len(keys), 1000):
                self.s3.delete_objects(Bucket=bucket, Delete={"Objects": keys[start:start + 1000]})
        self.s3.delete_bucket(Bucket=bucket)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait()


class Bench:
    """Paths, tools, the server and the results of one benchmark run."""

    def __init__(self, args: argparse.Namespace):
        self.data = os.path.abspath(args.data)
        self.scratch = os.path.abspath(args.scratch)
        self.gitml = args.gitml
        self.runs = args.runs
        self.dvc_bin = os.path.join(os.path.abspath(args.venv), "dvc", "bin")
        self.moto_bin = os.path.join(os.path.abspath(args.venv), "moto", "bin")
        self.results: dict[str, Series] = {}
        self.sizes: dict[str, int] = {}
        self.load: list[float] = []
        self.env = dict(os.environ)
        self.env.update(CREDENTIALS)
        self.env.update({
            "PATH": self.dvc_bin + os.pathsep + os.path.dirname(os.path.abspath(self.gitml)) + os.pathsep + os.environ["PATH"],
            "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
            "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid",
            "DVC_NO_ANALYTICS": "1", "GIT_CONFIG_NOSYSTEM": "1",
        })
        shutil.rmtree(self.scratch, ignore_errors=True)
        os.makedirs(self.scratch)
        self.server = MotoServer(os.path.join(self.moto_bin, "moto_server"))

    def display(self, command: str) -> str:
        return (command.replace(self.data, "$DATA").replace(self.gitml, "git ml")
                .replace(self.server.endpoint, "$ENDPOINT").replace(self.scratch + "/", ""))

    def input(self, name: str) -> str:
        return os.path.join(self.data, name)

    def series(self, key: str, command: str) -> Series:
        if key not in self.results:
            self.results[key] = Series(key, command, shown=self.display(command),
                                       extra={"server_cpu_s": [], "uploaded_bytes": [], "uploaded_objects": []})
        return self.results[key]

    def fresh_repo(self, label: str, kind: str) -> str:
        """A new git repository prepared for GitML or DVC, with the S3 remote `s3` on `bucket-label`."""
        repo = os.path.join(self.scratch, label)
        shutil.rmtree(repo, ignore_errors=True)
        os.makedirs(repo)
        shell("git init -q -b main . && git commit -q --allow-empty -m init", repo, self.env)
        bucket = label.replace(".", "-").lower()
        self.server.create_bucket(bucket)
        if kind == "gitml":
            shell(f"{self.gitml} init >/dev/null && {self.gitml} remote add s3 s3://{bucket} "
                  f"--endpoint {self.server.endpoint} --default >/dev/null", repo, self.env)
        else:
            shell(f"dvc init -q && dvc config core.analytics false && dvc remote add -d s3 s3://{bucket} && "
                  f"dvc remote modify s3 endpointurl {self.server.endpoint}", repo, self.env)
        return repo

    def measure(self, key: str, command: str, repo: str, bucket: str) -> None:
        """One timed push; records wall and CPU time and what the bucket gained."""
        series = self.series(key, command)
        bytes_before, objects_before = self.server.bucket_usage(bucket)
        cpu_before = self.server.cpu_seconds()
        series.samples.append(timed(command, repo, self.env))
        series.extra["server_cpu_s"].append(round(self.server.cpu_seconds() - cpu_before, 3))
        bytes_after, objects_after = self.server.bucket_usage(bucket)
        series.extra["uploaded_bytes"].append(bytes_after - bytes_before)
        series.extra["uploaded_objects"].append(objects_after - objects_before)

    def run_steps(self, keys: list[str], steps) -> None:
        """Runs (key, command, repo, bucket, setup) steps in order; after a failure the rest of the
        sequence is recorded as not measured (a later push depends on the earlier one)."""
        for index, (key, command, repo, bucket, setup) in enumerate(steps):
            try:
                setup()
                self.measure(key, command, repo, bucket)
            except CommandFailed as failure:
                self.series(key, command).error = str(failure)
                for later in keys[index + 1:]:
                    self.series(later, "").error = self.series(later, "").error or f"not measured: {key} failed"
                return

    def report_progress(self, key: str) -> None:
        s = self.results[key]
        shown = f"{s.median():.2f} s, {fmt_bytes(s.extra['uploaded_bytes'][-1])}" if s.ok else f"FAILED: {s.error}"
        print(f"[{key}] {shown}", file=sys.stderr, flush=True)

    # ------------------------------------------------------------ measurements

    def push_table(self) -> None:
        """Per run and tool: a fresh repository and bucket; add v1, push (timed); add v2, push (timed)."""
        v1, v2 = self.input("v1.csv"), self.input("v2.csv")
        self.sizes["v1.file"], self.sizes["v2.file"] = os.path.getsize(v1), os.path.getsize(v2)
        adds = {"gitml": f"{self.gitml} data add data.csv --name table >/dev/null", "dvc": "dvc add -q data.csv"}
        pushes = {"gitml": f"{self.gitml} push s3", "dvc": "dvc push -q"}
        for i in range(self.runs):
            for kind in ("gitml", "dvc"):
                self.load.append(os.getloadavg()[0])
                label = f"{kind}-table-{i}"
                repo = os.path.join(self.scratch, label)

                def add(version: str, repo: str = repo, kind: str = kind) -> None:
                    path = v1 if version == "v1" else v2
                    warm(path)
                    if not os.path.isdir(repo):
                        self.fresh_repo(os.path.basename(repo), kind)
                    shutil.copyfile(path, os.path.join(repo, "data.csv"))
                    shell(adds[kind], repo, self.env)

                keys = [f"{kind}.push.v1", f"{kind}.push.v2"]
                self.run_steps(keys, [(keys[0], pushes[kind], repo, label, lambda: add("v1")),
                                      (keys[1], pushes[kind], repo, label, lambda: add("v2"))])
                for key in keys:
                    self.report_progress(key)
                shutil.rmtree(repo, ignore_errors=True)
                self.server.delete_bucket(label)

    def push_small(self) -> None:
        """Per run and tool: a fresh repository and bucket; add the small files, push (timed)."""
        small = self.input("small")
        self.sizes["small.files"] = sum(len(f) for _, _, f in os.walk(small))
        self.sizes["small.bytes"] = store_bench.tree_bytes(small)
        adds = {"gitml": f"{self.gitml} data add small --name small >/dev/null", "dvc": "dvc add -q small"}
        pushes = {"gitml": f"{self.gitml} push s3", "dvc": "dvc push -q"}
        for i in range(self.runs):
            for kind in ("gitml", "dvc"):
                self.load.append(os.getloadavg()[0])
                label = f"{kind}-small-{i}"
                repo = os.path.join(self.scratch, label)

                def setup(repo: str = repo, kind: str = kind, label: str = label) -> None:
                    self.fresh_repo(label, kind)
                    shutil.copytree(small, os.path.join(repo, "small"))
                    shell(adds[kind], repo, self.env)
                    warm(os.path.join(repo, "small"))

                key = f"{kind}.push.small"
                self.run_steps([key], [(key, pushes[kind], repo, label, setup)])
                self.report_progress(key)
                shutil.rmtree(repo, ignore_errors=True)
                self.server.delete_bucket(label)

    def hook(self) -> None:
        """`git push` of a commit that changes nothing under ml/ (a dataset is pinned), without and
        with GitML's pre-push hook, to a bare repository; and the hook command alone."""
        runs = max(11, self.runs)
        origin = os.path.join(self.scratch, "hook-origin.git")
        shell(f"git init -q --bare {origin}", self.scratch, self.env)
        repo = os.path.join(self.scratch, "hook-clone")
        os.makedirs(repo)
        shell("git init -q -b main . && git commit -q --allow-empty -m init", repo, self.env)
        first_small_file = min(os.path.join(r, f) for r, _, fs in os.walk(self.input("small")) for f in fs)
        shutil.copyfile(first_small_file, os.path.join(repo, "pinned.csv"))
        shell(f"{self.gitml} init >/dev/null && {self.gitml} data add pinned.csv --name pinned >/dev/null && "
              f"git add -A && git commit -q -m data && git remote add origin {origin} && git push -q origin main",
              repo, self.env)
        counter = [0]

        def commit_code_change() -> None:
            counter[0] += 1
            with open(os.path.join(repo, "code.txt"), "w") as f:
                f.write(f"{counter[0]}\n")
            shell(f"git add code.txt && git commit -q -m 'code {counter[0]}'", repo, self.env)

        def series(key: str, command: str, prepare) -> None:
            s = Series(key, command, shown=self.display(command))
            self.results[key] = s
            self.load.append(os.getloadavg()[0])
            try:
                for _ in range(runs):
                    prepare()
                    s.samples.append(timed(command, repo, self.env))
            except CommandFailed as failure:
                s.error = str(failure)
            print(f"[{key}] {s.median() * 1000:.1f} ms" if s.ok else f"[{key}] FAILED: {s.error}", file=sys.stderr)

        # Pushes without and with the hook alternate (the hook is moved aside and back), so both
        # series see the same load; the paired differences give the hook's cost.
        # A third arm runs a hook that always starts git-ml (GitML's hook before its fast path).
        push = "git push -q origin main"
        shell(f"{self.gitml} hooks install >/dev/null", repo, self.env)
        hooks = os.path.join(repo, ".git", "hooks")
        with open(os.path.join(hooks, "always-git-ml"), "w") as f:
            f.write('#!/bin/sh\nexec git ml hook pre-push "$@"\n')
        os.chmod(os.path.join(hooks, "always-git-ml"), 0o755)
        os.rename(os.path.join(hooks, "pre-push"), os.path.join(hooks, "gitml"))
        arms = [(Series(key, push, shown=push), script) for key, script in
                (("git.push.nohook", None), ("git.push.hook", "gitml"), ("git.push.hook.nofastpath", "always-git-ml"))]
        self.load.append(os.getloadavg()[0])
        try:
            for _ in range(2 * runs):
                for series_, script in arms:
                    self.results[series_.key] = series_
                    if os.path.exists(os.path.join(hooks, "pre-push")):
                        os.remove(os.path.join(hooks, "pre-push"))
                    if script is not None:
                        shutil.copy(os.path.join(hooks, script), os.path.join(hooks, "pre-push"))
                    commit_code_change()
                    series_.samples.append(timed(push, repo, self.env))
        except CommandFailed as failure:
            for series_, _ in arms:
                series_.error = str(failure)
        plain = arms[0][0]
        for series_, script in arms[1:]:
            if plain.ok and series_.ok:
                series_.extra["added_s"] = [h.wall_s - p.wall_s for h, p in zip(series_.samples, plain.samples)]
                print(f"[{series_.key}] adds {median(series_.extra['added_s']) * 1000:.1f} ms", file=sys.stderr)
        shutil.copy(os.path.join(hooks, "gitml"), os.path.join(hooks, "pre-push"))

        def hook_input() -> None:
            commit_code_change()
            head = shell("git rev-parse HEAD", repo, self.env).strip()
            remote = shell("git rev-parse origin/main", repo, self.env).strip()
            with open(os.path.join(self.scratch, "hook-stdin"), "w") as f:
                f.write(f"refs/heads/main {head} refs/heads/main {remote}\n")

        stdin = os.path.join(self.scratch, "hook-stdin")
        series("git.ml.hook.prepush", f"git ml hook pre-push origin {origin} < {stdin}", hook_input)
        series("gitml.hook.prepush", f"git-ml hook pre-push origin {origin} < {stdin}", hook_input)
        series("gitml.version", "git-ml --version", lambda: None)


# ---------------------------------------------------------------- report


def median(values: list) -> float:
    return statistics.median(values)


def target_rows(b: Bench) -> list[tuple[str, ...]]:
    """(measure, target, GitML, DVC, verdict) per target of issue 7."""
    r, rows = b.results, []

    def ok(*keys: str) -> bool:
        return all(k in r and r[k].ok for k in keys)

    for version, what in (("v1", f"CSV of {fmt_bytes(b.sizes.get('v1.file'))}"), ("v2", "its v2 (1% rows edited, 1% appended)")):
        g, d = f"gitml.push.{version}", f"dvc.push.{version}"
        if ok(g, d):
            speed = r[d].median() / r[g].median()
            rows.append((f"push {version}: {what}, wall time", "≥ 2× faster than `dvc push`",
                         f"{r[g].median():.2f} s ({speed:.2f}× faster); CPU {r[g].median('cpu_s'):.2f} s",
                         f"{r[d].median():.2f} s; CPU {r[d].median('cpu_s'):.2f} s", "met" if speed >= 2 else "missed"))
            ours, theirs = median(r[g].extra["uploaded_bytes"]), median(r[d].extra["uploaded_bytes"])
            rows.append((f"push {version}: uploaded bytes", "≤ 0.45× `dvc push`'s", f"{fmt_bytes(int(ours))} ({ours / theirs:.3f}×)",
                         fmt_bytes(int(theirs)), "met" if ours <= 0.45 * theirs else "missed"))
        else:
            rows.append((f"push {version}", "", "failed" if g in r and not r[g].ok else "-",
                         "failed" if d in r and not r[d].ok else "-", "not measured"))
    if ok("gitml.push.v2"):
        ours, size = median(r["gitml.push.v2"].extra["uploaded_bytes"]), b.sizes["v2.file"]
        rows.append(("push v2: uploaded bytes / file size", "≤ 2%", f"{100 * ours / size:.2f}% ({fmt_bytes(int(ours))})",
                     f"file {fmt_bytes(size)}", "met" if ours <= 0.02 * size else "missed"))
    if ok("gitml.push.small", "dvc.push.small"):
        g, d = r["gitml.push.small"], r["dvc.push.small"]
        speed = d.median() / g.median()
        rows.append((f"push {b.sizes['small.files']:,} small files, wall time", "≥ 5× faster than `dvc push`",
                     f"{g.median():.2f} s ({speed:.1f}× faster); CPU {g.median('cpu_s'):.2f} s",
                     f"{d.median():.2f} s; CPU {d.median('cpu_s'):.2f} s", "met" if speed >= 5 else "missed"))
    if ok("git.push.hook", "git.push.nohook", "git.push.hook.nofastpath"):
        cost = median(r["git.push.hook"].extra["added_s"]) * 1000
        before = median(r["git.push.hook.nofastpath"].extra["added_s"]) * 1000
        rows.append(("pre-push hook, nothing ML changed: added to `git push`", "≤ 50 ms",
                     f"{cost:.1f} ms (median of {len(r['git.push.hook'].samples)} paired runs; "
                     f"{r['git.push.hook'].median() * 1000:.0f} vs {r['git.push.nohook'].median() * 1000:.0f} ms); "
                     f"a hook that always starts git-ml: {before:.1f} ms", "-", "met" if cost <= 50 else "missed"))
    return rows


def detail_rows(b: Bench) -> list[tuple[str, ...]]:
    rows = []
    for key, s in b.results.items():
        if s.ok:
            walls = sorted(x.wall_s for x in s.samples)
            server = s.extra.get("server_cpu_s")
            uploaded = s.extra.get("uploaded_bytes")
            rows.append((key, f"`{s.shown}`", f"{s.median():.3f}", f"{walls[0]:.3f}–{walls[-1]:.3f}",
                         f"{s.median('cpu_s'):.2f} s / {s.median('peak_rss_kib') / 1024:.0f} MiB",
                         f"{median(server):.2f} s" if server else "-",
                         f"{fmt_bytes(int(median(uploaded)))} in {int(median(s.extra['uploaded_objects'])):,} object(s)" if uploaded else "-"))
        else:
            rows.append((key, f"`{s.shown}`", "failed", b.display(s.error or ""), "-", "-", "-"))
    return rows


def report(b: Bench, args: argparse.Namespace, versions: dict[str, str]) -> str:
    manifest = json.load(open(b.input("manifest.json")))
    tables = manifest["tables"]
    mode = "quick smoke run (small data: figures are not comparable with the targets)" if args.quick else "full run"
    load = f"{min(b.load):.1f}–{max(b.load):.1f}" if b.load else "-"
    return f"""# Blob-remote benchmarks: `git ml push` vs `dvc push` (issue 7)

{mode}; {b.runs} runs per push figure (a fresh repository and a fresh bucket each run), median wall time.

- Machine: {machine()}
- Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; 1-minute load average at the start of each series: {load}
- Tools: {', '.join(f'{k} {v}' for k, v in versions.items())}
- Server: moto's standalone S3 server on loopback (`moto_server -H 127.0.0.1`, objects in memory,
  no signature checking), one process for both tools; each tool pushes to its own bucket.
- Data (`Benchmarks/data/generate.py`, seed {manifest['seed']}): v1 {tables['rows']:,} rows, {fmt_bytes(b.sizes.get('v1.file'))};
  v2 = 1% rows edited at scattered positions + {tables['appended_rows']:,} rows appended ({fmt_bytes(b.sizes.get('v2.file'))});
  {b.sizes.get('small.files', 0):,} small files of 1–10 KB ({fmt_bytes(b.sizes.get('small.bytes'))}).
- Uploaded bytes: what the bucket gained, summed over its object listing (boto3), so both tools
  are counted alike. GitML sends packs of zstd frames (delta frames for v2) and their indexes;
  DVC sends each file (and each small file) as one object, uncompressed.
- CPU: user + system seconds of the client process tree (`/usr/bin/time`) and of the server
  process (`/proc`). The machine is shared with other build jobs (load average above, on
  2 cores): wall times are inflated and noisy for both tools; the CPU columns are steadier.
- Reproduce: `{args.reproduce}`

## Targets

{table(('Measure', 'Target', 'GitML', 'DVC', 'Verdict'), target_rows(b))}

## All measured commands

{table(('Key', 'Command (in the repository of the run)', 'Median wall s', 'Range s', 'Client CPU / peak RSS', 'Server CPU', 'Uploaded (median)'), detail_rows(b))}
"""


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data", required=True, help="folder written by Benchmarks/data/generate.py")
    p.add_argument("--scratch", required=True, help="folder for the temporary repositories (emptied)")
    p.add_argument("--gitml", required=True, help="path of the git-ml executable")
    p.add_argument("--gitml-commit", default="unknown", help="the commit the git-ml binary was built from")
    p.add_argument("--venv", required=True, help="the folder holding the venvs dvc/ and moto/")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--out", required=True, help="Markdown report to write")
    p.add_argument("--json", required=True, help="raw results to write")
    p.add_argument("--reproduce", required=True, help="the command line shown in the report")
    p.add_argument("--only", default="push_table,push_small,hook")
    args = p.parse_args()
    bench = Bench(args)
    try:
        gitml_version = subprocess.run([args.gitml, "--version"], capture_output=True, text=True)
        versions = {
            "GitML": f"{gitml_version.stdout.strip()} (built from commit {args.gitml_commit})",
            "DVC": subprocess.run([os.path.join(bench.dvc_bin, "dvc"), "--version"], capture_output=True, text=True).stdout.strip(),
            "dvc-s3": subprocess.run([os.path.join(bench.dvc_bin, "python"), "-c", "import importlib.metadata as m; print(m.version('dvc-s3'))"],
                                     capture_output=True, text=True).stdout.strip(),
            "moto": importlib.metadata.version("moto"),
            "git": subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip().removeprefix("git version "),
        }
        for step in args.only.split(","):
            getattr(bench, step)()
    finally:
        bench.server.stop()
    text = report(bench, args, versions)
    with open(args.out, "w") as f:
        f.write(text)
    with open(args.json, "w") as f:
        json.dump({"sizes": bench.sizes, "series": {k: v.as_json() for k, v in bench.results.items()}}, f, indent=2)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
