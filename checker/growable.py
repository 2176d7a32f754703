"""An append-only numpy array that grows without copying.

It grows by `ndarray.resize`, which is realloc: large blocks are moved by remapping pages,
not copied. LIMITATION: numpy zero-fills the new tail, so a buffer's whole capacity (up to
twice what it holds) becomes resident; on vma_lock_refcnt at READERS=5 that is ~210 MB of
the graph's peak (see docs/liveness.md).
Used for what a search appends chunk by chunk and keeps (the vector engine's state graph) and
for the liveness analysis's subgraphs.
"""
from __future__ import annotations

import numpy as np


class Growable:
    """An append-only 1-D array."""

    def __init__(self, dtype: type | np.dtype, cap: int = 1 << 12):
        self.buf = np.empty(cap, dtype)
        self.n = 0

    def append(self, a: np.ndarray) -> None:
        need = self.n + len(a)
        if need > len(self.buf):
            self.buf.resize(max(need, 2 * len(self.buf)), refcheck=False)
        self.buf[self.n:need] = a
        self.n = need

    def view(self) -> np.ndarray:
        return self.buf[:self.n]

    @property
    def nbytes(self) -> int:
        return self.n * self.buf.itemsize
