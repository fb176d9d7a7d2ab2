"""pandas face of the matcher: `match_frame(new, prior)` -> one DataFrame row per match.

Imported lazily (``xl_upr.match_frame``), so the command line and Excel do not pay for pandas
unless they use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from xl_upr.index import build_index
from xl_upr.jobs import match_explained
from xl_upr.records import Record, records_from_rows
from xl_upr.settings import MatchSettings

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ["new_id", "rank", "prior_id", "score", "status", "why", "new_text", "prior_text"]


def _records(value: Any, name: str) -> list[Record]:
    """Records from a DataFrame (columns ``id`` and ``text``, others as in `load_records`) or
    a sequence of `Record`."""
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return records_from_rows(value.astype(object).where(value.notna(), None).to_dict("records"),
                                 f"{name} DataFrame")
    records = list(value)
    if not all(isinstance(r, Record) for r in records):
        raise TypeError(f"{name} must be a DataFrame with columns id and text, or a list of Record")
    return records


def match_frame(new: pd.DataFrame | Sequence[Record], prior: pd.DataFrame | Sequence[Record], *, top: int = 1,
                score_cutoff: float = 0.0, settings: MatchSettings | None = None) -> pd.DataFrame:
    """Match every new recommendation against the earlier ones, as a DataFrame.

    One row per new record and rank (``top`` best, at least ``score_cutoff``); a new record
    without any match gets one row with an empty ``prior_id`` and status ``new``.

    Examples
    --------
    >>> import pandas as pd
    >>> new = pd.DataFrame({"id": ["N1"], "text": ["Ratify CRPD (Spain)"]})
    >>> prior = [Record("P1", "Ratify the Convention on the Rights of Persons with Disabilities")]
    >>> match_frame(new, prior)[["new_id", "prior_id", "status"]].values.tolist()
    [['N1', 'P1', 'repeated']]
    """
    import pandas as pd

    settings = settings or MatchSettings()
    queries, corpus = _records(new, "new"), _records(prior, "prior")
    index = build_index(corpus)
    rows = []
    for q, hits in zip(queries, match_explained([q.text for q in queries], index, limit=top,
                                                score_cutoff=score_cutoff, settings=settings)):
        for rank, (m, reason) in enumerate(hits, start=1):
            rows.append([q.id, rank, m.id, round(m.score, 1), m.status, reason, q.text, m.record.text])
        if not hits:
            rows.append([q.id, None, None, None, "new", "", q.text, None])
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.astype({"rank": "Int64"})
