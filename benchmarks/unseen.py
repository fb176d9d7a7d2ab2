"""xl-upr on a country it was never fitted on: China 2018 -> 2013 (benchmarks/links, blind labels).

    python benchmarks/unseen.py [--corpus ../shared/corpus]

Runs ``xl-upr match QUERIES CORPUS --top 5`` as a whole process (the semantic ranker, then
``--no-semantic``), and, in the same run, MiniLM cosine alone and TF-IDF cosine on the same rows.
Figures as in ``../shared/dev/score.py``: hit@1, MRR and recall@5 over queries with a
counterpart; precision / recall of the rows called ``repeated``; no-counterpart queries that
come out ``new``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from quality import evaluate, rank_tfidf  # noqa: E402
from speed import XL  # noqa: E402

GOLD = ROOT / "benchmarks" / "links" / "chn-2018-vs-2013.gold.jsonl"
QUERIES = "CHN_UPR3_2018_OHCHR_matrix_of_recommendations.txt"
CORPUS = "CHN_UPR2_2013_OHCHR_matrix_of_recommendations.txt"


def rows(folder: Path) -> tuple[list[dict], dict[str, str], dict[str, str]]:
    """Gold lines, and the texts of the queries and of the earlier records, by ID."""
    from xl_upr.importers import read_document

    gold = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    queries = {r.id: r.text for r in read_document(folder / QUERIES).records}
    corpus = {r.id: r.text for r in read_document(folder / CORPUS).records}
    missing = [g["query"] for g in gold if g["query"] not in queries]
    missing += [i for g in gold for i in g["same"] + g["related"] if i not in corpus]
    if missing:
        sys.exit(f"{GOLD.name}: IDs the importer no longer gives: {', '.join(missing[:5])}")
    return gold, {g["query"]: queries[g["query"]] for g in gold}, corpus


def run_cli(queries: dict[str, str], corpus: dict[str, str], *flags: str) -> dict[str, list[dict]]:
    with tempfile.TemporaryDirectory() as d:
        for name, table in (("q", queries), ("c", corpus)):
            with open(f"{d}/{name}.csv", "w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow(["id", "text"])
                w.writerows(table.items())
        p = subprocess.run([XL, "match", f"{d}/q.csv", f"{d}/c.csv", "--top", "5", *flags], capture_output=True,
                           text=True, encoding="utf-8", check=True)
    out: dict[str, list[dict]] = {}
    for r in csv.DictReader(io.StringIO(p.stdout)):
        out.setdefault(r["query_id"], []).append(r)
    return out


def report(name: str, gold: list[dict], ranked: dict[str, list[dict]], cids: list[str]) -> None:
    """hit@1, MRR, recall@5 (`quality.evaluate`), and how the status bands do when there are any."""
    pos = {c: j for j, c in enumerate(cids)}
    order = [[(pos[r["corpus_id"]], 0.0) for r in ranked.get(g["query"], [])] for g in gold]
    keys = [str(j) for j in range(len(cids))]  # `evaluate` reads space-separated IDs; these hold spaces
    r = evaluate(order, keys, [{"relevant_ids": " ".join(str(pos[i]) for i in g["same"])} for g in gold])
    line = f"{name:34} {r['hit@1']:6.3f} {r['MRR']:6.3f} {r['recall@5']:9.3f}"
    tops = [(ranked[g["query"]][0] if ranked.get(g["query"]) else {"corpus_id": "", "status": "new"}, set(g["same"]))
            for g in gold]
    if any(top["status"] for top, _ in tops):  # the baselines give no status
        called = [top["corpus_id"] in same for top, same in tops if top["status"] == "repeated"]
        with_one = sum(bool(same) for _, same in tops)
        new = sum(top["status"] == "new" for top, same in tops if not same)
        rep = f"{sum(called) / len(called):.2f} / {sum(called) / with_one:.2f} (n={len(called)})" if called else "none"
        line += f"   repeated P/R {rep}   no-counterpart -> new {new} of {len(tops) - with_one}"
    print(line)


def ranked_by(scores: list[list[tuple[int, float]]], qids: list[str], cids: list[str]) -> dict[str, list[dict]]:
    return {q: [{"corpus_id": cids[j], "status": ""} for j, _ in hits[:5]] for q, hits in zip(qids, scores)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    a = ap.parse_args()
    if not (a.corpus / QUERIES).exists():
        print(f"skipped: {a.corpus / QUERIES} not found (the shared corpus sits beside the project)")
        return 0
    gold, queries, corpus = rows(a.corpus)
    print(f"{len(gold)} queries ({sum(bool(g['same']) for g in gold)} with a counterpart) x {len(corpus)} records")
    print(f"{'method':34} {'hit@1':>6} {'MRR':>6} {'recall@5':>9}")
    qids, cids = list(queries), list(corpus)
    report("xl-upr match", gold, run_cli(queries, corpus), cids)
    report("xl-upr match --no-semantic", gold, run_cli(queries, corpus, "--no-semantic"), cids)
    import numpy as np

    from xl_upr.ranking.vectors import embeddings

    cos = embeddings(list(queries.values())).astype(np.float32) @ embeddings(list(corpus.values())).astype(np.float32).T
    report("MiniLM cosine alone", gold, ranked_by([sorted(enumerate(r.tolist()), key=lambda t: -t[1]) for r in cos],
                                                  qids, cids), cids)
    report("TF-IDF cosine", gold, ranked_by(rank_tfidf(list(queries.values()), list(corpus.values())), qids, cids),
           cids)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
