"""Treaty-body findings: OHCHR compilations and concluding observations."""

from __future__ import annotations

import re

from xl_upr.importers import text as T
from xl_upr.records import Record

# Who made a finding: (regex, mechanism code).  Order: specific before general.
_BODIES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), code) for p, code in (
    (r"Subcommittee on Prevention of Torture|\bSPT\b", "SPT"),
    (r"Committee against Torture|\bCAT\b(?! and)", "CAT"),
    (r"Committee on the Elimination of Discrimination against Women|\bCEDAW\b", "CEDAW"),
    (r"Committee on the Elimination of Racial Discrimination|\bCERD\b", "CERD"),
    (r"Committee on Economic, Social and Cultural Rights|\bCESCR\b", "CESCR"),
    (r"Committee on the Rights of Persons with Disabilities", "CRPD"),
    (r"Committee on the Rights of the Child|\bCRC\b", "CRC"),
    (r"Committee on Enforced Disappearances", "CED"),
    (r"Committee on Migrant Workers|\bCMW\b", "CMW"),
    (r"Human Rights Committee|HR Committee", "CCPR"),
    (r"High Commissioner for Refugees|\bUNHCR\b", "UNHCR"),
    (r"High Commissioner(?! for Refugees)|\bOHCHR\b", "OHCHR"),
    (r"\bUNICEF\b|United Nations Children's Fund", "UNICEF"),
    (r"\bUNESCO\b", "UNESCO"),
    (r"ILO Committee of Experts|\bILO\b", "ILO"),
    (r"Special Rapporteurs?|[Ii]ndependent [Ee]xpert|Working Group on (?!the Universal)", "special procedure"),
))
_REC_VERB = re.compile(r"\b(?:recommended|recommends|urged|urges|encouraged|encourages|called (?:up)?on|calls (?:up)?on"
                       r"|requested|requests|invited|invites|asked|should)\b")
# "12. The Committee …", and UN web pages' "12.The Committee …" (no space).
_PARA = re.compile(r"^\s{0,40}(\d{1,3})\.(?:\s+(?=\S)|(?=[A-Z]))", re.M)
_INLINE_FOOTNOTE = re.compile(r"(?<!No\.)(?<!No\. )(?<!Nos\.)(?<=[.;:,)”\"a-z])\s?\d{1,3}(?=\s+[A-Z(]|\s*$)", re.M)
_GLUED_FOOTNOTE = re.compile(r"(?<=[a-z]{3})\d{1,3}(?=[\s,.;:])")
_SENTENCE = re.compile(r"(?<=[.;])\s+(?=[A-Z])")


def looks_like_compilation(text: str) -> bool:
    head = text[:8000]
    low = head.lower()
    return "compilation" in low and ("treaty bod" in low or "special procedures" in low or "compilation of "
                                     "information" in " ".join(low.split()) or "united nations information" in low
                                     or re.search(r"A/HRC/WG\.6/\d+/[A-Z]{3}/2\b", head) is not None)


def looks_like_concluding_observations(text: str) -> bool:
    head = text[:8000].lower()
    return "concluding observations" in head and re.search(r"/co/\d", head) is not None


def _bodies(sentence: str) -> list[str]:
    found: list[tuple[int, str]] = []
    for pattern, code in _BODIES:
        m = pattern.search(sentence)
        if m and code not in (c for _, c in found):
            found.append((m.start(), code))
    return [c for _, c in sorted(found)]


def _paragraphs(clean: str) -> list[tuple[int, str]]:
    paras: list[tuple[int, str]] = []
    last = 0
    marks = list(_PARA.finditer(clean))
    for k, m in enumerate(marks):
        n = int(m.group(1))
        if n <= last or n > last + 30:  # table cells and list numbers are not paragraphs
            continue
        end = next((x.start() for x in marks[k + 1:] if n < int(x.group(1)) <= n + 30), len(clean))
        paras.append((n, clean[m.end():end]))
        last = n
    return paras


def parse_compilation(text: str, *, source: str = "", cycle: str = "", state: str = "") -> list[Record]:
    """One row per recommendation-bearing finding, with the body that made it and its year."""
    clean = T.strip_noise(text)
    vocab = T.vocabulary(clean)
    symbol = T.document_symbol(text)
    records: list[Record] = []
    for n, raw in _paragraphs(clean):
        body = T.repair_split_words(T.join_lines(raw.split("\n"), vocab), vocab)
        body = _GLUED_FOOTNOTE.sub("", _INLINE_FOOTNOTE.sub("", body))
        year_m = re.match(r"In (\d{4}),", body)
        para_year = year_m.group(1) if year_m else ""
        last_bodies: list[str] = []
        found: list[tuple[str, list[str], str]] = []
        for sentence in _SENTENCE.split(body):
            verb = _REC_VERB.search(sentence)
            subject = sentence[: verb.start()] if verb else sentence
            named = _bodies(subject) or (_bodies(sentence) if not verb else [])
            if named:
                last_bodies = named
            if verb and (named or last_bodies) and not re.match(r"\s*(?:The|This)\s+\w+\s+(?:noted|welcomed)\b",
                                                                 sentence) or (verb and "invited" in sentence):
                y = re.search(r"\bIn (\d{4})\b|\b(?:in|of) (\d{4})\b", sentence)
                year = next((g for g in (y.groups() if y else ()) if g), para_year)
                found.append((sentence.strip(), named or last_bodies, year))
        for k, (sentence, bodies, year) in enumerate(found):
            suffix = chr(ord("a") + k) if len(found) > 1 and k < 26 else ""
            para = f"{n}{suffix}"
            records.append(Record(
                id=f"{symbol} para {para}".strip(), text=sentence, paragraph=para,
                mechanism="; ".join(bodies), year=year, document=symbol, cycle=cycle,
            ))
    return records


def parse_concluding_observations(text: str, *, source: str = "", cycle: str = "",
                                  state: str = "") -> list[Record]:
    """Recommendation paragraphs of concluding observations; lettered sub-paragraphs become
    their own rows ("para 10(b)"); paragraphs named in the follow-up request are flagged."""
    clean = T.strip_noise(text)
    vocab = T.vocabulary(clean)
    symbol = T.document_symbol(text)
    body_code = next((code for p, code in _BODIES if p.search(clean[:3000])), "")
    year_m = re.search(r"\b(?:19|20)\d{2}\b", clean[:3000])
    year = year_m.group(0) if year_m else ""
    follow: set[str] = set()
    fu = re.search(r"(?:within (?:one|two|three) years?|follow-up procedure).{0,400}?paragraphs? "
                   r"(\d[\d\s,]*(?:and \d+)?)", " ".join(clean.split()), re.I)
    if fu:
        follow = set(re.findall(r"\d{1,3}", fu.group(1)))
    records: list[Record] = []
    for n, raw in _paragraphs(clean):
        body = _INLINE_FOOTNOTE.sub("", T.repair_split_words(T.join_lines(raw.split("\n"), vocab), vocab))
        if not re.search(r"\b(?:should|recommends|urges|calls upon|encourages|requests)\b", body):
            continue
        subs = re.split(r"(?:^|\s|:)\(([a-z])\)\s*(?=[A-Z])", body)
        parts = [(f"{n}({letter})", f"{subs[0].strip()} {sub.strip().rstrip(';')}".strip())
                 for letter, sub in zip(subs[1::2], subs[2::2])] if len(subs) > 2 else [(str(n), body.strip())]
        for para, text in parts:
            records.append(Record(id=f"{symbol} para {para}".strip(), paragraph=para, text=text, document=symbol,
                                  mechanism=body_code, year=year, cycle=cycle, follow_up=str(n) in follow))
    return records
