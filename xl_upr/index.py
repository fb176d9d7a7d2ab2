"""Stage 1: CorpusIndex — processed terms, corpus-aware weights and a sparse matrix to query.

Features are the content stems of `normalise.terms` (States, boilerplate and word forms
handled there), neighbouring stem pairs and themes.  Each is weighted by its inverse document
frequency in the corpus times a domain multiplier (boilerplate counts little, instruments and
groups of persons more, themes as a hint) and by its sublinear frequency in the text; a record's
vector is divided by its pivoted length norm, so a query is scored against all records in one
sparse product.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from xl_upr.csr import Csr, distinct
from xl_upr.normalise import terms_in_two, weight_multiplier
from xl_upr.records import Record


def features(stems: Sequence[str]) -> Counter[str]:
    """The features of one text with their counts: its stems plus adjacent stem pairs in
    either order ('disabled children' and 'children with disabilities' share 'child disabl';
    pairs such as 'violence woman' say more than their words apart)."""
    out = Counter(stems)
    out.update(" ".join(sorted((a, b))) for a, b in zip(stems, stems[1:])
               if a != b and not a.startswith("zz") and not b.startswith("zz"))
    out.update(sorted(themes(out)))
    return out


def _theme_triggers() -> dict[str, str]:
    """Feature name -> theme feature ('zt …') for every trigger of `lexicon.THEMES`."""
    from xl_upr.lexicon import THEMES
    from xl_upr.normalise import terms

    out: dict[str, str] = {}
    for theme, triggers in THEMES.items():
        for trigger in triggers:
            stems = terms(trigger)
            if len(stems) == 1:
                out.setdefault(stems[0], "zt " + theme)
            elif len(stems) == 2 and stems[0] != stems[1]:
                out.setdefault(" ".join(sorted(stems)), "zt " + theme)
    return out


THEME_OF: dict[str, str] = {}


def themes(feats: Mapping[str, int] | set[str]) -> set[str]:
    """Theme features a text's features trigger."""
    if not THEME_OF:
        THEME_OF.update(_theme_triggers())
    return {THEME_OF[f] for f in feats if f in THEME_OF}


def tf(count: int) -> float:
    """Sublinear term frequency: a subject named three times counts about twice."""
    return 1.0 + math.log(count) if count > 0 else 0.0


_TF = [tf(c) for c in range(64)]


@dataclass
class CorpusIndex:
    """Records plus everything needed to score a query against all of them at once."""

    records: tuple[Record, ...]
    vocab: dict[str, int]
    weights: np.ndarray            # per feature: idf x domain multiplier
    matrix: Csr                    # records x features, rows L2-normalised
    unknown_weight: float          # weight of a query feature no record has
    _terms: list[str] = field(default_factory=list, repr=False)
    _by_feature: Csr | None = field(default=None, repr=False)
    _unigram: np.ndarray | None = field(default=None, repr=False)
    _treaty: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool), repr=False)
    _weights: list[float] = field(default_factory=list, repr=False)
    _profiles: dict[int, Any] = field(default_factory=dict, repr=False)
    _stem_strings: dict[int, str] = field(default_factory=dict, repr=False)
    _treaties: dict[int, frozenset[str]] = field(default_factory=dict, repr=False)
    _saved: tuple[int, bool] = field(default=(0, False), repr=False)  # (profiles, vectors) on disk
    _vectors: np.ndarray | None = field(default=None, repr=False)
    _record_sets: Any = field(default=None, repr=False)

    def profiles(self, rows: Sequence[int]) -> list[Any]:
        """`ranking.profile.Profile` of the given records; made on first use, for the rows asked
        (the candidates), all missing ones in one batch."""
        missing = [r for r in dict.fromkeys(rows) if r not in self._profiles]
        if missing:
            from xl_upr.ranking.profile import profiles

            self._profiles.update(zip(missing, profiles([self.records[r].text for r in missing])))
        return [self._profiles[r] for r in rows]

    def profile(self, row: int) -> Any:
        """The `ranking.profile.Profile` of one record (`profiles` of one row)."""
        made = self._profiles.get(row)
        return made if made is not None else self.profiles([row])[0]

    @property
    def profiled(self) -> frozenset[int]:
        """Rows whose profile is made (on first use, or read with a cached index)."""
        return frozenset(self._profiles)

    def profiles_since(self, known: frozenset[int]) -> dict[int, Any]:
        """The profiles made of rows not in ``known`` (what another process needs to be told)."""
        return {r: p for r, p in self._profiles.items() if r not in known}

    def add_profiles(self, made: Mapping[int, Any]) -> None:
        """Take profiles another process made (of these same records); those here are kept."""
        for r, p in made.items():
            self._profiles.setdefault(r, p)

    def record_sets(self) -> Any:
        """`ranking.sets.RecordSets` of the records (their sets as bit masks, filled on first use)."""
        if self._record_sets is None:
            from xl_upr.ranking.sets import RecordSets

            self._record_sets = RecordSets(len(self.records))
        return self._record_sets

    def fill_record_caches(self) -> None:
        """Make the record sets and stem strings of every profiled row (what a saved index keeps:
        a forked child's are not sent back, and a later run then reads them all)."""
        rows = sorted(self._profiles)
        self.stem_strings(rows)
        store = self.record_sets()
        need = [r for r in rows if not store.have[r]]
        if need:
            store.add(np.asarray(need, dtype=np.int64), self.profiles(need), self.records_treaties(need))

    def vectors(self, *, disk: bool = True, progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        """Sentence embeddings of every record (cached; raises `SemanticUnavailable`)."""
        if self._vectors is None:
            from xl_upr.ranking.vectors import embeddings

            self._vectors = embeddings([r.text for r in self.records], disk=disk, progress=progress)
        return self._vectors

    def ready_for_queries(self) -> None:
        """Make the lazily built parts that finding a query's candidates reads (the transposed
        matrix, the weights as floats, the column flags), so batches can read them side by side."""
        self.by_feature  # noqa: B018 - built on first access
        self._weight_list()
        self._unigram_flags()

    @property
    def by_feature(self) -> Csr:
        """The matrix transposed (features x records), made once, for query products."""
        if self._by_feature is None:
            self._by_feature = self.matrix.transpose()
        return self._by_feature

    def stem_strings(self, rows: Sequence[int]) -> list[str]:
        """Per row, its record's sorted distinct stems joined by spaces (what rapidfuzz compares);
        made once, the missing ones in one pass over the matrix."""
        cache = self._stem_strings
        missing = [r for r in dict.fromkeys(rows) if r not in cache]
        if missing:
            # `build_index` gives the stems the first columns in sorted order (`terms_many` sorts
            # them) and each row its columns ascending, so a row's stems read in order are sorted.
            names = self.feature_names()
            for r, cols in zip(missing, self._flagged_cols(missing, self._unigram_flags()[0])):
                cache[r] = " ".join([names[c] for c in cols])
        return [cache[r] for r in rows]

    def records_treaties(self, rows: Sequence[int]) -> list[frozenset[str]]:
        """Per row, the treaty tokens among its record's stems; made once, the missing ones in one pass."""
        cache = self._treaties
        missing = [r for r in dict.fromkeys(rows) if r not in cache]
        if missing:
            names = self.feature_names()
            none: frozenset[str] = frozenset()
            for r, cols in zip(missing, self._flagged_cols(missing, self._unigram_flags()[1])):
                cache[r] = frozenset([names[c] for c in cols]) if cols else none
        return [cache[r] for r in rows]

    def _unigram_flags(self) -> tuple[np.ndarray, np.ndarray]:
        """Per column: is it a stem (not a pair or theme), is it a treaty token."""
        if self._unigram is None:
            from xl_upr.normalise import treaties

            names = self.feature_names()
            self._treaty = np.fromiter((" " not in t and bool(treaties((t,))) for t in names), dtype=bool,
                                       count=len(names))
            self._unigram = np.fromiter((" " not in t for t in names), dtype=bool, count=len(names))  # set last
        return self._unigram, self._treaty

    def _flagged_cols(self, rows: Sequence[int], keep: np.ndarray) -> list[list[int]]:
        """Per row, its columns flagged in ``keep``, ascending."""
        m = self.matrix
        at = np.asarray(rows, dtype=np.int64)
        starts, lens = m.indptr[at], m.indptr[at + 1] - m.indptr[at]
        total = int(lens.sum())
        cols = m.indices[np.repeat(starts - (np.cumsum(lens) - lens), lens) + np.arange(total)]
        flag = keep[cols]
        owner = np.repeat(np.arange(len(at)), lens)[flag]
        bounds = np.searchsorted(owner, np.arange(len(at) + 1)).tolist()
        flat = cols[flag].tolist()
        return [flat[bounds[k]:bounds[k + 1]] for k in range(len(at))]

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
        return self._weight_list()[col]

    def _weight_list(self) -> list[float]:
        """`weights` as Python floats (the same values), made once."""
        if len(self._weights) != len(self.weights):
            self._weights = self.weights.tolist()
        return self._weights

    def query_vector(self, feats: Mapping[str, int]) -> tuple[list[int], list[float], float]:
        """A query's weights over the corpus features (columns, values) and its full norm
        (unknown features count in the norm, so text the corpus lacks lowers every score)."""
        cols, vals, norm2 = [], [], 0.0
        vocab, weights = self.vocab, self._weight_list()
        for f, count in sorted(feats.items()):  # a fixed order: the norm sums alike every run
            col = vocab.get(f)
            w = (self.unknown_weight * _feature_multiplier(f) if col is None else weights[col]) \
                * (_TF[count] if count < len(_TF) else tf(count))
            norm2 += w * w
            if col is not None:
                cols.append(col)
                vals.append(w)
        return cols, vals, math.sqrt(norm2)


def _feature_multiplier(feature: str) -> float:
    if feature.startswith("zt "):
        return THEME_WEIGHT
    if " " in feature:
        a, b = feature.split(" ", 1)
        return 0.5 * min(weight_multiplier(a), weight_multiplier(b))
    return weight_multiplier(feature)


#: Pivoted length normalisation (Singhal, Buckley & Mitra, 1996): a record's norm is moved
#: this far from the corpus mean towards its own, so long recommendations are not
#: out-ranked by short ones merely for being long.  1.0 would be plain cosine.
PIVOT_SLOPE = 0.75


def pivoted(norms: np.ndarray) -> np.ndarray:
    """Record norms after pivoted length normalisation (see `PIVOT_SLOPE`)."""
    if not len(norms):
        return norms
    return (1.0 - PIVOT_SLOPE) * float(norms.mean()) + PIVOT_SLOPE * norms


#: Domain multiplier of a theme feature (a shared theme is a hint, not a match).
THEME_WEIGHT = 1.5

def build_index(records: Sequence[Record]) -> CorpusIndex:
    """Index records for matching (all texts processed together by `terms_many`).

    Examples
    --------
    >>> from xl_upr.records import Record
    >>> idx = build_index([Record("a", "Ratify CRPD (Hungary)"), Record("b", "Abolish the death penalty")])
    >>> len(idx)
    2
    """
    records = tuple(records)
    n = len(records)
    stem_names, ids, docs = terms_in_two([r.text for r in records])
    s = len(stem_names)
    zz = np.fromiter((t.startswith("zz") for t in stem_names), dtype=bool, count=s)
    # Word pairs, in either order, of neighbouring content stems within one text.
    a, b = ids[:-1], ids[1:]
    ok = (docs[:-1] == docs[1:]) & (a != b)
    if len(ok):
        ok &= ~zz[a] & ~zz[b]
    lo, hi = np.minimum(a, b)[ok], np.maximum(a, b)[ok]
    pair_keys, pair_ids = np.unique(lo * s + hi, return_inverse=True)
    pair_names = [f"{stem_names[k // s]} {stem_names[k % s]}" for k in pair_keys.tolist()]
    if not THEME_OF:
        THEME_OF.update(_theme_triggers())
    theme_names = sorted(set(THEME_OF.values()))
    theme_col = {t: i for i, t in enumerate(theme_names)}
    base = s + len(pair_keys)
    trig = np.full(base, -1, dtype=np.int64)
    for i, name in enumerate(stem_names + pair_names):
        if name in THEME_OF:
            trig[i] = base + theme_col[THEME_OF[name]]
    feat = np.concatenate((ids, s + pair_ids.reshape(-1)))
    fdoc = np.concatenate((docs, docs[:-1][ok]))
    tcol = trig[feat]
    has = tcol >= 0
    tkeys = distinct(fdoc[has] * (base + len(theme_names)) + tcol[has])
    nf = base + len(theme_names)
    feat = np.concatenate((feat, tkeys % nf))
    fdoc = np.concatenate((fdoc, tkeys // nf))
    keys, counts = np.unique(fdoc * nf + feat, return_counts=True)
    rows, cols = keys // nf, (keys % nf).astype(np.int32)
    names = stem_names + pair_names + theme_names
    vocab = {name: i for i, name in enumerate(names)}
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=ptr[1:])
    df = np.bincount(cols, minlength=nf).astype(np.float64)
    idf = np.log1p(n / np.maximum(df, 1.0))
    # Domain multipliers, as `_feature_multiplier` gives them, computed per stem and combined.
    stem_mult = np.fromiter((weight_multiplier(t) for t in stem_names), dtype=np.float64, count=s)
    pair_mult = 0.5 * np.minimum(stem_mult[pair_keys // s], stem_mult[pair_keys % s]) if s else np.zeros(0)
    mult = np.concatenate((stem_mult, pair_mult, np.full(len(theme_names), THEME_WEIGHT)))
    weights = (idf * mult).astype(np.float32)
    data = weights[cols] * (1.0 + np.log(counts)).astype(np.float32)
    row_of = rows
    norms = np.sqrt(np.bincount(row_of, weights=data.astype(np.float64) ** 2, minlength=n))
    norms[norms == 0] = 1.0
    norms = pivoted(norms)
    data = (data / norms[row_of]).astype(np.float32)
    matrix = Csr(ptr, cols, data, (n, nf))
    return CorpusIndex(records=records, vocab=vocab, weights=weights, matrix=matrix,
                       unknown_weight=float(math.log1p(n / 0.5)), _terms=names)
