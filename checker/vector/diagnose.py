"""Saying exactly which property failed, with the reference interpreter.

The kernels only find *where* the first violation is (a state, and the transition at which
the explicit engine's expansion of that state stops); what is reported is recomputed here
from `eval_gexpr`, in the order every engine follows (conformance_cases.py): per transition
in system order its checks in declaration order ('reach' ones when `at` holds, 'fire' ones
when the guard holds), then its first update (in slot order) that leaves its range; after
every transition, deadlock. Messages and details are the shared wording (deadlock details
from checker.waitfor), so a violation reads the same whichever engine found it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checker import waitfor
from mmspec.ground import GroundSystem, GTransition, eval_gexpr, wrap_value


@dataclass
class Found:
    kind: str
    property: str
    message: str
    span: Any = None
    details: dict[str, Any] = field(default_factory=dict)


def first_invariant(system: GroundSystem, s: tuple[int, ...]) -> Found | None:
    for inv in system.invariants:
        if not eval_gexpr(inv.expr, s):
            return Found("invariant", inv.name, f"invariant {inv.name} is violated", inv.span)
    return None


def range_error(system: GroundSystem, t: GTransition,
                s: tuple[int, ...]) -> tuple[int, int] | None:
    """(slot, value) of t's first update leaving its range in s, or None."""
    for k, e in t.updates:
        slot = system.slots[k]
        if not slot.wrap:
            v = eval_gexpr(e, s)
            if not slot.lo <= v <= slot.hi:
                return k, v
    return None


def successor(system: GroundSystem, t: GTransition, s: tuple[int, ...]) -> tuple[int, ...]:
    n = list(s)
    for k, e in t.updates:
        v = eval_gexpr(e, s)
        slot = system.slots[k]
        n[k] = wrap_value(slot, v) if slot.wrap else v
    return tuple(n)


def first_expansion(system: GroundSystem, s: tuple[int, ...], deadlock: bool) -> Found | None:
    any_enabled = False
    for t in system.transitions:
        on = bool(eval_gexpr(t.guard, s))
        any_enabled = any_enabled or on
        at = bool(eval_gexpr(t.at, s)) if any(c.when == "reach" for c in t.checks) else on
        for c in t.checks:
            live = at if c.when == "reach" else on
            if live and not eval_gexpr(c.cond, s):
                details: dict[str, Any] = {"action": t.label}
                if c.kind == "deadlock":
                    details.update(waitfor.wait_for(system, s))
                return Found(c.kind, c.message, c.message, c.span, details)
        if on:
            bad = range_error(system, t, s)
            if bad is not None:
                slot = system.slots[bad[0]]
                return Found("range", slot.name,
                             f"{slot.name} = {bad[1]} is outside {slot.lo}..{slot.hi} "
                             f"after {t.label}", t.span,
                             {"action": t.label, "slot": slot.name, "value": bad[1],
                              "lo": slot.lo, "hi": slot.hi})
    if deadlock and not any_enabled and not eval_gexpr(system.final, s):
        details = waitfor.wait_for(system, s)
        msg = "deadlock: no step is enabled"
        if details.get("cycle"):
            msg += " (wait-for cycle: " + " -> ".join(details["cycle"] + details["cycle"][:1]) + ")"
        return Found("deadlock", "deadlock", msg, None, details)
    return None
