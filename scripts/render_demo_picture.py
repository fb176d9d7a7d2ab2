"""Render docs/demo-reconciled.png: the reconciled demo's New sheet as LibreOffice prints it.

    python scripts/render_demo_picture.py      (needs LibreOffice `soffice` and poppler's `pdftoppm`)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from openpyxl import load_workbook  # noqa: E402

from xl_upr.workbook import reconcile_file  # noqa: E402

SHOWN = ("ID", "Recommendation", "Status", "Match ID", "Match score", "Prior cycle", "Prior response",
         "Times recommended before", "Why")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        book = work / "demo.xlsx"
        reconcile_file(ROOT / "workbooks" / "kazakhstan-demo.xlsx", output=book)
        wb = load_workbook(book)
        for name in wb.sheetnames:
            if name != "New":
                wb[name].sheet_state = "hidden"
        ws = wb["New"]
        for cell in ws[1]:
            ws.column_dimensions[cell.column_letter].hidden = cell.value not in SHOWN
        ws.column_dimensions["B"].width = 70
        for header, width in (("Match score", 9), ("Prior cycle", 11), ("Times recommended before", 11),
                              ("Why", 44)):
            col = next(c.column_letter for c in ws[1] if c.value == header)
            ws.column_dimensions[col].width = width
        ws.row_dimensions[1].height = 30
        ws.print_area = f"A1:{ws.cell(row=1, column=ws.max_column).column_letter}26"
        ws.page_setup.orientation = "landscape"
        wb.save(book)
        subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{work}/u",
                        "--convert-to", "pdf", "--outdir", str(work), str(book)], check=True, capture_output=True)
        subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "120", "-png", "-singlefile", str(work / "demo.pdf"),
                        str(work / "page")], check=True)
        target = ROOT / "docs" / "demo-reconciled.png"
        shutil.copy(work / "page.png", target)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
