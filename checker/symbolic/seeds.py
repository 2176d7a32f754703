"""Reachable states sampled to guide IC3's generalisation.

IC3 spends most of its time generalising blocked cubes: dropping literals, each drop one
solver query, and blocking counterexamples to generalisation (CTGs), which are often
reachable states that can never be blocked. A breadth-first walk of the spec (the reference
semantics, compiled with liveness_eval) collects up to some thousands of reachable states;
Ic3.use_sample then skips every cube that holds one of them (no lemma of an invariant can),
starts each generalisation from the smallest sub-cube that misses them all, and does not try
to block a sampled CTG. Nothing here is trusted: the sample only decides which lemmas are
tried, every lemma is still proved relatively inductive by the solver, and the final
invariant is re-checked (pdr.verify_inductive). A state that were wrongly in the sample could
only make IC3 miss a lemma (a slower proof or none), never prove a false one.

(Houdini-style seeding with every pair of slot values the sample never shows was measured
first: on vma_lock_refcnt each solver round dropped about two of 1,358 candidates, minutes
in all; steering generalisation costs no query.)
"""
from __future__ import annotations

import time
from typing import Callable

from checker.liveness_eval import compile_gexpr
from mmspec.ground import TRUE, GroundSystem, GTransition, InitSpace, eval_gexpr, wrap_value

State = tuple[int, ...]


def sample_states(system: GroundSystem, max_states: int, seconds: float) -> list[State] | None:
    """Reachable states, breadth-first, up to `max_states` (or `seconds`); None when the
    initial states are not listed (they must all be in the sample: a candidate must miss
    them)."""
    if isinstance(system.init, InitSpace) and system.init.size > max_states:
        return None
    init = [s for s in system.init if eval_gexpr(system.constraint, s)]
    steps = [_compiled(system, t) for t in system.transitions]
    seen = dict.fromkeys(init)
    order = list(seen)
    pos = 0
    stop = time.monotonic() + seconds
    while pos < len(order) and len(order) < max_states and time.monotonic() < stop:
        s = order[pos]
        pos += 1
        for step in steps:
            n = step(s)
            if n is not None and n not in seen:
                seen[n] = None
                order.append(n)
    return order


def _compiled(system: GroundSystem, t: GTransition) -> Callable[[State], State | None]:
    """The successor of a state by transition t (None: not enabled, out of range, or an
    operation outside its domain: such a step is a violation, not a state)."""
    ok = compile_gexpr(t.reads_ok)
    guard = compile_gexpr(t.guard)
    explore = compile_gexpr(t.explore) if t.explore != TRUE else None
    fire_ok = compile_gexpr(t.fire_ok)
    ups = [(k, compile_gexpr(e), system.slots[k]) for k, e in t.updates]

    def succ(s: State) -> State | None:
        try:
            if not ok(s) or not guard(s) or (explore is not None and not explore(s)):
                return None
            if not fire_ok(s):
                return None
            n = list(s)
            for k, f, slot in ups:
                v = int(f(s))
                if slot.wrap:
                    v = wrap_value(slot, v)
                elif not slot.lo <= v <= slot.hi:
                    return None
                n[k] = v
            return tuple(n)
        except (ArithmeticError, IndexError, KeyError, ValueError):
            return None
    return succ
