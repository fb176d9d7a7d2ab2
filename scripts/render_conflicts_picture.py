"""Render docs/merge-conflicts.png: the Conflicts sheet of three members' copies merged.

    python scripts/render_conflicts_picture.py      (needs LibreOffice `soffice` and poppler's `pdftoppm`)

BASE is the reconciled demo; Alice, Bob and Carol each type into their own copy, two of them
into the same cells, and Bob deletes a row Carol annotates.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from _render import first_page_png, print_only  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from xl_upr.merge import CONFLICTS  # noqa: E402
from xl_upr.merge_workbook import merge_workbooks  # noqa: E402
from xl_upr.workbook import reconcile_file  # noqa: E402

EDITS = {  # copy -> (sheet, ID, column, value); None deletes the row
    "alice.xlsx": [("New", "A/HRC/28/10 124.1", "Assessment", "Partly: torture criminalised in the 2014 Criminal Code"),
                   ("New", "A/HRC/28/10 124.3", "Reviewer decision", "Confirm"),
                   ("Prior", "A/HRC/14/10 95.1", "Implementation", "Partially implemented"),
                   ("New", "A/HRC/28/10 124.8", "Notes", "Ask the Ombudsman's office")],
    "bob.xlsx": [("New", "A/HRC/28/10 124.1", "Assessment", "Not implemented: narrower than CAT article 1"),
                 ("Prior", "A/HRC/14/10 95.1", "Implementation", "Fully implemented"),
                 ("New", "A/HRC/28/10 124.5", None, None)],
    "carol.xlsx": [("New", "A/HRC/28/10 124.3", "Reviewer decision", "Reject"),
                   ("New", "A/HRC/28/10 124.5", "Notes", "Raised at the 2016 NGO briefing")],
}


def make_copy(base: Path, target: Path, edits: list[tuple[str, str, str | None, str | None]]) -> Path:
    wb = load_workbook(base)
    for sheet, rid, column, value in edits:
        ws = wb[sheet]
        head = {c.value: c.column for c in ws[1]}
        row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value == rid)
        if column is None:
            ws.delete_rows(row)
        else:
            ws.cell(row=row, column=head[column]).value = value
    wb.save(target)
    return target


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        base = work / "coalition.xlsx"
        reconcile_file(ROOT / "workbooks" / "kazakhstan-demo.xlsx", output=base)
        make_copy(base, base, [("Prior", "A/HRC/14/10 95.1", "Implementation", "Not implemented")])
        copies = [make_copy(base, work / name, edits) for name, edits in EDITS.items()]
        merged = work / "merged.xlsx"
        plan = merge_workbooks(base, copies, merged)
        print(plan.summary())
        print_only(merged, CONFLICTS)
        wb = load_workbook(merged)
        ws = wb[CONFLICTS]
        ws.print_area = f"A1:{ws.cell(row=1, column=ws.max_column).column_letter}{ws.max_row}"
        wb.save(merged)
        target = ROOT / "docs" / "merge-conflicts.png"
        first_page_png(merged, target, dpi=200, x=130, y=180, width=1900, height=190)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
