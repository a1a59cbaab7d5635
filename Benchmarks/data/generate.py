#!/usr/bin/env python3
"""Deterministic benchmark data for the GitML dataset store.

Writes, into OUT_DIR:

  v1.csv             the base table: id, ISO timestamp, 30 numeric columns of mixed
                     distributions (some with missing values), 3 string categories and a
                     binary label (~5% positives, a non-linear function of the features).
  v2.csv             v1 with 1% of rows modified at scattered positions and 1% rows appended.
  append.csv         v1 with 1% rows appended (append-only change).
  blocks.csv         v1 with 1% of rows modified in 10 contiguous blocks (grouped edits).
  <variant>.changed  for v2 / append / blocks: the bytes of the changed region of the new
                     file (modified rows and appended rows, in file order) — what a perfect
                     delta would have to store before compression.
  small/             SMALL_COUNT files of 1–10 KB (slices of CSV rows), in 100 sub-folders.
  manifest.json      sizes, row counts and the parameters used.

Everything depends only on --seed and the sizes: the same arguments write the same bytes.
Rows are generated in blocks of 65,536 with one RNG stream per block, so a run with fewer
--rows writes a prefix of the same table. Only numpy is needed.

Numbers carry realistic precision: each column has a fixed number of decimals (about six
significant digits for typical values), and are formatted by vectorized integer arithmetic
into a padded byte matrix that is then compacted, so 1.8M rows take seconds, not minutes.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass

import numpy as np

BLOCK_ROWS = 65_536
PAD = 0  # padding byte removed by compaction; never occurs in CSV text
START_EPOCH_S = 1_704_067_200  # 2024-01-01T00:00:00Z


@dataclass(frozen=True)
class NumericColumn:
    """One numeric column: distribution, fixed decimals and missing-value rate."""

    name: str
    kind: str  # normal | lognormal | uniform | integer | exponential | mixture
    decimals: int
    missing_rate: float
    a: float = 0.0
    b: float = 1.0


def numeric_schema() -> list[NumericColumn]:
    """The 30 numeric columns (fixed, so the table is identical for a given seed)."""
    cols: list[NumericColumn] = []
    for i in range(8):  # standardized sensor-like readings
        cols.append(NumericColumn(f"n{i:02d}", "normal", 6, 0.02 if i % 3 == 0 else 0.0, a=0.0, b=1.0 + 0.5 * i))
    for i in range(6):  # amounts: heavy right tail, two decimals
        cols.append(NumericColumn(f"amt{i}", "lognormal", 2, 0.05 if i == 2 else 0.0, a=3.0 + 0.5 * i, b=1.0))
    for i in range(5):  # ratios in [0, 1)
        cols.append(NumericColumn(f"u{i}", "uniform", 6, 0.01 if i == 4 else 0.0, a=0.0, b=1.0))
    for i in range(6):  # counts
        cols.append(NumericColumn(f"cnt{i}", "integer", 0, 0.03 if i == 1 else 0.0, a=0.0, b=10.0 ** (1 + i % 4)))
    for i in range(3):  # waiting times
        cols.append(NumericColumn(f"wait{i}", "exponential", 4, 0.0, a=0.0, b=5.0 * (i + 1)))
    for i in range(2):  # bimodal measurements
        cols.append(NumericColumn(f"mix{i}", "mixture", 5, 0.1 if i == 0 else 0.0, a=-2.0, b=3.0))
    assert len(cols) == 30
    return cols


CATEGORIES = [
    ("region", [b"north", b"south", b"east", b"west", b"central", b"overseas"], [0.3, 0.25, 0.2, 0.15, 0.07, 0.03]),
    ("channel", [b"web", b"mobile", b"store", b"partner", b"phone"], [0.4, 0.35, 0.15, 0.07, 0.03]),
    ("segment", [b"consumer", b"smb", b"enterprise", b"public"], [0.6, 0.25, 0.1, 0.05]),
]

# Label model: logit = LABEL_INTERCEPT + non-linear terms; the intercept gives ~5% positives.
LABEL_INTERCEPT = -3.33


def block_rng(seed: int, stream: int, block: int) -> np.random.Generator:
    """An independent RNG for (seed, purpose stream, block index)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, stream, block])))


class Table:
    """A block of rows held as columns (numbers as float64 with NaN for missing)."""

    def __init__(self, ids: np.ndarray, epoch_ms: np.ndarray, numeric: np.ndarray, cats: np.ndarray, label: np.ndarray):
        self.ids, self.epoch_ms, self.numeric, self.cats, self.label = ids, epoch_ms, numeric, cats, label

    def take(self, rows: np.ndarray) -> "Table":
        return Table(self.ids[rows], self.epoch_ms[rows], self.numeric[rows], self.cats[rows], self.label[rows])


def draw_features(rng: np.random.Generator, n: int, schema: list[NumericColumn]) -> tuple[np.ndarray, np.ndarray]:
    """Numeric features (n x 30, rounded to each column's decimals, NaN = missing) and categories (n x 3)."""
    numeric = np.empty((n, len(schema)), dtype=np.float64)
    for j, col in enumerate(schema):
        if col.kind == "normal":
            v = rng.normal(col.a, col.b, n)
        elif col.kind == "lognormal":
            v = rng.lognormal(col.a, col.b, n)
        elif col.kind == "uniform":
            v = rng.uniform(col.a, col.b, n)
        elif col.kind == "integer":
            v = rng.poisson(col.b, n).astype(np.float64)
        elif col.kind == "exponential":
            v = rng.exponential(col.b, n)
        else:  # mixture of two normals
            v = np.where(rng.random(n) < 0.35, rng.normal(col.a, 0.5, n), rng.normal(col.b, 1.0, n))
        v = np.round(v, col.decimals)
        if col.missing_rate > 0:
            v[rng.random(n) < col.missing_rate] = np.nan
        numeric[:, j] = v
    cats = np.empty((n, len(CATEGORIES)), dtype=np.int8)
    for k, (_, values, probs) in enumerate(CATEGORIES):
        cats[:, k] = rng.choice(len(values), size=n, p=probs)
    return numeric, cats


def draw_label(rng: np.random.Generator, numeric: np.ndarray, cats: np.ndarray) -> np.ndarray:
    """Binary label from a non-linear logit of the features (missing values count as 0)."""
    x = np.nan_to_num(numeric, nan=0.0)
    logit = (
        LABEL_INTERCEPT
        + 0.9 * np.tanh(x[:, 0] * x[:, 3] / 4.0)
        + 0.8 * np.sin(x[:, 1] / 1.5)
        + 0.5 * (np.log1p(x[:, 8]) > 4.5)
        + 1.2 * (x[:, 14] > 0.9) * (x[:, 15] < 0.3)
        + 0.02 * np.minimum(x[:, 19], 50.0)
        - 0.6 * (x[:, 28] < 0)
        + 0.7 * (cats[:, 0] == 5)
        + 0.4 * (cats[:, 2] == 2)
    )
    return (rng.random(len(logit)) < 1.0 / (1.0 + np.exp(-logit))).astype(np.int8)


def make_rows(seed: int, stream: int, block: int, first_id: int, n: int, schema: list[NumericColumn]) -> Table:
    """n fresh rows with ids first_id.., timestamps increasing from a per-row offset."""
    rng = block_rng(seed, stream, block)
    ids = np.arange(first_id, first_id + n, dtype=np.int64)
    epoch_ms = START_EPOCH_S * 1000 + ids * 17_000 + rng.integers(0, 17_000, n)
    numeric, cats = draw_features(rng, n, schema)
    return Table(ids, epoch_ms, numeric, cats, draw_label(rng, numeric, cats))


def edit_rows(seed: int, stream: int, block: int, table: Table, rows: np.ndarray, schema: list[NumericColumn]) -> Table:
    """A copy of table where the given rows get corrected feature values (id and time kept)."""
    edited = Table(table.ids.copy(), table.epoch_ms.copy(), table.numeric.copy(), table.cats.copy(), table.label.copy())
    if len(rows) == 0:
        return edited
    rng = block_rng(seed, stream, block)
    numeric, cats = draw_features(rng, len(rows), schema)
    edited.numeric[rows], edited.cats[rows] = numeric, cats
    edited.label[rows] = draw_label(rng, numeric, cats)
    return edited


# ---------------------------------------------------------------- formatting


def digits_matrix(n: np.ndarray, width: int, min_digits: int) -> np.ndarray:
    """ASCII digits of non-negative ints, right-aligned in `width`, leading zeros beyond min_digits padded."""
    out = np.empty((len(n), width), np.uint8)
    rest = n.astype(np.int64, copy=True)
    for k in range(width - 1, -1, -1):
        rest, digit = np.divmod(rest, 10)
        out[:, k] = digit
    out += ord("0")
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    significant = (n[:, None] >= powers[None, :]) | (np.arange(width)[None, :] >= width - min_digits)
    out[~significant] = PAD
    return out


def format_fixed(v: np.ndarray, decimals: int) -> np.ndarray:
    """Fixed-point text of floats with `decimals` decimals; NaN -> empty field. Returns a padded byte matrix."""
    missing = np.isnan(v)
    scaled = np.rint(np.abs(np.where(missing, 0.0, v)) * 10.0**decimals).astype(np.int64)
    width = max(int(scaled.max(initial=0)).bit_length() * 30 // 99 + 2, decimals + 1)
    digits = digits_matrix(scaled, width, decimals + 1)
    negative = (v < 0) & (scaled > 0)
    sign = np.where(negative, ord("-"), PAD).astype(np.uint8)[:, None]
    if decimals > 0:
        cells = np.concatenate(
            [sign, digits[:, : width - decimals], np.full((len(v), 1), ord("."), np.uint8), digits[:, width - decimals :]],
            axis=1,
        )
    else:
        cells = np.concatenate([sign, digits], axis=1)
    cells[missing] = PAD
    return cells


def format_timestamps(epoch_ms: np.ndarray) -> np.ndarray:
    """ISO-8601 UTC timestamps with milliseconds, e.g. 2024-01-01T00:00:17.042Z, as a byte matrix."""
    text = np.datetime_as_string(epoch_ms.astype("datetime64[ms]"), unit="ms").astype("S23")
    return np.concatenate(
        [np.frombuffer(text.tobytes(), np.uint8).reshape(-1, 23), np.full((len(epoch_ms), 1), ord("Z"), np.uint8)], axis=1
    )


def category_matrix(codes: np.ndarray, values: list[bytes]) -> np.ndarray:
    width = max(len(v) for v in values)
    table = np.zeros((len(values), width), np.uint8)
    for i, v in enumerate(values):
        table[i, : len(v)] = np.frombuffer(v, np.uint8)
    return table[codes]


def format_rows(table: Table, schema: list[NumericColumn]) -> tuple[bytes, np.ndarray]:
    """CSV text of the rows and the byte length of each row (newline included)."""
    n = len(table.ids)
    comma = np.full((n, 1), ord(","), np.uint8)
    parts = [digits_matrix(table.ids, 12, 1), comma, format_timestamps(table.epoch_ms)]
    for j, col in enumerate(schema):
        parts += [comma, format_fixed(table.numeric[:, j], col.decimals)]
    for k, (_, values, _) in enumerate(CATEGORIES):
        parts += [comma, category_matrix(table.cats[:, k], values)]
    parts += [comma, (table.label + ord("0")).astype(np.uint8)[:, None], np.full((n, 1), ord("\n"), np.uint8)]
    matrix = np.concatenate(parts, axis=1)
    keep = matrix != PAD
    return matrix[keep].tobytes(), keep.sum(axis=1)


def header(schema: list[NumericColumn]) -> bytes:
    names = ["id", "timestamp"] + [c.name for c in schema] + [c[0] for c in CATEGORIES] + ["label"]
    return (",".join(names) + "\n").encode()


# ---------------------------------------------------------------- variants

STREAM_BASE, STREAM_SCATTER_PICK, STREAM_SCATTER_EDIT, STREAM_APPEND, STREAM_BLOCK_EDIT = 1, 2, 3, 4, 5


class Writer:
    """A CSV output and, optionally, the file collecting its changed regions."""

    def __init__(self, path: str, changed_path: str | None):
        self.file = open(path, "wb", buffering=8 << 20)
        self.changed = open(changed_path, "wb", buffering=8 << 20) if changed_path else None

    def write(self, data: bytes, changed: bytes = b"") -> None:
        self.file.write(data)
        if self.changed is not None and changed:
            self.changed.write(changed)

    def close(self) -> None:
        self.file.close()
        if self.changed is not None:
            self.changed.close()


def splice_rows(text: bytes, lengths: np.ndarray, rows: np.ndarray, table: Table, schema: list[NumericColumn]) -> tuple[bytes, bytes]:
    """The formatted block with the given (sorted) rows replaced by the rows of `table`, and those new rows' bytes."""
    if len(rows) == 0:
        return text, b""
    new_text, new_lengths = format_rows(table.take(rows), schema)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    new_ends = np.cumsum(new_lengths)
    view, new_view = memoryview(text), memoryview(new_text)
    pieces, cursor = [], 0
    for row, new_end, new_length in zip(rows, new_ends, new_lengths):
        pieces += [view[cursor : starts[row]], new_view[new_end - new_length : new_end]]
        cursor = ends[row]
    pieces.append(view[cursor:])
    return b"".join(pieces), new_text


def edit_block_ranges(seed: int, rows: int, fraction: float, count: int) -> list[tuple[int, int]]:
    """`count` disjoint row ranges covering `fraction` of the rows, spread over the file."""
    length = max(1, int(rows * fraction) // count)
    slot = rows // count
    rng = block_rng(seed, STREAM_BLOCK_EDIT, 1 << 30)
    return [(int(i * slot + o), int(i * slot + o + length)) for i, o in enumerate(rng.integers(0, max(1, slot - length), count))]


def write_tables(out: str, rows: int, seed: int, edit_fraction: float, append_fraction: float) -> dict:
    schema = numeric_schema()
    head = header(schema)
    writers = {
        "v1": Writer(os.path.join(out, "v1.csv"), None),
        "v2": Writer(os.path.join(out, "v2.csv"), os.path.join(out, "v2.changed")),
        "append": Writer(os.path.join(out, "append.csv"), os.path.join(out, "append.changed")),
        "blocks": Writer(os.path.join(out, "blocks.csv"), os.path.join(out, "blocks.changed")),
    }
    for w in writers.values():
        w.write(head)
    block_ranges = edit_block_ranges(seed, rows, edit_fraction, 10)
    positives = 0
    for block, first in enumerate(range(0, rows, BLOCK_ROWS)):
        n = min(BLOCK_ROWS, rows - first)
        base = make_rows(seed, STREAM_BASE, block, first, n, schema)
        positives += int(base.label.sum())
        text, lengths = format_rows(base, schema)
        for name in ("v1", "append"):
            writers[name].write(text)

        pick = block_rng(seed, STREAM_SCATTER_PICK, block)
        scattered = np.sort(pick.choice(n, size=int(round(n * edit_fraction)), replace=False))
        edited = edit_rows(seed, STREAM_SCATTER_EDIT, block, base, scattered, schema)
        writers["v2"].write(*splice_rows(text, lengths, scattered, edited, schema))

        in_blocks = np.concatenate(
            [np.arange(max(s, first), min(e, first + n)) - first for s, e in block_ranges if s < first + n and e > first]
            or [np.empty(0, np.int64)]
        ).astype(np.int64)
        edited = edit_rows(seed, STREAM_BLOCK_EDIT, block, base, in_blocks, schema)
        writers["blocks"].write(*splice_rows(text, lengths, in_blocks, edited, schema))

    appended = int(round(rows * append_fraction))
    for block, first in enumerate(range(0, appended, BLOCK_ROWS)):
        n = min(BLOCK_ROWS, appended - first)
        tail = make_rows(seed, STREAM_APPEND, block, rows + first, n, schema)
        text, _ = format_rows(tail, schema)
        for name in ("v2", "append"):
            writers[name].write(text, text)
    for w in writers.values():
        w.close()
    files = {}
    for name in ("v1.csv", "v2.csv", "append.csv", "blocks.csv", "v2.changed", "append.changed", "blocks.changed"):
        files[name] = os.path.getsize(os.path.join(out, name))
    return {"rows": rows, "appended_rows": appended, "positives": positives, "edit_blocks": block_ranges, "bytes": files}


def write_small_files(directory: str, count: int, seed: int, min_size: int, max_size: int) -> dict:
    """`count` files of min_size..max_size bytes, cut at line ends from fresh CSV rows, 100 per folder."""
    schema = numeric_schema()
    rng = block_rng(seed, 99, count)
    sizes = rng.integers(min_size, max_size + 1, count)
    total, pieces, block = 0, [], 0
    while total < int(sizes.sum()) + max_size:
        text, _ = format_rows(make_rows(seed, 100, block, block * BLOCK_ROWS, BLOCK_ROWS, schema), schema)
        pieces.append(text)
        total += len(text)
        block += 1
    text = b"".join(pieces)
    newlines = np.flatnonzero(np.frombuffer(text, np.uint8) == ord("\n")) + 1
    cursor, written = 0, 0
    for i, size in enumerate(sizes):
        # end at the last line end that keeps the file within [min_size, max_size] when possible
        k = np.searchsorted(newlines, cursor + size, side="right") - 1
        end = int(newlines[k]) if k >= 0 and newlines[k] - cursor >= min_size else cursor + int(size)
        sub = os.path.join(directory, f"part{i // 100:03d}")
        if i % 100 == 0:
            os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, f"shard{i:06d}.csv"), "wb") as f:
            f.write(text[cursor:end])
        written += end - cursor
        cursor = end
    return {"files": count, "bytes": written}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out_dir")
    p.add_argument("--rows", type=int, default=1_800_000, help="rows of v1 (default 1,800,000 ≈ 500 MB)")
    p.add_argument("--seed", type=int, default=20260101)
    p.add_argument("--edit-fraction", type=float, default=0.01)
    p.add_argument("--append-fraction", type=float, default=0.01)
    p.add_argument("--small-count", type=int, default=10_000, help="files in small/ (0: none)")
    p.add_argument("--small-dir", default="small", help="folder for the small files, relative to out_dir")
    p.add_argument("--small-min", type=int, default=1024)
    p.add_argument("--small-max", type=int, default=10240)
    p.add_argument("--no-tables", action="store_true", help="write only the small files")
    args = p.parse_args()

    os.makedirs(args.out_dir, exist_ok=True)
    manifest_path = os.path.join(args.out_dir, "manifest.json")
    manifest = json.load(open(manifest_path)) if os.path.exists(manifest_path) else {}
    manifest.update({"seed": args.seed, "generator": "Benchmarks/data/generate.py"})
    started = time.perf_counter()
    if not args.no_tables:
        manifest["tables"] = write_tables(args.out_dir, args.rows, args.seed, args.edit_fraction, args.append_fraction)
    if args.small_count > 0:
        small = os.path.join(args.out_dir, args.small_dir)
        manifest.setdefault("small", {})[args.small_dir] = write_small_files(
            small, args.small_count, args.seed, args.small_min, args.small_max
        )
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=2)
    print(json.dumps(manifest, indent=2))
    print(f"generated in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
