"""kill -9 in the middle of a write: the workbook is always either before or after, never half.

A child process reconciles a workbook and is killed with SIGKILL at a random moment — most
often while its temporary file exists (the write window), sometimes before it or after the
replace.  After each kill the workbook must open and equal the state before or after the run;
the next (uninterrupted) run must leave no temporary file behind and give the same result.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import time
from pathlib import Path

import pytest
from conftest import reconcile_in_child
from openpyxl import load_workbook

from xl_upr import safe_write
from xl_upr.workbook import create_workbook, reconcile_file

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")
KILLS = 8


def sheet_values(path: Path) -> dict[str, list[tuple]]:
    """Every value of every sheet but Log (whose times differ from run to run)."""
    wb = load_workbook(path)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets if ws.title != "Log"}


def temps(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if safe_write._TMP in p.name]


def test_kill_9_mid_write_leaves_before_or_after(tmp_path, kaz2014):
    original = create_workbook(tmp_path / "original.xlsx", new=kaz2014[:8], prior=kaz2014[120:180])
    reference = tmp_path / "reference.xlsx"
    shutil.copy(original, reference)
    reconcile_file(reference, backup=False)
    before, after = sheet_values(original), sheet_values(reference)
    assert before != after
    work = tmp_path / "work"
    work.mkdir()
    book = work / "book.xlsx"
    rng = random.Random(20240612)
    outcomes = {"before": 0, "after": 0, "in write window": 0}
    for kill in range(KILLS):
        shutil.copy(original, book)
        pid = reconcile_in_child(book)
        in_window = kill % 4 != 3  # three kills in four inside the write window, the rest at random
        if in_window:
            deadline = time.monotonic() + 30
            while not temps(work) and time.monotonic() < deadline:
                if os.waitpid(pid, os.WNOHANG)[0]:
                    break  # finished before we saw its temporary file
                time.sleep(0.0005)
            time.sleep(rng.uniform(0, 0.02))
        else:
            time.sleep(rng.uniform(0, 0.3))
        seen_temp = bool(temps(work))
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        outcomes["in write window"] += seen_temp
        state = sheet_values(book)  # opens: never half-written
        assert state in (before, after), f"kill {kill}: the workbook is neither before nor after"
        outcomes["before" if state == before else "after"] += 1
        for backup in safe_write.list_backups(book):
            assert sheet_values(backup.path) == before  # a backup is complete, and of the original
        reconcile_file(book)  # the next run
        assert temps(work) == [], f"kill {kill}: temporary file left after the next run"
        assert sheet_values(book) == after
        for backup in safe_write.list_backups(book):
            backup.path.unlink()
    assert outcomes["in write window"] >= KILLS // 2, outcomes  # the kills did land mid-write
