"""Embeddings of recommendation texts, cached by (model hash, text).

Two levels: a bounded in-process cache (the Excel functions recalculate often) and a SQLite
file in the per-user cache folder (``platformdirs``; ``XL_UPR_CACHE_DIR`` overrides it), so a
prior corpus is embedded once per machine. The cache is safe to delete; a damaged or foreign
file is set aside and rebuilt, never trusted and never a crash. Vectors are stored as float16
and every vector, cached or fresh, goes through the same float16 round trip, so a cached run
ranks exactly as an uncached one.
"""

from __future__ import annotations

import os
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from xl_upr.normalise import split_states
from xl_upr.ranking import embed as _embed

_MEMORY: OrderedDict[bytes, np.ndarray] = OrderedDict()
#: Vectors kept in memory (the most recent ones); a match split over two processes (`jobs`)
#: relies on every query's being there, since a forked child must not run the model.
MEMORY_MAX = 50_000
_SQL_BATCH = 900
_STORE_EVERY = 8192


def cache_dir() -> Path:
    """Folder of xl-upr's caches (``XL_UPR_CACHE_DIR`` or the per-user cache folder)."""
    env = os.environ.get("XL_UPR_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("xl-upr", appauthor=False))


def embedded_text(text: str) -> str:
    """What is embedded: the text without its recommending States."""
    return split_states(text or "")[0] or (text or " ")


def _keys(texts: Sequence[str]) -> list[bytes]:
    import hashlib  # here: hashlib loads OpenSSL, which a lexical run never needs

    salt = _embed.cache_tag().encode()
    return [hashlib.blake2b(t.encode("utf-8", "surrogatepass"), digest_size=16, key=salt[:64]).digest()
            for t in texts]


class _DiskCache:
    """key -> float16 vector in one SQLite table; every failure makes it a no-op or a fresh file."""

    def __init__(self, folder: Path) -> None:
        import hashlib

        tag = hashlib.blake2b(_embed.cache_tag().encode(), digest_size=8).hexdigest()
        self.path = folder / f"embeddings-{tag}.sqlite"
        self.db: sqlite3.Connection | None = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.db = self._open()
        except (OSError, sqlite3.Error):
            self._reset()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("CREATE TABLE IF NOT EXISTS v (k BLOB PRIMARY KEY, e BLOB NOT NULL) WITHOUT ROWID")
        db.execute("SELECT k, e FROM v LIMIT 1").fetchall()
        return db

    def _reset(self) -> None:
        """Set a damaged file aside (kept as .bad for a look) and start a fresh one."""
        if self.db is not None:
            self.db.close()
        self.db = None
        try:
            if self.path.exists():
                os.replace(self.path, self.path.with_suffix(".bad"))
            self.db = self._open()
        except (OSError, sqlite3.Error):
            self.db = None

    def get(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        out: dict[bytes, np.ndarray] = {}
        if self.db is None:
            return out
        width = _embed.DIM * 2
        try:
            for start in range(0, len(keys), _SQL_BATCH):
                part = keys[start:start + _SQL_BATCH]
                rows = self.db.execute(f"SELECT k, e FROM v WHERE k IN ({','.join('?' * len(part))})",
                                       part).fetchall()
                for k, e in rows:
                    if isinstance(e, bytes) and len(e) == width:
                        out[k] = np.frombuffer(e, dtype=np.float16)
        except sqlite3.Error:
            self._reset()
            return {}
        return out

    def put(self, items: dict[bytes, np.ndarray]) -> None:
        if self.db is None or not items:
            return
        try:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO v VALUES (?, ?)",
                                    ((k, v.astype(np.float16).tobytes()) for k, v in items.items()))
        except sqlite3.Error:
            self._reset()

    def close(self) -> None:
        if self.db is not None:
            self.db.close()


def embeddings(texts: Sequence[str], *, disk: bool = True,
               progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Unit-length embeddings (float16) of ``texts`` without their States.

    Raises `embed.SemanticUnavailable` when the model cannot be loaded and a text is not cached.
    """
    prepared = [embedded_text(t) for t in texts]
    keys = _keys(prepared)
    found: dict[bytes, np.ndarray] = {}
    for k in keys:
        v = _MEMORY.get(k)
        if v is not None:
            found[k] = v
    missing = [k for k in dict.fromkeys(keys) if k not in found]
    store = _DiskCache(cache_dir()) if disk and missing else None
    try:
        if store is not None:
            found.update(store.get(missing))
        todo: dict[bytes, str] = {}
        for k, t in zip(keys, prepared):
            if k not in found:
                todo.setdefault(k, t)
        keys_todo, texts_todo = list(todo), list(todo.values())
        for start in range(0, len(texts_todo), _STORE_EVERY):  # stored as it goes: an interrupted run keeps its work
            part = texts_todo[start:start + _STORE_EVERY]
            done = start

            def step(n: int, _total: int, done: int = done) -> None:
                if progress is not None:
                    progress(done + n, len(texts_todo))

            new = dict(zip(keys_todo[start:start + _STORE_EVERY], _embed.embed(part, progress=step).astype(np.float16)))
            found.update(new)
            if store is not None:
                store.put(new)
    finally:
        if store is not None:
            store.close()
    for k in keys:
        _MEMORY[k] = found[k]
        _MEMORY.move_to_end(k)
    while len(_MEMORY) > MEMORY_MAX:
        _MEMORY.popitem(last=False)
    if not keys:
        return np.zeros((0, _embed.DIM), dtype=np.float16)
    return np.stack([found[k] for k in keys])
