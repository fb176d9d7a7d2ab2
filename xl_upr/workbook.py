"""The coalition workbook with openpyxl: create it, read it by header, apply a Plan, save safely.

Columns are found by their header, never by position; only the columns reconciliation owns
are written; a missing owned column is added at the end of the table; a Match ID links to its
earlier record's row; the layout of written rows and the Summary sheet come from `_layout`.
Saving goes to a temporary file first, then replaces the workbook; the previous file is kept as a timestamped
backup.  A workbook Excel holds open (``~$`` lock file) is refused before anything is written.
"""

from __future__ import annotations

import getpass
import platform
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableStyleInfo

from xl_upr import __version__, sheets
from xl_upr._cells import set_cell
from xl_upr._cells import text as cell_text
from xl_upr._layout import (
    HEAD_ALIGN,
    HEADER_FILL,
    LINE_HEIGHT,
    LINK_FONT,
    fit_rows,
    group_helpers,
    keep_outlines,
    print_setup,
    write_summary,
)
from xl_upr._xlsx import form_controls, lock_file, open_workbook, widen_table
from xl_upr.errors import WorkbookError
from xl_upr.importers.checks import ImportReport
from xl_upr.importers.upr_report import cycle_of_symbol
from xl_upr.reconcile import CHECK, HELPER_OWNED, KEY_OWNED, OWNED, PEOPLE, Decision, NewRow, Plan, plan_reconciliation
from xl_upr.records import Record
from xl_upr.safe_write import KEEP_BACKUPS, resolve_target, write_atomic, writing
from xl_upr.settings import MatchSettings
from xl_upr.sheets import DECISIONS, LOG, NEW, PRIOR, SETTINGS, SUMMARY, TREATY

#: New-sheet columns grouped in a collapsed outline (its + button sits above Notes).
HELPERS = ("Themes", *HELPER_OWNED)
COLUMNS: dict[str, tuple[str, ...]] = {
    NEW: ("ID", "Recommendation", "Recommending State(s)", "Response", *KEY_OWNED, *PEOPLE, *HELPERS),
    PRIOR: ("ID", "Cycle", "Year", "Recommendation", "Recommending State(s)", "Response", "Implementation",
            "Themes"),
    TREATY: ("ID", "Body", "Year", "Text", "Follow-up grade"),
    DECISIONS: ("ID", "Decision", "Match ID", "Recorded"),
    LOG: ("Time", "Version", "User", "Machine", "Repeated", "Similar", "New", "Cells changed", "Decisions",
          "Seconds", "Thresholds"),
}
TABLE_NAMES = {NEW: "NewRecommendations", PRIOR: "PriorRecommendations", TREATY: "TreatyBodyFindings",
               DECISIONS: "ReviewerDecisions", LOG: "RunLog"}
WIDTHS = {"ID": 17, "Recommendation": 45, "Text": 60, "Why": 28, "Treaty-body links": 40, "Notes": 16,
          "Assessment": 16, "Recommending State(s)": 14, "Response": 11, "Status": 10, "Match ID": 17,
          "Match score": 7, "Prior text": 45, "Times recommended before": 13, "Other candidates": 22,
          "Reviewer decision": 14, "Thresholds": 50, "Themes": 30, "Run check": 30}
#: The Reviewer decision list (an earlier record's ID may be typed instead).
DECISION_OPTIONS = "Confirm,Reject,Repeated,Similar,New"
SETTING_HELP = {
    "repeated_at": "Confidence (0-100: the estimated chance that the earlier record asks for the same "
                   "thing) from which a recommendation counts as Repeated",
    "similar_at": "Score from which it counts as Similar (below: New)",
    "top": "Candidates shown by UPR_TOPN and the CLI, and on New (Match ID + Other candidates)",
    "treaty_at": "Score from which a treaty-body paragraph is listed as a link",
    "lineage_at": "Score from which an earlier recommendation counts in Times recommended before",
    "group_at": "Score from which two recommendations of this cycle are grouped as one",
    "semantic": "yes: rank with sentence embeddings as well as words (no: words alone, faster, less right)",
    "log_user": "yes: the Log sheet records the user and machine name of each run (default no: the "
                "workbook is shared)",
}
_OWNED_FILL = PatternFill("solid", fgColor="2E75B6")
_PEOPLE_FILL = PatternFill("solid", fgColor="548235")


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
        NEW: [_row_values(NEW, r) for r in new],
        PRIOR: [_row_values(PRIOR, r) for r in prior],
        TREATY: [_row_values(TREATY, r) for r in treaty],
    }
    _data_sheet(wb, NEW, rows[NEW])
    wb.create_sheet(SUMMARY)
    for name in (PRIOR, TREATY):
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


def _row_values(sheet: str, r: Record) -> list[Any]:
    values = _VALUES_OF[sheet](r)
    return [values.get(h) for h in COLUMNS[sheet]]


def _data_sheet(wb: Workbook, name: str, rows: list[list[Any]]) -> None:
    ws = wb.create_sheet(name)
    columns = COLUMNS[name]
    ws.append(list(columns))
    for c, header in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=c)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _OWNED_FILL if header in OWNED and name == NEW else \
            _PEOPLE_FILL if header in PEOPLE and name == NEW else HEADER_FILL
        cell.alignment = HEAD_ALIGN
        ws.column_dimensions[get_column_letter(c)].width = WIDTHS.get(header, 16)
    ws.row_dimensions[1].height = 3 * LINE_HEIGHT
    if name == NEW:
        group_helpers(ws, [columns.index(h) + 1 for h in HELPERS])
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            set_cell(ws.cell(row=r, column=c), value if value != "" else None)
        fit_rows(ws, [r], range(1, len(columns) + 1))
    last = max(2, len(rows) + 1)
    table = Table(displayName=TABLE_NAMES[name], ref=f"A1:{get_column_letter(len(columns))}{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "C2" if name == NEW else "B2"
    print_setup(ws)
    ws.print_title_rows = "1:1"


def _settings_sheet(wb: Workbook, settings: MatchSettings, state: str) -> None:
    ws = wb.create_sheet(SETTINGS)
    ws.append(["Setting", "Value", "Meaning"])
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
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
    add(NEW, "Reviewer decision", DECISION_OPTIONS, False)  # a corrected Match ID may be typed too
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


def _links(ws: Any, cols: dict[str, int]) -> dict[int, str]:
    """Worksheet row -> internal hyperlink target of its Match ID cell ('' when none)."""
    col = cols.get("Match ID")
    if col is None:
        return {}
    return {cell.row: (cell.hyperlink.location or "") if cell.hyperlink else ""
            for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col)}


def read_workbook(wb: Any, path: Path) -> tuple[list[NewRow], list[Record], list[Record], MatchSettings,
                                                 list[Decision], dict[str, int], dict[str, tuple[str, int]]]:
    """Everything reconciliation needs from an open workbook (the last item: where each earlier
    record's row is, for hyperlinks)."""
    where = str(path)
    for name in (NEW, PRIOR):
        _sheet(wb, name, path)
    new_values = _values(wb, NEW)
    cols = sheets.headers(new_values, NEW, ("ID", "Recommendation"), where)
    rows, cols = sheets.new_rows(new_values, where, _links(wb[NEW], cols))
    prior_values, treaty_values = _values(wb, PRIOR), _values(wb, TREATY)
    prior = sheets.prior_records(prior_values, where)
    treaty = sheets.treaty_records(treaty_values, where) if TREATY in wb.sheetnames else []
    settings = sheets.settings(_values(wb, SETTINGS), where) if SETTINGS in wb.sheetnames else MatchSettings()
    places = {**sheets.places(treaty_values, TREATY), **sheets.places(prior_values, PRIOR)}
    return rows, prior, treaty, settings, sheets.decisions(_values(wb, DECISIONS), where), cols, places


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
            widen_table(table, span.stop - 1, missing)
    for k, header in enumerate(missing):
        c = first + k
        cell = ws.cell(row=1, column=c)
        set_cell(cell, header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _OWNED_FILL
        cell.alignment = HEAD_ALIGN
        ws.column_dimensions[get_column_letter(c)].width = WIDTHS.get(header, 16)
        cols[header] = c
    if CHECK in missing:
        group_helpers(ws, [cols[CHECK]])
    return cols


def _merged_over_edits(ws: Any, plan: Plan, cols: dict[str, int]) -> list[str]:
    """Merged ranges that cover a cell the plan would write (openpyxl cannot write there)."""
    if not ws.merged_cells.ranges:
        return []
    targets = {(e.row, cols[e.column]) for e in plan.edits}
    return [str(m) for m in ws.merged_cells.ranges
            if any(m.min_row <= r <= m.max_row and m.min_col <= c <= m.max_col for r, c in targets)]


def apply_plan(wb: Any, plan: Plan, cols: dict[str, int], settings: MatchSettings) -> None:
    """Write the plan's edits, decisions, a log row and the Summary sheet into an open workbook."""
    ws = wb[NEW]
    cols = _ensure_columns(ws, dict(cols))
    merged = _merged_over_edits(ws, plan, cols)
    if merged:
        raise WorkbookError(f"{NEW}: merged cells {', '.join(merged[:5])} cover cells xl-upr fills (its blue "
                            "columns); unmerge them and run again — nothing was written")
    for edit in plan.edits:
        cell = ws.cell(row=edit.row, column=cols[edit.column])
        set_cell(cell, edit.value)
        if edit.column == "Match ID":
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=edit.link) if edit.link else None
            cell.font = LINK_FONT if edit.link else Font()
    owned = [cols[h] for h in OWNED]
    fit_rows(ws, sorted({e.row for e in plan.edits}), owned)
    if plan.decisions:
        if DECISIONS not in wb.sheetnames:
            _data_sheet(wb, DECISIONS, [])
        _append_rows(wb[DECISIONS], [[d.id, d.decision, d.match_id, d.recorded] for d in plan.decisions])
    if LOG not in wb.sheetnames:
        _data_sheet(wb, LOG, [])
    c = plan.counts
    user, machine = (_user(), platform.node() or None) if settings.log_user else (None, None)
    _append_rows(wb[LOG], [[time.strftime("%Y-%m-%d %H:%M:%S"), __version__, user, machine,
                            c["repeated"], c["similar"], c["new"], len(plan.edits), len(plan.decisions),
                            round(plan.seconds, 2),
                            ", ".join(f"{k}={v}" for k, v in settings.as_dict().items())]])
    write_summary(wb, plan)


def _user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # no user name on some systems; the log cell stays empty
        return None


def _append_rows(ws: Any, rows: list[list[Any]]) -> int:
    """Append rows after the last row with content, growing the sheet's table to cover them;
    returns the first new row."""
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
    return last + 1


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
                   embedding: Callable[[int, int], None] | None = None,
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
        rows, prior, treaty, sheet_settings, decisions, cols, places = read_workbook(wb, path)
        settings = settings or sheet_settings
        keep = _keep_backups(wb, path) if keep_backups is None else keep_backups
        plan = plan_reconciliation(rows, prior, treaty, settings, decisions, progress=progress, places=places,
                                   embedding=embedding)
        if not plan.changed and target == path:
            return plan
        apply_plan(wb, plan, cols, settings)
        keep_outlines(wb)
        _save_atomic(wb, real_target, backup=backup and target == path, keep=keep)
    return plan


# ------------------------------------------------------------------ importing into a workbook
_TREATY_KINDS = ("compilation", "concluding-observations")


@dataclass(frozen=True)
class ImportResult:
    """What `import_into` did to a workbook: rows added, Responses set, and what it left alone."""

    sheet: str
    added: int = 0
    present: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    def lines(self, path: str | Path) -> list[str]:
        """One summary line, then one line per conflict and per missing ID."""
        if self.sheet == "responses":
            head = (f"{path}: Responses set on {self.updated} rows, {self.unchanged} already so, "
                    f"{len(self.conflicts)} differ, {len(self.missing)} not in the workbook; 0 rows added")
        else:
            head = f"{path} [{self.sheet}]: {self.added} rows added, {self.present} already there"
        return [head, *(f"  differs {c}" for c in self.conflicts), *(f"  missing {m}" for m in self.missing)]


def _number_or_text(value: str) -> int | str:
    """'2' -> 2, '2014' -> 2014 (Cycle and Year are numbers in the workbook); other text as it is."""
    return int(value) if value.isdigit() else value


def _ids(ws: Any, col: int) -> dict[str, int]:
    """ID -> worksheet row of a sheet's ID column."""
    return {rid: r for r, row in enumerate(ws.iter_rows(min_row=2, min_col=col, max_col=col, values_only=True),
                                           start=2) if (rid := cell_text(row[0]))}


def _append(wb: Any, path: Path, sheet: str, records: Sequence[Record]) -> ImportResult:
    ws = _sheet(wb, sheet, path)
    cols = sheets.headers(_values(wb, sheet), sheet, ("ID",), str(path))
    have = set(_ids(ws, cols["ID"]))
    width = max(cols.values())
    fresh = []
    for r in records:
        if r.id in have:
            continue
        have.add(r.id)
        row: list[Any] = [None] * width
        for header, value in _VALUES_OF[sheet](r).items():
            if header in cols and value not in ("", None):
                row[cols[header] - 1] = value
        fresh.append(row)
    if fresh:
        first = _append_rows(ws, fresh)
        fit_rows(ws, range(first, first + len(fresh)), range(1, width + 1))
    return ImportResult(sheet, added=len(fresh), present=len(records) - len(fresh))


def append_records(path: str | Path, sheet: str, records: Sequence[Record], *, backup: bool = True) -> int:
    """Append imported records to a sheet (New, Prior or Treaty bodies), skipping IDs already
    there; returns the number of rows added (nothing is written when it is 0)."""
    path = Path(path)
    if sheet not in (NEW, PRIOR, TREATY):
        raise WorkbookError(f"--sheet must be one of {NEW}, {PRIOR}, {TREATY!r}; got {sheet!r}")
    with writing(path) as target:
        wb = _open_for_writing(path)
        result = _append(wb, path, sheet, records)
        if result.added:
            keep_outlines(wb)
            _save_atomic(wb, target, backup=backup, keep=_keep_backups(wb, path))
    return result.added


def _report_symbol(document: str) -> str:
    return re.sub(r"/Add\.\d+$", "", document)


def _paragraph_key(rid: str) -> tuple[int, ...]:
    tail = rid.rsplit(" ", 1)[-1]
    return tuple(int(p) for p in tail.split(".") if p.isdigit())


def _set_responses(wb: Any, path: Path, sheet: str | None, positions: Sequence[Record]) -> ImportResult:
    """Set Response on the New/Prior rows an addendum names, where it is empty or pending."""
    targets: list[tuple[Any, int, dict[str, int]]] = []  # (worksheet, Response column, ID -> row)
    for name in ([sheet] if sheet else [NEW, PRIOR]):
        if name not in wb.sheetnames:
            continue
        cols = sheets.headers(_values(wb, name), name, ("ID", "Response"), str(path))
        targets.append((wb[name], cols["Response"], _ids(wb[name], cols["ID"])))
    every = {rid for _, _, ids in targets for rid in ids}
    updated = unchanged = 0
    conflicts: list[str] = []
    missing: list[str] = []
    for report, group in _by_report(positions).items():
        ids = _ids_for(report, group, sorted((i for i in every if i.startswith(f"{report} ")), key=_paragraph_key))
        for rec, rid in ids:
            hits = [(ws, col, ids_[rid]) for ws, col, ids_ in targets if rid in ids_]
            if not hits:
                missing.append(f"{rid}: not in {sheet or 'New or Prior'}")
                continue
            for ws, col, row in hits:
                cell = ws.cell(row=row, column=col)
                typed = cell_text(cell.value)
                if typed.lower() in ("", "pending"):
                    set_cell(cell, rec.response.capitalize())
                    updated += 1
                elif typed.lower() == rec.response.lower():
                    unchanged += 1
                else:
                    conflicts.append(f"{rid} [{ws.title}]: Response is {typed!r}, the addendum says "
                                     f"{rec.response}; left as it is")
    return ImportResult("responses", updated=updated, unchanged=unchanged, conflicts=tuple(conflicts),
                        missing=tuple(missing))


def _by_report(positions: Sequence[Record]) -> dict[str, list[Record]]:
    out: dict[str, list[Record]] = {}
    for rec in positions:
        out.setdefault(_report_symbol(rec.document), []).append(rec)
    return out


def _ids_for(report: str, group: list[Record], in_order: list[str]) -> list[tuple[Record, str]]:
    """Workbook IDs of an addendum's positions: '<report> 140.7', or, where the addendum numbers
    recommendations in sequence ('18'), the 18th of that report's rows in paragraph order."""
    if all("." in rec.paragraph for rec in group):
        return [(rec, f"{report} {rec.paragraph}".strip()) for rec in group]
    out = []
    for rec in group:
        n = int(rec.paragraph) if rec.paragraph.isdigit() else 0
        out.append((rec, in_order[n - 1] if 0 < n <= len(in_order) else f"{report} recommendation {rec.paragraph}"))
    return out


def _new_cycles(wb: Any, path: Path) -> set[int]:
    if NEW not in wb.sheetnames:
        return set()
    cols = sheets.headers(_values(wb, NEW), NEW, ("ID",), str(path))
    return {int(c) for rid in _ids(wb[NEW], cols["ID"]) if (c := cycle_of_symbol(rid))}


def target_sheet(wb: Any, path: Path, kind: str, cycle: str, sheet: str | None) -> str | None:
    """The sheet a document of ``kind`` goes to: findings to Treaty bodies; recommendations to
    New, or to Prior when New holds a later cycle; an addendum's positions to the rows it names
    (None: New and Prior).  A ``sheet`` given that contradicts the kind is a `WorkbookError`."""
    if sheet is not None and sheet not in (NEW, PRIOR, TREATY):
        raise WorkbookError(f"--sheet must be one of {NEW}, {PRIOR}, {TREATY!r}; got {sheet!r}")
    if kind in _TREATY_KINDS:
        if sheet not in (None, TREATY):
            raise WorkbookError(f"a {kind} holds treaty-body findings, which go to {TREATY!r}, not {sheet!r}; "
                                "leave out --sheet")
        return TREATY
    if sheet == TREATY:
        raise WorkbookError(f"a {kind} holds UPR recommendations, which go to {NEW!r} or {PRIOR!r}, not {TREATY!r}")
    if sheet is not None or kind == "upr-responses":
        return sheet
    later = [c for c in _new_cycles(wb, path) if cycle.isdigit() and c > int(cycle)]
    return PRIOR if later else NEW


def _log_lines(wb: Any, lines: Sequence[str]) -> None:
    """Append one Log row per line (Time, Version and the line under 'Event'); no user names."""
    if LOG not in wb.sheetnames:
        _data_sheet(wb, LOG, [])
    ws = wb[LOG]
    cols = sheets.headers(_values(wb, LOG), LOG, (), LOG)
    if "Event" not in cols:
        table = next(iter(ws.tables.values()), None)
        last = max([*cols.values(), 0])
        if table is not None:
            end_col, _ = coordinate_from_string(table.ref.split(":")[1])
            last = max(last, column_index_from_string(end_col))
        cols["Event"] = last + 1
        set_cell(ws.cell(row=1, column=cols["Event"]), "Event")
        ws.cell(row=1, column=cols["Event"]).font = Font(bold=True, color="FFFFFF")
        ws.cell(row=1, column=cols["Event"]).fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(cols["Event"])].width = 80
        if table is not None:
            widen_table(table, cols["Event"], ["Event"])
    width = max(cols.values())
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    rows = []
    for line in lines:
        row: list[Any] = [None] * width
        for header, value in (("Time", stamp), ("Version", __version__), ("Event", line.strip())):
            if header in cols:
                row[cols[header] - 1] = value
        rows.append(row)
    _append_rows(ws, rows)


def import_into(path: str | Path, records: Sequence[Record], kind: str, *, report: ImportReport | None = None,
                sheet: str | None = None, backup: bool = True) -> ImportResult:
    """Bring a document's records into a coalition workbook, and log the import report.

    Recommendations and findings are appended to the sheet `target_sheet` chooses (IDs
    already there are skipped); a responses addendum adds no rows: it sets Response on the
    New/Prior rows it names where that is empty or pending, and reports rows whose Response
    differs (a typed value is never overwritten) and IDs that are not there.  Nothing is
    written when nothing changes.
    """
    path = Path(path)
    with writing(path) as target:
        wb = _open_for_writing(path)
        cycle = next((r.cycle for r in records if r.cycle), "")
        chosen = target_sheet(wb, path, kind, cycle, sheet)
        if kind == "upr-responses":
            result = _set_responses(wb, path, chosen, records)
            changed = result.updated
        else:
            assert chosen is not None
            result = _append(wb, path, chosen, records)
            changed = result.added
        if changed:  # the Log names files, not folders (which may hold a user name)
            named = replace(report, path=Path(report.path).name) if report else None
            _log_lines(wb, [*(named.lines() if named else []), *result.lines(path.name)])
            keep_outlines(wb)
            _save_atomic(wb, target, backup=backup, keep=_keep_backups(wb, path))
    return result


_VALUES_OF: dict[str, Callable[[Record], dict[str, Any]]] = {
    NEW: lambda r: {"ID": r.id, "Recommendation": r.text, "Recommending State(s)": "; ".join(r.states),
                    "Response": r.response.capitalize(), "Themes": "; ".join(r.themes)},
    PRIOR: lambda r: {"ID": r.id, "Cycle": _number_or_text(r.cycle), "Year": _number_or_text(r.year),
                      "Recommendation": r.text, "Recommending State(s)": "; ".join(r.states),
                      "Response": r.response.capitalize(), "Implementation": r.implementation,
                      "Themes": "; ".join(r.themes)},
    TREATY: lambda r: {"ID": r.id, "Body": r.mechanism, "Year": _number_or_text(r.year), "Text": r.text,
                       "Follow-up grade": r.implementation},
}
