"""Reads FILE with pyarrow.parquet.read_table (2 threads) and polars; prints key=value lines."""
import sys
import time

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

path = sys.argv[1]
pa.set_cpu_count(2)
start = time.perf_counter()
table = pq.read_table(path, use_threads=True)
print(f"pyarrow_seconds={time.perf_counter() - start}")
print(f"decoded_bytes={table.nbytes}")
del table
start = time.perf_counter()
frame = pl.read_parquet(path)
print(f"polars_seconds={time.perf_counter() - start}")
