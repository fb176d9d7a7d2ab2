"""Excel functions through xlwings' Office.js protocol, one argument varied at a time, any shape:
always a rectangular value or a readable `#xl-upr:` cell — never a stack, never a hang."""

from __future__ import annotations

import asyncio

import pytest
import xlwings as xw
from hypothesis import given, settings
from hypothesis import strategies as st
from xlwings.server import custom_functions_call

from xl_upr import udfs

PRIOR_TEXTS = [["Ratify the Convention on the Rights of Persons with Disabilities (Spain)"],
               ["Abolish capital punishment (France)"], ["Guarantee freedom of expression of journalists (Chile)"]]
PRIOR_IDS = [["P1"], ["P2"], ["P3"]]
GOOD = {
    "upr_match": [[["Ratify CRPD"]], PRIOR_TEXTS, PRIOR_IDS, None, None],
    "upr_topn": [[["Ratify CRPD"]], PRIOR_TEXTS, PRIOR_IDS, [[2]]],
    "upr_score": [[["Ratify CRPD"]], [["Ratify the CRPD"]]],
    "upr_why": [[["Ratify CRPD"]], [["Ratify the CRPD"]]],
    "upr_clean": [[["Ratify CRPD (Spain)"]]],
    "upr_states": [[["Ratify CRPD (Spain)"]]],
}


def call(func_name, *args):
    data = {"func_name": func_name, "args": list(args), "version": xw.__version__, "client": "Office.js",
            "runtime": "1.4"}
    return asyncio.run(custom_functions_call(data, udfs))


CELL = st.one_of(
    st.none(), st.just(""), st.text(max_size=20), st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-10**20, 10**20), st.booleans(),
    st.builds(lambda e: {"type": "Error", "basicValue": e, "errorType": "NotAvailable"},
              st.sampled_from(["#N/A", "#VALUE!", "#REF!", "#DIV/0!"])),
    st.builds(lambda t: {"type": "String", "basicValue": t}, st.text(max_size=10)),
)
SHAPE = st.tuples(st.integers(1, 6), st.integers(1, 3))
RANGE = SHAPE.flatmap(lambda s: st.lists(st.lists(CELL, min_size=s[1], max_size=s[1]), min_size=s[0], max_size=s[0]))
ARGUMENT = st.one_of(st.none(), CELL, RANGE)


def _texts(arg):
    """Every string a cell argument holds (nested ranges, Office.js value objects)."""
    if isinstance(arg, str):
        yield arg
    elif isinstance(arg, list):
        for item in arg:
            yield from _texts(item)
    elif isinstance(arg, dict):
        yield from _texts(arg.get("basicValue"))


def assert_a_value(out, args=()):
    """A rectangle of plain values; a '#…' text is our readable message, or the user's own text
    given back (UPR_CLEAN of "#MeToo …"), never another error."""
    typed = list(_texts(list(args)))
    assert isinstance(out, list) and out and all(isinstance(r, list) for r in out), out
    assert len({len(r) for r in out}) == 1, out  # a rectangle Excel can spill
    for row in out:
        for value in row:
            assert value is None or isinstance(value, (str, int, float)), value
            if isinstance(value, str):
                assert "Traceback" not in value, value
                if value.startswith("#") and not value.startswith("#xl-upr: "):
                    assert any(value in t for t in typed), value


@settings(max_examples=80, deadline=None)
@given(func=st.sampled_from(sorted(GOOD)), position=st.integers(0, 4), value=ARGUMENT)
def test_any_argument_shape_gives_a_value_or_a_readable_cell(func, position, value):
    args = list(GOOD[func])
    args[position % len(args)] = value
    assert_a_value(call(func, *args), args)


def test_a_whole_column_reference_answers_for_its_used_rows():
    column = [["Ratify CRPD"], ["Abolish the death penalty"]] + [[""]] * (1_048_576 - 2)
    out = call("upr_match", column, PRIOR_TEXTS, PRIOR_IDS, None, None)
    assert len(out) == 2 and out[0][0] == "P1" and out[1][0] == "P2"
    assert call("upr_clean", column) == [["Ratify CRPD"], ["Abolish the death penalty"]]


@pytest.mark.parametrize("func, args, limit", [
    ("upr_match", ([["Ratify CRPD"]] * 20_001, PRIOR_TEXTS, PRIOR_IDS, None, None), "20,000"),
    ("upr_score", ([["a"]] * 2_001, [["b"]] * 2_001), "2,000"),
    ("upr_states", ([["a (Spain)"]] * 20_001,), "20,000"),
])
def test_too_many_rows_answer_with_the_limit(func, args, limit):
    out = call(func, *args)
    assert len(out) == 1 and out[0][0].startswith("#xl-upr: ") and f"at most {limit}" in out[0][0]


@pytest.mark.parametrize("func, args, expected", [
    ("upr_topn", ([["a"], ["b"]], PRIOR_TEXTS, PRIOR_IDS, None), "text must be one cell"),
    ("upr_topn", ([["Ratify CRPD"]], PRIOR_TEXTS, PRIOR_IDS, [[float("inf")]]), "n must be from 1 to 100"),
    ("upr_topn", ([["Ratify CRPD"]], PRIOR_TEXTS, PRIOR_IDS, [[2.5]]), "a whole number"),
    ("upr_match", ([["x"]], PRIOR_TEXTS, PRIOR_IDS, {"type": "Error", "basicValue": "#N/A"}, None),
     "min_score holds an Excel error (#N/A)"),
    ("upr_match", ([["x"]], PRIOR_TEXTS, PRIOR_IDS, [[1e308 * 10]], None), "similar_at must be a number from 0"),
])
def test_argument_mistakes_name_the_argument(func, args, expected):
    out = call(func, *args)
    assert len(out) == 1 and out[0][0].startswith("#xl-upr: ") and expected in out[0][0], out


def test_error_cells_in_ranges_count_as_empty():
    na = {"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}
    out = call("upr_match", [["Ratify CRPD"], [na]], PRIOR_TEXTS + [[na]], PRIOR_IDS + [["P4"]], None, None)
    assert out[0][0] == "P1" and out[1] == ["", "", ""]


def test_a_text_starting_with_a_hash_is_given_back_as_text():
    typed = [["#"], ["#MeToo: protect women who report harassment (Iceland)"]]
    out = call("upr_clean", typed)
    assert out == [["#"], ["#MeToo: protect women who report harassment"]]
    assert_a_value(out, [typed])
    with pytest.raises(AssertionError):
        assert_a_value([["#VALUE!"]], [[["Ratify CRPD"]]])
