"""Record: the shape every stage passes on, and loading/saving records as CSV, XLSX or JSON."""

from __future__ import annotations

import codecs
import csv
import json
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from xl_upr._cells import text as _cell
from xl_upr.errors import InputError, XlUprWarning

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


@dataclass(frozen=True, slots=True)
class Record:
    """One recommendation or treaty-body paragraph.

    Only ``id`` and ``text`` are required; the rest is what the source states. Slotted: a
    corpus of 267,000 records takes 13 MB less than with a dict each.
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


def _scalar(value: Any, source: str, where: str, column: Any) -> Any:
    """A cell-like value: text, number or empty; a list of texts is joined with '; '."""
    if isinstance(value, (list, tuple)) and all(isinstance(v, (str, int, float)) or v is None for v in value):
        return "; ".join(_cell(v) for v in value if _cell(v))
    if isinstance(value, (dict, list, tuple)):
        kind = "an object" if isinstance(value, dict) else "a nested list"
        raise InputError(f"{source}: {where}, column {str(column)!r} holds {kind}; give text or a number")
    return value


def records_from_rows(rows: Iterable[Mapping[str, Any]], source: str, *, first: int = 2,
                      unit: str = "row") -> list[Record]:
    """Build records from dict rows, checking ids and texts.

    Raises `InputError` naming ``source`` and the row for a missing column, an empty
    text or a duplicate id.  ``first`` is the number of the first row (2 below a header
    line; JSON items count from 1) and ``unit`` what it is called.
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
    id_name, text_name = (str(key[k]).strip().lower() for k in ("id", "text"))
    out: list[Record] = []
    seen: dict[str, int] = {}
    lower: dict[Any, str] = {}
    for n, raw in enumerate(rows, start=first):
        row = {}
        for k, v in raw.items():
            if k is None:
                continue
            name = lower.get(k)
            if name is None:
                name = lower[k] = str(k).strip().lower()
            row[name] = v.strip() if type(v) is str else _cell(_scalar(v, source, f"{unit} {n}", k))
        rid, text = row.get(id_name, ""), row.get(text_name, "")
        if not rid and not text:
            continue
        if not rid:
            raise InputError(f"{source}: {unit} {n} has text but an empty id; give every row an id")
        if not text:
            raise InputError(f"{source}: {unit} {n} (id {rid!r}) has an empty text")
        if rid in seen:
            raise InputError(f"{source}: id {rid!r} appears twice ({unit}s {seen[rid]} and {n}); "
                             "ids must be unique")
        seen[rid] = n
        get = row.get
        states, themes = get("recommending_states", get("states", "")), get("themes", "")
        out.append(Record(
            id=rid, text=text,
            paragraph=get("paragraph", ""),
            states=_split_list(states) if states else (),
            response=get("response", "").lower(),
            cycle=get("cycle", ""),
            document=get("document", ""),
            mechanism=get("mechanism", ""),
            year=get("year", ""),
            implementation=get("implementation", ""),
            themes=_split_list(themes) if themes else (),
            follow_up=get("follow_up", "").lower() in {"yes", "true", "1", "x"},
            extra={k: v for k, v in row.items() if k not in known and k != "id" and k != "text"},
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
        return records_from_rows(_read_json(path), str(path), first=1, unit="item")
    raise InputError(f"{path}: unsupported file type {suffix or '(none)'}; use .csv, .xlsx or .json")


#: Byte-order marks, longest first (UTF-32 would otherwise read as UTF-16).
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_SAVE_AS = "save it as 'CSV UTF-8' (Excel: File > Save As > CSV UTF-8)"


def _utf16_order(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when a file without a byte-order mark looks like UTF-16
    (most characters are ASCII, so every other byte is zero)."""
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 2 or b"\0" not in sample:
        return None
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    if odd > 0.4 * pairs and even < 0.05 * pairs:
        return "utf-16-le"
    if even > 0.4 * pairs and odd < 0.05 * pairs:
        return "utf-16-be"
    return None


def decode_text(data: bytes, source: str) -> str:
    """Text of a file in UTF-8 (with or without BOM), UTF-16 (with or without BOM), or else
    Windows-1252 (with an `XlUprWarning`); `InputError` when it is none of these."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding, body = name, data[len(bom):]
            break
    else:
        encoding, body = _utf16_order(data) or "utf-8", data
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as err:
        if encoding != "utf-8":
            raise InputError(f"{source}: not valid {encoding.upper()} text (byte {err.start:,}); {_SAVE_AS}") from None
        first_bad = err.start
    try:
        text = body.decode("cp1252")
    except UnicodeDecodeError:
        text = ""
    letters = [c for c in text if c.isalpha()]
    if not text or sum(not c.isascii() for c in letters) > 0.3 * max(len(letters), 1):
        line = body[:first_bad].count(b"\n") + 1
        raise InputError(f"{source}: line {line}: not UTF-8 text, and not a Western (Windows-1252) file either — "
                         f"probably another legacy encoding such as Windows-1251 or Shift-JIS; {_SAVE_AS}")
    warnings.warn(XlUprWarning(f"{source}: not UTF-8; read as Windows-1252 (Western European). If letters look "
                               f"wrong, {_SAVE_AS}"), stacklevel=3)
    return text


def _read_csv(path: Path) -> list[dict[str, str]]:
    import io

    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror or err})") from None
    reader = csv.DictReader(io.StringIO(decode_text(data, str(path)), newline=""))
    try:
        return list(reader)
    except csv.Error as err:
        hint = (f" — a field over {csv.field_size_limit():,} characters usually means a quote (\") left open "
                "on that line" if "field larger" in str(err) else "")
        raise InputError(f"{path}: line {reader.line_num + 1}: cannot read as CSV ({err}){hint}") from None


def _read_json(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(decode_text(path.read_bytes(), str(path)))
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror or err})") from None
    except json.JSONDecodeError as err:
        raise InputError(f"{path}: line {err.lineno}, column {err.colno}: not valid JSON ({err.msg})") from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply; give a list of objects with 'id' and 'text'") from None
    except ValueError as err:  # e.g. an integer of more than 4,300 digits
        raise InputError(f"{path}: cannot read as JSON ({err})") from None
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        data = data["records"]
    if not isinstance(data, list):
        raise InputError(f"{path}: JSON must be a list of objects with 'id' and 'text', got {type(data).__name__}")
    for n, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise InputError(f"{path}: item {n} is {type(item).__name__}, not an object with 'id' and 'text'")
    return data


def _read_xlsx(path: Path, sheet: str | None) -> list[dict[str, Any]]:
    from xl_upr._xlsx import open_workbook

    wb = open_workbook(path, read_only=True)
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise InputError(f"{path}: no sheet {sheet!r} (sheets: {', '.join(wb.sheetnames)})")
        if not wb.worksheets:
            raise InputError(f"{path}: the workbook has no worksheets")
        ws = wb[sheet] if sheet else wb.worksheets[0]
        out: list[dict[str, Any]] = []
        n = 0
        try:
            rows = ws.iter_rows(values_only=True)
            header = next(rows, None)
            n = 1
            if not header:
                raise InputError(f"{path} [{ws.title}]: the sheet is empty")
            names = [_cell(h) or f"column {i}" for i, h in enumerate(header, start=1)]
            for r in rows:
                n += 1
                if any(v not in (None, "") for v in r):
                    out.append(dict(zip(names, r)))
        except InputError:
            raise
        except Exception as err:  # the sheet's XML is parsed only now, row by row; openpyxl raises many types
            raise InputError(f"{path} [{ws.title}]: damaged sheet after row {n} ({type(err).__name__}: {err})") \
                from None
        return out
    finally:
        wb.close()


_OUTPUT_TYPES = (".csv", ".json", ".xlsx")


def check_output(path: str | Path) -> Path:
    """Refuse an output path before any work: an unsupported type, a folder, a missing
    folder, a read-only file or one open in Excel (`InputError` / `OutputError`)."""
    from xl_upr.safe_write import resolve_target

    path = Path(path)
    resolve_target(path)
    if path.suffix.lower() not in _OUTPUT_TYPES:
        raise InputError(f"{path}: unsupported output type {path.suffix or '(none)'}; use .csv, .xlsx or .json")
    return path


def write_records(records: Sequence[Record], path: str | Path) -> Path:
    """Write records to .csv, .xlsx or .json (by suffix) with the columns of `COLUMNS`.

    The file is written whole or not at all (see `xl_upr.safe_write`).
    """
    from xl_upr._cells import clean_text, safe_text, set_cell
    from xl_upr.safe_write import write_file

    path = Path(path)
    rows = [r.as_row() for r in records]
    suffix = path.suffix.lower()

    def write_csv(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows({k: safe_text(v) for k, v in row.items()} for row in rows)

    def write_json(tmp: Path) -> None:
        clean = [{k: clean_text(v) for k, v in row.items()} for row in rows]
        tmp.write_text(json.dumps(clean, ensure_ascii=False, indent=1), encoding="utf-8")

    def write_xlsx(tmp: Path) -> None:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "Records"
        for c, name in enumerate(COLUMNS, start=1):
            set_cell(ws.cell(row=1, column=c), name)
        for r, row in enumerate(rows, start=2):
            for c, name in enumerate(COLUMNS, start=1):
                set_cell(ws.cell(row=r, column=c), row[name])
        wb.save(tmp)

    writers = {".csv": write_csv, ".json": write_json, ".xlsx": write_xlsx}
    check_output(path)
    write_file(path, writers[suffix])
    return path
