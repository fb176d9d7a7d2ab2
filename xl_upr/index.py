"""Stage 1: CorpusIndex — processed terms, corpus-aware weights and a sparse matrix to query.

Terms are the content stems of `normalise.terms` (States, boilerplate and word forms
handled there).  Each term is weighted by its inverse document frequency in the corpus times
a domain multiplier (boilerplate counts little, instruments a lot); a record is the L2-normed
vector of its terms, so a query is scored against all records in one sparse product.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from xl_upr.normalise import terms, weight_multiplier
from xl_upr.records import Record


def features(stems: Sequence[str]) -> Counter[str]:
    """The features of one text with their counts: its stems plus adjacent stem pairs in
    either order ('disabled children' and 'children with disabilities' share 'child disabl';
    pairs such as 'violence woman' say more than their words apart)."""
    out = Counter(stems)
    out.update(" ".join(sorted((a, b))) for a, b in zip(stems, stems[1:])
               if a != b and not a.startswith("zz") and not b.startswith("zz"))
    return out


def tf(count: int) -> float:
    """Sublinear term frequency: a subject named three times counts about twice."""
    return 1.0 + math.log(count) if count > 0 else 0.0


@dataclass
class CorpusIndex:
    """Records plus everything needed to score a query against all of them at once."""

    records: tuple[Record, ...]
    vocab: dict[str, int]
    weights: np.ndarray            # per feature: idf x domain multiplier
    matrix: sparse.csr_matrix      # records x features, rows L2-normalised
    unknown_weight: float          # weight of a query feature no record has
    _terms: list[str] = field(default_factory=list, repr=False)

    def __len__(self) -> int:
        return len(self.records)

    def feature_names(self) -> list[str]:
        """Feature names by column."""
        if not self._terms:
            names = [""] * len(self.vocab)
            for name, col in self.vocab.items():
                names[col] = name
            self._terms = names
        return self._terms

    def weight(self, feature: str) -> float:
        """Weight a feature carries in this corpus (unknown features weigh the most)."""
        col = self.vocab.get(feature)
        if col is None:
            return self.unknown_weight * _feature_multiplier(feature)
        return float(self.weights[col])

    def record_features(self, row: int) -> set[str]:
        """The features of record ``row``, read back from the matrix."""
        names = self.feature_names()
        start, end = self.matrix.indptr[row], self.matrix.indptr[row + 1]
        return {names[c] for c in self.matrix.indices[start:end]}

    def vectorise(self, feats: Mapping[str, int]) -> tuple[sparse.csr_matrix, float]:
        """A query's row vector over the corpus features, and its full norm (unknown
        features count in the norm, so text the corpus lacks lowers every score)."""
        cols, vals, norm2 = [], [], 0.0
        for f, count in feats.items():
            w = self.weight(f) * tf(count)
            norm2 += w * w
            col = self.vocab.get(f)
            if col is not None:
                cols.append(col)
                vals.append(w)
        vec = sparse.csr_matrix((np.asarray(vals, dtype=np.float32), (np.zeros(len(cols), dtype=np.int32),
                                 np.asarray(cols, dtype=np.int32))), shape=(1, len(self.vocab)))
        return vec, math.sqrt(norm2)


def _feature_multiplier(feature: str) -> float:
    if " " in feature:
        a, b = feature.split(" ", 1)
        return 0.5 * min(weight_multiplier(a), weight_multiplier(b))
    return weight_multiplier(feature)


def build_index(records: Sequence[Record]) -> CorpusIndex:
    """Index records for matching.

    Examples
    --------
    >>> from xl_upr.records import Record
    >>> idx = build_index([Record("a", "Ratify CRPD (Hungary)"), Record("b", "Abolish the death penalty")])
    >>> len(idx)
    2
    """
    records = tuple(records)
    vocab: dict[str, int] = {}
    indptr = [0]
    indices: list[int] = []
    tfs: list[float] = []
    cache: dict[str, tuple[list[int], list[float]]] = {}
    for rec in records:
        got = cache.get(rec.text)
        if got is None:
            feats = features(terms(rec.text))
            pairs = sorted((vocab.setdefault(f, len(vocab)), tf(c)) for f, c in feats.items())
            got = ([c for c, _ in pairs], [t for _, t in pairs])
            cache[rec.text] = got
        indices.extend(got[0])
        tfs.extend(got[1])
        indptr.append(len(indices))
    n, nf = len(records), len(vocab)
    ind = np.asarray(indices, dtype=np.int32)
    ptr = np.asarray(indptr, dtype=np.int64)
    df = np.bincount(ind, minlength=nf).astype(np.float64)
    idf = np.log1p(n / np.maximum(df, 1.0))
    names = [""] * nf
    for name, col in vocab.items():
        names[col] = name
    mult = np.fromiter((_feature_multiplier(t) for t in names), dtype=np.float64, count=nf)
    weights = (idf * mult).astype(np.float32)
    data = weights[ind] * np.asarray(tfs, dtype=np.float32)
    row_of = np.repeat(np.arange(n), np.diff(ptr))
    norms = np.sqrt(np.bincount(row_of, weights=data.astype(np.float64) ** 2, minlength=n))
    norms[norms == 0] = 1.0
    data = (data / norms[row_of]).astype(np.float32)
    matrix = sparse.csr_matrix((data, ind, ptr), shape=(n, nf))
    return CorpusIndex(records=records, vocab=vocab, weights=weights, matrix=matrix,
                       unknown_weight=float(math.log1p(n / 0.5)), _terms=names)
