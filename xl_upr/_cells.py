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
    if not isinstance(value, str):
        return value
    if value.isascii() and value.isprintable():
        return value
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
    value = fit_cell(value)
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
