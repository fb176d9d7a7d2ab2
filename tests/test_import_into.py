"""`xl-upr import … --into BOOK.xlsx`: the right sheet, addenda set Responses, the report in the Log."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

import pytest
from conftest import COMPILATION_2010, KAZ_2014, shared_file
from openpyxl import load_workbook

from xl_upr.cli import main
from xl_upr.errors import WorkbookError
from xl_upr.importers import read_document
from xl_upr.sheets import LOG, NEW, PRIOR, TREATY
from xl_upr.workbook import create_workbook, import_into


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def column(ws, header):
    col = [c.value for c in ws[1]].index(header) + 1
    return [ws.cell(row=r, column=col).value for r in range(2, ws.max_row + 1)]


def test_addendum_sets_responses_on_the_rows_it_names_and_adds_none(tmp_path):
    report = shared_file("corpus", "SVN_UPR4_2025_A-HRC-59-15_WG_report.txt")
    addendum = shared_file("corpus", "SVN_UPR4_2025_A-HRC-59-15-Add1_responses.txt")
    thematic = {r.id: r.response for r in read_document(
        shared_file("corpus", "SVN_UPR4_thematic_list_of_recommendations.txt")).records}
    book = tmp_path / "book.xlsx"
    create_workbook(book)
    assert run("import", report, "--into", book)[0] == 0
    wb = load_workbook(book)
    ws = wb[NEW]
    typed = next(r for r in range(2, ws.max_row + 1) if thematic[ws.cell(row=r, column=1).value] == "supported")
    ws.cell(row=typed, column=4).value = "Noted"  # a person typed a Response the addendum contradicts
    ws.delete_rows(ws.max_row)                  # 140.254 is not in the workbook
    wb.save(book)

    code, _, err = run("import", addendum, "--into", book)
    assert code == 0
    ws = load_workbook(book)[NEW]
    ids, responses = column(ws, "ID"), column(ws, "Response")
    assert len([i for i in ids if i]) == 253  # 0 rows added
    assert responses[typed - 2] == "Noted"    # the typed value stays
    assert all(r == thematic[i].capitalize() for k, (i, r) in enumerate(zip(ids, responses)) if i and k != typed - 2)
    assert "Responses set on 252 rows" in err and "0 rows added" in err
    assert f"{ids[typed - 2]} [New]: Response is 'Noted', the addendum says supported; left as it is" in err
    assert "missing A/HRC/59/15 140.254: not in New or Prior" in err
    before = book.read_bytes()
    assert run("import", addendum, "--into", book)[0] == 0
    assert book.read_bytes() == before        # nothing new: the file is not rewritten


def test_sequence_numbered_addendum_reaches_prior_rows(tmp_path):
    book = tmp_path / "book.xlsx"
    create_workbook(book, new=read_document(KAZ_2014).records[:3])
    report = read_document(shared_file("corpus", "SVN_UPR1_2010_A-HRC-14-15_WG_report.txt"))
    addendum = read_document(shared_file("corpus", "SVN_UPR1_2010_A-HRC-14-15-Add1_responses.txt"))
    assert import_into(book, report.records, report.kind, backup=False).sheet == PRIOR  # New holds cycle 2
    result = import_into(book, addendum.records, addendum.kind, backup=False)
    assert (result.updated, result.missing, result.conflicts) == (97, (), ())
    by = dict(zip(column(load_workbook(book)[PRIOR], "ID"), column(load_workbook(book)[PRIOR], "Response")))
    assert by["A/HRC/14/15 111.1"] == "Noted" and by["A/HRC/14/15 111.83"] == "Supported"


def test_sheet_follows_the_kind_and_cycle_and_year_are_numbers(tmp_path):
    book = tmp_path / "book.xlsx"
    create_workbook(book)
    assert run("import", KAZ_2014, "--into", book)[0] == 0
    earlier = shared_file("corpus", "KAZ_UPR1_2010_A-HRC-14-10_fulltext.txt")
    code, _, err = run("import", earlier, "--into", book)
    assert code == 0 and f"{book} [Prior]: 128 rows added" in err
    code, _, err = run("import", COMPILATION_2010, "--into", book, "-o", tmp_path / "comp.csv")
    assert code == 0 and f"{book} [Treaty bodies]: 49 rows added" in err
    assert (tmp_path / "comp.csv").read_text(encoding="utf-8").count("\n") > 49  # -o written as well
    wb = load_workbook(book)
    assert len(column(wb[NEW], "ID")) == 194
    assert set(column(wb[PRIOR], "Cycle")) == {1} and set(column(wb[PRIOR], "Year")) == {2010}
    assert {type(y) for y in column(wb[TREATY], "Year") if y is not None} == {int}
    log = column(wb[LOG], "Event")
    assert any("read as compilation, 49 rows" in e for e in log)
    assert not any("/" in e.split(":")[0] for e in log if "read as" in e)  # file names, no folders


def test_contradicting_sheet_is_a_one_line_error(tmp_path):
    book = tmp_path / "book.xlsx"
    create_workbook(book)
    before = book.read_bytes()
    code, _, err = run("import", COMPILATION_2010, "--into", book, "--sheet", "New")
    assert code == 2 and err.splitlines()[-1].startswith("xl-upr: error: a compilation holds treaty-body findings")
    code, _, err = run("import", KAZ_2014, "--into", book, "--sheet", "Treaty bodies")
    assert code == 2 and "not 'Treaty bodies'" in err.splitlines()[-1]
    assert book.read_bytes() == before
    with pytest.raises(WorkbookError, match="--sheet must be one of"):
        import_into(book, read_document(KAZ_2014).records, "upr-report", sheet="Old")


def test_import_report_is_printed(tmp_path):
    code, out, err = run("import", KAZ_2014)
    assert code == 0 and out.startswith("id,paragraph,text")
    assert err.splitlines()[0].endswith("read as upr-report, 194 rows (supported 143, noted 51)")
