"""Shared step of the README picture scripts: a workbook's first printed page as a PNG crop."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def print_only(book: Path, sheet: str) -> None:
    """Hide every sheet of ``book`` but ``sheet`` and make it the active one (what gets printed)."""
    from openpyxl import load_workbook

    wb = load_workbook(book)
    for name in wb.sheetnames:
        if name != sheet:
            wb[name].sheet_state = "hidden"
    wb.active = wb.sheetnames.index(sheet)
    wb.save(book)


def first_page_png(book: Path, target: Path, *, dpi: int, x: int, y: int, width: int, height: int) -> None:
    """Print ``book`` to PDF with headless LibreOffice and save a crop of page 1 as ``target``."""
    work = book.parent
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{work}/u",
                    "--convert-to", "pdf", "--outdir", str(work), str(book)], check=True, capture_output=True)
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", str(dpi), "-x", str(x), "-y", str(y), "-W", str(width),
                    "-H", str(height), "-png", "-singlefile", str(book.with_suffix(".pdf")), str(work / "page")],
                   check=True)
    shutil.copy(work / "page.png", target)
