"""The sets the pair features compare (treaties, rights areas, groups, States, clause stems) as
bit masks and code arrays: a batch's queries made at once, an index's records made once and kept.

`RecordSets` holds every record row's sets, filled on first use (the candidates); it is plain
numpy arrays and dicts, so the saved corpus index (`index_store`) keeps it and a later run
against the same records reads it instead of making it again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain

import numpy as np

from xl_upr.ranking.profile import Profile


class Codes:
    """Bit positions of the strings of one kind (treaty tokens, rights areas …), as they are met."""

    def __init__(self) -> None:
        self.of: dict[str, int] = {}

    @property
    def words(self) -> int:
        return max(1, (len(self.of) + 63) // 64)

    def masks(self, sets: Iterable[Iterable[str]]) -> np.ndarray:
        """One row of uint64 words per set (bit ``code`` set for each member)."""
        rows, codes = [], []
        n = 0
        for n, items in enumerate(sets, start=1):
            for s in items:
                code = self.of.get(s)
                if code is None:
                    code = self.of[s] = len(self.of)
                rows.append(n - 1)
                codes.append(code)
        out = np.zeros((n, self.words), dtype=np.uint64)
        if codes:
            c = np.asarray(codes, dtype=np.uint64)
            np.bitwise_or.at(out, (np.asarray(rows), (c // np.uint64(64)).astype(np.intp)),
                             np.left_shift(np.uint64(1), c % np.uint64(64)))
        return out


def widen(a: np.ndarray, words: int) -> np.ndarray:
    """Masks padded to ``words`` words per row."""
    return a if a.shape[1] >= words else np.pad(a, ((0, 0), (0, words - a.shape[1])))


def common(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Members two rows of masks share, per row (masks made at different widths are fine)."""
    w = max(a.shape[1], b.shape[1])
    return np.bitwise_count(widen(a, w) & widen(b, w)).sum(axis=1, dtype=np.int64)


def size(a: np.ndarray) -> np.ndarray:
    """Members per row of masks."""
    return np.bitwise_count(a).sum(axis=1, dtype=np.int64)


#: Set kinds a pair's features compare, each with the `Codes` table its masks use.
KINDS = {"terms_treaties": "treaty", "treaties": "treaty", "sectors": "sector", "groups": "group",
         "states": "state"}


@dataclass
class SetMasks:
    """The sets of many texts as bit masks, one array per kind (`KINDS`), and their stem counts."""

    masks: dict[str, np.ndarray]
    stems: np.ndarray

    @classmethod
    def of(cls, codes: dict[str, Codes], profs: Sequence[Profile],
           terms_treaties: Sequence[frozenset[str]]) -> SetMasks:
        m = {kind: codes[KINDS[kind]].masks(terms_treaties if kind == "terms_treaties"
                                             else (getattr(p, kind) for p in profs))
             for kind in KINDS}
        return cls(m, np.fromiter((len(p.stems) for p in profs), dtype=np.int64, count=len(profs)))


@dataclass(frozen=True)
class Clauses:
    """The non-empty clauses of many texts as stem codes: text ``t`` has clauses
    ``first[t]:first[t] + count[t]``; clause ``c`` has codes ``stems[start[c]:start[c] + size[c]]``."""

    first: np.ndarray
    count: np.ndarray
    start: np.ndarray
    size: np.ndarray
    stems: np.ndarray


def clause_codes(codes: Codes, profs: Sequence[Profile]) -> Clauses:
    """The `Clauses` of profiles, their stems coded in ``codes`` (new stems get new codes)."""
    of = codes.of
    nested = [[[of.setdefault(s, len(of)) for s in c] for c in p.clauses if c] for p in profs]
    counts = np.fromiter(map(len, nested), dtype=np.int64, count=len(nested))
    flat = list(chain.from_iterable(nested))
    sizes = np.fromiter(map(len, flat), dtype=np.int64, count=len(flat))
    stems = np.fromiter(chain.from_iterable(flat), dtype=np.int64, count=int(sizes.sum()))
    return Clauses(np.cumsum(counts) - counts, counts, np.cumsum(sizes) - sizes, sizes, stems)


@dataclass
class RecordSets:
    """Per record row of an index, its `SetMasks` and `Clauses`, made once on first use (the
    candidates); ``have`` marks the rows made."""

    n: int
    codes: dict[str, Codes] = field(default_factory=lambda: {c: Codes() for c in (*KINDS.values(), "stem")})
    have: np.ndarray = field(init=False)
    sets: SetMasks = field(init=False)
    clauses: Clauses = field(init=False)

    def __post_init__(self) -> None:
        self.have = np.zeros(self.n, dtype=bool)
        self.sets = SetMasks({k: np.zeros((self.n, 1), dtype=np.uint64) for k in KINDS},
                             np.zeros(self.n, dtype=np.int64))
        none = np.zeros(0, dtype=np.int64)
        self.clauses = Clauses(np.zeros(self.n, dtype=np.int64), np.zeros(self.n, dtype=np.int64), none, none, none)

    def add(self, rows: np.ndarray, profs: Sequence[Profile], terms_treaties: Sequence[frozenset[str]]) -> None:
        """Make the sets of ``rows`` (not made yet) from their profiles and treaty stems."""
        new = SetMasks.of(self.codes, profs, terms_treaties)
        for kind, m in new.masks.items():
            old = self.sets.masks[kind]
            if old.shape[1] < m.shape[1]:
                old = self.sets.masks[kind] = widen(old, m.shape[1])
            old[rows] = widen(m, old.shape[1])
        self.sets.stems[rows] = new.stems
        kept, made = self.clauses, clause_codes(self.codes["stem"], profs)
        kept.first[rows] = made.first + len(kept.size)
        kept.count[rows] = made.count
        self.clauses = Clauses(kept.first, kept.count, np.concatenate((kept.start, made.start + len(kept.stems))),
                               np.concatenate((kept.size, made.size)), np.concatenate((kept.stems, made.stems)))
        self.have[rows] = True

    def valid(self, n: int) -> bool:
        """Whether this is whole and made for ``n`` records (a saved one is checked before use)."""
        c = self.clauses
        return (self.n == n and self.have.shape == (n,) and self.sets.stems.shape == (n,)
                and set(self.codes) == {*KINDS.values(), "stem"} and set(self.sets.masks) == set(KINDS)
                and all(m.shape[0] == n for m in self.sets.masks.values())
                and c.first.shape == c.count.shape == (n,) and len(c.start) == len(c.size)
                and int((c.first + c.count).max(initial=0)) <= len(c.size)
                and int((c.start + c.size).max(initial=0)) <= len(c.stems)
                and int(c.stems.max(initial=-1)) < len(self.codes["stem"].of))
