from __future__ import annotations

import glob
import re
import time
from collections import Counter

import pytest
from conftest import COMPILATION_2010, FIXTURES, KAZ_2014, SHARED, shared_file

from xl_upr.errors import DocumentError
from xl_upr.importers import read_document
from xl_upr.importers.upr_responses import apply_responses

NOISE = re.compile(r"\bGE\.\d{2}-\d{3,}|A/HRC/\d+/\d+\s+\d{1,3}\b|have not been edited|\s\*\*|\x0c")


def test_kazakhstan_2014_report_gives_194_recommendations(kaz2014):
    assert len(kaz2014) == 194
    paras = [r.paragraph for r in kaz2014]
    assert paras[0] == "124.1" and paras[-1] == "126.51" and len(set(paras)) == 194
    counts = Counter((r.paragraph.split(".")[0], r.response) for r in kaz2014)
    assert counts == {("124", "supported"): 47, ("125", "supported"): 96, ("126", "noted"): 51}
    by = {r.paragraph: r for r in kaz2014}
    assert by["124.6"].states == ("Canada",)
    assert by["125.8"].states == ("Hungary", "Spain")
    assert by["126.16"].states == ("Latvia",)
    assert by["124.6"].id == "A/HRC/28/10 124.6"
    assert by["124.1"].cycle == "2" and by["124.1"].year == "2014"


def test_footnote_inside_the_list_is_not_a_recommendation(kaz2014):
    texts = " ".join(r.text for r in kaz2014)
    assert "as read during the interactive dialogue" not in texts


def test_no_page_furniture_in_imported_text(kaz2014):
    for r in kaz2014:
        assert not NOISE.search(r.text), (r.id, r.text)
        assert "\n" not in r.text


def test_compilation_2010_attributes_findings_to_bodies():
    rows = read_document(COMPILATION_2010).records
    bodies = Counter(b for r in rows for b in r.mechanism.split("; "))
    for body in ("CAT", "CEDAW", "CRC", "CERD", "OHCHR", "special procedure"):
        assert bodies[body] > 0, body
    para2 = next(r for r in rows if r.paragraph == "2")
    assert para2.mechanism == "CEDAW" and "definition of discrimination" in para2.text
    for r in rows:
        assert not re.search(r"[a-z]\d{1,3}\b|\.\d{1,3}\s", r.text), (r.id, r.text)


def test_unrecognised_document_is_a_clear_error():
    with pytest.raises(DocumentError, match="not recognised"):
        read_document(FIXTURES / "canada_2019_statement.txt")
    with pytest.raises(DocumentError, match="not found"):
        read_document(FIXTURES / "missing.txt")


def test_kazakhstan_2010_report_gives_128_with_states():
    rows = read_document(shared_file("corpus", "KAZ_UPR1_2010_A-HRC-14-10_fulltext.txt")).records
    assert len(rows) == 128
    assert Counter(r.paragraph.split(".")[0] for r in rows) == {"95": 102, "97": 26}
    assert {r.response for r in rows if r.paragraph.startswith("95.")} == {"supported"}
    assert {r.response for r in rows if r.paragraph.startswith("97.")} == {"pending"}
    by = {r.paragraph: r for r in rows}
    assert by["95.3"].states == ("Slovenia", "Republic of Korea")
    assert by["97.1"].states == ("Algeria",)
    assert "Disabilities" in by["95.1"].text  # "Disabilitie s" mended


def test_slovenia_cycle4_report_addendum_and_thematic_list_agree():
    report = read_document(shared_file("corpus", "SVN_UPR4_2025_A-HRC-59-15_WG_report.txt"))
    addendum = read_document(shared_file("corpus", "SVN_UPR4_2025_A-HRC-59-15-Add1_responses.txt"))
    thematic = read_document(shared_file("corpus", "SVN_UPR4_thematic_list_of_recommendations.txt"))
    assert (report.kind, addendum.kind, thematic.kind) == ("upr-report", "upr-responses", "ohchr-matrix")
    rows = apply_responses(report.records, addendum.records)
    positions = {r.paragraph: r.response for r in thematic.records}
    assert len(rows) == 254 and len(positions) == 254
    assert {r.paragraph: r.response for r in rows} == positions
    assert Counter(positions.values()) == {"supported": 217, "noted": 37}
    assert all(r.themes for r in thematic.records)


def test_china_matrices_have_positions_and_themes():
    rows = read_document(shared_file("corpus", "CHN_UPR2_2013_OHCHR_matrix_of_recommendations.txt")).records
    assert len(rows) >= 250
    assert {r.response for r in rows} <= {"supported", "noted", "supported/noted"}
    first = next(r for r in rows if r.paragraph == "186.20")
    assert first.states == ("Estonia",) and first.response == "noted"
    assert "Acceptance of international norms" in first.themes


def test_every_shared_file_and_seed_imports_quickly_and_cleanly():
    if not SHARED.exists():
        pytest.skip("../shared not beside this checkout")
    tsv = re.compile(r"KAZ_UPR\d_\d{4}_A-HRC-\d+-\d+_recommendations")  # datasets, not documents
    files = [f for f in sorted(glob.glob(str(SHARED / "corpus" / "*.txt"))) if not tsv.search(f)]
    files += [str(KAZ_2014), str(COMPILATION_2010)]
    start = time.perf_counter()
    for f in files:
        doc = read_document(f)
        assert doc.records, f
        for r in doc.records:
            assert r.text.strip() and not NOISE.search(r.text), (f, r.id, r.text[:200])
    assert time.perf_counter() - start < 30  # generous; the benchmark tracks the real figure
