"""Stage 6: merge members' copies of a coalition workbook, three-way against BASE — a MergePlan, no I/O.

Each workbook comes in as plain sheet values (row 1 the headers).  Rows of the keyed sheets
(New, Prior, Treaty bodies and any sheet with an ``ID`` column; Settings by ``Setting``) are
matched by key, not position, and columns by header, so copies may be sorted, filtered, have
rows inserted or deleted and columns added.  For every cell people own:

* a change in one copy relative to BASE is taken; the same change in several copies once;
* different changes to one cell are a `Conflict`: BASE's value stays (or ``prefer``'s);
* a row added in a copy is added; a row deleted in a copy is deleted, unless another copy
  edited it (then every edited cell is a conflict and the row stays);
* Decisions and Log rows are unioned, each new row with the copy it came from;
* other sheets are merged cell by cell at the same position; a sheet new in a copy is added.

The columns reconciliation owns (``reconcile.OWNED`` on New) and the sheet it rewrites at each
run (Summary) are not merged: BASE's stay, and the merged workbook is reconciled afterwards.
Copies are taken in order of their labels, so the order they are given in never changes the
result.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from xl_upr._cells import text as cell_text
from xl_upr.errors import WorkbookError
from xl_upr.reconcile import OWNED
from xl_upr.sheets import DECISIONS, LOG, NEW, SETTINGS, SUMMARY

CONFLICTS = "Conflicts"
#: Column added to Decisions and Log for rows that came from a copy.
ORIGIN = "From copy"
#: A copy's value, on the Conflicts sheet, for a row it deleted.
DELETED = "(row deleted)"
LOG_SHEETS = (DECISIONS, LOG)
NOT_MERGED: dict[str, frozenset[str]] = {NEW: frozenset(OWNED)}
#: Sheets reconciliation rewrites at each run: BASE's stays (each copy's shows its own last run).
NOT_MERGED_SHEETS = frozenset({SUMMARY})

Grid = Sequence[Sequence[Any]]


@dataclass(frozen=True)
class Formula:
    """A formula cell: ``text`` as if the cell stood on a fixed row (so a sorted copy's formulas
    equal BASE's), ``raw`` as written in its own cell."""

    text: str
    raw: str = field(default="", compare=False)

    def __str__(self) -> str:
        return self.raw or self.text


@dataclass(frozen=True, repr=False)
class Book:
    """One workbook's sheet values: ``label`` (its file name) and sheet name -> rows of values."""

    label: str
    sheets: Mapping[str, Grid]

    def __repr__(self) -> str:
        return f"Book({self.label!r}, sheets {', '.join(self.sheets)})"


@dataclass(frozen=True)
class Conflict:
    """Different changes to one cell: where, BASE's value, each copy's value, and what MERGED keeps."""

    sheet: str
    key: str
    column: str
    base: Any
    values: tuple[tuple[str, Any], ...]
    kept: Any


@dataclass(frozen=True)
class AddedRow:
    """A row new in one or more copies (``key`` '' for a row without an ID)."""

    key: str
    values: dict[str, Any]


@dataclass
class KeyedPlan:
    """A keyed sheet: cell edits on BASE rows, BASE rows deleted, rows and columns added."""

    sheet: str
    key: str
    columns: dict[str, int]                   # BASE's header -> 1-based column
    columns_added: list[str]
    edits: list[tuple[int, str, Any]]         # (BASE worksheet row, header, value)
    deleted: list[int]                        # BASE worksheet rows
    added: list[AddedRow]
    merged: dict[str, dict[str, Any]]         # key -> merged values of the merged columns
    new_sheet: bool = False


@dataclass
class LogPlan:
    """Decisions or Log: rows appended (with ``ORIGIN``), columns added."""

    sheet: str
    columns: dict[str, int]
    columns_added: list[str]
    rows: list[dict[str, Any]]
    new_sheet: bool = False


@dataclass
class GridPlan:
    """Any other sheet: cells set at their position."""

    sheet: str
    edits: dict[tuple[int, int], Any]
    new_sheet: bool = False


SheetPlan = KeyedPlan | LogPlan | GridPlan


@dataclass
class CopyReport:
    """What one copy brought: cells taken, conflicts it is part of, rows it added and deleted."""

    taken: int = 0
    conflicts: int = 0
    added: int = 0
    deleted: int = 0


@dataclass
class MergePlan:
    """Everything a merge writes: one plan per sheet that changes, the conflicts, a report per copy."""

    sheets: list[SheetPlan]
    conflicts: list[Conflict]
    report: dict[str, CopyReport]
    prefer: str | None = None
    reconciled: str = ""   # the reconciliation's summary, when MERGED was reconciled afterwards

    @property
    def changed(self) -> bool:
        """True when MERGED differs from BASE."""
        return bool(self.conflicts) or any(
            p.new_sheet or (p.rows if isinstance(p, LogPlan) else p.edits)
            or (isinstance(p, KeyedPlan) and (p.deleted or p.added or p.columns_added)) for p in self.sheets)

    def summary(self) -> str:
        """One line per copy and a closing line, e.g. ``alice.xlsx: 12 cells taken, 1 conflict …``."""
        def n(count: int, word: str) -> str:
            return f"{count} {word}{'' if count == 1 else 's'}"
        lines = [f"{label}: {n(r.taken, 'cell')} taken, {n(r.conflicts, 'conflict')}, {n(r.added, 'row')} added, "
                 f"{n(r.deleted, 'row')} deleted" for label, r in self.report.items()]
        where = f" (listed on the {CONFLICTS} sheet)" if self.conflicts else ""
        lines.append(f"{n(len(self.conflicts), 'conflict')}{where}")
        if self.reconciled:
            lines.append(f"reconciled: {self.reconciled}")
        return "\n".join(lines)


# ------------------------------------------------------------------ reading sheet values
def empty(value: Any) -> bool:
    """True for a blank cell (None or '')."""
    return value is None or value == ""


def _norm(value: Any) -> Any:
    return None if empty(value) else value


def key_header(sheet: str, headers: Sequence[str]) -> str | None:
    """The header rows of ``sheet`` are matched on, or None when it is merged another way."""
    if sheet in LOG_SHEETS or sheet == CONFLICTS:
        return None
    wanted = "Setting" if sheet == SETTINGS else "ID"
    return wanted if wanted in headers else None


def _headers(grid: Grid, where: str, sheet: str) -> dict[str, int]:
    """Header -> column; a column with values but no header is named after its letter."""
    found: dict[str, int] = {}
    width = max((len(r) for r in grid), default=0)
    head = grid[0] if grid else ()
    for c in range(1, width + 1):
        name = cell_text(head[c - 1]) if c <= len(head) else ""
        if not name:
            if not any(c <= len(r) and not empty(r[c - 1]) for r in grid[1:]):
                continue
            name = f"(column {get_column_letter(c)})"
        if name in found:
            raise WorkbookError(f"{where} [{sheet}]: two columns headed {name!r} ({get_column_letter(found[name])} "
                                f"and {get_column_letter(c)}); rename one so the copies can be matched by header")
        found[name] = c
    return found


@dataclass
class _Table:
    columns: dict[str, int]
    rows: dict[str, tuple[int, dict[str, Any]]]     # key -> (worksheet row, header -> value)
    loose: list[tuple[int, dict[str, Any]]]          # rows with values but no key


def _table(grid: Grid, where: str, sheet: str, key: str) -> _Table:
    columns = _headers(grid, where, sheet)
    rows: dict[str, tuple[int, dict[str, Any]]] = {}
    loose = []
    for r, row in enumerate(grid[1:], start=2):
        values = {h: _norm(row[c - 1]) for h, c in columns.items() if c <= len(row) and not empty(row[c - 1])}
        if not values:
            continue
        k = cell_text(values.pop(key, None))
        if not k:
            loose.append((r, values))
        elif k in rows:
            raise WorkbookError(f"{where} [{sheet}]: {key} {k!r} is on rows {rows[k][0]} and {r}; give each row its "
                                "own ID (rows are matched by it)")
        else:
            rows[k] = (r, values)
    return _Table(columns, rows, loose)


# ------------------------------------------------------------------ merging one cell
class _Merger:
    """Shared bookkeeping: conflicts found and the per-copy report."""

    def __init__(self, labels: Sequence[str], prefer: str | None) -> None:
        self.labels = list(labels)
        self.prefer = prefer
        self.conflicts: list[Conflict] = []
        self.report = {label: CopyReport() for label in labels}

    def cell(self, sheet: str, key: str, column: str, base: Any, values: Sequence[tuple[str, Any]]) -> Any:
        """The merged value of one cell from BASE's and each copy's value."""
        changed = [(label, v) for label, v in values if v != base]
        distinct = {v for _, v in changed}
        if not distinct:
            return base
        if len(distinct) == 1:
            for label, _ in changed:
                self.report[label].taken += 1
            return next(iter(distinct))
        kept = next((v for label, v in changed if label == self.prefer), base)
        self.conflict(sheet, key, column, base, values, kept, [label for label, _ in changed])
        return kept

    def conflict(self, sheet: str, key: str, column: str, base: Any, values: Sequence[tuple[str, Any]], kept: Any,
                 parties: Sequence[str]) -> None:
        self.conflicts.append(Conflict(sheet, key, column, base, tuple(values), kept))
        for label in parties:
            self.report[label].conflicts += 1


# ------------------------------------------------------------------ keyed sheets
def _merge_keyed(m: _Merger, sheet: str, key: str, base: Grid | None, copies: Sequence[tuple[str, Grid]],
                 base_label: str) -> KeyedPlan:
    skip = NOT_MERGED.get(sheet, frozenset()) | {key}
    bt = _table(base or [], base_label, sheet, key)
    cts = []
    for label, grid in copies:
        ct = _table(grid, label, sheet, key)
        if key not in ct.columns and (ct.rows or ct.loose):
            raise WorkbookError(f"{label} [{sheet}]: no column headed {key!r}; its rows cannot be matched to BASE's")
        cts.append((label, ct))
    added_cols: list[str] = []
    for _, ct in cts:
        added_cols += [h for h in ct.columns if h not in bt.columns and h not in added_cols and h not in skip]
    columns = [h for h in bt.columns if h not in skip] + added_cols

    def value(ct: _Table, values: dict[str, Any], base_values: dict[str, Any], h: str) -> Any:
        return values.get(h) if h in ct.columns else base_values.get(h)  # a column the copy lacks: unchanged

    plan = KeyedPlan(sheet, key, dict(bt.columns), ([key] if key not in bt.columns else []) + added_cols, [], [], [],
                     {}, new_sheet=base is None)
    for k, (row, base_values) in bt.rows.items():
        have = [(label, ct, ct.rows[k][1]) for label, ct in cts if k in ct.rows]
        gone = [label for label, ct in cts if k not in ct.rows]
        edited = {h: [(label, value(ct, v, base_values, h)) for label, ct, v in have] for h in columns}
        edited = {h: vs for h, vs in edited.items() if any(v != base_values.get(h) for _, v in vs)}
        if gone and not edited:
            plan.deleted.append(row)
            for label in gone:
                m.report[label].deleted += 1
            continue
        merged = dict(base_values)
        if gone:  # deleted in one copy, edited in another: every edited cell is a conflict
            drop = m.prefer in gone
            for h, vs in edited.items():
                listed = sorted(vs + [(label, DELETED) for label in gone])
                kept = DELETED if drop else next((v for label, v in vs if label == m.prefer), base_values.get(h))
                m.conflict(sheet, k, h, base_values.get(h), listed, kept,
                           gone + [label for label, v in vs if v != base_values.get(h)])
                merged[h] = kept
            if drop:
                plan.deleted.append(row)
                m.report[str(m.prefer)].deleted += 1
                continue
        else:
            for h, vs in edited.items():
                merged[h] = m.cell(sheet, k, h, base_values.get(h), vs)
        for h in edited:
            if merged[h] != base_values.get(h):
                plan.edits.append((row, h, merged[h]))
        plan.merged[k] = {h: v for h, v in merged.items() if v is not None and h not in skip}
    _added_rows(m, plan, sheet, bt, cts, columns)
    return plan


def _added_rows(m: _Merger, plan: KeyedPlan, sheet: str, bt: _Table, cts: Sequence[tuple[str, _Table]],
                columns: Sequence[str]) -> None:
    """Rows no BASE row has: keyed ones merged across the copies that have them; rows without a key
    added once per distinct content."""
    order: dict[str, None] = {}
    for _, ct in cts:
        order.update((k, None) for k in ct.rows if k not in bt.rows)
    for k in order:
        have = [(label, ct.rows[k][1] if k in ct.rows else {}) for label, ct in cts]
        merged = {}
        for h in columns:
            v = m.cell(sheet, k, h, None, [(label, values.get(h)) for label, values in have])
            if v is not None:
                merged[h] = v
        for label, ct in cts:
            m.report[label].added += k in ct.rows
        plan.merged[k] = merged
        plan.added.append(AddedRow(k, merged))
    seen = [{h: v for h, v in values.items() if h in columns} for _, values in bt.loose]
    for label, ct in cts:
        for _, values in ct.loose:
            content = {h: v for h, v in values.items() if h in columns}
            if content and content not in seen:
                seen.append(content)
                plan.added.append(AddedRow("", content))
                m.report[label].added += 1


# ------------------------------------------------------------------ Decisions and Log
def _merge_log(m: _Merger, sheet: str, base: Grid | None, copies: Sequence[tuple[str, Grid]],
               base_label: str) -> LogPlan:
    columns = _headers(base or [], base_label, sheet)
    tables = [(label, _headers(grid, label, sheet), grid) for label, grid in copies]
    names = [h for h in columns if h != ORIGIN]
    for _, cols, _ in tables:
        names += [h for h in cols if h not in names and h != ORIGIN]

    def rows(cols: dict[str, int], grid: Grid) -> Counter[tuple[Any, ...]]:
        found: Counter[tuple[Any, ...]] = Counter()
        for row in grid[1:]:
            t = tuple(_norm(row[cols[h] - 1]) if h in cols and cols[h] <= len(row) else None for h in names)
            if any(v is not None for v in t):
                found[t] += 1
        return found

    have = rows(columns, base or [])
    extra: Counter[tuple[Any, ...]] = Counter()
    origin: dict[tuple[Any, ...], list[str]] = {}
    for label, cols, grid in tables:
        for t, count in rows(cols, grid).items():
            if count > have[t]:
                extra[t] = max(extra[t], count - have[t])
                origin.setdefault(t, []).append(label)
                m.report[label].added += count - have[t]
    first = next((i for i, h in enumerate(names) if h in ("Recorded", "Time")), 0)
    ordered = sorted(extra, key=lambda t: (cell_text(t[first]), [cell_text(v) for v in t]))
    added = [{**{h: v for h, v in zip(names, t) if v is not None}, ORIGIN: "; ".join(origin[t])}
             for t in ordered for _ in range(extra[t])]
    new_cols = [h for h in names if h not in columns]
    if added and ORIGIN not in columns:
        new_cols.append(ORIGIN)
    return LogPlan(sheet, dict(columns), new_cols if added else [], added, new_sheet=base is None)


# ------------------------------------------------------------------ other sheets
def _merge_grid(m: _Merger, sheet: str, base: Grid | None, copies: Sequence[tuple[str, Grid]]) -> GridPlan:
    def cells(grid: Grid) -> dict[tuple[int, int], Any]:
        return {(r, c): v for r, row in enumerate(grid, start=1) for c, v in enumerate(row, start=1) if not empty(v)}

    bc = cells(base or [])
    cc = [(label, cells(grid)) for label, grid in copies]
    edits = {}
    for pos in sorted(set(bc).union(*(c for _, c in cc))):
        b = bc.get(pos)
        v = m.cell(sheet, f"cell {get_column_letter(pos[1])}{pos[0]}", get_column_letter(pos[1]), b,
                   [(label, c.get(pos)) for label, c in cc])
        if v != b:
            edits[pos] = v
    return GridPlan(sheet, edits, new_sheet=base is None)


# ------------------------------------------------------------------ the plan
def plan_merge(base: Book, copies: Sequence[Book], *, prefer: str | None = None) -> MergePlan:
    """Merge ``copies`` into ``base`` (see the module docstring for the rules).

    Examples
    --------
    >>> head = ("ID", "Notes")
    >>> base = Book("base.xlsx", {"Prior": [head, ("p1", None), ("p2", None)]})
    >>> a = Book("a.xlsx", {"Prior": [head, ("p2", "asked"), ("p1", "seen")]})
    >>> b = Book("b.xlsx", {"Prior": [head, ("p1", "not seen"), ("p2", None)]})
    >>> plan = plan_merge(base, [a, b])
    >>> plan.sheets[0].merged
    {'p1': {}, 'p2': {'Notes': 'asked'}}
    >>> [(c.key, c.column, c.values) for c in plan.conflicts]
    [('p1', 'Notes', (('a.xlsx', 'seen'), ('b.xlsx', 'not seen')))]
    """
    copies = sorted(copies, key=lambda b: b.label)
    labels = [c.label for c in copies]
    if len(set(labels)) != len(labels):
        raise WorkbookError(f"two copies are both called {Counter(labels).most_common(1)[0][0]!r}; rename one")
    if prefer is not None and prefer not in labels:
        raise WorkbookError(f"--prefer {prefer!r} is not one of the copies ({', '.join(labels)})")
    for book in (base, *copies):
        grid = book.sheets.get(CONFLICTS)
        if grid and any(not empty(v) for row in grid[1:] for v in row):
            raise WorkbookError(f"{book.label}: its {CONFLICTS} sheet still lists conflicts; resolve them first "
                                f"(xl-upr merge --resolve {book.label})")
    m = _Merger(labels, prefer)
    skip = {CONFLICTS, *NOT_MERGED_SHEETS}
    names = [n for n in base.sheets if n not in skip]
    for c in copies:
        names += [n for n in c.sheets if n not in names and n not in skip]
    plans: list[SheetPlan] = []
    for name in names:
        grid = base.sheets.get(name)
        have = [(c.label, c.sheets[name]) for c in copies if name in c.sheets]
        shape = grid if grid is not None else have[0][1]
        key = key_header(name, [cell_text(v) for v in shape[0]] if shape else [])
        if name in LOG_SHEETS:
            plans.append(_merge_log(m, name, grid, have, base.label))
        elif key:
            plans.append(_merge_keyed(m, name, key, grid, have, base.label))
        else:
            plans.append(_merge_grid(m, name, grid, have))
    return MergePlan(plans, m.conflicts, m.report, prefer)
