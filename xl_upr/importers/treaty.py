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
    (r"ILO Committee of Experts|\bILO\b|\bCEACR\b|International Labour Organization", "ILO"),
    (r"United Nations Office on Drugs and Crime|\bUNODC\b", "UNODC"),
    (r"International Organization for Migration|\bIOM\b", "IOM"),
    (r"Development Assistance Framework|\bUNDAF\b|\bUNDP\b|country team", "UN country team"),
    (r"\bUNIFEM\b|UN-Women|\bWHO\b|World Health Organization", "UN agency"),
    (r"Special Rapporteurs?|[Ii]ndependent [Ee]xpert|Working Group on (?!the Universal)", "special procedure"),
))
# "12. The Committee …", and UN web pages' "12.The Committee …" (no space).
_PARA = re.compile(r"^\s{0,40}(\d{1,3})\.(?:\s+(?=\S)|(?=[A-Z]))", re.M)
# A footnote number after punctuation ("…Convention.12 The …"), not "article 135 (a)".
_INLINE_FOOTNOTE = re.compile(r"(?<!No\.)(?<!No\. )(?<!Nos\.)(?<=[.;:,)”\"])\s?\d{1,3}(?=\s+[A-Z]|\s*$)"
                              r"|(?<=[a-z])\s\d{1,3}(?=\s*$)", re.M)
_GLUED_FOOTNOTE = re.compile(r"(?<=[a-z]{3})\d{1,3}(?=[\s,.;:])")
_HEADING = re.compile(r"^\s*(?:[A-Z]|[IVX]{1,5})\.\s+[A-Z]")
_NOTES = re.compile(r"^\s*(?:Notes|Endnotes)\s*$")
# "The same Committee …", "Recalling …, the same Committee", "She also recommended …": the body before.
_SAME_BODY = re.compile(r"\b[Tt]he same Committee\b|^\s*The Committee\b(?! (?:on|against|of)\b)|^\s*(?:She|He) ")
# The year a finding states: "In 2007, CRC …", "In November 2008, …", "During his 2009 visit", "visit in 2009".
_YEAR = re.compile(r"^\s*(?:In|During)\s+(?:[A-Z][a-z]+\s+)?((?:19|20)\d{2})\b(?![-–])|\b((?:19|20)\d{2}) visit\b"
                   r"|\bvisit in ((?:19|20)\d{2})\b|^[^.]*?\b[Ii]n ((?:19|20)\d{2}), ")


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


def _heading_like(lines: list[str], k: int, rest: str) -> bool:
    """A numbered line that reads as a section heading ('1.  Cooperation with treaty bodies')."""
    following = next((x.strip() for x in lines[k + 1:k + 4] if x.strip()), "")
    words = re.sub(r"\d+$", "", rest.strip())
    return not words.endswith((".", ";", ":", ",")) and len(words.split()) <= 15 \
        and not following[:1].islower()


def _chain(marks: list[tuple[int, int, bool]]) -> list[int]:
    """Indexes of the numbered lines that are the paragraphs 1..N (headings restart at 1).

    The longest run of increasing numbers wins (steps of at most 30); between equal runs,
    the one with fewer heading-like lines.
    """
    best: dict[int, tuple[int, int, int]] = {}  # mark -> (length, prose lines, next mark or -1)
    for i in range(len(marks) - 1, -1, -1):
        n, prose = marks[i][1], 0 if marks[i][2] else 1
        choice = (1, prose, -1)
        for j in range(i + 1, len(marks)):
            if n < marks[j][1] <= n + 30:
                length, p, _ = best[j]
                choice = max(choice, (length + 1, p + prose, j))
        best[i] = choice
    i = max(best, key=lambda x: (best[x][0], best[x][1], -marks[x][1]), default=-1)
    out = []
    while i != -1:
        out.append(i)
        i = best[i][2]
    return out


def _paragraphs(clean: str) -> list[tuple[int, str]]:
    """Numbered paragraphs (number, text).  A paragraph ends at the next paragraph, at a
    heading (numbered, lettered or Roman) or at the notes; a table under a heading is no
    paragraph's text."""
    lines = clean.split("\n")
    marks = [(k, int(m.group(1)), _heading_like(lines, k, line[m.end():]))
             for k, line in enumerate(lines) if (m := _PARA.match(line))]
    chosen = {marks[i][0]: marks[i][1] for i in _chain(marks)}
    paras: list[tuple[int, list[str]]] = []
    open_para = False
    for k, line in enumerate(lines):
        if k in chosen:
            m = _PARA.match(line)
            paras.append((chosen[k], [line[m.end():] if m else line]))
            open_para = True
        elif _NOTES.match(line):
            break
        elif _PARA.match(line) or _HEADING.match(line):
            open_para = False
        elif open_para:
            paras[-1][1].append(line)
    return [(n, "\n".join(body)) for n, body in paras]


def _document_year(clean: str) -> str:
    """The year of the document's date ('Distr.: General 7 November 2024'), or ''."""
    m = re.search(r"Distr\.[^\n]*\s+[^\n]*?\b\d{1,2} (?:January|February|March|April|May|June|July|August"
                  r"|September|October|November|December) ((?:19|20)\d{2})\b", clean[:3000])
    return m.group(1) if m else ""


def _clean_paragraph(raw: str, vocab: T.Vocabulary) -> str:
    body = T.repair_split_words(T.join_lines(raw.split("\n"), vocab), vocab)
    return _GLUED_FOOTNOTE.sub("", _INLINE_FOOTNOTE.sub("", body)).strip()


def parse_compilation(text: str, *, source: str = "", cycle: str = "", state: str = "",
                      skipped: list[tuple[str, str]] | None = None) -> list[Record]:
    """One row per numbered finding paragraph, with the bodies it names and its year.

    "The same Committee" is the body of the paragraph before.  The year is the one the
    paragraph states ("In 2007, CRC …", "during his 2009 visit"), else the compilation's
    date.  A paragraph that names no UN body (the State's own report, an introduction) is
    no row, and is listed in ``skipped``.
    """
    clean = T.strip_noise(text)
    vocab = T.vocabulary(clean)
    symbol = T.document_symbol(text)
    doc_year = _document_year(clean)
    records: list[Record] = []
    previous: list[str] = []
    paras = _paragraphs(clean)
    for k, (n, raw) in enumerate(paras):
        body = _clean_paragraph(raw, vocab)
        if k == len(paras) - 1:  # the last paragraph runs into the notes: cut where prose stops
            body = re.split(r"(?<=[a-z)]\.) (?=[a-z])", body, maxsplit=1)[0]
        bodies = _bodies(body)
        if _SAME_BODY.search(body) and previous:
            bodies = list(dict.fromkeys(previous[:1] + bodies))
        if not bodies:
            if skipped is not None:
                skipped.append((str(n), f"names no UN body: {body[:70]!r}"))
            continue
        previous = bodies
        y = _YEAR.search(body)
        records.append(Record(
            id=f"{symbol} para {n}".strip(), text=body, paragraph=str(n), mechanism="; ".join(bodies),
            year=next(g for g in y.groups() if g) if y else doc_year, document=symbol, cycle=cycle,
        ))
    return records


def parse_concluding_observations(text: str, *, source: str = "", cycle: str = "", state: str = "",
                                  skipped: list[tuple[str, str]] | None = None) -> list[Record]:
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
        body = _clean_paragraph(raw, vocab)
        if not re.search(r"\b(?:should|recommends|urges|calls upon|encourages|requests)\b", body):
            if skipped is not None:
                skipped.append((str(n), "no recommendation (should, recommends, urges …)"))
            continue
        subs = re.split(r"(?:^|\s|:)\(([a-z])\)\s*(?=[A-Z])", body)
        parts = [(f"{n}({letter})", f"{subs[0].strip()} {sub.strip().rstrip(';')}".strip())
                 for letter, sub in zip(subs[1::2], subs[2::2])] if len(subs) > 2 else [(str(n), body.strip())]
        for para, text in parts:
            records.append(Record(id=f"{symbol} para {para}".strip(), paragraph=para, text=text, document=symbol,
                                  mechanism=body_code, year=year, cycle=cycle, follow_up=str(n) in follow))
    return records
