"""Speed and memory of `xl-upr match` as a whole process, against plain baselines, same run.

    python benchmarks/speed.py [--cases 300x10000 3000x10000] [--large]

Corpora are synthetic, made by recombining clauses of real recommendations (the seed report
and, when ../shared is beside the project, every UPR report there), written to CSV files.
Each command runs as its own process (imports, CSV reading and output included), timed by
wall clock and CPU (user + system of the process tree); peak memory is the largest resident
set of the tree (``wait4``). Rows:

- ``xl-upr first run``: empty embedding cache (the corpus and queries are embedded);
- ``xl-upr warm``: the same command again (embeddings read from the cache);
- ``xl-upr --no-semantic``: the lexical ranker, no cache;
- ``tf-idf script``: benchmarks/tfidf_baseline.py (scikit-learn TfidfVectorizer + cosine, top 5);
- ``rapidfuzz cdist``: ``process.cdist(token_set_ratio)`` over all pairs, top 5.

Each row but the first run is the median of three runs. Ratios are each row's wall time over
the TF-IDF script's, measured in the same run.
``--large`` adds 300 x 267,000 (lexical and warm only: a first embedding of 267k texts takes
about 12 minutes on 2 cores, and is reported when run).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
#: Timed runs per command (the median is reported); a first run is timed once.
REPEAT = 3
XL = shutil.which("xl-upr") or str(Path(sys.executable).with_name("xl-upr"))

CDIST = """
import csv, sys
import numpy as np
from rapidfuzz import fuzz, process
q = [r["text"] for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))]
c = [r["text"] for r in csv.DictReader(open(sys.argv[2], encoding="utf-8"))]
top = []
for start in range(0, len(q), 50):
    s = process.cdist(q[start:start + 50], c, scorer=fuzz.token_set_ratio, workers=1)
    top.append(np.argsort(-s, axis=1)[:, :5])
print(sum(len(t) for t in top))
"""


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


def make_corpus(n: int, seed: int, parts: list[str] | None = None) -> list[str]:
    """n synthetic recommendations: 1-3 real clauses recombined, a recommending State after."""
    parts = parts or sentences()
    rnd = random.Random(seed)
    return [" ".join(rnd.sample(parts, rnd.choice((1, 2, 2, 3)))) + " (Norway)" for _ in range(n)]


def write_corpus(path: Path, n: int, seed: int, parts: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "text"])
        w.writerows([f"R{seed}-{i}", t] for i, t in enumerate(make_corpus(n, seed, parts)))


def run(cmd: list[str], env: dict[str, str], repeat: int = 1) -> dict[str, float]:
    """Wall, CPU (user+sys of the process tree) and peak RSS (MiB) of one command; with
    ``repeat``, the run of median wall time (file caches warm for every command alike)."""
    if repeat > 1:
        runs = sorted((run(cmd, env) for _ in range(repeat)), key=lambda r: r["wall"])
        return runs[len(runs) // 2]
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _pid, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    err = p.stderr.read().decode() if p.stderr else ""
    if status:
        sys.exit(f"{' '.join(cmd)} failed: {err[-400:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss / 1024}


def case(nq: int, nc: int, parts: list[str], tmp: Path, large: bool,
         keep: Path | None) -> list[tuple[str, dict[str, float]]]:
    q, c = tmp / f"q{nq}.csv", tmp / f"c{nc}.csv"
    write_corpus(q, nq, 2, parts)
    if not c.exists():
        write_corpus(c, nc, 1, parts)
    cache = (keep or tmp) / f"cache-{nq}-{nc}"
    env = {**os.environ, "XL_UPR_CACHE_DIR": str(cache)}
    rows = []
    if not (large and nc > 100_000) and not (keep and cache.exists()):
        rows.append(("xl-upr first run", run([XL, "match", str(q), str(c), "--top", "5"], env)))
    else:
        print(f"  ({nc:,} records: embedding the corpus once before timing the warm run)", flush=True)
        run([XL, "match", str(q), str(c), "--top", "5"], env)
    rows.append(("xl-upr warm", run([XL, "match", str(q), str(c), "--top", "5"], env, REPEAT)))
    rows.append(("xl-upr --no-semantic", run([XL, "match", str(q), str(c), "--top", "5", "--no-semantic",
                                              "--no-cache"], env, REPEAT)))
    rows.append(("tf-idf script", run([sys.executable, str(ROOT / "benchmarks" / "tfidf_baseline.py"),
                                       str(q), str(c)], env, REPEAT)))
    if nq * nc <= 3_000_000:
        rows.append(("rapidfuzz cdist", run([sys.executable, "-c", CDIST, str(q), str(c)], env)))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="+", default=["300x10000", "3000x10000"])
    ap.add_argument("--large", action="store_true", help="also 300 x 267,000")
    ap.add_argument("--keep-cache", type=Path, help="keep the embedding caches here between runs (the 267k "
                    "corpus is embedded once); the first-run row is then left out")
    a = ap.parse_args()
    cases = [tuple(int(x) for x in c.split("x")) for c in a.cases] + ([(300, 267_000)] if a.large else [])
    parts = sentences()
    print(f"{os.cpu_count()} cores; {len(parts):,} clauses to recombine\n")
    print("| queries × records | command | wall s | CPU s | peak MiB | wall ÷ tf-idf |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as d:
        for nq, nc in cases:
            rows = case(nq, nc, parts, Path(d), a.large, a.keep_cache)
            base = dict(rows)["tf-idf script"]["wall"]
            for name, r in rows:
                print(f"| {nq:,} × {nc:,} | {name} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['rss']:.0f} | "
                      f"{r['wall'] / base:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
