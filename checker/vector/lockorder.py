"""Lock-order (lockdep) edges computed over whole chunks of packed states.

The rule is checker/lockorder.py's, shared with the explicit engine: a thread's step with a
blocking acquire orders every other lock the thread holds before the acquired one. What an
acquiring step adds depends only on which locks its thread holds, with which subclass; so per
chunk and per such step, one array expression gives each enabled row a *held key* (a bit per
lock held, plus the subclass it is held with), `np.unique` finds the first row of each key, and
only keys this step has never fired with before are unpacked and handed to the shared rule.
That is exactly when the explicit kernel calls its hook (the first firing of a step with a
given held set), so edges enter the graph in the same order, with the same witnesses (the
first firing in BFS order, i.e. the shortest), and the first cycle closed is the same.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from checker import lockorder
from checker.lockorder import Edge, LockOrderGraph
from mmspec.ground import GroundSystem

from .layout import Layout


@dataclass(frozen=True)
class _Held:
    """How one lock enters a step's held key: owner slot, reader slot, subclass slot."""

    owner: int
    reader: int | None
    sub: int | None


@dataclass
class Candidate:
    """A step firing with a held key not seen before in its chunk (maybe not globally)."""

    order: int  # local row * T + transition: the explicit engine's expansion order
    step: int
    key: int
    state: tuple[int, ...]


class ChunkLockOrder:
    """The lock-order graph of one vector search, fed a chunk at a time."""

    def __init__(self, system: GroundSystem, layout: Layout):
        self.system = system
        self.layout = layout
        self.graph = LockOrderGraph()
        self.cycle: list[Edge] | None = None
        self.steps = set(lockorder.lock_order_steps(system))
        self.seen: dict[int, set[int]] = {i: set() for i in self.steps}
        self.held: dict[int, list[_Held]] = {}
        for i in self.steps:
            tid = system.transitions[i].thread
            assert tid is not None
            self.held[i] = [_Held(lk.owner, lk.readers[tid] if lk.readers else None,
                                  lk.subclass[tid] if lk.subclass else None)
                            for lk in system.locks]

    def _slot(self, words: list[np.ndarray], rows: np.ndarray, i: int) -> np.ndarray:
        f = self.layout.fields[i]
        w = words[f.word][rows]
        v: np.ndarray = ((w >> np.uint64(f.shift)) & np.uint64(f.mask)).view(np.int64)
        return v + f.lo if f.lo else v

    def _keys(self, words: list[np.ndarray], rows: np.ndarray, i: int) -> np.ndarray:
        """Each row's held key for step i (injective on (held, subclass) per lock)."""
        tid = self.system.transitions[i].thread
        key = np.zeros(len(rows), np.int64)
        cols: list[np.ndarray] = []
        for h in self.held[i]:
            held = self._slot(words, rows, h.owner) == tid
            if h.reader is not None:
                held |= self._slot(words, rows, h.reader) != 0
            col = held.astype(np.int64)
            if h.sub is not None:
                col *= self._slot(words, rows, h.sub) - self.layout.fields[h.sub].lo + 1
            cols.append(col)
        width = [1 + (0 if h.sub is None else self.layout.fields[h.sub].bits + 1)
                 for h in self.held[i]]
        if sum(width) <= 62:
            pos = 0
            for c, b in zip(cols, width):
                key |= c << pos
                pos += b
            return key
        # LIMITATION: very many locks: number the distinct held sets instead (slower)
        _, inv = np.unique(np.stack(cols, 1), axis=0, return_inverse=True)
        return inv.reshape(-1).astype(np.int64) + (1 << 62)

    def candidates(self, words: list[np.ndarray], i: int, rows: np.ndarray,
                   T: int) -> list[Candidate]:
        """The first row of each held key of step i not yet seen (rows ascending)."""
        if i not in self.steps or not len(rows):
            return []
        keys = self._keys(words, rows, i)
        uniq, first = np.unique(keys, return_index=True)
        seen = self.seen[i]
        out = []
        for k, j in zip(uniq.tolist(), first.tolist()):
            if k in seen:
                continue
            r = int(rows[j])
            st = self.layout.unpack(tuple(int(w[r]) for w in words))
            out.append(Candidate(r * T + i, i, k, st))
        return out

    def commit(self, cands: list[Candidate], limit: int | None, level: int, base: int,
               T: int) -> None:
        """Record the candidates with order below `limit` (all when None), in order.
        Witnesses are (level, index in the level, step)."""
        for c in sorted(cands, key=lambda c: c.order):
            if limit is not None and c.order >= limit:
                break
            seen = self.seen[c.step]
            if c.key in seen:
                continue
            seen.add(c.key)
            chain = lockorder.record(self.graph, self.system, c.step, c.state,
                                     (level, base + c.order // T, c.step))
            if chain is not None and self.cycle is None:
                self.cycle = chain
