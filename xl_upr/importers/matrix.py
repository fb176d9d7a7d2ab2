"""OHCHR thematic lists and matrices of recommendations: text, position, themes, persons, SDGs."""

from __future__ import annotations

import re

from xl_upr.importers import text as T
from xl_upr.importers.upr_report import cycle_of_symbol
from xl_upr.normalise import split_states
from xl_upr.records import Record

_SOURCE = re.compile(r"Source of [Pp]osition\s*:")
_ENTRY = re.compile(r"(\d{2,3}\.\d{1,3})\.?\s+(?=[A-Z\"“‘'])")
_POSITION = re.compile(r"\b(Supported/Noted|Supported|Noted|Partially supported|Pending)\b")
_SDG_LINE = re.compile(r"^-?\s*(?:S\d{1,2}\s+)?(?:SDG\s*)?(\d{1,2})\s*-\s*[A-Za-z ,&;]+$")
_CODE = re.compile(r"(?<![A-Za-z0-9])(?=[A-H]\d{1,2} [A-Z])|(?=S\d{1,2} SDG)")


def looks_like(text: str) -> bool:
    """True for an OHCHR thematic list or matrix (entries followed by 'Source of position')."""
    return len(_SOURCE.findall(text[:200000])) >= 3


def _entry_text(chunk: str) -> tuple[str, str] | None:
    m = _ENTRY.search(chunk)
    if not m:
        return None
    return m.group(1), chunk[m.end():]


def parse(text: str, *, source: str = "", cycle: str = "", state: str = "") -> list[Record]:
    """One row per recommendation of the list, with its position and themes."""
    text = text.replace("&amp;", "&")
    chunks = _SOURCE.split(text)
    records: list[Record] = []
    pending = _entry_text(chunks[0])
    for chunk in chunks[1:]:
        if pending is None:
            pending = _entry_text(chunk)
            continue
        para, body = pending
        src_line, _, rest = chunk.lstrip().partition("\n")
        if not rest or len(src_line) > 120:  # no line breaks (China's matrices)
            pos_m = _POSITION.search(chunk[:300])
            src_line = chunk[: pos_m.start()] if pos_m else chunk[:60]
            rest = chunk[pos_m.start():] if pos_m else chunk
        nxt = _ENTRY.search(rest)
        tail = rest[: nxt.start()] if nxt else rest
        pending = (nxt.group(1), rest[nxt.end():]) if nxt else None
        pos_m = _POSITION.search(tail)
        response = pos_m.group(1).lower() if pos_m else ""
        after = tail[pos_m.end():] if pos_m else tail
        themes, persons, sdgs = _labels(after)
        body_text = T.one_line(body)
        body_text = re.sub(r"\s+([;,.])", r"\1", body_text).rstrip(" ;")
        symbol_m = T.SYMBOL_RE.search(src_line)
        report = re.sub(r"/Add\.\d+$", "", symbol_m.group(1)) if symbol_m else ""
        year = ""
        _, states = split_states(body_text)
        records.append(Record(
            id=f"{report} {para}".strip(), text=body_text, paragraph=para, states=states,
            response=response, cycle=cycle or cycle_of_symbol(report), document=report, mechanism="UPR",
            year=year, themes=themes,
            extra={"affected_persons": "; ".join(persons), "sdgs": "; ".join(sdgs),
                   "source_of_position": T.one_line(src_line)},
        ))
    return records


def _labels(block: str) -> tuple[tuple[str, ...], list[str], list[str]]:
    """Themes, affected persons and SDGs from the block after the position."""
    themes: list[str] = []
    persons: list[str] = []
    sdgs: list[str] = []
    if "\n" not in block.strip():  # one run of text: split on theme codes and markers
        block = block.replace("Affected persons:", "\nAffected persons:\n").replace("- ", "\n- ")
        block = _CODE.sub("\n", block)
    mode = "themes"
    for raw in block.split("\n"):
        line = raw.strip()
        if not line or line.startswith("Theme:"):
            continue
        low = line.lower()
        if low.startswith(("affected persons", "groups of persons")):
            mode = "persons"
            continue
        if low.startswith("sdgs"):
            mode = "sdgs"
            continue
        item = line.lstrip("- ").strip()
        if not item:
            continue
        sdg = _SDG_LINE.match(line)
        if sdg or item.upper().startswith("SDG ") or re.match(r"S\d{1,2} SDG", item):
            sdgs.append(item)
        elif mode == "persons":
            persons.append(item)
        elif mode == "themes":
            themes.append(re.sub(r"^[A-H]\d{1,2}\s+", "", item))
    return tuple(dict.fromkeys(themes)), list(dict.fromkeys(persons)), list(dict.fromkeys(sdgs))
