"""The Reconcile script for Excel on the web and Mac (xlwings Server / Lite task pane)."""

from __future__ import annotations

import xlwings as xw

from xl_upr.errors import XlUprError
from xl_upr.livebook import reconcile_book


@xw.script(button="[xlUprReconcile]New!A1", show_taskpane=True)
def reconcile_workbook(book: xw.Book):
    """Fill the status columns of the New sheet from the Prior and Treaty bodies sheets."""
    try:
        plan = reconcile_book(book)
        text = f"xl-upr: {plan.report()}"
    except XlUprError as err:
        text = f"xl-upr could not reconcile: {err}"
    book.app.alert(text, title="xl-upr")
