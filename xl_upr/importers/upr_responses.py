"""Responses addenda (A/HRC/…/Add.1): the State's position on each recommendation."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from xl_upr.importers import text as T
from xl_upr.importers.upr_report import looks_like_responses as looks_like
from xl_upr.records import Record

__all__ = ["looks_like", "parse", "apply_responses"]

_NUM = re.compile(r"(\d{1,3}(?:\.\d{1,3})?)(?:\s*[-–]\s*(\d{1,3}(?:\.\d{1,3})?))?")
_LIST = re.compile(r"(?:accepts?|supports?|notes?|takes note of)\s+(?:the\s+)?(?:following\s+)?"
                   r"recommendations?[^:\d]{0,120}?(?:Nos?\.?)?:?\s*(\d(?:\d|\.|,|;|–|-|\s|and\b)*)", re.I)
_SECTION = re.compile(r"^\s*(?:[IVX]+\.|\d\.)?\s*(Accepted|Supported|Noted)\s+recommendations", re.I | re.M)


def _expand(run: str) -> list[str]:
    out: list[str] = []
    for a, b in _NUM.findall(run):
        if not b:
            out.append(a)
            continue
        head, _, first = a.rpartition(".")
        last = b.rpartition(".")[2]
        if first.isdigit() and last.isdigit() and int(last) >= int(first) and int(last) - int(first) < 400:
            out.extend(f"{head}.{n}" if head else str(n) for n in range(int(first), int(last) + 1))
        else:
            out.extend([a, b])
    return out


def parse(text: str, *, source: str = "", cycle: str = "", state: str = "",
          skipped: list[tuple[str, str]] | None = None) -> list[Record]:
    """One row per recommendation number the addendum takes a position on.

    The text of a row is the State's position as stated ("supported", "noted").
    Paragraph numbers are as printed: "140.7", or "18" where the addendum numbers the
    report's recommendations in sequence.
    """
    clean = T.strip_noise(text)
    symbol = T.document_symbol(text)
    positions: dict[str, str] = {}
    sections = list(_SECTION.finditer(clean))
    for k, sec in enumerate(sections):
        body = clean[sec.end(): sections[k + 1].start() if k + 1 < len(sections) else len(clean)]
        response = "noted" if sec.group(1).lower() == "noted" else "supported"
        for m in _LIST.finditer(body):
            nums = _expand(m.group(1))
            dotted = any("." in n for n in nums)
            for n in nums:
                if dotted and "." not in n:
                    continue  # a paragraph number caught at the end of the list
                positions.setdefault(n, response)
    if not positions:  # first-cycle layout: "5., 6. Slovenia accepts …" per paragraph
        last: list[str] = []
        for m in re.finditer(r"^\s*((?:\d{1,3}\.,?\s*)+)\s+(.+?)(?=^\s*\d{1,3}\.|\Z)", clean, re.M | re.S):
            numbers = re.findall(r"\d{1,3}", m.group(1))
            words = " ".join(m.group(2).split()).lower()
            if m.group(2).lstrip()[:1].islower() and last:  # a number list wrapped onto the next line
                response = positions[last[0]]
            elif re.search(r"recommend|accept|agrees?\b|definitive statement", words):
                response = "noted" if re.search(
                    r"not accept|cannot accept|does not support|notes? the recommendation|cannot,? at this point"
                    r"|definitive statement|rejects?", words) else "supported"
            else:
                continue
            for n in numbers:
                positions.setdefault(n, response)
            last = numbers
    doc = symbol or ""
    return [Record(id=f"{doc} {n}".strip(), text=resp, paragraph=n, response=resp, cycle=cycle,
                   document=doc, mechanism="UPR") for n, resp in positions.items()]


def apply_responses(report: Sequence[Record], responses: Sequence[Record]) -> list[Record]:
    """The report's rows with pending (or empty) responses set from an addendum.

    Addendum numbers are matched to report paragraphs ("140.7"), or, where the addendum
    numbers recommendations in sequence ("18"), to the report's n-th recommendation.
    """
    by_para = {r.paragraph: r.response for r in responses}
    seq = all("." not in p for p in by_para)
    out = []
    for n, rec in enumerate(report, start=1):
        found = by_para.get(str(n) if seq else rec.paragraph)
        if found and rec.response in ("", "pending"):
            rec = replace(rec, response=found)
        out.append(rec)
    return out
