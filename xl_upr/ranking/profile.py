"""What a text asks, as sets the ranker compares: content stems, treaties, rights areas
(`lexicon.SECTORS`), groups of persons (`lexicon.GROUPS`) and the stems of each clause."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from xl_upr import lexicon
from xl_upr.normalise import split_states, stem, terms_many, treaties
from xl_upr.ranking.ask import clauses


@dataclass(frozen=True)
class Profile:
    """The parts of one text the ranker's features read."""

    stems: frozenset[str]
    treaties: frozenset[str]
    sectors: frozenset[str]
    groups: frozenset[str]
    clauses: tuple[frozenset[str], ...]
    states: frozenset[str]


EMPTY = Profile(frozenset(), frozenset(), frozenset(), frozenset(), (), frozenset())


@lru_cache(maxsize=1)
def _sector_of() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for sector, words in lexicon.SECTORS.items():
        for word in words:
            for part in word.split("-"):
                s = stem(part)
                if s:
                    out.setdefault(s, set()).add(sector)
    return {k: frozenset(v) for k, v in out.items()}


_BOILERPLATE = frozenset(lexicon.BOILERPLATE)


def profiles(texts: Sequence[str]) -> list[Profile]:
    """Profiles of many texts, processed together (one `terms_many` call over all clauses).

    >>> p = profiles(["Improve access to health care for women with disabilities (Chile)"])[0]
    >>> sorted(p.sectors), sorted(p.groups), sorted(p.states)
    (['health'], ['disabl', 'woman'], ['Chile'])
    """
    split = [split_states(t) for t in texts]
    parts = [clauses(core, states_removed=True) or [core] for core, _ in split]
    flat = [c for cl in parts for c in cl]
    names, ids, docs = terms_many(flat) if flat else ([], np.zeros(0, np.int64), np.zeros(0, np.int64))
    bounds = np.searchsorted(docs, np.arange(len(flat) + 1)).tolist()
    words = [names[j] for j in ids.tolist()]
    sector_of = _sector_of()
    sector_stems = frozenset(sector_of)
    treaty_stems = treaties(names)  # a stem's being a treaty is its own: these, met in a text, are its treaties
    out: list[Profile] = []
    k = 0
    for (_core, states), cl in zip(split, parts):
        sets = [frozenset(words[bounds[i]:bounds[i + 1]]) for i in range(k, k + len(cl))]
        k += len(cl)
        stems = sets[0].union(*sets[1:]) if sets else frozenset()
        in_sectors = stems & sector_stems
        sectors = frozenset().union(*map(sector_of.__getitem__, in_sectors)) if in_sectors else frozenset()
        out.append(Profile(stems, stems & treaty_stems, sectors, stems & lexicon.GROUPS,
                           tuple(s - _BOILERPLATE for s in sets), frozenset(states)))
    return out
