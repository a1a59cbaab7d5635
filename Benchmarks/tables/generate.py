#!/usr/bin/env python3
"""Deterministic benchmark CSV: python3 generate.py OUT.csv ROWS [SEED] [SHIFT]

Columns: id (int), 8 floats printed with up to 17 significant digits (shortest round trip),
2 ints, a 12-value category, a bool, an ISO 8601 timestamp, a label (0/1) and a quoted free-text
note (with commas, doubled quotes and, every 1000th row, an embedded newline). SHIFT moves the
float means (to make a drifted version).
"""
import sys

import numpy as np

out, rows = sys.argv[1], int(sys.argv[2])
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
shift = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
rng = np.random.default_rng(seed)
plans = np.array(["basic", "pro", "enterprise", "trial", "edu", "gov", "ngo", "family", "student", "team", "legacy", "partner"])
chunk = 200_000
with open(out, "w", newline="") as f:
    f.write("id,f0,f1,f2,f3,f4,f5,f6,f7,i0,i1,plan,active,ts,label,note\n")
    for start in range(0, rows, chunk):
        n = min(chunk, rows - start)
        ids = np.arange(start, start + n)
        floats = [rng.normal(shift, 1, n) for _ in range(4)] + [np.round(rng.lognormal(3, 1, n), 2) for _ in range(4)]
        i0 = rng.integers(0, 1000, n)
        i1 = rng.integers(-10**12, 10**12, n)
        plan = plans[rng.integers(0, len(plans), n)]
        active = rng.random(n) < 0.7
        ts = np.datetime64("2024-01-01T00:00:00") + rng.integers(0, 365 * 86400, n).astype("timedelta64[s]")
        label = (rng.random(n) < 0.2).astype(int)
        lines = []
        for k in range(n):
            note = f'"note {ids[k] % 97}, ""q"""' if (ids[k] % 1000) else f'"multi\nline {ids[k]}"'
            lines.append(
                f"{ids[k]},{','.join(repr(float(c[k])) for c in floats)},{i0[k]},{i1[k]},{plan[k]},"
                f"{'true' if active[k] else 'false'},{str(ts[k])},{label[k]},{note}\n")
        f.write("".join(lines))
