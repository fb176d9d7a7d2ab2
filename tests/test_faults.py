"""Bad input, bad output targets and faults in the write window: one clear line, nothing lost.

Every case goes through the real entry point (`xl_upr.cli.main`) or the real writers, on
real files made in the test (the Kazakhstan 2014 report and the demo workbook).
"""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import stat
import warnings
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from conftest import KAZ_2014, reconcile_in_child
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from xl_upr import safe_write
from xl_upr.cli import main
from xl_upr.errors import InputError, OutputError, WorkbookError, XlUprWarning
from xl_upr.records import Record, load_records, write_records
from xl_upr.workbook import NEW, create_workbook, reconcile_file

DEMO = Path(__file__).resolve().parents[1] / "workbooks" / "kazakhstan-demo.xlsx"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def assert_one_line_error(code: int, err: str, *names: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err and err.count("\n") == 1 and err.startswith("xl-upr: error: "), err
    for name in names:
        assert name in err, err


def leftovers(folder: Path) -> list[str]:
    """Temporary files and partial backups xl-upr may have left in a folder."""
    return sorted(p.name for p in folder.iterdir() if safe_write._TMP in p.name)


@pytest.fixture()
def corpus_csv(tmp_path, kaz2014):
    return write_records(kaz2014[:30], tmp_path / "corpus.csv")


@pytest.fixture()
def demo(tmp_path):
    path = tmp_path / "demo.xlsx"
    shutil.copy(DEMO, path)
    return path


@pytest.fixture()
def small(tmp_path, kaz2014):
    """A coalition workbook made by `create_workbook`: 8 new rows, 30 earlier ones."""
    return create_workbook(tmp_path / "small.xlsx", new=kaz2014[:8], prior=kaz2014[100:130])


# ------------------------------------------------------------------ inputs
def _damaged(tmp_path: Path, name: str, texts: list[str], edit) -> Path:
    """A real workbook of ``texts`` rewritten part by part: ``edit(part name, bytes)`` gives the
    part's new bytes, or None to leave the part out."""
    good = write_records([Record(str(i), t) for i, t in enumerate(texts, 1)], tmp_path / f"good-{name}")
    bad = tmp_path / name
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = edit(item.filename, src.read(item.filename))
            if data is not None:
                dst.writestr(item, data)
    return bad


def _truncated_sheet(tmp_path: Path) -> Path:
    """A real workbook whose first sheet's XML is cut in half."""
    return _damaged(tmp_path, "truncated.xlsx", ["Ratify the CRPD", "Abolish torture"],
                    lambda part, data: data[: len(data) // 2] if part == "xl/worksheets/sheet1.xml" else data)


def _bad_reference(tmp_path: Path) -> Path:
    return _damaged(tmp_path, "badref.xlsx", ["Ratify the CRPD"],
                    lambda part, data: data.replace(b'r="A2"', b'r="2A!"') if part == "xl/worksheets/sheet1.xml"
                    else data)


def _no_sheets(tmp_path: Path) -> Path:
    return _damaged(tmp_path, "nosheets.xlsx", ["Ratify the CRPD"],
                    lambda part, data: None if part.startswith("xl/worksheets/") else data)


BAD_INPUTS = {
    "missing": lambda d: d / "missing.csv",
    "folder": lambda d: d,
    "name too long": lambda d: d / ("x" * 300 + ".csv"),
    "garbage csv": lambda d: _write(d / "garbage.csv", os.urandom(2000) + b"\x81\x8d\x8f\x90\x9d" * 50),
    "garbage xlsx": lambda d: _write(d / "garbage.xlsx", os.urandom(3000)),
    "zip, not a workbook": lambda d: _zip(d / "plain.xlsx"),
    "truncated sheet xml": _truncated_sheet,
    "bad cell reference": _bad_reference,
    "no worksheets": _no_sheets,
    "deep json": lambda d: _write(d / "deep.json", b"[" * 100_000 + b"]" * 100_000),
    "5000-digit integer": lambda d: _write(d / "big.json", b'[{"id": 1, "text": ' + b"9" * 5000 + b"}]"),
    "json object values": lambda d: _write(d / "shape.json", b'[{"id": "1", "text": {"en": "Ratify"}}]'),
    "json scalars": lambda d: _write(d / "scalars.json", b"[1, 2, 3]"),
    "cp1251": lambda d: _write(d / "ru.csv", "id,text\n1,Ратифицировать конвенцию\n".encode("cp1251")),
    "shift-jis": lambda d: _write(d / "jp.csv", "id,text\n1,条約を批准する\n".encode("shift_jis")),
    "field over the csv limit": lambda d: _write(d / "long.csv", b'id,text\n1,"' + b"a" * 200_000 + b"\n"),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    return path


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_a_bad_input_is_one_line_naming_the_file(tmp_path, corpus_csv, case):
    bad = BAD_INPUTS[case](tmp_path)
    code, out, err = run("match", bad, corpus_csv)
    assert_one_line_error(code, err, bad.name[:40] if bad != tmp_path else str(tmp_path))
    assert out == ""


def test_error_messages_name_line_item_and_encoding(tmp_path):
    with pytest.raises(InputError, match=r"long\.csv: line 2: .*quote"):
        load_records(BAD_INPUTS["field over the csv limit"](tmp_path))
    with pytest.raises(InputError, match=r"item 1, column 'text' holds an object"):
        load_records(BAD_INPUTS["json object values"](tmp_path))
    with pytest.raises(InputError, match=r"item 1 is int, not an object"):
        load_records(BAD_INPUTS["json scalars"](tmp_path))
    with pytest.raises(InputError, match=r"nested too deeply"):
        load_records(BAD_INPUTS["deep json"](tmp_path))
    with pytest.raises(InputError, match=r"Windows-1251 or Shift-JIS; save it as 'CSV UTF-8'"):
        load_records(BAD_INPUTS["cp1251"](tmp_path))
    with pytest.raises(InputError, match=r"truncated\.xlsx \[Records\]: damaged sheet"):
        load_records(_truncated_sheet(tmp_path))


def test_debug_shows_the_traceback(tmp_path, corpus_csv):
    with pytest.raises(InputError):
        run("match", tmp_path / "missing.csv", corpus_csv, "--debug")


WESTERN = st.text(st.characters(codec="cp1252", exclude_characters='\r\n"\x00'), min_size=1, max_size=40)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(WESTERN.filter(lambda t: t.strip()), min_size=1, max_size=5),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252"]))
def test_csv_encodings_are_detected(tmp_path_factory, texts, encoding):
    """UTF-8 with or without BOM, UTF-16 with or without BOM, Windows-1252: the same rows."""
    folder = tmp_path_factory.mktemp("enc")
    lines = ["id,text"] + [f'{n},"{t}"' for n, t in enumerate(texts)]
    path = _write(folder / "r.csv", ("\n".join(lines) + "\n").encode(encoding))
    letters = [c for t in texts for c in t if c.isalpha()]
    if encoding == "cp1252" and sum(not c.isascii() for c in letters) > 0.3 * max(len(letters), 1):
        return  # reads as another legacy encoding: refused with a message (tested above)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", XlUprWarning)  # the Windows-1252 fallback warns, as it should
            records = load_records(path)
    except InputError as err:  # only a cp1252 file that is not valid UTF-8 may be refused, never garbled
        assert encoding == "cp1252" and "Windows-1252" in str(err)
        return
    assert [r.text for r in records] == [t.strip() for t in texts]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".json", ".xlsx"]))
def test_random_bytes_never_give_a_traceback(tmp_path_factory, data, suffix):
    folder = tmp_path_factory.mktemp("bytes")
    path = _write(folder / f"in{suffix}", data)
    corpus = write_records([Record("P1", "Ratify the CRPD")], folder / "c.csv")
    code, _, err = run("match", path, corpus)
    assert code in (0, 2) and "Traceback" not in err and "internal error" not in err, err


# ------------------------------------------------------------------ text in cells
NASTY = st.text(st.characters(codec=None, categories=None), max_size=30) | st.sampled_from(
    ["\x00\x01\x0b\x0c\x1f", "\ud800 lone", "\udfff", "\ufffe\uffff", "\U0001fffe", "\ufdd0", "\rstarts with CR",
     '=HYPERLINK("http://x"&A1,"click")', "+1", "-1", "@SUM(A1)", "\ttab"])


def test_a_printable_text_is_already_clean_and_every_other_is_scrubbed():
    """`clean_text` returns a printable text as it is: no printable character is one XML or
    Excel refuses (every code point checked); the others go through the full clean-up."""
    from xl_upr._cells import _scrub, clean_text

    every = "".join(map(chr, range(0x110000)))
    printable = "".join(ch for ch in every if ch.isprintable())
    assert _scrub(printable) == printable
    assert clean_text("a\x00b\x0bc\ud800\uffff\u00b7") == "ab\nc\ufffd\ufffd\u00b7"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(NASTY, min_size=1, max_size=4))
def test_any_text_makes_record_files_that_open(tmp_path_factory, texts):
    """Controls, lone surrogates, noncharacters, formula-like text: every records file opens
    and holds the text as data, cleaned of what XML cannot hold."""
    from xl_upr._cells import clean_text

    folder = tmp_path_factory.mktemp("txt")
    records = [Record(f"id {n}", f"Ratify the CRPD {t}") for n, t in enumerate(texts)]
    for suffix in ("xlsx", "csv", "json"):
        back = load_records(write_records(records, folder / f"r.{suffix}"))
        assert [r.id for r in back] == [r.id for r in records]
        expected = [clean_text(r.text) for r in records]
        if suffix == "xlsx":  # XML reads every line end as a newline
            expected = [t.replace("\r\n", "\n").replace("\r", "\n") for t in expected]
        assert [r.text for r in back] == [t.strip() for t in expected]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(NASTY, min_size=1, max_size=3))
def test_any_text_makes_workbooks_that_open(tmp_path_factory, texts):
    """The same texts through init (as the State too) and reconcile: the workbook opens,
    no cell holds a formula, and every row is there."""
    folder = tmp_path_factory.mktemp("book")
    records = [Record(f"id {n}", f"Ratify the CRPD {t}") for n, t in enumerate(texts)]
    book = create_workbook(folder / "b.xlsx", state=texts[0], new=records, prior=records)
    reconcile_file(book, backup=False)
    wb = load_workbook(book)
    assert all(c.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)
    assert [wb[NEW].cell(row=r, column=1).value for r in range(2, 2 + len(records))] == [r.id for r in records]


def test_init_state_is_text_not_a_formula(tmp_path):
    formula = '=HYPERLINK("http://example.org/"&A1,"click")'
    code, _, err = run("init", tmp_path / "s.xlsx", "--state", formula)
    assert code == 0, err
    ws = load_workbook(tmp_path / "s.xlsx")["Settings"]
    cell = next(row[1] for row in ws.iter_rows() if row[0].value == "state")
    assert cell.value == formula and cell.data_type == "s"


def test_text_over_the_excel_limit_is_cut_visibly_with_a_warning(tmp_path):
    from xl_upr._cells import MAX_CELL_CHARS, TextCutWarning

    with pytest.warns(TextCutWarning, match="40,000 characters"):
        path = write_records([Record("1", "Ratify " + "a" * 39_993)], tmp_path / "long.xlsx")
    value = load_workbook(path)["Records"]["C2"].value
    assert len(value) == MAX_CELL_CHARS and value.endswith("characters over Excel's 32,767 limit]")
    assert value.startswith("Ratify aaa")


# ------------------------------------------------------------------ output targets
def test_bad_output_targets_refused_with_nothing_written(tmp_path):
    read_only = _write(tmp_path / "ro.csv", b"keep me")
    read_only.chmod(stat.S_IRUSR | stat.S_IRGRP)
    locked = _write(tmp_path / "open.csv", b"keep me too")
    _write(tmp_path / "~$open.csv", b"owner")
    cases = {tmp_path: "is a folder", tmp_path / "no" / "such" / "out.csv": "does not exist",
             read_only: "read-only", locked: "open in Excel"}
    for target, expected in cases.items():
        code, _, err = run("import", KAZ_2014, "-o", target)
        assert_one_line_error(code, err, expected)
    assert read_only.read_bytes() == b"keep me" and locked.read_bytes() == b"keep me too"
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_a_full_device_is_a_clear_error():
    code, _, err = run("import", KAZ_2014, "-o", "/dev/full")
    assert_one_line_error(code, err, "unsupported output type")  # no suffix: refused before writing
    with pytest.raises(OutputError, match="disk is full"):
        safe_write.write_file("/dev/full", lambda p: Path(p).write_bytes(b"x" * 100_000))


def test_read_only_workbook_is_refused(small):
    data = small.read_bytes()
    small.chmod(stat.S_IRUSR)
    with pytest.raises(OutputError, match="read-only"):
        reconcile_file(small)
    assert small.read_bytes() == data and not list(small.parent.glob("small.backup-*"))


def test_lock_file_on_the_output_is_refused(small, tmp_path):
    out = tmp_path / "out.xlsx"
    _write(tmp_path / "~$out.xlsx", b"owner")
    with pytest.raises(OutputError, match="open in Excel"):
        reconcile_file(small, output=out)
    assert not out.exists()


def test_symlinked_workbook_is_followed_and_the_link_kept(small, tmp_path):
    link = tmp_path / "link.xlsx"
    link.symlink_to(small)
    reconcile_file(link)
    assert link.is_symlink() and link.resolve() == small.resolve()
    ws = load_workbook(small)[NEW]
    assert ws["E2"].value in ("Repeated", "Similar", "New")
    assert len(safe_write.list_backups(link)) == 1  # beside the real file


FAIL_AT = st.sampled_from(["write", "fsync", "backup", "replace"])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(step=FAIL_AT, kind=st.sampled_from(["xlsx", "csv", "json"]), partial=st.integers(0, 5000))
def test_a_full_disk_at_any_step_changes_nothing(tmp_path_factory, step, kind, partial):
    """ENOSPC while writing, syncing, backing up or replacing: the target is unchanged, no
    temporary file or partial backup is left, and the message says so."""
    folder = tmp_path_factory.mktemp("full")
    target = folder / f"out.{kind}"
    write_records([Record("1", "original")], target)
    before = target.read_bytes()
    full = OSError(errno.ENOSPC, "No space left on device")

    def fail(*args, **kwargs):
        raise full

    real_copy = shutil.copy2

    def half_copy(src, dst, *args, **kwargs):
        Path(dst).write_bytes(Path(src).read_bytes()[:partial])
        raise full

    with pytest.MonkeyPatch.context() as m:
        if step == "write":
            real_save = safe_write.write_atomic

            def write_then_fail(tgt, write, **kw):
                def partial_write(tmp):
                    write(tmp)
                    tmp.write_bytes(tmp.read_bytes()[:partial])
                    raise full
                return real_save(tgt, partial_write, **kw)
            m.setattr(safe_write, "write_atomic", write_then_fail)
        elif step == "fsync":
            m.setattr(safe_write.os, "fsync", fail)
        elif step == "backup":
            m.setattr(safe_write.os, "link", fail)
            m.setattr(safe_write.shutil, "copy2", half_copy)
        else:
            m.setattr(safe_write.os, "replace", fail)
        with pytest.raises(OutputError, match="disk is full.*unchanged"):
            safe_write.write_file(target, lambda p: Path(p).write_bytes(b"new content " * 1000), backup=True)
    assert shutil.copy2 is real_copy
    assert target.read_bytes() == before
    assert leftovers(folder) == [] and safe_write.list_backups(target) == []


# ------------------------------------------------------------------ backups
def _clear_a_status(path: Path, row: int) -> None:
    """A person clears an owned cell, so the next run has something to write."""
    wb = load_workbook(path)
    wb[NEW]["E1"].value == "Status" or pytest.fail("Status is not column E")
    wb[NEW].cell(row=row, column=5).value = None
    wb.save(path)


def test_backups_are_unique_complete_and_pruned(small):
    sizes = []
    reconcile_file(small, backup=False)
    for n in range(5):  # five runs in (usually) one second, each changing something
        _clear_a_status(small, 2 + n)
        sizes.append(small.read_bytes())
        reconcile_file(small, keep_backups=3)
    backups = safe_write.list_backups(small)
    assert len(backups) == 3 and len({b.path.name for b in backups}) == 3
    assert [b.path.read_bytes() for b in backups] == sizes[:1:-1]  # newest first: the inputs of runs 5, 4, 3
    assert leftovers(small.parent) == []


def _set_keep_backups(path: Path, value: object) -> None:
    wb = load_workbook(path)
    row = next(r for r in wb["Settings"].iter_rows() if r[0].value == "keep_backups")  # written by init
    row[1].value = value
    wb.save(path)


def test_keep_backups_setting_on_the_settings_sheet(small):
    _set_keep_backups(small, 1)
    reconcile_file(small, backup=False)
    for n in range(3):
        _clear_a_status(small, 2 + n)
        reconcile_file(small)
    assert len(safe_write.list_backups(small)) == 1
    _set_keep_backups(small, "many")
    _clear_a_status(small, 9)
    with pytest.raises(WorkbookError, match="keep_backups must be a whole number"):
        reconcile_file(small)


def test_restore_lists_and_puts_back_and_can_be_undone(small):
    original = small.read_bytes()
    code, _, err = run("reconcile", small)
    assert code == 0, err
    reconciled = small.read_bytes()
    code, out, _ = run("restore", small, "--list")
    assert code == 0 and out.count("\n") == 1 and "small.backup-" in out
    code, out, err = run("restore", small)
    assert code == 0, err
    assert small.read_bytes() == original
    assert reconciled in [b.path.read_bytes() for b in safe_write.list_backups(small)]
    code, _, err = run("restore", small, "--backup", "small.backup-19990101-000000.xlsx")
    assert_one_line_error(code, err, "no backup named")
    fresh = small.with_name("fresh.xlsx")
    shutil.copy(DEMO, fresh)
    code, _, err = run("restore", fresh)
    assert_one_line_error(code, err, "no backups found")


def test_stale_temp_file_of_a_killed_run_is_removed_by_the_next(small):
    stale = safe_write.temp_path(small)
    stale.write_bytes(b"half a workbook")
    legacy = small.with_name(".small.xl-upr-tmp.xlsx")
    legacy.write_bytes(b"older naming")
    reconcile_file(small)
    assert not stale.exists() and not legacy.exists() and leftovers(small.parent) == []


# ------------------------------------------------------------------ one writer at a time
def test_a_second_writer_waits_then_refuses(small, monkeypatch):
    data = small.read_bytes()
    monkeypatch.setattr(safe_write, "LOCK_TIMEOUT", 0.2)
    with safe_write.writing(small):  # another run holds the workbook
        with pytest.raises(OutputError, match="another xl-upr run is writing"):
            reconcile_file(small)
    assert small.read_bytes() == data and not safe_write.list_backups(small)
    reconcile_file(small)  # once it is released, the next run goes ahead
    assert safe_write.list_backups(small)[0].path.read_bytes() == data


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_two_simultaneous_reconciles_lose_nothing(small):
    """Both succeed (one waits for the other and then finds nothing to change); the only
    backup holds the original workbook; no temporary file is left."""
    original = small.read_bytes()
    children = [reconcile_in_child(small) for _ in range(2)]
    codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
    assert codes == [0, 0]
    backups = safe_write.list_backups(small)
    assert [b.path.read_bytes() for b in backups] == [original]
    assert load_workbook(small)[NEW]["E2"].value in ("Repeated", "Similar", "New")
    assert leftovers(small.parent) == []


def test_progress_reaches_the_caller(small):
    seen = []
    reconcile_file(small, progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] == 8 and all(d <= t for d, t in seen)


def test_json_output_with_lone_surrogates_is_valid(tmp_path):
    path = write_records([Record("1", "text \ud800 here")], tmp_path / "r.json")
    assert json.loads(path.read_text(encoding="utf-8"))[0]["text"] == "text \ufffd here"
