"""Stage 3a: features of one (query, earlier record) pair, as the ranker model reads them.

Each compares the two texts as a reader would: how much of the wording and of the meaning they
share (lexical score, sentence-embedding cosine, each also as the gap to the query's best
candidate), whether they name the same treaty, whether they ask about the same rights area and
the same people, how well their best clauses agree (multi-part recommendations), how their lengths compare,
and whether the same State recommended both (States tend to repeat their own asks).

`pair_features` is the definition, one pair at a time; at run time `ranking.pairs.pair_table`
computes the same values for all pairs of a batch (tests hold the two equal, bit for bit).
"""

from __future__ import annotations

import math

from xl_upr.ranking.profile import Profile

#: Feature names, in the order of `pair_features` (and of the model's coefficients).
NAMES: tuple[str, ...] = (
    "lexical", "cosine", "lexical_gap", "cosine_gap", "same_treaty", "other_treaty", "treaty_only_earlier",
    "length_ratio", "same_area", "other_area", "same_people", "best_clause", "same_state",
)


def _jaccard(a: frozenset[str], b: frozenset[str], empty: float = 0.5) -> float:
    union = a | b
    return len(a & b) / len(union) if union else empty


def best_clause(a: Profile, b: Profile) -> float:
    """Largest word overlap (Jaccard) between a clause of ``a`` and a clause of ``b``."""
    best = 0.0
    for x in a.clauses:
        if not x:
            continue
        for y in b.clauses:
            if y:
                best = max(best, len(x & y) / len(x | y))
    return best


def pair_features(q: Profile, r: Profile, lexical: float, cosine: float, best_lexical: float,
                  best_cosine: float) -> list[float]:
    """The values of `NAMES` for one pair; ``lexical`` is 0-1, ``cosine`` -1..1."""
    tq, tr = q.treaties, r.treaties
    sq, sr = q.sectors, r.sectors
    return [
        lexical,
        cosine,
        best_lexical - lexical,
        best_cosine - cosine,
        float(bool(tq & tr)),
        float(bool(tq) and bool(tr) and not (tq & tr)),
        float(bool(tr) and not tq),
        math.log((len(r.stems) + 1) / (len(q.stems) + 1)),
        _jaccard(sq, sr),
        float(bool(sq) and bool(sr) and not (sq & sr)),
        _jaccard(q.groups, r.groups),
        best_clause(q, r),
        float(bool(q.states & r.states)),
    ]
