"""Reconciliation end to end: the demo workbook, and a 300-new x 5,000-prior workbook.

    python benchmarks/reconcile.py

Times `reconcile_file` (open, read, plan, write, atomic save) on copies, with the time of a
bare openpyxl load + save of the same file in the same run as the baseline.  The large
workbook is synthetic: real recommendation clauses recombined (see benchmarks/speed.py).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from openpyxl import load_workbook  # noqa: E402

from xl_upr.records import Record  # noqa: E402
from xl_upr.workbook import create_workbook, reconcile_file  # noqa: E402


def timed(path: Path) -> tuple[float, float, str]:
    t0 = time.perf_counter()
    wb = load_workbook(path)
    wb.save(path.with_name("baseline.xlsx"))
    base = time.perf_counter() - t0
    t0 = time.perf_counter()
    plan = reconcile_file(path, backup=False)
    return time.perf_counter() - t0, base, plan.summary()


def main() -> int:
    from speed import make_corpus

    work = Path(tempfile.mkdtemp())
    demo = work / "demo.xlsx"
    shutil.copy(ROOT / "workbooks" / "kazakhstan-demo.xlsx", demo)
    big = work / "big.xlsx"
    new = [Record(f"N{i}", t, cycle="3") for i, t in enumerate(make_corpus(300, seed=3))]
    prior = [Record(f"P{i}", t, cycle="2", year="2014", response="supported") for i, t in
             enumerate(make_corpus(5000, seed=4))]
    create_workbook(big, new=new, prior=prior)
    print(f"{'workbook':34} {'reconcile s':>12} {'load+save s':>12}  result")
    for name, path in (("demo (194 new x 128 prior, 36 TB)", demo), ("300 new x 5,000 prior", big)):
        seconds, base, summary = timed(path)
        print(f"{name:34} {seconds:12.2f} {base:12.2f}  {summary}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
