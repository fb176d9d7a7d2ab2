"""Rebuild workbooks/template.xlsm: the coalition template with the VBA module, a Reconcile
button on the New sheet and the xlwings.conf sheet.

    pip install '.[build]' && python scripts/build_xlsm.py

openpyxl cannot write VBA and drops form buttons, so this file is written with XlsxWriter
(which embeds a vbaProject.bin and inserts a button bound to a macro); the vbaProject.bin is
made by ms-ovba from macros/Reconcile.bas and the xlwings VBA module that ships with xlwings
(standalone mode: no add-in reference needed for the button).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import xlsxwriter  # noqa: E402
import xlwings  # noqa: E402

from xl_upr.reconcile import OWNED, PEOPLE  # noqa: E402
from xl_upr.settings import MatchSettings  # noqa: E402
from xl_upr.workbook import (  # noqa: E402
    COLUMNS,
    DECISION_OPTIONS,
    HELPERS,
    LINE_HEIGHT,
    SETTING_HELP,
    TABLE_NAMES,
    WIDTHS,
)

#: The Reconcile button sits in the frozen header cell of Recommendation, right of its title:
#: visible without scrolling, whichever way the sheet is scrolled.
BUTTON = {"macro": "Reconcile", "caption": "Reconcile", "width": 110, "height": 34, "x_offset": 140,
          "y_offset": 12}
#: xlwings.conf: the UDF module, and the interpreter rows `xl-upr excel-setup BOOK` fills in (empty:
#: xlwings starts `pythonw` / `python` from the PATH).
CONF = [["UDF Modules", "xl_upr.udfs"], ["Interpreter_Win", ""], ["Interpreter_Mac", ""]]

VALIDATIONS = {  # sheet, header -> (options, strict)
    ("New", "Status"): ("Repeated,Similar,New", True),
    ("New", "Response"): ("Supported,Noted,Pending,Supported/Noted", False),
    ("New", "Prior response"): ("Supported,Noted,Pending,Supported/Noted", False),
    ("New", "Reviewer decision"): (DECISION_OPTIONS, False),
    ("Prior", "Response"): ("Supported,Noted,Pending,Supported/Noted", False),
    ("Prior", "Implementation"): ("Fully implemented,Partially implemented,Not implemented", False),
    ("Treaty bodies", "Follow-up grade"): ("A,B,B1,B2,C,C1,C2,D,E", False),
}


def literal_container(data: bytes) -> bytes:
    """An MS-OVBA compressed container that is trivially correct: every full 4096-byte chunk
    stored raw (the format's uncompressed chunk), the last chunk as literal tokens only.

    ms-ovba 0.0.1's own compressor garbles long modules (its copy tokens decode wrongly), so
    the build swaps this in.  A last chunk too long for literal tokens (3641-4095 bytes) is
    completed with trailing blank lines, which VBA ignores.
    """
    tail = len(data) % 4096
    if tail > 3640:
        pad = 4096 - tail
        data += b" " * (pad % 2) + b"\r\n" * (pad // 2)
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        chunk = data[start:start + 4096]
        if len(chunk) == 4096:
            out += (0x3000 | 4095).to_bytes(2, "little") + chunk
            continue
        body = bytearray()
        for k in range(0, len(chunk), 8):
            body += b"\x00" + chunk[k:k + 8]
        out += (0xB000 | (len(body) + 2 - 3)).to_bytes(2, "little") + body
    return bytes(out)


def vba_project(work: Path) -> Path:
    from ms_ovba.__main__ import main as ms_ovba_main
    from ms_ovba_compression.ms_ovba import MsOvba

    src = work / "src"
    src.mkdir()
    shutil.copy(ROOT / "macros" / "Reconcile.bas", src / "Reconcile.bas")
    shutil.copy(Path(xlwings.__file__).parent / "xlwings.bas", src / "xlwings.bas")
    MsOvba.compress = lambda self, data: literal_container(bytes(data))  # see literal_container
    argv, cwd = sys.argv, os.getcwd()
    try:
        sys.argv = ["ms_ovba", str(src)]
        os.chdir(work)
        ms_ovba_main()
    finally:
        sys.argv = argv
        os.chdir(cwd)
    return work / "vbaProject.bin"


def main() -> int:
    out = ROOT / "workbooks" / "template.xlsm"
    with tempfile.TemporaryDirectory() as tmp:
        vba = vba_project(Path(tmp))
        out.unlink(missing_ok=True)
        wb = xlsxwriter.Workbook(str(out))
        wb.set_properties({"title": "xl-upr coalition workbook", "created": dt.datetime(2026, 1, 1)})
        wb.add_vba_project(str(vba))
        wb.set_vba_name("ThisWorkbook")
        head = wb.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E78", "text_wrap": True,
                               "valign": "vcenter"})
        owned = wb.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#2E75B6", "text_wrap": True,
                                "valign": "vcenter"})
        people = wb.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#548235", "text_wrap": True,
                                 "valign": "vcenter"})
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        for name in ("New", "Summary", "Prior", "Treaty bodies", "Decisions", "Log"):
            ws = wb.add_worksheet(name)
            if name == "Summary":
                ws.write_string(0, 0, "xl-upr writes the summary here at each run")
                continue
            if name == "New":
                ws.set_vba_name("Sheet1")
            columns = COLUMNS[name]
            ws.add_table(0, 0, 1, len(columns) - 1, {"name": TABLE_NAMES[name], "style": "Table Style Medium 2",
                                                     "columns": [{"header": h} for h in columns]})
            for c, header in enumerate(columns):
                fmt = owned if name == "New" and header in OWNED else people if name == "New" and header in PEOPLE \
                    else head
                ws.write_string(0, c, header, fmt)
                helper = name == "New" and header in HELPERS
                ws.set_column(c, c, WIDTHS.get(header, 16), wrap, {"level": 1, "hidden": True} if helper else {})
            if name == "New":  # the helper group's + sits above the column before it (Notes)
                first = columns.index(HELPERS[0])
                ws.set_column(first - 1, first - 1, WIDTHS.get(columns[first - 1], 16), wrap, {"collapsed": True})
                ws.outline_settings(True, True, False, False)
            ws.set_row(0, 3 * LINE_HEIGHT)
            ws.repeat_rows(0)
            ws.set_landscape()
            ws.fit_to_pages(1, 0)
            for (sheet, header), (options, strict) in VALIDATIONS.items():
                if sheet == name:
                    c = columns.index(header)
                    ws.data_validation(1, c, 4999, c, {"validate": "list", "source": options.split(","),
                                                       "show_error": strict})
            ws.freeze_panes(1, 2 if name == "New" else 1)
            if name == "New":
                c = columns.index("Status")
                for value, colour in (("Repeated", "#F8CBAD"), ("Similar", "#FFE699"), ("New", "#C6EFCE")):
                    ws.conditional_format(1, c, 4999, c, {"type": "cell", "criteria": "==", "value": f'"{value}"',
                                                          "format": wb.add_format({"bg_color": colour})})
                ws.insert_button(0, 1, BUTTON)
        ws = wb.add_worksheet("Settings")
        ws.write_row(0, 0, ["Setting", "Value", "Meaning"], head)
        for r, (key, value) in enumerate(MatchSettings().as_dict().items(), start=1):
            ws.write_row(r, 0, [key, value, SETTING_HELP.get(key, "")])
        ws.write_row(len(MatchSettings().as_dict()) + 1, 0, ["state", "", "State under review (for your reference)"])
        ws.set_column(0, 0, 16)
        ws.set_column(2, 2, 80)
        conf = wb.add_worksheet("xlwings.conf")
        for r, row in enumerate(CONF):
            conf.write_row(r, 0, row)
        conf.set_column(0, 1, 24)
        wb.close()
    print(f"wrote {out} ({os.path.getsize(out)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
