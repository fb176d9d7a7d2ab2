"""Workbook structure a person may give us: notes beside the table, merged cells, the button path."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlwings as xw
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from xl_upr import macros, safe_write
from xl_upr.errors import WorkbookError
from xl_upr.reconcile import OWNED
from xl_upr.workbook import NEW, create_workbook, reconcile_file

DEMO = Path(__file__).resolve().parents[1] / "workbooks" / "kazakhstan-demo.xlsx"


def headers(ws):
    return {c.value: c.column for c in ws[1] if c.value}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(removed=st.lists(st.sampled_from(OWNED), min_size=1, max_size=3, unique=True),
       notes=st.lists(st.tuples(st.integers(0, 3), st.integers(1, 10), st.text("abc xyz", min_size=1, max_size=8)),
                      min_size=1, max_size=10))
def test_a_missing_owned_column_never_overwrites_notes(tmp_path_factory, removed, notes):
    """Notes without a header right of the table (and below it) all survive when owned columns
    that a person deleted are added back; the added columns are filled."""
    from conftest import KAZ_2014

    from xl_upr.importers import read_document

    kaz2014 = read_document(KAZ_2014).records
    path = create_workbook(tmp_path_factory.mktemp("notes") / "n.xlsx", new=kaz2014[:6], prior=kaz2014[100:130])
    wb = load_workbook(path)
    ws = wb[NEW]
    for header in removed:
        ws.delete_cols(headers(ws)[header])
    table = next(iter(ws.tables.values()))
    end = max(headers(ws).values())
    table.ref = f"A1:{ws.cell(row=1, column=end).column_letter}7"  # as Excel shrinks it
    del table.tableColumns[end:]
    typed = {}
    for offset, row, value in notes:
        typed[(row, end + 1 + offset)] = value
        ws.cell(row=row, column=end + 1 + offset, value=value)
    wb.save(path)
    reconcile_file(path, backup=False)
    ws = load_workbook(path)[NEW]
    for (row, col), value in typed.items():
        assert ws.cell(row=row, column=col).value == value, (row, col)
    h = headers(ws)
    assert set(removed) <= set(h)
    assert all(ws.cell(row=r, column=h["Status"]).value in ("Repeated", "Similar", "New") for r in range(2, 8))


def test_added_column_goes_into_the_table_when_the_next_columns_are_free(tmp_path, kaz2014):
    path = create_workbook(tmp_path / "t.xlsx", new=kaz2014[:4], prior=kaz2014[100:130])
    wb = load_workbook(path)
    ws = wb[NEW]
    ws.delete_cols(headers(ws)["Why"])
    table = next(iter(ws.tables.values()))
    end = max(headers(ws).values())
    table.ref = f"A1:{get_column_letter(end)}5"  # as Excel shrinks it
    del table.tableColumns[end:]
    wb.save(path)
    reconcile_file(path, backup=False)
    ws = load_workbook(path)[NEW]
    table = next(iter(ws.tables.values()))
    assert headers(ws)["Why"] == end + 1
    assert table.ref == f"A1:{get_column_letter(end + 1)}5" and table.tableColumns[-1].name == "Why"


def test_merged_cells_over_owned_cells_are_refused_untouched(tmp_path, kaz2014):
    path = create_workbook(tmp_path / "m.xlsx", new=kaz2014[:4], prior=kaz2014[100:130])
    wb = load_workbook(path)
    ws = wb[NEW]
    h = headers(ws)
    ws.merge_cells(start_row=3, start_column=h["Status"], end_row=3, end_column=h["Match ID"])
    wb.save(path)
    data = path.read_bytes()
    with pytest.raises(WorkbookError, match=r"merged cells E3:F3 cover cells xl-upr fills"):
        reconcile_file(path)
    assert path.read_bytes() == data and not safe_write.list_backups(path)


def _book_json(path: Path) -> dict:
    wb = load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        values = [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)] or [[""]]
        sheets.append({"name": ws.title, "values": values, "pictures": [], "tables": []})
    return {"client": "Office.js", "version": xw.__version__,
            "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"}, "names": [], "sheets": sheets}


def test_the_button_backs_up_the_file_before_writing(tmp_path, monkeypatch, kaz2014):
    path = create_workbook(tmp_path / "book.xlsx", new=kaz2014[:6], prior=kaz2014[100:130])
    wb = load_workbook(path)
    next(r for r in wb["Settings"].iter_rows() if r[0].value == "keep_backups")[1].value = 2
    wb.save(path)
    monkeypatch.chdir(tmp_path)  # an Office.js book's fullname is its bare name
    for _ in range(3):
        book = xw.Book(json=_book_json(path))
        monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls, book=book: book))
        summary = macros.reconcile()
        book.close()
        assert "Backup of the last saved file: book.backup-" in summary
        assert any(a["func"] == "setValues" for a in book.json()["actions"])  # and then it wrote
    backups = safe_write.list_backups(path)
    assert len(backups) == 2  # keep_backups from the Settings sheet; the oldest pruned
    assert all(b.path.read_bytes() == path.read_bytes() for b in backups)


def test_the_button_without_a_file_makes_no_backup(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = _book_json(DEMO)
    data["book"]["name"] = "Book1"  # never saved
    book = xw.Book(json=data)
    monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: book))
    summary = macros.reconcile()
    book.close()
    assert "repeated" in summary and "Backup" not in summary and list(tmp_path.iterdir()) == []
