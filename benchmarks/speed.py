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

The warm, lexical and TF-IDF commands run in `REPEAT` rounds, each command once per round, so
a change in a shared machine's load touches them alike; a row gives the medians, and its
ratio is the median (and range) of its wall time over the TF-IDF script's in the same round.
Peak memory is that of the largest process (a forked child of a split shares its parent's
pages). The first run and rapidfuzz's are timed once, against the median TF-IDF wall.
It times the ``xl-upr`` on PATH (else the one beside this Python): run it from an install made as
the README's first command makes it (``pip install .``); an editable install adds its import
hook, about 15 ms, to every process. ``--large`` adds 300 x 267,000 (lexical and warm only: a
first embedding of 267k texts takes 5-12 minutes on 2 cores, and is not timed).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
#: Rounds of timed runs (every command once per round; medians are reported); a first run is timed once.
REPEAT = 5
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


def run(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    """Wall, CPU (user+sys of the process tree) and peak RSS (MiB, the largest process) of one command."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _pid, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    err = p.stderr.read().decode() if p.stderr else ""
    if status:
        sys.exit(f"{' '.join(cmd)} failed: {err[-400:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss / 1024}


def rounds(commands: dict[str, list[str]], env: dict[str, str], base: str) -> list[tuple[str, dict[str, float]]]:
    """`REPEAT` rounds of every command in turn (so a change in the machine's load touches them
    alike); per command the median wall, CPU and peak, and the median and range of its wall
    over ``base``'s in the same round."""
    got: dict[str, list[dict[str, float]]] = {name: [] for name in commands}
    for _ in range(REPEAT):
        for name, cmd in commands.items():
            got[name].append(run(cmd, env))
    out = []
    for name, runs in got.items():
        ratios = sorted(r["wall"] / b["wall"] for r, b in zip(runs, got[base]))
        row = {k: statistics.median(r[k] for r in runs) for k in ("wall", "cpu", "rss")}
        row.update(ratio=statistics.median(ratios), low=ratios[0], high=ratios[-1])
        out.append((name, row))
    return out


def case(nq: int, nc: int, parts: list[str], tmp: Path, large: bool,
         keep: Path | None) -> list[tuple[str, dict[str, float]]]:
    q, c = tmp / f"q{nq}.csv", tmp / f"c{nc}.csv"
    write_corpus(q, nq, 2, parts)
    if not c.exists():
        write_corpus(c, nc, 1, parts)
    cache = (keep or tmp) / f"cache-{nq}-{nc}"
    env = {**os.environ, "XL_UPR_CACHE_DIR": str(cache)}
    match = [XL, "match", str(q), str(c), "--top", "5"]
    first = []
    if not (large and nc > 100_000) and not (keep and cache.exists()):
        first.append(("xl-upr first run", run(match, env)))
    else:
        print(f"  ({nc:,} records: embedding the corpus once before timing the warm run)", flush=True)
        run(match, env)
    commands = {"tf-idf script": [sys.executable, str(ROOT / "benchmarks" / "tfidf_baseline.py"), str(q), str(c)],
                "xl-upr warm": match,
                "xl-upr --no-semantic": match + ["--no-semantic", "--no-cache"]}
    rows = rounds(commands, env, "tf-idf script")
    base = dict(rows)["tf-idf script"]["wall"]
    for _name, r in first:
        r.update(ratio=r["wall"] / base, low=r["wall"] / base, high=r["wall"] / base)
    if nq * nc <= 3_000_000:
        r = run([sys.executable, "-c", CDIST, str(q), str(c)], env)
        r.update(ratio=r["wall"] / base, low=r["wall"] / base, high=r["wall"] / base)
        rows.append(("rapidfuzz cdist", r))
    return first + rows[1:3] + rows[:1] + rows[3:]


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
    print("| queries × records | command | wall s | CPU s | peak MiB | wall ÷ tf-idf (range) |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as d:
        for nq, nc in cases:
            for name, r in case(nq, nc, parts, Path(d), a.large, a.keep_cache):
                spread = f" ({r['low']:.2f}–{r['high']:.2f})" if r["high"] > r["low"] else ""
                print(f"| {nq:,} × {nc:,} | {name} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['rss']:.0f} | "
                      f"{r['ratio']:.2f}{spread} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
