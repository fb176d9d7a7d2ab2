"""The Summary sheet: counts by status, theme and recommending State, and how often each
recommendation was made before — aggregated with pandas from a Plan's row results.

The sheet is rewritten at each run that changes the workbook; `summary_sheet` lays it out as
plain rows (for openpyxl and xlwings alike) and says where the theme table is, for the chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from xl_upr.reconcile import RowResult

STATUSES = ("Repeated", "Similar", "New")
#: Themes (largest first) the chart shows; the table lists them all.
CHART_THEMES = 15
NO_THEME = "(no theme given)"


@dataclass(frozen=True)
class SummarySheet:
    """The Summary sheet as rows of values, and the theme table's place for the chart
    (worksheet rows of its header and last row; themes in column A, statuses in B-D), and the
    rows of the status table whose column C is a share (formatted as a percentage)."""

    rows: list[list[Any]]
    theme_header: int
    theme_last: int
    share_rows: tuple[int, int] = (4, 7)

    @property
    def chart_last(self) -> int:
        """Last theme row the chart covers (named themes only, when there are any)."""
        named = self.theme_last - (self.rows[self.theme_last - 1][0] == NO_THEME)
        return min(named if named > self.theme_header else self.theme_last, self.theme_header + CHART_THEMES)


def _frame(results: Sequence[RowResult]) -> Any:
    import pandas as pd

    return pd.DataFrame([{"row": r.row, "status": r.status, "times": r.times_before,
                          "states": list(r.states) or ["(none given)"],
                          "themes": list(r.themes) or [NO_THEME], "inferred": r.themes_from != "source"}
                         for r in results], columns=["row", "status", "times", "states", "themes", "inferred"])


def _by(df: Any, column: str, label: str) -> Any:
    """Status counts per value of a list column (a row counts once under each of its values)."""
    import pandas as pd

    exploded = df.explode(column)
    table = exploded.groupby([column, "status"]).size().unstack(fill_value=0) \
        .reindex(columns=list(STATUSES), fill_value=0) if len(exploded) else pd.DataFrame(columns=list(STATUSES))
    table["Total"] = table.sum(axis=1)
    table = table.sort_values(["Total", *STATUSES], ascending=False, kind="stable")
    table.index.name = label
    return table


def summary_sheet(results: Sequence[RowResult]) -> SummarySheet:
    """Lay out the Summary sheet for a reconciliation's row results.

    >>> r = RowResult(2, "N1", "Repeated", "P1", 1, ("Spain",), ("disability",), "source")
    >>> s = summary_sheet([r])
    >>> s.rows[s.theme_header - 1][:5], s.rows[s.theme_header][:5]
    (['Theme', 'Repeated', 'Similar', 'New', 'Total'], ['disability', 1, 0, 0, 1])
    """
    df = _frame(results)
    total = len(df)
    if not total:
        empty: list[list[Any]] = [["xl-upr summary of the New sheet: no recommendations yet"], [],
                                  ["Status", "Recommendations", "Share"], *([s, 0, 0] for s in STATUSES),
                                  ["Total", 0, 0], [], ["Theme", *STATUSES, "Total", "Inferred"]]
        return SummarySheet(empty, len(empty), len(empty), (4, 7))
    rows: list[list[Any]] = [["xl-upr summary of the New sheet (rewritten at each run; edits here are lost)"], []]
    counts = df["status"].value_counts().reindex(list(STATUSES), fill_value=0)
    rows.append(["Status", "Recommendations", "Share"])
    share_first = len(rows) + 1
    for status, n in counts.items():
        rows.append([status, int(n), round(n / total, 3) if total else 0])
    rows += [["Total", total, 1 if total else 0], []]
    share_rows = (share_first, len(rows) - 1)

    before = int((df["times"] > 0).sum())
    rows.append(["Times recommended before", "Recommendations"])
    times = df["times"].clip(upper=4).value_counts().reindex(range(5), fill_value=0)
    for k, n in times.items():
        rows.append([f"{k} or more" if k == 4 else k, int(n)])
    rows += [["Recommended before (once or more)", before],
             ["Average times before, of those", round(float(df.loc[df["times"] > 0, "times"].mean()), 2)
              if before else 0], []]

    themes = _by(df, "themes", "Theme")
    themes = themes.loc[[t for t in themes.index if t != NO_THEME] + [t for t in themes.index if t == NO_THEME]]
    inferred = df[df["inferred"]].explode("themes")["themes"].value_counts()
    rows.append(["Theme", *STATUSES, "Total", "Inferred"])
    theme_header = len(rows)
    for theme, line in themes.iterrows():
        rows.append([theme, *(int(line[s]) for s in STATUSES), int(line["Total"]),
                     int(inferred.get(theme, 0)) if theme != NO_THEME else None])
    theme_last = len(rows)
    rows += [["Inferred: counted under the themes of the matched earlier record, or of the wording, "
              "because the row names none"], []]

    rows.append(["Recommending State", *STATUSES, "Total"])
    for state, line in _by(df, "states", "Recommending State").iterrows():
        rows.append([state, *(int(line[s]) for s in STATUSES), int(line["Total"])])
    return SummarySheet(rows, theme_header, theme_last, share_rows)
