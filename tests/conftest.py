"""Shared fixtures: seed texts shipped in tests/fixtures, and ../shared when it is beside us."""

from __future__ import annotations

import os
from pathlib import Path

# The Excel adapters are tested through xlwings' Office.js protocol (xlwings Server), which
# must be chosen before xlwings is first imported.  xlwings PRO is free for non-commercial use.
os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
# Embedding caches of the test run stay out of the user's cache folder.
if "XL_UPR_CACHE_DIR" not in os.environ:
    import tempfile

    os.environ["XL_UPR_CACHE_DIR"] = tempfile.mkdtemp(prefix="xl-upr-test-cache-")

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared"
KAZ_2014 = FIXTURES / "kaz_2014_A-HRC-28-10.txt"
COMPILATION_2010 = FIXTURES / "kaz_2010_compilation_A-HRC-WG6-7-KAZ-2.txt"



def reconcile_in_child(path: Path) -> int:
    """Start `reconcile_file(path)` in a forked child; its pid (exit status 0 when it succeeded)."""
    from xl_upr.workbook import reconcile_file

    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            reconcile_file(path)
            code = 0
        finally:
            os._exit(code)
    return pid

def shared_file(*parts: str) -> Path:
    """A file of ../shared, or skip the test when ../shared is not beside the project."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not available (../shared is not beside this checkout)")
    return path


@pytest.fixture(scope="session")
def kaz2014():
    from xl_upr.importers import read_document

    return read_document(KAZ_2014).records


@pytest.fixture(scope="session")
def kaz2014_index(kaz2014):
    from xl_upr.index import build_index

    return build_index(kaz2014)
