"""The hint a TLC user needs on a liveness lasso: weak fairness could not rule it out, strong could.

Weak fairness only forbids a loop in which a step stays enabled *continuously* and is never
taken. A loop that keeps disabling the step between the states where it is enabled (a thread
that loses a race for a lock every time round) satisfies weak fairness; `fair strong` forbids
it too. Every engine builds its lasso from raw states, so the hint is computed here once, from
the loop alone, with the reference evaluator (loops are short).
"""
from __future__ import annotations

from typing import Sequence

from mmspec.ground import GroundSystem, GTransition, eval_gexpr

State = Sequence[int]


def _moves(t: GTransition, s: State) -> bool:
    """t is enabled in s and leaves it (a self-loop does not count, as in the liveness search)."""
    if not eval_gexpr(t.guard, s):
        return False
    return any(eval_gexpr(v, s) != s[slot] for slot, v in t.updates)


def strong_fairness_hints(system: GroundSystem, states: Sequence[State],
                          taken: Sequence[int | None], loop: int) -> list[str]:
    """One hint per weakly fair process or action that the loop starves intermittently.

    `states[i]` is the trace's i-th state, `taken[i]` the index of the transition that produced
    it (None for the first), and states[loop:] the loop (its last state repeats states[loop]).
    A constraint qualifies when it is never taken inside the loop, is enabled in some loop
    state, and is disabled in another: exactly the loops strong fairness excludes.
    """
    body = list(range(loop, len(states)))
    if len(body) < 2:
        return []  # a stuttering lasso: enabled everywhere on it or nowhere
    in_loop = {taken[i] for i in body[1:]}
    hints: list[str] = []
    for f in system.fairness:
        if f.kind != "weak" or in_loop.intersection(f.transitions):
            continue
        ts = [system.transitions[t] for t in f.transitions]
        enabled = [k for k, i in enumerate(body[:-1]) if any(_moves(t, states[i]) for t in ts)]
        if enabled and len(enabled) < len(body) - 1:
            where = ", ".join(str(body[k]) for k in enabled[:4])
            more = ", ..." if len(enabled) > 4 else ""
            hints.append(f"{f.name} is enabled at state {where}{more} of the loop but never "
                         f"continuously, and never takes a step: weak fairness allows this; "
                         f"`fair strong` on {f.name} would rule this behaviour out")
    return hints
