"""Speed and memory: 300 queries x 10k / 100k / 267k records, against plain rapidfuzz cdist.

Corpora are synthetic, made by recombining real recommendation sentences (the seed report
and, when ../shared is beside the project, every UPR report there).  Each size runs in its own
process so that peak memory (max RSS) is that size's alone.

    python benchmarks/speed.py [--sizes 10000 100000 267000] [--baseline-queries 30]

The baseline is ``rapidfuzz.process.cdist(queries, corpus, scorer=token_set_ratio)`` (one
worker, as plain as it comes) timed on ``--baseline-queries`` of the 300 queries and scaled
to 300, on the same corpus in the same run.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"


def sentences() -> list[str]:
    """Clauses of real recommendations, States removed, to recombine."""
    from xl_upr.importers import read_document
    from xl_upr.normalise import clean

    files = [ROOT / "tests" / "fixtures" / "kaz_2014_A-HRC-28-10.txt"]
    if SHARED.exists():
        files += sorted((SHARED / "corpus").glob("*WG_report.txt")) + sorted((SHARED / "corpus").glob("*fulltext.txt"))
    out: list[str] = []
    for f in files:
        for r in read_document(f).records:
            out.extend(p.strip() for p in re.split(r"(?<=[,;])\s+", clean(r.text)) if len(p.split()) >= 3)
    return out


def make_corpus(n: int, seed: int) -> list[str]:
    parts = sentences()
    rnd = random.Random(seed)
    return [" ".join(rnd.sample(parts, rnd.choice((1, 2, 2, 3)))) for _ in range(n)]


def run_one(n: int, baseline_queries: int) -> dict[str, float]:
    from rapidfuzz import fuzz, process

    from xl_upr.index import build_index
    from xl_upr.match import match_table
    from xl_upr.records import Record

    corpus = make_corpus(n, seed=1)
    queries = make_corpus(300, seed=2)
    records = [Record(str(i), t) for i, t in enumerate(corpus)]
    t0 = time.perf_counter()
    index = build_index(records)
    t1 = time.perf_counter()
    results = match_table(queries, index, limit=5)
    t2 = time.perf_counter()
    assert len(results) == 300
    # MiB on Linux; forked workers of a parallel build count too
    rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
              resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    b0 = time.perf_counter()
    process.cdist(queries[:baseline_queries], corpus, scorer=fuzz.token_set_ratio)
    b1 = time.perf_counter()
    return {"n": n, "build": t1 - t0, "query": t2 - t1, "total": t2 - t0, "peak_mib": rss,
            "baseline": (b1 - b0) * 300 / baseline_queries}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 267_000])
    parser.add_argument("--baseline-queries", type=int, default=30)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, args.baseline_queries)))
        return 0
    print(f"{'records':>8} {'build s':>8} {'300 q s':>8} {'total s':>8} {'peak MiB':>9} "
          f"{'cdist s':>9} {'speed-up':>9}")
    for n in args.sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(n), "--baseline-queries",
                              str(args.baseline_queries)], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{r['n']:>8} {r['build']:8.2f} {r['query']:8.2f} {r['total']:8.2f} {r['peak_mib']:9.0f} "
              f"{r['baseline']:9.1f} {r['baseline'] / r['total']:8.0f}x")
    print(f"cdist: rapidfuzz.process.cdist(token_set_ratio) on {args.baseline_queries} queries, scaled to 300.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
