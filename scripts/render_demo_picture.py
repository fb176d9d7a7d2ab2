"""Render docs/demo-reconciled.png: the reconciled demo's New sheet as LibreOffice prints it —
the real sheet, unchanged (its own page set-up, column widths and collapsed helper group); the
other sheets are only left out of the print.

    python scripts/render_demo_picture.py      (needs LibreOffice `soffice` and poppler's `pdftoppm`)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from _render import first_page_png, print_only  # noqa: E402

from xl_upr.workbook import reconcile_file  # noqa: E402


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        book = work / "demo.xlsx"
        reconcile_file(ROOT / "workbooks" / "kazakhstan-demo.xlsx", output=book)
        print_only(book, "New")
        # The top of page 1 (the header and the first rows), at a resolution the README can show.
        target = ROOT / "docs" / "demo-reconciled.png"
        first_page_png(book, target, dpi=150, x=0, y=120, width=1490, height=620)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
