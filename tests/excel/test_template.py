"""The macro-enabled template at file level, and every shipped workbook in LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
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
