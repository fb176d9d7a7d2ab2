"""Regenerate workbooks/template.xlsx and workbooks/kazakhstan-demo.xlsx from the sources.

    python scripts/build_workbooks.py [--shared ../shared]

The demo workbook: New = A/HRC/28/10 (2014 review, seed text in tests/fixtures), Prior = the
2010 review A/HRC/14/10 (../shared/corpus), Treaty bodies = the findings of the 2010 OHCHR
compilation A/HRC/WG.6/7/KAZ/2 (seed text in tests/fixtures).  Implementation columns are left
for the coalition to fill: the report's own "already implemented" notes are the State's view.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xl_upr.importers import read_document  # noqa: E402
from xl_upr.workbook import create_workbook  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args(argv)
    out = ROOT / "workbooks"
    out.mkdir(exist_ok=True)
    for name in ("template.xlsx", "kazakhstan-demo.xlsx"):
        (out / name).unlink(missing_ok=True)
    create_workbook(out / "template.xlsx")
    prior_source = args.shared / "corpus" / "KAZ_UPR1_2010_A-HRC-14-10_fulltext.txt"
    if not prior_source.exists():
        print(f"{prior_source} not found: only the template was built", file=sys.stderr)
        return 1
    fixtures = ROOT / "tests" / "fixtures"
    new = read_document(fixtures / "kaz_2014_A-HRC-28-10.txt").records
    prior = [replace(r, implementation="") for r in read_document(prior_source).records]
    treaty = read_document(fixtures / "kaz_2010_compilation_A-HRC-WG6-7-KAZ-2.txt").records
    create_workbook(out / "kazakhstan-demo.xlsx", state="Kazakhstan", new=new, prior=prior, treaty=treaty)
    print(f"wrote {out / 'template.xlsx'} and {out / 'kazakhstan-demo.xlsx'} "
          f"({len(new)} new, {len(prior)} prior, {len(treaty)} treaty-body rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
