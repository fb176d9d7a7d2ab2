"""A match split over two processes answers exactly as one process does."""

from __future__ import annotations

import os

import pytest

from xl_upr import jobs, workers
from xl_upr.index import build_index

pytestmark = pytest.mark.skipif(not workers.available(), reason="no fork-based split on this platform")


def _answers(result):
    return [[(m.id, m.score, m.status, m.features, m.margin, reason) for m, reason in hits] for hits in result]


@pytest.mark.parametrize("semantic", [False, True])
def test_a_split_match_answers_as_one_process(kaz2014, monkeypatch, semantic):
    texts = [r.text for r in kaz2014[:70]] + ["", "Ratify the CRPD"]
    one = jobs.match_explained(texts, build_index(kaz2014[70:]), semantic=semantic, cache=False, batch=16)
    monkeypatch.setattr(jobs, "SPLIT_QUERIES_FRESH", 10)
    monkeypatch.setattr(jobs, "SPLIT_QUERIES", 100)
    calls = []
    real = workers.in_two
    monkeypatch.setattr(workers, "in_two", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    index = build_index(kaz2014[70:])
    two = jobs.match_explained(texts, index, semantic=semantic, cache=True, batch=16)  # cache: a test folder
    assert calls == [36]  # a fresh index: split in half (answers do not depend on the batch)
    assert _answers(two) == _answers(one)
    # the child's candidate profiles came back (for the index file): every hit's record is profiled
    assert {m.key for hits in two for m, _ in hits} <= index.profiled
    again = jobs.match_explained(texts, index, semantic=semantic, cache=False, batch=16)
    assert calls == [36]  # profiled now, and fewer than SPLIT_QUERIES: one process
    assert _answers(again) == _answers(one)


def test_a_child_that_fails_has_its_part_redone_here():
    parent = os.getpid()

    def run(part):
        return [(x * 2, os.getpid()) for x in part]

    def encode(result):
        raise RuntimeError("the child fails")

    first, second = workers.in_two(list(range(10)), 4, run, encode, lambda data: data)
    assert [v for v, _ in first + second] == [x * 2 for x in range(10)]
    assert {pid for _, pid in first + second} == {parent}


def test_the_child_computes_the_second_part():
    first, second = workers.in_two(list(range(10)), 4, lambda part: [(x, os.getpid()) for x in part],
                                   lambda r: r, lambda data: data)
    assert [x for x, _ in first] == [0, 1, 2, 3] and [x for x, _ in second] == list(range(4, 10))
    assert {pid for _, pid in first} == {os.getpid()} and {pid for _, pid in second} != {os.getpid()}


def test_the_split_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("XL_UPR_WORKERS", "1")
    assert not workers.available()


def test_terms_in_two_processes_are_the_terms_and_words_of_one(kaz2014, monkeypatch):
    """An index's texts normalised in two processes: the same arrays, and `SURFACE` (the readable
    word of each stem, which explanations show) gets the words one process would give it."""
    from xl_upr import normalise

    texts = [r.text for r in kaz2014] * 2 + ["Accede to the Convention against Torture (Chile)"]
    saved = dict(normalise.SURFACE)
    try:
        normalise.SURFACE.clear()
        one = normalise.terms_many(texts)
        words_one = dict(normalise.SURFACE)
        normalise.SURFACE.clear()
        monkeypatch.setattr(normalise, "SPLIT_TEXTS", 10)
        calls = []
        real = workers.in_two
        monkeypatch.setattr(workers, "in_two", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
        two = normalise.terms_in_two(texts)
        words_two = dict(normalise.SURFACE)
    finally:
        normalise.SURFACE.clear()
        normalise.SURFACE.update(saved)
    assert calls == [len(texts) // 2]
    assert two[0] == one[0] and two[1].tolist() == one[1].tolist() and two[2].tolist() == one[2].tolist()
    assert words_two == words_one and len(words_one) > 300


@pytest.mark.parametrize("mode", [["--no-semantic"], []])
def test_xl_upr_match_split_over_two_processes_writes_the_same_file(kaz2014, tmp_path, mode):
    """The whole command, as users run it: 240 queries against an index built in the run
    (`--no-cache`: it splits from `SPLIT_QUERIES_FRESH`) give the bytes one process gives."""
    import csv
    import subprocess
    import sys

    q, c = tmp_path / "q.csv", tmp_path / "c.csv"
    with q.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "text"])
        w.writerows([f"q{n}", r.text] for n, r in enumerate((list(kaz2014) * 2)[:240]))
    with c.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "text"])
        w.writerows([r.id, r.text] for r in kaz2014[::2])
    assert jobs.SPLIT_QUERIES_FRESH <= 240 < jobs.SPLIT_QUERIES
    cmd = [sys.executable, "-m", "xl_upr", "match", str(q), str(c), "--top", "5", "--no-cache", *mode]
    env = {k: v for k, v in os.environ.items() if k != "XL_UPR_WORKERS"}
    two = subprocess.run(cmd, capture_output=True, env=env, check=True)
    one = subprocess.run(cmd, capture_output=True, env={**env, "XL_UPR_WORKERS": "1"}, check=True)
    assert two.stdout == one.stdout and two.stdout.count(b"\n") > 1000
    assert two.stderr == one.stderr == b""


def test_a_split_job_renders_each_half_where_it_was_matched(kaz2014, monkeypatch):
    """`match_rendered`: two values for a split job, the second made in the child, together
    what one process renders of all queries."""
    texts = [r.text for r in kaz2014[:40]]

    def render(first, answers):
        return [(first + k, m.id, m.score, reason, os.getpid()) for k, hits in enumerate(answers) for m, reason in hits]

    one = jobs.match_rendered(texts, build_index(kaz2014[40:]), render, semantic=False, cache=False, batch=8)
    monkeypatch.setattr(jobs, "SPLIT_QUERIES_FRESH", 10)
    two = jobs.match_rendered(texts, build_index(kaz2014[40:]), render, semantic=False, cache=False, batch=8)
    assert len(one) == 1 and len(two) == 2
    assert [row[:4] for part in two for row in part] == [row[:4] for row in one[0]]
    assert {row[0] for row in two[1]} == set(range(20, 40))  # positions of the second half
    assert {row[4] for row in two[0]} == {os.getpid()} and {row[4] for row in two[1]} != {os.getpid()}
