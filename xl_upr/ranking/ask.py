"""The ask of a recommendation: its text without the recommending States and without the
lead-in that only sets the strength ("Continue its efforts to", "Consider", "Take measures to"),
and its clauses.

General UN drafting language only (the lead-ins every cycle uses), never a phrase of one document.
"""

from __future__ import annotations

import re

from xl_upr.normalise import split_states

_EFFORT = (r"(?:efforts?|steps?|measures?|actions?|work|initiatives?|endeavou?rs?|activities|policies|commitment|"
           r"attempts?|programmes?|process)")
_QUAL = r"(?:(?:all|the|its|their|further|necessary|appropriate|concrete|effective|additional|adequate|practical|" \
        r"specific|legislative|legal|urgent|serious|more|decisive|firm|comprehensive|positive|proactive|" \
        r"relevant|ongoing|current|good|important|tangible|significant|and|,)\s+)*"
_TO = r"(?:\s+(?:aimed at|aiming at|in order to|with a view to|designed to|towards?|to|for|in|at|on))*"
_LEADS = [
    r"(?:continue|pursue|redouble|intensify|step up|strengthen|increase|enhance|make|take|undertake|adopt|deploy|"
    r"accelerate|double|scale up|persist in|carry on|reinforce|keep up|maintain|expand|further|sustain)\s+"
    + _QUAL + _EFFORT + _TO,
    r"(?:continue|keep|go on)(?:\s+(?:to|with|in))?",
    r"(?:consider|envisage|contemplate)(?:ing)?(?:\s+the\s+(?:possibility|option)\s+of)?",
    r"(?:explore|study|examine|look into|assess)\s+(?:the\s+)?(?:possibility|feasibility|option)s?\s+of",
    r"(?:seek|make|take)\s+(?:steps|efforts|measures)?\s*(?:to|towards)",
    r"(?:endeavour|strive|seek|work|aim|commit|move|proceed)\s+(?:to|towards)",
    r"(?:further|also|still|fully|effectively|urgently|promptly|swiftly|rapidly|actively)",
    r"(?:to|and|that|its|the)",
    r"(?:take|make)\s+(?:all\s+)?(?:the\s+)?(?:necessary|appropriate)\s+(?:steps|measures|action)" + _TO,
]
_LEAD = re.compile(r"^(?:" + "|".join(_LEADS) + r")\b[\s,]*", re.IGNORECASE)
_CLAUSE_WORDS = ("as well as", "and to", "and also", "in addition to", "and further")
_CLAUSE = re.compile(r";\s*|:\s+|\s+\([a-z]\)\s+|,?\s+(?:" + "|".join(_CLAUSE_WORDS) + r")\s+|\.\s+(?=[A-Z])",
                     re.IGNORECASE)


def _may_split(text: str) -> bool:
    """False only where `_CLAUSE` cannot match (most texts: a scan in C instead of the regex's
    try at every space); a non-ASCII text is left to the regex (its case-insensitive matching
    knows letters such as the long s)."""
    if not text.isascii() or ";" in text or ":" in text or "(" in text or "." in text:
        return True
    low = text.lower()
    return any(w in low for w in _CLAUSE_WORDS)


def strip_lead(text: str) -> str:
    """The text without its strength-setting lead-in.

    >>> strip_lead("Continue its efforts to combat trafficking in persons")
    'combat trafficking in persons'
    >>> strip_lead("Consider ratifying the CRPD")
    'ratifying the CRPD'
    """
    out = text.strip()
    for _ in range(8):
        new = _LEAD.sub("", out, count=1)
        if new == out or not new.strip():
            break
        out = new
    return out


def ask(text: str) -> str:
    """The recommendation without recommending States and lead-in (what embeddings compare)."""
    core = split_states(text)[0]
    return strip_lead(core) or core


def clauses(text: str, min_words: int = 4, *, states_removed: bool = False) -> list[str]:
    """The parts of a multi-part recommendation (each with its lead-in stripped); short
    fragments are joined to the clause before them."""
    parts: list[str] = []
    core = text if states_removed else split_states(text)[0]
    for piece in _CLAUSE.split(core) if _may_split(core) else (core,):
        piece = strip_lead(piece.strip(" ,.;"))
        if not piece:
            continue
        if parts and len(piece.split()) < min_words:
            parts[-1] += " " + piece
        else:
            parts.append(piece)
    return parts
