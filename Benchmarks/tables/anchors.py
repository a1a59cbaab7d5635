#!/usr/bin/env python3
"""Anchor timings: python3 anchors.py FILE.csv -> key=value lines (pyarrow, pandas parse)."""
import resource
import sys
import time

import pandas
import pyarrow
import pyarrow.csv

path = sys.argv[1]


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


start, cpu_start = time.perf_counter(), cpu()
# The data has quoted newlines, which pyarrow only accepts with newlines_in_values.
table = pyarrow.csv.read_csv(path, parse_options=pyarrow.csv.ParseOptions(newlines_in_values=True))
print(f"pyarrow_seconds={time.perf_counter() - start}")
print(f"pyarrow_cpu_seconds={cpu() - cpu_start}")
print(f"pyarrow_rows={table.num_rows}")
print(f"pyarrow_version={pyarrow.__version__}")
del table
start, cpu_start = time.perf_counter(), cpu()
frame = pandas.read_csv(path)
print(f"pandas_seconds={time.perf_counter() - start}")
print(f"pandas_cpu_seconds={cpu() - cpu_start}")
print(f"pandas_rows={len(frame)}")
print(f"pandas_version={pandas.__version__}")
