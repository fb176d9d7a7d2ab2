"""A whole match job: rank many queries and explain every hit, in two processes where that pays.

What `xl-upr match` and `frames.match_frame` run. A job of at least `SPLIT_QUERIES` queries
(`SPLIT_QUERIES_FRESH` against an index built in this run) against at most `SPLIT_RECORDS`
records is split in two (`workers.in_two`): the embeddings are made here first, so both
processes read them from memory, and the profiles the child makes of its candidates come back
with its answer, so the saved index holds them all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from xl_upr import workers
from xl_upr.explain import why
from xl_upr.index import CorpusIndex
from xl_upr.match import Match, embed_queries, match_table
from xl_upr.ranking.profile import Profile
from xl_upr.ranking.vectors import MEMORY_MAX
from xl_upr.settings import MatchSettings

#: Fewest queries for which a second process pays (measured: at 300 queries against a cached
#: index it does not) …
SPLIT_QUERIES = 1000
#: … and against an index that has no record profiled yet (built in this run: profiling the
#: candidates is then most of the work, and the two processes share it).
SPLIT_QUERIES_FRESH = 200
#: Most records for a split: above, the second process's own per-batch products and copied
#: pages would cost more memory than its time is worth.
SPLIT_RECORDS = 100_000

Explained = list[list[tuple[Match, str]]]
R = TypeVar("R")


def match_explained(queries: Sequence[str | None], index: CorpusIndex, *, limit: int | None = 5,
                    score_cutoff: float = 0.0, settings: MatchSettings | None = None, semantic: bool | None = None,
                    cache: bool = True, progress: Callable[[int, int], None] | None = None,
                    batch: int = 64) -> Explained:
    """`match.match_table`, each hit with its `explain.why`: per query, (match, reason) pairs."""

    def encode(result: Explained) -> list[Any]:  # the child's matches without their records
        return [(h[0][0].query if h else None,
                 [(m.key, m.score, m.status, m.features, m.ranker, m.margin, reason) for m, reason in h])
                for h in result]

    def decode(hits: list[Any]) -> Explained:
        return [[(Match(index.records[k], s, k, st, f, rk, mg, query), reason) for k, s, st, f, rk, mg, reason in h]
                for query, h in hits]

    parts = _in_parts(queries, index, lambda first, answers: answers, encode, decode, limit=limit,
                      score_cutoff=score_cutoff, settings=settings, semantic=semantic, cache=cache, progress=progress,
                      batch=batch)
    return [answer for part in parts for answer in part]


def match_rendered(queries: Sequence[str | None], index: CorpusIndex, render: Callable[[int, Explained], R], *,
                   limit: int | None = 5, score_cutoff: float = 0.0, settings: MatchSettings | None = None,
                   semantic: bool | None = None, cache: bool = True,
                   progress: Callable[[int, int], None] | None = None, batch: int = 64) -> list[R]:
    """`match_explained`, each part's answers turned into ``render(first, answers)`` in the process
    that found them (``first``: the position of the part's first query): one value, or two in
    order for a split job. The child then sends only what ``render`` made (the command line's
    output rows), so this process neither rebuilds its matches nor formats them."""
    return _in_parts(queries, index, render, lambda out: out, lambda out: out, limit=limit,
                     score_cutoff=score_cutoff, settings=settings, semantic=semantic, cache=cache, progress=progress,
                     batch=batch)


def _in_parts(queries: Sequence[str | None], index: CorpusIndex, render: Callable[[int, Explained], R],
              encode: Callable[[R], Any], decode: Callable[[Any], R], *, limit: int | None, score_cutoff: float,
              settings: MatchSettings | None, semantic: bool | None, cache: bool,
              progress: Callable[[int, int], None] | None, batch: int) -> list[R]:
    """``render`` of the explained answers of all queries, or of each half, the second in a child
    process (``encode``/``decode`` carry its value through the pipe)."""
    settings = settings or MatchSettings()
    use_semantic = settings.semantic if semantic is None else semantic

    def run(rows: Sequence[int]) -> R:
        found = match_table([queries[i] for i in rows], index, limit=limit, score_cutoff=score_cutoff,
                            settings=settings, semantic=use_semantic, cache=cache, progress=progress, batch=batch)
        return render(rows[0] if len(rows) else 0, [[(m, why(m, index)) for m in hits] for hits in found])

    rows = range(len(queries))
    least = SPLIT_QUERIES_FRESH if not index.profiled else SPLIT_QUERIES
    if len(queries) < least or not len(index) or len(index) > SPLIT_RECORDS or not workers.available() \
            or (use_semantic and len(queries) > MEMORY_MAX):  # the child reads every query's vector from memory
        return [run(rows)]
    if use_semantic:
        use_semantic = embed_queries(queries, index, cache=cache, progress=progress)
    index.ready_for_queries()
    known = index.profiled

    def send(result: R) -> tuple[Any, dict[int, Profile]]:
        return encode(result), index.profiles_since(known) if cache else {}  # profiles: for the index file only

    def receive(data: tuple[Any, dict[int, Profile]]) -> R:
        out, made = data
        index.add_profiles(made)
        return decode(out)

    at = len(queries) // 2  # a query's answer does not depend on the batch it is in (tested)
    return list(workers.in_two(rows, at, run, send, receive))
