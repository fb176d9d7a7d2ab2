"""Safe opening of workbooks that come from other people."""

from __future__ import annotations

import gc
import zipfile
from pathlib import Path
from typing import Any

from xl_upr.errors import WorkbookError

#: Refuse workbooks whose parts unpack to more than this (protects against zip bombs).
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
#: Refuse a single part that expands more than this ratio (typical of crafted bombs).
MAX_RATIO = 200


def lock_file(path: Path) -> Path:
    """Excel's owner file for ``path`` (``~$name.xlsx``) — present while Excel holds it."""
    return path.with_name("~$" + path.name)


def check_workbook_file(path: Path) -> None:
    """Raise `WorkbookError` unless ``path`` is a plausible, reasonably sized .xlsx/.xlsm."""
    if not path.exists():
        raise WorkbookError(f"{path}: file not found")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise WorkbookError(f"{path}: not an .xlsx or .xlsm workbook")
    if not zipfile.is_zipfile(path):
        raise WorkbookError(f"{path}: not a workbook (the file is not an Office Open XML package)")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as err:
        raise WorkbookError(f"{path}: damaged workbook ({err})") from None
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED_BYTES:
        raise WorkbookError(f"{path}: workbook unpacks to {total // 2**20} MiB, over the "
                            f"{MAX_UNPACKED_BYTES // 2**20} MiB limit; split it or remove unused sheets")
    for info in infos:
        if info.compress_size and info.file_size > 1_000_000 and \
                info.file_size / info.compress_size > MAX_RATIO:
            raise WorkbookError(f"{path}: part {info.filename} expands {info.file_size // info.compress_size}x; "
                                "refusing a suspected zip bomb")
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        raise WorkbookError(f"{path}: not an Excel workbook (no xl/workbook.xml part)")


def form_controls(path: Path) -> list[str]:
    """Parts holding form controls (buttons) — openpyxl cannot write those back."""
    try:
        with zipfile.ZipFile(path) as zf:
            return [n for n in zf.namelist() if n.startswith("xl/ctrlProps/") or
                    (n.startswith("xl/drawings/vmlDrawing") and b'ObjectType="Button"' in zf.read(n))]
    except (zipfile.BadZipFile, OSError):
        return []


def open_workbook(path: str | Path, *, read_only: bool = False, keep_vba: bool = False) -> Any:
    """Open a workbook with openpyxl after `check_workbook_file`; errors become `WorkbookError`."""
    import openpyxl
    from openpyxl.xml import DEFUSEDXML

    path = Path(path)
    check_workbook_file(path)
    if not DEFUSEDXML:  # pragma: no cover - defusedxml is a hard dependency
        raise WorkbookError("defusedxml is not installed; reinstall xl-upr to read workbooks safely")
    collecting = gc.isenabled()
    gc.disable()  # millions of cells, no cycles worth collecting meanwhile: about a fifth faster on large sheets
    try:
        return openpyxl.load_workbook(path, read_only=read_only, keep_vba=keep_vba,
                                      keep_links=True, rich_text=not read_only)
    except Exception as err:  # openpyxl raises many types for malformed parts
        raise WorkbookError(f"{path}: cannot read the workbook ({type(err).__name__}: {err})") from None
    finally:
        if collecting:
            gc.enable()


def widen_table(table: Any, last_column: int, headers: list[str]) -> None:
    """Grow an Excel table (and its filter) to ``last_column`` and name its new columns."""
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.cell import coordinate_from_string
    from openpyxl.worksheet.table import TableColumn

    start, end = table.ref.split(":")
    _, end_row = coordinate_from_string(end)
    table.ref = f"{start}:{get_column_letter(last_column)}{end_row}"
    if table.autoFilter is not None:
        table.autoFilter.ref = table.ref
    next_id = max((tc.id for tc in table.tableColumns), default=0) + 1
    for k, header in enumerate(headers):
        table.tableColumns.append(TableColumn(id=next_id + k, name=header))
