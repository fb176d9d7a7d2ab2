"""Cell-level translation shared by the workbook writer and the Excel adapters."""

from __future__ import annotations

import math
import re
import warnings
from typing import Any

from xl_upr.errors import XlUprWarning

#: A cell text starting with one of these would be read by Excel as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Excel's limit on the characters of one cell.
MAX_CELL_CHARS = 32_767
_CUT_MARK = " [… cut: {n:,} characters over Excel's 32,767 limit]"
#: Characters XML 1.0 cannot hold (C0 controls but tab/newline/CR, lone surrogates) and the
#: Unicode noncharacters (U+FDD0-U+FDEF, U+xFFFE/U+xFFFF), which Excel refuses to open.
_NONCHARS = "\ufdd0-\ufdef" + "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(17))
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f]")
_BREAKS = re.compile("[\x0b\x0c]")
_REPLACED = re.compile(f"[\ud800-\udfff{_NONCHARS}]")


class TextCutWarning(XlUprWarning):
    """A text was cut to fit one Excel cell."""


def clean_text(value: Any) -> Any:
    r"""A text XML 1.0 (and so an .xlsx file) can hold: control characters dropped, vertical
    tab and form feed as line breaks, lone surrogates and noncharacters as U+FFFD.

    >>> clean_text("a\x00b\x0bc\ud800\uffff") == "ab\nc\ufffd\ufffd"
    True
    """
    if not isinstance(value, str) or value.isprintable():  # printable: none of the characters below (tested)
        return value
    return _scrub(value)


def _scrub(value: str) -> str:
    return _REPLACED.sub("\ufffd", _BREAKS.sub("\n", _CONTROLS.sub("", value)))


def fit_cell(value: Any) -> Any:
    """`clean_text`, cut to Excel's 32,767 characters with a visible note (and a
    `TextCutWarning`); a non-finite number becomes text, NaN an empty cell."""
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else str(value)
    value = clean_text(value)
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        over = len(value) - MAX_CELL_CHARS
        mark = _CUT_MARK.format(n=over + len(_CUT_MARK.format(n=over)))
        warnings.warn(TextCutWarning(f"a text of {len(value):,} characters was cut to Excel's {MAX_CELL_CHARS:,} "
                                     f"(it starts {value[:40]!r})"), stacklevel=3)
        value = value[:MAX_CELL_CHARS - len(mark)] + mark
    return value


def looks_like_formula(value: object) -> bool:
    """True when a text, typed into Excel or opened from CSV, would run as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def safe_text(value: Any) -> Any:
    """Value for a CSV cell: `clean_text`; texts that would run as formulas get a leading apostrophe."""
    value = clean_text(value)
    if looks_like_formula(value):
        return "'" + value
    return value


def set_cell(cell: Any, value: Any) -> None:
    """Write ``value`` into an openpyxl cell (the one place xl-upr does): `fit_cell`, and a
    formula-like text stays plain text."""
    value = fit_cell(value)
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
    if isinstance(value, str):
        return value.strip()
    return str(value).strip()


def number(value: Any, default: float) -> float:
    """A numeric argument from a cell: empty -> default; '70' -> 70.0; else ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, bool) or isinstance(value, (dict, list, tuple)):
        raise ValueError(f"expected a number, got {str(value)[:40]!r}")
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"expected a number, got {str(value)[:40]!r}") from None
    if math.isnan(result):
        return default
    return result


def excel_value(value: Any) -> Any:
    """Value to write through Excel itself (COM or Office.js): a formula-like text gets
    Excel's text prefix (an apostrophe, which Excel does not show) so it stays text."""
    value = fit_cell(value)
    if looks_like_formula(value):
        return "'" + value
    return value


def raw(value: Any) -> Any:
    """One cell as xlwings' raw converter passes it: empty ('' or JS null) -> None; an Excel
    error or a data type (Office.js sends a dict) -> None for an error, else its basic value."""
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        return None if value.get("type") == "Error" else value.get("basicValue")
    if type(value).__name__ == "JsNull":  # Pyodide >= 0.28 (xlwings Lite)
        return None
    return value


def scalar(value: Any, name: str) -> Any:
    """A one-cell argument (raw): a range of more than one cell or an Excel error is a ValueError."""
    if isinstance(value, (list, tuple)):
        flat = [v for r in value for v in (r if isinstance(r, (list, tuple)) else [r])]
        if len(flat) != 1:
            raise ValueError(f"{name} must be one cell, got a range of {len(flat)} cells")
        value = flat[0]
    if isinstance(value, dict) and value.get("type") == "Error":
        raise ValueError(f"{name} holds an Excel error ({value.get('basicValue', 'error')})")
    return raw(value)


def column(value: Any, name: str) -> list[str]:
    """A range argument (raw values) as a list of texts, one per cell of a single column or row."""
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        return [text(raw(value))]
    rows = [r if isinstance(r, (list, tuple)) else [r] for r in value]
    width = max((len(r) for r in rows), default=0)
    if width > 1 and len(rows) > 1:
        raise ValueError(f"{name} must be one column (or one row), got {len(rows)} rows x {width} columns")
    return [text(raw(v)) for r in rows for v in r]


def used_rows(name: str, max_rows: int, *columns: list[str]) -> int:
    """Rows to answer: all of them up to ``max_rows``; past that, up to the last non-empty one
    (a whole-column reference sends a million mostly empty rows); still more is a ValueError
    stating the limit."""
    rows = max((len(col) for col in columns), default=0)
    if rows <= max_rows:
        return rows
    used = max((i + 1 for col in columns for i in range(len(col) - 1, -1, -1) if col[i]), default=0)
    if used > max_rows:
        raise ValueError(f"{name} has {used:,} rows; this function takes at most {max_rows:,} at a time — "
                         "select a smaller range or split it")
    return used


def message(err: Exception) -> list[list[str]]:
    """A readable one-cell error for Excel (no Python stack)."""
    return [[f"#xl-upr: {err}"]]
