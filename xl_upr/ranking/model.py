"""Stage 3b: the ranker — a conditional-logit model over `features.NAMES` and its calibration.

The coefficients live in ``ranker.json`` beside this module, written by
``scripts/train_ranker.py`` from the labelled link sets; here they are only read (numpy, no
scikit-learn at run time). Two variants: ``semantic`` (all features) and ``lexical`` (without
the embedding features, for ``--no-semantic`` or when the model cannot load).

The score a user sees is a calibrated confidence: 100 x the estimated chance that the earlier
record asks for the same thing, from the candidate's utility and its gap to the query's best.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from xl_upr.ranking.features import NAMES

MODEL_FILE = Path(__file__).with_name("ranker.json")


@dataclass(frozen=True)
class Ranker:
    """Coefficients of one variant: utility = x·weights + bias over ``columns`` of `NAMES`;
    confidence = sigmoid(a·utility + b·margin + c), margin = utility − the best other utility."""

    name: str
    columns: tuple[int, ...]
    weights: np.ndarray
    bias: float
    calibration: tuple[float, float, float]

    def utility(self, x: np.ndarray) -> np.ndarray:
        """Utilities of rows of features (all `NAMES` columns; the variant picks its own).

        Summed column by column in a fixed order, not by a BLAS product: a row's utility is then
        the same bit for bit however many rows come with it, and no BLAS threads are woken for
        a product of thirty rows."""
        u = np.full(len(x), self.bias, dtype=np.float64)
        for c, w in zip(self.columns, self.weights.tolist()):
            u += x[:, c] * w
        return u

    def confidence(self, utility: np.ndarray, margin: np.ndarray) -> np.ndarray:
        """Calibrated 0-1 chance that each candidate asks for the same thing, from its utility and
        its `margins` (lead over the best other candidate of its query)."""
        a, b, c = self.calibration
        return 1.0 / (1.0 + np.exp(-(a * utility + b * margin + c)))

    def contributions(self, x: np.ndarray) -> list[tuple[str, float]]:
        """Each feature's share of one pair's utility (weight x value), in `NAMES` order."""
        return [(NAMES[c], float(w * x[c])) for c, w in zip(self.columns, self.weights.tolist())]


@lru_cache(maxsize=2)
def ranker(semantic: bool = True) -> Ranker:
    """The shipped ranker variant (``semantic`` or ``lexical``)."""
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    name = "semantic" if semantic else "lexical"
    v = data[name]
    cols = tuple(NAMES.index(f) for f in v["features"])
    cal = v["calibration"]
    return Ranker(name, cols, np.asarray(v["weights"], dtype=np.float64), float(v["bias"]),
                  (float(cal[0]), float(cal[1]), float(cal[2])))


def margins(utility: np.ndarray) -> np.ndarray:
    """Each candidate's utility minus the best utility among the query's other candidates
    (positive only for the top one; 0 when it is alone)."""
    if len(utility) < 2:
        return np.zeros_like(utility)
    top = int(np.argmax(utility))
    second = float(np.max(np.delete(utility, top)))
    out = utility - float(utility[top])
    out[top] = float(utility[top]) - second
    return out


def group_margins(utility: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """`margins` of many queries' candidates at once: query ``k`` holds ``starts[k]:starts[k+1]``
    (``starts`` ends with ``len(utility)``; every query has a candidate). The same values."""
    sizes = np.diff(starts)
    group = np.repeat(np.arange(len(sizes)), sizes)
    best = np.maximum.reduceat(utility, starts[:-1])
    at_best = np.flatnonzero(utility == best[group])
    top = at_best[np.searchsorted(group[at_best], np.arange(len(sizes)))]  # first best, as argmax
    rest = utility.copy()
    rest[top] = -np.inf
    second = np.maximum.reduceat(rest, starts[:-1])
    out = utility - best[group]
    out[top] = best - second
    out[top[sizes < 2]] = 0.0
    return out
