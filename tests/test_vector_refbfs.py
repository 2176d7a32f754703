"""A plain reference BFS over the ground form, written straight from the engine contract.

The vectorised engine's oracle (alongside checker.explicit): one state at a time, level by
level, in the order pinned by tests/conformance_cases.py: a level's states are checked
against the invariants before the level is expanded (the first failing state in discovery
order, reported once the previous level's expansion is over); expansion goes state by state,
transition by transition (system order): 'reach' checks when `at` holds, then, when the guard
holds, the step is counted, its 'fire' checks, its range check, its successor; after the last
transition, deadlock. The reported property is the first failing one in declaration order at
the stopping state. First discovery wins a state's parent; depth grows when a level is done.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from mmspec.ground import GroundSystem, describe_read, eval_gexpr, reads_ok, wrap_value
from tests.irbuild import grid, rwsem


@dataclass
class Ref:
    reason: str  # 'done' | 'violation' | 'state-limit' | 'depth-limit'
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
    """The least state of the orbit, comparing from the last slot (the packed-int order)."""
    def canon(s: tuple[int, ...]) -> tuple[int, ...]:
        best = s
        for perm, vmaps in system.symmetries:
            img = tuple(vm.get(s[p], s[p]) if vm is not None else s[p]
                        for p, vm in zip(perm, vmaps))
            if img[::-1] < best[::-1]:
                best = img
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


def domain(reads, s, where):
    """(kind, property, details) of the first read of `reads` outside its domain, or None."""
    for r in reads:
        if not eval_gexpr(r.ok, s):
            v = eval_gexpr(r.value, s)
            return "domain", describe_read(r, v), {"where": where, "what": r.what, "value": v,
                                                   "domain": r.domain}
    return None


def diagnose(system: GroundSystem, s, check_dl: bool):
    """(kind, property, details) of the first violation in declaration order at s: per
    transition the reads of its guard, each live check's reads then condition, the reads of
    its updates, its range; then deadlock."""
    any_en = False
    for t in system.transitions:
        bad_read = domain(t.reads, s, t.label)
        if bad_read:
            return bad_read
        en = bool(eval_gexpr(t.guard, s))
        any_en = any_en or en
        for c in t.checks:
            live = eval_gexpr(t.at, s) if c.when == "reach" else en
            if live and domain(c.reads, s, t.label):
                return domain(c.reads, s, t.label)
            if live and not eval_gexpr(c.cond, s):
                return c.kind, c.message, {"action": t.label}
        if en:
            if domain(t.fire_reads, s, t.label):
                return domain(t.fire_reads, s, t.label)
            _, bad = succ(system, t, s)
            if bad is not None:
                slot, v = bad
                return "range", slot.name, {"action": t.label, "slot": slot.name, "value": v,
                                            "lo": slot.lo, "hi": slot.hi}
    assert check_dl and not any_en
    return "deadlock", "deadlock", {}


class _Stop(Exception):
    pass


def ref_bfs(system: GroundSystem, deadlock: bool | None = None, symmetry: bool = False,
            max_states: int | None = None, depth_limit: int | None = None) -> Ref:
    canon = canon_of(system) if symmetry else (lambda s: s)
    check_dl = system.check_deadlock if deadlock is None else deadlock
    out = Ref("done", fired={t.name: 0 for t in system.spec.transitions})
    parent: dict[tuple, tuple] = {}  # canonical state -> (parent canonical | None, t | init i)

    def trace(c, extra=None):
        steps = []
        while parent[c][0] is not None:
            steps.append(parent[c][1])
            c = parent[c][0]
        init_i = parent[c][1]
        ts = steps[::-1] + ([] if extra is None else [extra])
        a = system.init[init_i]
        states, labels = [a], [None]
        cur = canon(a)
        for ti in ts:
            target = canon(succ(system, system.transitions[ti], cur)[0])
            for t in system.transitions:
                if eval_gexpr(t.guard, a):
                    n, bad = succ(system, t, a)
                    if bad is None and canon(n) == target:
                        break
            a, cur = n, target
            states.append(a)
            labels.append(t.label)
        return states, labels

    def violation(kind, prop, details, states, labels):
        out.reason, out.kind, out.prop, out.details = "violation", kind, prop, details
        out.states, out.labels = states, labels
        raise _Stop

    def add(c, link) -> bool:
        if c in parent:
            return False
        if max_states is not None and len(parent) >= max_states:
            out.reason = "state-limit"
            raise _Stop
        parent[c] = link
        return True

    def first_bad(level):
        for c in level:
            for inv in system.invariants:
                if not eval_gexpr(inv.checked, c):
                    return c
        return None

    try:
        level = []
        for i, s in enumerate(system.init):
            out.generated += 1
            if add(canon(s), (None, i)):
                level.append(canon(s))
        d = 0
        while level:
            bad = first_bad(level)
            if bad is not None:
                states, labels = trace(bad)
                inv = next(v for v in system.invariants if not eval_gexpr(v.checked,
                                                                          states[-1]))
                found = domain(inv.reads, states[-1], f"invariant {inv.name}")
                violation(*(found or ("invariant", inv.name, {})), states, labels)
            if depth_limit is not None and d >= depth_limit:
                out.reason = "depth-limit"
                break
            nxt = []
            for s in level:
                any_en = False
                for ti, t in enumerate(system.transitions):
                    en = bool(eval_gexpr(t.guard, s))
                    stop = not eval_gexpr(reads_ok(t.reads), s) or any(
                        c.when == "reach" and eval_gexpr(t.at, s)
                        and not eval_gexpr(c.checked, s) for c in t.checks)
                    if not stop and en:
                        any_en = True
                        out.fired[t.name] += 1
                        out.generated += 1
                        stop = any(c.when == "fire" and not eval_gexpr(c.checked, s)
                                   for c in t.checks) or not eval_gexpr(
                                       reads_ok(t.fire_reads), s) or succ(
                                           system, t, s)[1] is not None
                    if stop:
                        violation(*diagnose(system, s, check_dl), *trace(s))
                    if en:
                        c = canon(succ(system, t, s)[0])
                        if add(c, (s, ti)):
                            nxt.append(c)
                if check_dl and not any_en and not eval_gexpr(system.final, s):
                    violation(*diagnose(system, s, check_dl), *trace(s))
            if nxt:
                d += 1
            level = nxt
    except _Stop:
        pass
    out.distinct = len(parent)
    out.depth = d if "d" in locals() else 0
    return out


def test_reference_matches_closed_forms():
    from mmspec.ground import ground
    r = ref_bfs(ground(grid(2, 3)))
    assert (r.reason, r.distinct, r.depth) == ("done", 16, 6)
    assert r.generated == 1 + 2 * 3 * 4
    r = ref_bfs(ground(rwsem(2, 1)))
    assert r.distinct == (2 * 2) ** 2 + 2 * 2 ** 2
