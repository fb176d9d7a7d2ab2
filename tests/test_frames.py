"""xl_upr.match_frame: DataFrames (or Records) in, one DataFrame row per match out."""

from __future__ import annotations

import sys

import pandas as pd
import pytest

import xl_upr
from xl_upr.errors import InputError
from xl_upr.frames import COLUMNS


def test_match_frame_from_dataframes(kaz2014):
    new = pd.DataFrame([{"id": r.id, "text": r.text, "response": r.response} for r in kaz2014[:30]])
    prior = pd.DataFrame([{"id": r.id, "text": r.text} for r in kaz2014[30:]])
    frame = xl_upr.match_frame(new, prior, top=3)
    assert list(frame.columns) == COLUMNS
    assert list(dict.fromkeys(frame["new_id"])) == list(new["id"])  # every new row, in order
    ranked = frame.dropna(subset=["prior_id"])
    assert ranked.groupby("new_id")["rank"].max().max() <= 3
    assert (ranked.groupby("new_id")["score"].apply(lambda s: s.is_monotonic_decreasing)).all()
    assert set(ranked["prior_id"]) <= set(prior["id"])
    texts = dict(zip(prior["id"], prior["text"]))
    assert all(texts[p] == t for p, t in zip(ranked["prior_id"], ranked["prior_text"]))


def test_match_frame_from_records_and_a_new_text_without_match(kaz2014):
    from xl_upr.records import Record

    new = [Record("x", "Establish a registry of coal mine inspections"), kaz2014[5]]
    frame = xl_upr.match_frame(new, kaz2014[:5] + kaz2014[6:], score_cutoff=99.9)
    lonely = frame[frame["new_id"] == "x"]
    assert len(lonely) == 1 and lonely["prior_id"].isna().all() and lonely["status"].tolist() == ["new"]


def test_match_frame_names_a_bad_dataframe():
    with pytest.raises(InputError, match="new DataFrame: no 'text' column"):
        xl_upr.match_frame(pd.DataFrame({"id": ["a"], "body": ["b"]}), pd.DataFrame({"id": ["p"], "text": ["q"]}))


def test_importing_xl_upr_does_not_import_pandas():
    import subprocess

    code = "import sys, xl_upr; assert 'pandas' not in sys.modules; xl_upr.match_frame; print('ok')"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "ok"
