"""Stage 4: why a match scored as it did — from what the ranking already computed.

`explain` gives the ranker's waterfall in log-odds (splink's "match weights"): a baseline, one
row per feature and the lead over the next candidate; they sum to the logit of the confidence.
`why` gives one short sentence of what decided, in domain terms: the shared instrument, the
shared rights area, the people both are about, the key words they share, the same
recommending State. Nothing is re-normalised and no matrix is built per row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xl_upr.index import CorpusIndex, themes
from xl_upr.lexicon import BOILERPLATE
from xl_upr.match import Match
from xl_upr.normalise import DISPLAY, TREATY_TOKENS, stem, surface
from xl_upr.ranking.model import ranker

_LABELS = {
    "lexical": "shared wording", "cosine": "similar meaning", "lexical_gap": "wording behind the best",
    "cosine_gap": "meaning behind the best", "same_treaty": "same treaty", "other_treaty": "different treaties",
    "treaty_only_earlier": "a treaty only in the earlier record", "length_ratio": "length", "same_area":
    "same rights area", "other_area": "different rights area", "same_people": "same people",
    "best_clause": "a clause in common", "same_state": "same recommending State",
}
_QUIET = frozenset({"zzstate", "zzupr", "zzohchr", "zzsdg", "zzcso", "zzspecproc"})
#: Words about the review itself, not about what is asked: never a reason on their own.
_META = frozenset(stem(w) for w in "recommendation review universal periodic session cycle accepted".split())


@dataclass(frozen=True)
class Cue:
    """One reason in an explanation and its points (log-odds; positive raises the score)."""

    label: str
    points: float


def explain(match: Match) -> list[Cue]:
    """The waterfall behind a match's score: cues whose points sum to logit(score / 100).

    Examples
    --------
    >>> from xl_upr.index import build_index
    >>> from xl_upr.match import best_match
    >>> from xl_upr.records import Record
    >>> m = best_match("Ratify the CRPD", build_index([Record("a", "Ratify CRPD (Hungary)")]))
    >>> z = sum(c.points for c in explain(m))
    >>> bool(round(100 / (1 + np.exp(-z)), 1) == m.score)
    True
    """
    if not match.features:
        return []
    model = ranker(match.ranker == "semantic")
    a, b, c = model.calibration
    cues = [Cue("baseline", a * model.bias + c)]
    cues += [Cue(_LABELS.get(name, name), a * value)
             for name, value in model.contributions(np.asarray(match.features, dtype=np.float64))]
    cues.append(Cue("lead over the next candidate", b * match.margin))
    return cues


def _name(stem: str) -> str:
    return DISPLAY.get(stem, stem[2:].upper()) if stem.startswith("zz") else surface(stem)


def why(match: Match, index: CorpusIndex, top: int = 4) -> str:
    """One short sentence of what the two texts share, e.g. 'CRPD; ratify; people: disabilities'.

    Built from the ranker's own sets: shared instruments first, then the rights area, the people,
    the strongest shared words (by corpus weight, boilerplate left out), a shared recommending
    State; a different treaty or area is said too.
    """
    q = match.query
    if q is None or match.key < 0:
        return ""
    r = index.profile(match.key)
    shared = q.stems & r.stems
    parts = sorted([_name(s) for s in shared if s.startswith("zz") and s not in _QUIET])
    parts += [t[3:] for t in sorted(themes(shared))]
    weight = index.weight
    plain = [s for s in shared.difference(BOILERPLATE, q.groups, _META) if not s.startswith("zz")]
    picked: list[str] = []
    for s in sorted(plain, key=lambda s: (-weight(s), s)):  # the two strongest words not already said
        w = surface(s)
        if not any(w in p for p in parts):
            picked.append(w)
            if len(picked) == 2:
                break
    parts += picked
    areas = [a for a in sorted(q.sectors & r.sectors) if not any(a[:5] in p for p in parts)]
    if areas:
        parts.append("area: " + ", ".join(areas[:2]))
    if q.groups & r.groups:
        parts.append("people: " + ", ".join(sorted(surface(g) for g in q.groups & r.groups)[:2]))
    parts = list(dict.fromkeys(parts))[:top]
    if q.states & r.states:
        parts.append("same recommending State (" + ", ".join(sorted(q.states & r.states)[:2]) + ")")
    if q.treaties and r.treaties and not (q.treaties & r.treaties):
        parts.append("different treaties (" + ", ".join(sorted(_name(t) for t in r.treaties
                                                               if t in TREATY_TOKENS)[:2]) + " earlier)")
    elif q.sectors and r.sectors and not (q.sectors & r.sectors):
        parts.append("other area")
    if not parts and match.ranker == "semantic" and len(match.features) > 1 and match.features[1] >= 0.6:
        parts.append("similar meaning")
    return "; ".join(parts)

