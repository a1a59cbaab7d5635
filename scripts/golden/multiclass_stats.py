#!/usr/bin/env python3
"""Reference values for the Stuart–Maxwell test (statsmodels SquareTable.homogeneity()) and
McNemar's exact test, printed for Tests/EvaluationTests/MulticlassStatisticsTests.swift.

Run:  /tmp/tasks-venv/bin/python scripts/golden/multiclass_stats.py  (numpy, statsmodels)
"""
import numpy as np
from statsmodels.stats.contingency_tables import SquareTable, mcnemar

baseline = [0, 0, 1, 1, 2, 2, 0, 1, 2, 0, 1, 2, 0, 0, 1, 2, 2, 1, 0, 2] * 3
candidate = [0, 1, 1, 2, 2, 0, 0, 1, 1, 0, 2, 2, 1, 0, 1, 2, 0, 1, 0, 2] * 3
table = np.zeros((3, 3))
for a, b in zip(baseline, candidate):
    table[a, b] += 1
r = SquareTable(table, shift_zeros=False).homogeneity()
print("stuart_maxwell", repr(float(r.statistic)), int(r.df), repr(float(r.pvalue)))
m = mcnemar([[10, 3], [9, 10]], exact=True)
print("mcnemar", repr(float(m.statistic)), repr(float(m.pvalue)))

# Wilson score intervals of a proportion (a class's recall in reviews).
from statsmodels.stats.proportion import proportion_confint
for count, nobs, alpha in [(0, 7, 0.05), (7, 7, 0.05), (33, 41, 0.05), (281, 320, 0.1)]:
    low, high = proportion_confint(count, nobs, alpha=alpha, method="wilson")
    print("wilson", count, nobs, alpha, repr(float(low)), repr(float(high)))
