"""Writes the Parquet benchmark file: ROWS rows of mixed types (int64 id, three float64, a
float32, an int32, a low- and a high-cardinality string, a bool, a timestamp), nulls in two
columns. Usage: generate.py OUT.parquet ROWS CODEC"""
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

out, rows, codec = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(18)
writer = None
batch = 1_000_000
for start in range(0, rows, batch):
    n = min(batch, rows - start)
    nulls = rng.random(n) < 0.05
    table = pa.table({
        "id": pa.array(np.arange(start, start + n, dtype=np.int64)),
        "amount": pa.array(rng.normal(100, 30, n), mask=nulls),
        "score": pa.array(rng.random(n)),
        "balance": pa.array(rng.lognormal(8, 1, n)),
        "ratio": pa.array(rng.random(n).astype(np.float32)),
        "count": pa.array(rng.integers(-1000, 1000, n).astype(np.int32), mask=rng.random(n) < 0.1),
        "region": pa.array(np.array(["north", "south", "east", "west", "central"])[rng.integers(0, 5, n)]),
        "user": pa.array([f"user-{x}" for x in rng.integers(0, 1_000_000, n)]),
        "flag": pa.array(rng.random(n) < 0.3),
        "at": pa.array(rng.integers(1_600_000_000_000_000, 1_700_000_000_000_000, n), pa.timestamp("us", tz="UTC")),
    })
    writer = writer or pq.ParquetWriter(out, table.schema, compression=codec)
    writer.write_table(table)
writer.close()
