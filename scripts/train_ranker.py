"""Fit the ranker (xl_upr/ranking/ranker.json) on the labelled link sets in ../shared/dev/links.

    python scripts/train_ranker.py [--links ../shared/dev/links] [--write]

Features are computed by the run-time code (`xl_upr.match.candidate_table`), so what is fitted
is what runs. Per variant (``semantic``: all features; ``lexical``: without the embedding ones):

1. a conditional-logit ranker (softmax over each query's candidates; the gold `same` records
   share the target), L2-regularised, on standardised features — scipy's L-BFGS, no
   scikit-learn needed;
2. **fit on one set, tested on the other** (both ways): hit@1, MRR, recall@5 printed — the
   figures the README reports;
3. a calibration of the confidence, P(same | utility, margin over the query's best other
   candidate), fitted on the training set's own candidates (tested, like the ranker, on the
   other set). The lexical variant's calibration is fitted instead on both sets' *out-of-set*
   utilities (each set ranked by the ranker fitted on the other): fitted in sample it was
   overconfident out of set (rows it called repeated were right 0.75 / 0.83 of the time), and
   a confidence has to hold on documents the ranker has not seen;
4. status bands: ``repeated_at`` = the lowest confidence at which top-1s called repeated are
   right >= 90% of the time (out-of-set, pooled; each set printed), ``similar_at`` = the cut
   that maximises the pooled decision-F1 of "top-1 is a counterpart" vs "new".

The shipped coefficients are fitted on both sets together; ``--write`` saves them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xl_upr.index import build_index  # noqa: E402
from xl_upr.match import candidate_table  # noqa: E402
from xl_upr.ranking.features import NAMES  # noqa: E402
from xl_upr.ranking.model import MODEL_FILE, margins  # noqa: E402
from xl_upr.records import Record  # noqa: E402

SETS = {
    "kaz": ("kaz-2014-queries.json", "kaz-2010-corpus.json", "kaz-2014-vs-2010.gold.jsonl"),
    "svn": ("svn-2025-queries.json", "svn-2014-2019-corpus.json", "svn-2025-vs-2014-2019.gold.jsonl"),
}
SEMANTIC_ONLY = ("cosine", "cosine_gap")
L2 = 10.0


def load(links: Path, name: str, semantic: bool) -> dict:
    qf, cf, gf = (links / f for f in SETS[name])
    queries = {q["id"]: q for q in json.loads(qf.read_text(encoding="utf-8"))}
    corpus = [Record(c["id"], c["text"]) for c in json.loads(cf.read_text(encoding="utf-8"))]
    gold = [json.loads(line) for line in gf.read_text(encoding="utf-8").splitlines() if line.strip()]
    index = build_index(corpus)
    used, table = candidate_table([queries[g["query"]]["text"] for g in gold], index, limit=5, semantic=semantic)
    if used != semantic:
        sys.exit("embeddings unavailable: cannot fit the semantic ranker")
    pos = {r.id: i for i, r in enumerate(corpus)}
    xs, ys, groups = [], [], []
    for qi, (g, t) in enumerate(zip(gold, table)):
        if t is None:
            continue
        _prof, rows, x = t
        same = {pos[s] for s in g["same"] if s in pos}
        xs.append(x)
        ys.append(np.isin(rows, list(same)))
        groups.append(np.full(len(rows), qi))
    return {"x": np.vstack(xs), "y": np.concatenate(ys), "g": np.concatenate(groups),
            "has": np.array([bool(g["same"]) for g in gold]), "n": len(gold)}


def fit_clogit(x: np.ndarray, y: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, float]:
    """Conditional logit: maximise the softmax probability of each query's gold candidates."""
    mu, sd = x.mean(0), x.std(0) + 1e-9
    z = (x - mu) / sd
    bounds = np.flatnonzero(np.r_[True, g[1:] != g[:-1], True])
    spans = [(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if y[a:b].any()]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        u = z @ w
        total, grad = 0.0, np.zeros_like(w)
        for a, b in spans:
            uq = u[a:b] - u[a:b].max()
            p = np.exp(uq)
            p /= p.sum()
            t = y[a:b] / y[a:b].sum()
            total -= float(t @ np.log(p + 1e-12))
            grad -= z[a:b].T @ (t - p)
        return total + L2 * float(w @ w) / 2, grad + L2 * w

    w = minimize(loss, np.zeros(z.shape[1]), jac=True, method="L-BFGS-B").x
    return w / sd, float(-(mu / sd) @ w)


def margins_of(data: dict, u: np.ndarray) -> np.ndarray:
    out = np.zeros_like(u)
    for qi in np.unique(data["g"]):
        m = np.flatnonzero(data["g"] == qi)
        out[m] = margins(u[m])
    return out


def fit_calibration(data: dict, u: np.ndarray) -> tuple[float, float, float]:
    """Logistic P(same | utility, margin): sigmoid(a*u + b*margin + c) over every candidate."""
    y = data["y"].astype(float)
    x = np.c_[u, margins_of(data, u), np.ones_like(u)]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w
        p = 1 / (1 + np.exp(-z))
        eps = 1e-12
        return (float(-(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)).sum()) + 1e-3 * float(w @ w),
                x.T @ (p - y) + 2e-3 * w)

    a, b, c = minimize(loss, np.array([1.0, 0.0, 0.0]), jac=True, method="L-BFGS-B").x
    return float(a), float(b), float(c)


def metrics(data: dict, u: np.ndarray) -> dict[str, float]:
    hit = mrr = rec5 = 0.0
    n = 0
    for qi in np.unique(data["g"]):
        if not data["has"][qi]:
            continue
        m = np.flatnonzero(data["g"] == qi)
        order = m[np.lexsort((m, -u[m]))]
        right = data["y"][order]
        n += 1
        hit += bool(right[0])
        first = np.flatnonzero(right)
        mrr += 1 / (first[0] + 1) if len(first) else 0.0
        rec5 += right[:5].sum() / min(5, max(1, data["y"][m].sum()))
    return {"hit@1": hit / n, "mrr": mrr / n, "recall@5": rec5 / n}


def tops(data: dict, u: np.ndarray, cal: tuple[float, float, float]) -> list[tuple[float, bool, bool]]:
    """(confidence of the top-1, top-1 right, query has a counterpart) per query."""
    a, b, c = cal
    out = []
    for qi in range(data["n"]):
        m = np.flatnonzero(data["g"] == qi)
        if not len(m):
            out.append((0.0, False, bool(data["has"][qi])))
            continue
        order = np.lexsort((m, -u[m]))
        z = a * u[m] + b * margins(u[m]) + c
        out.append((float(100 / (1 + np.exp(-z[order[0]]))), bool(data["y"][m[order[0]]]), bool(data["has"][qi])))
    return out


def _precise(points: list[tuple[float, bool, bool]], cut: float) -> bool:
    sel = [ok for s, ok, _ in points if s >= cut]
    return len(sel) >= 10 and sum(sel) / len(sel) >= 0.90


def bands(per_set: dict[str, list[tuple[float, bool, bool]]]) -> tuple[float, float]:
    """repeated_at: lowest whole-number cut where repeated is right >= 90% on every set;
    similar_at: the whole-number cut of best pooled decision-F1 (not above repeated_at)."""
    points = [p for ps in per_set.values() for p in ps]
    cuts = [float(c) for c in range(1, 100)]
    repeated = next((c for c in cuts if all(_precise(ps, c) for ps in per_set.values())), 100.0)
    pos = sum(h for _, _, h in points)
    best, similar = -1.0, cuts[0]
    for c in cuts:
        tp = sum(ok for s, ok, _ in points if s >= c)
        fp = sum(not ok for s, ok, _ in points if s >= c)
        if tp:
            f1 = 2 * tp / (2 * tp + fp + (pos - tp))
            if f1 > best:
                best, similar = f1, c
    return float(repeated), float(min(similar, repeated))


def band_report(name: str, points: list[tuple[float, bool, bool]], repeated: float, similar: float) -> str:
    rep = [ok for s, ok, _ in points if s >= repeated]
    pos = sum(h for _, _, h in points)
    linked = [ok for s, ok, _ in points if s >= similar]
    none = [s for s, _, h in points if not h]
    new = sum(s < similar for s in none)
    return (f"{name}: repeated P={sum(rep) / max(1, len(rep)):.2f} R={sum(rep) / pos:.2f} (n={len(rep)}) | "
            f"repeated+similar P={sum(linked) / max(1, len(linked)):.2f} R={sum(linked) / pos:.2f} | "
            f"no-counterpart -> new {new}/{len(none)}")


def _pooled(data: dict[str, dict]) -> dict:
    """Both sets as one, their queries numbered apart."""
    return {"x": np.vstack([data[s]["x"] for s in SETS]), "y": np.concatenate([data[s]["y"] for s in SETS]),
            "g": np.concatenate([data[s]["g"] + k * 10_000 for k, s in enumerate(SETS)])}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--links", type=Path, default=ROOT.parent / "shared" / "dev" / "links")
    ap.add_argument("--write", action="store_true", help=f"write {MODEL_FILE.relative_to(ROOT)}")
    a = ap.parse_args()
    result: dict = {"fitted_on": "Kazakhstan 2014->2010 and Slovenia 2025->2014+2019 link sets (together)",
                    "regularisation": L2}
    for variant, semantic in (("semantic", True), ("lexical", False)):
        cols = [i for i, n in enumerate(NAMES) if semantic or n not in SEMANTIC_ONLY]
        data = {s: load(a.links, s, semantic) for s in SETS}
        for d in data.values():
            d["x"] = d["x"][:, cols]
        points: dict[str, list[tuple[float, bool, bool]]] = {}
        print(f"[{variant}] fit (ranker and calibration) on one set, tested on the other:")
        held: dict[str, np.ndarray] = {}
        cals: dict[str, tuple[float, float, float]] = {}
        for train, test in (("svn", "kaz"), ("kaz", "svn")):
            w, b = fit_clogit(data[train]["x"], data[train]["y"], data[train]["g"])
            cals[test] = fit_calibration(data[train], data[train]["x"] @ w + b)
            held[test] = u = data[test]["x"] @ w + b
            m = metrics(data[test], u)
            print(f"  fit {train} -> test {test}: " + " ".join(f"{k}={v:.3f}" for k, v in m.items()))
            result.setdefault("cross_fitted", {}).setdefault(variant, {})[test] = {k: round(v, 3) for k, v in m.items()}
        out_of_set = None
        if not semantic:  # calibrated on out-of-set utilities (module docstring, step 3)
            out_of_set = fit_calibration(_pooled(data), np.concatenate([held[s] for s in SETS]))
            cals = {s: out_of_set for s in SETS}
        for s in SETS:
            points[s] = tops(data[s], held[s], cals[s])
        repeated, similar = bands(points)
        print(f"  bands (out-of-set, pooled): repeated_at={repeated} similar_at={similar}")
        for s in SETS:
            print("  " + band_report(s, points[s], repeated, similar))
        pooled = _pooled(data)
        w, b = fit_clogit(pooled["x"], pooled["y"], pooled["g"])
        cal = out_of_set or fit_calibration(pooled, pooled["x"] @ w + b)
        result[variant] = {"features": [NAMES[i] for i in cols], "weights": [round(float(v), 6) for v in w],
                           "bias": round(b, 6), "calibration": [round(v, 6) for v in cal],
                           "bands": {"repeated_at": repeated, "similar_at": similar}}
    if a.write:
        MODEL_FILE.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
