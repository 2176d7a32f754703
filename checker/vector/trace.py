"""Rebuilding counterexamples from per-level parent links.

The engine knows, per BFS level, the parent's index in the previous level and the ground
transition that produced each state (links.py; level 0 keeps the index into `system.init`).
Ground transitions are deterministic, so a path is replayed from its initial state with the
reference interpreter: no packed state needs to be stored for traces.

Under symmetry reduction the links connect canonical states; replaying from the original
initial state, each step picks the first enabled transition (in `system.transitions` order)
whose successor has the recorded canonical form (steps with a range error are skipped), so
the trace is a real execution, chosen as the explicit engine chooses it.
"""
from __future__ import annotations

from typing import Callable

from mmspec.ground import GroundSystem, GTransition, InitSpace, eval_gexpr

from .diagnose import range_error
from .diagnose import successor as step


def init_state(system: GroundSystem, i: int) -> tuple[int, ...]:
    """Initial state number i: an index into system.init, or an InitSpace candidate."""
    init = system.init
    return init.candidate(i) if isinstance(init, InitSpace) else init[i]


def replay(system: GroundSystem, init_index: int, ts: list[int],
           canon: Callable[[tuple[int, ...]], tuple[int, ...]] | None = None,
           ) -> tuple[list[tuple[int, ...]], list[GTransition | None]]:
    """States and transitions of the path, as build_trace wants them."""
    s = init_state(system, init_index)
    states: list[tuple[int, ...]] = [s]
    trans: list[GTransition | None] = [None]
    if canon is None:
        for ti in ts:
            t = system.transitions[ti]
            s = step(system, t, s)
            states.append(s)
            trans.append(t)
        return states, trans
    c = canon(s)
    for ti in ts:
        target = canon(step(system, system.transitions[ti], c))
        for t in system.transitions:
            if eval_gexpr(t.guard, s) and range_error(system, t, s) is None:
                n = step(system, t, s)
                if canon(n) == target:
                    break
        else:  # pragma: no cover - the symmetry group does not preserve the transitions
            raise AssertionError("symmetry: no step of the trace maps to the recorded state")
        s, c = n, target
        states.append(s)
        trans.append(t)
    return states, trans
