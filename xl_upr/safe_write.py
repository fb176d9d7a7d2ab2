"""Safe file writing: one writer at a time, temp file + replace, complete backups, restore.

Every file xl-upr writes (workbooks, CSV, JSON, XLSX records) goes through `write_file`
(or `writing` + `write_atomic` when a read-modify-write must hold the lock throughout):

* the target is checked first: a folder, a missing folder, a read-only file or a file Excel
  holds open (``~$`` owner file) is refused before anything is written;
* a symlink is followed: the file it points to is replaced and the link is kept;
* one writer at a time: an OS-level lock (`filelock`) beside the target, so a second run
  waits, then refuses with a clear message; the OS releases it when a process dies;
* the content goes to a temporary file beside the target, is flushed to disk, and only then
  replaces the target (``os.replace``); on any failure the temporary file is removed and the
  target is as it was; temporary files left by a killed run are removed by the next writer;
* a backup of the file being replaced has a unique name (never overwrites an earlier one) and
  is complete before the target is replaced; the newest ``keep`` backups are kept.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from xl_upr.errors import OutputError

#: Seconds a second writer waits for the first before it gives up with a message.
LOCK_TIMEOUT = 60.0
#: Backups kept beside a workbook unless a setting says otherwise.
KEEP_BACKUPS = 3
_TMP = ".xl-upr-tmp"


class Backup(NamedTuple):
    """One backup of a file: its path and the time stamp in its name."""

    path: Path
    stamp: str
    sequence: int


def owner_file(path: Path) -> Path:
    """Excel's owner file for ``path`` (``~$name.xlsx``), present while Excel holds it open."""
    return path.with_name("~$" + path.name)


def _why(err: OSError) -> str:
    if err.errno == errno.ENOSPC:
        return "the disk is full"
    if err.errno == errno.ENAMETOOLONG:
        return "the file name is too long"
    return err.strerror or str(err)


def resolve_target(path: str | Path) -> Path:
    """The file a write to ``path`` replaces, after checks; symlinks are followed.

    Raises `OutputError` for a folder, a missing folder, a read-only file or a file that
    Excel holds open.
    """
    given = Path(path)
    try:
        target = Path(os.path.realpath(given))
        for p in {given, target}:
            if owner_file(p).exists():
                raise OutputError(f"{given}: the file is open in Excel (owner file {owner_file(p).name}); close it "
                                  "and run again — nothing was written")
        if target.is_dir():
            raise OutputError(f"{given}: is a folder; give a file name")
        if not target.parent.is_dir():
            raise OutputError(f"{given}: the folder {target.parent} does not exist; create it or choose another")
        if target.exists():
            mode = target.stat().st_mode
            if stat.S_ISREG(mode) and (not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
                                       or not os.access(target, os.W_OK)):
                raise OutputError(f"{given}: the file is read-only; clear its read-only flag or write a copy "
                                  "elsewhere — nothing was written")
    except OSError as err:
        raise OutputError(f"{given}: cannot write ({_why(err)})") from None
    return target


def _lock_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.xl-upr.lock")


def _temp_files(target: Path) -> list[Path]:
    """Temporary files of earlier writes to ``target`` (this and the older naming)."""
    legacy = target.with_name(f".{target.stem}{_TMP}{target.suffix}")
    found = [p for p in target.parent.glob(f".{glob_escape(target.name)}.*{_TMP}")]
    return found + ([legacy] if legacy.exists() else [])


def glob_escape(name: str) -> str:
    """``name`` with glob metacharacters escaped."""
    return re.sub(r"([*?\[])", r"[\1]", name)


@contextmanager
def writing(path: str | Path, *, timeout: float | None = None) -> Iterator[Path]:
    """Hold the one-writer lock of ``path`` and yield the checked target (see `resolve_target`);
    a second writer waits up to ``timeout`` seconds (default `LOCK_TIMEOUT`), then gives up.

    Temporary files left beside the target by a killed run are removed once the lock is held
    (no other writer can be using them then).
    """
    from filelock import FileLock, Timeout

    timeout = LOCK_TIMEOUT if timeout is None else timeout
    target = resolve_target(path)
    if target.exists() and not stat.S_ISREG(target.stat().st_mode):
        yield target  # a device or pipe (/dev/stdout): written directly, nothing to lock or replace
        return
    lock = FileLock(str(_lock_path(target)), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise OutputError(f"{path}: another xl-upr run is writing this file (waited {timeout:.0f} s); run again "
                          "when it has finished — nothing was written") from None
    except OSError as err:
        raise OutputError(f"{path}: cannot write in {target.parent} ({_why(err)})") from None
    try:
        for stale in _temp_files(target):
            stale.unlink(missing_ok=True)
        yield resolve_target(path)  # checked again: the first writer may have changed it
    finally:
        lock.release()


def _fsync(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some file systems (network, FUSE) cannot sync a folder; the replace still happened
        pass
    finally:
        os.close(fd)


def temp_path(target: Path) -> Path:
    """A fresh temporary file name beside ``target`` (unique per call)."""
    return target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}{_TMP}")


def write_atomic(target: Path, write: Callable[[Path], object], *, backup: bool = False,
                 keep: int = KEEP_BACKUPS) -> Path | None:
    """Write ``target`` through ``write(temp_path)``, keep a backup, replace; return the backup.

    Call it inside `writing`.  On failure nothing has changed: the temporary file (and a
    partial backup) are removed and `OutputError` says so.
    """
    if target.exists() and not stat.S_ISREG(target.stat().st_mode):
        try:
            write(target)
        except OSError as err:
            raise OutputError(f"{target}: cannot write ({_why(err)})") from None
        return None
    tmp = temp_path(target)
    saved = None
    step = "write"
    existed = target.exists()
    try:
        write(tmp)
        _fsync(tmp)
        if backup and target.exists():
            step = "back up"
            saved = make_backup(target)
        step = "replace"
        os.replace(tmp, target)
    except BaseException as err:
        tmp.unlink(missing_ok=True)
        if saved is not None:
            saved.unlink(missing_ok=True)
        if not isinstance(err, OSError):
            raise
        hint = ("; is it open in another program? Close it and run again"
                if step == "replace" and err.errno in (errno.EACCES, errno.EPERM, errno.EBUSY) else "")
        what = {"write": "cannot write", "back up": "cannot write its backup", "replace": "cannot replace it"}[step]
        outcome = "the file is unchanged" if existed else "nothing was written"
        raise OutputError(f"{target}: {what} ({_why(err)}){hint} — {outcome}") from None
    _fsync_dir(target.parent)
    if saved is not None:
        prune_backups(target, keep)
    return saved


def write_file(path: str | Path, write: Callable[[Path], object], *, backup: bool = False,
               keep: int = KEEP_BACKUPS) -> Path | None:
    """`write_atomic` under the one-writer lock of ``path``; returns the backup made, if any."""
    with writing(path) as target:
        return write_atomic(target, write, backup=backup, keep=keep)


# ------------------------------------------------------------------ backups
def _backup_re(target: Path) -> re.Pattern[str]:
    return re.compile(re.escape(target.stem) + r"\.backup-(\d{8}-\d{6})(?:-(\d+))?" + re.escape(target.suffix) + "$")


def list_backups(path: str | Path) -> list[Backup]:
    """Backups of ``path`` (symlink followed), newest first."""
    target = Path(os.path.realpath(path))
    pattern = _backup_re(target)
    found = []
    for p in target.parent.glob(f"{glob_escape(target.stem)}.backup-*{glob_escape(target.suffix)}"):
        m = pattern.match(p.name)
        if m:
            found.append(Backup(p, m.group(1), int(m.group(2) or 1)))
    return sorted(found, key=lambda b: (b.stamp, b.sequence), reverse=True)


def _backup_name(target: Path) -> Path:
    """``STEM.backup-YYYYmmdd-HHMMSS.SUFFIX``, with ``-2``, ``-3`` … when that second is taken;
    always sorting after every existing backup (even one pruned away, or a clock set back)."""
    stamp, seq = time.strftime("%Y%m%d-%H%M%S"), 1
    newest = next(iter(list_backups(target)), None)
    if newest is not None and newest.stamp >= stamp:
        stamp, seq = newest.stamp, newest.sequence + 1
    while True:
        name = target.with_name(f"{target.stem}.backup-{stamp}{'' if seq == 1 else f'-{seq}'}{target.suffix}")
        if not name.exists():
            return name
        seq += 1


def make_backup(target: Path, *, link: bool = True) -> Path:
    """A complete copy of ``target`` under a new, unique backup name; returns its path.

    With ``link``, a hard link where the file system has them (instant, needs no space; only
    right when ``target`` is about to be replaced by a new file, as `write_atomic` does);
    otherwise a copy to a temporary name that is renamed once complete.
    """
    name = _backup_name(target)
    if link:
        try:
            os.link(target, name)
            return name
        except OSError:
            pass  # no hard links here (FAT, some network shares): copy instead
    tmp = temp_path(name)
    try:
        shutil.copy2(target, tmp)
        _fsync(tmp)
        os.replace(tmp, name)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return name


def backup_file(path: str | Path, keep: int = KEEP_BACKUPS) -> Path:
    """A backup copy of a file another program holds open and will change in place (the
    Reconcile button: Excel has the workbook open); the newest ``keep`` are kept."""
    target = Path(os.path.realpath(path))
    try:
        saved = make_backup(target, link=False)
    except OSError as err:
        raise OutputError(f"{path}: cannot write a backup ({_why(err)}); nothing was changed") from None
    prune_backups(target, keep)
    return saved


def prune_backups(path: str | Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` backups of ``path``; returns the removed ones."""
    removed = []
    for b in list_backups(path)[max(keep, 0):]:
        try:
            b.path.unlink()
            removed.append(b.path)
        except OSError:  # a backup someone holds open stays; the next run tries again
            pass
    return removed


def restore_backup(path: str | Path, backup: str | Path | None = None, *,
                   keep: int = KEEP_BACKUPS) -> tuple[Path, Path]:
    """Put a backup of ``path`` back (the newest, or the one named); returns (restored, saved).

    The current file is itself backed up first (``saved``), so a restore can be undone.
    """
    given = Path(path)
    backups = list_backups(given)
    if backup is None:
        if not backups:
            raise OutputError(f"{given}: no backups found beside it (names like "
                              f"{given.stem}.backup-YYYYmmdd-HHMMSS{given.suffix})")
        chosen = backups[0].path
    else:
        named = next((b.path for b in backups if b.path.name == Path(backup).name), None)
        if named is None:
            names = ", ".join(b.path.name for b in backups) or "none"
            raise OutputError(f"{given}: no backup named {Path(backup).name} (backups: {names})")
        chosen = named
    with writing(given) as target:
        saved = write_atomic(target, lambda tmp: shutil.copyfile(chosen, tmp), backup=True, keep=keep)
    return chosen, saved or target
