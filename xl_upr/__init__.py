"""xl-upr: link UN human-rights recommendations across review cycles, inside Excel.

Data flow: importers (documents -> records) -> index -> match -> explain -> reconcile -> workbook.
"""

from __future__ import annotations

__version__ = "0.1.0"

from xl_upr.errors import DocumentError, InputError, SettingsError, WorkbookError, XlUprError
from xl_upr.explain import Cue, explain, why
from xl_upr.importers import read_document
from xl_upr.index import CorpusIndex, build_index
from xl_upr.match import Match, best_match, match_table, score_pair, top_matches
from xl_upr.normalise import clean, split_states
from xl_upr.reconcile import Plan, plan_reconciliation
from xl_upr.records import Record, load_records, write_records
from xl_upr.settings import MatchSettings
from xl_upr.workbook import create_workbook, reconcile_file

__all__ = [
    "CorpusIndex", "Cue", "DocumentError", "InputError", "Match", "MatchSettings", "Plan", "Record",
    "SettingsError", "WorkbookError", "XlUprError", "__version__", "best_match", "build_index", "clean",
    "create_workbook", "explain", "load_records", "match_table", "plan_reconciliation", "read_document",
    "reconcile_file", "score_pair", "split_states", "top_matches", "why", "write_records", "match_frame",
]


def __getattr__(name: str) -> object:
    """`match_frame` is loaded on first use, so importing xl_upr does not import pandas."""
    if name == "match_frame":
        from xl_upr.frames import match_frame

        return match_frame
    raise AttributeError(f"module 'xl_upr' has no attribute {name!r}")
