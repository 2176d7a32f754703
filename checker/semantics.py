"""The reference semantics every engine reports with: which violation, and real traces.

Compiled kernels (explicit, vector) only find *where* something is wrong; what is reported
to the user is recomputed here with the reference interpreter `eval_gexpr`, in the one
canonical order every engine follows: a state's invariants when it is discovered; when it is
expanded, per transition (system order) its checks in declaration order ('reach' ones when
`at` holds, 'fire' ones when the guard holds), then its range errors; finally deadlock.
Traces are rebuilt by replaying transitions from an initial state, so a counterexample is
always a real execution, also under symmetry. Shared by the engines and `mmspec simulate`,
so a violation reads the same whichever of them found it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mmspec.ground import (GRead, GroundSystem, GTransition, describe_read, eval_gexpr,
                           wrap_value)

from checker import waitfor
from checker.details import DomainDetails, RangeDetails
from checker.result import ViolationKind


@dataclass
class Found:
    """A violation before its trace is attached: where it is and what it says."""

    kind: ViolationKind
    property: str
    message: str
    span: Any = None
    details: dict[str, Any] = field(default_factory=dict)  # the JSON form (Violation parses it)


class RangeError(Exception):
    def __init__(self, slot: int, value: int):
        super().__init__(slot, value)
        self.slot = slot
        self.value = value


def bad_read(reads: tuple[GRead, ...], s: tuple[int, ...]) -> GRead | None:
    """The first read (evaluation order) that leaves its domain in s, or None."""
    for r in reads:
        if not eval_gexpr(r.ok, s):
            return r
    return None


def domain_found(r: GRead, s: tuple[int, ...], where: str) -> Found:
    """A `domain` violation: evaluating `where` (a step's label or an invariant) in s
    performed the partial operation r outside its domain."""
    value = eval_gexpr(r.value, s)
    text = describe_read(r, value)
    details = DomainDetails(where, r.what, value, r.domain)
    return Found("domain", text, f"{text}, evaluating {where}", r.span, details.as_dict())


def transition_domain(t: GTransition, s: tuple[int, ...], on: bool) -> Found | None:
    """A domain error of t in s: its guard's reads (always), then its updates' (when on)."""
    r = bad_read(t.reads, s)
    if r is None and on:
        r = bad_read(t.fire_reads, s)
    return None if r is None else domain_found(r, s, t.label)


def enabled(t: GTransition, s: tuple[int, ...]) -> bool:
    return bool(eval_gexpr(t.guard, s))


def explored(t: GTransition, s: tuple[int, ...]) -> bool:
    """Is t's successor of s inside the constraints (stored and explored)?"""
    return bool(eval_gexpr(t.explore, s))


def successor(system: GroundSystem, t: GTransition, s: tuple[int, ...]) -> tuple[int, ...]:
    """t's successor of s (simultaneous updates); RangeError when a value leaves its range."""
    n = list(s)
    for k, e in t.updates:
        v = eval_gexpr(e, s)
        slot = system.slots[k]
        if slot.wrap:
            v = wrap_value(slot, v)
        elif not slot.lo <= v <= slot.hi:
            raise RangeError(k, v)
        n[k] = v
    return tuple(n)


def range_error(system: GroundSystem, t: GTransition,
                s: tuple[int, ...]) -> tuple[int, int] | None:
    """(slot, value) of t's first update (slot order) leaving its range in s, or None."""
    for k, e in t.updates:
        slot = system.slots[k]
        if not slot.wrap:
            v = eval_gexpr(e, s)
            if not slot.lo <= v <= slot.hi:
                return k, v
    return None


def violated_invariants(system: GroundSystem, s: tuple[int, ...]) -> list[Found]:
    """Every invariant s breaks (or cannot evaluate), in declaration order."""
    out: list[Found] = []
    for inv in system.invariants:
        r = bad_read(inv.reads, s)
        if r is not None:
            out.append(domain_found(r, s, f"invariant {inv.name}"))
        elif not eval_gexpr(inv.expr, s):
            out.append(Found("invariant", inv.name, f"invariant {inv.name} is violated",
                             inv.span))
    return out


def first_invariant(system: GroundSystem, s: tuple[int, ...]) -> Found | None:
    found = violated_invariants(system, s)
    return found[0] if found else None


def first_expansion(system: GroundSystem, s: tuple[int, ...], deadlock: bool) -> Found | None:
    """The first domain, check, range or deadlock violation met while expanding s, in order:
    per transition (system order) the reads of its guard; its checks (in order; 'reach'
    ones when `at` holds, 'fire' ones when the guard holds), each after its own reads; the
    reads of its updates; its range errors; finally deadlock."""
    any_enabled = False
    for t in system.transitions:
        r = bad_read(t.reads, s)
        if r is not None:
            return domain_found(r, s, t.label)
        on = enabled(t, s)
        any_enabled = any_enabled or on
        at = bool(eval_gexpr(t.at, s)) if any(c.when == "reach" for c in t.checks) else on
        for c in t.checks:
            live = at if c.when == "reach" else on
            if not live:
                continue
            r = bad_read(c.reads, s)
            if r is not None:
                return domain_found(r, s, t.label)
            if not eval_gexpr(c.cond, s):
                details: dict[str, Any] = {"action": t.label}
                if c.kind == "deadlock":
                    details.update(waitfor.wait_for(system, s))
                return Found(c.kind, c.message, c.message, c.span, details)
        if on:
            r = bad_read(t.fire_reads, s)
            if r is not None:
                return domain_found(r, s, t.label)
            try:
                successor(system, t, s)
            except RangeError as e:
                slot = system.slots[e.slot]
                return Found("range", slot.name,
                             f"{slot.name} = {e.value} is outside {slot.lo}..{slot.hi} "
                             f"after {t.label}", t.span,
                             RangeDetails(t.label, slot.name, e.value, slot.lo,
                                          slot.hi).as_dict())
    if deadlock and not any_enabled and not eval_gexpr(system.final, s):
        details = waitfor.wait_for(system, s)
        msg = "deadlock: no step is enabled"
        if details.get("cycle"):
            msg += " (wait-for cycle: " + " -> ".join(details["cycle"] + details["cycle"][:1]) + ")"
        return Found("deadlock", "deadlock", msg, None, details)
    return None


def replay(system: GroundSystem, path: list[tuple[int, ...]], canon: Any = None,
           pack: Any = None) -> tuple[list[tuple[int, ...]], list[GTransition | None]]:
    """Real states and transitions for a path of stored states.

    Without symmetry `path` is the state sequence itself; the transition of each step is the
    first one (system order) whose successor is the next state: exactly the one BFS recorded,
    since BFS inserts a state under the first transition that produced it. With symmetry
    `path` holds orbit representatives and `canon`/`pack` map real states onto them: we start
    from the first initial state in the first orbit and follow real successors.
    """
    if canon is None:
        states = [path[0]]
        trans: list[GTransition | None] = [None]
        for nxt in path[1:]:
            t = _step_to(system, states[-1], lambda x, nxt=nxt: x == nxt)
            states.append(nxt)
            trans.append(t)
        return states, trans
    first = next(s for s in system.init if canon(pack(s)) == pack(path[0]))
    states = [first]
    trans = [None]
    for rep in path[1:]:
        want = pack(rep)
        t = _step_to(system, states[-1], lambda x, want=want: canon(pack(x)) == want)
        states.append(successor(system, t, states[-1]))
        trans.append(t)
    return states, trans


def _step_to(system: GroundSystem, s: tuple[int, ...], ok: Any) -> GTransition:
    for t in system.transitions:
        if enabled(t, s) and explored(t, s):
            try:
                n = successor(system, t, s)
            except RangeError:
                continue
            if ok(n):
                return t
    raise AssertionError("trace replay failed: the compiled kernel and the reference "
                         "interpreter disagree (please report this spec)")
