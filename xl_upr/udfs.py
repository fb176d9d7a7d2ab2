"""Excel custom functions (xlwings `UDF Modules` = xl_upr.udfs): translate cells, call the core.

Each function takes whole columns and spills one row per input row.  Ranges arrive raw
(xlwings' ``raw`` converter: no per-cell conversion in xlwings) and are converted once here.
Bad input returns a readable one-cell message, never a Python stack; a range too large to
answer quickly is refused with a message stating the limit.  The prior corpus is indexed
once per distinct content, so recalculating many cells against the same range builds it once.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import xlwings as xw

from xl_upr import _cells as cells
from xl_upr.errors import XlUprError
from xl_upr.explain import why
from xl_upr.index import CorpusIndex, build_index
from xl_upr.match import best_match, match_table, score_pair
from xl_upr.normalise import split_states
from xl_upr.records import Record
from xl_upr.settings import MatchSettings

#: Most rows one call answers (more would keep Excel waiting); the message states the limit.
MAX_QUERIES = 20_000
MAX_PRIOR = 300_000
MAX_PAIRS = 2_000  # UPR_SCORE / UPR_WHY index each pair on its own (about 2 ms a pair)
_INDEXES: OrderedDict[tuple[tuple[str, ...], tuple[str, ...]], CorpusIndex] = OrderedDict()
_ERRORS = (XlUprError, ValueError, TypeError, OverflowError)
_DEFAULTS = MatchSettings()


def _index(prior_texts: Any, prior_ids: Any) -> CorpusIndex:
    texts = cells.column(prior_texts, "prior_texts")
    ids = cells.column(prior_ids, "prior_ids")
    if len(texts) != len(ids):
        raise ValueError(f"prior_texts has {len(texts)} rows but prior_ids has {len(ids)}; select ranges of "
                         "equal length")
    used = cells.used_rows("prior_texts", 1_048_576, texts)
    texts, ids = texts[:used], ids[:used]
    key = (tuple(ids), tuple(texts))
    if key in _INDEXES:
        _INDEXES.move_to_end(key)
        return _INDEXES[key]
    records = [Record(i or f"row {n}", t) for n, (i, t) in enumerate(zip(ids, texts), start=1) if t]
    if not records:
        raise ValueError("prior_texts has no text")
    if len(records) > MAX_PRIOR:
        raise ValueError(f"prior_texts has {len(records):,} texts; at most {MAX_PRIOR:,} can be indexed in Excel — "
                         "use `xl-upr match` for larger corpora")
    seen: set[str] = set()
    for r in records:
        if r.id in seen:
            raise ValueError(f"prior_ids has {r.id!r} twice; IDs must be unique")
        seen.add(r.id)
    _INDEXES[key] = index = build_index(records)
    while len(_INDEXES) > 8:
        _INDEXES.popitem(last=False)
    return index


def _settings(min_score: Any, repeated_at: Any) -> MatchSettings:
    base = MatchSettings()
    return MatchSettings(similar_at=cells.number(cells.scalar(min_score, "min_score"), base.similar_at),
                         repeated_at=cells.number(cells.scalar(repeated_at, "repeated_at"), base.repeated_at))


@xw.func
@xw.arg("texts", "raw", doc="New recommendations (one column)")
@xw.arg("prior_texts", "raw", doc="Earlier recommendations (one column)")
@xw.arg("prior_ids", "raw", doc="IDs of the earlier recommendations (same length)")
@xw.arg("min_score", "raw", doc=f"Score from which a match counts as Similar (default {_DEFAULTS.similar_at:g})")
@xw.arg("repeated_at", "raw", doc=f"Score from which a match counts as Repeated (default {_DEFAULTS.repeated_at:g})")
def upr_match(texts, prior_texts, prior_ids, min_score=None, repeated_at=None):
    """Best earlier match for each new recommendation: its ID, the 0-100 score and Repeated/Similar/New."""
    try:
        queries = cells.column(texts, "texts")
        queries = queries[:cells.used_rows("texts", MAX_QUERIES, queries)]
        index = _index(prior_texts, prior_ids)
        settings = _settings(min_score, repeated_at)
    except _ERRORS as err:
        return cells.message(err)
    out = []
    for q, hits in zip(queries, match_table(queries, index, limit=1, settings=settings)):
        if not q:
            out.append(["", "", ""])
        elif hits and hits[0].status != "new":
            out.append([hits[0].id, round(hits[0].score, 1), hits[0].status.capitalize()])
        else:
            out.append(["", round(hits[0].score, 1) if hits else 0.0, "New"])
    return out or [["", "", ""]]


@xw.func
@xw.arg("text", "raw", doc="One new recommendation")
@xw.arg("prior_texts", "raw", doc="Earlier recommendations (one column)")
@xw.arg("prior_ids", "raw", doc="IDs of the earlier recommendations (same length)")
@xw.arg("n", "raw", doc="How many rows (default 5)")
def upr_topn(text, prior_texts, prior_ids, n=None):
    """The n closest earlier recommendations, best first: ID, 0-100 score and the shared key terms."""
    try:
        query = cells.text(cells.scalar(text, "text"))
        index = _index(prior_texts, prior_ids)
        wanted = cells.number(cells.scalar(n, "n"), 5)
        if not (1 <= wanted <= 100 and float(wanted).is_integer()):
            raise ValueError(f"n must be from 1 to 100 (a whole number), got {wanted:g}")
        limit = int(wanted)
    except _ERRORS as err:
        return cells.message(err)
    hits = match_table([query], index, limit=limit)[0] if query else []
    rows = [[h.id, round(h.score, 1), why(h, index)] for h in hits]
    return rows + [["", "", ""]] * (limit - len(rows))


def _per_pair(text_a: Any, text_b: Any, fn: Any) -> list[list[Any]]:
    """fn(a, b) for each row of two equal-length columns; blank rows stay blank."""
    try:
        a, b = cells.column(text_a, "text_a"), cells.column(text_b, "text_b")
        if len(a) != len(b):
            raise ValueError(f"text_a has {len(a)} rows but text_b has {len(b)}; select ranges of equal length")
        used = cells.used_rows("text_a", MAX_PAIRS, a, b)
        a, b = a[:used], b[:used]
    except _ERRORS as err:
        return cells.message(err)
    return [[fn(x, y) if x and y else ""] for x, y in zip(a, b)] or [[""]]


def _per_row(texts: Any, fn: Any) -> list[list[Any]]:
    """fn(text) for each row of a column; blank rows stay blank."""
    try:
        values = cells.column(texts, "texts")
        values = values[:cells.used_rows("texts", MAX_QUERIES, values)]
    except _ERRORS as err:
        return cells.message(err)
    return [[fn(t) if t else ""] for t in values] or [[""]]


def _why_pair(a: str, b: str) -> str:
    index = build_index([Record("b", b)])
    hit = best_match(a, index)
    return why(hit, index) if hit else ""


@xw.func
@xw.arg("text_a", "raw", doc="A recommendation (or a column of them)")
@xw.arg("text_b", "raw", doc="Another recommendation (or a column of the same length)")
def upr_score(text_a, text_b):
    """The matcher's 0-100 score for two recommendations (domain-aware, not a raw string ratio)."""
    return _per_pair(text_a, text_b, lambda a, b: round(score_pair(a, b), 1))


@xw.func
@xw.arg("text_a", "raw", doc="A recommendation (or a column of them)")
@xw.arg("text_b", "raw", doc="Another recommendation (or a column of the same length)")
def upr_why(text_a, text_b):
    """The key terms two recommendations share, strongest first (e.g. CRPD; ratify; disabilities)."""
    return _per_pair(text_a, text_b, _why_pair)


@xw.func
@xw.arg("texts", "raw", doc="Recommendations (one column)")
def upr_clean(texts):
    """Each recommendation without its recommending State(s) in parentheses."""
    return _per_row(texts, lambda t: split_states(t)[0])


@xw.func
@xw.arg("texts", "raw", doc="Recommendations (one column)")
def upr_states(texts):
    """The recommending State(s) of each recommendation, separated by semicolons."""
    return _per_row(texts, lambda t: "; ".join(split_states(t)[1]))
