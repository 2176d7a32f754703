"""From a decoded model to a Trace, replayed with the reference semantics before it is shown.

A model is only as good as the encoding; replaying each decoded step with `eval_gexpr`
catches an encoding bug as an internal error instead of a wrong counterexample.
"""
from __future__ import annotations

from mmspec.ground import GroundSystem
from checker.result import Trace, build_trace
from checker.symbolic.violations import successor


class ReplayError(AssertionError):
    """The solver's path does not replay: a bug in the symbolic encoding."""


def trace_of(system: GroundSystem, states: list[tuple[int, ...]], sels: list[int],
             from_init: bool = True) -> Trace:
    if from_init and states[0] not in set(system.init):
        raise ReplayError(f"decoded first state {states[0]} is not initial")
    for i, ti in enumerate(sels):
        got = successor(system, states[i], ti)
        if got != states[i + 1]:
            label = system.transitions[ti].label
            raise ReplayError(f"decoded step {i + 1} ({label}) from {states[i]} gives "
                              f"{got}, the model says {states[i + 1]}")
    return build_trace(system, states, [None] + [system.transitions[i] for i in sels])
