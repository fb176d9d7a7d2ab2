"""The macro-enabled template at file level, and every shipped workbook in LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import olefile
import pytest
from oletools.olevba import decompress_stream
from openpyxl import load_workbook

from xl_upr.errors import WorkbookError
from xl_upr.workbook import reconcile_file

WORKBOOKS = Path(__file__).resolve().parents[2] / "workbooks"
TEMPLATE = WORKBOOKS / "template.xlsm"


def module_source(xlsm: Path, module: str) -> str:
    with zipfile.ZipFile(xlsm) as z:
        ole = olefile.OleFileIO(z.read("xl/vbaProject.bin"))
    return decompress_stream(bytearray(ole.openstream(f"VBA/{module}").read())).decode("latin-1")


def test_template_carries_the_reconcile_module_and_xlwings():
    source = module_source(TEMPLATE, "Reconcile")
    assert "Sub Reconcile()" in source
    assert 'RunPython "import xl_upr.macros as m; m.reconcile()"' in source
    assert "Function RunPython" in module_source(TEMPLATE, "xlwings")


def test_template_button_runs_the_macro_and_conf_names_the_udfs():
    with zipfile.ZipFile(TEMPLATE) as z:
        vml = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/drawings/vmlDrawing")]
        content_types = z.read("[Content_Types].xml").decode()
    assert any('ObjectType="Button"' in v and "<x:FmlaMacro>[0]!Reconcile</x:FmlaMacro>" in v for v in vml)
    assert "macroEnabled" in content_types
    wb = load_workbook(TEMPLATE, keep_vba=True)
    conf = {r[0]: r[1] for r in wb["xlwings.conf"].iter_rows(values_only=True)}
    assert conf["UDF Modules"] == "xl_upr.udfs"
    assert [c.value for c in wb["New"][1]][:2] == ["ID", "Recommendation"]


def test_workbook_with_buttons_is_not_rewritten_in_place(tmp_path):
    book = tmp_path / "t.xlsm"
    shutil.copy(TEMPLATE, book)
    data = book.read_bytes()
    with pytest.raises(WorkbookError, match="buttons that would be lost"):
        reconcile_file(book)
    assert book.read_bytes() == data


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("name", sorted(p.name for p in WORKBOOKS.glob("*.xls*")))
def test_every_shipped_workbook_opens_in_libreoffice(name, tmp_path):
    result = subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/u",
                             "--convert-to", "pdf", "--outdir", str(tmp_path), str(WORKBOOKS / name)],
                            capture_output=True, text=True, timeout=180)
    pdf = tmp_path / (Path(name).stem + ".pdf")
    assert result.returncode == 0 and pdf.exists() and pdf.stat().st_size > 1000, result.stderr


def test_reconcile_button_sits_at_the_top_of_new():
    import re

    with zipfile.ZipFile(TEMPLATE) as z:
        vml = next(z.read(n).decode() for n in z.namelist() if n.startswith("xl/drawings/vmlDrawing"))
    anchor = [int(x) for x in re.search(r"<x:Anchor>([^<]+)</x:Anchor>", vml).group(1).split(",")]
    left_col, _, top_row, _, right_col, _, bottom_row, _ = anchor
    assert top_row == 0 and bottom_row == 0  # inside the frozen header row: visible however far one scrolls
    assert right_col <= 1  # within the frozen columns A-B
    wb = load_workbook(TEMPLATE, keep_vba=True)
    assert wb["New"].freeze_panes == "C2" and wb["New"].print_title_rows == "$1:$1"
    assert "Summary" in wb.sheetnames


def test_excel_setup_writes_this_python_into_xlwings_conf_and_keeps_the_rest(tmp_path, capsys):
    from xl_upr.cli import main

    book = tmp_path / "ours.xlsm"
    shutil.copy(TEMPLATE, book)
    assert main(["excel-setup", str(book), "--for", "win"]) == 0
    out = capsys.readouterr().out
    assert "[ok] xlwings: version" in out and "xlwings add-in" in out and "Interpreter_Win = " in out
    assert main(["excel-setup", str(book), "--for", "mac"]) == 0
    conf = {r[0]: r[1] for r in load_workbook(book, keep_vba=True)["xlwings.conf"].iter_rows(values_only=True)}
    assert conf["UDF Modules"] == "xl_upr.udfs"
    assert conf["Interpreter_Win"] == conf["Interpreter_Mac"] == sys.executable
    with zipfile.ZipFile(TEMPLATE) as before, zipfile.ZipFile(book) as after:
        changed = [n for n in before.namelist() if before.read(n) != after.read(n)]
        assert sorted(before.namelist()) == sorted(after.namelist())
    assert len(changed) == 1 and changed[0].startswith("xl/worksheets/")  # buttons, VBA, every other part kept
    assert module_source(book, "Reconcile") == module_source(TEMPLATE, "Reconcile")
    assert len(list(tmp_path.glob("ours.backup-*.xlsm"))) >= 1


def test_excel_setup_refuses_an_open_workbook_and_one_without_conf(tmp_path, capsys):
    from xl_upr.cli import main

    book = tmp_path / "open.xlsm"
    shutil.copy(TEMPLATE, book)
    (tmp_path / "~$open.xlsm").write_bytes(b"owner")
    assert main(["excel-setup", str(book), "--for", "win"]) == 2
    assert "open in Excel" in capsys.readouterr().err
    plain = WORKBOOKS / "template.xlsx"
    copy = tmp_path / "plain.xlsx"
    shutil.copy(plain, copy)
    assert main(["excel-setup", str(copy), "--for", "mac"]) == 2
    assert "no sheet 'xlwings.conf'" in capsys.readouterr().err
    assert copy.read_bytes() == plain.read_bytes()
