"""`xl-upr import|match`: parse arguments, call the core once, print."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence

from xl_upr import __version__
from xl_upr.errors import XlUprError


def _cmd_match(args: argparse.Namespace) -> int:
    from xl_upr._cells import safe_text
    from xl_upr.explain import explain, why
    from xl_upr.index import build_index
    from xl_upr.match import match_table
    from xl_upr.records import load_records
    from xl_upr.settings import MatchSettings

    settings = MatchSettings.from_path_or_dict(args.settings)
    queries = load_records(args.queries)
    corpus = load_records(args.corpus)
    index = build_index(corpus)
    results = match_table([q.text for q in queries], index, limit=args.top, settings=settings)
    rows = []
    for q, hits in zip(queries, results):
        for rank, m in enumerate(hits, start=1):
            rows.append({"query_id": q.id, "rank": rank, "corpus_id": m.id, "score": round(m.score, 1),
                         "status": m.status, "why": why(explain(q.text, index, m.key))})
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=["query_id", "rank", "corpus_id", "score", "status", "why"],
                                lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: safe_text(v) for k, v in row.items()})
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from xl_upr.importers import read_document
    from xl_upr.importers.upr_responses import apply_responses
    from xl_upr.records import write_records

    doc = read_document(args.file, kind=args.kind, cycle=args.cycle or "", state=args.state or "")
    records = doc.records
    if args.responses:
        addendum = read_document(args.responses, kind="upr-responses")
        records = apply_responses(records, addendum.records)
    print(f"{args.file}: read as {doc.kind}, {len(records)} rows", file=sys.stderr)
    if args.into:
        from xl_upr.workbook import append_records

        added = append_records(args.into, args.sheet, records)
        print(f"{args.into} [{args.sheet}]: {added} rows added, {len(records) - added} already there",
              file=sys.stderr)
    elif args.output:
        write_records(records, args.output)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
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
    from xl_upr.settings import MatchSettings
    from xl_upr.workbook import reconcile_file

    settings = MatchSettings.from_path_or_dict(args.settings) if args.settings else None
    tty = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if tty and (done == total or done % 25 == 0):
            print(f"\rreconciling {done}/{total}", end="\n" if done == total else "", file=sys.stderr, flush=True)

    plan = reconcile_file(args.workbook, settings=settings, output=args.output, backup=not args.no_backup,
                          progress=progress)
    target = args.output or args.workbook
    if not plan.changed and not args.output:
        print(f"{target}: nothing to change; {plan.report()}")
    else:
        print(f"{target}: {plan.report()}")
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
    sub = parser.add_subparsers(dest="command", required=True)

    m = sub.add_parser("match", help="rank earlier records for each query",
                       description="Rank CORPUS records for each query. Example: "
                                   "xl-upr match new.csv prior.xlsx --top 3")
    m.add_argument("queries", help=".csv, .xlsx or .json with columns id and text")
    m.add_argument("corpus", help=".csv, .xlsx or .json with columns id and text")
    m.add_argument("--top", type=int, default=5, help="matches per query (default 5)")
    m.add_argument("--format", choices=("csv", "json"), default="csv")
    m.add_argument("--settings", help="JSON file of settings (repeated_at, similar_at, …)")
    m.set_defaults(func=_cmd_match)

    i = sub.add_parser("import", help="turn a UN document (.txt or .pdf) into rows",
                       description="Parse a UN document into rows. Example: "
                                   "xl-upr import A-HRC-28-10.pdf -o recommendations.xlsx")
    i.add_argument("file")
    i.add_argument("--kind", default="auto", choices=("auto", "upr-report", "upr-responses", "ohchr-matrix",
                                                       "compilation", "concluding-observations"))
    i.add_argument("--cycle", help="UPR cycle to record (default: inferred from the document)")
    i.add_argument("--state", help="State under review")
    i.add_argument("--responses", help="responses addendum (Add.1) whose positions fill pending rows")
    i.add_argument("-o", "--output", help="write .csv, .xlsx or .json instead of CSV to stdout")
    i.add_argument("--into", metavar="BOOK.xlsx", help="append the rows to a coalition workbook instead")
    i.add_argument("--sheet", default="New", choices=("New", "Prior", "Treaty bodies"),
                   help="sheet of --into (default New); IDs already there are skipped")
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
    r.set_defaults(func=_cmd_reconcile)

    e = sub.add_parser("excel-setup", help="check xlwings and point a workbook at this Python",
                       description="Print the steps to use the Reconcile button and the UPR_* functions in Excel, "
                                   "check that xlwings and its add-in are installed, and (given a workbook) write "
                                   "this environment's Python into its xlwings.conf sheet. Example: "
                                   "xl-upr excel-setup workbooks/template.xlsm")
    e.add_argument("workbook", nargs="?", help="workbook whose xlwings.conf sheet gets Interpreter_Win/_Mac")
    e.add_argument("--for", dest="platform", choices=("win", "mac"),
                   help="write the interpreter for this system (default: the one running)")
    e.set_defaults(func=_cmd_excel_setup)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `xl-upr` command; a user error prints one line and returns 2."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not sys.stdout.isatty() and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")  # CSV/JSON into a file: UTF-8 on every platform
    if getattr(args, "top", 1) is not None and getattr(args, "top", 1) < 1:
        parser.error("--top must be at least 1")
    try:
        return int(args.func(args))
    except XlUprError as err:
        print(f"xl-upr: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
