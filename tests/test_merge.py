"""Merging members' copies: every change kept, every conflict shown, nothing else touched.

BASE is the reconciled demo workbook (built once per session).  Copies are made by editing
BASE's sheet values the way members do — sorting, inserting and deleting rows, typing
decisions, assessments and notes, adding a column, editing the same cell as someone else — and,
for the file tests, writing those values into a copy of the BASE file.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from xl_upr import safe_write
from xl_upr._xlsx import open_workbook
from xl_upr.cli import main
from xl_upr.errors import OutputError, WorkbookError
from xl_upr.merge import CONFLICTS, DELETED, NOT_MERGED, Book, Conflict, Formula, KeyedPlan, LogPlan, key_header
from xl_upr.merge import plan_merge as merge_values
from xl_upr.merge_workbook import _put, cell_value, drop_rows, merge_workbooks, read_book, resolve_conflicts
from xl_upr.sheets import DECISIONS, NEW, PRIOR, SETTINGS, SUMMARY, TREATY
from xl_upr.workbook import reconcile_file

DEMO = Path(__file__).resolve().parents[1] / "workbooks" / "kazakhstan-demo.xlsx"
KEYED = (NEW, PRIOR, TREATY, SETTINGS)
Grids = dict[str, list[list[Any]]]


@pytest.fixture(scope="session")
def base_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("merge") / "base.xlsx"
    reconcile_file(DEMO, output=path)
    return path


@pytest.fixture(scope="session")
def base_book(base_path) -> Book:
    return read_book(open_workbook(base_path), "base.xlsx")


@pytest.fixture()
def base(base_path, tmp_path) -> Path:
    path = tmp_path / "base.xlsx"
    shutil.copy(base_path, path)
    return path


# ------------------------------------------------------------------ members' edits, on sheet values
def grids(book: Book) -> Grids:
    return {name: [list(r) for r in grid] for name, grid in book.sheets.items()}


def col(g: list[list[Any]], header: str) -> int:
    """0-based column of a header; a missing one is added at the end (a member's new column)."""
    if header not in g[0]:
        for row in g:
            row.append(None)
        g[0][-1] = header
    return g[0].index(header)


def row_of(g: list[list[Any]], rid: str) -> list[Any] | None:
    return next((r for r in g[1:] if r[0] == rid), None)


def at(ws: Any, header: str) -> int:
    """1-based column of a header on a worksheet (cells are addressed by header: the layout changes)."""
    return next(c.column for c in ws[1] if c.value == header)


PEOPLE = [(NEW, "Reviewer decision"), (NEW, "Assessment"), (NEW, "Notes"), (NEW, "Member's view"),
          (PRIOR, "Implementation"), (TREATY, "Follow-up grade"), (SETTINGS, "Value")]
VALUES = st.sampled_from(["Confirm", "Reject", "partly", "not yet", "=1+1 typed as text", None])
PICK = st.integers(0, 6)  # rows among BASE's first few, so copies often touch the same ones
EDIT = st.one_of(
    st.tuples(st.just("set"), st.integers(0, len(PEOPLE) - 1), PICK, VALUES),
    st.tuples(st.just("sort"), st.integers(0, 10**6), st.sampled_from([NEW, PRIOR])),
    st.tuples(st.just("insert"), st.integers(0, 2), st.integers(1, 30), st.sampled_from(["Adopt a law", "Ratify"])),
    st.tuples(st.just("delete"), PICK, st.sampled_from([NEW, PRIOR])),
    st.tuples(st.just("formula"), PICK),
    st.tuples(st.just("decide"), PICK, st.sampled_from(["Confirm", "Reject"])),
)


def ids(book: Book, sheet: str) -> list[Any]:
    return [r[0] for r in book.sheets[sheet][1:] if r and r[0]]


def edit(g: Grids, base: Book, e: tuple[Any, ...]) -> None:
    """Apply one member's edit to a copy's sheet values."""
    kind = e[0]
    if kind == "set":
        sheet, header = PEOPLE[e[1]]
        row = row_of(g[sheet], ids(base, sheet)[e[2]])
        if row is not None:
            row[col(g[sheet], header)] = e[3]
    elif kind == "sort":
        g[e[2]][1:] = random.Random(e[1]).sample(g[e[2]][1:], len(g[e[2]]) - 1)
    elif kind == "insert":
        new = g[NEW]
        if row_of(new, f"X/{e[1]}") is None:
            row = [None] * len(new[0])
            row[0], row[1] = f"X/{e[1]}", e[3]
            new.insert(min(e[2], len(new)), row)
    elif kind == "delete":
        row = row_of(g[e[2]], ids(base, e[2])[e[1]])
        if row is not None:
            g[e[2]].remove(row)
    elif kind == "formula":
        row = row_of(g[NEW], ids(base, NEW)[e[1]])
        if row is not None:
            c = col(g[NEW], "Member's view")
            r = g[NEW].index(row) + 1
            row[c] = cell_value(f'=IF(LEN(B{r})>200,"long","short")', "f", r, c + 1)
    elif kind == "decide":
        row = row_of(g[NEW], ids(base, NEW)[e[1]])
        if row is not None:
            row[col(g[NEW], "Reviewer decision")] = e[2]
            g[DECISIONS].append([row[0], e[2], row[col(g[NEW], "Match ID")], f"2025-0{e[1] + 1}-01 10:00:00"])


def make_copies(base: Book, edits: list[list[tuple[Any, ...]]], shared: tuple[int, str, str] | None) -> list[Book]:
    copies = []
    for n, todo in enumerate(edits):
        g = grids(base)
        for e in todo:
            edit(g, base, e)
        if shared is not None and n < 2:  # the same cell edited differently in two copies
            edit(g, base, ("set", 2, shared[0], shared[1 + n]))
        copies.append(Book(f"member{n}.xlsx", g))
    return copies


# ------------------------------------------------------------------ what the issue asks, checked
def keyed(book: Book, sheet: str) -> dict[str, dict[str, Any]]:
    """Key -> header -> non-empty value, of the columns people own."""
    grid = book.sheets.get(sheet, [])
    if not grid:
        return {}
    head = [str(h) if h is not None else "" for h in grid[0]]
    key = key_header(sheet, head)
    skip = NOT_MERGED.get(sheet, frozenset()) | {key}
    out = {}
    for row in grid[1:]:
        if row and row[head.index(str(key))] not in (None, ""):
            out[str(row[head.index(str(key))])] = {h: v for h, v in zip(head, row)
                                                   if h and h not in skip and v not in (None, "")}
    return out


def shown(value: Any) -> Any:
    return str(value) if isinstance(value, Formula) else value


def check_merge(base: Book, copies: list[Book], merged: dict[str, dict[str, dict[str, Any]]],
                decisions: list[tuple[Any, ...]], conflicts: list[Conflict]) -> None:
    """Every non-conflicting edit is in MERGED, every conflict is listed with all its values, and
    no non-empty cell of any copy is missing from both (a cell still at BASE's value may give way
    to another copy's change or deletion of it)."""
    listed = {(c.sheet, c.key, c.column): c for c in conflicts}
    for sheet in KEYED:
        b = keyed(base, sheet)
        cs = [(c.label, keyed(c, sheet)) for c in copies]
        m = merged[sheet]
        cells = {(k, h) for _, rows in cs for k, vals in rows.items() for h in vals} | \
                {(k, h) for k, vals in b.items() for h in vals}
        for k, h in sorted(cells):
            base_value = b.get(k, {}).get(h)
            values = [(label, rows[k].get(h) if k in rows else DELETED if k in b else None) for label, rows in cs]
            changed = {v for _, v in values if v != base_value and v != DELETED}
            deleted = any(v == DELETED for _, v in values)
            c = listed.get((sheet, k, h))
            if changed and (deleted or len(changed) > 1):           # a conflict, listed with every value
                assert c is not None, (sheet, k, h, values)
                assert shown(c.base) == shown(base_value)
                assert {label: shown(v) for label, v in c.values} == {label: shown(v) for label, v in values}
            else:
                assert c is None, (sheet, k, h)
                if changed:                                           # taken
                    assert m[k].get(h) == next(iter(changed)), (sheet, k, h)
                elif deleted:                                         # deleted, nobody edited the cell
                    assert k not in m or listed_row(listed, sheet, k)
                elif k in m:
                    assert m[k].get(h) == base_value, (sheet, k, h)
            for label, v in values:                                   # nothing lost
                if v not in (None, DELETED):
                    superseded = v == base_value and bool(changed or deleted)
                    assert (k in m and m[k].get(h) == v) or c is not None or superseded, (sheet, k, h, label, v)
        for k in b:                                                   # deletions
            if all(k in rows for _, rows in cs):
                assert k in m, (sheet, k)
    for copy in copies:                                               # Decisions unioned
        for row in copy.sheets[DECISIONS][1:]:
            assert tuple(row[:4]) in decisions, row


def listed_row(listed: dict[tuple[str, str, str], Conflict], sheet: str, key: str) -> bool:
    return any(s == sheet and k == key for s, k, _ in listed)


def plan_result(base: Book, plan: Any) -> tuple[dict[str, dict[str, dict[str, Any]]], list[tuple[Any, ...]]]:
    merged = {p.sheet: p.merged for p in plan.sheets if isinstance(p, KeyedPlan)}
    log = next(p for p in plan.sheets if isinstance(p, LogPlan) and p.sheet == DECISIONS)
    decisions = [tuple(r[:4]) for r in base.sheets[DECISIONS][1:]]
    decisions += [tuple(r.get(h) for h in ("ID", "Decision", "Match ID", "Recorded")) for r in log.rows]
    return merged, decisions


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.lists(EDIT, max_size=8), min_size=2, max_size=4),
       shared=st.one_of(st.none(), st.tuples(PICK, VALUES, VALUES).filter(lambda t: t[1] != t[2])))
def test_random_edits_in_two_to_four_copies_are_all_kept_or_listed(base_book, edits, shared):
    copies = make_copies(base_book, edits, shared)
    plan = merge_values(base_book, copies)
    check_merge(base_book, copies, *plan_result(base_book, plan), plan.conflicts)
    again = merge_values(base_book, list(reversed(copies)))
    assert (again.sheets, again.conflicts) == (plan.sheets, plan.conflicts)


def test_the_summary_each_copy_reconciled_is_not_merged(base_book):
    """Summary is rewritten by every run: copies reconciled after different decisions show
    different counts there, which are no one's edits (BASE's stays until MERGED is reconciled)."""
    copies = []
    for n, count in enumerate((131, 133)):
        g = grids(base_book)
        summary = g[SUMMARY]
        row = next(r for r in summary if r and r[0] == "Repeated")
        row[1] = count
        copies.append(Book(f"member{n}.xlsx", g))
    plan = merge_values(base_book, copies)
    assert SUMMARY in base_book.sheets
    assert not plan.conflicts and SUMMARY not in [p.sheet for p in plan.sheets] and not plan.changed


# ------------------------------------------------------------------ the files
def write_copy(base: Path, g: Grids, path: Path) -> Path:
    """A copy of the BASE file holding the sheet values ``g`` (rows rewritten where they differ)."""
    wb = load_workbook(base)
    for name, grid in g.items():
        ws = wb[name]
        have = [[cell_value(c.value, c.data_type, c.row, c.column) for c in row] for row in ws.iter_rows()]
        if [list(r) for r in have] == grid:
            continue
        ws.delete_rows(1, ws.max_row)
        for r, row in enumerate(grid, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    _put(ws.cell(row=r, column=c), value)
    wb.save(path)
    return path


def trimmed(book: Book) -> dict[str, list[list[Any]]]:
    """Sheet values without trailing empty cells (a file does not keep them)."""
    out = {}
    for name, grid in book.sheets.items():
        rows = [list(r) for r in grid]
        for r in rows:
            while r and r[-1] is None:
                r.pop()
        out[name] = rows
    return out


def read_result(path: Path) -> tuple[Book, dict[str, dict[str, dict[str, Any]]], list[tuple[Any, ...]],
                                     list[Conflict]]:
    book = read_book(open_workbook(path), path.name)
    merged = {sheet: keyed(book, sheet) for sheet in KEYED}
    decisions = [tuple(r[:4]) for r in book.sheets[DECISIONS][1:]]
    conflicts = []
    grid = book.sheets.get(CONFLICTS, [])
    if grid:
        head = list(grid[0])
        labels = head[5:-1]
        for row in grid[1:]:
            conflicts.append(Conflict(row[0], row[1], row[2], row[4], tuple(zip(labels, row[5:-1])), row[3]))
    return book, merged, decisions, conflicts


def cells(path: Path) -> dict[str, Any]:
    wb = load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def test_three_copies_of_the_reconciled_demo(base, base_book, tmp_path):
    seed = 7
    rnd = random.Random(seed)
    picks = [rnd.randrange(7) for _ in range(12)]
    edits = [
        [("sort", seed, NEW), ("set", 2, picks[0], "Raised with the Ministry"), ("set", 1, picks[1], "partly"),
         ("insert", 0, 5, "Adopt a law"), ("formula", picks[2]), ("decide", picks[3], "Confirm")],
        [("insert", 1, 40, "Ratify"), ("set", 4, picks[4], "Not implemented"), ("delete", picks[5], NEW),
         ("set", 3, picks[6], "member's own column"), ("sort", seed + 1, PRIOR), ("set", 6, 0, 60)],
        [("set", 1, picks[1], "not yet"), ("delete", picks[7], PRIOR), ("set", 2, picks[8], "=1+1 typed as text"),
         ("insert", 0, 9, "Ratify"), ("decide", picks[9], "Reject")],
    ]
    copies = make_copies(base_book, edits, (picks[10], "Alice's note", "Bob's note"))
    paths = [write_copy(base, grids(c), tmp_path / c.label) for c in copies]
    assert [trimmed(read_book(open_workbook(p), p.name)) for p in paths] == [trimmed(c) for c in copies]

    merged = tmp_path / "merged.xlsx"
    plan = merge_workbooks(base, paths, merged)
    assert plan.conflicts, "the same cell was edited differently in two copies"
    book, values, decisions, conflicts = read_result(merged)
    check_merge(base_book, copies, values, decisions, conflicts)
    assert [(c.sheet, c.key, c.column) for c in conflicts] == [(c.sheet, c.key, c.column) for c in plan.conflicts]
    ws = load_workbook(merged)[NEW]
    last = max(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value)
    assert ws.tables["NewRecommendations"].ref.endswith(str(last))
    assert "Member's view" in [c.value for c in ws[1]]

    swapped = tmp_path / "swapped.xlsx"
    merge_workbooks(base, list(reversed(paths)), swapped)
    assert cells(swapped) == cells(merged)


def test_formulas_follow_their_rows(base, base_book, tmp_path):
    """A per-row formula in a sorted copy lands on its own row in MERGED; rows below a deleted
    row move up with their formulas translated."""
    g = grids(base_book)
    head = g[NEW][0]
    c = col(g[NEW], "Length")
    for r, row in enumerate(g[NEW][1:], start=2):
        row[c] = cell_value(f"=LEN(B{r})", "f", r, c + 1)
    with_formulas = write_copy(base, g, tmp_path / "formulas.xlsx")
    sorted_copy = grids(read_book(open_workbook(with_formulas), "f.xlsx"))
    sorted_copy[NEW][1:] = sorted(sorted_copy[NEW][1:], key=lambda r: str(r[head.index("Recommendation")]))
    gone = sorted_copy[NEW].pop(1)
    member = write_copy(with_formulas, sorted_copy, tmp_path / "member.xlsx")
    moved = load_workbook(member)[NEW]
    assert moved["A2"].value != g[NEW][1][0] and moved.cell(row=2, column=c + 1).value == "=LEN(B2)"  # as Excel sorts
    merged = merge_workbooks(with_formulas, [member], tmp_path / "merged.xlsx")
    assert merged.report["member.xlsx"].deleted == 1 and not merged.conflicts
    ws = load_workbook(tmp_path / "merged.xlsx")[NEW]
    assert gone[0] not in [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
    for r in range(2, ws.max_row + 1):
        assert ws.cell(row=r, column=c + 1).value == f"=LEN(B{r})", r


def test_merging_with_itself_or_base_changes_nothing(base, tmp_path):
    copy = tmp_path / "alice.xlsx"
    wb = load_workbook(base)
    wb[NEW].cell(row=3, column=at(wb[NEW], "Notes")).value = "Alice's note"
    wb.save(copy)
    (tmp_path / "again").mkdir()
    shutil.copy(copy, tmp_path / "again" / "alice.xlsx")
    for copies, against in (([base], base), ([copy, copy, tmp_path / "again" / "alice.xlsx"], copy)):
        out = tmp_path / "out.xlsx"
        plan = merge_workbooks(against, copies, out)
        assert not plan.changed and not plan.conflicts
        assert cells(out) == cells(against)
    assert list(plan.report) == ["again/alice.xlsx", f"{tmp_path.name}/alice.xlsx"]  # the same file once


def test_everything_else_in_base_survives(base, tmp_path):
    wb = load_workbook(base)
    ws = wb[NEW]
    ws.cell(row=5, column=2).comment = Comment("check the Russian version", "coalition")
    ws.cell(row=6, column=1).font = Font(bold=True, color="FF0000")
    wb.create_sheet("Our analysis")["A1"] = '=COUNTIF(New!E:E,"Repeated")'
    wb.defined_names["Threshold"] = DefinedName("Threshold", attr_text="Settings!$B$2")
    wb.save(base)
    copy = tmp_path / "bob.xlsx"
    wb = load_workbook(base)
    wb[NEW].cell(row=4, column=at(wb[NEW], "Assessment")).value = "Bob's assessment"
    wb["Our analysis"]["B2"] = "Bob's count"
    wb.create_sheet("Bob's sheet")["A1"] = "kept"
    wb.save(copy)
    merge_workbooks(base, [copy], tmp_path / "merged.xlsx")
    before, after = load_workbook(base), load_workbook(tmp_path / "merged.xlsx")
    assert after.sheetnames == before.sheetnames + ["Bob's sheet"]
    assert after["Bob's sheet"]["A1"].value == "kept" and after["Our analysis"]["B2"].value == "Bob's count"
    assessment = at(after[NEW], "Assessment")
    assert after[NEW].cell(row=4, column=assessment).value == "Bob's assessment"
    after[NEW].cell(row=4, column=assessment).value = None
    after["Our analysis"]["B2"].value = None
    for ws in before.worksheets:
        other = after[ws.title]
        assert sorted(other.tables) == sorted(ws.tables)
        assert [(dv.formula1, str(dv.sqref)) for dv in other.data_validations.dataValidation] == \
               [(dv.formula1, str(dv.sqref)) for dv in ws.data_validations.dataValidation]
        for row in ws.iter_rows():
            for cell in row:
                twin = other[cell.coordinate]
                assert (twin.value, twin.font.b, twin.fill.fgColor.rgb, twin.number_format,
                        twin.comment.text if twin.comment else None) == \
                       (cell.value, cell.font.b, cell.fill.fgColor.rgb, cell.number_format,
                        cell.comment.text if cell.comment else None), (ws.title, cell.coordinate)
    assert "Threshold" in after.defined_names


# ------------------------------------------------------------------ conflicts, --prefer, --resolve
@pytest.fixture(scope="session")
def quarrel(base_path, tmp_path_factory) -> tuple[Path, Path, Path]:
    """Two copies: one Assessment typed differently, one row deleted by Alice and noted by Bob."""
    base, tmp_path = base_path, tmp_path_factory.mktemp("quarrel")
    made = []
    for name, assessment, note in (("alice.xlsx", "Alice: done", None), ("bob.xlsx", "Bob: not done", "see 2016")):
        wb = load_workbook(base)
        ws = wb[NEW]
        ws.cell(row=2, column=at(ws, "Assessment")).value = assessment
        if note:
            ws.cell(row=3, column=at(ws, "Notes")).value = note
        else:
            drop_rows(ws, [3])  # as Excel deletes a row: the rows below keep their hyperlinks
        wb.save(tmp_path / name)
        made.append(tmp_path / name)
    return base, made[0], made[1]


def test_conflicts_keep_base_and_are_listed(quarrel, tmp_path):
    base, alice, bob = quarrel
    plan = merge_workbooks(base, [bob, alice], tmp_path / "m.xlsx")
    rows = [r for r in load_workbook(tmp_path / "m.xlsx")[CONFLICTS].iter_rows(values_only=True)]
    assert rows[0] == ("Sheet", "ID", "Column", "In MERGED", "Base", "alice.xlsx", "bob.xlsx", "Resolution")
    assert rows[1] == (NEW, "A/HRC/28/10 124.1", "Assessment", None, None, "Alice: done", "Bob: not done", None)
    assert rows[2] == (NEW, "A/HRC/28/10 124.2", "Notes", None, None, DELETED, "see 2016", None)
    ws = load_workbook(tmp_path / "m.xlsx")[NEW]
    assert ws.cell(row=2, column=at(ws, "Assessment")).value is None
    assert ws.cell(row=3, column=1).value == "A/HRC/28/10 124.2"
    assert (plan.report["alice.xlsx"].conflicts, plan.report["bob.xlsx"].conflicts) == (2, 2)


def test_prefer_keeps_that_copys_value_and_still_lists_it(quarrel, tmp_path):
    base, alice, bob = quarrel
    plan = merge_workbooks(base, [alice, bob], tmp_path / "m.xlsx", prefer="alice.xlsx")
    ws = load_workbook(tmp_path / "m.xlsx")[NEW]
    assert ws.cell(row=2, column=at(ws, "Assessment")).value == "Alice: done"
    assert "A/HRC/28/10 124.2" not in [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
    assert [c.kept for c in plan.conflicts] == ["Alice: done", DELETED]
    merge_workbooks(base, [alice, bob], tmp_path / "b.xlsx", prefer=str(bob))
    ws = load_workbook(tmp_path / "b.xlsx")[NEW]
    assert ws.cell(row=2, column=at(ws, "Assessment")).value == "Bob: not done"
    with pytest.raises(WorkbookError, match="carol.xlsx.*not one of the copies"):
        merge_workbooks(base, [alice, bob], tmp_path / "c.xlsx", prefer="carol.xlsx")


def test_a_deleted_row_leaves_the_others_as_the_last_run_wrote_them(quarrel, tmp_path):
    """Rows below a row the merge deletes keep their Match ID links on their own cells, so the
    reconciliation afterwards finds no hand edit (a link left on the cell above would fill an
    empty Match ID with its target when the file is read)."""
    base, alice, bob = quarrel
    plan = merge_workbooks(base, [alice, bob], tmp_path / "m.xlsx", prefer="alice.xlsx")
    assert plan.report["alice.xlsx"].deleted == 1
    wb = load_workbook(tmp_path / "m.xlsx")
    ws, prior = wb[NEW], wb[PRIOR]
    match_id = at(ws, "Match ID")
    linked = 0
    for r in range(2, ws.max_row + 1):
        cell = ws.cell(row=r, column=match_id)
        if cell.hyperlink is None:
            continue
        linked += 1
        sheet, target = cell.hyperlink.location.rsplit("!", 1)
        assert sheet.strip("'") == PRIOR and prior[target].value == cell.value, (r, cell.hyperlink.location)
    assert linked
    result = reconcile_file(tmp_path / "m.xlsx", backup=False)
    assert not [m.text for m in result.messages if m.kind == "hand edit"]


def test_resolve_applies_what_people_typed(quarrel, tmp_path):
    base, alice, bob = quarrel
    merged = tmp_path / "m.xlsx"
    merge_workbooks(base, [alice, bob], merged)
    wb = load_workbook(merged)
    wb[CONFLICTS]["H2"] = "bob.xlsx"
    wb.save(merged)
    assert resolve_conflicts(merged) == (1, 1)
    wb = load_workbook(merged)
    assert wb[NEW].cell(row=2, column=at(wb[NEW], "Assessment")).value == "Bob: not done"
    assert wb[CONFLICTS].max_row == 2 and wb[CONFLICTS]["B2"].value == "A/HRC/28/10 124.2"
    wb[CONFLICTS]["H2"] = "alice.xlsx"  # Alice deleted the row
    wb.save(merged)
    assert main(["merge", "--resolve", str(merged)]) == 0
    wb = load_workbook(merged)
    assert CONFLICTS not in wb.sheetnames
    ids = [wb[NEW].cell(row=r, column=1).value for r in range(2, wb[NEW].max_row + 1)]
    assert "A/HRC/28/10 124.2" not in ids and len(ids) == 193
    assert wb[NEW].tables["NewRecommendations"].ref == f"A1:{get_column_letter(wb[NEW].max_column)}194"
    assert list(tmp_path.glob("m.backup-*.xlsx"))


def test_resolve_typed_value_empty_and_unknown_id(quarrel, tmp_path):
    base, alice, bob = quarrel
    merged = tmp_path / "m.xlsx"
    merge_workbooks(base, [alice, bob], merged)
    wb = load_workbook(merged)
    wb[CONFLICTS]["H2"], wb[CONFLICTS]["H3"] = "Agreed: partly done", "(empty)"
    wb.save(merged)
    assert resolve_conflicts(merged, output=tmp_path / "r.xlsx") == (2, 0)
    ws = load_workbook(tmp_path / "r.xlsx")[NEW]
    assert (ws.cell(row=2, column=at(ws, "Assessment")).value, ws.cell(row=3, column=at(ws, "Notes")).value) == \
        ("Agreed: partly done", None)
    wb[CONFLICTS]["B2"] = "no such ID"
    wb.save(merged)
    with pytest.raises(WorkbookError, match=r"Conflicts\] row 2: no row with ID 'no such ID' on sheet 'New'"):
        resolve_conflicts(merged)
    with pytest.raises(WorkbookError, match="still lists conflicts; resolve them first"):
        merge_workbooks(merged, [alice], tmp_path / "again.xlsx")


def test_merge_and_resolve_wait_for_another_writer(quarrel, tmp_path, monkeypatch):
    """One writer at a time, as for reconcile: while another run writes the target, merge and
    --resolve give up and write nothing."""
    base, alice, bob = quarrel
    merged = tmp_path / "m.xlsx"
    merge_workbooks(base, [alice, bob], merged)
    data = merged.read_bytes()
    monkeypatch.setattr(safe_write, "LOCK_TIMEOUT", 0.2)
    with safe_write.writing(merged):
        with pytest.raises(OutputError, match="another xl-upr run is writing"):
            merge_workbooks(base, [alice, bob], merged)
        with pytest.raises(OutputError, match="another xl-upr run is writing"):
            resolve_conflicts(merged)
    assert merged.read_bytes() == data and not safe_write.list_backups(merged)


# ------------------------------------------------------------------ bad input, the command line
def test_bad_input_is_one_clear_message(base, tmp_path, capsys):
    wb = load_workbook(base)
    wb[NEW].cell(row=9, column=1).value = wb[NEW].cell(row=4, column=1).value
    wb.save(tmp_path / "dup.xlsx")
    with pytest.raises(WorkbookError, match=r"dup.xlsx \[New\]: ID 'A/HRC/28/10 124.3' is on rows 4 and 9"):
        merge_workbooks(base, [tmp_path / "dup.xlsx"], tmp_path / "m.xlsx")
    wb = load_workbook(base)
    wb[NEW]["A1"] = "Number"
    wb.save(tmp_path / "noid.xlsx")
    with pytest.raises(WorkbookError, match=r"noid.xlsx \[New\]: no column headed 'ID'"):
        merge_workbooks(base, [tmp_path / "noid.xlsx"], tmp_path / "m.xlsx")
    (tmp_path / "~$base.xlsx").write_text("")
    with pytest.raises(WorkbookError, match="open in Excel"):
        merge_workbooks(tmp_path / "noid.xlsx", [base], tmp_path / "m.xlsx")
    assert not (tmp_path / "m.xlsx").exists()
    assert main(["merge", str(base), "-o", str(tmp_path / "m.xlsx")]) == 2
    assert "merge needs BASE, at least one copy" in capsys.readouterr().err


def test_cli_merge_prints_the_report(quarrel, tmp_path, capsys):
    base, alice, bob = quarrel
    assert main(["merge", str(base), str(alice), str(bob), "-o", str(tmp_path / "m.xlsx"), "--reconcile"]) == 0
    out = capsys.readouterr().out
    assert "alice.xlsx: 0 cells taken, 2 conflicts, 0 rows added, 0 rows deleted" in out
    assert "2 conflicts (listed on the Conflicts sheet)" in out and "reconciled:" in out


def test_other_sheets_merge_cell_by_cell():
    head = ("Total", "Total", None)
    base = Book("base.xlsx", {"Our analysis": [head, (1, 2, None)]})
    a = Book("a.xlsx", {"Our analysis": [head, (1, 5, None)], "Alice's": [("only here",)]})
    b = Book("b.xlsx", {"Our analysis": [head, (3, 2, "x")]})
    plan = merge_values(base, [b, a])
    grid, added = plan.sheets
    assert (grid.edits, grid.new_sheet) == ({(2, 1): 3, (2, 2): 5, (2, 3): "x"}, False)
    assert (added.sheet, added.edits, added.new_sheet) == ("Alice's", {(1, 1): "only here"}, True)
    c = Book("c.xlsx", {"Our analysis": [head, (4, 2, None)]})
    assert [(x.key, x.values, x.kept) for x in merge_values(base, [b, c], prefer="c.xlsx").conflicts] == \
        [("cell A2", (("b.xlsx", 3), ("c.xlsx", 4)), 4)]
