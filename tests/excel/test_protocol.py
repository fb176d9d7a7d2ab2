"""The Excel adapters through xlwings' real Office.js protocol (no mocks of xlwings)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import xlwings as xw
from openpyxl import load_workbook
from xlwings.server import custom_functions_call, custom_functions_meta, custom_scripts_call

from xl_upr import livebook, macros, scripts, udfs
from xl_upr.reconcile import OWNED

DEMO = Path(__file__).resolve().parents[2] / "workbooks" / "kazakhstan-demo.xlsx"
PRIOR_TEXTS = [["Ratify the Convention on the Rights of Persons with Disabilities (Spain)"],
               ["Abolish capital punishment (France)"], ["Guarantee freedom of expression of journalists (Chile)"]]
PRIOR_IDS = [["P1"], ["P2"], ["P3"]]


def call(func_name, *args):
    data = {"func_name": func_name, "args": list(args), "version": xw.__version__, "client": "Office.js",
            "runtime": "1.4"}
    return asyncio.run(custom_functions_call(data, udfs))


def test_metadata_names_optional_flags_and_docs():
    meta = {f["name"]: f for f in custom_functions_meta(udfs)["functions"]}
    assert set(meta) == {"UPR_MATCH", "UPR_TOPN", "UPR_SCORE", "UPR_WHY", "UPR_CLEAN", "UPR_STATES"}
    params = {p["name"]: p for p in meta["UPR_MATCH"]["parameters"]}
    assert params["min_score"].get("optional") and params["repeated_at"].get("optional")
    assert not params["texts"].get("optional")
    for f in meta.values():
        assert f["description"] and len(f["description"]) <= 255
        assert all(p["description"] for p in f["parameters"])
        assert all(p["name"] != "caller" for p in f["parameters"])


@pytest.mark.parametrize("omitted", [None, [[""]]], ids=["omitted", "empty-cell"])
def test_upr_match_spills_one_row_per_input(omitted):
    out = call("upr_match", [["Ratify CRPD (Hungary)"], [""], ["Abolish the death penalty"],
                             ["Establish a registry of coal mine inspections"]], PRIOR_TEXTS, PRIOR_IDS, omitted,
               omitted)
    assert out[0][0] == "P1" and out[0][2] == "Repeated"
    assert out[1] == ["", "", ""]
    assert out[2][0] == "P2"
    assert out[3][0] == "" and out[3][2] == "New"


def test_numbers_in_text_arguments_are_coerced():
    out = call("upr_match", [[124.1]], [[2010], ["Ratify CRPD"]], [["A"], [95.3]], [["40"]], None)
    assert len(out) == 1 and len(out[0]) == 3


def test_upr_topn_score_why_clean_states():
    top = call("upr_topn", [["Ratify CRPD"]], PRIOR_TEXTS, PRIOR_IDS, [[2]])
    assert len(top) == 2 and top[0][0] == "P1" and "CRPD" in top[0][2]
    assert call("upr_score", [["Ratify CRPD"]], [["Ratify the Convention on the Rights of Persons with "
                                                  "Disabilities"]])[0][0] > 80
    assert "CRPD" in call("upr_why", [["Ratify CRPD"]], [["Ratify the Convention on the Rights of Persons with "
                                                          "Disabilities"]])[0][0]
    text = [["Ratify CRPD (Iran (Islamic Republic of)) (Spain);"], [""]]
    assert call("upr_clean", text) == [["Ratify CRPD"], [""]]
    assert call("upr_states", text) == [["Iran (Islamic Republic of); Spain"], [""]]


@pytest.mark.parametrize("func, args, expected", [
    ("upr_match", ([["x"]], PRIOR_TEXTS, [["P1"]], None, None), "prior_texts has 3 rows but prior_ids has 1"),
    ("upr_match", ([["x"]], PRIOR_TEXTS, PRIOR_IDS, [["high"]], None), "expected a number"),
    ("upr_match", ([["x"]], PRIOR_TEXTS, PRIOR_IDS, [[80]], [[50]]), "similar_at (80.0) must not exceed"),
    ("upr_match", ([["x", "y"], ["z", "w"]], PRIOR_TEXTS, PRIOR_IDS, None, None), "must be one column"),
    ("upr_topn", ([["x"]], PRIOR_TEXTS, PRIOR_IDS, [[0]]), "n must be from 1 to 100"),
    ("upr_score", ([["a"], ["b"]], [["c"]]), "text_a has 2 rows but text_b has 1"),
])
def test_user_errors_give_a_readable_cell(func, args, expected):
    out = call(func, *args)
    assert len(out) == 1 and len(out[0]) == 1
    assert out[0][0].startswith("#xl-upr: ") and expected in out[0][0]


def test_index_is_cached_by_content():
    udfs._INDEXES.clear()
    for _ in range(3):
        call("upr_match", [["Ratify CRPD"]], PRIOR_TEXTS, PRIOR_IDS, None, None)
    assert len(udfs._INDEXES) == 1
    call("upr_match", [["Ratify CRPD"]], PRIOR_TEXTS[:2], PRIOR_IDS[:2], None, None)
    assert len(udfs._INDEXES) == 2


def book_json(path: Path) -> dict:
    wb = load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        values = [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)] or [[""]]
        sheets.append({"name": ws.title, "values": values, "pictures": [], "tables": [], "charts": []})
    return {"client": "Office.js", "version": xw.__version__,
            "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"}, "names": [], "sheets": sheets}


def _owned_positions():
    header = [c.value for c in load_workbook(DEMO)["New"][1]]
    return {i for i, h in enumerate(header) if h in OWNED}, header


def _check_actions(actions):
    owned, header = _owned_positions()
    new_index = [ws.title for ws in load_workbook(DEMO).worksheets].index("New")
    writes = [a for a in actions if a["func"] == "setValues" and a["sheet_position"] == new_index]
    assert writes, "nothing written to New"
    rows_written = set()
    for a in writes:
        assert a["start_column"] in owned, header[a["start_column"]]
        assert a["column_count"] == 1
        rows_written.update(range(a["start_row"], a["start_row"] + a["row_count"]))
    assert rows_written == set(range(1, 195))  # every one of the 194 recommendations (0-based rows)
    assert any(a["func"] == "alert" and "repeated" in a["args"][0] for a in actions)
    assert any(a["func"] == "addChart" for a in actions)


def test_reconcile_script_writes_owned_columns_only():
    book = xw.Book(json=book_json(DEMO))
    result = asyncio.run(custom_scripts_call(scripts, "reconcile_workbook", typehint_to_value={xw.Book: book}))
    _check_actions(result.json()["actions"])
    book.close()


def test_runpython_entry_point_on_the_caller_book(monkeypatch):
    book = xw.Book(json=book_json(DEMO))
    monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: book))
    summary = macros.reconcile()
    assert "95 repeated" in summary or "repeated" in summary
    _check_actions(book.json()["actions"])
    book.close()


# ------------------------------------------------------------------ the reviewer's workbook, live
def _written(actions, sheet_position):
    """(0-based row, 0-based column) -> value of every setValues on one sheet."""
    out = {}
    for a in actions:
        if a["func"] == "setValues" and a["sheet_position"] == sheet_position:
            for i, row in enumerate(a["values"]):
                for j, value in enumerate(row):
                    out[(a["start_row"] + i, a["start_column"] + j)] = value
    return out


def test_live_reconcile_shows_prior_text_links_and_summary():
    book = xw.Book(json=book_json(DEMO))
    plan = livebook.reconcile_book(book)
    actions = book.json()["actions"]
    wb = load_workbook(DEMO)
    header = [c.value for c in wb["New"][1]]
    col = {h: i for i, h in enumerate(header)}
    prior = {r[0]: (n, r[3]) for n, r in enumerate(wb["Prior"].iter_rows(min_row=2, values_only=True), start=2)}
    written = _written(actions, wb.sheetnames.index("New"))
    links = {a["start_row"]: a["args"] for a in actions if a["func"] == "addHyperlink"}
    rows = [r for r in range(1, 195) if written.get((r, col["Match ID"]))]
    assert len(rows) == plan.counts["repeated"] + plan.counts["similar"] > 100  # every linked row has its Match ID
    for r in rows:
        match_id = written[(r, col["Match ID"])]
        assert written[(r, col["Prior text"])] == prior[match_id][1]
        assert written[(r, col["Other candidates"])]
        assert links[r][:2] == [f"#'Prior'!A{prior[match_id][0]}", match_id]
    formats = {a["func"] for a in actions if a["sheet_position"] == wb.sheetnames.index("New")}
    assert {"setWrapText", "setVerticalAlignment", "setAutofit"} <= formats
    summary = wb.sheetnames.index("Summary")
    chart = next(a for a in actions if a["func"] == "addChart")
    assert chart["args"][1] == "BarStacked" and chart["args"][2] == "Summary"
    cells = _written(actions, summary)
    status = {cells[(r, 0)]: cells[(r, 1)] for r in range(0, 10) if (r, 0) in cells and (r, 1) in cells}
    assert status["Total"] == 194 == sum(plan.counts.values())
    log = _written(actions, wb.sheetnames.index("Log"))
    assert log[(1, 0)] and log[(1, 2)] in (None, "") and log[(1, 3)] in (None, "")  # no user or machine name


def test_live_mistyped_decision_cleared_decision_and_hand_edit(tmp_path):
    from test_workbook import A, B, C, prepare_mistakes

    from xl_upr.workbook import reconcile_file

    path = tmp_path / "demo.xlsx"
    path.write_bytes(DEMO.read_bytes())
    reconcile_file(path, backup=False)
    original, hand = prepare_mistakes(path)
    book = xw.Book(json=book_json(path))
    plan = livebook.reconcile_book(book)
    actions = book.json()["actions"]
    wb = load_workbook(path)
    ws = wb["New"]
    col = {c.value: c.column - 1 for c in ws[1]}
    row = {ws.cell(row=r, column=1).value: r - 1 for r in range(2, ws.max_row + 1)}
    written = _written(actions, wb.sheetnames.index("New"))
    assert written[(row[A], col["Why"])].startswith("decision not applied: no earlier record A/HRC/43/15 999.9")
    assert written[(row[C], col["Status"])] == original[C][0]  # the hand edit replaced …
    assert any(m.kind == "hand edit" and f"({hand})" in m.text for m in plan.messages)  # … and reported
    assert written[(row[B], col["Match ID"])] == original[B][1]  # the cleared Reject no longer holds
    decisions = _written(actions, wb.sheetnames.index("Decisions"))
    recorded = {(decisions.get((r, 0)), decisions.get((r, 1))) for r in {k[0] for k in decisions}}
    assert (B, "Withdrawn") in recorded
    assert not any(a["func"] == "alert" for a in actions)  # the adapters show plan.report(), not the core
    report = plan.report()
    for part in ("1 decision not applied", "1 decision withdrawn", "1 hand edit replaced",
                 f"Status was edited by hand ({hand})"):
        assert part in report, report
