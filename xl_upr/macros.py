"""The desktop Reconcile button: `RunPython "import xl_upr.macros as m; m.reconcile()"`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import xlwings as xw

from xl_upr.errors import XlUprError
from xl_upr.livebook import reconcile_book
from xl_upr.safe_write import KEEP_BACKUPS, backup_file
from xl_upr.sheets import SETTINGS, keep_backups


def _status_bar(book: Any, what: str = "reconciling") -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        try:
            book.app.status_bar = f"xl-upr: {what} {done} of {total}" if done < total else False
        except Exception:  # Excel on the web has no status bar: progress is simply not shown there
            pass
    return show


def _backup(book: Any) -> str:
    """Back up the workbook's file (as last saved) before the run writes; '' when it has none."""
    path = Path(book.fullname)
    if not path.is_file():  # never saved, or Excel on the web: there is no file to copy
        return ""
    names = [s.name for s in book.sheets]
    values = book.sheets[SETTINGS].used_range.value if SETTINGS in names else None
    keep = keep_backups(values if isinstance(values, list) else [], book.name, KEEP_BACKUPS)
    return f" Backup of the last saved file: {backup_file(path, keep).name}." if keep else ""


def reconcile() -> str:
    """Reconcile the workbook that called the macro (after backing up its file); show progress
    and a closing summary."""
    book = xw.Book.caller()
    try:
        saved = _backup(book)
        plan = reconcile_book(book, progress=_status_bar(book),
                              embedding=_status_bar(book, "embedding the earlier records (first time only):"))
        text = f"xl-upr: {plan.report()}{saved}"
    except XlUprError as err:
        text = f"xl-upr could not reconcile: {err}"
    _status_bar(book)(1, 1)
    book.app.alert(text, title="xl-upr")
    return text
