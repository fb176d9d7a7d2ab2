"""Stage 3a for a batch of queries at once: their candidates and the `features.NAMES` row of every
(query, candidate) pair, as flat arrays.

What the lexical re-score and `features.pair_features` compute for one pair, done here for all
pairs with numpy: candidates are picked from a dense (queries x records) block in one pass per
source, the token-set ratios of all pairs come from one rapidfuzz ``cpdist`` call, and the sets
the features compare (treaties, rights areas, groups, States) are bit masks. Every value equals
the one-pair formula's bit for bit (tested): the same float64 operations in the same order,
Python's own rounding where a value lies on a rounding edge, ``math.log`` for the lengths.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from xl_upr.csr import distinct
from xl_upr.normalise import ONLY_RECORD_TREATY, OTHER_TREATY
from xl_upr.ranking.features import NAMES
from xl_upr.ranking.profile import Profile
from xl_upr.ranking.sets import Clauses, SetMasks, clause_codes, common, size

#: Share of the lexical score that comes from rapidfuzz's token-set ratio of content stems.
FUZZ_SHARE = 0.25
#: Elements of a dense (queries x records) block handled at once when picking candidates.
BLOCK_ELEMENTS = 1 << 22


# --------------------------------------------------------------------------- candidates
def top_pairs(values: np.ndarray, k: int, empty: float = -np.inf) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of each row's k largest values, ``empty`` or below meaning "no value"; of
    values tied at the cut, those of the smallest columns, so the choice never depends on the
    order of the input. A row with k or fewer values gives all of them. Pairs come ordered by row.

    A partition of a strided sample of each row finds a value no larger than its k-th largest;
    only the values at or above it are sorted (value descending, column ascending).

    >>> r, c = top_pairs(np.array([[0.1, 0.9, 0.9, 0.5], [1.0, -np.inf, 0.0, 0.0]], dtype=np.float32), 2)
    >>> r.tolist(), c.tolist()
    ([0, 0, 1, 1], [1, 2, 0, 2])
    """
    b, n = values.shape
    if k >= n:
        flat = np.flatnonzero(values > empty)
    else:
        step = max(1, int(math.sqrt(n / k) / 4))
        sample = values[:, ::step]
        m = sample.shape[1]
        floor = np.partition(sample, m - k, axis=1)[:, m - k] if m > k else sample.min(axis=1)
        flat = np.flatnonzero(values >= floor[:, None])
    v = values.reshape(-1)[flat]
    if len(v) and v.min() <= empty:
        flat, v = flat[v > empty], v[v > empty]
    r, c = np.divmod(flat, n)
    if k >= n:
        return r, c
    order = np.lexsort((c, -v, r))
    r, c = r[order], c[order]
    keep = np.arange(len(r)) - np.searchsorted(r, r) < k
    return r[keep], c[keep]


def merge_top(q: np.ndarray, r: np.ndarray, v: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The `top_pairs` of rows whose values come in parts (each part a row's top ``k`` of some of
    its columns): each row's ``k`` largest of all, ties by smallest column, ordered by row."""
    order = np.lexsort((r, -v, q))
    q, r = q[order], r[order]
    keep = np.arange(len(q)) - np.searchsorted(q, q) < k
    return q[keep], r[keep]


def candidates(lex: np.ndarray, want: int | None, nearest: tuple[np.ndarray, np.ndarray] | None = None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidates of a block of queries: (query, row) pairs ordered by query then row, and each
    pair's lexical cosine (0 where the texts share no feature).

    ``lex`` holds the weighted cosines (queries x records, 0 where the texts share no feature);
    each query keeps its ``want`` best (all when None) and the (query, row) pairs of
    ``nearest`` (its embedding neighbours)."""
    n = lex.shape[1]
    q, r = top_pairs(lex, n if want is None else want, empty=0.0)
    keys = q * n + r
    if nearest is not None:
        keys = np.concatenate((keys, nearest[0] * n + nearest[1]))
    q, r = np.divmod(distinct(keys), n)
    return q, r, lex[q, r]


# --------------------------------------------------------------------------- exact arithmetic
def py_round(x: np.ndarray, digits: int) -> np.ndarray:
    """``round(value, digits)`` of Python for every value (correctly rounded decimal), vectorised:
    numpy's scaled rounding agrees except next to a half, where Python's own is used."""
    scale = 10.0 ** digits
    y = x * scale
    out = np.rint(y) / scale
    edge = np.flatnonzero(np.abs(y - np.floor(y) - 0.5) < 1e-6)
    for i in edge.tolist():
        out[i] = round(float(x[i]), digits)
    return out


def blend(cosine: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    """`match.blend` of many (cosine, token-set ratio) pairs (float64, same operations)."""
    base = np.sqrt(np.minimum(np.maximum(cosine, 0.0), 1.0)) * 100.0
    return py_round((1.0 - FUZZ_SHARE) * base + FUZZ_SHARE * ratio * np.minimum(1.0, 2.0 * cosine), 2)


def best_clauses(q: Clauses, r: Clauses, qi: np.ndarray, ri: np.ndarray, width: int) -> np.ndarray:
    """`features.best_clause` of every pair (``qi`` a text of ``q``, ``ri`` one of ``r``): the
    largest Jaccard overlap of a clause of each, 0 when either has no clause. Stem codes are
    below ``width``."""
    nq, nr = q.count[qi], r.count[ri]
    combos = nq * nr
    total = int(combos.sum())
    best = np.zeros(len(qi), dtype=np.float64)
    if not total:
        return best
    pair = np.repeat(np.arange(len(qi)), combos)
    within = np.arange(total) - np.repeat(np.cumsum(combos) - combos, combos)
    a = q.first[qi][pair] + within // nr[pair]
    b = r.first[ri][pair] + within % nr[pair]
    member = np.zeros((len(q.size), width), dtype=bool)  # the batch's query clauses x stems
    member[np.repeat(np.arange(len(q.size)), q.size), q.stems] = True
    per = r.size[b]
    combo = np.repeat(np.arange(total), per)
    at = np.repeat(r.start[b] - (np.cumsum(per) - per), per) + np.arange(int(per.sum()))
    inter = np.bincount(combo, weights=member[a[combo], r.stems[at]], minlength=total).astype(np.int64)
    np.maximum.at(best, pair, inter / (q.size[a] + r.size[b] - inter))
    return best


# --------------------------------------------------------------------------- the pair table
@dataclass(frozen=True)
class QueryBatch:
    """What the pair stage reads of a batch of queries."""

    profiles: Sequence[Profile]
    terms_treaties: Sequence[frozenset[str]]


def _length_ratios(r: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``math.log((r + 1) / (q + 1))`` of stem counts, by `math` (numpy's log may differ by an ulp)."""
    width = int(q.max(initial=0)) + 1
    keys, inverse = np.unique(r * width + q, return_inverse=True)
    vals = np.array([math.log((k // width + 1) / (k % width + 1)) for k in keys.tolist()], dtype=np.float64)
    return vals[inverse.reshape(-1)]


def _jaccard(inter: np.ndarray, a: np.ndarray, b: np.ndarray, empty: float = 0.5) -> np.ndarray:
    union = a + b - inter
    return np.where(union > 0, inter / np.maximum(union, 1), empty)


def token_set_ratios(stem_strings: Sequence[str], qi: np.ndarray, rows: np.ndarray, cos: np.ndarray,
                     index: Any) -> np.ndarray:
    """rapidfuzz's ``token_set_ratio`` of the content stems of every pair sharing a feature
    (``cos`` > 0; 0 for the others), in one ``cpdist`` call (which lets go of the interpreter
    lock, so a worker thread can take it)."""
    out = np.zeros(len(qi), dtype=np.float64)
    live = np.flatnonzero(cos > 0)
    if len(live):
        out[live] = process.cpdist([stem_strings[i] for i in qi[live].tolist()],
                                   index.stem_strings(rows[live].tolist()),
                                   scorer=fuzz.token_set_ratio, dtype=np.float64)
    return out


def pair_table(batch: QueryBatch, qi: np.ndarray, rows: np.ndarray, cos: np.ndarray, emb: np.ndarray,
               best_emb: np.ndarray, ratios: np.ndarray, index: Any) -> np.ndarray:
    """The `NAMES` row of every pair (float64, pairs x features), as `features.pair_features`
    gives it: ``qi`` the pair's query in ``batch``, ``rows`` its record row in ``index``, ``cos``
    the lexical (weighted) cosine, ``emb`` the embedding cosine, ``best_emb`` per query its best
    embedding cosine over all records, ``ratios`` the pairs' `token_set_ratios`."""
    p = len(qi)
    x = np.zeros((p, len(NAMES)), dtype=np.float64)
    if not p:
        return x
    store = index.record_sets()
    need = distinct(rows)
    need = need[~store.have[need]]
    if len(need):  # every candidate's profile is made (and saved) on first use
        rec = need.tolist()
        store.add(need, index.profiles(rec), index.records_treaties(rec))
    qsets = SetMasks.of(store.codes, batch.profiles, batch.terms_treaties)
    qm, rm = qsets.masks, store.sets.masks

    def both(kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        a, b = qm[kind][qi], rm[kind][rows]
        return common(a, b), size(a), size(b)

    # lexical score: blended cosine and token-set ratio, times the treaty factor (`match._lexical`)
    c64 = cos.astype(np.float64)
    lex = np.zeros(p, dtype=np.float64)
    live = np.flatnonzero(c64 > 0)
    if len(live):
        inter, a, b = (v[live] for v in both("terms_treaties"))
        factor = np.where((a > 0) & (b > 0) & (inter == 0), OTHER_TREATY,
                          np.where((b > 0) & (a == 0), ONLY_RECORD_TREATY, 1.0))
        lex[live] = py_round(blend(c64[live], ratios[live]) * factor, 2)
    lex /= 100.0
    # best lexical score per query over its candidates
    starts = np.flatnonzero(np.r_[True, qi[1:] != qi[:-1]])
    best_lex = np.repeat(np.maximum.reduceat(lex, starts), np.diff(np.r_[starts, p]))
    e64 = emb.astype(np.float64)
    x[:, 0] = lex
    x[:, 1] = e64
    x[:, 2] = best_lex - lex
    x[:, 3] = best_emb.astype(np.float64)[qi] - e64
    inter, a, b = both("treaties")
    x[:, 4] = inter > 0
    x[:, 5] = (a > 0) & (b > 0) & (inter == 0)
    x[:, 6] = (b > 0) & (a == 0)
    x[:, 7] = _length_ratios(store.sets.stems[rows], qsets.stems[qi])
    inter, a, b = both("sectors")
    x[:, 8] = _jaccard(inter, a, b)
    x[:, 9] = (a > 0) & (b > 0) & (inter == 0)
    inter, a, b = both("groups")
    x[:, 10] = _jaccard(inter, a, b)
    q_clauses = clause_codes(store.codes["stem"], batch.profiles)
    x[:, 11] = best_clauses(q_clauses, store.clauses, qi, rows, len(store.codes["stem"].of))
    x[:, 12] = common(qm["states"][qi], rm["states"][rows]) > 0
    return x
