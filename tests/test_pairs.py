"""The vectorised pair stage gives what the one-pair formulas give, bit for bit."""

from __future__ import annotations

import math

import numpy as np
import pytest
from rapidfuzz import fuzz

from xl_upr.csr import accumulate
from xl_upr.index import build_index
from xl_upr.match import _cosines, _prepare_many, _query_vectors, blend, candidate_table
from xl_upr.normalise import treaty_factor
from xl_upr.ranking import pairs
from xl_upr.ranking.features import pair_features
from xl_upr.ranking.profile import profiles

QUERIES = ["Ratify CRPD (Hungary)", "Abolish the death penalty and ratify the Second Optional Protocol to the ICCPR",
           "Ensure freedom of expression; protect journalists and human rights defenders from harassment (Norway)",
           "Combat violence against women, including domestic violence, and criminalize marital rape (Chile)",
           "Continue efforts to combat trafficking in persons (Belarus)"]


def _top_reference(values: np.ndarray, k: int) -> list[set[int]]:
    """The k largest of each row (ties at the cut: smallest columns), -inf meaning none, by sorting."""
    out = []
    for row in values.tolist():
        ranked = sorted((-v, c) for c, v in enumerate(row) if v > -math.inf)
        out.append({c for _, c in ranked[:k]})
    return out


@pytest.mark.parametrize("k", [1, 3, 20, 200])
def test_top_pairs_picks_the_k_largest_with_ties_by_smallest_column(k):
    rng = np.random.default_rng(k)
    values = rng.integers(0, 6, size=(7, 300)).astype(np.float32) / 5  # many ties
    values[2, :] = -np.inf
    values[3, 5:] = -np.inf  # fewer values than k
    values[4] = 0.5
    r, c = pairs.top_pairs(values, k)
    got = [set(c[r == i].tolist()) for i in range(len(values))]
    assert got == _top_reference(values, k)


def test_py_round_is_pythons_round():
    x = np.concatenate([np.arange(0, 100, 0.005), np.array([0.125, 2.675, 1.005, 0.285, 12.345])])
    assert pairs.py_round(x, 2).tolist() == [round(v, 2) for v in x.tolist()]


@pytest.mark.parametrize("top", [1, 300, 1 << 16, (1 << 16) + 1, 3_000_000, 1 << 31])
def test_stable_order_is_a_stable_argsort(top):
    """The transpose's radix order equals numpy's stable sort, ties in input order, for keys of
    one, two and more 16-bit digits."""
    from xl_upr.csr import stable_order

    rng = np.random.default_rng(top)
    for n in (0, 1, 5_000):
        keys = rng.integers(0, top, n, dtype=np.int64)
        keys[: n // 3] = keys[n // 3: 2 * (n // 3)]  # many ties
        assert np.array_equal(stable_order(keys, top), np.argsort(keys, kind="stable"))


def test_the_query_product_adds_in_scipys_order(kaz2014):
    sparse = pytest.importorskip("scipy.sparse")
    index = build_index(kaz2014)
    m = index.matrix
    ref = sparse.csr_matrix((m.data, m.indices, m.indptr), shape=m.shape)
    t = m.transpose()
    ref_t = ref.T.tocsr()
    assert np.array_equal(t.indptr, ref_t.indptr) and np.array_equal(t.indices, ref_t.indices)
    assert np.array_equal(t.data, ref_t.data)
    rng = np.random.default_rng(0)
    rows = np.repeat(np.arange(6), 40)
    cols = np.sort(rng.choice(m.shape[1], size=(6, 40), replace=False), axis=1).reshape(-1)
    vals = rng.random(len(cols)).astype(np.float32)
    out = np.zeros((6, m.shape[0]), dtype=np.float32)
    accumulate(out, rows, cols, vals, t)
    qm = sparse.csr_matrix((vals, (rows, cols)), shape=(6, m.shape[1]))
    assert np.array_equal(out, (qm @ ref_t).toarray())


def test_a_records_stem_string_is_its_stems_sorted(kaz2014):
    from xl_upr.normalise import terms

    index = build_index(kaz2014)
    for row in range(0, len(kaz2014), 7):
        assert index.stem_strings([row])[0] == " ".join(sorted(set(terms(kaz2014[row].text)))), row


def test_pair_rows_equal_the_one_pair_formulas(kaz2014):
    index = build_index(kaz2014[:150])
    used, table = candidate_table(QUERIES, index, limit=5, semantic=False)
    assert not used
    prepared = [q for q in _prepare_many(QUERIES) if q is not None]
    cosines = _cosines(_query_vectors(prepared, index), 0, len(prepared), index)
    for i, (q, prof, (_p, rows, x)) in enumerate(zip(prepared, profiles(QUERIES), table)):
        assert len(rows) and rows.tolist() == sorted(set(rows.tolist()))
        lexical = []
        for r in rows.tolist():  # the one-pair lexical score (`match._lexical` before the vectorised stage)
            c = float(cosines[i, r]) if cosines[i, r] > -math.inf else 0.0
            ratio = fuzz.token_set_ratio(q.stem_string, index.stem_strings([r])[0])
            score = round(blend(c, ratio) * treaty_factor(q.treaties, index.records_treaties([r])[0]), 2) \
                if c > 0 else 0.0
            lexical.append(score / 100.0)
        assert x[:, 0].tolist() == lexical
        best = max(lexical)
        for r, row, lex in zip(rows.tolist(), x.tolist(), lexical):
            assert row == pair_features(prof, index.profiles([r])[0], lex, 0.0, best, 0.0), r


def test_blend_of_arrays_is_blend_of_floats():
    rng = np.random.default_rng(1)
    cos = rng.random(2000) * 1.2 - 0.1
    ratio = np.round(rng.random(2000) * 100, 3)
    assert pairs.blend(cos, ratio).tolist() == [blend(c, r) for c, r in zip(cos.tolist(), ratio.tolist())]


@pytest.mark.parametrize("semantic", [False, True])
def test_batches_in_worker_threads_rank_as_one_batch(kaz2014, semantic):
    """Stage 3a of many small batches runs in worker threads; the answers are those of one batch."""
    from xl_upr.match import match_table

    index = build_index(kaz2014[60:])
    texts = [r.text for r in kaz2014[:60]] + [""]
    one = match_table(texts, index, limit=5, semantic=semantic, cache=False, batch=len(texts))
    many = match_table(texts, index, limit=5, semantic=semantic, cache=False, batch=4)
    assert [[(m.id, m.score, m.status, m.features) for m in hits] for hits in many] == \
        [[(m.id, m.score, m.status, m.features) for m in hits] for hits in one]
    assert one[-1] == [] and all(one[:-1])


def test_margins_of_many_queries_at_once_are_each_querys_margins():
    from xl_upr.ranking.model import group_margins, margins

    rng = np.random.default_rng(3)
    sizes = [1, 2, 5, 30, 3, 1, 8]
    u = np.round(rng.normal(size=sum(sizes)), 1)  # rounded: ties for the best happen
    u[1:3] = 0.7  # a query whose two candidates tie
    starts = np.r_[0, np.cumsum(sizes)]
    want = np.concatenate([margins(u[a:b]) for a, b in zip(starts[:-1], starts[1:])])
    assert group_margins(u, starts).tolist() == want.tolist()


@pytest.mark.parametrize("k", [1, 4, 30])
def test_nearest_of_the_parts_are_the_nearest_of_all(k):
    """Embedding neighbours found block by block over the records, then merged, are those found
    over all records at once (ties: smallest record first)."""
    rng = np.random.default_rng(k)
    values = (rng.integers(0, 9, size=(6, 250)) / 8).astype(np.float32)  # many ties
    parts = []
    for start in range(0, 250, 64):
        q, r = pairs.top_pairs(values[:, start:start + 64], k)
        parts.append((q, r + start, values[q, r + start]))
    q, r, v = (np.concatenate(p) for p in zip(*parts))
    got = pairs.merge_top(q, r, v, k)
    want = pairs.top_pairs(values, k)
    assert got[0].tolist() == want[0].tolist() and got[1].tolist() == want[1].tolist()


def test_nearest_records_blockwise_over_a_large_corpus(monkeypatch):
    """`match._nearest` over float16 vectors in blocks (as for a corpus over `_BLOCK` records)
    gives the pairs of one product over all (values exact here, so any order of sums agrees)."""
    from xl_upr import match

    rng = np.random.default_rng(5)
    qv = (rng.integers(0, 3, size=(5, 16)) / 2).astype(np.float32)
    cvec = (rng.integers(0, 9, size=(300, 16)) / 8).astype(np.float16)
    want = pairs.top_pairs(qv @ cvec.astype(np.float32).T, 7)
    monkeypatch.setattr(match, "_BLOCK", 64)
    got = match._nearest(qv, cvec, 7)
    assert got[0].tolist() == want[0].tolist() and got[1].tolist() == want[1].tolist()


def test_top_pairs_can_take_zero_as_no_value():
    """The lexical block marks "no shared feature" by 0 (no -inf pass over it): such records are
    never candidates, as -inf ones are not."""
    values = np.array([[0.0, 0.3, 0.0, 0.3, 0.1], [0.0, 0.0, 0.0, 0.0, 0.0], [0.2, 0.0, 0.0, 0.0, 0.0]],
                      dtype=np.float32)
    r, c = pairs.top_pairs(values, 3, empty=0.0)
    assert list(zip(r.tolist(), c.tolist())) == [(0, 1), (0, 3), (0, 4), (2, 0)]
    marked = np.where(values == 0, np.float32(-np.inf), values)
    r2, c2 = pairs.top_pairs(marked, 3)
    assert r.tolist() == r2.tolist() and c.tolist() == c2.tolist()
