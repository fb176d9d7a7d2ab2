"""`xl-upr excel-setup`: check xlwings and its add-in, and point a workbook's ``xlwings.conf``
sheet at the Python environment that runs this (``Interpreter_Win`` / ``Interpreter_Mac``).

The sheet is edited inside the workbook package (one worksheet part rewritten, every other
part copied byte for byte), so buttons and the VBA project survive — openpyxl would drop the
buttons.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from xml.sax.saxutils import escape

from defusedxml import ElementTree

from xl_upr._xlsx import check_workbook_file, lock_file
from xl_upr.errors import WorkbookError

CONF = "xlwings.conf"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


@dataclass(frozen=True)
class Check:
    """One line of the set-up report: what was checked, whether it is fine, and what to do."""

    what: str
    ok: bool
    detail: str


def interpreter_key(platform: str = sys.platform) -> str:
    """``Interpreter_Win`` on Windows, ``Interpreter_Mac`` on macOS."""
    if platform.startswith("win"):
        return "Interpreter_Win"
    if platform == "darwin":
        return "Interpreter_Mac"
    raise WorkbookError(f"desktop Excel runs on Windows or macOS, not {platform!r}; pass --for win or --for mac "
                        "to write the interpreter for one of them")


def interpreter_path(executable: str = sys.executable, platform: str = sys.platform) -> str:
    """The interpreter Excel should start: this environment's (``pythonw.exe`` on Windows, no console)."""
    exe = Path(executable)
    if platform.startswith("win") and exe.name.lower() == "python.exe" and (exe.parent / "pythonw.exe").exists():
        return str(exe.parent / "pythonw.exe")
    return str(exe)


def addin_candidates(platform: str = sys.platform) -> list[Path]:
    """Where ``xlwings addin install`` puts the add-in for the current user."""
    if platform.startswith("win"):
        return [Path(os.environ.get("APPDATA", "~")).expanduser() / "Microsoft" / "Excel" / "XLSTART" / "xlwings.xlam"]
    if platform == "darwin":
        return [Path("~/Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel/"
                     "xlwings.xlam").expanduser(),
                Path("~/Library/Containers/com.microsoft.Excel/Data/Library/Application Support/Microsoft/Office/"
                     "Startup/Excel/xlwings.xlam").expanduser()]
    return []


def checks(platform: str = sys.platform) -> list[Check]:
    """Is xlwings installed here, and is its Excel add-in installed?  Reports; installs nothing."""
    out = []
    try:
        out.append(Check("xlwings", True, f"version {metadata.version('xlwings')} in {sys.prefix}"))
    except metadata.PackageNotFoundError:
        out.append(Check("xlwings", False, f"not installed in {sys.prefix}; run: pip install xlwings"))
    places = addin_candidates(platform)
    found = next((p for p in places if p.exists()), None)
    if found:
        out.append(Check("xlwings add-in", True, f"found at {found}"))
    elif places:
        out.append(Check("xlwings add-in", False, f"not found at {places[0]}; run: xlwings addin install "
                         "(or rely on the xlwings VBA module that template.xlsm carries)"))
    else:
        out.append(Check("xlwings add-in", False, "no desktop Excel on this system (Windows or macOS only)"))
    return out


# ------------------------------------------------------------------ the xlwings.conf sheet
def _conf_part(zf: zipfile.ZipFile, path: Path) -> str:
    """The package part name of the xlwings.conf worksheet."""
    book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rid = next((s.get(f"{_REL}id") for s in book.iter(f"{_MAIN}sheet") if s.get("name") == CONF), None)
    if rid is None:
        raise WorkbookError(f"{path}: no sheet {CONF!r}; add an empty sheet named {CONF} and run again "
                            "(or use workbooks/template.xlsm, which has one)")
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target") for r in rels if r.get("Id") == rid)
    target = target.lstrip("/")
    return target if target.startswith("xl/") else "xl/" + target


def _shared_strings(zf: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in zf.namelist():
        return []
    root = ElementTree.fromstring(zf.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in si.iter(f"{_MAIN}t")) for si in root.iter(f"{_MAIN}si")]


def _key_rows(sheet_xml: bytes, strings: list[str]) -> tuple[dict[str, int], int]:
    """Setting name (column A, lower case) -> worksheet row; and the last row used."""
    root = ElementTree.fromstring(sheet_xml)
    found: dict[str, int] = {}
    last = 0
    for row in root.iter(f"{_MAIN}row"):
        r = int(row.get("r"))
        last = max(last, r)
        for c in row.iter(f"{_MAIN}c"):
            if c.get("r") != f"A{r}":
                continue
            if c.get("t") == "s":
                value = strings[int(c.findtext(f"{_MAIN}v") or 0)]
            elif c.get("t") == "inlineStr":
                value = "".join(t.text or "" for t in c.iter(f"{_MAIN}t"))
            else:
                value = c.findtext(f"{_MAIN}v") or ""
            found.setdefault(value.strip().lower(), r)
    return found, last


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def _set_settings(sheet_xml: bytes, strings: list[str], values: dict[str, str]) -> bytes:
    """The worksheet XML with column B of each setting's row set (rows added when missing);
    everything else in the part is kept as written."""
    xml = sheet_xml.decode("utf-8")
    rows, last = _key_rows(sheet_xml, strings)
    for key, value in values.items():
        r = rows.get(key.lower())
        if r is None:
            last += 1
            new_row = f'<row r="{last}">{_inline(f"A{last}", key)}{_inline(f"B{last}", value)}</row>'
            xml = xml.replace("<sheetData/>", f"<sheetData>{new_row}</sheetData>") if "<sheetData/>" in xml \
                else xml.replace("</sheetData>", new_row + "</sheetData>", 1)
            continue
        row = re.search(rf'<row r="{r}"[^>]*?(?:/>|>.*?</row>)', xml, re.S)
        assert row is not None  # the parse above found this row
        body = row.group(0)
        cell = re.search(rf'<c r="B{r}"[^>]*?(?:/>|>.*?</c>)', body, re.S)
        if cell:
            body = body[:cell.start()] + _inline(f"B{r}", value) + body[cell.end():]
        else:
            a_cell = re.search(rf'<c r="A{r}"[^>]*?(?:/>|>.*?</c>)', body, re.S)
            at = a_cell.end() if a_cell else body.index(">") + 1
            body = body[:at] + _inline(f"B{r}", value) + body[at:]
        xml = xml[:row.start()] + body + xml[row.end():]
    dim = re.search(r'<dimension ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"\s*/>', xml)
    if dim:
        end_col = max(dim.group(3) or dim.group(1) or "B", "B", key=lambda c: (len(c), c))
        end_row = max(int(dim.group(4) or dim.group(2) or 1), last)
        xml = xml[:dim.start()] + f'<dimension ref="A1:{end_col}{end_row}"/>' + xml[dim.end():]
    return xml.encode("utf-8")


def configure_workbook(path: str | Path, values: dict[str, str], *, backup: bool = True) -> Path | None:
    """Set settings (e.g. ``{"Interpreter_Win": …}``) on a workbook's xlwings.conf sheet.

    The workbook is written to a temporary file beside it, then replaces it; the previous file
    is kept as ``BOOK.backup-YYYYmmdd-HHMMSS.xlsm`` (returned) unless ``backup`` is false.
    """
    path = Path(path)
    check_workbook_file(path)
    if lock_file(path).exists():
        raise WorkbookError(f"{path}: the workbook is open in Excel (lock file {lock_file(path).name}); close it "
                            "and run again")
    with zipfile.ZipFile(path) as zf:
        part = _conf_part(zf, path)
        data = _set_settings(zf.read(part), _shared_strings(zf), values)
        tmp = path.with_name(f".{path.stem}.xl-upr-tmp{path.suffix}")
        try:
            with zipfile.ZipFile(tmp, "w") as out:
                for info in zf.infolist():
                    out.writestr(info, data if info.filename == part else zf.read(info.filename))
        except OSError as err:
            tmp.unlink(missing_ok=True)
            raise WorkbookError(f"{path}: cannot write ({err})") from None
    saved = None
    try:
        if backup:
            saved = path.with_name(f"{path.stem}.backup-{time.strftime('%Y%m%d-%H%M%S')}{path.suffix}")
            shutil.copy2(path, saved)
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise WorkbookError(f"{path}: cannot replace the workbook ({err.strerror or err}); is it open in another "
                            "program? Close it and run again — the file is unchanged") from None
    return saved
