"""Layout of what xl-upr writes with openpyxl: wrapped, top-aligned rows as tall as their text,
print set-up, the collapsed helper group, and the Summary sheet with its chart."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import Outline

from xl_upr.reconcile import Plan
from xl_upr.sheets import SUMMARY
from xl_upr.summary import STATUSES, SummarySheet, summary_sheet

#: Points per wrapped line, and the most lines a row is made tall for.
LINE_HEIGHT, MAX_LINES = 15, 12
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEAD_ALIGN = Alignment(wrap_text=True, vertical="center")
LINK_FONT = Font(color="0563C1", underline="single")
_WRAP = Alignment(wrap_text=True, vertical="top")
_STATUS_COLOURS = {"Repeated": "F8CBAD", "Similar": "FFE699", "New": "C6EFCE"}


def print_setup(ws: Any) -> None:
    """Landscape, fit to the page width (as many pages down as needed)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def group_helpers(ws: Any, columns: Iterable[int]) -> None:
    """Put columns in a collapsed outline group; its + button sits above the column before it."""
    columns = sorted(columns)
    for c in columns:
        dim = ws.column_dimensions[get_column_letter(c)]
        dim.outlineLevel, dim.hidden = 1, True
    if columns:
        ws.column_dimensions.max_outline = 1  # openpyxl computes it only after writing outlineLevelCol
        ws.sheet_properties.outlinePr = Outline(summaryBelow=True, summaryRight=False)
        if columns[0] > 1:
            ws.column_dimensions[get_column_letter(columns[0] - 1)].collapsed = True


def keep_outlines(wb: Any) -> None:
    """Make openpyxl write each sheet's column outline level (it computes it only after writing
    the header that needs it, so a loaded workbook would lose its outline buttons on save)."""
    for ws in wb.worksheets:
        levels = [d.outlineLevel or 0 for d in ws.column_dimensions.values()]
        if any(levels):
            ws.column_dimensions.max_outline = max(levels)


def fit_rows(ws: Any, rows: Iterable[int], columns: Iterable[int]) -> None:
    """Wrap and top-align the given cells and make each row as tall as its longest text in a
    visible column (Excel does not grow a row for wrapped text written by a program)."""
    columns = list(columns)
    visible = {c: ws.column_dimensions[get_column_letter(c)].width or 13 for c in range(1, ws.max_column + 1)
               if not ws.column_dimensions[get_column_letter(c)].hidden}
    for r in rows:
        lines = 1
        for c in columns:
            ws.cell(row=r, column=c).alignment = _WRAP
        for c, width in visible.items():
            value = ws.cell(row=r, column=c).value
            if isinstance(value, str) and value:
                lines = max(lines, -(-len(value) // max(1, int(width * 1.25))))
        ws.row_dimensions[r].height = LINE_HEIGHT * min(lines, MAX_LINES)


def write_summary(wb: Any, plan: Plan) -> None:
    """Rewrite the Summary sheet (same place in the workbook; added at the end if missing) with
    the counts and a stacked bar chart of status by theme."""
    index = wb.sheetnames.index(SUMMARY) if SUMMARY in wb.sheetnames else len(wb.sheetnames)
    if SUMMARY in wb.sheetnames:
        wb.remove(wb[SUMMARY])
    ws = wb.create_sheet(SUMMARY, index)
    layout = summary_sheet(plan.results)
    for values in layout.rows:
        ws.append([v for v in values])
    ws["A1"].font = Font(bold=True, size=13)
    for r in range(layout.share_rows[0], layout.share_rows[1] + 1):
        ws.cell(row=r, column=3).number_format = "0.0%"
    for r, values in enumerate(layout.rows, start=1):
        if len(values) > 1 and r > 1 and all(isinstance(v, str) for v in values):  # a table's header
            for c in range(1, len(values) + 1):
                ws.cell(row=r, column=c).font = Font(bold=True, color="FFFFFF")
                ws.cell(row=r, column=c).fill = HEADER_FILL
    ws.column_dimensions["A"].width = 44
    for letter in "BCDEF":
        ws.column_dimensions[letter].width = 13
    if layout.chart_last > layout.theme_header:
        ws.add_chart(_theme_chart(ws, layout), "H3")
    print_setup(ws)


def _theme_chart(ws: Any, layout: SummarySheet) -> BarChart:
    """Stacked bars: recommendations per theme, coloured by status."""
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "bar", "stacked", 100
    chart.title = "Recommendations by theme and status"
    chart.y_axis.title = "Recommendations"
    chart.add_data(Reference(ws, min_col=2, max_col=1 + len(STATUSES), min_row=layout.theme_header,
                             max_row=layout.chart_last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=layout.theme_header + 1, max_row=layout.chart_last))
    for series, status in zip(chart.series, STATUSES):
        series.graphicalProperties.solidFill = _STATUS_COLOURS[status]
    chart.x_axis.scaling.orientation = "maxMin"  # largest theme on top
    chart.height, chart.width = max(7.5, 0.6 * (layout.chart_last - layout.theme_header) + 3), 18
    return chart
