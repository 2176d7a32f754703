"""Partial-order reduction for BMC unrollings: one order for adjacent independent steps.

Two ground transitions are independent when neither writes a slot the other reads or
writes: from any state where both can fire in sequence, firing them in the other order is
possible too and ends in the same state. So every path of length d can be rewritten, by
swapping adjacent independent steps, into one that never fires a higher-numbered transition
right before a lower-numbered independent one (the lexicographic normal form of its trace),
and that path has the same length and the same last state. BMC only asks about the last
state of a path (earlier states are constrained by facts true of every reachable state), so
forbidding the other order loses no violation and no depth, and cuts the interleavings the
solver has to refute.

Not used in the k-induction step case: there the window's intermediate states matter
(property and simple-path constraints on each of them).
"""
from __future__ import annotations

from mmspec.ground import TRUE, GExpr, GIte, GOp, GroundSystem, GSlot, GTransition


def slots_read(e: GExpr, acc: set[int]) -> set[int]:
    stack = [e]
    seen: set[int] = set()
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if isinstance(x, GSlot):
            acc.add(x.index)
        elif isinstance(x, GIte):
            stack += [x.cond, x.then, x.other]
        elif isinstance(x, GOp):
            stack += list(x.args)
    return acc


def independent_pairs(system: GroundSystem) -> list[tuple[int, int]]:
    """(a, b) with a < b for every pair of independent transitions."""
    ts = system.transitions
    if any(t.explore != TRUE for t in ts):
        return []  # a constraint sees the intermediate state: reordering is not sound
    reads, writes = [], []
    for t in ts:
        r: set[int] = set()
        slots_read(t.guard, r)
        for _, e in t.updates:
            slots_read(e, r)
        for g in t.reads + t.fire_reads:  # the domain conditions (mmspec.ground.GRead)
            slots_read(g.ok, r)
        reads.append(r)
        writes.append({k for k, _ in t.updates})
    out = []
    for b in range(len(ts)):
        for a in range(b):
            if _commute(reads[a], writes[a], reads[b], writes[b]):
                out.append((a, b))
    return out


def _commute(ra: set[int], wa: set[int], rb: set[int], wb: set[int]) -> bool:
    return not (wa & (rb | wb)) and not (wb & ra)


def count(ts: tuple[GTransition, ...], pairs: list[tuple[int, int]]) -> str:
    n = len(ts)
    return f"{len(pairs)} of {n * (n - 1) // 2} transition pairs independent"
