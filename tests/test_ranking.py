"""The semantic ranker: the shipped model, its caches, the fallback, and the link-set bars."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from conftest import shared_file

from xl_upr.index import build_index
from xl_upr.match import SemanticFallback, match_table, top_matches
from xl_upr.ranking import embed, vectors
from xl_upr.ranking.ask import clauses, strip_lead
from xl_upr.ranking.model import ranker
from xl_upr.settings import MatchSettings

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_model_reproduces_the_full_precision_reference():
    ref = json.loads((embed.MODEL_DIR / "reference.json").read_text(encoding="utf-8"))
    got = embed.embed(ref["sentences"])
    cos = (got * np.asarray(ref["embeddings"], dtype=np.float32)).sum(1)
    assert cos.min() >= 0.99, cos
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-3)


def test_a_text_gets_the_same_vector_alone_or_among_others():
    texts = ["Ratify the CRPD (Hungary)", "Abolish the death penalty", "Ensure the independence of the judiciary "
             "and the right to a fair trial for everyone, including persons in pre-trial detention"]
    together = embed.embed(texts)
    assert all((embed.embed([t])[0] == together[i]).all() for i, t in enumerate(texts))


def test_lead_ins_and_clauses():
    assert strip_lead("Take all necessary measures to ensure the independence of the judiciary") == \
        "ensure the independence of the judiciary"
    assert strip_lead("Consider ratifying the CRPD") == "ratifying the CRPD"
    parts = clauses("Adopt a law on torture; establish a national preventive mechanism (Denmark)")
    assert parts == ["Adopt a law on torture", "establish a national preventive mechanism"]


def _fresh_caches(monkeypatch, tmp_path):
    monkeypatch.setenv("XL_UPR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(vectors, "_MEMORY", vectors.OrderedDict())


def test_cached_and_uncached_runs_rank_alike(kaz2014, monkeypatch, tmp_path):
    _fresh_caches(monkeypatch, tmp_path)
    queries = [r.text for r in kaz2014[:40]]
    first = match_table(queries, build_index(kaz2014[40:]), limit=3)
    assert list((tmp_path / "cache").glob("embeddings-*.sqlite"))
    monkeypatch.setattr(vectors, "_MEMORY", vectors.OrderedDict())
    second = match_table(queries, build_index(kaz2014[40:]), limit=3)
    assert [[(m.id, m.score) for m in h] for h in first] == [[(m.id, m.score) for m in h] for h in second]


def test_a_damaged_cache_file_is_set_aside_and_rebuilt(kaz2014, monkeypatch, tmp_path):
    _fresh_caches(monkeypatch, tmp_path)
    folder = tmp_path / "cache"
    folder.mkdir()
    bad = vectors._DiskCache(folder).path
    bad.write_bytes(b"this is not a database" * 100)
    hits = top_matches("Ratify the CRPD", build_index(kaz2014), limit=1)
    assert hits and "CRPD" in hits[0].record.text
    assert bad.with_suffix(".bad").exists()
    import sqlite3

    assert sqlite3.connect(bad).execute("SELECT count(*) FROM v").fetchone()[0] > 100


def test_a_damaged_model_falls_back_to_the_lexical_ranker_with_one_warning(kaz2014, monkeypatch, tmp_path):
    _fresh_caches(monkeypatch, tmp_path)
    broken = tmp_path / "model"
    shutil.copytree(embed.MODEL_DIR, broken)
    (broken / embed.ONNX_FILE).write_bytes(b"not a model")
    monkeypatch.setattr(embed, "MODEL_DIR", broken)
    embed._session.cache_clear()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            hits = top_matches("Ratify the Convention on the Rights of Persons with Disabilities", build_index(kaz2014))
        assert hits and hits[0].ranker == "lexical" and "CRPD" in hits[0].record.text
        assert [w.category for w in caught] == [SemanticFallback]
        assert "sha256" in str(caught[0].message)
    finally:
        embed._session.cache_clear()


def test_cli_no_semantic_and_one_line_warning(tmp_path):
    out = subprocess.run([sys.executable, "-m", "xl_upr", "match", str(ROOT / "examples" / "canada_2019.csv"),
                          str(ROOT / "examples" / "canada_2019.csv"), "--top", "1", "--no-semantic"],
                         capture_output=True, text=True, encoding="utf-8")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "query_id,rank,corpus_id,score,status,why"
    assert all(line.split(",")[4] in {"repeated", "similar", "new"} for line in lines[1:])


def test_semantic_setting_is_a_yes_no_value():
    assert MatchSettings.from_mapping({"semantic": "no"}).semantic is False
    assert MatchSettings.from_mapping({"semantic": 1}).semantic is True
    with pytest.raises(Exception, match="semantic must be yes or no"):
        MatchSettings.from_mapping({"semantic": "maybe"})


def test_default_bands_are_the_fitted_ones():
    fitted = json.loads((ROOT / "xl_upr" / "ranking" / "ranker.json").read_text())["semantic"]["bands"]
    s = MatchSettings()
    assert (s.repeated_at, s.similar_at) == (fitted["repeated_at"], fitted["similar_at"])
    assert ranker(True).name == "semantic" and len(ranker(False).columns) < len(ranker(True).columns)


def test_link_sets_fit_on_one_tested_on_the_other():
    """The README's figures: the ranker fitted on one labelled set, tested on the other."""
    links = shared_file("dev", "links")
    sys.path.insert(0, str(ROOT / "scripts"))
    import train_ranker as tr

    data = {s: tr.load(links, s, True) for s in tr.SETS}
    points = {}
    for train, test in (("svn", "kaz"), ("kaz", "svn")):
        w, b = tr.fit_clogit(data[train]["x"], data[train]["y"], data[train]["g"])
        cal = tr.fit_calibration(data[train], data[train]["x"] @ w + b)
        u = data[test]["x"] @ w + b
        assert tr.metrics(data[test], u)["hit@1"] >= 0.84, test
        points[test] = tr.tops(data[test], u, cal)
    s = MatchSettings()
    for name, pts in points.items():
        called = [ok for score, ok, _ in pts if score >= s.repeated_at]
        assert sum(called) / len(called) >= 0.88, name
        none = [score for score, _, has in pts if not has]
        assert sum(score < s.similar_at for score in none) >= len(none) / 2, name


def test_treaty_body_findings_link_to_the_recommendations(kaz2014_index):
    """Findings of the 2010 compilation (pairs.csv) find their 2014 recommendations."""
    import csv

    rows = [r for r in csv.DictReader(shared_file("dev", "pairs.csv").open(encoding="utf-8"))
            if r["relevant_ids"].strip() and r["query_id"].startswith("COMP")]
    hits = match_table([r["query_text"] for r in rows], kaz2014_index, limit=1)
    right = sum(bool(h) and h[0].record.paragraph in r["relevant_ids"].split() for r, h in zip(rows, hits))
    assert right / len(rows) >= 0.8


def test_persisted_index_ranks_the_link_set_identically(monkeypatch, tmp_path):
    """Issue 9's parity: a run from the cached corpus index ranks exactly as a fresh build."""
    from xl_upr.index_store import load_index, save_index
    from xl_upr.records import Record

    links = shared_file("dev", "links")
    corpus = [Record(c["id"], c["text"]) for c in json.loads((links / "kaz-2010-corpus.json").read_text())]
    queries = [q["text"] for q in json.loads((links / "kaz-2014-queries.json").read_text())]
    _fresh_caches(monkeypatch, tmp_path)
    fresh = match_table(queries, build_index(corpus), limit=5)
    first = load_index(corpus)
    assert match_table(queries, first, limit=5) == fresh
    save_index(first)
    assert list((tmp_path / "cache").glob("index-*.pickle"))
    monkeypatch.setattr(vectors, "_MEMORY", vectors.OrderedDict())
    again = load_index(corpus)
    assert again._vectors is not None and again._profiles
    # the per-record parts are read back whole: every profiled row's sets and stem string
    profiled = sorted(again._profiles)
    assert again._record_sets is not None and again._record_sets.have[profiled].all()
    assert set(profiled) <= set(again._stem_strings) and again._by_feature is not None
    rows = [[(m.id, m.score, m.status) for m in h] for h in match_table(queries, again, limit=5)]
    assert rows == [[(m.id, m.score, m.status) for m in h] for h in fresh]
    (next((tmp_path / "cache").glob("index-*.pickle"))).write_bytes(b"garbage")
    assert match_table(queries[:5], load_index(corpus), limit=5) == fresh[:5]


def test_saved_record_sets_that_do_not_fit_are_made_again(kaz2014, monkeypatch, tmp_path):
    """A saved index whose per-record parts are damaged (another row count, codes out of
    range) is read without them; they are made again and the ranking is the fresh one."""
    import pickle

    from xl_upr.index_store import load_index, save_index

    _fresh_caches(monkeypatch, tmp_path)
    corpus, queries = kaz2014[30:], [r.text for r in kaz2014[:30]]
    fresh = match_table(queries, build_index(corpus), limit=3, semantic=False)
    first = load_index(corpus)
    match_table(queries, first, limit=3, semantic=False)
    save_index(first)
    path = next((tmp_path / "cache").glob("index-*.pickle"))
    state = pickle.loads(path.read_bytes())
    sets = state["record_sets"]
    assert sets.valid(len(corpus))
    sets.clauses.stems[:] = len(sets.codes["stem"].of) + 7  # a code no stem has
    state["stem_strings"] = {len(corpus) + 1: "x"}
    by = state["by_feature"]
    state["by_feature"] = type(by)(by.indptr, by.indices[:-1], by.data[:-1], by.shape)  # an entry short
    path.write_bytes(pickle.dumps(state))
    again = load_index(corpus)
    assert again._profiles and again._record_sets is None and not again._stem_strings
    assert again._by_feature is None
    assert match_table(queries, again, limit=3, semantic=False) == fresh


def test_an_index_saved_run_after_run_ranks_as_a_fresh_one(kaz2014, monkeypatch, tmp_path):
    """Each run against the saved index profiles the new candidates, adds their sets to the
    saved ones and saves again; every run ranks as on a fresh index."""
    from xl_upr.index_store import load_index, save_index

    _fresh_caches(monkeypatch, tmp_path)
    corpus, queries = kaz2014[40:], [r.text for r in kaz2014[:40]]
    fresh = match_table(queries, build_index(corpus), limit=3, semantic=False)
    seen = 0
    for part in (slice(0, 5), slice(5, 25), slice(0, 40)):
        index = load_index(corpus)
        assert len(index._profiles) == seen
        assert match_table(queries[part], index, limit=3, semantic=False) == fresh[part]
        save_index(index)
        seen = len(index._profiles)
        assert index._record_sets.have[sorted(index._profiles)].all()
    assert seen > 0
