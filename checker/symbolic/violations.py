"""Naming the violation in a concrete state, with the reference interpreter.

The solver only says *that* the last state of a path is bad for some kind; which property,
which action and which value is decided here, on plain ints with `eval_gexpr`, in the
system's own order (first invariant, first transition and check, first updated slot). That
keeps the property names, messages and details identical to what a state-by-state engine
reports for the same state.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mmspec import ir
from mmspec.ground import GroundSystem, eval_gexpr, wrap_value


@dataclass(frozen=True)
class Finding:
    kind: str  # the Violation kind: invariant | assertion | deadlock | range
    property: str
    message: str
    span: ir.Span | None
    details: dict[str, Any] = field(default_factory=dict)


def find(system: GroundSystem, s: tuple[int, ...], kind: str) -> Finding | None:
    """The first violation of the given detection kind (see encode.KINDS) in state s."""
    if kind == "invariant":
        for inv in system.invariants:
            if not eval_gexpr(inv.expr, s):
                return Finding("invariant", inv.name, f"invariant {inv.name} is violated",
                               inv.span)
        return None
    if kind == "check":
        for t in system.transitions:
            for c in t.checks:
                active = eval_gexpr(t.at if c.when == "reach" else t.guard, s)
                if active and not eval_gexpr(c.cond, s):
                    return Finding(c.kind, c.message, f"{c.message} (at {t.label})", c.span,
                                   {"action": t.label})
        return None
    if kind == "range":
        for t in system.transitions:
            if not eval_gexpr(t.guard, s):
                continue
            for k, e in t.updates:
                slot = system.slots[k]
                v = eval_gexpr(e, s)
                if not slot.wrap and not slot.lo <= v <= slot.hi:
                    return Finding("range", slot.name,
                                   f"{t.label} sets {slot.name} to {v}, outside "
                                   f"{slot.lo}..{slot.hi}", t.span,
                                   {"action": t.label, "slot": slot.name, "value": v,
                                    "lo": slot.lo, "hi": slot.hi})
        return None
    if kind == "deadlock":
        if any(eval_gexpr(t.guard, s) for t in system.transitions):
            return None
        if eval_gexpr(system.final, s):
            return None
        return Finding("deadlock", "deadlock", "deadlock: no step is enabled", None)
    raise ValueError(kind)


def successor(system: GroundSystem, s: tuple[int, ...], ti: int) -> tuple[int, ...] | None:
    """The state transition ti leads to from s, None if it is disabled or leaves a range."""
    t = system.transitions[ti]
    if not eval_gexpr(t.guard, s):
        return None
    n = list(s)
    for k, e in t.updates:
        slot = system.slots[k]
        v = eval_gexpr(e, s)
        if slot.wrap:
            v = wrap_value(slot, v)
        elif not slot.lo <= v <= slot.hi:
            return None
        n[k] = v
    return tuple(n)
