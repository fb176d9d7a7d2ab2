"""Stage 2-3: score a recommendation against an indexed corpus and rank the earlier records.

The call shape follows rapidfuzz's ``process`` functions: ``(query, choices, *, score_cutoff,
limit)``; a hit is a `Match` with the record, its 0-100 score and its row in the index;
blank input gives ``None``/``[]``; the cut-off is inclusive; ``limit=None`` means all.

Ranking: the weighted, length-normalised cosine of the two texts' features (`index`), in one
sparse product, and the sentence-embedding cosine each pick a query's candidates among all
records; `ranking.pairs` computes every candidate's features for a batch of queries at once
(the lexical score among them: the cosine blended with rapidfuzz's ``token_set_ratio`` of the
content stems and lowered when the texts name different treaties); the ranker
(`ranking.model`) turns them into a utility and the calibrated 0-100 confidence shown as the
score. `top_matches_reference` and `blend` are the slow, obvious lexical twin parity tests use.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from rapidfuzz import fuzz

from xl_upr.csr import accumulate
from xl_upr.errors import XlUprWarning
from xl_upr.index import CorpusIndex, features
from xl_upr.normalise import terms, terms_many, treaties, treaty_factor
from xl_upr.ranking import pairs
from xl_upr.ranking.embed import SemanticUnavailable
from xl_upr.ranking.model import Ranker, group_margins, ranker
from xl_upr.ranking.profile import EMPTY, Profile, profiles
from xl_upr.ranking.vectors import embeddings
from xl_upr.records import Record
from xl_upr.settings import MatchSettings

#: Share of the final score that comes from rapidfuzz's token-set ratio of content stems.
FUZZ_SHARE = pairs.FUZZ_SHARE
#: Candidates re-scored per query, at least.
CANDIDATES = 20


@dataclass(frozen=True)
class Match:
    """One earlier record matched to a query."""

    record: Record
    score: float
    key: int
    status: str = ""
    features: tuple[float, ...] = field(default=(), repr=False, compare=False)
    ranker: str = field(default="", repr=False, compare=False)
    margin: float = field(default=0.0, repr=False, compare=False)
    query: Profile | None = field(default=None, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.record.id


@dataclass(frozen=True)
class _Query:
    stems: tuple[str, ...]
    feats: Counter[str]
    treaties: frozenset[str]

    @cached_property
    def stem_string(self) -> str:
        """Sorted distinct stems joined by spaces (what rapidfuzz compares), made once."""
        return _stem_string(self.stems)


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


def _query_vectors(queries: Sequence[_Query], index: CorpusIndex
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The queries' weights over the corpus features as (query, column, value) triples, columns
    ascending within a query, and each query's norm (float32, as the product reads them)."""
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    norms = []
    for i, q in enumerate(queries):
        qcols, qvals, norm = index.query_vector(q.feats)
        order = sorted(range(len(qcols)), key=qcols.__getitem__)
        rows.extend([i] * len(qcols))
        cols.extend(qcols[j] for j in order)
        vals.extend(qvals[j] for j in order)
        norms.append(norm or 1.0)
    return (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64), np.asarray(vals, dtype=np.float32),
            np.asarray(norms, dtype=np.float32))


def _cosines(vectors: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], start: int, stop: int,
             index: CorpusIndex) -> np.ndarray:
    """Weighted cosines (float32) of queries ``start:stop`` against every record, in one sparse
    product; 0 where a record shares no feature with the query (every weight is positive)."""
    rows, cols, vals, norms = vectors
    a, b = np.searchsorted(rows, [start, stop])
    out = np.zeros((stop - start, len(index)), dtype=np.float32)
    accumulate(out, rows[a:b] - start, cols[a:b], vals[a:b], index.by_feature)
    out *= (1.0 / norms[start:stop])[:, None]
    return out


#: Candidates per query from each source (lexical index, embedding neighbours), at least.
SEMANTIC_CANDIDATES = 20
#: Candidates below this confidence (0-100) are no candidates: they share next to nothing.
FLOOR = 0.5
#: Sentence-embedding products are taken over this many records at a time (bounded memory).
_BLOCK = 32_768
#: Worker threads finding candidates (stage 3a) while the calling thread computes pair features.
_THREADS = 2


def _nearest(qv: np.ndarray, cvec: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(query, record) pairs of each query's ``k`` nearest records by embedding cosine, ordered
    by query: the product taken over `_BLOCK` records at a time (each block made float32 once),
    each block's nearest kept, then the nearest of those (the same pairs as over all at once)."""
    if len(cvec) <= _BLOCK:
        return pairs.top_pairs(qv @ cvec.T, k)
    found = []
    for start in range(0, len(cvec), _BLOCK):
        block = qv @ cvec[start:start + _BLOCK].astype(np.float32).T
        q, r = pairs.top_pairs(block, k)
        found.append((q, r + start, block[q, r]))
    q, r, v = (np.concatenate(part) for part in zip(*found))
    return pairs.merge_top(q, r, v, k)


@dataclass(frozen=True)
class _Found:
    """A batch's candidates: the live queries (positions in the batch), each pair's query (into
    ``live``), record row, lexical cosine and embedding cosine, each live query's best
    embedding cosine over all records, and each pair's `pairs.token_set_ratios`."""

    live: list[int]
    qi: np.ndarray
    rows: np.ndarray
    lex_cos: np.ndarray
    emb: np.ndarray
    best_emb: np.ndarray
    ratios: np.ndarray


def _pair_cosines(qv: np.ndarray, cvec: np.ndarray, qi: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Embedding cosines of (query, record) pairs, each pair's dot product on its own: the same
    pair gets the same value whichever queries share its batch (a matrix product's last bits
    depend on its shape: one query from Excel would otherwise score unlike the same query among
    300 from the command line)."""
    return np.vecdot(qv[qi], cvec[rows].astype(np.float32, copy=False)).astype(np.float64)


def _find(chunk: Sequence[_Query | None], qvec: np.ndarray | None, cvec: np.ndarray | None, index: CorpusIndex,
          want: int | None) -> _Found | None:
    """Stage 3a of a batch: its candidates from the sparse and the embedding products, and their
    token-set ratios. Batches may run in threads side by side (numpy, BLAS, the product and
    rapidfuzz let go of the interpreter lock): this stage reads the index, and writes only its
    stem-string cache, where a row's string is the same whichever thread makes it."""
    live = [i for i, q in enumerate(chunk) if q is not None]
    if not live:
        return None
    queries = [q for q in chunk if q is not None]
    vectors = _query_vectors(queries, index)
    both = (qvec[live], cvec) if qvec is not None and cvec is not None else None
    n = len(index)
    near = _nearest(*both, n if want is None else max(want, SEMANTIC_CANDIDATES)) if both is not None else None
    found = []
    step = max(1, pairs.BLOCK_ELEMENTS // max(n, 1))  # dense blocks of bounded size
    for start in range(0, len(queries), step):
        stop = min(len(queries), start + step)
        mine = None
        if near is not None:
            a, b = np.searchsorted(near[0], [start, stop])
            mine = (near[0][a:b] - start, near[1][a:b])
        q, r, c = pairs.candidates(_cosines(vectors, start, stop, index), want, mine)
        found.append((q + start, r, c))
    qi, rows, lex_cos = (np.concatenate(parts) for parts in zip(*found))
    emb = np.zeros(len(qi), dtype=np.float64)
    best_emb = np.zeros(len(live), dtype=np.float64)
    if both is not None:  # each pair's cosine anew, so no value depends on the batch (see `_pair_cosines`)
        emb = _pair_cosines(*both, qi, rows)
        best_emb[:] = -np.inf
        np.maximum.at(best_emb, qi, emb)  # a query's nearest record is always among its candidates
    ratios = pairs.token_set_ratios([q.stem_string for q in queries], qi, rows, lex_cos, index)
    return _Found(live, qi, rows, lex_cos, emb, best_emb, ratios)


def _batch(chunk: Sequence[_Query | None], profs: Sequence[Profile], found: _Found | None, index: CorpusIndex
           ) -> list[tuple[Profile, np.ndarray, np.ndarray] | None]:
    """Stage 3b of a batch: the feature row of every candidate pair, all pairs at once (`pairs`);
    fills the index's per-record caches, so batches take this stage one at a time."""
    out: list[tuple[Profile, np.ndarray, np.ndarray] | None] = [None] * len(chunk)
    if found is None:
        return out
    live = found.live
    queries = [q for q in chunk if q is not None]  # the live ones, in order
    batch = pairs.QueryBatch([profs[i] for i in live], [q.treaties for q in queries])
    x = pairs.pair_table(batch, found.qi, found.rows, found.lex_cos, found.emb, found.best_emb, found.ratios,
                         index)
    bounds = np.searchsorted(found.qi, np.arange(len(live) + 1)).tolist()
    for k, i in enumerate(live):
        a, b = bounds[k], bounds[k + 1]
        out[i] = (profs[i], found.rows[a:b], x[a:b])
    return out


def _rank(table: Sequence[tuple[Profile, np.ndarray, np.ndarray] | None], index: CorpusIndex,
          settings: MatchSettings, model: Ranker, score_cutoff: float, limit: int | None) -> list[list[Match]]:
    """Every query's candidates ranked by utility (ties: lower row first), scored by the
    calibrated confidence; utilities, margins and confidences of all pairs in one pass."""
    out: list[list[Match]] = [[] for _ in table]
    live = [(k, t) for k, t in enumerate(table) if t is not None and len(t[1])]
    if not live:
        return out
    rows = np.concatenate([t[1] for _, t in live])
    x = np.concatenate([t[2] for _, t in live])
    starts = np.zeros(len(live) + 1, dtype=np.int64)
    np.cumsum([len(t[1]) for _, t in live], out=starts[1:])
    u = model.utility(x)
    lead = group_margins(u, starts)
    conf = (model.confidence(u, lead) * 100.0).tolist()
    order = np.lexsort((rows, -u, np.repeat(np.arange(len(live)), np.diff(starts)))).tolist()
    row_list, lead_list, bounds = rows.tolist(), lead.tolist(), starts.tolist()
    cut = max(score_cutoff, FLOOR)
    records, status = index.records, settings.status
    for g, (k, (prof, _rows, _x)) in enumerate(live):
        hits = out[k]
        for i in order[bounds[g]:bounds[g + 1]]:
            score = round(conf[i], 1)
            if score >= cut:
                r = row_list[i]
                hits.append(Match(records[r], score, r, status(score), tuple(x[i].tolist()), model.name,
                                  lead_list[i], prof))
                if limit is not None and len(hits) == limit:
                    break
    return out


_WARNED: set[str] = set()


def _warn_once(message: str) -> None:
    if message not in _WARNED:
        _WARNED.add(message)
        warnings.warn(message, SemanticFallback, stacklevel=3)


class SemanticFallback(XlUprWarning):
    """The embedding model could not be used; matching went on with the lexical ranker."""


def top_matches(query: str | None, index: CorpusIndex, *, score_cutoff: float = 0.0,
                limit: int | None = 5, settings: MatchSettings | None = None,
                semantic: bool | None = None) -> list[Match]:
    """Rank earlier records for one recommendation, best first.

    Examples
    --------
    >>> from xl_upr.index import build_index
    >>> idx = build_index([Record("a", "Ratify CRPD (Hungary)"), Record("b", "Abolish the death penalty")])
    >>> [m.id for m in top_matches("Ratify the Convention on the Rights of Persons with Disabilities", idx)]
    ['a']
    """
    return match_table([query], index, score_cutoff=score_cutoff, limit=limit, settings=settings,
                       semantic=semantic)[0]


def best_match(query: str | None, index: CorpusIndex, *, score_cutoff: float = 0.0,
               settings: MatchSettings | None = None, semantic: bool | None = None) -> Match | None:
    """The single best earlier record for a recommendation, or None."""
    hits = top_matches(query, index, score_cutoff=score_cutoff, limit=1, settings=settings, semantic=semantic)
    return hits[0] if hits else None


_Table = list[tuple[Profile, np.ndarray, np.ndarray] | None]


def _embed(queries: Sequence[str | None], present: list[int], index: CorpusIndex, cache: bool,
           progress: Callable[[int, int], None] | None) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The queries' sentence embeddings (float32; zero rows for blank queries) and the corpus's
    (as the index holds them), or (None, None) with one warning when the model cannot be used."""
    try:
        cvec = index.vectors(disk=cache, progress=progress)
        qvec = np.zeros((len(queries), cvec.shape[1]), dtype=np.float32)
        qvec[present] = embeddings([str(queries[i]) for i in present], disk=cache).astype(np.float32)
        return qvec, cvec
    except SemanticUnavailable as err:
        _warn_once(f"sentence embeddings unavailable ({err}); using the lexical ranker")
        return None, None


def _tables(queries: Sequence[str | None], index: CorpusIndex, *, limit: int | None, semantic: bool, cache: bool,
            progress: Callable[[int, int], None] | None, batch: int) -> tuple[bool, Iterator[_Table]]:
    """Whether embeddings are used, and the `candidate_table` rows batch by batch.

    Stage 3a (`_find`) of every batch is handed to worker threads at once; this thread makes
    the queries' profiles meanwhile, then takes stage 3b of each batch as its 3a is done."""
    prepared = _prepare_many(queries)
    present = [i for i, q in enumerate(prepared) if q is not None]
    qvec, cvec = _embed(queries, present, index, cache, progress) if semantic and present and len(index) \
        else (None, None)
    if cvec is not None and len(cvec) <= _BLOCK:  # small enough to hold as float32 once
        cvec = cvec.astype(np.float32)
    want = None if limit is None else max(CANDIDATES, 4 * limit)

    def find(start: int) -> _Found | None:
        return _find(prepared[start:start + batch], None if qvec is None else qvec[start:start + batch], cvec,
                     index, want)

    def run() -> Iterator[_Table]:
        if not len(index):
            yield [None] * len(prepared)
            return
        index.ready_for_queries()
        starts = range(0, len(prepared), batch)
        with ThreadPoolExecutor(max_workers=_THREADS) if len(starts) > 1 else nullcontext() as pool:
            found = pool.map(find, starts) if pool is not None else map(find, starts)
            profs: list[Profile] = [EMPTY] * len(prepared)
            for i, p in zip(present, profiles([str(queries[i]) for i in present])):
                profs[i] = p
            for start, f in zip(starts, found):
                yield _batch(prepared[start:start + batch], profs[start:start + batch], f, index)

    return cvec is not None, run()


def candidate_table(queries: Sequence[str | None], index: CorpusIndex, *, limit: int | None = 5,
                    semantic: bool = True, cache: bool = True, progress: Callable[[int, int], None] | None = None,
                    batch: int = 64) -> tuple[bool, _Table]:
    """Per query: its profile, candidate rows and their `features.NAMES` rows (None for a blank
    query), and whether embeddings were used (False: the ``lexical`` ranker applies).
    What `match_table` ranks, and what ``scripts/train_ranker.py`` fits on."""
    used, parts = _tables(queries, index, limit=limit, semantic=semantic, cache=cache, progress=progress,
                          batch=batch)
    return used, [row for part in parts for row in part]


def match_table(queries: Sequence[str | None], index: CorpusIndex, *, score_cutoff: float = 0.0,
                limit: int | None = 5, settings: MatchSettings | None = None, semantic: bool | None = None,
                cache: bool = True, progress: Callable[[int, int], None] | None = None,
                batch: int = 64) -> list[list[Match]]:
    """Top matches for many recommendations at once (one list per query, in order).

    ``semantic`` (default: the setting) adds sentence embeddings to the ranking; if the model
    cannot load, a `SemanticFallback` warning is issued once and the lexical ranker is used.
    ``cache=False`` keeps embeddings out of the on-disk cache; ``progress(done, total)`` is
    called while a corpus is embedded for the first time.
    """
    settings = settings or MatchSettings()
    used, parts = _tables(queries, index, limit=limit, semantic=settings.semantic if semantic is None else semantic,
                          cache=cache, progress=progress, batch=batch)
    model = ranker(used)
    return [hits for part in parts for hits in _rank(part, index, settings, model, score_cutoff, limit)]


def embed_queries(queries: Sequence[str | None], index: CorpusIndex, *, cache: bool = True,
                  progress: Callable[[int, int], None] | None = None) -> bool:
    """Embed the corpus and the queries now (kept in memory for the match that follows);
    False, after one warning, when the model cannot be used."""
    texts = [str(q) for q in queries if q is not None and str(q).strip()]
    return not len(index) or _embed(texts, list(range(len(texts))), index, cache, progress)[0] is not None


def score_pair(text_a: str | None, text_b: str | None) -> float:
    """The matcher's 0-100 confidence that ``text_b`` asks for what ``text_a`` asks, the two
    texts on their own (``text_b`` is a one-record corpus: what only ``text_a`` says lowers it)."""
    from xl_upr.index import build_index

    if not text_a or not text_b or not str(text_a).strip() or not str(text_b).strip():
        return 0.0
    hits = top_matches(str(text_a), build_index([Record("b", str(text_b))]), limit=None)
    return hits[0].score if hits else 0.0


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
