"""Reference points of the unscrambled Sobol' sequence for Tests/SweepsTests.

Run: python3 scripts/golden/sobol.py > Tests/SweepsTests/Golden/sobol.json
(scipy >= 1.7; the committed file was made with scipy 1.17.1).
"""
import json

import numpy as np
from scipy.stats import qmc

DIMENSIONS = 21
points = qmc.Sobol(d=DIMENSIONS, scramble=False).random(64)
far = {}
for index in (1000, 4095, 1048583):
    engine = qmc.Sobol(d=DIMENSIONS, scramble=False)
    engine.fast_forward(index)
    far[str(index)] = engine.random(1)[0].tolist()
print(json.dumps({"dimensions": DIMENSIONS, "first": points.tolist(), "at": far}, indent=None))
