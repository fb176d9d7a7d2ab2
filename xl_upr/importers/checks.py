"""The import report: what a document gave, and every row worth a second look.

Nothing an importer reads is dropped without a word: numbering gaps and repeats are found
from the paragraph numbers (1..N within each block, such as 140.1-140.254), and rows that
look cut (no recommending State where the others have one, unusually short) are named by ID.
Paragraphs an importer read but made no row of (a table, an introduction) are listed too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median

from xl_upr.records import Record

#: Kinds whose rows are recommendations with recommending States at the end.
RECOMMENDATION_KINDS = ("upr-report", "ohchr-matrix")
_NUMBER = re.compile(r"^(?:(\d{1,3})\.)?(\d{1,3})")


@dataclass(frozen=True)
class Flag:
    """One remark of the import report: the row (or paragraph) it is about and why."""

    id: str
    reason: str


@dataclass(frozen=True)
class ImportReport:
    """Rows read from one document, counted by kind, with the rows to check.

    ``counts`` counts rows by position (supported / noted / pending) for UPR documents and
    by body (CAT, CEDAW …) for treaty-body findings.  ``flags`` are suspicious rows and
    numbering gaps; ``skipped`` are numbered paragraphs read but not made rows, with why.
    """

    path: str
    kind: str
    rows: int
    counts: Mapping[str, int] = field(default_factory=dict)
    flags: tuple[Flag, ...] = ()
    skipped: tuple[Flag, ...] = ()

    def summary(self) -> str:
        """One line: '<file>: read as <kind>, <n> rows (supported 217, noted 37)'."""
        counts = ", ".join(f"{k} {v}" for k, v in self.counts.items())
        line = f"{self.path}: read as {self.kind}, {self.rows} rows" + (f" ({counts})" if counts else "")
        if self.flags:
            line += f"; {len(self.flags)} to check"
        if self.skipped:
            line += f"; {len(self.skipped)} numbered paragraphs not rows"
        return line

    def lines(self) -> list[str]:
        """The summary, then one line per flag and per skipped paragraph."""
        out = [self.summary()]
        out += [f"  check {f.id}: {f.reason}" for f in self.flags]
        out += [f"  not a row {f.id}: {f.reason}" for f in self.skipped]
        return out


def _number(paragraph: str) -> tuple[str, int] | None:
    """(block, number) of a paragraph: '140.7' -> ('140', 7); '18' or '10(b)' -> ('', 18 / 10)."""
    m = _NUMBER.match(paragraph)
    if not m:
        return None
    return (m.group(1) or "", int(m.group(2)))


def _label(prefix: str, block: str, n: int) -> str:
    return f"{prefix}{block}.{n}" if block else f"{prefix}{n}"


def numbering(paragraphs: Sequence[str], prefix: str = "") -> list[Flag]:
    """Gaps and repeats in the numbering 1..N of each block of paragraph numbers.

    >>> for f in numbering(["186.127", "186.128", "186.130", "186.130"]):
    ...     print(f.id, "|", f.reason)
    186.1 | numbering gap: no 186.1-186.126 before 186.127
    186.129 | numbering gap: no 186.129 between 186.128 and 186.130
    186.130 | number appears 2 times
    """
    flags: list[Flag] = []
    seen: Counter[str] = Counter(paragraphs)
    blocks: dict[str, set[int]] = {}
    for para in seen:
        num = _number(para)
        if num:
            blocks.setdefault(num[0], set()).add(num[1])
    for block, numbers in blocks.items():
        prev = 0
        for n in sorted(numbers):
            if n > prev + 1:
                gap = _label("", block, prev + 1) + (f"-{_label('', block, n - 1)}" if n - 1 > prev + 1 else "")
                where = (f"between {_label('', block, prev)} and {_label('', block, n)}" if prev
                         else f"before {_label('', block, n)}")
                flags.append(Flag(_label(prefix, block, prev + 1), f"numbering gap: no {gap} {where}"))
            prev = n
    return flags + [Flag(f"{prefix}{para}", f"number appears {times} times")
                    for para, times in seen.items() if times > 1]


def _suspicious(kind: str, records: Sequence[Record]) -> list[Flag]:
    flags: list[Flag] = []
    if kind in RECOMMENDATION_KINDS and records:
        with_states = sum(1 for r in records if r.states)
        if with_states * 2 >= len(records):
            flags += [Flag(r.id, "no recommending State in brackets at the end (cut at a page break?)")
                      for r in records if not r.states]
    if kind != "upr-responses" and len(records) >= 5:
        typical = median(len(r.text) for r in records)
        short = max(20, typical / 6)
        flags += [Flag(r.id, f"unusually short ({len(r.text)} characters; typical {typical:.0f})")
                  for r in records if len(r.text) < short]
    return flags


def _counts(kind: str, records: Sequence[Record]) -> dict[str, int]:
    if kind in ("compilation", "concluding-observations"):
        found = Counter(b for r in records for b in (r.mechanism.split("; ") if r.mechanism else ["no body"]))
    else:
        found = Counter(r.response or "no position" for r in records)
    return dict(found.most_common())


def check(path: str, kind: str, records: Sequence[Record], skipped: Sequence[tuple[str, str]] = (),
          symbol: str = "") -> ImportReport:
    """The import report of one document's records.

    ``skipped`` are (paragraph, reason) pairs for numbered paragraphs that made no row;
    they count for the numbering check.  ``symbol`` prefixes paragraph numbers in flags.
    """
    treaty = kind in ("compilation", "concluding-observations")
    prefix = f"{symbol} para " if treaty and symbol else "para " if treaty else f"{symbol} " if symbol else ""
    paragraphs = [r.paragraph for r in records]
    if treaty:  # 10(a), 10(b): one paragraph 10
        paragraphs = list(dict.fromkeys(re.sub(r"(?<=\d)(?:\([a-z]+\)|[a-z])$", "", p) for p in paragraphs))
    flags = numbering(paragraphs + [p for p, _ in skipped], prefix) + _suspicious(kind, records)
    return ImportReport(path, kind, len(records), _counts(kind, records), tuple(flags),
                        tuple(Flag(f"{prefix}{p}", why) for p, why in skipped))
