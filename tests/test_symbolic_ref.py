"""A reference breadth-first search over the ground form, written straight from the
semantics in the brief with `eval_gexpr` (nothing from checker.symbolic), and its own tests
against hand-derived depths. The symbolic engine's tests compare against it."""
from __future__ import annotations

from dataclasses import dataclass, field

from checker.result import Trace, Violation
from mmspec.ground import (GroundSystem, decode_state, describe_read, eval_gexpr, ground,
                           wrap_value)
from tests import irbuild_symbolic as sb
from tests.irbuild import grid, rwsem

State = tuple[int, ...]
# detection classes, in the order the symbolic engine prefers them at equal depth
CLASSES = ("invariant", "domain", "check", "range", "deadlock")


@dataclass
class Ref:
    depth: int | None  # shortest violation depth (None: no violation reachable)
    found: dict[str, set[tuple[str, str]]]  # class -> {(kind, property)} at that depth
    diameter: int  # deepest level reached
    level: dict[State, int] = field(default_factory=dict)

    @property
    def best(self) -> str | None:
        return next((c for c in CLASSES if self.found.get(c)), None)


def violations(system: GroundSystem, s: State, deadlock: bool) -> dict[str, set]:
    out: dict[str, set] = {c: set() for c in CLASSES}
    def bad(reads) -> tuple[str, str] | None:  # a read outside its domain (GRead)
        r = next((r for r in reads if not eval_gexpr(r.ok, s)), None)
        return None if r is None else ("domain", describe_read(r, eval_gexpr(r.value, s)))

    for inv in system.invariants:
        if bad(inv.reads):
            out["invariant"].add(bad(inv.reads))
        elif not eval_gexpr(inv.expr, s):
            out["invariant"].add(("invariant", inv.name))
    any_enabled = False
    for t in system.transitions:
        enabled = bool(eval_gexpr(t.guard, s))
        any_enabled |= enabled
        if bad(t.reads):
            out["domain"].add(bad(t.reads))
        for c in t.checks:
            active = eval_gexpr(t.at, s) if c.when == "reach" else enabled
            if active and bad(c.reads):
                out["domain"].add(bad(c.reads))
            elif active and not eval_gexpr(c.cond, s):
                out["check"].add((c.kind, c.message))
        if enabled and bad(t.fire_reads):
            out["domain"].add(bad(t.fire_reads))
        if enabled:
            for k, e in t.updates:
                sl = system.slots[k]
                if not sl.wrap and not sl.lo <= eval_gexpr(e, s) <= sl.hi:
                    out["range"].add(("range", sl.name))
    if deadlock and not any_enabled and not eval_gexpr(system.final, s):
        out["deadlock"].add(("deadlock", "deadlock"))
    return out


def step(system: GroundSystem, s: State, t) -> State | None:
    if not eval_gexpr(t.guard, s):
        return None
    n = list(s)
    for k, e in t.updates:
        sl = system.slots[k]
        v = eval_gexpr(e, s)
        if sl.wrap:
            v = wrap_value(sl, v)
        elif not sl.lo <= v <= sl.hi:
            return None
        n[k] = v
    return tuple(n)


def ref_bfs(system: GroundSystem, deadlock: bool | None = None) -> Ref:
    dead = system.check_deadlock if deadlock is None else deadlock
    frontier = sorted(set(system.init))
    level = {s: 0 for s in frontier}
    d = 0
    while frontier:
        found: dict[str, set] = {c: set() for c in CLASSES}
        for s in frontier:
            for c, vs in violations(system, s, dead).items():
                found[c] |= vs
        if any(found.values()):
            return Ref(d, found, d, level)
        nxt = []
        for s in frontier:
            for t in system.transitions:
                n = step(system, s, t)
                if n is not None and n not in level:
                    level[n] = d + 1
                    nxt.append(n)
        if not nxt:
            break
        frontier, d = nxt, d + 1
    return Ref(None, {}, d, level)


def longest_path(system: GroundSystem, ref: Ref) -> int | None:
    """The length of the longest execution from an initial state, None if some execution
    is infinite (a reachable cycle). For a spec without violations only."""
    succ = {s: [n for t in system.transitions if (n := step(system, s, t)) is not None]
            for s in ref.level}
    memo: dict[State, int] = {}
    on_stack: set[State] = set()

    def depth(s: State) -> int | None:
        if s in memo:
            return memo[s]
        if s in on_stack:
            return None
        on_stack.add(s)
        best = 0
        for n in succ[s]:
            d = depth(n)
            if d is None:
                return None
            best = max(best, d + 1)
        on_stack.discard(s)
        memo[s] = best
        return best

    out = 0
    for s in set(system.init):
        d = depth(s)
        if d is None:
            return None
        out = max(out, d)
    return out


def assert_replays(system: GroundSystem, ref: Ref, trace: Trace, from_init: bool = True
                   ) -> list[State]:
    """The trace's decoded states are states of the system, linked by the named steps."""
    by_view = {repr(decode_state(system, s)): s for s in ref.level}
    states = [by_view[repr(st.state)] for st in trace.steps]
    if from_init:
        assert states[0] in system.init
        assert trace.steps[0].action is None
    for a, b, st in zip(states, states[1:], trace.steps[1:]):
        assert step(system, a, transition_of(system, st)) == b, st.label
    return states


def transition_of(system: GroundSystem, st) -> object:
    """The ground transition a trace step names (labels repeat across branches of a step;
    the IR transition name and the parameter binding do not)."""
    hits = [t for t in system.transitions if t.name == st.action and t.binding == st.binding]
    assert len(hits) == 1, (st.action, st.binding)
    return hits[0]


def assert_agrees(system: GroundSystem, ref: Ref, v: Violation) -> None:
    """A symbolic violation is a shortest one of the class the engine must prefer."""
    assert ref.depth is not None and ref.best is not None
    assert len(v.trace) == ref.depth + 1
    assert (v.kind, v.property) in ref.found[ref.best]
    assert_replays(system, ref, v.trace)


# --------------------------------------------------------------------------- the BFS itself


def test_ref_counts_match_closed_forms():
    assert len(ref_bfs(ground(grid(2, 3))).level) == 4 ** 2
    assert ref_bfs(ground(grid(2, 3))).diameter == 6
    assert len(ref_bfs(ground(rwsem(2, 1))).level) == 4 ** 2 + 2 * 2 ** 2


def test_ref_hand_derived_depths():
    cases = [
        (sb.counter(10, 5), 5, "invariant", ("invariant", "small")),
        (sb.abba(), 2, "deadlock", ("deadlock", "deadlock")),
        (sb.assertion_fire(), 3, "check", ("assertion", "x must not be 3 in Use")),
        (sb.assertion_reach(), 2, "check", ("assertion", "Wait reached")),
        (sb.range_overflow(3), 3, "range", ("range", "x")),
        (sb.wrap_counter(), 4, "invariant", ("invariant", "seq_moves")),
        (sb.same_depth(False), 1, "check", ("assertion", "Chk must not run")),
        (sb.same_depth(True), 1, "invariant", ("invariant", "never_b")),
        (sb.inv_and_deadlock(), 2, "invariant", ("invariant", "below2")),
        (sb.floor_divmod(), 1, "invariant", ("invariant", "q_ne_1")),
        (sb.set_rwsem(True), 2, "invariant", ("invariant", "excl")),
    ]
    for spec, depth, cls, prop in cases:
        ref = ref_bfs(ground(spec))
        assert (ref.depth, ref.best) == (depth, cls), spec.name
        assert prop in ref.found[cls], spec.name
    assert ref_bfs(ground(sb.same_depth(False))).found["range"] == {("range", "x")}
    assert ref_bfs(ground(sb.inv_and_deadlock())).found["deadlock"]
    assert ref_bfs(ground(sb.floor_divmod())).found["invariant"] == {
        ("invariant", "q_ne_1"), ("invariant", "r_ne_m1")}


def test_ref_clean_specs():
    for spec in (sb.set_rwsem(False), sb.rwsem_helpers(2, 1), sb.not_inductive(7)):
        assert ref_bfs(ground(spec)).depth is None, spec.name


def test_ref_longest_path():
    # grid(2, 2): every execution is 4 increments. rwsem(2, 1): End* needs ops < 1 but
    # Start* does not, so a thread does at most Start, End, Start (3 steps), and both can
    # when they only read: 6. The set rwsem and the odd chain loop forever.
    assert longest_path(ground(grid(2, 2)), ref_bfs(ground(grid(2, 2)))) == 4
    g = ground(rwsem(2, 1))
    assert longest_path(g, ref_bfs(g)) == 6
    for spec in (sb.set_rwsem(False), sb.not_inductive(7)):
        g = ground(spec)
        assert longest_path(g, ref_bfs(g)) is None
