"""Strongly connected components of a subgraph of an array state graph, with scipy.

scipy.sparse.csgraph.connected_components(connection="strong") is a compiled O(V+E) pass over
a CSR matrix (scipy is a well-kept library; the graphs reach 10^7 states). It wants int32
indices and offsets, and it loops forever on a row that lists the same target twice
(self-loops are harmless). The subgraph is an edge selection made a block of rows at a time;
an edge outside it, a self-loop, and a repeat of an edge earlier in its row are *dropped*
(none of them changes a component). One bit per edge records which edges are dropped.

Two ways to hand scipy the subgraph; each call takes the one that needs less memory:
- copied: the kept edges as a new int32 CSR (4 bytes per kept edge and per state);
- in place: the graph's own arrays (its uint32 targets viewed as int32, its int32 offsets)
  with every dropped edge turned into a self-loop for the duration of the call and put back
  afterwards (4 bytes per dropped edge to remember its target).
The component labels do not depend on the way (callers compare labels, never order them).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Literal

import numpy as np

if TYPE_CHECKING:
    from checker.liveness_arrays import ArrayGraph, _Block

Marks = list[tuple[int, int, np.ndarray]]  # per block: first edge, end edge, packed drop bits


def sorted_unique(a: np.ndarray) -> np.ndarray:
    """np.unique by sorting in place (numpy 2's hash-based unique is far slower here)."""
    a.sort()
    if len(a) < 2:
        return a
    keep = np.empty(len(a), bool)
    keep[0] = True
    np.not_equal(a[1:], a[:-1], out=keep[1:])
    out: np.ndarray = a[keep]
    return out


def first_occurrences(v: np.ndarray) -> np.ndarray:
    """Indices of the first occurrence of each distinct value of v, ascending."""
    if not len(v):
        return np.zeros(0, np.int64)
    order = np.argsort(v, kind="stable")
    sv = v[order]
    first = np.empty(len(v), bool)
    first[0] = True
    np.not_equal(sv[1:], sv[:-1], out=first[1:])
    out: np.ndarray = np.sort(order[first])
    return out


def _dropped(b: _Block, keep: np.ndarray) -> np.ndarray:
    """The block's edges scipy must not see: not kept, self-loops, repeats within a row."""
    drop = ~keep
    drop |= b.src == b.dst
    idx = np.flatnonzero(~drop)
    key = ((b.src[idx] - b.r0) << 32) | b.dst[idx]
    sk = np.sort(key)
    repeated = sk[1:][sk[1:] == sk[:-1]]
    if len(repeated):  # rare: two transitions of a state reach the same successor
        cand = np.flatnonzero(np.isin(key, repeated))
        later = np.ones(len(cand), bool)
        later[first_occurrences(key[cand])] = False
        drop[idx[cand[later]]] = True
    return drop


def _unpack(packed: np.ndarray, count: int) -> np.ndarray:
    out: np.ndarray = np.unpackbits(packed, count=count).view(bool)
    return out


def _components(n: int, indices: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    from scipy.sparse import csr_matrix  # type: ignore[import-untyped]
    from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]

    data = np.broadcast_to(np.float64(1.0), (len(indices),))  # no 8-byte copy per edge
    m = csr_matrix((data, indices, indptr), shape=(n, n), copy=False)
    _, labels = connected_components(m, directed=True, connection="strong")
    out: np.ndarray = labels.astype(np.int32, copy=False)
    return out


Way = Literal["auto", "copied", "in_place"]


def strong_components(g: ArrayGraph, keep: Callable[[_Block], np.ndarray],
                      way: Way = "auto") -> np.ndarray:
    """Strongly connected component label (int32) of every state, over the edges `keep`
    selects per block (see the module docstring; `way` forces one, for tests)."""
    marks: Marks = []
    dropped = 0
    for b in g.blocks():
        drop = _dropped(b, keep(b))
        dropped += int(np.count_nonzero(drop))
        marks.append((b.p0, b.p1, np.packbits(drop)))
    kept = len(g.dst) - dropped
    can = (g.indptr.dtype == np.int32 and g.dst.dtype in (np.uint32, np.int32)
           and g.dst.flags.writeable)
    in_place = can and (way == "in_place" or (way == "auto" and dropped < kept + g.n))
    return _in_place(g, marks, dropped) if in_place else _copied(g, marks, kept)


def _in_place(g: ArrayGraph, marks: Marks, dropped: int) -> np.ndarray:
    dst, indptr = g.dst, g.indptr
    saved = np.empty(dropped, dst.dtype)  # the dropped edges' targets, in edge order
    done, at = 0, 0
    try:
        for p0, p1, packed in marks:
            pos = np.flatnonzero(_unpack(packed, p1 - p0)) + p0
            saved[at:at + len(pos)] = dst[pos]
            # the edge's source; positions in indptr's dtype (they fit: they index dst), or
            # numpy would search an int64 copy of the whole indptr for every block
            dst[pos] = np.searchsorted(indptr, pos.astype(indptr.dtype), side="right") - 1
            at += len(pos)
            done += 1
        return _components(g.n, dst.view(np.int32), indptr)
    finally:
        at = 0
        for p0, p1, packed in marks[:done]:
            pos = np.flatnonzero(_unpack(packed, p1 - p0)) + p0
            dst[pos] = saved[at:at + len(pos)]
            at += len(pos)


def _copied(g: ArrayGraph, marks: Marks, kept: int) -> np.ndarray:
    n = g.n
    counts = np.zeros(n, np.int32)
    dsts = np.empty(kept, np.int32)
    at = 0
    for b, (_, _, packed) in zip(g.blocks(), marks):
        k = ~_unpack(packed, b.p1 - b.p0)
        d = b.dst[k]
        counts[b.r0:b.r1] = np.bincount(b.src[k] - b.r0, minlength=b.r1 - b.r0)
        dsts[at:at + len(d)] = d
        at += len(d)
    wide = kept >= 2**31
    indptr = np.zeros(n + 1, np.int64 if wide else np.int32)
    np.cumsum(counts, out=indptr[1:])
    del counts
    return _components(n, dsts, indptr)
