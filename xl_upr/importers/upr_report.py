"""UPR Working Group reports: numbered recommendations, recommending States, responses."""

from __future__ import annotations

import re
from collections import Counter

from xl_upr.errors import DocumentError
from xl_upr.importers import text as T
from xl_upr.normalise import split_states
from xl_upr.records import Record

_SECTION = re.compile(r"^\s*(?:[IVX]+\.\s*)?Conclusions\s+and\s*/?\s*or\s+recommendations", re.I | re.M)
# "124.6 Enact …", " 1. To accomplish …", "124. The following …"
# and a footnote "1 The recommendation as read …"; "12 years of …", a wrapped line, is none.
_NUMBERED = re.compile(r"^\s{0,40}(\d{1,3})(?:\.(\d{1,3})\.?|\.|(?=\s+[A-Z]))\s+(?=\S)")
_END = re.compile(r"^\s*(?:\d{1,3}\.\s+)?All conclusions and/or recommendations", re.I)
_TRAILING_FOOTNOTE = re.compile(r"(\))[;.]?\s*\d{1,3}\s*$")  # "(Slovenia);2": a footnote number after the States
_ANNEX = re.compile(r"^\s*(?:Annex|Composition of the delegation)\b")


def response_of_lead_in(lead: str) -> tuple[str, str]:
    """(response, implementation note) stated by a section lead-in paragraph."""
    low = " ".join(lead.lower().split())
    if re.search(r"did not (?:enjoy|receive) the support|not (?:been )?accepted|have been noted|were noted"
                 r"|will be noted|(?:has |have )?noted the following|\bnoted\b.*:?$", low) \
            and "enjoy the support" not in low.replace("did not enjoy the support", ""):
        return "noted", ""
    if "enjoy the support" in low or "enjoys the support" in low or "accepted" in low or "supported" in low:
        if "already" in low and "implemented" in low and "process" in low:
            return "supported", "already implemented or in process (State's view)"
        if "already" in low and "implemented" in low:
            return "supported", "already implemented (State's view)"
        if "process of implementation" in low or "being implemented" in low:
            return "supported", "in process of implementation (State's view)"
        return "supported", ""
    if "will be examined" in low or "will provide responses" in low or "will respond" in low:
        return "pending", ""
    return "", ""


def _year(text: str) -> str:
    head = text[:6000]
    m = re.search(r"held its \w+(?:-\w+)? session[^.]{0,80}?((?:19|20)\d{2})", head)
    if m:
        return m.group(1)
    years = re.findall(r"\b(20[0-3]\d)\b", head)
    return Counter(years).most_common(1)[0][0] if years else ""


def _state_under_review(text: str) -> str:
    m = re.search(r"review of ([A-Z][\w'’ -]+?) was held", text[:8000])
    return m.group(1).strip() if m else ""


def cycle_of_year(year: str) -> str:
    """UPR cycle of a review year: 2008-11 first, 2012-16 second, 2017-21 third, 2022-27 fourth."""
    if not year.isdigit():
        return ""
    y = int(year)
    for cycle, last in ((1, 2011), (2, 2016), (3, 2021), (4, 2027), (5, 2032)):
        if y <= last:
            return str(cycle)
    return ""


def cycle_of_symbol(symbol: str) -> str:
    """UPR cycle of a report by its Human Rights Council session (A/HRC/28/10 -> '2')."""
    m = re.match(r"A/HRC/(\d+)/", symbol)
    if not m:
        return ""
    session = int(m.group(1))
    return "1" if session <= 21 else "2" if session <= 35 else "3" if session <= 51 else "4"


def looks_like(text: str) -> bool:
    """True when the text is a UPR Working Group report with a recommendations section."""
    return bool(re.search(r"Working Group on the Universal Periodic Review", text[:20000], re.I)) \
        and bool(_SECTION.search(text)) and not looks_like_responses(text)


def looks_like_responses(text: str) -> bool:
    head = text[:6000].lower()
    return "addendum" in head and ("views on conclusions" in head or "replies presented" in head)


def parse(text: str, *, source: str = "", cycle: str = "", state: str = "",
          skipped: list[tuple[str, str]] | None = None) -> list[Record]:
    """Every numbered recommendation of a Working Group report, with States and response.

    Handles both layouts: "124.6 Enact …" (second cycle on) and the first cycle's lists
    numbered from 1 inside each lead-in paragraph ("95. … enjoy the support …: 1. To …").
    """
    clean = T.strip_noise(text)
    vocab = T.vocabulary(clean)
    symbol = T.document_symbol(text)
    year = _year(clean)
    cycle = cycle or cycle_of_symbol(symbol) or cycle_of_year(year)
    found = list(_SECTION.finditer(clean))
    if not found:
        raise DocumentError(f"{source}: no 'Conclusions and/or recommendations' section found")
    section = clean[found[-1].end():]

    # Group lines into numbered paragraphs.
    paras: list[tuple[int, int | None, list[str]]] = []
    for line in section.split("\n"):
        if _END.match(line) or (_ANNEX.match(line) and paras):
            break
        m = _NUMBERED.match(line)
        continues = paras and paras[-1][2] and paras[-1][2][-1].rstrip().endswith(("No.", "Nos.", "para.", "paras."))
        if m and not continues:
            paras.append((int(m.group(1)), int(m.group(2)) if m.group(2) else None, [line[m.end():]]))
        elif paras:
            paras[-1][2].append(line)

    records: list[Record] = []
    block: int | None = None
    response, note, last_item = "", "", 0
    dotted: set[int] = set()  # blocks whose items are numbered "124.1" rather than "1."
    implemented_nos: dict[int, set[int]] = {}
    items: list[tuple[int, int, str, str, str]] = []
    for major, minor, lines in paras:
        body = T.repair_split_words(T.join_lines(lines, vocab), vocab)
        if minor is not None:
            block = major
            dotted.add(major)
            items.append((major, minor, body, response, note))
            continue
        lead_resp, lead_note = response_of_lead_in(body) if "recommendation" in body.lower() else ("", "")
        # First-cycle lists number items 1, 2, 3 … inside a lead-in; elsewhere a bare
        # number starts a footnote or a closing paragraph.
        if block is not None and block not in dotted and major == last_item + 1 and not lead_resp:
            items.append((block, major, body, response, note))
            last_item = major
            continue
        if lead_resp:
            block, response, note, last_item = major, lead_resp, lead_note, 0
            continue
        nos = re.search(r"recommendations? Nos?\.?\s*([\d,\s and]+)", body)
        if nos and block is not None and "implemented" in body:
            implemented_nos[block] = {int(n) for n in re.findall(r"\d+", nos.group(1))}
    for major, minor, body, resp, imp in items:
        body = _TRAILING_FOOTNOTE.sub(r"\1", body).rstrip(" ;")
        if imp == "" and minor in implemented_nos.get(major, set()):
            imp = "already implemented or in process (State's view)"
        _, states = split_states(body)
        para = f"{major}.{minor}"
        records.append(Record(
            id=f"{symbol} {para}" if symbol else para, text=body, paragraph=para, states=states,
            response=resp, cycle=cycle, document=symbol, mechanism="UPR", year=year,
            implementation=imp, extra={"state_under_review": state or _state_under_review(clean)},
        ))
    if not records:
        raise DocumentError(f"{source}: the recommendations section has no numbered recommendations")
    return records
