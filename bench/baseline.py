"""The plain baseline: the BFS a careful Python programmer writes first.

States are tuples, the visited set is a dict {state: parent}, the queue a deque, and ground
expressions are compiled to nested closures (no generated source, no packing). It checks
invariants and ranges like the real engine, so the comparison in bench/run.py is between two
correct checkers timed in the same run on the same machine.
"""
from __future__ import annotations

import time
from collections import deque
from typing import Callable

from mmspec.ground import GExpr, GIte, GLit, GroundSystem, GSlot, wrap_value

Fn = Callable[[tuple], int]

_BIN: dict[str, Callable[[int, int], int]] = {
    "eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b, "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b,
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a // b if b else 0, "mod": lambda a, b: a % b if b else 0,
    "implies": lambda a, b: (not a) or bool(b), "iff": lambda a, b: bool(a) == bool(b),
}


def closure(e: GExpr) -> Fn:
    if isinstance(e, GLit):
        v = e.value
        return lambda s: v
    if isinstance(e, GSlot):
        k = e.index
        return lambda s: s[k]
    if isinstance(e, GIte):
        c, a, b = closure(e.cond), closure(e.then), closure(e.other)
        return lambda s: a(s) if c(s) else b(s)
    args = [closure(a) for a in e.args]
    op = e.op
    if op == "and":
        return lambda s: all(f(s) for f in args)
    if op == "or":
        return lambda s: any(f(s) for f in args)
    if op == "not":
        f = args[0]
        return lambda s: not f(s)
    if op == "neg":
        f = args[0]
        return lambda s: -f(s)
    if op in ("min", "max"):
        agg = min if op == "min" else max
        return lambda s: agg(f(s) for f in args)
    fa, fb = args
    g = _BIN[op]
    return lambda s: g(fa(s), fb(s))


def bfs(system: GroundSystem, max_states: int | None = None) -> dict[str, object]:
    """Explore like the explicit engine (invariants, ranges); stop at max_states."""
    start = time.perf_counter()
    ts = []
    for t in system.transitions:
        ups = [(k, closure(e), system.slots[k]) for k, e in t.updates]
        ts.append((closure(t.guard), ups))
    invs = [closure(i.expr) for i in system.invariants]
    seen: dict[tuple, tuple | None] = {}
    queue: deque[tuple] = deque()
    for s in system.init:
        if s not in seen:
            seen[s] = None
            queue.append(s)
    generated = len(system.init)
    verdict = "ok"
    while queue and verdict == "ok":
        s = queue.popleft()
        for guard, ups in ts:
            if not guard(s):
                continue
            generated += 1
            n = list(s)
            for k, f, slot in ups:
                v = f(s)
                if slot.wrap:
                    v = wrap_value(slot, v)
                elif not slot.lo <= v <= slot.hi:
                    verdict = "violation"
                n[k] = v
            t = tuple(n)
            if t not in seen:
                seen[t] = s
                queue.append(t)
                if not all(f(t) for f in invs):
                    verdict = "violation"
                if max_states is not None and len(seen) >= max_states:
                    verdict = "capped"
                    break
    return {"distinct": len(seen), "generated": generated, "verdict": verdict,
            "seconds": time.perf_counter() - start}
