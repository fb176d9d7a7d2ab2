"""Record: the shape every stage passes on, and loading/saving records as CSV, XLSX or JSON."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from xl_upr._cells import text as _cell
from xl_upr.errors import InputError

#: Columns written by `write_records`, in this order.
COLUMNS = (
    "id", "paragraph", "text", "recommending_states", "response", "cycle", "document",
    "mechanism", "year", "implementation", "themes", "follow_up",
)

#: Header spellings accepted for the two required columns (case-insensitive).
_ALIASES = {
    "id": ("id", "paragraph id", "recommendation id", "rec id", "symbol"),
    "text": ("text", "recommendation", "recommendation text", "paragraph text"),
}


@dataclass(frozen=True)
class Record:
    """One recommendation or treaty-body paragraph.

    Only ``id`` and ``text`` are required; the rest is what the source states.
    """

    id: str
    text: str
    paragraph: str = ""
    states: tuple[str, ...] = ()
    response: str = ""
    cycle: str = ""
    document: str = ""
    mechanism: str = ""
    year: str = ""
    implementation: str = ""
    themes: tuple[str, ...] = ()
    follow_up: bool = False
    extra: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    def as_row(self) -> dict[str, str]:
        """The record as a flat row of strings (lists joined with '; ')."""
        row = {k: v for k, v in asdict(self).items() if k != "extra"}
        row["recommending_states"] = "; ".join(row.pop("states"))
        row["themes"] = "; ".join(row["themes"])
        row["follow_up"] = "yes" if self.follow_up else ""
        return {c: str(row.get(c, "")) for c in COLUMNS}


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in value.replace("|", ";").split(";") if p.strip())


def records_from_rows(rows: Iterable[Mapping[str, Any]], source: str) -> list[Record]:
    """Build records from dict rows, checking ids and texts.

    Raises `InputError` naming ``source`` and the row for a missing column, an empty
    text or a duplicate id.
    """
    rows = list(rows)
    if not rows:
        raise InputError(f"{source}: no rows found; it needs columns 'id' and 'text'")
    headers = {str(k).strip().lower(): k for k in rows[0].keys() if k is not None}
    key = {}
    for want, aliases in _ALIASES.items():
        found = next((headers[a] for a in aliases if a in headers), None)
        if found is None:
            raise InputError(
                f"{source}: no '{want}' column (found: {', '.join(map(str, rows[0].keys()))}); "
                f"add a column headed '{want}'"
            )
        key[want] = found
    known = {f.name for f in fields(Record)} | {"recommending_states"}
    out: list[Record] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(rows, start=2):
        row = {str(k).strip().lower(): _cell(v) for k, v in raw.items() if k is not None}
        rid, text = _cell(raw.get(key["id"])), _cell(raw.get(key["text"]))
        if not rid and not text:
            continue
        if not rid:
            raise InputError(f"{source}: row {n} has text but an empty id; give every row an id")
        if not text:
            raise InputError(f"{source}: row {n} (id {rid!r}) has an empty text")
        if rid in seen:
            raise InputError(f"{source}: id {rid!r} appears twice (rows {seen[rid]} and {n}); "
                             "ids must be unique")
        seen[rid] = n
        out.append(Record(
            id=rid, text=text,
            paragraph=row.get("paragraph", ""),
            states=_split_list(row.get("recommending_states", row.get("states", ""))),
            response=row.get("response", "").lower(),
            cycle=row.get("cycle", ""),
            document=row.get("document", ""),
            mechanism=row.get("mechanism", ""),
            year=row.get("year", ""),
            implementation=row.get("implementation", ""),
            themes=_split_list(row.get("themes", "")),
            follow_up=row.get("follow_up", "").lower() in {"yes", "true", "1", "x"},
            extra={k: v for k, v in row.items() if k not in known and k not in ("id", "text")},
        ))
    if not out:
        raise InputError(f"{source}: every row is empty; it needs ids and texts")
    return out


def load_records(path: str | Path, sheet: str | None = None) -> list[Record]:
    """Read records from a .csv, .xlsx/.xlsm (first or named sheet) or .json file.

    Raises `InputError` naming the file (and row) for a missing file or column, an empty
    text or a duplicate id.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return records_from_rows(_read_csv(path), str(path))
    if suffix in (".xlsx", ".xlsm"):
        return records_from_rows(_read_xlsx(path, sheet), f"{path}" + (f" [{sheet}]" if sheet else ""))
    if suffix == ".json":
        return records_from_rows(_read_json(path), str(path))
    raise InputError(f"{path}: unsupported file type {suffix or '(none)'}; use .csv, .xlsx or .json")


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))
    except UnicodeDecodeError:
        with path.open(encoding="cp1252", newline="") as fh:
            return list(csv.DictReader(fh))
    except (OSError, csv.Error) as err:
        raise InputError(f"{path}: cannot read as CSV ({err})") from None


def _read_json(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"{path}: cannot read as JSON ({err})") from None
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        data = data["records"]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise InputError(f"{path}: JSON must be a list of objects with 'id' and 'text'")
    return data


def _read_xlsx(path: Path, sheet: str | None) -> list[dict[str, Any]]:
    from xl_upr._xlsx import open_workbook

    wb = open_workbook(path, read_only=True)
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise InputError(f"{path}: no sheet {sheet!r} (sheets: {', '.join(wb.sheetnames)})")
        ws = wb[sheet] if sheet else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if not header:
            raise InputError(f"{path} [{ws.title}]: the sheet is empty")
        names = [_cell(h) or f"column {i}" for i, h in enumerate(header, start=1)]
        return [dict(zip(names, r)) for r in rows if any(v not in (None, "") for v in r)]
    finally:
        wb.close()


def write_records(records: Sequence[Record], path: str | Path) -> Path:
    """Write records to .csv, .xlsx or .json (by suffix) with the columns of `COLUMNS`."""
    from xl_upr._cells import safe_text, set_cell

    path = Path(path)
    rows = [r.as_row() for r in records]
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows({k: safe_text(v) for k, v in row.items()} for row in rows)
    elif suffix == ".json":
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    elif suffix == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "Records"
        ws.append(list(COLUMNS))
        for r, row in enumerate(rows, start=2):
            for c, name in enumerate(COLUMNS, start=1):
                set_cell(ws.cell(row=r, column=c), row[name])
        wb.save(path)
    else:
        raise InputError(f"{path}: unsupported output type {suffix or '(none)'}; use .csv, .xlsx or .json")
    return path
