"""xl-upr: link UN human-rights recommendations across review cycles, inside Excel.

Data flow: importers (documents -> records) -> index -> ranking (embed, features, ranker) ->
match -> explain -> reconcile -> workbook; merge (members' copies -> one workbook).

Names are imported on first use (PEP 562), so ``import xl_upr`` and the command line start
fast: a CSV job never loads openpyxl, a lexical one never loads onnxruntime.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_WHERE = {
    "XlUprError": "errors", "InputError": "errors", "DocumentError": "errors", "SettingsError": "errors",
    "WorkbookError": "errors",
    "Cue": "explain", "explain": "explain", "why": "explain",
    "read_document": "importers",
    "CorpusIndex": "index", "build_index": "index",
    "Match": "match", "best_match": "match", "match_table": "match", "score_pair": "match",
    "top_matches": "match",
    "clean": "normalise", "split_states": "normalise",
    "Plan": "reconcile", "plan_reconciliation": "reconcile",
    "Record": "records", "load_records": "records", "write_records": "records",
    "MatchSettings": "settings",
    "create_workbook": "workbook", "reconcile_file": "workbook",
    "MergePlan": "merge", "plan_merge": "merge",
    "merge_workbooks": "merge_workbook", "resolve_conflicts": "merge_workbook",
    "match_frame": "frames",
}

__all__ = sorted([*_WHERE, "__version__"])


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'xl_upr' has no attribute {name!r}")
    value = getattr(import_module(f"xl_upr.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
