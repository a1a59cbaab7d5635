"""What the cost-growth benchmarks share (issue 21): waiting for a quiet machine, timing a
command under GNU time, dropping the page cache, and drawing time and peak RSS against size
as two log-log panels of one SVG."""
import argparse
import math
import os
import platform
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORK = os.path.join(ROOT, "Benchmarks", "work", "scaling")


def quiet():
    """Waits (QUIET=1) until the 1-minute load is below 1; returns the load."""
    while os.environ.get("QUIET") == "1" and os.getloadavg()[0] >= 1:
        time.sleep(2)
    return os.getloadavg()[0]


def drop_caches():
    """Writes dirty pages and drops the page cache; False where this process may not."""
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False


def timed(command, cwd, env, scratch, cold=False):
    """Wall s, user + system CPU s, peak RSS MiB (GNU time), the 1-minute load it started at
    and its standard output, of the shell command `command`; `scratch` holds GNU time's file."""
    load = quiet()
    if cold:
        drop_caches()
    out = os.path.join(scratch, "time.txt")
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-o", out, "-f", "%U %S %M", "sh", "-c", command], cwd=cwd, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{command} failed ({done.returncode}): {done.stderr[-2000:]}")
    user, system, rss = open(out).read().split()[-3:]
    return {"wall": wall, "cpu": float(user) + float(system), "rss": int(rss) / 1024, "load": load, "stdout": done.stdout}


def svg(results, size_label, title, colors, time_key="wall", time_label="wall time"):
    """Two log-log panels — time (`time_key` of each row, seconds) and peak RSS (MiB) against
    size — one line per command. `results`: [(size in the unit of `size_label`, {command: row})]."""
    width, height, pad = 460, 340, 60
    sizes = [s for s, _ in results]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * width}" height="{height}" font-family="sans-serif" font-size="11">']
    for panel, (key, label, unit) in enumerate([(time_key, time_label, "s"), ("rss", "peak RSS", "MiB")]):
        x0 = panel * width
        values = [r[name][key] for _, r in results for name in r]
        lo, hi = math.log10(min(values) * 0.8), math.log10(max(values) * 1.25)
        slo, shi = math.log10(min(sizes) * 0.8), math.log10(max(sizes) * 1.25)

        def px(s):
            return x0 + pad + (math.log10(s) - slo) / (shi - slo) * (width - 1.5 * pad)

        def py(v):
            return height - pad + (lo - math.log10(v)) / (hi - lo) * (height - 1.5 * pad)

        parts.append(f'<text x="{x0 + width / 2}" y="18" text-anchor="middle" font-size="13">{label} ({unit}) against {size_label}, log-log{title}</text>')
        parts.append(f'<rect x="{x0 + pad}" y="{pad / 2}" width="{width - 1.5 * pad}" height="{height - 1.5 * pad}" fill="none" stroke="#999"/>')
        for s in sizes:
            parts.append(f'<text x="{px(s):.1f}" y="{height - pad + 16}" text-anchor="middle">{s:.2g}</text>')
        for e in range(math.floor(lo), math.floor(hi) + 1):
            for m in (1, 2, 5):
                v = m * 10 ** e
                if lo <= math.log10(v) <= hi:
                    parts.append(f'<text x="{x0 + pad - 6}" y="{py(v) + 4:.1f}" text-anchor="end">{v:g}</text>')
                    parts.append(f'<line x1="{x0 + pad}" x2="{x0 + width - pad / 2}" y1="{py(v):.1f}" y2="{py(v):.1f}" stroke="#eee"/>')
        for i, name in enumerate(results[0][1]):
            points = " ".join(f"{px(s):.1f},{py(r[name][key]):.1f}" for s, r in results)
            parts.append(f'<polyline points="{points}" fill="none" stroke="{colors.get(name, "#000")}" stroke-width="2"/>')
            parts.append(f'<text x="{x0 + pad + 8}" y="{pad / 2 + 14 + 13 * i}" fill="{colors.get(name, "#000")}">{name}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def arguments(name, sizes, binary, **extra):
    """The options every cost-growth script takes: `--rows` (comma-separated sizes), `--binary`
    (the GitML program it times, default `binary` under .build/release) and `--svg` (default
    docs/scaling-NAME.svg), plus `extra` (option name: (type, default))."""
    p = argparse.ArgumentParser()
    p.add_argument("--rows", default=sizes)
    p.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", binary))
    p.add_argument("--svg", default=os.path.join(ROOT, "docs", f"scaling-{name}.svg"))
    for option, (kind, default) in extra.items():
        p.add_argument(f"--{option}", type=kind, default=default)
    a = p.parse_args()
    os.makedirs(WORK, exist_ok=True)
    return a


def each_size(sizes, measure, summary):
    """[(size, measure(size))] for the comma-separated `sizes`, each told on stderr as it ends."""
    results = []
    for size in [int(s) for s in sizes.split(",")]:
        result = measure(size)
        results.append((size, result))
        print(f"{size:,} rows: {summary(result)}", file=sys.stderr, flush=True)
    return results


def heading(what, loads, detail=""):
    """The line a table starts with: what, the machine, the time and the loads the runs started at."""
    return (f"{what} ({detail}{platform.machine()}, {os.cpu_count()} CPUs; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
            f"1-minute load at each start {min(loads):.2f}–{max(loads):.2f})")


def report(name, lines, svg_path, svg_text):
    """Prints the table and writes it to Benchmarks/work/BENCHMARKS-scaling-NAME.md, the plot to `svg_path`."""
    text = "\n".join(lines) + "\n"
    print(text)
    with open(os.path.join(ROOT, "Benchmarks", "work", f"BENCHMARKS-scaling-{name}.md"), "w") as f:
        f.write(text)
    with open(svg_path, "w") as f:
        f.write(svg_text)
