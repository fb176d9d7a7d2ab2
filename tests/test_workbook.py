from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName

from xl_upr.errors import OutputError, WorkbookError
from xl_upr.reconcile import OWNED, implementation_label
from xl_upr.workbook import NEW, append_records, create_workbook, reconcile_file

DEMO = Path(__file__).resolve().parents[1] / "workbooks" / "kazakhstan-demo.xlsx"


@pytest.fixture()
def demo(tmp_path):
    path = tmp_path / "demo.xlsx"
    shutil.copy(DEMO, path)
    return path


def headers(ws):
    return {c.value: c.column for c in ws[1] if c.value}


def snapshot(path, skip_owned=True):
    """Every cell's value, formula and style, comments, validations, tables and names."""
    wb = load_workbook(path)
    out = {"sheets": wb.sheetnames, "names": sorted(wb.defined_names.keys())}
    for ws in wb.worksheets:
        if ws.title in ("Log", "Decisions"):
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


def test_second_run_changes_nothing(demo):
    reconcile_file(demo)
    stamp, data = demo.stat().st_mtime_ns, demo.read_bytes()
    plan = reconcile_file(demo)
    assert not plan.edits and not plan.decisions
    assert demo.stat().st_mtime_ns == stamp and demo.read_bytes() == data


def _row_of(ws, rid):
    h = headers(ws)
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=h["ID"]).value == rid)


def test_reviewer_decisions_hold_across_runs(demo):
    reconcile_file(demo)
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
    from dataclasses import replace

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
    assert (NEW, '"Confirm,Reject"') in lists
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
