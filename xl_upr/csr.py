"""A sparse matrix as compressed rows (three numpy arrays) and the one product the matcher takes.

No scipy at run time: importing scipy.sparse costs a command-line run about 0.15 s (it loads
most of numpy's namespace). `accumulate` adds ``value x row`` products in float32 in the order
given, which is what scipy's CSR product does, so scores are the same bit for bit (tested).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Products added per step of `accumulate`: its temporary arrays stay near 1-2 MB each, which the
#: allocator hands out again step after step (at 1 << 20 each step mapped fresh pages: 60k more
#: page faults and 7% more wall time for 3,000 queries x 10k records).
_STEP = 1 << 18


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, ascending: ``np.unique(values)`` without the masked-array module it
    imports on first use (13 ms, in each process of a split run).

    >>> distinct(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    v = np.sort(values, axis=None)
    return v[np.concatenate(([True], v[1:] != v[:-1]))] if len(v) else v


def stable_order(keys: np.ndarray, top: int) -> np.ndarray:
    """``np.argsort(keys, kind="stable")`` of integers in ``[0, top)``, by 16-bit digits, least
    significant first: numpy sorts 16-bit integers by radix, ten times faster than wider ones.

    >>> stable_order(np.array([70000, 3, 70000, 2, 3]), 70001).tolist()
    [3, 1, 4, 0, 2]
    """
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    shift = 16
    while top > 1 << shift:
        digit = ((keys[order] >> shift) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
        shift += 16
    return order


@dataclass
class Csr:
    """Rows ``indptr[i]:indptr[i+1]`` of ``indices`` (columns) and ``data``; ``shape`` (rows, columns)."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    shape: tuple[int, int]

    def transpose(self) -> Csr:
        """The columns as rows, each with its row numbers ascending."""
        n, m = self.shape
        order = stable_order(self.indices, m)
        rows = np.repeat(np.arange(n, dtype=np.int32), np.diff(self.indptr))
        ptr = np.zeros(m + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.indices, minlength=m), out=ptr[1:])
        return Csr(ptr, rows[order], self.data[order], (m, n))


def accumulate(out: np.ndarray, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, m: Csr) -> None:
    """``out[r] += v * m[c]`` for every (r, c, v), in order, in float32 (``out``: rows x m's columns).

    One product per stored entry of the rows of ``m`` named; a cell gets its products added one
    by one in the order of the triples (scipy's CSR product adds them in column order)."""
    flat = out.reshape(-1)
    width = out.shape[1]
    small = int(m.indptr[-1]) < 2**31 and out.size < 2**31
    kind = np.int32 if small else np.int64  # positions in 32 bits where they fit: half the memory traffic
    lens = (m.indptr[cols + 1] - m.indptr[cols]).astype(np.int64)
    keep = lens > 0
    rows, cols, values, lens = rows[keep], cols[keep], values[keep], lens[keep]
    ends = np.cumsum(lens)
    start = 0
    while start < len(cols):
        stop = int(np.searchsorted(ends, (ends[start - 1] if start else 0) + _STEP, side="right"))
        stop = max(stop, start + 1)
        part = lens[start:stop]
        first = m.indptr[cols[start:stop]]
        # the entries of the rows named, run after run, as one running sum of steps: +1 within a
        # run, a jump to the next run's first entry where one starts
        step = np.ones(int(part.sum()), dtype=kind)
        step[0] = first[0]
        step[(np.cumsum(part) - part)[1:]] = first[1:] - (first[:-1] + part[:-1] - 1)
        at = np.cumsum(step, dtype=kind)
        products = np.repeat(values[start:stop].astype(np.float32), part) * m.data[at]
        target = np.repeat((rows[start:stop] * width).astype(kind), part) + m.indices[at].astype(kind, copy=False)
        np.add.at(flat, target, products)
        start = stop
