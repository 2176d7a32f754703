"""Lockdep-style lock-order graph: "acquired B while holding A" edges between lock classes.

Engine-independent: an engine reports each (held key, acquired key) pair in exploration
order with an opaque witness; the first witness of an edge is kept (in BFS order, the
shortest). A new edge that closes a cycle is returned as the chain to report, closing edge
first, then the existing path back to its source. A self-loop between two instances of one
class and subclass counts, as lockdep's "possible recursive locking".

The rule, one for every engine (explicit and vector both read it from here): a step makes
edges when it belongs to a thread and has a blocking acquire (`lock_order_steps`); in its
pre-state every other lock that thread holds (as owner, or as a reader of an rwsem), with the
subclass it holds it with, gives an edge to the acquired (class, subclass), in the order of
`acquire_edges`. A trylock cannot wait, so it orders nothing (as lockdep).
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

from checker.details import ChainEdge, LockOrderDetails
from checker.options import CheckOptions
from checker.result import Trace, Violation
from mmspec.ground import GLock, GroundSystem, GTransition

Key = tuple[str, int]  # (lock class, lockdep subclass)
# lockdep_set_novalidate_class(): the kernel's class for locks lockdep does not validate;
# they make no order edges either way (docs/kernel.md)
NO_VALIDATE = "__lockdep_no_validate__"


def key_name(k: Key) -> str:
    return f"{k[0]}/{k[1]}"


@dataclass(frozen=True)
class Edge:
    src: Key
    dst: Key
    thread: int | None
    witness: Any  # engine specific: enough to rebuild the trace that first made this edge
    step: int = -1  # the acquiring ground transition (index into system.transitions)


class LockOrderGraph:
    def __init__(self) -> None:
        self.edges: dict[tuple[Key, Key], Edge] = {}
        self.succ: dict[Key, list[Key]] = {}

    def add(self, src: Key, dst: Key, thread: int | None, witness: Any,
            step: int = -1) -> list[Edge] | None:
        """Record src -> dst; the cycle chain if this new edge closes one, else None."""
        if (src, dst) in self.edges:
            return None
        edge = Edge(src, dst, thread, witness, step)
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


# --------------------------------------------------------------------------- the shared rule


def wanted(system: GroundSystem, options: CheckOptions | None) -> bool:
    """Whether lock order is analysed at all: as the spec says unless the options say."""
    flag = system.check_lock_order if options is None or options.lock_order is None \
        else options.lock_order
    return bool(flag) and bool(lock_order_steps(system))


def lock_order_steps(system: GroundSystem) -> list[int]:
    """The ground transitions that make lock-order edges: a thread's blocking acquires."""
    return [i for i, t in enumerate(system.transitions)
            if t.thread is not None and any(a.blocking for a in t.acquires)]


def ordered_pairs(system: GroundSystem, t: GTransition) -> Iterator[tuple[int, GLock, Key]]:
    """The rule's shape, shared by every engine: a thread's blocking acquire of lock A
    orders A after every other lock `held` (in whatever state, concrete or symbolic, the
    caller asks about). Yields (thread, held lock, acquired key) in the order edges are added."""
    tid = t.thread
    if tid is None:
        return
    for a in t.acquires:
        if not a.blocking or system.locks[a.lock].cls == NO_VALIDATE:
            continue
        dst = (system.locks[a.lock].cls, a.subclass)
        for li, lk in enumerate(system.locks):
            if li != a.lock and lk.cls != NO_VALIDATE:
                yield tid, lk, dst


def acquire_edges(system: GroundSystem, t: GTransition,
                  state: Sequence[int]) -> list[tuple[Key, Key]]:
    """The (held, acquired) edges step t makes from `state`, in the order they are added."""
    out: list[tuple[Key, Key]] = []
    for tid, lk, dst in ordered_pairs(system, t):
        if not (state[lk.owner] == tid or bool(lk.readers and state[lk.readers[tid]])):
            continue
        sub = state[lk.subclass[tid]] if lk.subclass else 0
        out.append(((lk.cls, sub), dst))
    return out


def record(graph: LockOrderGraph, system: GroundSystem, i: int, state: Sequence[int],
           witness: Any) -> list[Edge] | None:
    """Add step i's edges from `state`; the first cycle chain they close, if any."""
    first: list[Edge] | None = None
    tid = system.transitions[i].thread
    for src, dst in acquire_edges(system, system.transitions[i], state):
        chain = graph.add(src, dst, tid, witness, i)
        if chain is not None and first is None:
            first = chain
    return first


def violation(system: GroundSystem, chain: list[Edge],
              trace_of: Callable[[Edge], Trace]) -> Violation:
    """The lock-order Violation for a cycle chain; `trace_of` rebuilds an edge's witness."""
    witnesses = [trace_of(e) for e in chain]
    closing = system.transitions[chain[0].step]
    return Violation("lock-order", "lock-order", cycle_message(chain), witnesses[0],
                     closing.span, chain_details(system, chain, witnesses))


def chain_details(system: GroundSystem, chain: list[Edge],
                  witnesses: list[Trace]) -> LockOrderDetails:
    """The typed details of a lock-order cycle (every engine reports this shape)."""
    threads = system.spec.threads
    return LockOrderDetails(
        tuple(ChainEdge(key_name(e.src), key_name(e.dst),
                        threads[e.thread].name if e.thread is not None else None, len(w))
              for e, w in zip(chain, witnesses)),
        tuple(witnesses))
