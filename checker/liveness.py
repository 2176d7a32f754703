"""Liveness under weak and strong fairness, on an explicit state graph.

The explicit engine builds the whole reachable graph and hands it here; nothing in this module
explores states itself, so it stays independent of how the graph was built. Semantics (see
docs/liveness.md): TLA+-style behaviours with stuttering, `P leadsto Q`, `eventually Q`
(from the initial states) and `always eventually Q`, fairness per constraint of
`GroundSystem.fairness`. A property is violated when a reachable trigger state starts a fair
infinite path that never meets Q; we find the fair cycles with SCCs of the not-Q subgraph and
the Streett refinement for strong fairness, and report a lasso.

Enabledness and taking are read off the graph's edges, not the guards: a constraint is enabled
in a state when one of its transitions has an edge out of that state to a *different* state.
A step that changes nothing is a stutter step whichever transition makes it (as `<<A>>_vars`
in TLA+), so a thread spinning in a self-loop counts as blocked, not as making progress.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Protocol, Sequence

from checker.details import LivenessDetails
from checker.liveness_eval import compile_gexpr
from checker.fairness_hint import strong_fairness_hints
from checker.liveness_common import (EVERY_STATE, KINDS, fairness_bits, liveness_to_check,
                                     message, validate_properties)
from checker.result import ExitReason, Violation, build_trace
from mmspec import ir
from mmspec.ground import GLiveness, GroundSystem

Edge = tuple[int, int]  # (index into system.transitions, successor state id)
Step = tuple[int, int]  # (transition index, state id reached)


class LivenessGraph(Protocol):
    """What check_liveness reads: `states` (id -> slot tuple), `succ` (id -> edges), and the
    initial ids as `init` or `initial` (checker.explicit.graph.StateGraph says `initial`;
    read with getattr, so not part of the static protocol). The graph must be complete:
    every enabled transition of every state has its edge (fairness needs to know what is
    enabled); a `reason` attribute, if present, must be ExitReason.DONE."""

    @property
    def states(self) -> Sequence[tuple[int, ...]]: ...

    @property
    def succ(self) -> Sequence[Sequence[Edge]]: ...


def _initial(graph: LivenessGraph) -> Sequence[int]:
    init: Sequence[int] | None = getattr(graph, "init", None)
    if init is None:
        init = getattr(graph, "initial")
    assert init is not None
    return init


def _require_complete(graph: LivenessGraph) -> None:
    """A truncated graph makes cut-off states look terminal, and stuttering there fair: every
    verdict would be suspect, so refuse rather than report spurious lassos."""
    reason = getattr(graph, "reason", ExitReason.DONE)
    if reason != ExitReason.DONE:
        raise ValueError(f"liveness needs the complete state graph (exploration stopped: "
                         f"{getattr(reason, 'value', reason)})")


@dataclass
class StateGraph:
    """A plain LivenessGraph, for engines and tests that have nothing better at hand."""

    states: list[tuple[int, ...]] = field(default_factory=list)
    init: list[int] = field(default_factory=list)
    succ: list[list[Edge]] = field(default_factory=list)


# --------------------------------------------------------------------------- fairness


@dataclass
class _Fairness:
    """Constraints as bits: bit i is system.fairness[i]."""

    names: list[str]
    weak: int  # mask of weak constraints
    strong: int  # mask of strong constraints
    tmask: list[int]  # transition index -> constraints it belongs to
    en: list[int]  # state id -> constraints enabled there (self-loops excluded)

    @property
    def all(self) -> int:
        return self.weak | self.strong


def _fairness(system: GroundSystem, graph: LivenessGraph) -> _Fairness:
    weak, strong, tmask = fairness_bits(system)
    en = [0] * len(graph.states)
    if weak | strong:
        for u, edges in enumerate(graph.succ):
            m = 0
            for t, v in edges:
                if v != u:
                    m |= tmask[t]
            en[u] = m
    return _Fairness([f.name for f in system.fairness], weak, strong, tmask, en)


# --------------------------------------------------------------------------- SCCs


def _tarjan(graph: LivenessGraph, roots: Sequence[int], region: list[int],
            tag: int) -> list[list[int]]:
    """SCCs of the subgraph of states u with region[u] == tag, ignoring self-loops.

    Iterative (graphs reach ~10^6 states). Components come out in reverse topological
    order: every component reachable from C is emitted before C.
    """
    succ = graph.succ
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    out: list[list[int]] = []
    counter = 0
    for root in roots:
        if root in index:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work: list[tuple[int, int]] = [(root, 0)]
        while work:
            v, i = work[-1]
            edges = succ[v]
            descended = False
            while i < len(edges):
                w = edges[i][1]
                i += 1
                if w == v or region[w] != tag:
                    continue
                if w not in index:
                    work[-1] = (v, i)
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, 0))
                    descended = True
                    break
                if w in on_stack and index[w] < low[v]:
                    low[v] = index[w]
            if descended:
                continue
            work.pop()
            if work:
                u = work[-1][0]
                if low[v] < low[u]:
                    low[u] = low[v]
            if low[v] == index[v]:
                comp: list[int] = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                comp.reverse()
                out.append(comp)
    return out


@dataclass
class _Analysis:
    """Per property: where fair not-Q behaviours live and which states can reach them."""

    notq: bytearray
    reach: bytearray  # 1: a fair infinite path through not-Q states starts here
    stutter: bytearray  # 1: stuttering here forever is fair
    comp: list[int]  # state -> index of its fair component in `comps`, or -1
    comps: list[list[int]]


class _Tags:
    """Fresh region tags; region[u] names the subgraph u currently belongs to."""

    def __init__(self, n: int):
        self.region = [0] * n
        self.next = 1

    def assign(self, states: Sequence[int]) -> int:
        tag = self.next
        self.next += 1
        region = self.region
        for u in states:
            region[u] = tag
        return tag


def _analyse(graph: LivenessGraph, fair: _Fairness, notq: bytearray) -> _Analysis:
    n = len(graph.states)
    stutter = bytearray(n)
    comp = [-1] * n
    comps: list[list[int]] = []
    if not fair.all:  # no fairness: any not-Q state may stop forever
        return _Analysis(notq, bytearray(notq), bytearray(notq), comp, comps)
    reach = bytearray(n)
    tags = _Tags(n)
    bad_states = [u for u in range(n) if notq[u]]
    top = tags.assign(bad_states)
    en, fairmask = fair.en, fair.all
    for c in _tarjan(graph, bad_states, tags.region, top):
        found = False
        for u in c:
            if not en[u] & fairmask:
                stutter[u] = 1
                found = True
        if len(c) > 1:
            for sub in _fair_subcomponents(graph, fair, tags, c):
                for u in sub:
                    comp[u] = len(comps)
                comps.append(sub)
                found = True
        if not found:
            found = _leads_out_to(graph, c, notq, reach)
        if found:
            for u in c:
                reach[u] = 1
    return _Analysis(notq, reach, stutter, comp, comps)


def _leads_out_to(graph: LivenessGraph, c: list[int], inside: bytearray,
                  marked: bytearray) -> bool:
    """Whether an edge leaves c to a state that is inside and already marked."""
    for u in c:
        for _, v in graph.succ[u]:
            if inside[v] and marked[v]:
                return True
    return False


def _summary(graph: LivenessGraph, fair: _Fairness, c: Sequence[int],
             region: list[int]) -> tuple[int, int, int]:
    """(enabled in every state, enabled in some state, taken on an internal edge) of c."""
    en_all, en_any, taken = -1, 0, 0
    tag = region[c[0]]
    en, tmask = fair.en, fair.tmask
    for u in c:
        en_all &= en[u]
        en_any |= en[u]
        for t, v in graph.succ[u]:
            if v != u and region[v] == tag:
                taken |= tmask[t]
    return en_all, en_any, taken


def _fair_subcomponents(graph: LivenessGraph, fair: _Fairness, tags: _Tags,
                        c: list[int]) -> list[list[int]]:
    """The fair strongly connected pieces of the SCC c (Streett refinement).

    A weak constraint enabled everywhere and never taken rules out every cycle inside c.
    A strong constraint enabled somewhere and never taken rules out the states where it is
    enabled: drop them and split what remains into SCCs again.
    """
    fair_parts: list[list[int]] = []
    work = [c]
    while work:
        part = work.pop()
        tags.assign(part)
        en_all, en_any, taken = _summary(graph, fair, part, tags.region)
        if fair.weak & en_all & ~taken:
            continue
        bad = fair.strong & en_any & ~taken
        if not bad:
            fair_parts.append(part)
            continue
        keep = [u for u in part if not fair.en[u] & bad]
        tag = tags.assign(keep)
        subs = [s for s in _tarjan(graph, keep, tags.region, tag) if len(s) > 1]
        work.extend(reversed(subs))  # keep Tarjan's order when popping
    return fair_parts


# --------------------------------------------------------------------------- paths


def _bfs(graph: LivenessGraph, start: int, allowed: Callable[[int], bool],
         target: Callable[[int], bool], min_steps: int = 0) -> list[Step] | None:
    """Shortest path (steps after `start`) inside `allowed` to a target state.

    Self-loops are stutter steps, never part of a path. With min_steps=1 the start itself
    counts as a target only when reached again by a real step (to close a cycle).
    """
    if min_steps == 0 and target(start):
        return []
    parent: dict[int, tuple[int, int]] = {start: (-1, -1)}
    queue = deque([start])
    while queue:
        u = queue.popleft()
        for t, v in graph.succ[u]:
            if v == u or not allowed(v):
                continue
            if target(v) and (v not in parent or v == start):
                return _unwind(parent, start, u) + [(t, v)]
            if v not in parent:
                parent[v] = (u, t)
                queue.append(v)
    return None


def _unwind(parent: dict[int, tuple[int, int]], start: int, end: int) -> list[Step]:
    out: list[Step] = []
    v = end
    while v != start:
        u, t = parent[v]
        out.append((t, v))
        v = u
    out.reverse()
    return out


@dataclass
class _BfsTree:
    """Breadth-first order over the whole graph from the initial states, with parents:
    the first state in `order` with a property is a shortest way to reach one."""

    order: list[int]
    parent: dict[int, tuple[int, int]]  # state -> (predecessor, transition); init: (-1, -1)

    def path_to(self, s: int) -> tuple[int, list[Step]]:
        steps: list[Step] = []
        while self.parent[s][0] != -1:
            u, t = self.parent[s]
            steps.append((t, s))
            s = u
        steps.reverse()
        return s, steps


def _bfs_tree(graph: LivenessGraph) -> _BfsTree:
    parent: dict[int, tuple[int, int]] = {}
    order: list[int] = []
    for s in _initial(graph):
        if s not in parent:
            parent[s] = (-1, -1)
            order.append(s)
    i = 0
    while i < len(order):
        u = order[i]
        i += 1
        for t, v in graph.succ[u]:
            if v not in parent:
                parent[v] = (u, t)
                order.append(v)
    return _BfsTree(order, parent)


# --------------------------------------------------------------------------- the fair cycle


def _fair_cycle(graph: LivenessGraph, fair: _Fairness, a: _Analysis, x: int) -> list[Step]:
    """A cycle from x back to x inside x's fair component that is itself fair.

    Waypoints, in the order of system.fairness: for a constraint enabled in every state of
    the component (weak) or in some state (strong), take one of its edges; for a weak one
    disabled somewhere, visit a state where it is disabled. Between waypoints, shortest paths
    inside the component; finally the shortest way back to x.
    """
    cid = a.comp[x]
    comp = a.comp
    inside: Callable[[int], bool] = lambda v: comp[v] == cid  # noqa: E731
    members = a.comps[cid]
    en, tmask = fair.en, fair.tmask
    en_all, en_any = -1, 0
    for u in members:
        en_all &= en[u]
        en_any |= en[u]
    cycle: list[Step] = []
    cur = x
    taken, disabled_seen = 0, fair.weak & ~en[x]
    for i in range(len(fair.names)):
        bit = 1 << i
        if taken & bit or disabled_seen & bit:
            continue
        if (fair.weak & bit and en_all & bit) or (fair.strong & bit and en_any & bit):
            seg = _path_taking(graph, tmask, inside, cur, bit)
        elif fair.weak & bit:
            seg = _bfs(graph, cur, inside, _disabled_at(en, bit))
        else:
            continue  # strong and disabled throughout: nothing to do
        assert seg is not None, "a fair component provides every waypoint"
        for t, v in seg:
            taken |= tmask[t]
            disabled_seen |= fair.weak & ~en[v]
        cycle.extend(seg)
        if seg:
            cur = seg[-1][1]
    back = _bfs(graph, cur, inside, lambda v: v == x, min_steps=0 if cycle else 1)
    assert back is not None, "a fair component is strongly connected"
    return cycle + back


def _disabled_at(en: list[int], bit: int) -> Callable[[int], bool]:
    return lambda v: not en[v] & bit


def _path_taking(graph: LivenessGraph, tmask: list[int], inside: Callable[[int], bool],
                 start: int, bit: int) -> list[Step] | None:
    """Shortest path to a state with an internal edge of constraint `bit`, then that edge."""
    def edge(u: int) -> Step | None:
        for t, v in graph.succ[u]:
            if v != u and tmask[t] & bit and inside(v):
                return (t, v)
        return None

    path = _bfs(graph, start, inside, lambda u: edge(u) is not None)
    if path is None:
        return None
    last = path[-1][1] if path else start
    step = edge(last)
    assert step is not None
    return path + [step]


# --------------------------------------------------------------------------- per property


def check_liveness(system: GroundSystem, graph: LivenessGraph) -> list[Violation]:
    """One Violation per violated liveness property, in system.liveness order.

    `graph` is the complete reachable state graph (see LivenessGraph). Each violation carries
    a lasso: the last trace step repeats the state at `trace.loop` (a stuttering lasso has
    loop == len(trace) - 1 and no repeated step).
    """
    if not system.liveness:
        return []
    validate_properties(system)
    _require_complete(graph)
    run = _Run(system, graph, _fairness(system, graph))
    out: list[Violation] = []
    for idx, prop in enumerate(system.liveness):
        found = run.violation(idx, prop)
        if found is not None:
            out.append(found)
    return out


class _Run:
    """What the properties of one check share: fairness bits, the BFS tree from the initial
    states (built only if a property needs it), and the analysis per distinct Q."""

    def __init__(self, system: GroundSystem, graph: LivenessGraph, fair: _Fairness):
        self.system, self.graph, self.fair = system, graph, fair
        self._tree: _BfsTree | None = None
        self._by_q: dict[object, _Analysis] = {}

    @property
    def tree(self) -> _BfsTree:
        if self._tree is None:
            self._tree = _bfs_tree(self.graph)
        return self._tree

    def analysis(self, prop: GLiveness) -> _Analysis:
        key: object = EVERY_STATE if prop.kind == "eventually_always" else prop.q
        if key not in self._by_q:
            if key == EVERY_STATE:
                notq = bytearray(b"\x01" * len(self.graph.states))
            else:
                q = compile_gexpr(prop.q)
                notq = bytearray(0 if q(s) else 1 for s in self.graph.states)
            self._by_q[key] = _analyse(self.graph, self.fair, notq)
        return self._by_q[key]

    def violation(self, idx: int, prop: GLiveness) -> Violation | None:
        graph, system, a = self.graph, self.system, self.analysis(prop)
        s = self.trigger(prop, a)
        if s is None:
            return None
        root, prefix = (s, []) if prop.kind == "eventually" else self.tree.path_to(s)
        notq = a.notq
        to_core = _bfs(graph, s, lambda v: bool(notq[v]),
                       lambda v: bool(a.stutter[v]) or a.comp[v] >= 0)
        assert to_core is not None, "reach marks only states that lead to a fair core"
        x = to_core[-1][1] if to_core else s
        stuttering = bool(a.stutter[x])
        cycle = [] if stuttering else _fair_cycle(graph, self.fair, a, x)
        steps = prefix + to_core + cycle
        ids = [root] + [v for _, v in steps]
        ts = [None] + [system.transitions[t] for t, _ in steps]
        loop = len(prefix) + len(to_core)
        raw = [graph.states[i] for i in ids]
        trace = build_trace(system, raw, ts, loop=loop)
        lv = system.spec.liveness[idx] if idx < len(system.spec.liveness) else None
        text = message(system.spec, lv, prop, stuttering, len(cycle), bool(self.fair.all))
        hints = strong_fairness_hints(system, raw, [None] + [t for t, _ in steps], loop)
        details = LivenessDetails(tuple(self.fair.names), stuttering, len(prefix),
                                  tuple(hints)).as_dict()
        return Violation("liveness", prop.name, text, trace, prop.span, details)

    def trigger(self, prop: GLiveness, a: _Analysis) -> int | None:
        """The first state in BFS order where the obligation starts and can fail."""
        reach = a.reach
        if prop.kind == "eventually":
            return next((s for s in _initial(self.graph) if reach[s]), None)
        if not any(reach):
            return None
        if prop.kind == "always_eventually":
            return next((s for s in self.tree.order if reach[s]), None)
        if prop.kind == "eventually_always":
            p_ok, states = compile_gexpr(prop.q), self.graph.states
            return next((s for s in self.tree.order if not p_ok(states[s])
                         and (a.stutter[s] or a.comp[s] >= 0)), None)
        assert prop.p is not None  # leadsto, checked up front
        p = compile_gexpr(prop.p)
        states = self.graph.states
        return next((s for s in self.tree.order if reach[s] and p(states[s])), None)


__all__ = ["EVERY_STATE", "KINDS", "LivenessGraph", "StateGraph", "check_liveness",
           "fairness_bits", "liveness_to_check"]
