from __future__ import annotations

import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName

from xl_upr.errors import OutputError, WorkbookError
from xl_upr.reconcile import OWNED, implementation_label
from xl_upr.settings import MatchSettings
from xl_upr.workbook import NEW, append_records, create_workbook, reconcile_file

DEMO = Path(__file__).resolve().parents[1] / "workbooks" / "kazakhstan-demo.xlsx"


@pytest.fixture()
def demo(tmp_path):
    path = tmp_path / "demo.xlsx"
    shutil.copy(DEMO, path)
    return path


@pytest.fixture(scope="module")
def reconciled_once(tmp_path_factory):
    path = tmp_path_factory.mktemp("reconciled") / "demo.xlsx"
    shutil.copy(DEMO, path)
    return path, reconcile_file(path, backup=False)


@pytest.fixture()
def reconciled(reconciled_once, tmp_path):
    """A copy of the demo as one reconciliation left it."""
    path = tmp_path / "demo.xlsx"
    shutil.copy(reconciled_once[0], path)
    return path


def headers(ws):
    return {c.value: c.column for c in ws[1] if c.value}


def snapshot(path, skip_owned=True):
    """Every cell's value, formula and style, comments, validations, tables and names."""
    wb = load_workbook(path)
    out = {"sheets": wb.sheetnames, "names": sorted(wb.defined_names.keys())}
    for ws in wb.worksheets:
        if ws.title in ("Log", "Decisions", "Summary"):  # the sheets xl-upr writes
            continue
        owned = {c for h, c in headers(ws).items() if h in OWNED} if ws.title == NEW and skip_owned else set()
        cells = {}
        for row in ws.iter_rows():
            for cell in row:
                if cell.column in owned and cell.row > 1:
                    continue
                cells[cell.coordinate] = (cell.value, cell.data_type, cell.font.b, cell.fill.fgColor.rgb,
                                          cell.number_format, cell.comment.text if cell.comment else None)
        out[ws.title] = cells
        validations = ws.data_validations.dataValidation
        out[ws.title + " validations"] = sorted((dv.formula1, str(dv.sqref)) for dv in validations)
        out[ws.title + " tables"] = sorted(ws.tables.keys())
    return out


def test_demo_reconciles_every_row_and_keeps_everything_else(demo):
    wb = load_workbook(demo)
    ws = wb[NEW]
    h = headers(ws)
    # People's edits: notes, an assessment, a decision-free comment, a formula, a style, a sheet, a name.
    ws.cell(row=3, column=h["Notes"], value="Raised with the Ministry in 2016")
    ws.cell(row=4, column=h["Assessment"], value="=\"partly\"&\" done\"")
    ws.cell(row=5, column=h["Recommendation"]).comment = Comment("check the Russian version", "coalition")
    ws.cell(row=6, column=h["ID"]).font = Font(bold=True, color="FF0000")
    ws.cell(row=7, column=h["Notes"]).fill = PatternFill("solid", fgColor="FFFF00")
    extra = wb.create_sheet("Our analysis")
    extra["A1"] = "=COUNTIF(New!E:E,\"Repeated\")"
    wb.defined_names["Threshold"] = DefinedName("Threshold", attr_text="Settings!$B$2")
    wb.save(demo)
    before = snapshot(demo)

    plan = reconcile_file(demo)
    assert sum(plan.counts.values()) == 194
    after = snapshot(demo)
    assert after == before

    ws = load_workbook(demo)[NEW]
    h = headers(ws)
    statuses = [ws.cell(row=r, column=h["Status"]).value for r in range(2, 196)]
    assert all(s in ("Repeated", "Similar", "New") for s in statuses)
    for r in range(2, 196):
        if ws.cell(row=r, column=h["Status"]).value != "New":
            assert ws.cell(row=r, column=h["Match ID"]).value.startswith("A/HRC/14/10 ")
            assert isinstance(ws.cell(row=r, column=h["Match score"]).value, (int, float))
    row_crpd = next(r for r in range(2, 196) if ws.cell(row=r, column=h["ID"]).value == "A/HRC/28/10 125.8")
    assert ws.cell(row=row_crpd, column=h["Status"]).value == "Repeated"
    assert ws.cell(row=row_crpd, column=h["Match ID"]).value.startswith("A/HRC/14/10 95.")
    assert ws.cell(row=row_crpd, column=h["Times recommended before"]).value >= 2
    assert ws.cell(row=row_crpd, column=h["First recommended"]).value == "1 (2010)"
    assert "CRPD" in ws.cell(row=row_crpd, column=h["Why"]).value
    assert ws.cell(row=row_crpd, column=h["Same-cycle group"]).value  # several States asked for it
    backups = list(demo.parent.glob("demo.backup-*.xlsx"))
    assert len(backups) == 1


def test_second_run_changes_nothing(reconciled):
    stamp, data = reconciled.stat().st_mtime_ns, reconciled.read_bytes()
    plan = reconcile_file(reconciled)
    assert not plan.edits and not plan.decisions
    assert reconciled.stat().st_mtime_ns == stamp and reconciled.read_bytes() == data


def _row_of(ws, rid):
    h = headers(ws)
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=h["ID"]).value == rid)


def test_reviewer_decisions_hold_across_runs(reconciled):
    demo = reconciled
    wb = load_workbook(demo)
    ws = wb[NEW]
    h = headers(ws)
    confirm, reject, corrected = (_row_of(ws, f"A/HRC/28/10 {p}") for p in ("124.6", "125.8", "126.16"))
    confirmed_match = ws.cell(row=confirm, column=h["Match ID"]).value
    rejected_match = ws.cell(row=reject, column=h["Match ID"]).value
    ws.cell(row=confirm, column=h["Reviewer decision"], value="Confirm")
    ws.cell(row=reject, column=h["Reviewer decision"], value="Reject")
    ws.cell(row=corrected, column=h["Reviewer decision"], value="A/HRC/14/10 97.3")
    wb.save(demo)
    for _ in range(3):  # the Reject must not cascade onto the next candidate
        reconcile_file(demo)
    wb = load_workbook(demo)
    ws = wb[NEW]
    assert ws.cell(row=confirm, column=h["Match ID"]).value == confirmed_match
    assert ws.cell(row=confirm, column=h["Reviewer decision"]).value == "Confirm"
    second = ws.cell(row=reject, column=h["Match ID"]).value
    assert second and second != rejected_match
    assert ws.cell(row=reject, column=h["Reviewer decision"]).value == "Reject"
    assert ws.cell(row=corrected, column=h["Match ID"]).value == "A/HRC/14/10 97.3"
    assert "confirmed by reviewer" in ws.cell(row=corrected, column=h["Why"]).value
    decisions = [tuple(r) for r in wb["Decisions"].iter_rows(min_row=2, max_col=3, values_only=True) if r[0]]
    assert ("A/HRC/28/10 125.8", "Reject", rejected_match) in decisions
    assert len(decisions) == 3


def test_locked_workbook_is_refused_untouched(demo):
    lock = demo.with_name("~$" + demo.name)
    lock.write_bytes(b"owner")
    data = demo.read_bytes()
    with pytest.raises(OutputError, match="open in Excel"):
        reconcile_file(demo)
    assert demo.read_bytes() == data
    assert not list(demo.parent.glob("demo.backup-*"))


def test_not_a_workbook_and_missing_sheet(tmp_path):
    fake = tmp_path / "notes.xlsx"
    fake.write_text("hello", encoding="utf-8")
    with pytest.raises(WorkbookError, match="not a workbook"):
        reconcile_file(fake)
    other = tmp_path / "other.xlsx"
    from openpyxl import Workbook

    Workbook().save(other)
    with pytest.raises(WorkbookError, match="no sheet 'New'"):
        reconcile_file(other)


def test_reordered_and_missing_owned_columns(tmp_path, kaz2014):
    path = create_workbook(tmp_path / "b.xlsx", new=kaz2014[:12], prior=kaz2014[100:])
    wb = load_workbook(path)
    ws = wb[NEW]
    h = headers(ws)
    ws.delete_cols(h["Why"])  # a user removed one owned column
    ws.move_range("A1:A13", cols=30)  # and moved ID far to the right
    wb.save(path)
    reconcile_file(path, backup=False)
    ws = load_workbook(path)[NEW]
    h = headers(ws)
    assert "Why" in h and h["Why"] != h["ID"]
    assert ws.cell(row=2, column=h["ID"]).value == kaz2014[0].id
    assert ws.cell(row=2, column=h["Why"]).value
    assert ws.cell(row=2, column=h["Status"]).value in ("Repeated", "Similar", "New")
    table = next(iter(ws.tables.values()))
    assert "Why" in [c.name for c in table.tableColumns]


def test_formula_like_text_stays_text(tmp_path, kaz2014):
    prior = [replace(kaz2014[120], text="=HYPERLINK(\"http://x\") " + kaz2014[120].text)]
    path = create_workbook(tmp_path / "f.xlsx", new=[replace(kaz2014[120], id="+1 new")], prior=prior)
    reconcile_file(path, backup=False)
    ws = load_workbook(path)[NEW]
    assert ws["A2"].data_type == "s" and ws["A2"].value == "+1 new"


def test_xlsm_keeps_its_vba_part(tmp_path, kaz2014):
    xlsx = create_workbook(tmp_path / "m.xlsx", new=kaz2014[:5], prior=kaz2014[100:])
    xlsm = tmp_path / "m.xlsm"
    blob = b"VBA-PROJECT-BYTES" * 64
    with zipfile.ZipFile(xlsx) as src, zipfile.ZipFile(xlsm, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
                data = data.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/'
                                    b'vnd.ms-office.vbaProject"/></Types>')
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdVba" Type="http://schemas.'
                                    b'microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>'
                                    b"</Relationships>")
            dst.writestr(item, data)
        dst.writestr("xl/vbaProject.bin", blob)
    reconcile_file(xlsm)
    with zipfile.ZipFile(xlsm) as z:
        assert z.read("xl/vbaProject.bin") == blob
    assert load_workbook(xlsm, keep_vba=True)[NEW]["E2"].value in ("Repeated", "Similar", "New")


def test_import_into_appends_without_duplicates(tmp_path, kaz2014):
    path = create_workbook(tmp_path / "i.xlsx", new=kaz2014[:10])
    assert append_records(path, "New", kaz2014[:20], backup=False) == 10
    assert append_records(path, "New", kaz2014[:20], backup=False) == 0
    ws = load_workbook(path)[NEW]
    ids = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
    assert ids == [r.id for r in kaz2014[:20]]
    assert next(iter(ws.tables.values())).ref.endswith("21")


def test_implementation_vocabularies_are_mapped():
    assert implementation_label("B1") == "Partially implemented (B1)"
    assert implementation_label("A") == "Fully implemented (A)"
    assert implementation_label("completed") == "Fully implemented"
    assert implementation_label("ongoing") == "Partially implemented"
    assert implementation_label("no action") == "Not implemented"
    assert implementation_label("as the coalition puts it") == "as the coalition puts it"


def test_suspected_zip_bomb_is_refused(tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * 5_000_000 + b">")
    with pytest.raises(WorkbookError, match="zip bomb"):
        reconcile_file(bomb)


def test_created_workbook_has_lists_and_status_colours(tmp_path, kaz2014):
    path = create_workbook(tmp_path / "v.xlsx", new=kaz2014[:3])
    wb = load_workbook(path)
    lists = {(ws.title, dv.formula1) for ws in wb.worksheets for dv in ws.data_validations.dataValidation}
    assert (NEW, '"Repeated,Similar,New"') in lists
    assert (NEW, '"Confirm,Reject,Repeated,Similar,New"') in lists
    assert ("Prior", '"Fully implemented,Partially implemented,Not implemented"') in lists
    assert ("Treaty bodies", '"A,B,B1,B2,C,C1,C2,D,E"') in lists
    rules = [r for cf in wb[NEW].conditional_formatting for r in cf.rules]
    assert {r.formula[0].split("=")[1] for r in rules} == {'"Repeated"', '"Similar"', '"New"'}
    assert wb[NEW].freeze_panes == "C2" and list(wb[NEW].tables) == ["NewRecommendations"]


def test_failed_replace_leaves_the_workbook_and_no_temp_file(demo, monkeypatch):
    import os

    data = demo.read_bytes()

    def refuse(src, dst):
        raise PermissionError(13, "The process cannot access the file")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OutputError, match="cannot replace it .* open in another program"):
        reconcile_file(demo, backup=False)
    assert demo.read_bytes() == data
    assert [p.name for p in demo.parent.iterdir() if not p.name.endswith(".xl-upr.lock")] == ["demo.xlsx"]


def test_output_of_another_type_is_refused_before_any_work(demo, tmp_path):
    data = demo.read_bytes()
    with pytest.raises(WorkbookError, match="must have the same type"):
        reconcile_file(demo, output=tmp_path / "out.csv")
    assert demo.read_bytes() == data and not (tmp_path / "out.csv").exists()


# ------------------------------------------------------------------ the reviewer's workbook
def _prior_rows(wb):
    ws = wb["Prior"]
    h = headers(ws)
    return {ws.cell(row=r, column=h["ID"]).value: (r, ws.cell(row=r, column=h["Recommendation"]).value)
            for r in range(2, ws.max_row + 1)}


def _chart_sheets(path):
    """Titles of the sheets that carry a native chart (read from the package: openpyxl drops charts)."""
    import posixpath
    from xml.etree import ElementTree as ET

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    rid_attr = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

    def rels(z, part):
        name = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
        if name not in z.namelist():
            return {}
        return {r.get("Id"): posixpath.normpath(posixpath.join(posixpath.dirname(part), r.get("Target")))
                if not r.get("Target").startswith("/") else r.get("Target").lstrip("/")
                for r in ET.fromstring(z.read(name))}

    out = []
    with zipfile.ZipFile(path) as z:
        book = rels(z, "xl/workbook.xml")
        for sheet in ET.fromstring(z.read("xl/workbook.xml")).iterfind("m:sheets/m:sheet", ns):
            part = book[sheet.get(rid_attr)]
            for target in rels(z, part).values():
                if "drawings/drawing" in target and any("charts/chart" in t for t in rels(z, target).values()):
                    out.append(sheet.get("name"))
    return out


def _other_candidates(wb, path):
    """Worksheet row -> the earlier records the matcher ranks next for that row besides its Match
    ID (not the row's own ID nor rejected pairs; as many as Other candidates shows), matched as
    reconciliation does (the same queries in the same order, the workbook's settings)."""
    from xl_upr.index import build_index
    from xl_upr.match import match_table
    from xl_upr.workbook import read_workbook

    rows, prior, _, settings, decisions, cols, _ = read_workbook(wb, path)
    live = [r for r in rows if r.text.strip()]
    rejected = {(d.id, d.match_id) for d in decisions if d.decision.lower() == "reject"}
    hits = match_table([r.text for r in live], build_index(prior), limit=50, settings=settings)
    return {r.row: [m.id for m in found if m.id not in (r.id, r.current.get("Match ID"))
                    and (r.id, m.id) not in rejected][:settings.top - 1]
            for r, found in zip(live, hits)}


def check_reviewer_view(path, rows_expected):
    """The bars of the reviewer's workbook, on any reconciled workbook."""
    wb = load_workbook(path)
    ws = wb[NEW]
    h = headers(ws)
    prior = _prior_rows(wb)
    candidates = _other_candidates(wb, path)
    matched = with_others = 0
    for r in range(2, ws.max_row + 1):
        match_id = ws.cell(row=r, column=h["Match ID"]).value
        if not match_id:
            assert not ws.cell(row=r, column=h["Prior text"]).value
            continue
        matched += 1
        row, text = prior[match_id]
        assert ws.cell(row=r, column=h["Prior text"]).value == text
        link = ws.cell(row=r, column=h["Match ID"]).hyperlink
        assert link is not None and link.location == f"'Prior'!A{row}" and not link.target
        others = ws.cell(row=r, column=h["Other candidates"]).value
        assert bool(others) == bool(candidates[r]), (r, others)  # empty only when the matcher ranks no other
        if others:
            with_others += 1
            ids = [part.rsplit(" (", 1)[0] for part in others.split("; ")]
            assert 1 <= len(ids) <= 4 and match_id not in ids and all(i in prior for i in ids)
            assert ids == candidates[r], r  # the runners-up, best first
        assert ws.cell(row=r, column=h["Status"]).alignment.vertical == "top"
        assert ws.cell(row=r, column=h["Prior text"]).alignment.wrap_text
    assert matched > rows_expected // 2 and with_others
    assert ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.sheet_format.outlineLevelCol == 1  # the outline's +/- buttons show
    for header in ("Prior cycle", "Run check"):  # helper columns: in a collapsed outline group, not just hidden
        dim = ws.column_dimensions[ws.cell(row=1, column=h[header]).column_letter]
        assert dim.outlineLevel == 1 and dim.hidden
    assert ws.cell(row=1, column=h["Times recommended before"]).alignment.wrap_text
    summary = wb["Summary"]
    values = [list(r) for r in summary.iter_rows(values_only=True)]
    status = {r[0]: r[1] for r in values if r and r[0] in ("Repeated", "Similar", "New", "Total")
              and isinstance(r[1], int)}
    assert status["Total"] == rows_expected == status["Repeated"] + status["Similar"] + status["New"]
    labels = [r[0] for r in values if r]
    assert "Theme" in labels and "Recommending State" in labels and "Recommended before (once or more)" in labels
    assert "Summary" in _chart_sheets(path)
    log = wb["Log"]
    lh = headers(log)
    for r in range(2, log.max_row + 1):
        assert log.cell(row=r, column=lh["User"]).value is None
        assert log.cell(row=r, column=lh["Machine"]).value is None
    return wb


def test_reconciled_demo_shows_what_was_matched(reconciled_once):
    path, plan = reconciled_once
    check_reviewer_view(path, 194)
    assert len(plan.results) == 194
    assert {r.themes_from for r in plan.results} <= {"earlier record", "wording", ""}  # the demo names no themes


def test_init_and_import_into_look_like_created(tmp_path):
    from conftest import COMPILATION_2010, KAZ_2014

    from xl_upr.cli import main

    book = tmp_path / "kaz.xlsx"
    assert main(["init", str(book), "--state", "Kazakhstan"]) == 0
    assert main(["import", str(KAZ_2014), "--into", str(book)]) == 0
    assert main(["import", str(COMPILATION_2010), "--into", str(book), "--sheet", "Treaty bodies"]) == 0
    wb = load_workbook(book)
    ws = wb[NEW]
    h = headers(ws)
    for r in range(2, ws.max_row + 1):  # imported rows: wrapped, top-aligned, as tall as their text
        assert ws.cell(row=r, column=h["Recommendation"]).alignment.wrap_text
        assert ws.cell(row=r, column=h["ID"]).alignment.vertical == "top"
        lines = -(-len(ws.cell(row=r, column=h["Recommendation"]).value) // 56)
        assert ws.row_dimensions[r].height >= 15 * min(lines, 12)
    ws = wb["Treaty bodies"]
    h = headers(ws)
    assert ws.max_row > 2
    for r in range(2, ws.max_row + 1):  # so are imported findings
        assert ws.cell(row=r, column=h["Text"]).alignment.wrap_text
        assert ws.cell(row=r, column=h["ID"]).alignment.vertical == "top"
        lines = -(-len(ws.cell(row=r, column=h["Text"]).value) // 75)
        assert ws.row_dimensions[r].height >= 15 * min(lines, 12)
    # Prior: a part of the same report stands in for the earlier cycle (no 2010 text in tests/fixtures)
    from xl_upr.importers import read_document

    prior = [replace(r, id=r.id.replace("28/10", "14/10"), cycle="1", year="2010")
             for r in read_document(KAZ_2014).records[::3]]
    append_records(book, "Prior", prior, backup=False)
    reconcile_file(book, backup=False)
    check_reviewer_view(book, 194)


def test_this_cycle_imported_into_prior_too_is_reported(tmp_path, kaz2014):
    path = create_workbook(tmp_path / "twice.xlsx", new=kaz2014[:20], prior=kaz2014[:40])
    plan = reconcile_file(path, backup=False)
    also = [m for m in plan.messages if m.kind == "also on Prior"]
    assert [m.row for m in also] == list(range(2, 22))
    assert "also on Prior row 2" in also[0].text or "is also on Prior row 2" in also[0].text
    assert "20 New IDs also on Prior" in plan.summary()
    ws = load_workbook(path)[NEW]
    h = headers(ws)
    for r in range(2, 22):
        assert ws.cell(row=r, column=h["Match ID"]).value != ws.cell(row=r, column=h["ID"]).value  # not itself
        assert "not matched to itself" in ws.cell(row=r, column=h["Why"]).value


def test_duplicate_and_blank_ids_are_reported_with_their_rows(tmp_path, kaz2014):
    new = [kaz2014[0], replace(kaz2014[1], id=kaz2014[0].id), replace(kaz2014[2], id=""), kaz2014[3]]
    path = create_workbook(tmp_path / "dup.xlsx", new=new, prior=kaz2014[100:])
    wb = load_workbook(path)
    h = headers(wb[NEW])
    wb[NEW].cell(row=3, column=h["Reviewer decision"], value="Confirm")
    wb[NEW].cell(row=4, column=h["Reviewer decision"], value="Confirm")
    wb.save(path)
    plan = reconcile_file(path, backup=False)
    kinds = {(m.kind, m.row) for m in plan.messages}
    assert {("duplicate ID", 2), ("duplicate ID", 3), ("no ID", 4), ("not applied", 3), ("not applied", 4)} <= kinds
    assert not plan.decisions  # neither decision can be kept by ID
    ws = load_workbook(path)[NEW]
    assert "same ID as row 3" in ws.cell(row=2, column=h["Why"]).value
    assert "decision not applied: this row has no ID" in ws.cell(row=4, column=h["Why"]).value
    assert "2 rows with a duplicate ID" in plan.summary() and "1 row without an ID" in plan.summary()


def _set(path, edits):
    wb = load_workbook(path)
    ws = wb[NEW]
    h = headers(ws)
    for rid, header, value in edits:
        ws.cell(row=_row_of(ws, rid), column=h[header]).value = value  # (cell(value=None) would not clear it)
    wb.save(path)


def _cells(path, rids, header):
    ws = load_workbook(path)[NEW]
    h = headers(ws)
    return {rid: ws.cell(row=_row_of(ws, rid), column=h[header]).value for rid in rids}


def _cell(path, rid, header):
    return _cells(path, [rid], header)[rid]


A, B, C, D = (f"A/HRC/28/10 {p}" for p in ("124.6", "125.8", "126.16", "124.10"))


def prepare_mistakes(path):
    """From a reconciled demo, a reviewer's mistakes: a mistyped decision ID, a hand-edited
    Status, a Reject that is then cleared (withdrawn), and a hand edit made into a decision.
    Returns each row's (Status, Match ID) before, and the Status typed by hand."""
    status, match = _cells(path, (A, B, C, D), "Status"), _cells(path, (A, B, C, D), "Match ID")
    original = {rid: (status[rid], match[rid]) for rid in (A, B, C, D)}
    _set(path, [(B, "Reviewer decision", "Reject")])
    reconcile_file(path, backup=False)
    assert _cell(path, B, "Match ID") != original[B][1]
    hand = "New" if original[C][0] != "New" else "Repeated"
    _set(path, [(A, "Reviewer decision", "A/HRC/43/15 999.9"), (C, "Status", hand), (B, "Reviewer decision", None),
                (D, "Status", "New"), (D, "Reviewer decision", "New")])
    return original, hand


def test_mistyped_decision_cleared_decision_and_hand_edit_file_path(reconciled):
    demo = reconciled
    original, hand = prepare_mistakes(demo)
    plan = reconcile_file(demo, backup=False)
    why, match, status = (_cells(demo, (A, B, C, D), h) for h in ("Why", "Match ID", "Status"))
    assert why[A].startswith("decision not applied: no earlier record A/HRC/43/15 999.9")
    assert match[A] == original[A][1]
    assert match[B] == original[B][1]  # the Reject was withdrawn: the first match is back
    assert status[C] == original[C][0]  # the hand edit was replaced …
    edit = next(m for m in plan.messages if m.kind == "hand edit")
    assert edit.row == _row_of(load_workbook(demo)[NEW], C)
    assert f"Status was edited by hand ({hand}); replaced by {original[C][0]}" in edit.text  # … and reported
    assert status[D] == "New" and "status set by reviewer" in why[D]  # kept: it was made a decision
    summary = plan.summary()
    for part in ("1 decision not applied", "1 decision withdrawn", "1 hand edit replaced", "1 decision recorded"):
        assert part in summary, summary
    decisions = [tuple(r[:3]) for r in load_workbook(demo)["Decisions"].iter_rows(min_row=2, values_only=True)]
    assert (B, "Withdrawn", original[B][1]) not in decisions  # recorded on the match shown when cleared
    assert any(d[0] == B and d[1] == "Withdrawn" for d in decisions)
    assert (D, "New", original[D][1]) in decisions
    again = reconcile_file(demo, backup=False)
    assert not again.changed and not [m for m in again.messages if m.kind in ("hand edit", "withdrawn")]


def test_log_records_user_only_when_asked(tmp_path, kaz2014):
    path = create_workbook(tmp_path / "log.xlsx", new=kaz2014[:3], prior=kaz2014[100:],
                           settings=MatchSettings(log_user=True))
    reconcile_file(path, backup=False)
    log = load_workbook(path)["Log"]
    assert log["C2"].value and log["D2"].value  # User, Machine
    settings = {r[0]: r[1] for r in load_workbook(path)["Settings"].iter_rows(values_only=True)}
    assert settings["log_user"] is True


def test_slovenia_workbook_from_thematic_lists_counts_their_themes(tmp_path):
    from conftest import shared_file

    from xl_upr.cli import main

    new = shared_file("corpus", "SVN_UPR4_thematic_list_of_recommendations.txt")
    prior = shared_file("corpus", "SVN_UPR3_thematic_list_matrix.txt")
    book = tmp_path / "slovenia.xlsx"
    assert main(["init", str(book), "--state", "Slovenia"]) == 0
    assert main(["import", str(new), "--into", str(book)]) == 0
    assert main(["import", str(prior), "--into", str(book), "--sheet", "Prior"]) == 0
    plan = reconcile_file(book, backup=False)
    wb = check_reviewer_view(book, 254)
    assert all(r.themes and r.themes_from == "source" for r in plan.results)  # thematic lists name them
    rows = list(wb["Summary"].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "Theme")
    end = next(i for i in range(start + 1, len(rows)) if not isinstance(rows[i][1], int))
    themes = rows[start + 1:end]
    assert len(themes) > 20 and all(r[5] == 0 for r in themes)  # none inferred
    assert max(r[4] for r in themes) <= 254
