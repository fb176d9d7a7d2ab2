"""Stage 0: UN documents to records.  `read_document` sniffs the kind and picks a parser."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from xl_upr.errors import DocumentError
from xl_upr.importers import text as _text
from xl_upr.importers.checks import Flag, ImportReport, check
from xl_upr.records import Record

__all__ = ["KINDS", "Document", "Flag", "ImportReport", "detect_kind", "read_document"]

KINDS = ("upr-report", "upr-responses", "ohchr-matrix", "compilation", "concluding-observations")


@dataclass(frozen=True)
class Document:
    """Records parsed from one document, which parser read it, and its import report."""

    path: str
    kind: str
    records: list[Record]
    report: ImportReport


def _parsers() -> dict[str, tuple[Callable[[str], bool], Callable[..., list[Record]]]]:
    from xl_upr.importers import matrix, treaty, upr_report, upr_responses

    return {
        "upr-responses": (upr_responses.looks_like, upr_responses.parse),
        "ohchr-matrix": (matrix.looks_like, matrix.parse),
        "upr-report": (upr_report.looks_like, upr_report.parse),
        "concluding-observations": (treaty.looks_like_concluding_observations, treaty.parse_concluding_observations),
        "compilation": (treaty.looks_like_compilation, treaty.parse_compilation),
    }


def detect_kind(text: str) -> str | None:
    """The kind of UN document the text is, or None when it is none we read."""
    for kind, (looks, _parse) in _parsers().items():
        if looks(text):
            return kind
    return None


def read_document(path: str | Path, *, kind: str = "auto", cycle: str = "", state: str = "") -> Document:
    """Parse a UN document (.txt or .pdf) into records, with an import report (`ImportReport`:
    rows per kind, numbering gaps and repeats, rows that look cut).

    Raises `DocumentError` when the kind cannot be recognised or the document yields no rows.
    """
    path = Path(path)
    text = _text.read_text(path)
    parsers = _parsers()
    if kind == "auto":
        found = detect_kind(text)
        if found is None:
            raise DocumentError(f"{path}: not recognised as a UN document xl-upr reads (a UPR Working Group "
                                "report, responses addendum, OHCHR matrix or thematic list, compilation, or "
                                "concluding observations); pass --kind to force one")
        kind = found
    if kind not in parsers:
        raise DocumentError(f"unknown kind {kind!r}; choose one of: auto, {', '.join(KINDS)}")
    skipped: list[tuple[str, str]] = []
    records = parsers[kind][1](text, source=str(path), cycle=cycle, state=state, skipped=skipped)
    if not records:
        raise DocumentError(f"{path}: read as {kind}, but no rows were found")
    report = check(str(path), kind, records, skipped, symbol=records[0].document)
    return Document(str(path), kind, records, report)
