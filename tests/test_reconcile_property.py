"""Random user edits interleaved with reconciliations never lose a value a person typed."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from xl_upr.reconcile import OWNED
from xl_upr.workbook import NEW, create_workbook, reconcile_file

WORDS = st.text(alphabet="abcdefghij =+-@", min_size=1, max_size=12)
EDIT = st.one_of(
    st.tuples(st.just("type"), st.integers(0, 40), st.integers(1, 25), WORDS),
    st.tuples(st.just("insert_row"), st.integers(2, 12)),
    st.tuples(st.just("insert_col"), st.integers(2, 20)),
    st.tuples(st.just("decide"), st.integers(0, 9), st.sampled_from(["Confirm", "Reject", "wrong id", ""])),
    st.tuples(st.just("reconcile")),
)


def _headers(ws):
    return {c.value: c.column for c in ws[1] if c.value}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(EDIT, min_size=1, max_size=8))
def test_no_user_value_is_ever_lost(tmp_path_factory, edits):
    from conftest import KAZ_2014

    from xl_upr.importers import read_document

    recs = read_document(KAZ_2014).records
    path = create_workbook(tmp_path_factory.mktemp("p") / "p.xlsx", new=recs[:10], prior=recs[100:150])
    reconcile_file(path, backup=False)
    expected: dict[tuple[str, str], str] = {}  # (row ID, header) -> what the person typed
    for edit in edits + [("reconcile",)]:
        if edit[0] == "reconcile":
            reconcile_file(path, backup=False)
            continue
        wb = load_workbook(path)
        ws = wb[NEW]
        h = _headers(ws)
        ids = [ws.cell(row=r, column=h["ID"]).value for r in range(2, ws.max_row + 1)]
        rows = [r for r, i in zip(range(2, ws.max_row + 1), ids) if i]
        if edit[0] == "type":
            _, k, col, value = edit
            row = rows[k % len(rows)]
            header = ws.cell(row=1, column=col).value
            if header in OWNED or header in (None, "ID", "Recommendation", "Reviewer decision"):
                continue  # owned cells are ours; ID/text changes change the row's identity
            ws.cell(row=row, column=col).value = value
            expected[(ws.cell(row=row, column=h["ID"]).value, header)] = value
        elif edit[0] == "insert_row":
            ws.insert_rows(edit[1])
        elif edit[0] == "insert_col":
            col = edit[1]
            ws.insert_cols(col)
            ws.cell(row=1, column=col, value=f"Extra {col}.{len(h)}")  # unique: the check finds cells by header
        elif edit[0] == "decide":
            _, k, decision = edit
            row = rows[k % len(rows)]
            ws.cell(row=row, column=h["Reviewer decision"]).value = decision or None  # clears too
            expected[(ws.cell(row=row, column=h["ID"]).value, "Reviewer decision")] = decision or None
        wb.save(path)
    ws = load_workbook(path)[NEW]
    h = _headers(ws)
    found = {}
    for r in range(2, ws.max_row + 1):
        rid = ws.cell(row=r, column=h["ID"]).value
        for header, c in h.items():
            found[(rid, header)] = ws.cell(row=r, column=c).value
    for key, value in expected.items():
        assert found.get(key) == value, key
