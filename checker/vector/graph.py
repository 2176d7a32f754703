"""The state graph the vector engine records while it searches, for liveness.

States are numbered in BFS discovery order (the explicit engine's graph numbering). Per
expanded chunk the engine hands over its edges already in (parent, transition) order, as the
successor's number and the transition, and the truth of each liveness expression on the
chunk's parents; so after the search the graph is CSR arrays: out-degrees (prefix-summed into
`indptr`), targets (uint32) and transitions (uint8 when there are at most 256), about
5 bytes per edge and 1 to 9 per state.

Buffers grow in place (checker/growable.py: remapped, not copied, spare capacity never
touched where mremap exists), so recording costs no copies.
"""
from __future__ import annotations

import numpy as np

from checker.growable import Growable


class GraphRecorder:
    def __init__(self, transitions: int, exprs: int):
        self.T = max(1, transitions)
        tdt = np.uint8 if self.T <= 256 else (np.uint16 if self.T <= 65536 else np.uint32)
        ddt = np.uint8 if self.T < 256 else (np.uint16 if self.T < 65536 else np.uint32)
        self.deg = Growable(ddt)
        self.dst = Growable(np.uint32)
        self.trans = Growable(tdt)
        self.masks = [Growable(np.bool_) for _ in range(exprs)]

    def add_chunk(self, rows: int, order: np.ndarray, dst: np.ndarray,
                  masks: list[np.ndarray]) -> None:
        """One expanded chunk of `rows` parents: its edges by ascending order key (local row *
        T + transition) with their targets, and each expression's mask over the parents."""
        T = self.T
        self.deg.append(np.bincount(order // T, minlength=rows).astype(self.deg.dtype))
        self.dst.append(dst)
        self.trans.append(order % T)
        for g, m in zip(self.masks, masks):
            g.append(m)

    @property
    def nbytes(self) -> int:
        return (self.deg.nbytes + self.dst.nbytes + self.trans.nbytes
                + sum(m.nbytes for m in self.masks))

    def indptr(self) -> np.ndarray:
        deg = self.deg.view()
        wide = self.dst.n >= 2**31  # int32 offsets (4 bytes a state) while they fit
        out = np.zeros(len(deg) + 1, np.int64 if wide else np.int32)
        np.cumsum(deg, dtype=out.dtype, out=out[1:])  # no 8-byte temporary per state
        return out
