"""Reconciliation of a workbook open in Excel, through xlwings (desktop COM or Office.js).

The same reading (`sheets`) and the same Plan (`reconcile`) as the file path; only the
writing differs: owned cells are set through Excel, in runs of adjacent rows, then wrapped,
top-aligned and row heights fitted by Excel; a Match ID gets an internal hyperlink to its
earlier record; the Summary sheet (with a chart) is rewritten.  What an xlwings client cannot
do (a chart or alignment on some Office.js hosts) is skipped, never an error.
"""

from __future__ import annotations

import getpass
import platform
import time
from collections.abc import Callable, Iterator
from typing import Any

from xl_upr import __version__, sheets
from xl_upr._cells import excel_value
from xl_upr.errors import WorkbookError
from xl_upr.reconcile import OWNED, Plan, plan_reconciliation
from xl_upr.settings import MatchSettings
from xl_upr.sheets import DECISIONS, LOG, NEW, PRIOR, SETTINGS, SUMMARY, TREATY
from xl_upr.summary import STATUSES, summary_sheet

_HEADERS = {DECISIONS: ["ID", "Decision", "Match ID", "Recorded"],
            LOG: ["Time", "Version", "User", "Machine", "Repeated", "Similar", "New", "Cells changed", "Decisions",
                  "Seconds", "Thresholds"]}
#: What a client may not support: skip that formatting (the values are written regardless).
_UNSUPPORTED = (NotImplementedError, KeyError, AttributeError)
CHART_NAME = "xl-upr status by theme"


def _values(book: Any, name: str) -> list[list[Any]]:
    if name not in [s.name for s in book.sheets]:
        return []
    sheet = book.sheets[name]
    last = sheet.used_range.last_cell
    values = sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value
    return values or []


def reconcile_book(book: Any, progress: Callable[[int, int], None] | None = None,
                   embedding: Callable[[int, int], None] | None = None) -> Plan:
    """Reconcile the New sheet of an open workbook and write the owned cells through Excel."""
    names = [s.name for s in book.sheets]
    for needed in (NEW, PRIOR):
        if needed not in names:
            raise WorkbookError(f"{book.name}: no sheet {needed!r} (sheets: {', '.join(names)})")
    where = book.name
    new_values = _values(book, NEW)
    rows, cols = sheets.new_rows(new_values, where)
    prior_values, treaty_values = _values(book, PRIOR), _values(book, TREATY)
    prior = sheets.prior_records(prior_values, where)
    treaty = sheets.treaty_records(treaty_values, where) if TREATY in names else []
    settings = sheets.settings(_values(book, SETTINGS), where) if SETTINGS in names else MatchSettings()
    places = {**sheets.places(treaty_values, TREATY), **sheets.places(prior_values, PRIOR)}
    plan = plan_reconciliation(rows, prior, treaty, settings, sheets.decisions(_values(book, DECISIONS), where),
                               progress=progress, places=places, embedding=embedding)
    if plan.changed:
        _write(book, plan, cols, settings, sheets.first_free_column(new_values, max(cols.values())))
    return plan


def _runs(numbers: list[int]) -> Iterator[tuple[int, int]]:
    """(first, last) of each run of consecutive numbers."""
    numbers = sorted(numbers)
    if not numbers:
        return
    start = prev = numbers[0]
    for n in numbers[1:]:
        if n != prev + 1:
            yield start, prev
            start = n
        prev = n
    yield start, prev


def _write(book: Any, plan: Plan, cols: dict[str, int], settings: MatchSettings, free: int) -> None:
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
    link_col = cols["Match ID"]
    for edit in plan.edits:  # a Match ID emptied loses its hyperlink (and format, restored below)
        if edit.column == "Match ID" and edit.value is None:
            ws.range((edit.row, link_col)).clear()
    for col, cells in by_column.items():
        for start, end in _runs(list(cells)):
            ws.range((start, col), (end, col)).value = [[cells[k]] for k in range(start, end + 1)]
    for edit in plan.edits:
        if edit.column == "Match ID" and edit.link and edit.value:
            ws.range((edit.row, link_col)).add_hyperlink(f"#{edit.link}", str(edit.value),
                                                         "Go to the earlier record")
    _layout(ws, sorted({e.row for e in plan.edits}), [cols[h] for h in OWNED], max(cols.values()))
    if plan.decisions:
        _append(book, DECISIONS, [[d.id, d.decision, d.match_id, d.recorded] for d in plan.decisions])
    c = plan.counts
    user, machine = (_user(), platform.node() or None) if settings.log_user else (None, None)
    thresholds = ", ".join(f"{k}={v}" for k, v in settings.as_dict().items())
    _append(book, LOG, [[time.strftime("%Y-%m-%d %H:%M:%S"), __version__, user, machine, c["repeated"],
                         c["similar"], c["new"], len(plan.edits), len(plan.decisions), round(plan.seconds, 2),
                         thresholds]])
    write_summary(book, plan)


def _layout(ws: Any, rows: list[int], owned: list[int], width: int) -> None:
    """Wrap and top-align the written cells, then let Excel fit those rows' heights."""
    for start, end in _runs(rows):
        for col in owned:
            rng = ws.range((start, col), (end, col))
            rng.wrap_text = True
            try:
                rng.vertical_alignment = "top"
            except _UNSUPPORTED:
                pass
        try:
            ws.range((start, 1), (end, width)).rows.autofit()
        except _UNSUPPORTED:
            pass


def write_summary(book: Any, plan: Plan) -> None:
    """Rewrite the Summary sheet (added at the end if missing) with its counts and a chart."""
    layout = summary_sheet(plan.results)
    if SUMMARY in [s.name for s in book.sheets]:
        sheet = book.sheets[SUMMARY]
        try:
            for chart in list(sheet.charts):
                chart.delete()
        except _UNSUPPORTED:
            pass
        sheet.clear_contents()
    else:
        sheet = book.sheets.add(SUMMARY, after=book.sheets[len(book.sheets) - 1])
    width = max(len(r) for r in layout.rows)
    sheet.range((1, 1)).value = [[excel_value(v) for v in r] + [None] * (width - len(r)) for r in layout.rows]
    first, last = layout.share_rows
    try:
        sheet.range((first, 3), (last, 3)).number_format = "0.0%"
    except _UNSUPPORTED:
        pass
    if layout.chart_last <= layout.theme_header:
        return
    try:
        source = sheet.range((layout.theme_header, 1), (layout.chart_last, 1 + len(STATUSES)))
        sheet.charts.add(left=560, top=30, width=520, height=max(220, 16 * (layout.chart_last - layout.theme_header)
                                                                       + 80),
                         chart_type="bar_stacked", source=source, plot_by="columns", name=CHART_NAME)
    except _UNSUPPORTED:
        pass  # this client cannot draw charts: the counts are there


def _user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # no user name on some systems; the log cell stays empty
        return None


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
