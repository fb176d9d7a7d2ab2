"""The coalition workbook with openpyxl: create it, read it by header, apply a Plan, save safely.

Columns are found by their header, never by position; only the columns reconciliation owns
are written; a missing owned column is added at the end of the table.  Saving goes to a
temporary file first, then replaces the workbook; the previous file is kept as a timestamped
backup.  A workbook Excel holds open (``~$`` lock file) is refused before anything is written.
"""

from __future__ import annotations

import getpass
import platform
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from xl_upr import __version__, sheets
from xl_upr._cells import set_cell
from xl_upr._cells import text as cell_text
from xl_upr._xlsx import form_controls, lock_file, open_workbook
from xl_upr.errors import WorkbookError
from xl_upr.reconcile import OWNED, PEOPLE, Decision, NewRow, Plan, plan_reconciliation
from xl_upr.records import Record
from xl_upr.safe_write import KEEP_BACKUPS, resolve_target, write_atomic, writing
from xl_upr.settings import MatchSettings
from xl_upr.sheets import DECISIONS, LOG, NEW, PRIOR, SETTINGS, TREATY

COLUMNS: dict[str, tuple[str, ...]] = {
    NEW: ("ID", "Recommendation", "Recommending State(s)", "Response", *OWNED, *PEOPLE),
    PRIOR: ("ID", "Cycle", "Year", "Recommendation", "Recommending State(s)", "Response", "Implementation"),
    TREATY: ("ID", "Body", "Year", "Text", "Follow-up grade"),
    DECISIONS: ("ID", "Decision", "Match ID", "Recorded"),
    LOG: ("Time", "Version", "User", "Machine", "Repeated", "Similar", "New", "Cells changed", "Decisions",
          "Seconds", "Thresholds"),
}
TABLE_NAMES = {NEW: "NewRecommendations", PRIOR: "PriorRecommendations", TREATY: "TreatyBodyFindings",
               DECISIONS: "ReviewerDecisions", LOG: "RunLog"}
WIDTHS = {"ID": 22, "Recommendation": 60, "Text": 60, "Why": 40, "Treaty-body links": 40, "Notes": 30,
          "Assessment": 30, "Recommending State(s)": 22, "Match ID": 22, "Thresholds": 50}
SETTING_HELP = {
    "repeated_at": "Best-match score (0-100) from which a recommendation counts as Repeated",
    "similar_at": "Score from which it counts as Similar (below: New)",
    "top": "Candidates shown by UPR_TOPN and the CLI by default",
    "treaty_at": "Score from which a treaty-body paragraph is listed as a link",
    "lineage_at": "Score from which an earlier recommendation counts in Times recommended before",
    "group_at": "Score from which two recommendations of this cycle are grouped as one",
}
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_OWNED_FILL = PatternFill("solid", fgColor="2E75B6")
_PEOPLE_FILL = PatternFill("solid", fgColor="548235")
_WRAP = Alignment(wrap_text=True, vertical="top")


# ------------------------------------------------------------------ creating
def create_workbook(path: str | Path, *, state: str = "", new: Sequence[Record] = (), prior: Sequence[Record] = (),
                    treaty: Sequence[Record] = (), settings: MatchSettings | None = None) -> Path:
    """Write a new coalition workbook (refuses to overwrite an existing file)."""
    path = Path(path)
    if path.exists():
        raise WorkbookError(f"{path}: already exists; choose another name or delete it first")
    if path.suffix.lower() != ".xlsx":
        raise WorkbookError(f"{path}: xl-upr init writes .xlsx workbooks")
    wb = Workbook()
    wb.remove(wb.active)
    rows = {
        NEW: [[r.id, r.text, "; ".join(r.states), r.response.capitalize()] for r in new],
        PRIOR: [[r.id, r.cycle, r.year, r.text, "; ".join(r.states), r.response.capitalize(), r.implementation]
                for r in prior],
        TREATY: [[r.id, r.mechanism, r.year, r.text, r.implementation] for r in treaty],
    }
    for name in (NEW, PRIOR, TREATY):
        _data_sheet(wb, name, rows[name])
    _settings_sheet(wb, settings or MatchSettings(), state)
    _data_sheet(wb, DECISIONS, [])
    _data_sheet(wb, LOG, [])
    _validations(wb)
    with writing(path) as target:
        if target.exists():
            raise WorkbookError(f"{path}: already exists; choose another name or delete it first")
        _save_atomic(wb, target, backup=False)
    return path


def _data_sheet(wb: Workbook, name: str, rows: list[list[Any]]) -> None:
    ws = wb.create_sheet(name)
    columns = COLUMNS[name]
    ws.append(list(columns))
    for c, header in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=c)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _OWNED_FILL if header in OWNED and name == NEW else \
            _PEOPLE_FILL if header in PEOPLE and name == NEW else _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(c)].width = WIDTHS.get(header, 16)
    for r, values in enumerate(rows, start=2):
        lines = 1
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            set_cell(cell, value if value != "" else None)
            cell.alignment = _WRAP
            if isinstance(value, str) and value:
                width = WIDTHS.get(columns[c - 1], 16)
                lines = max(lines, -(-len(value) // max(1, int(width * 1.15))))
        ws.row_dimensions[r].height = 15 * min(lines, 12)  # wrapped text shows whole when opened
    last = max(2, len(rows) + 1)
    table = Table(displayName=TABLE_NAMES[name], ref=f"A1:{get_column_letter(len(columns))}{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "C2" if name == NEW else "B2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _settings_sheet(wb: Workbook, settings: MatchSettings, state: str) -> None:
    ws = wb.create_sheet(SETTINGS)
    ws.append(["Setting", "Value", "Meaning"])
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEADER_FILL
    for key, value in settings.as_dict().items():
        ws.append([key, value, SETTING_HELP.get(key, "")])
    ws.append(["keep_backups", KEEP_BACKUPS, "Backups of this workbook kept beside it (the oldest are removed)"])
    ws.append(["state", None, "State under review (for your reference)"])
    set_cell(ws.cell(row=ws.max_row, column=2), state or None)  # a name is data, never a formula
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 12
    ws.column_dimensions["C"].width = 80
    ws.freeze_panes = "A2"


def _validations(wb: Workbook) -> None:
    def add(sheet: str, header: str, options: str, strict: bool) -> None:
        ws = wb[sheet]
        col = COLUMNS[sheet].index(header) + 1
        letter = get_column_letter(col)
        dv = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True,
                            showErrorMessage=strict, errorStyle="stop" if strict else "information")
        dv.add(f"{letter}2:{letter}5000")
        ws.add_data_validation(dv)

    add(NEW, "Status", "Repeated,Similar,New", True)
    add(NEW, "Response", "Supported,Noted,Pending,Supported/Noted", False)
    add(NEW, "Prior response", "Supported,Noted,Pending,Supported/Noted", False)
    add(NEW, "Reviewer decision", "Confirm,Reject", False)  # a corrected Match ID may be typed too
    add(PRIOR, "Response", "Supported,Noted,Pending,Supported/Noted", False)
    add(PRIOR, "Implementation", "Fully implemented,Partially implemented,Not implemented", False)
    add(TREATY, "Follow-up grade", "A,B,B1,B2,C,C1,C2,D,E", False)
    ws = wb[NEW]
    letter = get_column_letter(COLUMNS[NEW].index("Status") + 1)
    for value, colour in (("Repeated", "F8CBAD"), ("Similar", "FFE699"), ("New", "C6EFCE")):
        ws.conditional_formatting.add(f"{letter}2:{letter}5000", FormulaRule(
            formula=[f'${letter}2="{value}"'], fill=PatternFill("solid", bgColor=colour)))


# ------------------------------------------------------------------ reading
def _values(wb: Any, name: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in wb[name].iter_rows(values_only=True)] if name in wb.sheetnames else []


def _sheet(wb: Any, name: str, path: Path) -> Any:
    if name not in wb.sheetnames:
        raise WorkbookError(f"{path}: no sheet {name!r} (sheets: {', '.join(wb.sheetnames)}); "
                            "create the workbook with `xl-upr init` or add the sheet")
    return wb[name]


def read_workbook(wb: Any, path: Path) -> tuple[list[NewRow], list[Record], list[Record], MatchSettings,
                                                 list[Decision], dict[str, int]]:
    """Everything reconciliation needs from an open workbook."""
    where = str(path)
    for name in (NEW, PRIOR):
        _sheet(wb, name, path)
    rows, cols = sheets.new_rows(_values(wb, NEW), where)
    prior = sheets.prior_records(_values(wb, PRIOR), where)
    treaty = sheets.treaty_records(_values(wb, TREATY), where) if TREATY in wb.sheetnames else []
    settings = sheets.settings(_values(wb, SETTINGS), where) if SETTINGS in wb.sheetnames else MatchSettings()
    return rows, prior, treaty, settings, sheets.decisions(_values(wb, DECISIONS), where), cols


# ------------------------------------------------------------------ writing
def _ensure_columns(ws: Any, cols: dict[str, int]) -> dict[str, int]:
    """Add missing owned columns where they overwrite nothing: right after the sheet's table
    (which grows to hold them) when those columns are empty, else right of every used cell
    (notes without a header included) — a column is never written over."""
    missing = [h for h in OWNED if h not in cols]
    if not missing:
        return cols
    table = next(iter(ws.tables.values()), None)
    values = [tuple(r) for r in ws.iter_rows(values_only=True)]
    merged_end = max((m.max_col for m in ws.merged_cells.ranges), default=0)
    first = sheets.first_free_column(values, after=max(max(cols.values()), merged_end))
    if table is not None:
        start, end = table.ref.split(":")
        end_col, end_row = coordinate_from_string(end)
        after_table = column_index_from_string(end_col) + 1
        span = range(after_table, after_table + len(missing))
        if not any(row[c - 1] not in (None, "") for row in values for c in span if c <= len(row)) and \
                not any(m.max_col >= span.start and m.min_col < span.stop for m in ws.merged_cells.ranges):
            first = after_table
            table.ref = f"{start}:{get_column_letter(span.stop - 1)}{end_row}"
            if table.autoFilter is not None:
                table.autoFilter.ref = table.ref
            next_id = max((tc.id for tc in table.tableColumns), default=0) + 1
            for k, header in enumerate(missing):
                table.tableColumns.append(TableColumn(id=next_id + k, name=header))
    for k, header in enumerate(missing):
        c = first + k
        set_cell(ws.cell(row=1, column=c), header)
        ws.cell(row=1, column=c).font = Font(bold=True, color="FFFFFF")
        ws.cell(row=1, column=c).fill = _OWNED_FILL
        cols[header] = c
    return cols


def _merged_over_edits(ws: Any, plan: Plan, cols: dict[str, int]) -> list[str]:
    """Merged ranges that cover a cell the plan would write (openpyxl cannot write there)."""
    if not ws.merged_cells.ranges:
        return []
    targets = {(e.row, cols[e.column]) for e in plan.edits}
    return [str(m) for m in ws.merged_cells.ranges
            if any(m.min_row <= r <= m.max_row and m.min_col <= c <= m.max_col for r, c in targets)]


def apply_plan(wb: Any, plan: Plan, cols: dict[str, int], settings: MatchSettings) -> None:
    """Write the plan's edits, decisions and a log row into an open workbook."""
    ws = wb[NEW]
    cols = _ensure_columns(ws, dict(cols))
    merged = _merged_over_edits(ws, plan, cols)
    if merged:
        raise WorkbookError(f"{NEW}: merged cells {', '.join(merged[:5])} cover cells xl-upr fills (its blue "
                            "columns); unmerge them and run again — nothing was written")
    for edit in plan.edits:
        set_cell(ws.cell(row=edit.row, column=cols[edit.column]), edit.value)
    if plan.decisions:
        if DECISIONS not in wb.sheetnames:
            _data_sheet(wb, DECISIONS, [])
        _append_rows(wb[DECISIONS], [[d.id, d.decision, d.match_id, d.recorded] for d in plan.decisions])
    if LOG not in wb.sheetnames:
        _data_sheet(wb, LOG, [])
    c = plan.counts
    _append_rows(wb[LOG], [[time.strftime("%Y-%m-%d %H:%M:%S"), __version__, _user(), platform.node() or None,
                            c["repeated"], c["similar"], c["new"], len(plan.edits), len(plan.decisions),
                            round(plan.seconds, 2),
                            ", ".join(f"{k}={v}" for k, v in settings.as_dict().items())]])


def _user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # no user name on some systems; the log cell stays empty
        return None


def _append_rows(ws: Any, rows: list[list[Any]]) -> None:
    """Append rows after the last row with content, growing the sheet's table to cover them."""
    last = 1
    for r in range(ws.max_row, 1, -1):
        if any(cell.value not in (None, "") for cell in ws[r]):
            last = r
            break
    for k, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            set_cell(ws.cell(row=last + k, column=c), value)
    table = next(iter(ws.tables.values()), None)
    if table is not None:
        start, end = table.ref.split(":")
        end_col, end_row = coordinate_from_string(end)
        if last + len(rows) > end_row:
            table.ref = f"{start}:{end_col}{last + len(rows)}"
            if table.autoFilter is not None:
                table.autoFilter.ref = table.ref


def _save_atomic(wb: Any, path: Path, *, backup: bool, keep: int = KEEP_BACKUPS) -> Path | None:
    """Save through a temporary file that replaces ``path`` (see `xl_upr.safe_write`);
    the previous file is kept as a uniquely named backup; returns the backup.  Call it
    inside `writing` (the one-writer lock)."""
    return write_atomic(path, wb.save, backup=backup, keep=keep)


def _open_for_writing(path: Path) -> Any:
    """The workbook opened for a rewrite, after the checks of `resolve_target` (open in
    Excel, read-only, a folder …)."""
    if lock_file(path).exists():
        raise WorkbookError(f"{path}: the workbook is open in Excel (lock file {lock_file(path).name}); close it "
                            "and run again, or use the Reconcile button inside Excel")
    resolve_target(path)
    return open_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")


def _keep_backups(wb: Any, path: Path) -> int:
    """The ``keep_backups`` row of the Settings sheet (default `KEEP_BACKUPS`)."""
    return sheets.keep_backups(_values(wb, SETTINGS), str(path), KEEP_BACKUPS)


def reconcile_file(path: str | Path, *, settings: MatchSettings | None = None, output: str | Path | None = None,
                   backup: bool = True, progress: Callable[[int, int], None] | None = None,
                   keep_backups: int | None = None) -> Plan:
    """Reconcile a coalition workbook in place (or into ``output``) and return what was done.

    Nothing is written when nothing needs to change.  A workbook with buttons is not
    rewritten in place (they would be lost on the way through openpyxl): reconcile it with its
    Reconcile button inside Excel, or write a copy with ``output``.  One run at a time writes a
    given file: a second waits for the first (then reads what it wrote), or gives up with a
    message.  ``keep_backups`` (default: the Settings sheet's, else 3) backups are kept.
    """
    path = Path(path)
    if output is None and form_controls(path):
        raise WorkbookError(f"{path}: has buttons that would be lost if rewritten outside Excel; press its "
                            "Reconcile button in Excel, or pass --output to write a reconciled copy (without them)")
    target = Path(output) if output else path
    if target.suffix.lower() != path.suffix.lower():
        raise WorkbookError(f"{target}: the output must have the same type as {path.name} ({path.suffix})")
    with writing(target) as real_target:
        wb = _open_for_writing(path)
        rows, prior, treaty, sheet_settings, decisions, cols = read_workbook(wb, path)
        settings = settings or sheet_settings
        keep = _keep_backups(wb, path) if keep_backups is None else keep_backups
        plan = plan_reconciliation(rows, prior, treaty, settings, decisions, progress=progress)
        if not plan.edits and not plan.decisions and target == path:
            return plan
        apply_plan(wb, plan, cols, settings)
        _save_atomic(wb, real_target, backup=backup and target == path, keep=keep)
    return plan


def append_records(path: str | Path, sheet: str, records: Sequence[Record], *, backup: bool = True) -> int:
    """Append imported records to a sheet (New, Prior or Treaty bodies), skipping IDs already there."""
    path = Path(path)
    if sheet not in (NEW, PRIOR, TREATY):
        raise WorkbookError(f"--sheet must be one of {NEW}, {PRIOR}, {TREATY!r}; got {sheet!r}")
    with writing(path) as target:
        return _append(_open_for_writing(path), path, target, sheet, records, backup=backup)


def _append(wb: Any, path: Path, target: Path, sheet: str, records: Sequence[Record], *, backup: bool) -> int:
    ws = _sheet(wb, sheet, path)
    cols = sheets.headers(_values(wb, sheet), sheet, ("ID",), str(path))
    have = {cell_text(row[cols["ID"] - 1].value) for row in ws.iter_rows(min_row=2) if len(row) >= cols["ID"]}
    values_of = {
        NEW: lambda r: {"ID": r.id, "Recommendation": r.text, "Recommending State(s)": "; ".join(r.states),
                        "Response": r.response.capitalize()},
        PRIOR: lambda r: {"ID": r.id, "Cycle": r.cycle, "Year": r.year, "Recommendation": r.text,
                          "Recommending State(s)": "; ".join(r.states), "Response": r.response.capitalize(),
                          "Implementation": r.implementation},
        TREATY: lambda r: {"ID": r.id, "Body": r.mechanism, "Year": r.year, "Text": r.text,
                           "Follow-up grade": r.implementation},
    }[sheet]
    width = max(cols.values())
    fresh = []
    for r in records:
        if r.id in have:
            continue
        have.add(r.id)
        row = [None] * width
        for header, value in values_of(r).items():
            if header in cols and value not in ("", None):
                row[cols[header] - 1] = value
        fresh.append(row)
    if fresh:
        _append_rows(ws, fresh)
        _save_atomic(wb, target, backup=backup, keep=_keep_backups(wb, path))
    return len(fresh)
