"""A plain reference BFS over the ground form, written straight from the engine contract.

It is the oracle for the vectorised engine's tests until (and besides) the explicit engine: one
state at a time in BFS order (initial states in order, transitions in `system.transitions`
order); invariants checked when a state is discovered; a transition's checks (in declaration
order), its range check and its successor's invariants when a state is expanded; deadlock
after the state's last transition; first discovery wins a state's parent.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from mmspec.ground import GroundSystem, eval_gexpr, wrap_value
from tests.irbuild import grid, rwsem


@dataclass
class Ref:
    reason: str  # 'done' | 'violation' | 'state-limit'
    kind: str | None = None
    prop: str | None = None
    states: list[tuple[int, ...]] = field(default_factory=list)  # the trace
    labels: list[str | None] = field(default_factory=list)
    details: dict = field(default_factory=dict)
    distinct: int = 0
    generated: int = 0
    depth: int = 0
    fired: dict[str, int] = field(default_factory=dict)


def canon_of(system: GroundSystem):
    def canon(s: tuple[int, ...]) -> tuple[int, ...]:
        best = s
        for perm, vmaps in system.symmetries:
            img = tuple(vm.get(s[p], s[p]) if vm is not None else s[p]
                        for p, vm in zip(perm, vmaps))
            best = min(best, img)
        return best
    return canon


def succ(system: GroundSystem, t, s):
    n = list(s)
    bad = None
    for k, e in t.updates:
        v = eval_gexpr(e, s)
        slot = system.slots[k]
        if slot.wrap:
            v = wrap_value(slot, v)
        elif not slot.lo <= v <= slot.hi and bad is None:
            bad = (slot, v)
        n[k] = v
    return tuple(n), bad


def ref_bfs(system: GroundSystem, deadlock: bool | None = None, symmetry: bool = False,
            max_states: int | None = None) -> Ref:
    canon = canon_of(system) if symmetry else (lambda s: s)
    check_dl = system.check_deadlock if deadlock is None else deadlock
    out = Ref("done", fired={t.name: 0 for t in system.spec.transitions})
    parent: dict[tuple, tuple] = {}  # canonical state -> (parent canonical | None, t | init i)
    depth: dict[tuple, int] = {}
    queue: list[tuple] = []

    def path(c):
        steps = []
        while parent[c][0] is not None:
            steps.append(parent[c][1])
            c = parent[c][0]
        return parent[c][1], steps[::-1]

    def finish(kind, prop, c, extra=None, details=None):
        init_i, ts = path(c)
        if extra is not None:
            ts.append(extra)
        a = system.init[init_i]
        states, labels = [a], [None]
        cur = canon(a)
        for ti in ts:
            target = canon(succ(system, system.transitions[ti], cur)[0])
            for t in system.transitions:
                if eval_gexpr(t.guard, a):
                    n = succ(system, t, a)[0]
                    if canon(n) == target:
                        break
            a, cur = n, target
            states.append(a)
            labels.append(t.label)
        out.reason, out.kind, out.prop = "violation", kind, prop
        out.states, out.labels, out.details = states, labels, details or {}
        out.distinct = len(parent)
        out.depth = max(depth.values())
        return out

    def discover(c, link, d):
        if c in parent:
            return None
        if max_states is not None and len(parent) >= max_states:
            return "limit"
        parent[c] = link
        depth[c] = d
        queue.append(c)
        for inv in system.invariants:
            if not eval_gexpr(inv.expr, c):
                return ("invariant", inv.name)
        return None

    out.generated = len(system.init)
    for i, s in enumerate(system.init):
        r = discover(canon(s), (None, i), 0)
        if r == "limit":
            out.reason = "state-limit"
            break
        if r is not None:
            return finish(r[0], r[1], canon(s))
    head = 0
    while head < len(queue) and out.reason == "done":
        s = queue[head]
        head += 1
        any_en = False
        for ti, t in enumerate(system.transitions):
            en = bool(eval_gexpr(t.guard, s))
            for c in t.checks:
                live = eval_gexpr(t.at, s) if c.when == "reach" else en
                if live and not eval_gexpr(c.cond, s):
                    return finish(c.kind, c.message, s, details={"action": t.label})
            if not en:
                continue
            any_en = True
            out.fired[t.name] += 1
            out.generated += 1
            n, bad = succ(system, t, s)
            if bad is not None:
                slot, v = bad
                return finish("range", slot.name, s, details={
                    "action": t.label, "slot": slot.name, "value": v, "lo": slot.lo,
                    "hi": slot.hi})
            c = canon(n)
            r = discover(c, (s, ti), depth[s] + 1)
            if r == "limit":
                out.reason = "state-limit"
                break
            if r is not None:
                return finish(r[0], r[1], s, extra=ti)
        if (out.reason == "done" and check_dl and not any_en
                and not eval_gexpr(system.final, s)):
            return finish("deadlock", "deadlock", s)
    out.distinct = len(parent)
    out.depth = max(depth.values()) if depth else 0
    return out


def test_reference_matches_closed_forms():
    from mmspec.ground import ground
    r = ref_bfs(ground(grid(2, 3)))
    assert (r.reason, r.distinct, r.depth) == ("done", 16, 6)
    assert r.generated == 1 + 2 * 3 * 4
    r = ref_bfs(ground(rwsem(2, 1)))
    assert r.distinct == (2 * 2) ** 2 + 2 * 2 ** 2
