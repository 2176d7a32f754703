"""Tiny specs built as IR, explored by a reference BFS, for the renderer tests.

Each builder returns a CheckResult as an engine would: the shortest trace (BFS with parent
links, `build_trace`), hand-written `details` in the shapes the engines produce, spans and
`sources` set by hand. The tests at the bottom pin the fixtures themselves, so a renderer
golden that changes can be told apart from a fixture that changed.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Callable

from mmspec import ir
from mmspec.ground import GroundSystem, GTransition, eval_gexpr, ground
from checker.result import CheckResult, ExitReason, Stats, Violation, build_trace
from tests.irbuild import B, L, P, V, conj

State = tuple[int, ...]


@dataclass
class Explored:
    """What the reference BFS saw: the first bad state's path (if any) and statistics."""

    states: list[State] | None = None
    transitions: list[GTransition | None] | None = None
    failed: GTransition | None = None  # for in-step checks: the step whose check failed
    stats: Stats = field(default_factory=Stats)


def bfs(system: GroundSystem, bad: Callable[[State], bool] = lambda s: False,
        check_fail: bool = False, deadlock: bool = False) -> Explored:
    """Breadth-first from the initial states; stops at the first state that is bad, has a
    failing 'fire' check (check_fail) or is a non-final deadlock (deadlock)."""
    parent: dict[State, tuple[State | None, GTransition | None]] = {}
    depth: dict[State, int] = {}
    queue: deque[State] = deque()
    for s in system.init:
        if s not in parent:
            parent[s] = (None, None)
            depth[s] = 0
            queue.append(s)
    counts = {t.name: 0 for t in system.transitions}
    generated = len(system.init)
    result = Explored()

    def path(s: State) -> tuple[list[State], list[GTransition | None]]:
        states, trs = [], []
        cur: State | None = s
        while cur is not None:
            prev, tr = parent[cur]
            states.append(cur)
            trs.append(tr)
            cur = prev
        return states[::-1], trs[::-1]

    while queue:
        s = queue.popleft()
        if bad(s):
            result.states, result.transitions = path(s)
            break
        enabled = False
        stop = False
        for t in system.transitions:
            if not eval_gexpr(t.guard, s):
                continue
            enabled = True
            if check_fail and any(c.when == "fire" and not eval_gexpr(c.cond, s)
                                  for c in t.checks):
                result.states, result.transitions = path(s)
                result.failed = t
                stop = True
                break
            n = list(s)
            for k, e in t.updates:
                n[k] = eval_gexpr(e, s)
            nt = tuple(n)
            counts[t.name] += 1
            generated += 1
            if nt not in parent:
                parent[nt] = (s, t)
                depth[nt] = depth[s] + 1
                queue.append(nt)
        if stop:
            break
        if deadlock and not enabled and not eval_gexpr(system.final, s):
            result.states, result.transitions = path(s)
            break
    result.stats = Stats(distinct_states=len(parent), generated_states=generated,
                         depth=max(depth.values()), seconds=0.0, action_counts=counts)
    return result


def sp(file: str, line: int, col: int, end_col: int) -> ir.Span:
    return ir.Span(file, line, col, line, end_col)


# --------------------------------------------------------------------------- mutex race

MUTEX_SRC = """\
spec mutex_race
mutex m
var count: 0..2 = 0

process t[i in 1..2] {
  lock:   lock(m)
  enter:  count := count + 1
  unlock: unlock(m)              // BUG: released before leaving
  leave:  count := count - 1
}

invariant excl: count <= 1
"""

MUTEX_FIXED_SRC = MUTEX_SRC.replace(
    "  unlock: unlock(m)              // BUG: released before leaving\n"
    "  leave:  count := count - 1\n",
    "  leave:  count := count - 1\n  unlock: unlock(m)\n").replace("mutex_race", "mutex_fixed")


def mutex_spec(fixed: bool = False) -> ir.Spec:
    """Two threads t[1], t[2] (tids 0, 1) around mutex m; the buggy one unlocks first."""
    f = "mutex_fixed.mms" if fixed else "mutex_race.mms"
    T = ir.IntType(1, 2)
    Pc = ir.EnumType("Pc_t", ("lock", "enter", "unlock", "leave", "done"))
    pc = ir.Index(V("t.pc"), P("i"))
    tid = B("sub", P("i"), L(1))
    i = (ir.Param("i", T),)

    def at(label: str) -> ir.Expr:
        return B("eq", pc, L(Pc.members.index(label), Pc))

    def goto(label: str) -> ir.Update:
        return ir.Update(pc, L(Pc.members.index(label), Pc))

    order = ["lock", "enter", "leave", "unlock"] if fixed else ["lock", "enter", "unlock", "leave"]
    nxt = {a: b for a, b in zip(order, order[1:] + ["done"])}
    line = {lab: 6 + n for n, lab in enumerate(order)}
    trs = (
        ir.Transition("t.lock", i, conj(at("lock"), B("eq", V("m.owner"), L(-1))),
                      (ir.Update(V("m.owner"), tid), goto(nxt["lock"])), at=at("lock"),
                      process="t", label="lock", thread=tid,
                      acquires=(ir.LockAcquire("m", None, "write"),),
                      span=sp(f, line["lock"], 11, 18)),
        ir.Transition("t.enter", i, at("enter"),
                      (ir.Update(V("count"), B("add", V("count"), L(1))), goto(nxt["enter"])),
                      process="t", label="enter", thread=tid, span=sp(f, line["enter"], 11, 29)),
        ir.Transition("t.unlock", i, at("unlock"),
                      (ir.Update(V("m.owner"), L(-1)), goto(nxt["unlock"])),
                      process="t", label="unlock", thread=tid, releases=(("m", None),),
                      span=sp(f, line["unlock"], 11, 20)),
        ir.Transition("t.leave", i, at("leave"),
                      (ir.Update(V("count"), B("sub", V("count"), L(1))), goto(nxt["leave"])),
                      process="t", label="leave", thread=tid, span=sp(f, line["leave"], 11, 29)),
    )
    excl_span = sp(f, 12, 1, 25)
    return ir.Spec(
        "mutex_fixed" if fixed else "mutex_race", f, (),
        (ir.Variable("m.owner", ir.IntType(-1, 1, symmetric="@thread"), (-1,), "lock",
                     span=sp(f, 2, 1, 8)),
         ir.Variable("count", ir.IntType(0, 2), (0,), span=sp(f, 3, 1, 20)),
         ir.Variable("t.pc", ir.MapType(T, Pc), ((0, 0),), "pc", "t", span=sp(f, 5, 1, 21))),
        trs,
        invariants=(ir.Invariant("excl", B("le", V("count"), L(1)), span=excl_span),),
        locks=(ir.LockInfo("m", "mutex", "m", "m.owner", span=sp(f, 2, 1, 8)),),
        threads=(ir.ThreadInfo(0, "t", 1, "t[1]"), ir.ThreadInfo(1, "t", 2, "t[2]")),
        final=conj(B("eq", ir.Index(V("t.pc"), L(1, T)), L(4, Pc)),
                   B("eq", ir.Index(V("t.pc"), L(2, T)), L(4, Pc))),
        sources=((f, MUTEX_FIXED_SRC if fixed else MUTEX_SRC),))


def mutex_race() -> CheckResult:
    spec = mutex_spec()
    g = ground(spec)
    inv = g.invariants[0]
    ex = bfs(g, bad=lambda s: not eval_gexpr(inv.expr, s))
    assert ex.states is not None and ex.transitions is not None
    trace = build_trace(g, ex.states, ex.transitions)
    v = Violation("invariant", "excl", "invariant excl does not hold", trace, inv.span)
    return CheckResult(spec, "explicit", ExitReason.VIOLATION, [v], ex.stats)


def mutex_fixed() -> CheckResult:
    spec = mutex_spec(fixed=True)
    g = ground(spec)
    inv = g.invariants[0]
    ex = bfs(g, bad=lambda s: not eval_gexpr(inv.expr, s), deadlock=True)
    assert ex.states is None
    return CheckResult(spec, "explicit", ExitReason.DONE, [], ex.stats)


# --------------------------------------------------------------------------- ABBA deadlock

ABBA_SRC = """\
spec abba
mutex A
mutex B

process p {
  a1: lock(A)
  b1: lock(B)
      unlock(B); unlock(A)
}
process q {
  b2: lock(B)
  a2: lock(A)
      unlock(A); unlock(B)
}

expect deadlock
"""


def abba_spec() -> ir.Spec:
    """p takes A then B, q takes B then A; a deadlock the spec expects. Releases elided."""
    f = "abba.mms"
    Pp = ir.EnumType("Pc_p", ("a1", "b1", "rel_p", "done_p"))
    Pq = ir.EnumType("Pc_q", ("b2", "a2", "rel_q", "done_q"))

    def acq(name: str, proc: str, tid: int, pcv: str, pct: ir.EnumType, lab: str, lock: str,
            line: int) -> ir.Transition:
        k = pct.members.index(lab)
        return ir.Transition(
            name, (), conj(B("eq", V(pcv), L(k, pct)), B("eq", V(f"{lock}.owner"), L(-1))),
            (ir.Update(V(f"{lock}.owner"), L(tid)), ir.Update(V(pcv), L(k + 1, pct))),
            at=B("eq", V(pcv), L(k, pct)), process=proc, label=lab, thread=L(tid),
            acquires=(ir.LockAcquire(lock, None, "write"),), span=sp(f, line, 7, 14))

    def rel(name: str, proc: str, tid: int, pcv: str, pct: ir.EnumType, line: int
            ) -> ir.Transition:
        return ir.Transition(
            name, (), B("eq", V(pcv), L(2, pct)),
            (ir.Update(V("A.owner"), L(-1)), ir.Update(V("B.owner"), L(-1)),
             ir.Update(V(pcv), L(3, pct))), process=proc, label=f"L{line}", thread=L(tid),
            releases=(("A", None), ("B", None)), span=sp(f, line, 7, 27))

    trs = (acq("p.a1", "p", 0, "p.pc", Pp, "a1", "A", 6),
           acq("p.b1", "p", 0, "p.pc", Pp, "b1", "B", 7),
           rel("p.L8", "p", 0, "p.pc", Pp, 8),
           acq("q.b2", "q", 1, "q.pc", Pq, "b2", "B", 11),
           acq("q.a2", "q", 1, "q.pc", Pq, "a2", "A", 12),
           rel("q.L13", "q", 1, "q.pc", Pq, 13))
    return ir.Spec(
        "abba", f, (),
        (ir.Variable("A.owner", ir.IntType(-1, 1), (-1,), "lock"),
         ir.Variable("B.owner", ir.IntType(-1, 1), (-1,), "lock"),
         ir.Variable("p.pc", Pp, (0,), "pc", "p"),
         ir.Variable("q.pc", Pq, (0,), "pc", "q")),
        trs,
        locks=(ir.LockInfo("A", "mutex", "A", "A.owner"),
               ir.LockInfo("B", "mutex", "B", "B.owner")),
        threads=(ir.ThreadInfo(0, "p", None, "p"), ir.ThreadInfo(1, "q", None, "q")),
        final=conj(B("eq", V("p.pc"), L(3, Pp)), B("eq", V("q.pc"), L(3, Pq))),
        expect=ir.Expectation("deadlock", span=sp(f, 16, 1, 16)),
        sources=((f, ABBA_SRC),))


def abba(lock_order: bool = True) -> CheckResult:
    spec = abba_spec()
    g = ground(spec)
    ex = bfs(g, deadlock=True)
    assert ex.states is not None and ex.transitions is not None
    trace = build_trace(g, ex.states, ex.transitions)
    waits = [{"thread": "p", "lock": "B", "mode": "write", "holders": ["q"]},
             {"thread": "q", "lock": "A", "mode": "write", "holders": ["p"]}]
    dl = Violation("deadlock", "deadlock", "no thread can take a step", trace, None,
                   {"waits": waits, "cycle": ["p", "q"]})
    violations = [dl]
    if lock_order:
        by = {t.name: t for t in g.transitions}
        w1 = build_trace(g, [g.init[0], _fire(g.init[0], by["p.a1"]),
                             _fire(_fire(g.init[0], by["p.a1"]), by["p.b1"])],
                         [None, by["p.a1"], by["p.b1"]])
        w2 = build_trace(g, [g.init[0], _fire(g.init[0], by["q.b2"]),
                             _fire(_fire(g.init[0], by["q.b2"]), by["q.a2"])],
                         [None, by["q.b2"], by["q.a2"]])
        chain = [{"from": "A/0", "to": "B/0", "thread": "p", "trace_length": 3},
                 {"from": "B/0", "to": "A/0", "thread": "q", "trace_length": 3}]
        violations.append(Violation("lock-order", "lock-order", "A/0 -> B/0 -> A/0", w2,
                                    sp("abba.mms", 12, 7, 14),
                                    {"chain": chain, "witnesses": [w1, w2]}))
    return CheckResult(spec, "explicit", ExitReason.VIOLATION, violations, ex.stats)


def _fire(s: State, t: GTransition) -> State:
    n = list(s)
    for k, e in t.updates:
        n[k] = eval_gexpr(e, s)
    return tuple(n)


# --------------------------------------------------------------------------- rwsem readers

RWSEM_SRC = """\
spec rwsem_readers
rwsem mm

process r[i in 1..2] {
  down:  down_read(mm)
  check: assert mm.readers == {self - 1}, "sole reader"
  up:    up_read(mm)
}
"""


def rwsem_spec() -> ir.Spec:
    """Two readers of rwsem mm; each asserts it is the only reader (false once both are in)."""
    f = "rwsem_readers.mms"
    T = ir.IntType(1, 2)
    Tid = ir.IntType(0, 1)
    Pc = ir.EnumType("Pc_r", ("down", "check", "up", "done"))
    pc = ir.Index(V("r.pc"), P("i"))
    tid = B("sub", P("i"), L(1))
    i = (ir.Param("i", T),)
    rd = V("mm.readers")
    trs = (
        ir.Transition("r.down", i, conj(B("eq", pc, L(0, Pc)), B("eq", V("mm.writer"), L(-1))),
                      (ir.Update(rd, B("union", rd, ir.SetLit(Tid, (tid,)))),
                       ir.Update(pc, L(1, Pc))), at=B("eq", pc, L(0, Pc)), process="r",
                      label="down", thread=tid,
                      acquires=(ir.LockAcquire("mm", None, "read"),), span=sp(f, 5, 10, 23)),
        ir.Transition("r.check", i, B("eq", pc, L(1, Pc)), (ir.Update(pc, L(2, Pc)),),
                      checks=(ir.Check(B("eq", rd, ir.SetLit(Tid, (tid,))), "sole reader",
                                       span=sp(f, 6, 10, 56)),),
                      process="r", label="check", thread=tid, span=sp(f, 6, 10, 56)),
        ir.Transition("r.up", i, B("eq", pc, L(2, Pc)),
                      (ir.Update(rd, B("minus", rd, ir.SetLit(Tid, (tid,)))),
                       ir.Update(pc, L(3, Pc))), process="r", label="up", thread=tid,
                      releases=(("mm", None),), span=sp(f, 7, 10, 21)),
    )
    return ir.Spec(
        "rwsem_readers", f, (),
        (ir.Variable("mm.writer", ir.IntType(-1, 1), (-1,), "lock"),
         ir.Variable("mm.readers", ir.SetType(Tid), (frozenset(),), "lock"),
         ir.Variable("r.pc", ir.MapType(T, Pc), ((0, 0),), "pc", "r")),
        trs,
        locks=(ir.LockInfo("mm", "rwsem", "mm", "mm.writer", "mm.readers"),),
        threads=(ir.ThreadInfo(0, "r", 1, "r[1]"), ir.ThreadInfo(1, "r", 2, "r[2]")),
        check_deadlock=False, sources=((f, RWSEM_SRC),))


def rwsem_readers() -> CheckResult:
    spec = rwsem_spec()
    g = ground(spec)
    # Only check once both readers are in, so the trace shows both joining the reader set.
    ex = bfs(g, bad=lambda s: False, check_fail=True)
    assert ex.states is not None and ex.transitions is not None and ex.failed is not None
    trace = build_trace(g, ex.states, ex.transitions)
    chk = ex.failed.checks[0]
    v = Violation("assertion", chk.message, f"assertion \"{chk.message}\" failed", trace,
                  chk.span, {"action": ex.failed.label})
    return CheckResult(spec, "explicit", ExitReason.VIOLATION, [v], ex.stats)


# --------------------------------------------------------------------------- range, actions

COUNTER_SRC = """\
spec counter
var x: 0..2 = 0
action Inc(n in 1..2) when true { x' = x + n }
"""


def counter_range() -> CheckResult:
    """An action-only spec (no processes) that leaves x's range: a `range` violation."""
    f = "counter.mms"
    X = ir.IntType(0, 2)
    N = ir.IntType(1, 2)
    inc = ir.Transition("Inc", (ir.Param("n", N),), B("le", B("add", V("x"), P("n")), L(2)),
                        (ir.Update(V("x"), B("add", V("x"), P("n"))),), span=sp(f, 3, 1, 47))
    spec = ir.Spec("counter", f, (), (ir.Variable("x", X, (0,), span=sp(f, 2, 1, 16)),), (inc,),
                   check_deadlock=False, sources=((f, COUNTER_SRC),))
    g = ground(spec)
    ex = bfs(g, bad=lambda s: s[0] == 2)
    assert ex.states is not None and ex.transitions is not None
    trace = build_trace(g, ex.states, ex.transitions)
    v = Violation("range", "x", "x would become 3, outside 0..2", trace, sp(f, 3, 35, 45),
                  {"action": "Inc(n=1)", "slot": "x", "value": 3, "lo": 0, "hi": 2})
    return CheckResult(spec, "explicit", ExitReason.VIOLATION, [v], ex.stats)


# --------------------------------------------------------------------------- liveness lasso

SPIN_SRC = """\
spec spin
var flag: bool = false
process waiter fair { w: await flag }
process flipper { f: flag := !flag; goto f }
property woken: eventually waiter@done
"""


def spin_lasso() -> CheckResult:
    """A lasso by hand: flipper toggles flag forever while waiter never runs (the trace ends
    on the loop state again, as checker.liveness builds it)."""
    f = "spin.mms"
    Pw = ir.EnumType("Pc_w", ("w", "done"))
    flip = ir.Transition("flipper.f", (), ir.Lit(1, ir.BoolType()),
                         (ir.Update(V("flag"), ir.Unary("not", V("flag"))),), process="flipper",
                         label="f", thread=L(1), span=sp(f, 4, 22, 35))
    wake = ir.Transition("waiter.w", (), B("and", V("flag"), B("eq", V("waiter.pc"), L(0, Pw))),
                         (ir.Update(V("waiter.pc"), L(1, Pw)),), process="waiter", label="w",
                         thread=L(0), span=sp(f, 3, 25, 35))
    spec = ir.Spec("spin", f, (), (ir.Variable("flag", ir.BoolType(), (0,)),
                                   ir.Variable("waiter.pc", Pw, (0,), "pc", "waiter")),
                   (wake, flip),
                   liveness=(ir.Liveness("woken", "eventually", None,
                                         B("eq", V("waiter.pc"), L(1, Pw)),
                                         span=sp(f, 5, 1, 39)),),
                   threads=(ir.ThreadInfo(0, "waiter", None, "waiter"),
                            ir.ThreadInfo(1, "flipper", None, "flipper")),
                   check_deadlock=False, sources=((f, SPIN_SRC),))
    g = ground(spec)
    s0 = g.init[0]
    by = {t.name: t for t in g.transitions}
    s1 = _fire(s0, by["flipper.f"])
    s2 = _fire(s1, by["flipper.f"])  # == s0: engines end a lasso on the loop state again
    trace = build_trace(g, [s0, s1, s2], [None, by["flipper.f"], by["flipper.f"]], loop=0)
    v = Violation("liveness", "woken", "eventually waiter@done is violated: a fair behaviour "
                  "stays out of waiter@done forever (the last 2 steps repeat forever)", trace,
                  sp(f, 5, 1, 39), {"fairness": ["waiter"], "stuttering": False, "trigger": 0})
    ex = bfs(g)
    return CheckResult(spec, "explicit", ExitReason.VIOLATION, [v], ex.stats)


# --------------------------------------------------------------------------- hostile spec

EVIL = "<script>alert(\"x\")</script>"
EVIL_SRC = """\
spec evil
var v: 0..1 = 0   // </script><script>alert('src')</script>
action Go when v == 0 { v' = 1 }
invariant "'><img src=x onerror=alert(1)>: v == 0
"""


def evil() -> CheckResult:
    """A spec whose names, messages and source try to inject markup into HTML/XML output."""
    f = "ev\"il<&>.mms"
    E = ir.EnumType("E", ("<b>a</b>", "q\"uote'"))
    go = ir.Transition("Go<i>", (), B("eq", V("v"), L(0, E)), (ir.Update(V("v"), L(1, E)),),
                       process=None, span=sp(f, 3, 1, 33))
    spec = ir.Spec(EVIL, f, (), (ir.Variable("v", E, (0,)),
                                 ir.Variable("</script>", ir.SetType(ir.IntType(0, 1)),
                                             (frozenset(),))),
                   (go,), invariants=(ir.Invariant("\"'><img src=x onerror=alert(1)>",
                                                   B("eq", V("v"), L(0, E)),
                                                   span=sp(f, 4, 1, 50)),),
                   check_deadlock=False, sources=((f, EVIL_SRC),))
    g = ground(spec)
    ex = bfs(g, bad=lambda s: s[0] == 1)
    assert ex.states is not None and ex.transitions is not None
    trace = build_trace(g, ex.states, ex.transitions)
    v = Violation("invariant", spec.invariants[0].name, EVIL + " & ]]> \x01", trace,
                  spec.invariants[0].span, {"note": EVIL})
    return CheckResult(spec, "explicit", ExitReason.VIOLATION, [v], ex.stats)


ALL = {"mutex_race": mutex_race, "mutex_fixed": mutex_fixed, "abba": abba,
       "rwsem_readers": rwsem_readers, "counter_range": counter_range, "spin_lasso": spin_lasso,
       "evil": evil}


# --------------------------------------------------------------------------- fixture pins


def test_mutex_race_is_the_shortest_interleaving() -> None:
    r = mutex_race()
    labels = [s.label for s in r.violations[0].trace.steps]
    assert labels == [None, "t[1]: lock", "t[1]: enter", "t[1]: unlock", "t[2]: lock",
                      "t[2]: enter"]
    assert r.violations[0].trace.steps[-1].state["count"] == 2


def test_mutex_fixed_holds_and_counts_states() -> None:
    r = mutex_fixed()
    assert r.verdict == "ok"
    assert r.stats.distinct_states > 5


def test_abba_deadlocks_holding_both_locks() -> None:
    last = abba().violations[0].trace.steps[-1].state
    assert {last["A.owner"], last["B.owner"]} == {0, 1}


def test_rwsem_trace_has_both_readers() -> None:
    r = rwsem_readers()
    assert r.violations[0].trace.steps[-1].state["mm.readers"] == frozenset({0, 1})
