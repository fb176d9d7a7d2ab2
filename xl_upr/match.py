"""Stage 2-3: score a recommendation against an indexed corpus and rank the earlier records.

The call shape follows rapidfuzz's ``process`` functions: ``(query, choices, *, score_cutoff,
limit)``; a hit is a `Match` with the record, its 0-100 score and its row in the index;
blank input gives ``None``/``[]``; the cut-off is inclusive; ``limit=None`` means all.

Scoring: the weighted, length-normalised cosine of the two texts' features (`index`) selects
candidates among all records in one sparse product; the candidates are then re-scored with
rapidfuzz's ``token_set_ratio`` over their content stems (which rewards a short recommendation
whose terms all recur in a longer one), the two are blended, and the result is lowered when the
texts name different treaties, or only the earlier record names one (`normalise.treaty_factor`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz
from scipy import sparse

from xl_upr.index import CorpusIndex, features
from xl_upr.normalise import terms, terms_many, treaties, treaty_factor
from xl_upr.records import Record
from xl_upr.settings import MatchSettings

#: Share of the final score that comes from rapidfuzz's token-set ratio of content stems.
FUZZ_SHARE = 0.25
#: Candidates re-scored per query, at least.
CANDIDATES = 20


@dataclass(frozen=True)
class Match:
    """One earlier record matched to a query."""

    record: Record
    score: float
    key: int
    status: str = ""

    @property
    def id(self) -> str:
        return self.record.id


@dataclass(frozen=True)
class _Query:
    stems: tuple[str, ...]
    feats: Counter[str]
    treaties: frozenset[str]


def _prepare(text: str | None) -> _Query | None:
    return _prepare_many([text])[0]


def _prepare_many(texts: Sequence[str | None]) -> list[_Query | None]:
    """Queries processed together (one `terms_many` call); blank texts give None."""
    present = [i for i, t in enumerate(texts) if t is not None and str(t).strip()]
    out: list[_Query | None] = [None] * len(texts)
    if not present:
        return out
    names, ids, docs = terms_many([str(texts[i]) for i in present])
    bounds = np.searchsorted(docs, np.arange(len(present) + 1))
    for k, i in enumerate(present):
        stems = [names[j] for j in ids[bounds[k]:bounds[k + 1]].tolist()]
        if stems:
            out[i] = _Query(tuple(stems), features(stems), treaties(stems))
    return out


def _stem_string(stems: Sequence[str]) -> str:
    return " ".join(sorted(set(stems)))


def blend(cosine: float, fuzz_ratio: float) -> float:
    """Final 0-100 score from the weighted cosine (0-1) and rapidfuzz's ratio (0-100)."""
    base = math.sqrt(min(max(cosine, 0.0), 1.0)) * 100.0
    return round((1.0 - FUZZ_SHARE) * base + FUZZ_SHARE * fuzz_ratio * min(1.0, 2.0 * cosine), 2)


def _cosines(queries: Sequence[_Query | None], index: CorpusIndex) -> sparse.csr_matrix:
    """Sparse (queries x records) weighted cosines, computed in one sparse product; only
    records sharing a feature with a query are stored."""
    rows, cols, vals, norms = [], [], [], []
    for i, q in enumerate(queries):
        if q is None:
            norms.append(1.0)
            continue
        vec, norm = index.vectorise(q.feats)
        rows.extend([i] * vec.nnz)
        cols.extend(vec.indices.tolist())
        vals.extend(vec.data.tolist())
        norms.append(norm or 1.0)
    qm = sparse.csr_matrix((np.asarray(vals, dtype=np.float32), (rows, cols)),
                           shape=(len(queries), len(index.vocab)))
    prod = (qm @ index.by_feature).tocsr()
    inv = (1.0 / np.asarray(norms, dtype=np.float32))
    prod.data *= np.repeat(inv, np.diff(prod.indptr))
    return prod


def _rank(q: _Query, rows: np.ndarray, cosines: np.ndarray, index: CorpusIndex, settings: MatchSettings,
          score_cutoff: float, limit: int | None) -> list[Match]:
    n = len(rows)
    want = n if limit is None else min(n, max(CANDIDATES, 4 * limit))
    pick = np.argpartition(-cosines, want - 1)[:want] if 0 < want < n else np.arange(n)
    qs = _stem_string(q.stems)
    scored = []
    for row, cos in zip(rows[pick].tolist(), cosines[pick].tolist()):
        if cos <= 0:
            continue
        rs = index.stem_string(row)
        ratio = fuzz.token_set_ratio(qs, rs)
        score = round(blend(cos, ratio) * treaty_factor(q.treaties, treaties(rs.split())), 2)
        if score >= score_cutoff:
            scored.append((score, -row))
    scored.sort(reverse=True)
    if limit is not None:
        scored = scored[:limit]
    return [Match(index.records[-r], s, -r, settings.status(s)) for s, r in scored]


def top_matches(query: str | None, index: CorpusIndex, *, score_cutoff: float = 0.0,
                limit: int | None = 5, settings: MatchSettings | None = None) -> list[Match]:
    """Rank earlier records for one recommendation, best first.

    Examples
    --------
    >>> from xl_upr.index import build_index
    >>> idx = build_index([Record("a", "Ratify CRPD (Hungary)"), Record("b", "Abolish the death penalty")])
    >>> [m.id for m in top_matches("Ratify the Convention on the Rights of Persons with Disabilities", idx)]
    ['a']
    """
    return match_table([query], index, score_cutoff=score_cutoff, limit=limit, settings=settings)[0]


def best_match(query: str | None, index: CorpusIndex, *, score_cutoff: float = 0.0,
               settings: MatchSettings | None = None) -> Match | None:
    """The single best earlier record for a recommendation, or None."""
    hits = top_matches(query, index, score_cutoff=score_cutoff, limit=1, settings=settings)
    return hits[0] if hits else None


def match_table(queries: Sequence[str | None], index: CorpusIndex, *, score_cutoff: float = 0.0,
                limit: int | None = 5, settings: MatchSettings | None = None,
                batch: int = 64) -> list[list[Match]]:
    """Top matches for many recommendations at once (one list per query, in order)."""
    settings = settings or MatchSettings()
    prepared = _prepare_many(queries)
    out: list[list[Match]] = []
    if len(index) == 0:
        return [[] for _ in prepared]
    for start in range(0, len(prepared), batch):
        chunk = prepared[start:start + batch]
        cos = _cosines(chunk, index)
        for i, q in enumerate(chunk):
            start, end = cos.indptr[i], cos.indptr[i + 1]
            out.append([] if q is None else _rank(q, cos.indices[start:end], cos.data[start:end], index, settings,
                                                 score_cutoff, limit))
    return out


def score_pair(text_a: str | None, text_b: str | None) -> float:
    """The matcher's 0-100 score of two texts on their own (a two-record corpus gives the
    weights: what both share counts, what only one says lowers the score)."""
    from xl_upr.index import build_index

    if not text_a or not text_b or not str(text_a).strip() or not str(text_b).strip():
        return 0.0
    idx = build_index([Record("b", str(text_b)), Record("a", str(text_a))])
    hits = top_matches(str(text_a), idx, limit=None)
    return next((h.score for h in hits if h.id == "b"), 0.0)


def top_matches_reference(query: str | None, records: Sequence[Record], *, score_cutoff: float = 0.0,
                          limit: int | None = 5) -> list[tuple[str, float]]:
    """Slow, obvious twin of `top_matches` (pure Python loops over every record); parity tests
    compare the two."""
    import numpy as np

    from xl_upr.index import _feature_multiplier, pivoted, tf

    q = _prepare(query)
    if q is None or not records:
        return []
    docs = [features(terms(r.text)) for r in records]
    n = len(records)
    df: dict[str, int] = {}
    for d in docs:
        for f in d:
            df[f] = df.get(f, 0) + 1

    def w(f: str) -> float:
        return math.log1p(n / df.get(f, 0.5)) * _feature_multiplier(f)

    qnorm = math.sqrt(sum((w(f) * tf(c)) ** 2 for f, c in q.feats.items())) or 1.0
    qs = _stem_string(q.stems)
    out = []
    dnorms = pivoted(np.array([math.sqrt(sum((w(f) * tf(c)) ** 2 for f, c in d.items())) or 1.0 for d in docs]))
    for r, d, dnorm in zip(records, docs, dnorms.tolist()):
        cos = sum(w(f) ** 2 * tf(c) * tf(d[f]) for f, c in q.feats.items() if f in d) / (qnorm * dnorm)
        if cos <= 0:
            continue
        rstems = terms(r.text)
        score = round(blend(cos, fuzz.token_set_ratio(qs, _stem_string(rstems)))
                      * treaty_factor(q.treaties, treaties(rstems)), 2)
        if score >= score_cutoff:
            out.append((r.id, score))
    out.sort(key=lambda t: -t[1])
    return out if limit is None else out[:limit]
