"""Sheet contents as plain 2-D values -> what reconciliation needs.

Shared by the file path (openpyxl, `workbook.py`) and the live-Excel path (xlwings,
`livebook.py`), so a workbook reads the same whichever way it is reconciled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from xl_upr._cells import text as cell_text
from xl_upr.errors import SettingsError, WorkbookError
from xl_upr.reconcile import OWNED, Decision, NewRow
from xl_upr.records import Record
from xl_upr.settings import MatchSettings

NEW, PRIOR, TREATY, SETTINGS, LOG, DECISIONS = "New", "Prior", "Treaty bodies", "Settings", "Log", "Decisions"
SUMMARY = "Summary"
Values = Sequence[Sequence[Any]]


def headers(values: Values, sheet: str, required: Sequence[str], where: str) -> dict[str, int]:
    """Header -> 1-based column from the first row; `WorkbookError` naming what is missing."""
    found: dict[str, int] = {}
    for c, value in enumerate(values[0] if values else (), start=1):
        name = cell_text(value)
        if name and name not in found:
            found[name] = c
    missing = [h for h in required if h not in found]
    if missing:
        raise WorkbookError(f"{where} [{sheet}]: no column headed {', '.join(repr(m) for m in missing)} in row 1; "
                            "add it (headers are matched exactly)")
    return found


def _getter(row: Sequence[Any], cols: dict[str, int]) -> Any:
    def get(header: str) -> Any:
        c = cols.get(header)
        return row[c - 1] if c and c <= len(row) else None
    return get


def split_list(value: Any) -> tuple[str, ...]:
    """A cell's ``;``-separated list (States, themes) as a tuple of trimmed items."""
    return tuple(s.strip() for s in cell_text(value).split(";") if s.strip())


def new_rows(values: Values, where: str, links: Mapping[int, str] | None = None) -> tuple[list[NewRow], dict[str, int]]:
    """Rows of the New sheet (worksheet row numbers from 2) and its header map.

    ``links`` maps worksheet rows to their Match ID cell's internal hyperlink target, when the
    caller can read hyperlinks (the file path); without it links count as unknown.
    """
    cols = headers(values, NEW, ("ID", "Recommendation"), where)
    rows = []
    for r, row in enumerate(values[1:], start=2):
        get = _getter(row, cols)
        rid, text = cell_text(get("ID")), cell_text(get("Recommendation"))
        if rid or text:
            rows.append(NewRow(r, rid, text, cell_text(get("Reviewer decision")),
                               {h: get(h) for h in OWNED if h in cols}, split_list(get("Recommending State(s)")),
                               split_list(get("Themes")), None if links is None else links.get(r, "")))
    return rows, cols


def places(values: Values, sheet: str) -> dict[str, tuple[str, int]]:
    """ID -> (sheet, worksheet row) for the rows of a Prior or Treaty bodies sheet (first wins)."""
    if not values:
        return {}
    found = {cell_text(v): c for c, v in enumerate(values[0])}
    col = found.get("ID")
    out: dict[str, tuple[str, int]] = {}
    if col is None:
        return out
    for r, row in enumerate(values[1:], start=2):
        rid = cell_text(row[col]) if col < len(row) else ""
        if rid and rid not in out:
            out[rid] = (sheet, r)
    return out


def _texts(values: Values, sheet: str, text_col: str, where: str):
    """(id, text, get) for every row of a sheet that has both an ID and a text."""
    cols = headers(values, sheet, ("ID", text_col), where)
    for row in values[1:]:
        get = _getter(row, cols)
        rid, text = cell_text(get("ID")), cell_text(get(text_col))
        if rid and text:
            yield rid, text, lambda header, get=get: cell_text(get(header))


def prior_records(values: Values, where: str) -> list[Record]:
    """Records of the Prior sheet (rows with an ID and a recommendation)."""
    return [Record(id=rid, text=text, response=g("Response").lower(),
                   states=tuple(s.strip() for s in g("Recommending State(s)").split(";") if s.strip()),
                   cycle=g("Cycle"), year=g("Year"), implementation=g("Implementation"), mechanism="UPR",
                   themes=split_list(g("Themes")))
            for rid, text, g in _texts(values, PRIOR, "Recommendation", where)]


def treaty_records(values: Values, where: str) -> list[Record]:
    """Records of the Treaty bodies sheet."""
    return [Record(id=rid, text=text, mechanism=g("Body"), year=g("Year"), implementation=g("Follow-up grade"))
            for rid, text, g in _texts(values, TREATY, "Text", where)]


def decisions(values: Values, where: str) -> list[Decision]:
    """Reviewer decisions recorded on earlier runs."""
    if not values:
        return []
    cols = headers(values, DECISIONS, ("ID", "Decision", "Match ID"), where)
    out = []
    for row in values[1:]:
        get = _getter(row, cols)
        if cell_text(get("ID")):
            out.append(Decision(cell_text(get("ID")), cell_text(get("Decision")), cell_text(get("Match ID")),
                                cell_text(get("Recorded"))))
    return out


def settings(values: Values, where: str) -> MatchSettings:
    """MatchSettings from the Settings sheet (name in column A, value in column B)."""
    found = {}
    for row in values[1:]:
        if row and row[0] and str(row[0]).strip() not in ("state", "keep_backups") and len(row) > 1:
            found[str(row[0]).strip()] = row[1]
    try:
        return MatchSettings.from_mapping(found, f"{where} [{SETTINGS}]")
    except SettingsError as err:
        raise SettingsError(f"{err} (sheet {SETTINGS!r})") from None



def first_free_column(values: Values, after: int = 0) -> int:
    """The first column (1-based) right of every non-empty cell and right of ``after``:
    where a new column overwrites nothing.

    >>> first_free_column([["ID", "Text", None], ["1", "a", "my note"], ["2", None, None, None]])
    4
    """
    last = after
    for row in values:
        for c in range(len(row), last, -1):
            if row[c - 1] not in (None, ""):
                last = c
                break
    return last + 1


def keep_backups(values: Values, where: str, default: int) -> int:
    """The ``keep_backups`` row of the Settings sheet (name in column A, value in B), else ``default``.

    >>> keep_backups([["Setting", "Value"], ["keep_backups", 5.0]], "book.xlsx", 3)
    5
    """
    for row in values[1:] if values else ():
        if isinstance(row, (list, tuple)) and len(row) > 1 and cell_text(row[0]) == "keep_backups" \
                and cell_text(row[1]):
            try:
                value = float(cell_text(row[1]))
            except ValueError:
                value = -1.0
            if not value.is_integer() or not 0 <= value <= 1000:
                raise WorkbookError(f"{where} [{SETTINGS}]: keep_backups must be a whole number from 0 to 1000, got "
                                    f"{row[1]!r}")
            return int(value)
    return default
