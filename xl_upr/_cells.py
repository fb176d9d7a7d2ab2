"""Cell-level translation shared by the workbook writer and the Excel adapters."""

from __future__ import annotations

import math
from typing import Any

#: A cell text starting with one of these would be read by Excel as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: object) -> bool:
    """True when a text, typed into Excel or opened from CSV, would run as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def safe_text(value: Any) -> Any:
    """Value for a CSV cell: texts that would run as formulas get a leading apostrophe."""
    if looks_like_formula(value):
        return "'" + value
    return value


def set_cell(cell: Any, value: Any) -> None:
    """Write ``value`` into an openpyxl cell; a formula-like text stays plain text."""
    cell.value = value
    if looks_like_formula(value):
        cell.data_type = "s"


def text(value: Any) -> str:
    """A cell value as text: empty and NaN -> '', whole floats without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value).strip()


def number(value: Any, default: float) -> float:
    """A numeric argument from a cell: empty -> default; '70' -> 70.0; else ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"expected a number, got {value!r}") from None
    if math.isnan(result):
        return default
    return result


def excel_value(value: Any) -> Any:
    """Value to write through Excel itself (COM or Office.js): a formula-like text gets
    Excel's text prefix (an apostrophe, which Excel does not show) so it stays text."""
    if looks_like_formula(value):
        return "'" + value
    return value


def column(value: Any, name: str) -> list[str]:
    """A range argument as a list of texts, one per cell of a single column or row."""
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        return [text(value)]
    rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in value]
    width = max((len(r) for r in rows), default=0)
    if width > 1 and len(rows) > 1:
        raise ValueError(f"{name} must be one column (or one row), got {len(rows)} rows x {width} columns")
    flat = [v for r in rows for v in r]
    return [text(v) for v in flat]


def message(err: Exception) -> list[list[str]]:
    """A readable one-cell error for Excel (no Python stack)."""
    return [[f"#xl-upr: {err}"]]
