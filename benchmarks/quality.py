"""Ranking quality on the labelled link sets (../shared/dev/links) and on pairs.csv.

Link sets (whole cycles: Kazakhstan 2014 -> 2010, Slovenia 2025 -> 2014+2019), in one run:
xl-upr's ranker fitted on the *other* set (scripts/train_ranker.py's protocol), the shipped
ranker (fitted on both), and baselines: TF-IDF cosine, MiniLM cosine alone, xl-upr 0.1's
lexical score, and the fixed blend 0.3 lexical + 0.6 MiniLM + 0.1 TF-IDF.
pairs.csv (24 queries against the 194 recommendations of A/HRC/28/10): xl-upr against
rapidfuzz token_set_ratio, token Jaccard and TF-IDF cosine.
Treaty-body links, the other way round: each 2014 recommendation that pairs.csv names as the
counterpart of a 2010 compilation finding, matched against all 49 paragraphs of the compilation
(A/HRC/WG.6/7/KAZ/2); right when its top paragraph holds a finding that names it. Paragraphs
pairs.csv does not label may be right too, so the figure errs low.

    python benchmarks/quality.py [--pairs PATH] [--corpus PATH] [--links DIR]

recall@5 = |relevant in top 5| / min(5, |relevant|), averaged over queries with a counterpart.
Decision-F1: a query is 'linked' when its best score reaches a threshold; a link is right
when its top hit is relevant; F1 over queries, at the best threshold (printed).
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xl_upr.importers import read_document  # noqa: E402
from xl_upr.index import build_index  # noqa: E402
from xl_upr.match import match_table  # noqa: E402

SHARED = ROOT.parent / "shared"
Ranker = Callable[[Sequence[str], Sequence[str]], list[list[tuple[int, float]]]]


def load_pairs(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def rank_xlupr(queries: Sequence[str], corpus: Sequence[str]) -> list[list[tuple[int, float]]]:
    from xl_upr.records import Record

    index = build_index([Record(str(i), t) for i, t in enumerate(corpus)])
    return [[(m.key, m.score) for m in hits] for hits in match_table(queries, index, limit=None)]


def rank_rapidfuzz(queries: Sequence[str], corpus: Sequence[str]) -> list[list[tuple[int, float]]]:
    scores = process.cdist(queries, corpus, scorer=fuzz.token_set_ratio, processor=str.lower)
    return [sorted(enumerate(row.tolist()), key=lambda t: -t[1]) for row in scores]


_TOK = re.compile(r"[a-z0-9]+")


def rank_jaccard(queries: Sequence[str], corpus: Sequence[str]) -> list[list[tuple[int, float]]]:
    docs = [set(_TOK.findall(t.lower())) for t in corpus]
    out = []
    for q in queries:
        qs = set(_TOK.findall(q.lower()))
        row = [(i, 100 * len(qs & d) / max(1, len(qs | d))) for i, d in enumerate(docs)]
        out.append(sorted(row, key=lambda t: -t[1]))
    return out


def rank_tfidf(queries: Sequence[str], corpus: Sequence[str]) -> list[list[tuple[int, float]]]:
    docs = [Counter(_TOK.findall(t.lower())) for t in corpus]
    n = len(docs)
    df = Counter(w for d in docs for w in d)
    idf = {w: math.log((1 + n) / (1 + c)) + 1 for w, c in df.items()}

    def vec(c: Counter[str]) -> dict[str, float]:
        v = {w: (1 + math.log(k)) * idf.get(w, math.log(1 + n) + 1) for w, k in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {w: x / norm for w, x in v.items()}

    dv = [vec(d) for d in docs]
    out = []
    for q in queries:
        qv = vec(Counter(_TOK.findall(q.lower())))
        row = [(i, 100 * sum(x * d.get(w, 0.0) for w, x in qv.items())) for i, d in enumerate(dv)]
        out.append(sorted(row, key=lambda t: -t[1]))
    return out


def evaluate(ranked: list[list[tuple[int, float]]], ids: Sequence[str],
             pairs: list[dict[str, str]]) -> dict[str, float]:
    hit1, rr, rec5, n_pos = 0.0, 0.0, 0.0, 0
    decisions = []  # (best score, has counterpart, top-1 relevant)
    for hits, pair in zip(ranked, pairs):
        relevant = set(pair["relevant_ids"].split())
        order = [ids[i] for i, _ in hits]
        best = hits[0][1] if hits else 0.0
        top_ok = bool(order) and order[0] in relevant
        decisions.append((best, bool(relevant), top_ok))
        if not relevant:
            continue
        n_pos += 1
        hit1 += top_ok
        rank = next((k for k, i in enumerate(order, 1) if i in relevant), None)
        rr += 1.0 / rank if rank else 0.0
        rec5 += len(relevant & set(order[:5])) / min(5, len(relevant))
    best_f1, best_t = 0.0, 0.0
    for t in sorted({d[0] for d in decisions}):
        tp = sum(1 for s, pos, ok in decisions if s >= t and pos and ok)
        fp = sum(1 for s, pos, ok in decisions if s >= t and not (pos and ok))
        fn = sum(1 for s, pos, ok in decisions if pos and not (s >= t and ok))
        f1 = 2 * tp / max(1, 2 * tp + fp + fn)
        if f1 > best_f1:
            best_f1, best_t = f1, t
    return {"hit@1": hit1 / n_pos, "MRR": rr / n_pos, "recall@5": rec5 / n_pos,
            "decision-F1": best_f1, "threshold": best_t}


def _hit_mrr(scores: Sequence[Sequence[float]], gold: list[set[int]]) -> tuple[float, float]:
    hit = mrr = 0.0
    n = 0
    for row, same in zip(scores, gold):
        if not same:
            continue
        order = sorted(range(len(row)), key=lambda j: (-row[j], j))
        n += 1
        hit += order[0] in same
        mrr += next((1 / (k + 1) for k, j in enumerate(order) if j in same), 0.0)
    return hit / n, mrr / n


def treaty_links(pairs: list[dict[str, str]], recommendations: Path, compilation: Path) -> None:
    """Recommendations -> compilation paragraphs, the labels of pairs.csv read backwards."""
    paragraphs = read_document(compilation).records
    by_para = {r.paragraph: r for r in read_document(recommendations).records}
    found: dict[str, set[str]] = {}
    for pair in pairs:
        m = re.search(r"paras? (\d+)(?:-(\d+))?", pair["query_source"])
        if not pair["query_id"].startswith("COMP") or not m:
            continue
        span = {str(k) for k in range(int(m.group(1)), int(m.group(2) or m.group(1)) + 1)}
        for rec in pair["relevant_ids"].split():
            found.setdefault(rec, set()).update(span)
    recs = [k for k in found if k in by_para]
    gold = [{"relevant_ids": " ".join(sorted(found[k]))} for k in recs]
    ids = [r.paragraph for r in paragraphs]
    queries, corpus = [by_para[k].text for k in recs], [r.text for r in paragraphs]
    print(f"\ntreaty-body links: {len(recs)} recommendations of {next(iter(by_para.values())).document} "
          f"x {len(corpus)} paragraphs of {paragraphs[0].document}")
    print(f"{'method':28} {'hit@1':>6} {'MRR':>6} {'recall@5':>9}")
    for name, ranker in (("xl-upr", rank_xlupr), ("TF-IDF cosine", rank_tfidf)):
        r = evaluate(ranker(queries, corpus), ids, gold)
        print(f"{name:28} {r['hit@1']:6.3f} {r['MRR']:6.3f} {r['recall@5']:9.3f}")


def link_sets(links: Path) -> None:
    """The link-set table: fit-on-one/tested-on-the-other xl-upr against baselines."""
    import json

    import numpy as np

    sys.path.insert(0, str(ROOT / "scripts"))
    import train_ranker as tr

    from xl_upr.match import candidate_table
    from xl_upr.records import Record

    data = {s: tr.load(links, s, True) for s in tr.SETS}
    print("link sets: hit@1 / MRR (queries with a counterpart)")
    print(f"{'method':44} {'kaz':>13} {'svn':>13}")
    rows: dict[str, dict[str, tuple[float, float]]] = {}
    for s, (qf, cf, gf) in tr.SETS.items():
        queries = {q["id"]: q for q in json.loads((links / qf).read_text(encoding="utf-8"))}
        corpus = json.loads((links / cf).read_text(encoding="utf-8"))
        gold = [json.loads(x) for x in (links / gf).read_text(encoding="utf-8").splitlines() if x.strip()]
        pos = {c["id"]: j for j, c in enumerate(corpus)}
        same = [{pos[i] for i in g["same"] if i in pos} for g in gold]
        texts = [queries[g["query"]]["text"] for g in gold]
        index = build_index([Record(c["id"], c["text"]) for c in corpus])
        _used, table = candidate_table(texts, index, limit=None, semantic=True)
        lex = np.zeros((len(texts), len(corpus)))
        cos = np.zeros((len(texts), len(corpus)))
        for i, t in enumerate(table):
            if t is not None:
                lex[i, t[1]], cos[i, t[1]] = t[2][:, 0], t[2][:, 1]
        tfidf = np.zeros_like(lex)
        for i, hits in enumerate(rank_tfidf(texts, [c["text"] for c in corpus])):
            for j, v in hits:
                tfidf[i, j] = v / 100
        for name, sc in (("TF-IDF cosine", tfidf), ("MiniLM cosine alone", cos), ("xl-upr 0.1 (lexical score)", lex),
                         ("fixed blend .3 lexical + .6 MiniLM + .1 TF-IDF", .3 * lex + .6 * cos + .1 * tfidf)):
            rows.setdefault(name, {})[s] = _hit_mrr(sc.tolist(), same)
    for train, test in (("svn", "kaz"), ("kaz", "svn")):
        w, b = tr.fit_clogit(data[train]["x"], data[train]["y"], data[train]["g"])
        m = tr.metrics(data[test], data[test]["x"] @ w + b)
        rows.setdefault("xl-upr ranker, fitted on the other set", {})[test] = (m["hit@1"], m["mrr"])
    for name, per in rows.items():
        print(f"{name:44} " + " ".join(f"{per[s][0]:.3f}/{per[s][1]:.3f}" for s in tr.SETS))
    print()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=SHARED / "dev" / "pairs.csv")
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "fixtures" / "kaz_2014_A-HRC-28-10.txt")
    parser.add_argument("--links", type=Path, default=SHARED / "dev" / "links")
    parser.add_argument("--compilation", type=Path,
                        default=ROOT / "tests" / "fixtures" / "kaz_2010_compilation_A-HRC-WG6-7-KAZ-2.txt")
    args = parser.parse_args(argv)
    if args.links.exists():
        link_sets(args.links)
    if not args.pairs.exists():
        print(f"skipped: {args.pairs} not found (the shared dev set sits beside the project)")
        return 0
    pairs = load_pairs(args.pairs)
    records = read_document(args.corpus).records
    ids = [r.paragraph for r in records]
    corpus = [r.text for r in records]
    queries = [p["query_text"] for p in pairs]
    rankers: dict[str, Ranker] = {"xl-upr": rank_xlupr, "rapidfuzz token_set_ratio": rank_rapidfuzz,
                                  "token Jaccard": rank_jaccard, "TF-IDF cosine": rank_tfidf}
    print(f"{len(queries)} queries ({sum(1 for p in pairs if p['relevant_ids'].strip())} with a counterpart) "
          f"x {len(corpus)} records of {records[0].document}")
    print(f"{'method':28} {'hit@1':>6} {'MRR':>6} {'recall@5':>9} {'decision-F1':>12} {'at score':>9}")
    results = {}
    for name, ranker in rankers.items():
        r = evaluate(ranker(queries, corpus), ids, pairs)
        results[name] = r
        print(f"{name:28} {r['hit@1']:6.3f} {r['MRR']:6.3f} {r['recall@5']:9.3f} {r['decision-F1']:12.3f} "
              f"{r['threshold']:9.1f}")
    ours = rank_xlupr(queries, corpus)
    print("\nper query (xl-upr): id, top hit, score, relevant?")
    for pair, hits in zip(pairs, ours):
        rel = set(pair["relevant_ids"].split())
        top = ids[hits[0][0]] if hits else "-"
        print(f"  {pair['query_id']:11} {top:7} {hits[0][1] if hits else 0:6.1f} "
              f"{'yes' if top in rel else ('NEW ok' if not rel else 'no')}")
    treaty_links(pairs, args.corpus, args.compilation)
    return 0


if __name__ == "__main__":
    sys.exit(main())
