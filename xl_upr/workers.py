"""A large job split over two processes: the second part of a list of items in a forked child.

Matching holds Python's interpreter lock for much of its work (normalising, profiling, the
explanations), so threads alone leave a second core idle. On Linux with two or more cores,
`in_two` runs a function on the first part of the items here and on the rest in a child
process that starts with this process's memory (the loaded index, the embeddings) for free.
The child sends its pickled answer through a pipe and exits. If it fails in any way, this
process does the rest too: the answer never depends on the split.

Only Linux: there fork is cheap and safe; macOS's system libraries are not fork-safe and
Windows has no fork (both run everything in one process). ``XL_UPR_WORKERS=1`` turns the
split off.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


_IN_CHILD = False


def available() -> bool:
    """Whether a job can be split: Linux, two usable cores, not turned off, not in a child."""
    if _IN_CHILD or not sys.platform.startswith("linux") or not hasattr(os, "fork") \
            or os.environ.get("XL_UPR_WORKERS") == "1":
        return False
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except OSError:
        return (os.cpu_count() or 1) >= 2


def in_two(items: Sequence[T], at: int, run: Callable[[Sequence[T]], R], encode: Callable[[R], Any],
           decode: Callable[[Any], R]) -> tuple[R, R]:
    """``(run(items[:at]), run(items[at:]))``, the second computed in a child process.

    The child returns ``encode(result)`` (picklable); this process turns it back with
    ``decode``. A child that fails, is killed or sends nothing gets its part redone here."""
    read_fd, write_fd = os.pipe()
    gc.freeze()  # the child's collector then leaves the inherited objects (and their pages) alone
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # Python 3.12+: "fork with threads running"
            pid = os.fork()
    except OSError:  # no memory or processes left for a child: one process does it all
        gc.unfreeze()
        os.close(read_fd)
        os.close(write_fd)
        return run(items[:at]), run(items[at:])
    if pid == 0:  # pragma: no cover - runs in the child (its coverage is not collected)
        _child(items[at:], run, encode, read_fd, write_fd)
    gc.unfreeze()
    os.close(write_fd)
    try:
        with os.fdopen(read_fd, "rb") as pipe:
            first = run(items[:at])
            data = pipe.read()
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        _, status = os.waitpid(pid, 0)
    if status == 0 and data:
        try:
            return first, decode(pickle.loads(data))
        except Exception:  # noqa: BLE001 - a damaged answer is redone, never trusted
            pass
    return first, run(items[at:])


def _child(part: Sequence[T], run: Callable[[Sequence[T]], R], encode: Callable[[R], Any], read_fd: int,
           write_fd: int) -> None:  # pragma: no cover - runs in the child
    global _IN_CHILD
    _IN_CHILD = True
    code = 1
    try:
        os.close(read_fd)
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends the child at once; the parent reports it
        warnings.simplefilter("ignore")  # the parent has said whatever there is to say
        data = pickle.dumps(encode(run(part)), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(data)
        code = 0
    except BaseException:  # noqa: BLE001, S110 - the parent redoes this part
        pass
    finally:
        os._exit(code)
