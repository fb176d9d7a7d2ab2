"""OHCHR thematic lists and matrices of recommendations: text, position, themes, persons, SDGs."""

from __future__ import annotations

import re

from xl_upr.importers import text as T
from xl_upr.importers.upr_report import cycle_of_symbol
from xl_upr.normalise import split_states
from xl_upr.records import Record

_SOURCE = re.compile(r"Source of [Pp]osition\s*:")
# An entry starts a line: "140.7 Ratify …", "186.132. .Inform …" (a stray full stop).
_ENTRY = re.compile(r"^[ \t]*(\d{1,3}\.\d{1,3})\.?[ \t.]*(?=\S)", re.M)
_POSITION = re.compile(r"\b(Supported/Noted|Supported|Noted|Partially supported|Pending)\b")
_SDG_LINE = re.compile(r"^-?\s*(?:S\d{1,2}\s+)?(?:SDG\s*)?(\d{1,2})\s*-\s*[A-Za-z ,&;]+$")
_CODE = re.compile(r"(?<![A-Za-z0-9])(?=[A-H]\d{1,2} [A-Z])|(?=S\d{1,2} SDG)")


def looks_like(text: str) -> bool:
    """True for an OHCHR thematic list or matrix (entries followed by 'Source of position')."""
    return len(_SOURCE.findall(text[:200000])) >= 3


def parse(text: str, *, source: str = "", cycle: str = "", state: str = "",
          skipped: list[tuple[str, str]] | None = None) -> list[Record]:
    """One row per recommendation of the list, with its position and themes.

    Every entry ends at its "Source of position" line and starts at the first numbered line
    after the previous entry's position and labels (themes, affected persons, SDGs).
    """
    text = text.replace("&amp;", "&")
    vocab = T.vocabulary(text)
    sources = list(_SOURCE.finditer(text))
    records: list[Record] = []
    starts: list[re.Match[str] | None] = []
    for k, src in enumerate(sources):
        seg_from = sources[k - 1].end() if k else 0
        starts.append(_ENTRY.search(text, seg_from, src.start()))
    for k, (src, entry) in enumerate(zip(sources, starts)):
        nxt = next((s.start() for s in starts[k + 1:k + 2] if s), None)
        after = text[src.end(): nxt if nxt is not None else (sources[k + 1].start() if k + 1 < len(sources)
                                                             else len(text))]
        if entry is None:
            if skipped is not None:
                skipped.append((f"entry {k + 1}", "a 'Source of position' without a numbered recommendation "
                                                  f"before it: {T.one_line(after)[:60]!r}"))
            continue
        body = T.repair_split_words(T.one_line(text[entry.end(): src.start()]), vocab)
        records.append(_record(entry.group(1), body, after, cycle))
    return records


def _record(para: str, body: str, after: str, cycle: str) -> Record:
    """A row from an entry's text (one line) and the block after its 'Source of position:'."""
    src_line, _, rest = after.lstrip().partition("\n")
    pos_m = _POSITION.search(after[:300])
    if pos_m and pos_m.start() < len(after) - len(after.lstrip()) + len(src_line):  # on the source line
        src_line = after[: pos_m.start()]
    response = pos_m.group(1).lower() if pos_m else ""
    themes, persons, sdgs = _labels(after[pos_m.end():] if pos_m else rest)
    body_text = re.sub(r"\s+([;,.])", r"\1", body).rstrip(" ;")
    symbol_m = T.SYMBOL_RE.search(src_line)
    report = re.sub(r"/Add\.\d+$", "", symbol_m.group(1)) if symbol_m else ""
    _, states = split_states(body_text)
    return Record(
        id=f"{report} {para}".strip(), text=body_text, paragraph=para, states=states,
        response=response, cycle=cycle or cycle_of_symbol(report), document=report, mechanism="UPR",
        themes=themes, extra={"affected_persons": "; ".join(persons), "sdgs": "; ".join(sdgs),
                              "source_of_position": T.one_line(src_line)},
    )


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
