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


# A constructed excerpt in the layout of treaty-body concluding observations as published on
# UN web pages (no space after paragraph numbers); no real CO text is among the shared files.
CO_EXCERPT = """CCPR/C/XYZ/CO/2
Human Rights Committee
Concluding observations on the second periodic report of a State party
1.The Committee considered the second periodic report at its meetings held in 2016.
B.Positive aspects
3.The Committee welcomes the following measures taken by the State party:
(a)The expansion of restraint measures not involving deprivation of liberty;
(b)The establishment of juvenile courts.
C.Principal matters of concern and recommendations
Torture and ill-treatment
10.The State party should:
(a)Ensure that torture is defined in line with article 1 of the Convention;
(b)Establish an independent mechanism to investigate all allegations of torture;
(c)Ensure that confessions obtained under torture are never admitted as evidence.
11.The Committee is concerned about reports of restrictions on peaceful assembly.
12.The State party should bring its law on peaceful assembly into line with article 21 of the Covenant.
D.Dissemination and follow-up
13.In accordance with rule 75 of the Committee's rules of procedure, the State party is requested to provide,
within two years, information on the implementation of the recommendations made by the Committee in
paragraphs 10 and 12 above.
"""


def test_concluding_observations_keep_subparagraphs_and_follow_up(tmp_path):
    path = tmp_path / "co.txt"
    path.write_text(CO_EXCERPT, encoding="utf-8")
    doc = read_document(path)
    assert doc.kind == "concluding-observations"
    by = {r.paragraph: r for r in doc.records}
    assert set(by) == {"10(a)", "10(b)", "10(c)", "12"}
    assert by["10(b)"].id == "CCPR/C/XYZ/CO/2 para 10(b)"
    assert by["10(b)"].text.startswith("The State party should: Establish an independent mechanism")
    assert by["10(b)"].mechanism == "CCPR" and by["10(b)"].year == "2016"
    assert by["10(a)"].follow_up and by["12"].follow_up


def test_pdf_of_the_seed_report_gives_the_same_rows(tmp_path, kaz2014):
    import shutil
    import subprocess

    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is needed to make a PDF")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    # Lay the report's lines out one per row and let LibreOffice Calc print them to PDF.
    wb = Workbook()
    ws = wb.active
    for line in KAZ_2014.read_text(encoding="utf-8").splitlines():
        ws.append([line.strip() or None])
        ws.cell(row=ws.max_row, column=1).font = Font(size=8)
    ws.column_dimensions["A"].width = 160
    ws.oddHeader.center.text = ws.oddFooter.center.text = ""
    source = tmp_path / "report.xlsx"
    wb.save(source)
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/u",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)], check=True, capture_output=True,
                   timeout=180)
    doc = read_document(tmp_path / "report.pdf")
    assert doc.kind == "upr-report"
    assert [r.paragraph for r in doc.records] == [r.paragraph for r in kaz2014]
    assert [r.states for r in doc.records] == [r.states for r in kaz2014]
    same = sum(a.text == b.text for a, b in zip(doc.records, kaz2014))
    assert same >= 190, same


def test_unreadable_pdf_is_a_clear_error(tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not really a pdf")
    with pytest.raises(DocumentError, match="broken.pdf"):
        read_document(bad)


def test_slovenia_cycle1_addendum_in_prose_gives_every_position():
    report = read_document(shared_file("corpus", "SVN_UPR1_2010_A-HRC-14-15_WG_report.txt")).records
    addendum = read_document(shared_file("corpus", "SVN_UPR1_2010_A-HRC-14-15-Add1_responses.txt")).records
    assert sorted(int(r.paragraph) for r in addendum) == list(range(1, 98))
    rows = apply_responses(report, addendum)
    assert len(rows) == 97 and {r.response for r in rows} == {"supported", "noted"}
    by = {r.paragraph: r.response for r in rows}
    assert by["111.1"] == "noted"  # "cannot, at this point in time, make a definitive statement"
    assert by["111.84"] == "noted" and by["111.83"] == "supported"  # a number list wrapped onto two lines
