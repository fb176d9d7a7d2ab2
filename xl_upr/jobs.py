"""A whole match job: rank many queries and explain every hit, in two processes where that pays.

What `xl-upr match` and `frames.match_frame` run. A job of at least `SPLIT_QUERIES` queries
(`SPLIT_QUERIES_FRESH` against an index built in this run) against at most `SPLIT_RECORDS`
records is split in two (`workers.in_two`): the embeddings are made here first, so both
processes read them from memory, and the profiles the child makes of its candidates come back
with its answer, so the saved index holds them all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

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


def match_explained(queries: Sequence[str | None], index: CorpusIndex, *, limit: int | None = 5,
                    score_cutoff: float = 0.0, settings: MatchSettings | None = None, semantic: bool | None = None,
                    cache: bool = True, progress: Callable[[int, int], None] | None = None,
                    batch: int = 64) -> Explained:
    """`match.match_table`, each hit with its `explain.why`: per query, (match, reason) pairs."""
    settings = settings or MatchSettings()
    use_semantic = settings.semantic if semantic is None else semantic

    def run(part: Sequence[str | None]) -> Explained:
        found = match_table(part, index, limit=limit, score_cutoff=score_cutoff, settings=settings,
                            semantic=use_semantic, cache=cache, progress=progress, batch=batch)
        return [[(m, why(m, index)) for m in hits] for hits in found]

    least = SPLIT_QUERIES_FRESH if not index.profiled else SPLIT_QUERIES
    if len(queries) < least or not len(index) or len(index) > SPLIT_RECORDS or not workers.available() \
            or (use_semantic and len(queries) > MEMORY_MAX):  # the child reads every query's vector from memory
        return run(queries)
    if use_semantic:
        use_semantic = embed_queries(queries, index, cache=cache, progress=progress)
    index.ready_for_queries()
    known = index.profiled

    def encode(result: Explained) -> tuple[list[Any], dict[int, Profile]]:
        hits = [(h[0][0].query if h else None,
                 [(m.key, m.score, m.status, m.features, m.ranker, m.margin, reason) for m, reason in h])
                for h in result]
        return hits, index.profiles_since(known) if cache else {}  # kept for the index file only

    def decode(data: tuple[list[Any], dict[int, Profile]]) -> Explained:
        hits, made = data
        index.add_profiles(made)
        return [[(Match(index.records[k], s, k, st, f, rk, mg, query), reason) for k, s, st, f, rk, mg, reason in h]
                for query, h in hits]

    at = len(queries) // 2  # a query's answer does not depend on the batch it is in (tested)
    first, second = workers.in_two(queries, at, run, encode, decode)
    return first + second
