"""Reconciliation of a workbook open in Excel, through xlwings (desktop COM or Office.js).

The same reading (`sheets`) and the same Plan (`reconcile`) as the file path; only the
writing differs: owned cells are set through Excel, in runs of adjacent rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from xl_upr import __version__, sheets
from xl_upr._cells import excel_value
from xl_upr.errors import WorkbookError
from xl_upr.reconcile import OWNED, Plan, plan_reconciliation
from xl_upr.sheets import DECISIONS, LOG, NEW, PRIOR, SETTINGS, TREATY

_HEADERS = {DECISIONS: ["ID", "Decision", "Match ID", "Recorded"],
            LOG: ["Time", "Version", "User", "Machine", "Repeated", "Similar", "New", "Cells changed", "Decisions",
                  "Seconds", "Thresholds"]}


def _values(book: Any, name: str) -> list[list[Any]]:
    if name not in [s.name for s in book.sheets]:
        return []
    sheet = book.sheets[name]
    last = sheet.used_range.last_cell
    values = sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value
    return values or []


def reconcile_book(book: Any, progress: Callable[[int, int], None] | None = None) -> Plan:
    """Reconcile the New sheet of an open workbook and write the owned cells through Excel."""
    names = [s.name for s in book.sheets]
    for needed in (NEW, PRIOR):
        if needed not in names:
            raise WorkbookError(f"{book.name}: no sheet {needed!r} (sheets: {', '.join(names)})")
    where = book.name
    new_values = _values(book, NEW)
    rows, cols = sheets.new_rows(new_values, where)
    prior = sheets.prior_records(_values(book, PRIOR), where)
    treaty = sheets.treaty_records(_values(book, TREATY), where) if TREATY in names else []
    settings = sheets.settings(_values(book, SETTINGS), where) if SETTINGS in names else None
    plan = plan_reconciliation(rows, prior, treaty, settings, sheets.decisions(_values(book, DECISIONS), where),
                               progress=progress)
    _write(book, plan, cols, settings, sheets.first_free_column(new_values, max(cols.values())))
    return plan


def _write(book: Any, plan: Plan, cols: dict[str, int], settings: Any, free: int) -> None:
    ws = book.sheets[NEW]
    cols = dict(cols)
    last = free - 1  # a missing owned column goes right of every used cell: it overwrites nothing
    for header in OWNED:
        if header not in cols:
            last += 1
            cols[header] = last
            ws.range((1, last)).value = header
    by_column: dict[int, dict[int, Any]] = {}
    for edit in plan.edits:
        by_column.setdefault(cols[edit.column], {})[edit.row] = excel_value(edit.value)
    for col, cells in by_column.items():
        rows = sorted(cells)
        start = prev = rows[0]
        for r in rows[1:] + [None]:
            if r is not None and r == prev + 1:
                prev = r
                continue
            block = [[cells[k]] for k in range(start, prev + 1)]
            ws.range((start, col), (prev, col)).value = block
            if r is not None:
                start = prev = r
    if plan.decisions:
        _append(book, DECISIONS, [[d.id, d.decision, d.match_id, d.recorded] for d in plan.decisions])
    if plan.edits or plan.decisions:
        c = plan.counts
        thresholds = ", ".join(f"{k}={v}" for k, v in settings.as_dict().items()) if settings else ""
        _append(book, LOG, [[time.strftime("%Y-%m-%d %H:%M:%S"), __version__, None, "Excel", c["repeated"],
                             c["similar"], c["new"], len(plan.edits), len(plan.decisions), round(plan.seconds, 2),
                             thresholds]])


def _append(book: Any, name: str, rows: list[list[Any]]) -> None:
    if name not in [s.name for s in book.sheets]:
        sheet = book.sheets.add(name, after=book.sheets[len(book.sheets) - 1])
        sheet.range((1, 1)).value = [_HEADERS[name]]
        next_row = 2
    else:
        sheet = book.sheets[name]
        values = _values(book, name)
        filled = [i for i, r in enumerate(values, start=1) if any(v not in (None, "") for v in r)]
        next_row = (filled[-1] if filled else 1) + 1
    sheet.range((next_row, 1)).value = [[excel_value(v) for v in r] for r in rows]
