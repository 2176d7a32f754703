"""Lockdep-style lock-order graph: "acquired B while holding A" edges between lock classes.

Engine-independent: an engine reports each (held key, acquired key) pair in exploration
order with an opaque witness; the first witness of an edge is kept (in BFS order, the
shortest). A new edge that closes a cycle is returned as the chain to report, closing edge
first, then the existing path back to its source. A self-loop between two instances of one
class and subclass counts, as lockdep's "possible recursive locking".
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

Key = tuple[str, int]  # (lock class, lockdep subclass)


def key_name(k: Key) -> str:
    return f"{k[0]}/{k[1]}"


@dataclass(frozen=True)
class Edge:
    src: Key
    dst: Key
    thread: int | None
    witness: Any  # engine specific: enough to rebuild the trace that first made this edge


class LockOrderGraph:
    def __init__(self) -> None:
        self.edges: dict[tuple[Key, Key], Edge] = {}
        self.succ: dict[Key, list[Key]] = {}

    def add(self, src: Key, dst: Key, thread: int | None, witness: Any) -> list[Edge] | None:
        """Record src -> dst; the cycle chain if this new edge closes one, else None."""
        if (src, dst) in self.edges:
            return None
        edge = Edge(src, dst, thread, witness)
        back = None if src == dst else self.path(dst, src)
        self.edges[(src, dst)] = edge
        self.succ.setdefault(src, []).append(dst)
        if src == dst:
            return [edge]
        if back is None:
            return None
        return [edge] + [self.edges[p] for p in back]

    def path(self, a: Key, b: Key) -> list[tuple[Key, Key]] | None:
        """A shortest edge path a ~> b (BFS over edges in insertion order)."""
        prev: dict[Key, Key] = {}
        seen = {a}
        todo = deque([a])
        while todo:
            x = todo.popleft()
            if x == b:
                out = []
                while x != a:
                    out.append((prev[x], x))
                    x = prev[x]
                return out[::-1]
            for y in self.succ.get(x, []):
                if y not in seen:
                    seen.add(y)
                    prev[y] = x
                    todo.append(y)
        return None


def cycle_message(chain: list[Edge]) -> str:
    names = [key_name(e.src) for e in chain] + [key_name(chain[0].src)]
    if len(chain) == 1:
        return "possible recursive locking detected: " + " -> ".join(names)
    return "possible circular locking dependency: " + " -> ".join(names)
