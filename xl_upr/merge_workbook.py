"""Merging members' copies with openpyxl: read BASE and the copies, apply a MergePlan to BASE, save safely.

MERGED starts as BASE opened with openpyxl, so every formula, style, validation, comment,
table and sheet the merge does not touch stays as it was; only cells whose merged value differs
from BASE's are written.  The conflicts go on a ``Conflicts`` sheet, where people type what to
keep in the Resolution column; `resolve_conflicts` applies it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from copy import copy
from pathlib import Path
from typing import Any

from openpyxl.cell.rich_text import CellRichText
from openpyxl.formula.translate import Translator, TranslatorError
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, coordinate_to_tuple
from openpyxl.worksheet.table import Table, TableStyleInfo

from xl_upr._cells import set_cell
from xl_upr._cells import text as cell_text
from xl_upr._xlsx import form_controls, lock_file, open_workbook, widen_table
from xl_upr.errors import WorkbookError
from xl_upr.merge import (
    CONFLICTS,
    DELETED,
    Book,
    Formula,
    GridPlan,
    KeyedPlan,
    LogPlan,
    MergePlan,
    empty,
    key_header,
    plan_merge,
)
from xl_upr.safe_write import writing
from xl_upr.workbook import _append_rows, _open_for_writing, _save_atomic, reconcile_file

#: Formulas are compared as if their cell stood on this row, so a sorted copy's equal BASE's.
CANONICAL_ROW = 100_000
#: Typed as a Resolution: empty the cell.
CLEAR = "(empty)"
_HEAD = (Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F4E78"))
_PEOPLE_FILL = PatternFill("solid", fgColor="548235")


# ------------------------------------------------------------------ reading
def _formula(text: str, coordinate: str, target: str) -> str:
    try:
        return str(Translator(text, origin=coordinate).translate_formula(target))
    except (TranslatorError, ValueError):
        return text


def cell_value(value: Any, data_type: str, row: int, column: int) -> Any:
    """A cell as the merge compares it: formulas made row-independent, rich text as text, '' as empty."""
    if empty(value):
        return None
    if isinstance(value, CellRichText):
        return str(value)
    if data_type == "f" or hasattr(value, "text") and not isinstance(value, str):
        raw = str(getattr(value, "text", value))
        letter = get_column_letter(column)
        return Formula(_formula(raw, f"{letter}{row}", f"{letter}{CANONICAL_ROW}"), raw)
    return value


def read_book(wb: Any, label: str) -> Book:
    """Every worksheet's values (chart sheets have none) as a `Book`."""
    sheets = {}
    for ws in wb.worksheets:
        grid = [tuple(cell_value(c.value, c.data_type, r, k) for k, c in enumerate(row, start=1))
                for r, row in enumerate(ws.iter_rows(min_row=1, min_col=1), start=1)]
        while grid and all(v is None for v in grid[-1]):
            grid.pop()
        sheets[ws.title] = grid
    return Book(label, sheets)


def labels(paths: Sequence[Path]) -> list[str]:
    """File names, or folder/name where two copies share a name, or the whole path."""
    out = []
    for p in paths:
        if sum(q.name == p.name for q in paths) == 1:
            out.append(p.name)
        elif sum(q.parent.name == p.parent.name and q.name == p.name for q in paths) == 1:
            out.append(f"{p.parent.name}/{p.name}")
        else:
            out.append(str(p))
    return out


# ------------------------------------------------------------------ writing cells, rows, columns
def _put(cell: Any, value: Any) -> None:
    if isinstance(value, Formula):  # back from the fixed row to this cell's (columns are not shifted)
        same = value.raw and value.raw == value.text  # no relative row reference, or not translatable
        cell.value = value.raw if same else _formula(value.text, f"{cell.column_letter}{CANONICAL_ROW}",
                                                     cell.coordinate)
    else:
        set_cell(cell, value)


def _table_end(ws: Any) -> tuple[Any, int]:
    table = next(iter(ws.tables.values()), None)
    if table is None:
        return None, 0
    col, _ = coordinate_from_string(table.ref.split(":")[1])
    return table, column_index_from_string(col)


def _add_columns(ws: Any, headers: Sequence[str], cols: dict[str, int]) -> dict[str, int]:
    """Headers added after the last used column (styled like the header before), inside the sheet's
    table when it ends there."""
    cols = dict(cols)
    if not headers:
        return cols
    table, end = _table_end(ws)
    last = max([*cols.values(), end, 0])
    source = ws.cell(row=1, column=last) if last else None
    for k, header in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=last + k)
        set_cell(cell, header)
        if source is not None and source.has_style:
            cell.font, cell.fill, cell.alignment = copy(source.font), copy(source.fill), copy(source.alignment)
        else:
            cell.font, cell.fill = _HEAD
        ws.column_dimensions[cell.column_letter].width = 20
        cols[header] = last + k
    if table is not None and end == last:
        widen_table(table, last + len(headers), list(headers))
    return cols


def _last_row(ws: Any) -> int:
    for r in range(ws.max_row, 1, -1):
        if any(not empty(c.value) for c in ws[r]):
            return r
    return 1


def _fit_table(ws: Any, deleted: Iterable[int] = ()) -> None:
    """The sheet's table loses the rows deleted inside it and grows to the last row with content."""
    table = next(iter(ws.tables.values()), None)
    if table is None:
        return
    start, stop = table.ref.split(":")
    col, end = coordinate_from_string(stop)
    end -= sum(1 for r in set(deleted) if r <= end)
    table.ref = f"{start}:{col}{max(2, end, _last_row(ws))}"
    if table.autoFilter is not None:
        table.autoFilter.ref = table.ref


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for r in rows:
        if runs and runs[-1][0] + runs[-1][1] == r:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((r, 1))
    return runs


def drop_rows(ws: Any, rows: Iterable[int]) -> None:
    """Delete worksheet rows; the rows below move up with their heights and hyperlinks, and their
    formulas are translated as Excel does when rows move."""
    gone = sorted(set(rows))
    if not gone:
        return
    end = ws.max_row
    dims = {r: (d.height, d.hidden) for r, d in ws.row_dimensions.items()}
    for start, count in reversed(_runs(gone)):
        ws.delete_rows(start, count)
    dropped = set(gone)
    survivors = [r for r in range(gone[0], end + 1) if r not in dropped]
    for n, orig in enumerate(survivors, start=gone[0]):
        if n == orig:
            continue
        for cell in ws[n]:
            if cell.data_type == "f" and isinstance(cell.value, str):
                cell.value = _formula(cell.value, f"{cell.column_letter}{orig}", cell.coordinate)
            if cell.hyperlink is not None:  # openpyxl moves the cell, not its link's ref: it would be saved
                cell.hyperlink.ref = cell.coordinate  # on the old cell (and fill it, if empty, on reading)
        ws.row_dimensions[n].height, ws.row_dimensions[n].hidden = dims.get(orig, (None, False))
    for n in range(gone[0] + len(survivors), end + 1):
        if n in ws.row_dimensions:
            ws.row_dimensions[n].height, ws.row_dimensions[n].hidden = None, False


def _apply_keyed(ws: Any, p: KeyedPlan) -> None:
    cols = _add_columns(ws, p.columns_added, p.columns)
    for row, header, value in p.edits:
        _put(ws.cell(row=row, column=cols[header]), value)
    drop_rows(ws, p.deleted)
    last = _last_row(ws)
    width = max(cols.values(), default=0)
    for k, added in enumerate(p.added, start=1):
        r = last + k
        for c in range(1, width + 1):
            source = ws.cell(row=last, column=c)
            if last > 1 and source.has_style:
                ws.cell(row=r, column=c)._style = copy(source._style)
        if added.key:
            set_cell(ws.cell(row=r, column=cols[p.key]), added.key)
        for header, value in added.values.items():
            _put(ws.cell(row=r, column=cols[header]), value)
    if p.deleted or p.added:
        _fit_table(ws, p.deleted)


def _apply_log(ws: Any, p: LogPlan) -> None:
    cols = _add_columns(ws, p.columns_added, p.columns)
    width = max(cols.values(), default=0)
    rows = []
    for values in p.rows:
        row: list[Any] = [None] * width
        for header, value in values.items():
            row[cols[header] - 1] = str(value) if isinstance(value, Formula) else value
        rows.append(row)
    if rows:
        _append_rows(ws, rows)


def _apply_grid(ws: Any, p: GridPlan) -> None:
    for (r, c), value in p.edits.items():
        _put(ws.cell(row=r, column=c), value)


def _show(value: Any) -> Any:
    return str(value) if isinstance(value, Formula) else value


def _write_conflicts(wb: Any, plan: MergePlan) -> None:
    if CONFLICTS in wb.sheetnames:
        del wb[CONFLICTS]
    ws = wb.create_sheet(CONFLICTS)
    copies = list(plan.report)
    head = ["Sheet", "ID", "Column", "In MERGED", "Base", *copies, "Resolution"]
    for k, header in enumerate(head, start=1):
        set_cell(ws.cell(row=1, column=k), header)
    widths = [{"Sheet": 12, "ID": 20, "Column": 18}.get(h, 28) for h in head]
    for r, c in enumerate(plan.conflicts, start=2):
        values = dict(c.values)
        row = [c.sheet, c.key, c.column, c.kept, c.base, *(values.get(label) for label in copies), None]
        lines = 1
        for k, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=k)
            set_cell(cell, _show(value))
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            lines = max(lines, -(-len(str(cell.value or "")) // widths[k - 1]))
        ws.row_dimensions[r].height = 15 * min(lines, 8)  # wrapped values show whole when opened
    for k, header in enumerate(head, start=1):
        cell = ws.cell(row=1, column=k)
        cell.font, cell.fill = _HEAD
        if header == "Resolution":
            cell.fill = _PEOPLE_FILL
        ws.column_dimensions[get_column_letter(k)].width = widths[k - 1]
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    table = Table(displayName="MergeConflicts", ref=f"A1:{get_column_letter(len(head))}{max(2, ws.max_row)}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "D2"
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = False
    wb.active = wb.sheetnames.index(CONFLICTS)


def apply_merge(wb: Any, plan: MergePlan) -> None:
    """Write a MergePlan into BASE opened with openpyxl."""
    for p in plan.sheets:
        ws = wb[p.sheet] if p.sheet in wb.sheetnames else wb.create_sheet(p.sheet)
        if isinstance(p, KeyedPlan):
            _apply_keyed(ws, p)
        elif isinstance(p, LogPlan):
            _apply_log(ws, p)
        else:
            _apply_grid(ws, p)
    if plan.conflicts:
        _write_conflicts(wb, plan)


# ------------------------------------------------------------------ the two entry points
def _check_free(path: Path) -> None:
    if lock_file(path).exists():
        raise WorkbookError(f"{path}: open in Excel (lock file {lock_file(path).name}); save and close it, then "
                            "run again")


def merge_workbooks(base: str | Path, copies: Sequence[str | Path], output: str | Path, *,
                    prefer: str | None = None, reconcile: bool = False) -> MergePlan:
    """Merge members' copies of a coalition workbook into ``output``, three-way against ``base``.

    Rows are matched by ID and columns by header; every change a copy made is taken, the same
    change once; different changes to one cell stay as in BASE (or as in ``prefer``, a copy's
    file name) and are listed on the Conflicts sheet.  ``output`` is written atomically, an
    existing file there kept as a backup; ``reconcile`` fills the owned columns afterwards.
    """
    base, target = Path(base), Path(output)
    paths: list[Path] = []
    for p in map(Path, copies):
        if p.resolve() not in [q.resolve() for q in paths]:
            paths.append(p)
    if not paths:
        raise WorkbookError("give BASE and at least one copy to merge into it")
    if target.suffix.lower() != base.suffix.lower():
        raise WorkbookError(f"{target}: the output must have the same type as {base.name} ({base.suffix})")
    if target.resolve() == base.resolve() and form_controls(base):
        raise WorkbookError(f"{base}: has buttons that would be lost if rewritten outside Excel; write the merge "
                            "to another file with -o")
    for p in (*paths, target):
        _check_free(p)
    names = labels(paths)
    if prefer is not None:
        chosen = next((label for label, p in zip(names, paths) if prefer in (label, p.name, str(p))), None)
        if chosen is None:
            raise WorkbookError(f"--prefer {prefer!r} is not one of the copies ({', '.join(names)})")
        prefer = chosen
    with writing(target) as real_target:  # one writer at a time (BASE read inside: it may be the target)
        wb = _open_for_writing(base)
        books = []
        for p, label in zip(paths, names):
            copy_wb = open_workbook(p, read_only=True)
            books.append(read_book(copy_wb, label))
            copy_wb.close()  # read-only workbooks hold their file open
        plan = plan_merge(read_book(wb, base.name), books, prefer=prefer)
        if plan.changed or target.resolve() != base.resolve():
            apply_merge(wb, plan)
            _save_atomic(wb, real_target, backup=True)
    if reconcile:
        plan.reconciled = reconcile_file(target, backup=False).summary()
    return plan


def _find_row(ws: Any, key: str, value: str, where: str) -> tuple[int, dict[str, int]]:
    cols = {cell_text(c.value): c.column for c in ws[1] if cell_text(c.value)}
    for r in range(2, ws.max_row + 1):
        if cell_text(ws.cell(row=r, column=cols[key]).value) == value:
            return r, cols
    raise WorkbookError(f"{where}: no row with {key} {value!r} on sheet {ws.title!r}; correct the ID or clear "
                        "the Resolution")


def _apply_resolutions(wb: Any, path: Path) -> tuple[int, int]:
    """Apply the typed Resolutions to an open workbook; return (applied, left)."""
    if CONFLICTS not in wb.sheetnames:
        raise WorkbookError(f"{path}: no {CONFLICTS} sheet; nothing to resolve")
    ws = wb[CONFLICTS]
    head = {cell_text(c.value): c.column for c in ws[1] if cell_text(c.value)}
    missing = [h for h in ("Sheet", "ID", "Column", "Resolution") if h not in head]
    if missing:
        raise WorkbookError(f"{path} [{CONFLICTS}]: no column headed {', '.join(map(repr, missing))}")
    choices = [h for h in head if h not in ("Sheet", "ID", "Column", "In MERGED", "Resolution")]
    done: list[int] = []
    left = 0
    drops: dict[str, set[int]] = {}
    for r in range(2, ws.max_row + 1):
        get = {h: ws.cell(row=r, column=c) for h, c in head.items()}
        if all(empty(cell.value) for cell in get.values()):
            continue
        answer = get["Resolution"]
        if empty(answer.value):
            left += 1
            continue
        where = f"{path} [{CONFLICTS}] row {r}"
        typed = cell_text(answer.value)
        value = get[typed].value if typed in choices else None if typed == CLEAR else answer.value
        sheet = cell_text(get["Sheet"].value)
        if sheet not in wb.sheetnames:
            raise WorkbookError(f"{where}: no sheet {sheet!r} in the workbook")
        target_ws = wb[sheet]
        rid, column = cell_text(get["ID"].value), cell_text(get["Column"].value)
        cell_ref = re.fullmatch(r"cell ([A-Z]{1,3}[0-9]+)", rid)
        key = key_header(sheet, [cell_text(c.value) for c in target_ws[1]])
        if key is None and cell_ref:
            row, col = coordinate_to_tuple(cell_ref.group(1))
        elif key is not None:
            row, cols = _find_row(target_ws, key, rid, where)
            if column not in cols:
                raise WorkbookError(f"{where}: sheet {sheet!r} has no column headed {column!r}")
            col = cols[column]
        else:
            raise WorkbookError(f"{where}: sheet {sheet!r} has no ID column to find {rid!r} by")
        if value == DELETED:
            drops.setdefault(sheet, set()).add(row)
        elif answer.data_type == "f" and value is answer.value:
            target_ws.cell(row=row, column=col).value = answer.value
        else:
            set_cell(target_ws.cell(row=row, column=col), value)
        done.append(r)
    for sheet, rows in drops.items():
        drop_rows(wb[sheet], rows)
        _fit_table(wb[sheet], rows)
    if not done:
        return 0, left
    if left:
        drop_rows(ws, done)
        _fit_table(ws, done)
    else:
        del wb[CONFLICTS]
        wb.active = 0
    return len(done), left


def resolve_conflicts(path: str | Path, *, output: str | Path | None = None) -> tuple[int, int]:
    """Apply what people typed in the Resolution column of the Conflicts sheet; return (applied, left).

    A Resolution is the value to keep, or the header of one of the value columns (``Base`` or a
    copy's file name) to keep that one, ``(empty)`` to clear the cell, ``(row deleted)`` to delete
    the row.  Resolved lines leave the sheet; the sheet goes when none is left.
    """
    path = Path(path)
    target = Path(output) if output else path
    _check_free(target)
    if output is None and form_controls(path):
        raise WorkbookError(f"{path}: has buttons that would be lost if rewritten outside Excel; pass -o to write "
                            "the resolved workbook to another file")
    with writing(target) as real_target:  # one writer at a time (the source read inside: it may be the target)
        wb = _open_for_writing(path)
        done, left = _apply_resolutions(wb, path)
        if done:
            _save_atomic(wb, real_target, backup=real_target.exists())
    return done, left
