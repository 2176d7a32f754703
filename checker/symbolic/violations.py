"""Naming the violation in a concrete state, with the reference interpreter.

The solver only says *that* the last state of a path is bad for some kind; which property,
which action and which value is decided here, on plain ints with `eval_gexpr`, in the
system's own order (first invariant, first transition and check, first updated slot), with
the explicit engine's messages and the shared wait-for details (checker.waitfor), so a
violation reads the same whichever engine found it.

Deviation from the explicit engine, by design: within one state it reports, per
transition, a check and then a range error; here every check of every transition is
preferred over any range error (the symbolic ranking invariant > check > range > deadlock
applies within a state as across states of the same depth).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from checker import waitfor
from mmspec import ir
from checker.result import ViolationKind
from checker.semantics import bad_read, domain_found
from mmspec.ground import GRead, GroundSystem, GTransition, eval_gexpr, wrap_value


@dataclass(frozen=True)
class Finding:
    kind: ViolationKind
    property: str
    message: str
    span: ir.Span | None
    details: dict[str, Any] = field(default_factory=dict)


def find(system: GroundSystem, s: tuple[int, ...], kind: str) -> Finding | None:
    """The first violation of the given detection kind (see encode.KINDS) in state s."""
    finder = _FINDERS.get(kind)
    if finder is None:
        raise ValueError(kind)
    return finder(system, s)


def _find_invariant(system: GroundSystem, s: tuple[int, ...]) -> Finding | None:
    for inv in system.invariants:
        r = bad_read(inv.reads, s)
        if r is not None:
            return _domain(r, s, f"invariant {inv.name}")
        if not eval_gexpr(inv.expr, s):
            return Finding("invariant", inv.name, f"invariant {inv.name} is violated",
                           inv.span)
    return None


def _find_domain(system: GroundSystem, s: tuple[int, ...]) -> Finding | None:
    for t in system.transitions:
        r = _bad_read_of(t, s)
        if r is not None:
            return _domain(r, s, t.label)
    return None


def _bad_read_of(t: GTransition, s: tuple[int, ...]) -> GRead | None:
    """The first partial operation of t evaluated outside its domain in s: the step's own
    reads, then its active checks', then (when enabled) the firing reads."""
    on = bool(eval_gexpr(t.guard, s))
    at = bool(eval_gexpr(t.at, s))
    r = bad_read(t.reads, s)
    for c in t.checks:
        if r is None and (at if c.when == "reach" else on):
            r = bad_read(c.reads, s)
    if r is None and on:
        r = bad_read(t.fire_reads, s)
    return r


def _find_check(system: GroundSystem, s: tuple[int, ...]) -> Finding | None:
    for t in system.transitions:
        for c in t.checks:
            active = eval_gexpr(t.at if c.when == "reach" else t.guard, s)
            if active and not eval_gexpr(c.cond, s):
                details: dict[str, Any] = {"action": t.label}
                if c.kind == "deadlock":
                    details.update(waitfor.wait_for(system, s))
                return Finding(c.kind, c.message, c.message, c.span, details)
    return None


def _find_range(system: GroundSystem, s: tuple[int, ...]) -> Finding | None:
    for t in system.transitions:
        if not eval_gexpr(t.guard, s):
            continue
        for k, e in t.updates:
            slot = system.slots[k]
            v = eval_gexpr(e, s)
            if not slot.wrap and not slot.lo <= v <= slot.hi:
                return Finding("range", slot.name,
                               f"{slot.name} = {v} is outside {slot.lo}..{slot.hi} "
                               f"after {t.label}", t.span,
                               {"action": t.label, "slot": slot.name, "value": v,
                                "lo": slot.lo, "hi": slot.hi})
    return None


def _find_deadlock(system: GroundSystem, s: tuple[int, ...]) -> Finding | None:
    if any(eval_gexpr(t.guard, s) for t in system.transitions):
        return None
    if eval_gexpr(system.final, s):
        return None
    details = waitfor.wait_for(system, s)
    msg = "deadlock: no step is enabled"
    if details.get("cycle"):
        msg += (" (wait-for cycle: " + " -> ".join(details["cycle"] + details["cycle"][:1])
                + ")")
    return Finding("deadlock", "deadlock", msg, None, details)


_FINDERS: dict[str, Callable[[GroundSystem, tuple[int, ...]], Finding | None]] = {
    "invariant": _find_invariant, "domain": _find_domain, "check": _find_check,
    "range": _find_range, "deadlock": _find_deadlock}


def _domain(r: GRead, s: tuple[int, ...], where: str) -> Finding:
    """The shared wording (checker.semantics.domain_found) as a Finding."""
    f = domain_found(r, s, where)
    return Finding(f.kind, f.property, f.message, f.span, f.details)


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
