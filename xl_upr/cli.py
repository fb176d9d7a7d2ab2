"""`xl-upr import|match|init|reconcile|merge`: parse arguments, call the core once, print."""

from __future__ import annotations

import argparse
import csv
import gc
import io
import json
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from xl_upr import __version__
from xl_upr.errors import XlUprError, XlUprWarning

R = TypeVar("R")


def _cmd_match(args: argparse.Namespace) -> int:
    from xl_upr.index_store import load_index, save_index
    from xl_upr.jobs import match_rendered
    from xl_upr.records import load_records
    from xl_upr.settings import MatchSettings

    settings = MatchSettings.from_path_or_dict(args.settings)
    queries = load_records(args.queries)
    corpus = load_records(args.corpus)
    index = load_index(corpus, disk=not args.no_cache)
    ids = [q.id for q in queries]

    def rows(first: int, answers: list) -> list[tuple]:  # answers: `jobs.Explained` of queries from `first`
        return [(ids[first + k], rank, m.id, round(m.score, 1), m.status, reason)
                for k, hits in enumerate(answers) for rank, (m, reason) in enumerate(hits, start=1)]

    def match(render: Callable[[int, list], R]) -> list[R]:
        """Each part of a split job is made into its output where it was matched."""
        parts = match_rendered([q.text for q in queries], index, render, limit=args.top, settings=settings,
                               semantic=False if args.no_semantic else None, cache=not args.no_cache,
                               progress=_progress_bar("embedding the corpus (first time only)"))
        save_index(index, disk=not args.no_cache)
        return parts

    if args.format == "json":
        from xl_upr._cells import clean_text

        json.dump([{k: clean_text(v) for k, v in zip(_FIELDS, row)} for part in match(rows) for row in part],
                  sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        texts = match(lambda first, answers: _csv_text(rows(first, answers)))
        sys.stdout.write(",".join(_FIELDS) + "\n")
        for text in texts:
            sys.stdout.write(text)
    return 0


_FIELDS = ("query_id", "rank", "corpus_id", "score", "status", "why")


def _csv_text(rows: list[tuple]) -> str:
    """Output rows as CSV text; the ids and reasons are the user's data, never formulas (rank,
    score and status are ours), an id made safe once for its many rows."""
    from xl_upr._cells import safe_text

    ids: dict[str, str] = {}

    def safe_id(value: str) -> str:
        out = ids.get(value)
        if out is None:
            out = ids[value] = safe_text(value)
        return out

    block = io.StringIO()
    csv.writer(block, lineterminator="\n").writerows((safe_id(qid), rank, safe_id(cid), score, status, safe_text(why))
                                                     for qid, rank, cid, score, status, why in rows)
    return block.getvalue()


def _progress_bar(label: str):  # noqa: ANN202 - a progress callback
    """A one-line progress bar on stderr (only when stderr is a terminal and the work is long)."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        if total >= 200:
            filled = int(30 * done / total)
            end = "\n" if done >= total else ""
            print(f"\r{label} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}", end=end, file=sys.stderr,
                  flush=True)

    return show


def _cmd_import(args: argparse.Namespace) -> int:
    from xl_upr.importers import read_document
    from xl_upr.importers.upr_responses import apply_responses
    from xl_upr.records import check_output, write_records

    if args.output and not args.into:
        check_output(args.output)
    doc = read_document(args.file, kind=args.kind, cycle=args.cycle or "", state=args.state or "")
    records = doc.records
    if args.responses:
        records = apply_responses(records, read_document(args.responses, kind="upr-responses").records)
    print("\n".join(doc.report.lines()), file=sys.stderr)
    if args.into:
        from xl_upr.workbook import import_into

        result = import_into(args.into, records, doc.kind, report=doc.report, sheet=args.sheet)
        print("\n".join(result.lines(args.into)), file=sys.stderr)
    if args.output:
        write_records(records, args.output)
        print(f"wrote {args.output}", file=sys.stderr)
    elif not args.into:
        from xl_upr._cells import safe_text
        from xl_upr.records import COLUMNS

        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for r in records:
            writer.writerow({k: safe_text(v) for k, v in r.as_row().items()})
    return 0


def _cmd_init(args: argparse.Namespace) -> int:
    from xl_upr.workbook import create_workbook

    path = create_workbook(args.workbook, state=args.state or "")
    print(f"created {path}")
    return 0


def _cmd_reconcile(args: argparse.Namespace) -> int:
    import os

    from xl_upr.settings import MatchSettings
    from xl_upr.workbook import reconcile_file

    settings = MatchSettings.from_path_or_dict(args.settings) if args.settings else None
    tty = sys.stderr.isatty()
    size = os.path.getsize(args.workbook) if os.path.isfile(args.workbook) else 0
    if size > 5 * 2**20:  # openpyxl reads a large workbook slowly (about 1 s per MB): say so before it starts
        print(f"{args.workbook}: reading {size / 2**20:.1f} MB …", file=sys.stderr, flush=True)

    def progress(done: int, total: int) -> None:
        if tty and (done == total or done % 25 == 0):
            print(f"\rreconciling {done}/{total}", end="\n" if done == total else "", file=sys.stderr, flush=True)

    plan = reconcile_file(args.workbook, settings=settings, output=args.output, backup=not args.no_backup,
                          progress=progress, keep_backups=args.keep_backups,
                          embedding=_progress_bar("embedding the earlier records (first time only)"))
    target = args.output or args.workbook
    if not plan.changed and not args.output:
        print(f"{target}: nothing to change; {plan.report()}")
    else:
        print(f"{target}: {plan.report()}")
    return 0


def _cmd_merge(args: argparse.Namespace) -> int:
    from xl_upr.merge_workbook import merge_workbooks, resolve_conflicts

    if args.resolve:
        if len(args.workbooks) != 1:
            raise XlUprError("merge --resolve takes one workbook: the merged one with its Conflicts sheet")
        applied, left = resolve_conflicts(args.workbooks[0], output=args.output)
        print(f"{args.output or args.workbooks[0]}: {applied} conflicts resolved, {left} left on the Conflicts sheet")
        return 0
    if len(args.workbooks) < 2 or not args.output:
        raise XlUprError("merge needs BASE, at least one copy and -o MERGED.xlsx, e.g. "
                         "xl-upr merge base.xlsx alice.xlsx bob.xlsx -o merged.xlsx")
    plan = merge_workbooks(args.workbooks[0], args.workbooks[1:], args.output, prefer=args.prefer,
                           reconcile=args.reconcile)
    print(f"{args.output}:\n{plan.summary()}")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    import time
    from pathlib import Path

    from xl_upr.safe_write import list_backups, restore_backup

    if args.list:
        backups = list_backups(args.workbook)
        if not backups:
            print(f"{args.workbook}: no backups")
        for b in backups:
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.strptime(b.stamp, "%Y%m%d-%H%M%S"))
            print(f"{b.path.name}\t{when}\t{b.path.stat().st_size:,} bytes")
        return 0
    restored, saved = restore_backup(args.workbook, args.backup)
    print(f"{args.workbook}: restored from {restored.name}; the replaced version is kept as {Path(saved).name}")
    return 0


EXCEL_STEPS = """\
xl-upr in desktop Excel (Windows or Mac), once per computer:
  1. pip install .                      (in the xl-upr folder, or: pip install xl_upr-*.whl;
                                         Python 3.10 or newer; xl-upr is not on PyPI)
  2. xlwings addin install              (optional: the template carries the xlwings VBA module)
  3. xl-upr excel-setup BOOK.xlsm       (writes this Python into the workbook's xlwings.conf)
  4. open {template}
     (or your own workbook with the Reconcile macro, see macros/README.md)
  5. A downloaded workbook has its macros blocked: right-click it > Properties > tick Unblock
     (Windows), or keep it in a trusted location (File > Options > Trust Center). Then paste
     new recommendations into the New sheet and press Reconcile (top of the New sheet).
Custom functions: on the xlwings tab set UDF Modules to xl_upr.udfs (the template's
xlwings.conf sheet already does), click Import Functions, then use =UPR_MATCH(...),
=UPR_TOPN(...), =UPR_SCORE(...), =UPR_WHY(...), =UPR_CLEAN(...), =UPR_STATES(...).
Excel on the web: see the README (xlwings Server or xlwings Lite)."""


def _cmd_excel_setup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from xl_upr import excel_setup

    template = Path(__file__).resolve().parents[1] / "workbooks" / "template.xlsm"
    print(EXCEL_STEPS.format(template=template if template.exists() else "workbooks/template.xlsm from the "
                             "xl-upr repository"))
    platform = {"win": "win32", "mac": "darwin"}.get(args.platform or "", sys.platform)
    print("\nThis computer:")
    for check in excel_setup.checks(platform):
        print(f"  [{'ok' if check.ok else 'missing'}] {check.what}: {check.detail}")
    if args.workbook:
        key = excel_setup.interpreter_key(platform)
        interpreter = excel_setup.interpreter_path(platform=platform)
        excel_setup.configure_workbook(args.workbook, {key: interpreter})
        print(f"{args.workbook} [xlwings.conf]: {key} = {interpreter}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xl-upr", description="Link UPR recommendations to their earlier "
                                     "counterparts and treaty-body findings.")
    parser.set_defaults(top=1)
    parser.add_argument("--version", action="version", version=f"xl-upr {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the Python traceback of an error")
    sub = parser.add_subparsers(dest="command", required=True)

    m = sub.add_parser("match", help="rank earlier records for each query",
                       description="Rank CORPUS records for each query. Example: "
                                   "xl-upr match new.csv prior.xlsx --top 3")
    m.add_argument("queries", help=".csv, .xlsx or .json with columns id and text")
    m.add_argument("corpus", help=".csv, .xlsx or .json with columns id and text")
    m.add_argument("--top", type=int, default=5, help="matches per query (default 5)")
    m.add_argument("--format", choices=("csv", "json"), default="csv")
    m.add_argument("--settings", help="JSON file of settings (repeated_at, similar_at, …)")
    m.add_argument("--no-semantic", action="store_true",
                   help="rank with the lexical ranker alone (no sentence embeddings)")
    m.add_argument("--no-cache", action="store_true",
                   help="neither read nor write the embedding cache in the per-user cache folder")
    m.set_defaults(func=_cmd_match)

    i = sub.add_parser("import", help="turn a UN document (.txt or .pdf) into rows",
                       description="Parse a UN document into rows; the import report (rows per kind, rows "
                                   "to check) goes to stderr. Example: "
                                   "xl-upr import A-HRC-28-10.pdf -o recommendations.xlsx")
    i.add_argument("file")
    i.add_argument("--kind", default="auto", choices=("auto", "upr-report", "upr-responses", "ohchr-matrix",
                                                       "compilation", "concluding-observations"))
    i.add_argument("--cycle", help="UPR cycle to record (default: inferred from the document)")
    i.add_argument("--state", help="State under review")
    i.add_argument("--responses", help="responses addendum (Add.1) whose positions fill pending rows")
    i.add_argument("-o", "--output", help="write .csv, .xlsx or .json instead of CSV to stdout (with --into: "
                                          "as well)")
    i.add_argument("--into", metavar="BOOK.xlsx", help="add the rows to a coalition workbook (an addendum sets the "
                                                       "Response of the rows it names and adds none)")
    i.add_argument("--sheet", choices=("New", "Prior", "Treaty bodies"),
                   help="sheet of --into (default: from the kind: findings to Treaty bodies, an earlier cycle "
                        "than New's to Prior, else New); IDs already there are skipped")
    i.set_defaults(func=_cmd_import)

    n = sub.add_parser("init", help="create an empty coalition workbook",
                       description="Create a coalition workbook with the New, Prior, Treaty bodies, Settings "
                                   "and Log sheets. Example: xl-upr init kazakhstan.xlsx --state Kazakhstan")
    n.add_argument("workbook")
    n.add_argument("--state", help="State under review")
    n.set_defaults(func=_cmd_init)

    r = sub.add_parser("reconcile", help="fill the status columns of a coalition workbook",
                       description="Fill the columns xl-upr owns on the New sheet from the Prior and Treaty "
                                   "bodies sheets; nothing people typed is changed. Example: "
                                   "xl-upr reconcile kazakhstan.xlsx")
    r.add_argument("workbook")
    r.add_argument("--output", help="write the result here instead of replacing the workbook")
    r.add_argument("--settings", help="JSON settings file (default: the workbook's Settings sheet)")
    r.add_argument("--no-backup", action="store_true", help="do not keep a backup of the previous file")
    r.add_argument("--keep-backups", type=int, metavar="N",
                   help="backups to keep beside the workbook (default: Settings sheet keep_backups, else 3)")
    r.set_defaults(func=_cmd_reconcile)

    g = sub.add_parser("merge", help="merge members' copies of a coalition workbook",
                       description="Merge copies three-way against BASE, rows matched by ID: every change is "
                                   "taken, different changes to one cell are listed on a Conflicts sheet. Example: "
                                   "xl-upr merge base.xlsx alice.xlsx bob.xlsx -o merged.xlsx; then "
                                   "xl-upr merge --resolve merged.xlsx")
    g.add_argument("workbooks", nargs="+", metavar="BOOK", help="BASE then the copies (with --resolve: MERGED)")
    g.add_argument("-o", "--output", help="the merged workbook (with --resolve: write here instead of in place)")
    g.add_argument("--prefer", metavar="COPY", help="in a conflict keep this copy's value (still listed)")
    g.add_argument("--reconcile", action="store_true", help="reconcile the merged workbook afterwards")
    g.add_argument("--resolve", action="store_true", help="apply the Resolution column of the Conflicts sheet")
    g.set_defaults(func=_cmd_merge)

    b = sub.add_parser("restore", help="put a backup of a workbook back, or list its backups",
                       description="Put the newest backup of a workbook back (the current file is backed up "
                                   "first, so this can be undone), or list the backups. Example: "
                                   "xl-upr restore kazakhstan.xlsx --list")
    b.add_argument("workbook")
    b.add_argument("--list", action="store_true", help="list the backups, newest first, and change nothing")
    b.add_argument("--backup", metavar="NAME", help="restore this backup (a name from --list) instead of the newest")
    b.set_defaults(func=_cmd_restore)

    e = sub.add_parser("excel-setup", help="check xlwings and point a workbook at this Python",
                       description="Print the steps to use the Reconcile button and the UPR_* functions in Excel, "
                                   "check that xlwings and its add-in are installed, and (given a workbook) write "
                                   "this environment's Python into its xlwings.conf sheet. Example: "
                                   "xl-upr excel-setup workbooks/template.xlsm")
    e.add_argument("workbook", nargs="?", help="workbook whose xlwings.conf sheet gets Interpreter_Win/_Mac")
    e.add_argument("--for", dest="platform", choices=("win", "mac"),
                   help="write the interpreter for this system (default: the one running)")
    e.set_defaults(func=_cmd_excel_setup)
    for command in sub.choices.values():  # --debug also after the command name
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                             help="show the Python traceback of an error")
    return parser


#: Exception types from reading or writing a file: they describe the input, not a bug.
_INPUT_ERRORS: tuple[type[BaseException], ...] = (OSError, UnicodeError, csv.Error, json.JSONDecodeError,
                                                  RecursionError, OverflowError, MemoryError, EOFError)
_INPUT_MODULES = ("openpyxl", "defusedxml", "xml", "lxml", "zipfile", "pypdf", "et_xmlfile")
_FILE_ARGS = ("queries", "corpus", "file", "responses", "workbook", "into", "output")


#: Allocations between young-generation collections while a command runs (Python's default: 700).
_GC_FIRST = 100_000


def _short(name: object, limit: int = 90) -> str:
    text = str(name)
    return text if len(text) <= limit else text[:40] + "…" + text[-(limit - 41):]


def describe_error(err: BaseException, args: argparse.Namespace) -> tuple[str, int]:
    """One line for an error and the exit status: 2 for a user or environment problem, 1 for a bug."""
    if isinstance(err, XlUprError):
        return str(err), 2
    files = " / ".join(_short(getattr(args, a)) for a in _FILE_ARGS if getattr(args, a, None)) or "input"
    if isinstance(err, OSError):
        name = err.filename if err.filename is not None else files
        reason = "the disk is full" if err.errno == 28 else (err.strerror or str(err))
        return f"{_short(name)}: {reason}", 2
    if isinstance(err, _INPUT_ERRORS) or type(err).__module__.split(".")[0] in _INPUT_MODULES:
        return f"{files}: cannot read or write ({type(err).__name__}: {_short(err, 200)})", 2
    return (f"internal error ({type(err).__name__}: {_short(err, 200)}); run again with --debug to see where, "
            "and report it"), 1


def _print_warnings() -> Any:
    """A `warnings.showwarning` that prints xl-upr's warnings as one line each (at most 5)."""
    shown = [0]

    def show(message: Warning | str, category: type[Warning], *rest: Any, **kw: Any) -> None:
        shown[0] += 1
        if shown[0] <= 5:
            print(f"xl-upr: warning: {message}", file=sys.stderr)
        elif shown[0] == 6:
            print("xl-upr: warning: (more warnings not shown)", file=sys.stderr)
    return show


#: Matching runs its own worker threads (`match._THREADS`), each taking whole products, so the
#: BLAS library is asked for one thread each: its own threads would only contend with them for
#: the cores (0.4 s of a 3,000-query run on two cores). A value the user set is kept.
_BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `xl-upr` command; a user error prints one line and returns 2.

    Every error from an input or the environment (missing or unreadable file, disk full,
    damaged workbook, wrong encoding …) is one line naming the file, exit status 2; with
    ``--debug`` the traceback is shown instead.
    """
    for name in _BLAS_THREADS:  # before numpy loads: see _BLAS_THREADS
        os.environ.setdefault(name, "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not sys.stdout.isatty() and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")  # CSV/JSON into a file: UTF-8 on every platform
    if getattr(args, "top", 1) is not None and getattr(args, "top", 1) < 1:
        parser.error("--top must be at least 1")
    if (getattr(args, "keep_backups", None) or 0) < 0:
        parser.error("--keep-backups must be 0 or more")
    with warnings.catch_warnings():
        warnings.simplefilter("always", XlUprWarning)
        warnings.showwarning = _print_warnings()
        collect = gc.get_threshold()
        # A command builds many long-lived objects (records, index, profiles): the default
        # thresholds would re-scan them all hundreds of times (a tenth of a run's CPU).
        gc.set_threshold(_GC_FIRST, *collect[1:])
        try:
            return int(args.func(args))
        except BrokenPipeError:
            return 0
        except KeyboardInterrupt:
            print("xl-upr: interrupted; files being written are left as they were", file=sys.stderr)
            return 130
        except Exception as err:
            if args.debug:
                raise
            message, status = describe_error(err, args)
            print(f"xl-upr: error: {message}", file=sys.stderr)
            return status
        finally:
            gc.set_threshold(*collect)
