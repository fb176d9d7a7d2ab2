from __future__ import annotations

import csv
import io
import json
from contextlib import redirect_stderr, redirect_stdout

import pytest
from conftest import KAZ_2014

from xl_upr.cli import main
from xl_upr.errors import InputError
from xl_upr.records import load_records, write_records


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_load_records_errors_name_file_and_row(tmp_path):
    p = tmp_path / "q.csv"
    p.write_text("id,words\n1,x\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"q\.csv: no 'text' column"):
        load_records(p)
    p.write_text("id,text\n1,hello\n1,again\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"'1' appears twice \(rows 2 and 3\)"):
        load_records(p)
    p.write_text("id,text\n1,\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 2 .* empty text"):
        load_records(p)
    with pytest.raises(InputError, match="not found"):
        load_records(tmp_path / "none.csv")


def test_ragged_csv_rows_read_as_a_spreadsheet_shows_them(tmp_path):
    """Short rows have their missing cells empty, cells beyond the header are dropped, blank
    lines are skipped and a column of the user's own is kept."""
    p = tmp_path / "ragged.csv"
    p.write_text("ID,Text,cycle,Notes\n"
                 "a,Ratify the CRPD\n"
                 "\n"
                 'b,"Abolish, now",2,checked,stray,cells\n', encoding="utf-8")
    a, b = load_records(p)
    assert (a.id, a.text, a.cycle, a.extra) == ("a", "Ratify the CRPD", "", {"notes": ""})
    assert (b.id, b.text, b.cycle, b.extra) == ("b", "Abolish, now", "2", {"notes": "checked"})
    assert a == type(a)("a", "Ratify the CRPD") and hash(a) == hash(type(a)("a", "Ratify the CRPD"))
    p.write_text("id,text\na,x\nb\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"ragged\.csv: row 3 \(id 'b'\) has an empty text"):
        load_records(p)


def test_records_round_trip_csv_xlsx_json(tmp_path, kaz2014):
    for suffix in ("csv", "xlsx", "json"):
        path = write_records(kaz2014[:5], tmp_path / f"r.{suffix}")
        back = load_records(path)
        assert [r.id for r in back] == [r.id for r in kaz2014[:5]]
        assert [r.text for r in back] == [r.text for r in kaz2014[:5]]
        assert back[1].states == kaz2014[1].states


def test_cli_match_contract(tmp_path):
    corpus = tmp_path / "corpus.csv"
    assert run("import", str(KAZ_2014), "-o", str(corpus))[0] == 0
    queries = tmp_path / "q.json"
    queries.write_text(json.dumps([{"id": "q1", "text": "Ratify CRPD"}, {"id": "q2", "text": "Abolish torture"}]),
                       encoding="utf-8")
    code, out, _ = run("match", str(queries), str(corpus), "--top", "3")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0].keys()) == ["query_id", "rank", "corpus_id", "score", "status", "why"]
    assert [(r["query_id"], r["rank"]) for r in rows] == [("q1", "1"), ("q1", "2"), ("q1", "3"),
                                                          ("q2", "1"), ("q2", "2"), ("q2", "3")]
    assert rows[0]["corpus_id"].startswith("A/HRC/28/10 125.") and "CRPD" in rows[0]["why"]
    code, out, _ = run("match", str(queries), str(corpus), "--format", "json")
    assert json.loads(out)[0]["rank"] == 1


def test_cli_user_errors_exit_2_with_one_line(tmp_path):
    code, _, err = run("match", str(tmp_path / "missing.csv"), str(tmp_path / "c.csv"))
    assert code == 2 and err.count("\n") == 1 and "missing.csv: file not found" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("name,value\na,b\n", encoding="utf-8")
    code, _, err = run("match", str(bad), str(bad))
    assert code == 2 and "no 'id' column" in err


def test_formula_like_text_is_written_as_text(tmp_path):
    from openpyxl import load_workbook

    from xl_upr.records import Record

    path = write_records([Record("1", "=HYPERLINK(\"http://x\")")], tmp_path / "r.xlsx")
    cell = load_workbook(path)["Records"]["C2"]
    assert cell.data_type == "s" and cell.value.startswith("=")
    write_records([Record("1", "@SUM(A1)")], tmp_path / "r.csv")
    assert "'@SUM(A1)" in (tmp_path / "r.csv").read_text(encoding="utf-8")


def test_redirected_output_is_utf8(tmp_path):
    import subprocess
    import sys

    q = tmp_path / "q.csv"
    q.write_text("id,text\nq1,Ratify CRPD (Côte d’Ivoire)\n", encoding="utf-8")
    c = tmp_path / "c.csv"
    c.write_text("id,text\nЖ-1,Ratify the Convention on the Rights of Persons with Disabilities\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "xl_upr", "match", str(q), str(c), "--top", "1"],
                         capture_output=True, cwd=tmp_path,
                         env={"PYTHONIOENCODING": "cp1252", "PYTHONPATH": str(KAZ_2014.parents[2])})
    assert out.returncode == 0, out.stderr.decode(errors="replace")
    assert "Ж-1" in out.stdout.decode("utf-8")


def test_match_output_ids_that_look_like_formulas_stay_text(tmp_path):
    """IDs are the user's data: in the CSV `xl-upr match` writes, one that Excel would run as a
    formula gets a leading apostrophe; the numbers and statuses xl-upr writes are left as they are."""
    q, c = tmp_path / "q.csv", tmp_path / "c.csv"
    q.write_text('id,text\n"=HYPERLINK(""x"")",Ratify the CRPD (Chile)\n', encoding="utf-8")
    c.write_text("id,text\n@SUM(A1),Ratify the Convention on the Rights of Persons with Disabilities\n"
                 "-2,Abolish the death penalty\n", encoding="utf-8")
    code, out, err = run("match", str(q), str(c), "--top", "2", "--no-semantic")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["query_id"] == "'=HYPERLINK(\"x\")" and rows[0]["corpus_id"] == "'@SUM(A1)"
    assert rows[0]["rank"] == "1" and float(rows[0]["score"]) > 50 and rows[0]["status"] in {"repeated", "similar"}
