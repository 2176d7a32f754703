"""Liveness test kit: tiny process models as IR, a reference state-graph builder over the
ground form, and independent oracles for lassos and verdicts.

Nothing here uses the liveness module's internals: `explore` evaluates guards with the
reference interpreter `eval_gexpr`, `check_lasso` re-derives enabledness from the guards,
and `brute_force_violated` decides a property by enumerating state subsets.
"""
from __future__ import annotations

import itertools
from collections import deque
from typing import Any, Sequence

from checker.liveness import StateGraph
from checker.result import Trace
from mmspec import ir
from mmspec.ground import GroundSystem, decode_state, eval_gexpr, ground
from tests.irbuild import B, L, P, V

BOOL = ir.BoolType()
TRUE = ir.Lit(1, BOOL)


def NOT(e: ir.Expr) -> ir.Expr:
    return ir.Unary("not", e)


def AND(*xs: ir.Expr) -> ir.Expr:
    out = xs[0]
    for x in xs[1:]:
        out = B("and", out, x)
    return out


def EQ(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    return B("eq", a, b)


def upd(target: ir.Expr, value: ir.Expr) -> ir.Update:
    return ir.Update(target, value)


# --------------------------------------------------------------------------- exploration


def successor(t: Any, s: tuple[int, ...]) -> tuple[int, ...]:
    n = list(s)
    for k, e in t.updates:
        n[k] = eval_gexpr(e, s)
    return tuple(n)


def explore(system: GroundSystem) -> StateGraph:
    """Every reachable state, BFS order; succ lists every enabled transition (self-loops too),
    in transition order, as the explicit engine is specified to."""
    g = StateGraph()
    ids: dict[tuple[int, ...], int] = {}

    def add(s: tuple[int, ...]) -> int:
        if s not in ids:
            ids[s] = len(g.states)
            g.states.append(s)
            g.succ.append([])
            todo.append(ids[s])
        return ids[s]

    todo: deque[int] = deque()
    for s in system.init:
        i = add(s)
        if i not in g.init:
            g.init.append(i)
    while todo:
        u = todo.popleft()
        s = g.states[u]
        for ti, t in enumerate(system.transitions):
            if eval_gexpr(t.guard, s):
                g.succ[u].append((ti, add(successor(t, s))))
    return g


def build(spec: ir.Spec) -> tuple[GroundSystem, StateGraph]:
    system = ground(spec)
    return system, explore(system)


# --------------------------------------------------------------------------- lasso oracle


def enabled(system: GroundSystem, fairness_index: int, s: tuple[int, ...]) -> bool:
    """A constraint is enabled when one of its transitions can change the state."""
    for ti in system.fairness[fairness_index].transitions:
        t = system.transitions[ti]
        if eval_gexpr(t.guard, s) and successor(t, s) != s:
            return True
    return False


def replay(system: GroundSystem, graph: StateGraph, trace: Trace) -> list[tuple[int, ...]]:
    """Slot states of the trace, checking every step is a real transition of the system."""
    by_decoded = {repr(decode_state(system, s)): s for s in graph.states}
    states = [by_decoded[repr(step.state)] for step in trace.steps]
    assert states[0] in system.init
    for i in range(1, len(states)):
        step = trace.steps[i]
        ok = [t for t in system.transitions
              if t.name == step.action and t.binding == step.binding and t.label == step.label
              and eval_gexpr(t.guard, states[i - 1]) and successor(t, states[i - 1]) == states[i]]
        assert ok, f"step {i} ({step.label}) is not a transition of the system"
    return states


def check_lasso(system: GroundSystem, graph: StateGraph, trace: Trace, q: ir.Expr | None = None,
                stuttering: bool | None = None) -> list[tuple[int, ...]]:
    """Replay the lasso and check, from the guards alone, that its loop is fair.

    Conventions checked: `loop` indexes the loop's first state; a cycle repeats that state as
    the last step; a stuttering lasso ends at `loop` (nothing repeated).
    """
    states = replay(system, graph, trace)
    loop = trace.loop
    assert loop is not None and 0 <= loop < len(states)
    stutter = loop == len(states) - 1
    if stuttering is not None:
        assert stutter == stuttering
    if stutter:
        for i in range(len(system.fairness)):
            assert not enabled(system, i, states[loop]), "stuttering with a fair step enabled"
        return states
    assert states[-1] == states[loop], "the last step must close the cycle"
    cycle_states = states[loop:-1]
    taken: set[int] = set()
    for step in trace.steps[loop + 1:]:
        for i, f in enumerate(system.fairness):
            if any(system.transitions[t].label == step.label for t in f.transitions):
                taken.add(i)
    for i, f in enumerate(system.fairness):
        en = [enabled(system, i, s) for s in cycle_states]
        if f.kind == "weak":
            assert i in taken or not all(en), f"weak {f.name} enabled throughout, never taken"
        else:
            assert i in taken or not any(en), f"strong {f.name} enabled, never taken"
    return states


# --------------------------------------------------------------------------- verdict oracle


def brute_force_violated(system: GroundSystem, graph: StateGraph, prop_index: int,
                         max_class: int = 12) -> bool | None:
    """Decide a liveness property by enumerating sets of not-Q states (small graphs).

    A fair not-Q behaviour eventually stays in some set S of states, visited infinitely
    often, moving along S's internal edges. Using every internal edge only helps, so a fair
    behaviour exists iff some S is strongly connected (|S| >= 2) and fair with all its
    internal edges taken, or S = {u} with nothing fair enabled at u (stuttering). Any such S
    lies within one class of mutually reachable not-Q states, so subsets are enumerated per
    class. Returns None when a class has more than `max_class` states (too many subsets).
    """
    prop = system.liveness[prop_index]
    n = len(graph.states)
    notq = [not eval_gexpr(prop.q, s) for s in graph.states]
    en = [[enabled(system, i, s) for i in range(len(system.fairness))] for s in graph.states]
    edges = {u: [(t, v) for t, v in graph.succ[u] if v != u and notq[v]] for u in range(n)
             if notq[u]}
    cores = {u for u in edges if not any(en[u])}
    for cls in _mutual_classes(edges):
        if len(cls) > max_class:
            return None
        for size in range(2, len(cls) + 1):
            for subset in itertools.combinations(cls, size):
                S = set(subset)
                if _strongly_connected(S, edges) and _fair_set(system, S, edges, en):
                    cores |= S
    reach = _reaching(cores, edges)
    reachable = _reachable(graph)
    if prop.kind == "eventually":
        triggers = [s for s in graph.init if s in reach]
    elif prop.kind == "always_eventually":
        triggers = [s for s in reachable if s in reach]
    else:
        assert prop.p is not None
        p = prop.p
        triggers = [s for s in reachable if s in reach and eval_gexpr(p, graph.states[s])]
    return bool(triggers)


def _forward(start: int, edges: dict[int, list[tuple[int, int]]]) -> set[int]:
    seen = {start}
    todo = [start]
    while todo:
        u = todo.pop()
        for _, v in edges[u]:
            if v not in seen:
                seen.add(v)
                todo.append(v)
    return seen


def _mutual_classes(edges: dict[int, list[tuple[int, int]]]) -> list[list[int]]:
    """Classes of mutually reachable states with at least two members (quadratic, simple)."""
    fwd = {u: _forward(u, edges) for u in edges}
    out: list[list[int]] = []
    done: set[int] = set()
    for u in sorted(edges):
        if u in done:
            continue
        cls = sorted(v for v in fwd[u] if u in fwd[v])
        done.update(cls)
        if len(cls) > 1:
            out.append(cls)
    return out


def _strongly_connected(S: set[int], edges: dict[int, list[tuple[int, int]]]) -> bool:
    start = next(iter(S))
    for direction in (0, 1):
        seen = {start}
        todo = [start]
        while todo:
            u = todo.pop()
            nxt = ([v for _, v in edges[u] if v in S] if direction == 0 else
                   [w for w in S if any(v == u for _, v in edges[w])])
            for v in nxt:
                if v not in seen:
                    seen.add(v)
                    todo.append(v)
        if seen != S:
            return False
    return True


def _fair_set(system: GroundSystem, S: set[int], edges: dict[int, list[tuple[int, int]]],
              en: list[list[bool]]) -> bool:
    taken = {t for u in S for t, v in edges[u] if v in S}
    for i, f in enumerate(system.fairness):
        took = any(t in taken for t in f.transitions)
        if f.kind == "weak" and all(en[u][i] for u in S) and not took:
            return False
        if f.kind == "strong" and any(en[u][i] for u in S) and not took:
            return False
    return True


def _reaching(cores: set[int], edges: dict[int, list[tuple[int, int]]]) -> set[int]:
    reach = set(cores)
    changed = True
    while changed:
        changed = False
        for u, out in edges.items():
            if u not in reach and any(v in reach for _, v in out):
                reach.add(u)
                changed = True
    return reach


def _reachable(graph: StateGraph) -> list[int]:
    seen = set(graph.init)
    todo = list(graph.init)
    while todo:
        u = todo.pop()
        for _, v in graph.succ[u]:
            if v not in seen:
                seen.add(v)
                todo.append(v)
    return sorted(seen)


# --------------------------------------------------------------------------- models


def thread(tid: int, process: str, index: int | None = None) -> ir.ThreadInfo:
    return ir.ThreadInfo(tid, process, index,
                         process if index is None else f"{process}[{index}]")


def step(name: str, process: str, tid: int | ir.Expr, guard: ir.Expr,
         updates: Sequence[ir.Update], params: Sequence[ir.Param] = (),
         label: str | None = None) -> ir.Transition:
    """A process step: `tid` is a thread id, or an expression over the params."""
    th = L(tid) if isinstance(tid, int) else tid
    return ir.Transition(name, tuple(params), guard, tuple(updates), process=process,
                         label=label or name.lower(), thread=th)


def action(name: str, guard: ir.Expr, updates: Sequence[ir.Update]) -> ir.Transition:
    return ir.Transition(name, (), guard, tuple(updates))


def fair(kind: str | None, process: str | None = None,
         act: str | None = None) -> tuple[ir.Fairness, ...]:
    if kind is None:
        return ()
    return (ir.Fairness(kind, process=process, action=act),)


def counter(m: int, fairness: str | None, props: Sequence[ir.Liveness] = (),
            reset: bool = False, reset_fairness: str | None = None) -> ir.Spec:
    """Process `c` increments x from 0 to m (label `inc`); with `reset`, the action Reset
    sets x back to 0 from m."""
    X = ir.IntType(0, m)
    ts = [step("Inc", "c", 0, B("lt", V("x"), L(m)), [upd(V("x"), B("add", V("x"), L(1)))])]
    if reset:
        ts.append(action("Reset", EQ(V("x"), L(m)), [upd(V("x"), L(0))]))
    props = tuple(props) or (ir.Liveness("reach_m", "eventually", None, EQ(V("x"), L(m))),)
    return ir.Spec("counter", "<ir>", (), (ir.Variable("x", X, (0,)),), tuple(ts),
                   liveness=props,
                   fairness=fair(fairness, process="c") + fair(reset_fairness, act="Reset"),
                   threads=(thread(0, "c"),), check_deadlock=False)


def toggle_wait(toggler: str | None, worker: str | None, spin: bool = False) -> ir.Spec:
    """The classic weak-vs-strong case.

    `toggler` flips `flag` forever; `worker` may finish only while the flag is up. With
    `spin`, the worker busy-waits while the flag is down (a step that changes nothing).
    """
    ts = [step("Toggle", "toggler", 0, TRUE, [upd(V("flag"), NOT(V("flag")))]),
          step("Finish", "worker", 1, AND(V("flag"), NOT(V("done"))), [upd(V("done"), TRUE)])]
    if spin:
        ts.append(step("Spin", "worker", 1, AND(NOT(V("flag")), NOT(V("done"))), []))
    return ir.Spec(
        "toggle_wait", "<ir>", (),
        (ir.Variable("flag", BOOL, (0,)), ir.Variable("done", BOOL, (0,))), tuple(ts),
        liveness=(ir.Liveness("finishes", "eventually", None, V("done")),),
        fairness=fair(toggler, process="toggler") + fair(worker, process="worker"),
        threads=(thread(0, "toggler"), thread(1, "worker")), check_deadlock=False)


RPC = ir.EnumType("RPc", ("idle", "cs"))
WPC = ir.EnumType("WPc", ("want", "queued", "holds"))


def rwsem_starvation(writer_pref: bool, readers: str | None, writer: str | None) -> ir.Spec:
    """Two readers and one writer on an rwsem, as plain transitions.

    reader[i]: enter (idle -> cs, nread+1) while no writer holds the lock and, with writer
    preference, no writer is queued; exit (cs -> idle). writer: queue (want -> queued), then
    acquire (queued -> holds) when no reader is inside. Property `writer_progress`:
    wpc != holds leadsto wpc == holds ("a writer that wants the lock gets it").
    """
    Tid = ir.IntType(1, 2)
    i = ir.Param("i", Tid)
    rpc = ir.Index(V("rpc"), P("i"))
    tid = B("sub", P("i"), L(1))
    can_enter = [EQ(rpc, L(0, RPC)), B("ne", V("wpc"), L(2, WPC))]
    if writer_pref:
        can_enter.append(B("ne", V("wpc"), L(1, WPC)))
    ts = (
        step("Enter", "reader", tid, AND(*can_enter),
             [upd(rpc, L(1, RPC)), upd(V("nread"), B("add", V("nread"), L(1)))], [i]),
        step("Exit", "reader", tid, EQ(rpc, L(1, RPC)),
             [upd(rpc, L(0, RPC)), upd(V("nread"), B("sub", V("nread"), L(1)))], [i]),
        step("Queue", "writer", 2, EQ(V("wpc"), L(0, WPC)), [upd(V("wpc"), L(1, WPC))]),
        step("Acquire", "writer", 2, AND(EQ(V("wpc"), L(1, WPC)), EQ(V("nread"), L(0))),
             [upd(V("wpc"), L(2, WPC))]),
    )
    return ir.Spec(
        "rwsem_starvation", "<ir>", (),
        (ir.Variable("rpc", ir.MapType(Tid, RPC), ((0, 0),)),
         ir.Variable("nread", ir.IntType(0, 2), (0,)),
         ir.Variable("wpc", WPC, (0,))),
        ts,
        liveness=(ir.Liveness("writer_progress", "leadsto", B("ne", V("wpc"), L(2, WPC)),
                              EQ(V("wpc"), L(2, WPC))),),
        fairness=fair(readers, process="reader") + fair(writer, process="writer"),
        threads=(thread(0, "reader", 1), thread(1, "reader", 2), thread(2, "writer")),
        check_deadlock=False)


def detour(detour_fairness: str | None) -> ir.Spec:
    """x in 0..3, never 3. Process p: step flips 0 <-> 1, back goes 2 -> 0 (weakly fair);
    action Detour goes 1 -> 2. `eventually x == 3` fails; under strong fairness of Detour
    the fair cycle must contain the detour edge."""
    X = ir.IntType(0, 3)
    ts = (step("Step", "p", 0, B("le", V("x"), L(1)), [upd(V("x"), B("sub", L(1), V("x")))]),
          step("Back", "p", 0, EQ(V("x"), L(2)), [upd(V("x"), L(0))]),
          action("Detour", EQ(V("x"), L(1)), [upd(V("x"), L(2))]))
    return ir.Spec("detour", "<ir>", (), (ir.Variable("x", X, (0,)),), ts,
                   liveness=(ir.Liveness("three", "eventually", None, EQ(V("x"), L(3))),),
                   fairness=fair("weak", process="p") + fair(detour_fairness, act="Detour"),
                   threads=(thread(0, "p"),), check_deadlock=False)


def two_sccs(win: str | None) -> ir.Spec:
    """x in 0..4. Loop1 flips 0 <-> 1, Leave goes 0/1 -> 2 (weakly fair), Loop2 flips
    2 <-> 3 (weakly fair), Win goes 3 -> 4. Property `eventually x == 4`.

    SCC {0,1} is unfair (Leave is enabled throughout and never taken inside it); SCC {2,3}
    is fair unless Win is strongly fair.
    """
    X = ir.IntType(0, 4)
    ts = (action("Loop1", B("le", V("x"), L(1)), [upd(V("x"), B("sub", L(1), V("x")))]),
          action("Leave", B("le", V("x"), L(1)), [upd(V("x"), L(2))]),
          action("Loop2", AND(B("ge", V("x"), L(2)), B("le", V("x"), L(3))),
                 [upd(V("x"), B("sub", L(5), V("x")))]),
          action("Win", EQ(V("x"), L(3)), [upd(V("x"), L(4))]))
    return ir.Spec("two_sccs", "<ir>", (), (ir.Variable("x", X, (0,)),), ts,
                   liveness=(ir.Liveness("four", "eventually", None, EQ(V("x"), L(4))),),
                   fairness=(fair("weak", act="Leave") + fair("weak", act="Loop2")
                             + fair(win, act="Win")),
                   check_deadlock=False)


def shuttle(exit_fairness: str | None, start: int = 2) -> ir.Spec:
    """x in 0..3 starting at `start`. Process m (weakly fair): inc (x < 2), dec (0 < x <= 2);
    action Exit: 2 -> 3. `eventually x == 3` needs Exit strongly fair: the Streett
    refinement drops state 2 and finds the fair cycle 0 <-> 1."""
    X = ir.IntType(0, 3)
    ts = (step("Inc", "m", 0, B("lt", V("x"), L(2)), [upd(V("x"), B("add", V("x"), L(1)))]),
          step("Dec", "m", 0, AND(B("gt", V("x"), L(0)), B("le", V("x"), L(2))),
               [upd(V("x"), B("sub", V("x"), L(1)))]),
          action("Exit", EQ(V("x"), L(2)), [upd(V("x"), L(3))]))
    return ir.Spec("shuttle", "<ir>", (), (ir.Variable("x", X, (start,)),), ts,
                   liveness=(ir.Liveness("out", "eventually", None, EQ(V("x"), L(3))),),
                   fairness=fair("weak", process="m") + fair(exit_fairness, act="Exit"),
                   threads=(thread(0, "m"),), check_deadlock=False)


def labels(trace: Trace) -> list[str | None]:
    return [s.label for s in trace.steps]


def column(trace: Trace, var: str) -> list[Any]:
    return [s.state[var] for s in trace.steps]
