"""Baseline for benchmarks/speed.py: a plain scikit-learn TF-IDF + cosine top-5 script.

    python benchmarks/tfidf_baseline.py QUERIES.csv CORPUS.csv > out.csv

What a competent analyst would write in ten lines: read both CSVs, fit TF-IDF on the corpus,
cosine of every query against every record, print the top 5 per query.
"""

from __future__ import annotations

import csv
import sys

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer


def main(queries: str, corpus: str) -> None:
    q = list(csv.DictReader(open(queries, encoding="utf-8")))
    c = list(csv.DictReader(open(corpus, encoding="utf-8")))
    vec = TfidfVectorizer(sublinear_tf=True, stop_words="english")
    cm = vec.fit_transform([r["text"] for r in c])
    qm = vec.transform([r["text"] for r in q])
    sims = (qm @ cm.T).toarray()
    top = np.argsort(-sims, axis=1)[:, :5]
    out = csv.writer(sys.stdout)
    out.writerow(["query_id", "rank", "corpus_id", "score"])
    for i, row in enumerate(top):
        for rank, j in enumerate(row, 1):
            out.writerow([q[i]["id"], rank, c[j]["id"], round(float(sims[i, j]) * 100, 1)])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
