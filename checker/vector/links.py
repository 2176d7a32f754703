"""How the engine finds the path to a state: per-level parent links, stored or derived.

Without liveness the engine stores, per BFS level, each state's parent index in the previous
level and the transition that produced it (`StoredLinks`, 5 bytes a state). With liveness the
recorded state graph (graph.py) already holds that information, so `GraphLinks` reads it off
the edges instead of storing it twice: states are numbered in BFS discovery order and each
state's edges are listed in transition order, so the BFS parent of a state v at level L >= 1
is the source of the first edge into v (in (source, transition) order) and that edge's
transition is the step. No earlier state has an edge into v (it would have discovered v one
level sooner), so only the edges out of level L-1 need scanning: one pass over them per step
of a path, done only when a trace is built.

Level 0 keeps each initial state's index into `system.init` (or its InitSpace candidate).
"""
from __future__ import annotations

from typing import Protocol

import numpy as np

from .graph import GraphRecorder


class Links(Protocol):
    sizes: list[int]  # states per finished level

    @property
    def nbytes(self) -> int: ...

    def init_index(self, i: int) -> int: ...

    def path(self, level: int, index: int) -> tuple[int, list[int]]: ...


class StoredLinks:
    """Per level: each state's parent index in the previous level and its transition."""

    def __init__(self, init: np.ndarray):
        self.init = init
        self.levels: list[tuple[np.ndarray, np.ndarray]] = []
        self.sizes = [len(init)]
        self.nbytes = init.nbytes

    def init_index(self, i: int) -> int:
        return int(self.init[i])

    def add_level(self, parent: np.ndarray, trans: np.ndarray) -> None:
        self.levels.append((parent, trans))
        self.sizes.append(len(parent))
        self.nbytes += parent.nbytes + trans.nbytes

    def path(self, level: int, index: int) -> tuple[int, list[int]]:
        """(index into system.init, transition indices) leading to state `index` of `level`."""
        ts: list[int] = []
        for lv in range(level, 0, -1):
            parent, trans = self.levels[lv - 1]
            ts.append(int(trans[index]))
            index = int(parent[index])
        return self.init_index(index), ts[::-1]


class GraphLinks:
    """Parent links read off the recorded graph (see the module docstring)."""

    def __init__(self, init: np.ndarray, graph: GraphRecorder):
        self.init = init
        self.graph = graph
        self.sizes = [len(init)]
        self.starts = [0, len(init)]  # first state id of each level (and one past the last)
        self.edge_starts = [0]  # first edge of each finished level's states

    @property
    def nbytes(self) -> int:
        return int(self.init.nbytes)

    def init_index(self, i: int) -> int:
        return int(self.init[i])

    def add_level(self, n: int) -> None:
        """The level just expanded is complete in the graph: note where its edges end, and
        that the next level has `n` states."""
        self.edge_starts.append(self.graph.dst.n)
        self.sizes.append(n)
        self.starts.append(self.starts[-1] + n)

    def parent(self, v: int) -> tuple[int, int]:
        """(BFS parent id, transition) of state id v, or (-1, -1) for an initial state."""
        lv = int(np.searchsorted(self.starts, v, side="right")) - 1
        if lv == 0:
            return -1, -1
        s0, s1 = self.starts[lv - 1], self.starts[lv]
        e0, e1 = self.edge_starts[lv - 1], self.edge_starts[lv]
        hits = self.graph.dst.view()[e0:e1] == v
        pos = int(np.argmax(hits))
        assert hits[pos], "every state after level 0 has an edge into it from the level before"
        ends = np.cumsum(self.graph.deg.view()[s0:s1], dtype=np.int64)
        row = int(np.searchsorted(ends, pos, side="right"))
        return s0 + row, int(self.graph.trans.view()[e0 + pos])

    def path(self, level: int, index: int) -> tuple[int, list[int]]:
        v = self.starts[level] + index
        ts: list[int] = []
        while True:
            u, t = self.parent(v)
            if u < 0:
                return self.init_index(v), ts[::-1]
            ts.append(t)
            v = u
