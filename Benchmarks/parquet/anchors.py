"""Reads FILE with pyarrow.parquet.read_table (2 threads) and polars; prints key=value lines."""
import resource
import sys
import time

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


path = sys.argv[1]
pa.set_cpu_count(2)
start, cpu_start = time.perf_counter(), cpu()
table = pq.read_table(path, use_threads=True)
print(f"pyarrow_seconds={time.perf_counter() - start}")
print(f"pyarrow_cpu_seconds={cpu() - cpu_start}")
print(f"decoded_bytes={table.nbytes}")
del table
start, cpu_start = time.perf_counter(), cpu()
frame = pl.read_parquet(path)
print(f"polars_seconds={time.perf_counter() - start}")
print(f"polars_cpu_seconds={cpu() - cpu_start}")
