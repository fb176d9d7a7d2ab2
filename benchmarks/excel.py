"""UPR_MATCH through xlwings' Office.js protocol: 300 queries x 1,000 prior rows.

    python benchmarks/excel.py

Prints the first call (index built) and warm calls (index cached by content), and, in the
same run, the core alone (`match_table(..., limit=1)` on the cached index) as the baseline the
adapter adds to: the difference is the protocol and the one conversion of the raw ranges.
Bars (issue 9): warm <= 0.3 s, first call <= 1 s.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import xlwings as xw  # noqa: E402
from speed import make_corpus  # noqa: E402
from xlwings.server import custom_functions_call  # noqa: E402

from xl_upr import udfs  # noqa: E402
from xl_upr.index import build_index  # noqa: E402
from xl_upr.match import match_table  # noqa: E402
from xl_upr.records import Record  # noqa: E402


def main() -> int:
    prior = make_corpus(1000, seed=5)
    queries = make_corpus(300, seed=6)
    data = {"func_name": "upr_match", "version": xw.__version__, "client": "Office.js", "runtime": "1.4",
            "args": [[[q] for q in queries], [[t] for t in prior], [[f"P{i}"] for i in range(len(prior))],
                     None, None]}
    t0 = time.perf_counter()
    out = asyncio.run(custom_functions_call(data, udfs))
    first = time.perf_counter() - t0
    assert len(out) == 300
    warm = []
    for _ in range(5):
        t0 = time.perf_counter()
        asyncio.run(custom_functions_call(data, udfs))
        warm.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    index = build_index([Record(f"P{i}", t) for i, t in enumerate(prior)])
    build = time.perf_counter() - t0
    core = []
    for _ in range(5):
        t0 = time.perf_counter()
        match_table(queries, index, limit=1)
        core.append(time.perf_counter() - t0)
    print(f"{'UPR_MATCH 300 x 1,000 via custom_functions_call':52} {'seconds':>8}")
    print(f"{'first call (builds the index)':52} {first:8.3f}")
    print(f"{'warm call, median of 5 (index cached)':52} {statistics.median(warm):8.3f}")
    print(f"{'baseline: core build_index alone':52} {build:8.3f}")
    print(f"{'baseline: core match_table(limit=1), median of 5':52} {statistics.median(core):8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
