"""Stage 2, persisted: a corpus index saved by content, so a second run against the same prior
cycles skips normalising, profiling and embedding them.

The file name is a hash of the record texts and of the code that turns texts into an index
(normalise, lexicon, index, ranking profile and ask); embeddings inside it are tagged with the
model's hash. A file that is stale, damaged or not ours is ignored and rebuilt; the cache
folder (`ranking.vectors.cache_dir`) is safe to delete. Files are written to a temporary name
and then replaced, so a killed run leaves no half file under the real name.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from xl_upr.csr import Csr
from xl_upr.index import CorpusIndex, build_index
from xl_upr.normalise import SURFACE
from xl_upr.records import Record

_CODE = ("normalise.py", "lexicon.py", "index.py", "csr.py", "ranking/profile.py", "ranking/ask.py",
         "ranking/sets.py")
_FORMAT = 5


@lru_cache(maxsize=1)
def code_hash() -> str:
    """Hash of the modules whose change changes an index."""
    import hashlib  # here, as in `_path`: hashlib loads OpenSSL, which a run without the cache never needs

    root = Path(__file__).resolve().parent
    h = hashlib.blake2b(digest_size=16)
    for name in _CODE:
        h.update((root / name).read_bytes())
    return h.hexdigest()


def _path(records: Sequence[Record]) -> Path:
    import hashlib

    from xl_upr.ranking.vectors import cache_dir

    h = hashlib.blake2b(digest_size=20, key=code_hash().encode()[:64])
    for r in records:
        h.update(r.text.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return cache_dir() / f"index-{h.hexdigest()}.pickle"


def _model_hash() -> str | None:
    from xl_upr.ranking.embed import SemanticUnavailable, cache_tag

    try:
        return cache_tag()
    except SemanticUnavailable:
        return None


def load_index(records: Sequence[Record], *, disk: bool = True) -> CorpusIndex:
    """The index of ``records``: from the cache when a valid file exists, else built."""
    records = tuple(records)
    if not disk or not records:
        return build_index(records)
    path = _path(records)
    state = _read(path)
    if state is not None and state.get("format") == _FORMAT and state.get("n") == len(records):
        try:
            idx = CorpusIndex(records=records, vocab=state["vocab"], weights=state["weights"],
                              matrix=state["matrix"], unknown_weight=state["unknown_weight"], _terms=state["terms"],
                              _profiles=dict(state["profiles"]))
            if state.get("vectors") is not None and state.get("model") == _model_hash():
                idx._vectors = state["vectors"]
            m = idx.matrix
            if isinstance(m, Csr) and m.shape[0] == len(records) and len(idx.feature_names()) == m.shape[1] \
                    and all(0 <= r < len(records) for r in idx._profiles):
                idx._saved = (len(idx._profiles), idx._vectors is not None)
                for stem, word in state["surface"].items():  # readable words, as a fresh build sees them
                    SURFACE.setdefault(stem, word)
                _restore_record_caches(idx, state)
                return idx
        except (KeyError, TypeError, ValueError, AttributeError):
            pass
    return build_index(records)


def _restore_record_caches(idx: CorpusIndex, state: dict[str, Any]) -> None:
    """Take the saved derived parts (`ranking.sets.RecordSets`, stem strings, the transposed
    matrix) when they are whole and made for these records; else they are made again on first use."""
    from xl_upr.ranking.sets import RecordSets

    n = len(idx.records)
    sets, strings = state.get("record_sets"), state.get("stem_strings")
    if isinstance(sets, RecordSets) and sets.valid(n):
        idx._record_sets = sets
    by = state.get("by_feature")
    m = idx.matrix
    if isinstance(by, Csr) and by.shape == (m.shape[1], n) and len(by.indptr) == m.shape[1] + 1 \
            and len(by.indices) == len(by.data) == len(m.data):
        idx._by_feature = by
    if isinstance(strings, dict) and all(type(r) is int and 0 <= r < n and isinstance(v, str)
                                         for r, v in strings.items()):
        idx._stem_strings = strings


def _read(path: Path) -> dict[str, Any] | None:
    import gc
    import pickle

    enabled = gc.isenabled()
    gc.disable()  # unpickling makes ~10^5 containers and no garbage: collections would only re-scan them
    try:
        with path.open("rb") as f:
            state = pickle.load(f)  # our own file in the user's own cache folder
    except FileNotFoundError:
        return None
    except Exception:  # damaged or foreign: rebuilt (a pickle can fail in many ways)
        return None
    finally:
        if enabled:
            gc.enable()
    return state if isinstance(state, dict) else None


def save_index(index: CorpusIndex, *, disk: bool = True) -> None:
    """Save what the index has computed (profiles, embeddings) when the file lacks it.

    Never fails the run: a cache that cannot be written is skipped."""
    if not disk or not len(index):
        return
    import pickle
    import tempfile

    have = (len(index._profiles), index._vectors is not None)
    if index._saved == have:
        return
    index.fill_record_caches()
    state = {"format": _FORMAT, "n": len(index), "vocab": index.vocab, "weights": index.weights,
             "matrix": index.matrix, "unknown_weight": index.unknown_weight, "terms": index.feature_names(),
             "profiles": index._profiles, "vectors": index._vectors, "record_sets": index._record_sets,
             "stem_strings": index._stem_strings, "by_feature": index.by_feature,
             "surface": {t: SURFACE[t] for t in index.feature_names() if t in SURFACE},
             "model": _model_hash() if index._vectors is not None else None}
    path = _path(index.records)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".index-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError:
        return
    index._saved = have
