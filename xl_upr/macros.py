"""The desktop Reconcile button: `RunPython "import xl_upr.macros as m; m.reconcile()"`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import xlwings as xw

from xl_upr.errors import XlUprError
from xl_upr.livebook import reconcile_book


def _status_bar(book: Any) -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        try:
            book.app.status_bar = f"xl-upr: reconciling {done} of {total}" if done < total else False
        except Exception:  # Excel on the web has no status bar: progress is simply not shown there
            pass
    return show


def reconcile() -> str:
    """Reconcile the workbook that called the macro; show progress and a closing summary."""
    book = xw.Book.caller()
    try:
        plan = reconcile_book(book, progress=_status_bar(book))
        text = f"xl-upr: {plan.report()}"
    except XlUprError as err:
        text = f"xl-upr could not reconcile: {err}"
    _status_bar(book)(1, 1)
    book.app.alert(text, title="xl-upr")
    return text
