"""Stage 4: why a match scored as it did — rows of labelled points that sum to the score."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rapidfuzz import fuzz

from xl_upr import match as _match
from xl_upr.index import CorpusIndex, features, tf
from xl_upr.normalise import DISPLAY, surface, terms, treaties, treaty_factor


@dataclass(frozen=True)
class Cue:
    """One reason in an explanation: a shared term (or the wording overlap) and its points."""

    label: str
    points: float


def _label(feature: str) -> str:
    if feature.startswith("zz"):
        return DISPLAY.get(feature, feature[2:].upper())
    if feature.startswith("zt "):
        return "theme: " + feature[3:]
    return surface(feature)


def explain(query: str, index: CorpusIndex, row: int) -> list[Cue]:
    """The cues behind the score of record ``row`` for ``query``; their points sum to the score.

    Each shared feature gets its share of the weighted-cosine part; rapidfuzz's wording
    overlap is its own row.
    """
    q = features(terms(query))
    vec, qnorm = index.vectorise(q)
    d = index.record_features(row)
    cos_row = index.matrix[row]
    values = dict(zip(cos_row.indices.tolist(), cos_row.data.tolist()))
    contrib = {}
    for f, c in q.items():
        col = index.vocab.get(f)
        if col is not None and f in d:
            contrib[f] = index.weight(f) * tf(c) * values[col] / (qnorm or 1.0)
    cos = sum(contrib.values())
    if cos <= 0:
        return []
    qstems, rs = terms(query), index.stem_string(row)
    ratio = fuzz.token_set_ratio(_match._stem_string(qstems), rs)
    raw = _match.blend(cos, ratio)
    factor = treaty_factor(treaties(qstems), treaties(rs.split()))
    base = (1.0 - _match.FUZZ_SHARE) * math.sqrt(min(cos, 1.0)) * 100.0
    cues = [Cue(_label(f), base * v / cos) for f, v in contrib.items()]
    cues.sort(key=lambda c: (-round(c.points, 6), c.label))
    if abs(raw - base) >= 0.005:
        cues.append(Cue("wording overlap", raw - base))
    if factor != 1.0:
        label = "different treaties named" if treaties(qstems) else "a treaty named only in the earlier record"
        cues.append(Cue(label, raw * factor - raw))
    return cues


def why(cues: list[Cue], top: int = 3) -> str:
    """One short sentence of the strongest shared terms, e.g. 'CRPD; ratify; disabilities'.

    A word already shown inside a chosen pair is not repeated.
    """
    chosen: list[str] = []
    for c in cues:
        if c.points <= 0 or c.label == "wording overlap":
            continue
        words = {c.label} if c.label.startswith("theme: ") else set(c.label.split(" "))
        shown = {w for label in chosen for w in label.split(" ")}
        if words <= shown:
            continue
        chosen = [label for label in chosen if not set(label.split(" ")) <= words] + [c.label]
        if len(chosen) == top:
            break
    return "; ".join(chosen)
