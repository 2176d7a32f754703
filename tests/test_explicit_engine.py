"""The explicit engine: cross-checked against a reference BFS, limits, workers, symmetry."""
import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.explicit import check
from checker.explicit.compiled import CompiledSystem
from checker.explicit.graph import build_graph
from checker.explicit.reference import RangeError, successor
from checker.options import CheckOptions
from checker.result import ExitReason
from mmspec import ir
from mmspec.ground import eval_gexpr, ground
from tests import irbuild_explicit as ie
from tests.irbuild import BOOL, B, L, V, grid, rwsem


def reference_bfs(system, stop_on_range=False):
    """Levels of the reachable graph with the reference interpreter (no property checks):
    distinct, depth, generated (successors + initial states) and fires per IR name.
    With stop_on_range: the first range error in BFS order, (trace length, state, label)."""
    seen = set()
    level = []
    for s in system.init:
        if s not in seen:
            seen.add(s)
            level.append(s)
    depth, generated = 0, len(system.init)
    fires = {t.name: 0 for t in system.spec.transitions}
    while level:
        nxt = []
        for s in level:
            for t in system.transitions:
                if eval_gexpr(t.guard, s):
                    fires[t.name] += 1
                    generated += 1
                    try:
                        n = successor(system, t, s)
                    except RangeError:
                        if stop_on_range:
                            return depth + 1, s, t.label
                        raise
                    if n not in seen:
                        seen.add(n)
                        nxt.append(n)
        if nxt:
            depth += 1
        level = nxt
    if stop_on_range:
        return None
    return len(seen), depth, generated, fires


def stats_key(r):
    s = r.stats
    return (r.verdict, s.distinct_states, s.generated_states, s.depth, s.action_counts)


@pytest.mark.parametrize("spec", [grid(3, 3), grid(2, 5), rwsem(2, 2), rwsem(3, 1)],
                         ids=["grid33", "grid25", "rwsem22", "rwsem31"])
def test_matches_reference_bfs(spec):
    system = ground(spec)
    r = check(system)
    distinct, depth, generated, fires = reference_bfs(system)
    assert (r.stats.distinct_states, r.stats.depth, r.stats.generated_states,
            r.stats.action_counts) == (distinct, depth, generated, fires)


# --------------------------------------------------------------------------- random specs

OPS = ("eq", "ne", "lt", "le", "gt", "ge")


@st.composite
def random_spec(draw, wrap=True):
    """2-3 (wrap-around) variables and 1-4 actions with comparison guards and updates."""
    n = draw(st.integers(2, 3))
    his = [draw(st.integers(1, 4)) for _ in range(n)]
    los = [draw(st.integers(-1, 0)) for _ in range(n)]
    variables = tuple(ir.Variable(f"v{i}", ir.IntType(los[i], his[i], wrap=wrap), (los[i],))
                      for i in range(n)) + (ir.Variable("b", BOOL, (0,)),)
    ts = []
    for a in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, n - 1))
        guard = B(draw(st.sampled_from(OPS)), V(f"v{i}"), L(draw(st.integers(-1, 4))))
        if draw(st.booleans()):  # literal on the left, possibly of `x + c`
            lhs = V(f"v{i}") if draw(st.booleans()) else B("add", V(f"v{i}"), L(1))
            guard = B(draw(st.sampled_from(OPS)), L(draw(st.integers(-2, 4))), lhs)
        if draw(st.booleans()):
            j = draw(st.integers(0, n - 1))
            guard = B("and", guard, B(draw(st.sampled_from(OPS)), V(f"v{j}"), V(f"v{i}")))
        g = draw(st.integers(0, 3))
        if g == 1:
            guard = B("or", guard, V("b"))
        elif g == 2:
            guard = B("and", guard, ir.Unary("not", V("b")))
        elif g == 3:
            guard = B("implies", V("b"), guard)
        if draw(st.booleans()):
            bval = draw(st.sampled_from([
                B("or", V("b"), B("lt", V(f"v{i}"), L(1))),
                B("and", V("b"), B("eq", V(f"v{i}"), V(f"v{(i + 1) % n}"))),
                ir.Unary("not", V("b")),
                B("implies", B("ge", V(f"v{i}"), L(1)), V("b"))]))
            ups_b = [ir.Update(V("b"), bval)]
        else:
            ups_b = []
        ups = list(ups_b)
        for k in sorted(set(draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=2)))):
            kind = draw(st.integers(0, 3))
            if kind == 0:
                val = B("add", V(f"v{k}"), L(draw(st.integers(-2, 2))))
            elif kind == 1:
                val = L(draw(st.integers(los[k], his[k])))
            elif kind == 2:
                val = V(f"v{draw(st.integers(0, n - 1))}")
            else:
                val = ir.Ite(B("or", B("lt", V(f"v{i}"), L(1)), V("b")), L(his[k]),
                             B("mul", V(f"v{k}"), L(2)))
            ups.append(ir.Update(V(f"v{k}"), val))
        ts.append(ir.Transition(f"T{a}", (), guard, tuple(ups)))
    return ir.Spec("random", "<ir>", (), variables, tuple(ts), check_deadlock=False)


@settings(max_examples=60, deadline=None)
@given(random_spec())
def test_random_specs_match_reference(spec):
    system = ground(spec)
    r = check(system)
    assert r.verdict == "ok"
    distinct, depth, generated, fires = reference_bfs(system)
    assert (r.stats.distinct_states, r.stats.depth, r.stats.generated_states,
            r.stats.action_counts) == (distinct, depth, generated, fires)
    g = build_graph(system)
    assert len(g) == distinct
    assert sum(len(out) for out in g.succ) == generated - len(system.init)


@settings(max_examples=60, deadline=None)
@given(random_spec(wrap=False))
def test_random_specs_first_range_error(spec):
    system = ground(spec)
    r = check(system)
    first = reference_bfs(system, stop_on_range=True)
    if first is None:
        assert r.verdict == "ok"
        return
    (v,) = r.violations
    length, state, label = first
    assert (v.kind, len(v.trace), v.details["action"]) == ("range", length, label)
    assert tuple(v.trace.steps[-1].state.values()) == state


# --------------------------------------------------------------------------- determinism


def test_deterministic_counts_and_traces():
    spec = ie.check_before_deeper_invariant()
    a, b = check(ground(spec)), check(ground(spec))
    assert stats_key(a) == stats_key(b)
    assert a.violations[0].trace == b.violations[0].trace
    a, b = check(ground(rwsem(3, 2))), check(ground(rwsem(3, 2)))
    assert stats_key(a) == stats_key(b)


def test_trace_states_are_decoded_and_replayable():
    r = check(ground(ie.two_steps()))
    (v,) = r.violations
    assert [s.state for s in v.trace.steps] == [{"x": 0, "y": 0}, {"x": 0, "y": 2},
                                                {"x": 0, "y": 4}]
    assert v.trace.steps[0].action is None and v.trace.steps[1].action == "B"


# --------------------------------------------------------------------------- limits


def test_state_limit_partial_stats():
    r = check(ground(grid(3, 4)), CheckOptions(max_states=40))
    assert r.reason == ExitReason.STATE_LIMIT and r.verdict == "incomplete"
    assert r.stats.distinct_states == 40
    assert r.stats.generated_states > 40 and r.stats.queue > 0
    assert sum(r.stats.action_counts.values()) == r.stats.generated_states - 1


def test_time_limit_partial_stats():
    r = check(ground(grid(4, 6)), CheckOptions(time_limit=0.0))
    assert r.reason == ExitReason.TIME_LIMIT and r.verdict == "incomplete"
    assert 0 < r.stats.distinct_states < 7 ** 4


def test_memory_limit():
    r = check(ground(grid(4, 6)), CheckOptions(memory_limit=1))
    assert r.reason == ExitReason.MEMORY_LIMIT and r.verdict == "incomplete"
    assert r.stats.distinct_states > 0


def test_progress_lines():
    out = io.StringIO()
    check(ground(grid(4, 6)), CheckOptions(progress=out, progress_interval=0.0))
    lines = out.getvalue().splitlines()
    assert lines
    pat = re.compile(r"^Progress: [\d,]+ distinct states \([\d,]+/s\), [\d,]+ generated, "
                     r"queue [\d,]+, depth \d+$")
    assert all(pat.match(x) for x in lines), lines[:3]


# --------------------------------------------------------------------------- workers


@pytest.mark.parametrize("store", ["set", "bits", "bytes"])
def test_workers_identical(store, monkeypatch):
    monkeypatch.setattr("checker.explicit.parallel.MIN_PARALLEL", 50)
    monkeypatch.setattr("checker.explicit.search.choose", lambda bits, mem=None: store)
    events = []
    one = check(ground(rwsem(3, 3)))
    two = check(ground(rwsem(3, 3)), CheckOptions(workers=2, on_event=events.append))
    three = check(ground(rwsem(3, 3)), CheckOptions(workers=3))
    assert any(e.startswith("parallel level") for e in events)
    assert stats_key(one) == stats_key(two) == stats_key(three)
    import multiprocessing
    assert not multiprocessing.active_children()  # the worker pool was shut down


def test_workers_identical_violation_and_limit(monkeypatch):
    monkeypatch.setattr("checker.explicit.parallel.MIN_PARALLEL", 8)
    spec = grid(4, 4)
    spec = ir.Spec(spec.name, spec.file, spec.consts, spec.variables, spec.transitions,
                   invariants=(ir.Invariant("low", B("lt", B("add", ir.Index(V("c"), L(2)),
                                                             ir.Index(V("c"), L(4))), L(7))),),
                   check_deadlock=False)
    for opts in ({}, {"max_states": 200}):
        a = check(ground(spec), CheckOptions(**opts))
        b = check(ground(spec), CheckOptions(workers=2, **opts))
        assert stats_key(a)[:2] == stats_key(b)[:2] and a.stats.depth == b.stats.depth
        assert a.reason == b.reason
        assert [v.trace for v in a.violations] == [v.trace for v in b.violations]


# --------------------------------------------------------------------------- symmetry


def test_symmetry_trace_is_a_real_execution():
    T = ir.IntType(1, 3, symmetric="T")
    base = ie.sym_counters(3, 3)
    inv = ir.Invariant("not_all_two", ir.Quant("exists", "i", T,
                                               B("lt", ir.Index(V("c"), ir.ParamRef("i")), L(2))))
    spec = ir.Spec(base.name, base.file, base.consts, base.variables, base.transitions,
                   invariants=(inv,), check_deadlock=False, symmetric=("T",))
    system = ground(spec)
    plain = check(system)
    sym = check(system, CheckOptions(symmetry=True))
    assert sym.stats.extra["orbit_representatives"] < plain.stats.distinct_states
    (v,) = sym.violations
    assert len(v.trace) == len(plain.violations[0].trace) == 7
    states = [tuple(s.state["c"].values()) for s in v.trace.steps]
    for (a, b), step in zip(zip(states, states[1:]), v.trace.steps[1:]):
        i = dict(step.binding)["i"] - 1
        assert b[i] == a[i] + 1 and all(b[j] == a[j] for j in range(3) if j != i)
    assert states[-1] == (2, 2, 2)


# --------------------------------------------------------------------------- locks


def test_lock_order_details_and_witnesses():
    r = check(ground(ie.abba_serialised()))
    (v,) = r.violations
    chain = v.details["chain"]
    assert [(c["from"], c["to"], c["thread"], c["trace_length"]) for c in chain] == [
        ("B/0", "A/0", "t2", 8), ("A/0", "B/0", "t1", 3)]
    assert v.message == "possible circular locking dependency: B/0 -> A/0 -> B/0"
    w = v.details["witnesses"]
    assert w[0] == v.trace
    assert [s.label for s in w[1].steps[1:]] == ["t1: lock_A0", "t1: lock_B1"]


def test_lock_order_option_overrides_spec():
    r = check(ground(ie.abba()), CheckOptions(lock_order=False))
    assert r.violations[0].kind == "deadlock"
    r = check(ground(ie.abba(lock_order=False)), CheckOptions(lock_order=True))
    # the cycle is reported after the deadlock that stopped the search
    assert [v.kind for v in r.violations] == ["deadlock", "lock-order"]


def test_generated_source_has_no_spec_text():
    spec = ie.threads([("SECRETPROC", [("lock", "SECRETLOCK"), ("unlock", "SECRETLOCK")])],
                      ["SECRETLOCK"])
    system = ground(spec)
    cs = CompiledSystem(system)
    from checker.explicit.search import Search
    Search(system, CheckOptions(symmetry=True), cs)
    cs.succ, cs.invok
    assert cs.sources
    assert not any("SECRET" in src for src in cs.sources.values())
    assert all(re.fullmatch(r"[\w\s()=<>!+\-*/%&|^,.:\[\]#]*", src) for src in cs.sources.values())


# --------------------------------------------------------------------------- visited stores


@pytest.mark.parametrize("store", ["set", "bits", "bytes"])
def test_every_visited_store_gives_the_same_results(store, monkeypatch):
    specs = [grid(3, 3), rwsem(3, 2), ie.two_steps(), ie.abba(), ie.abba_serialised(),
             ie.check_before_deeper_invariant()]
    expected = []
    for spec in specs:
        r = check(ground(spec))
        expected.append((stats_key(r), [(v.kind, v.trace) for v in r.violations]))
    limited = check(ground(grid(3, 4)), CheckOptions(max_states=40))
    sym = check(ground(ie.sym_counters(3, 2)), CheckOptions(symmetry=True))
    monkeypatch.setattr("checker.explicit.search.choose", lambda bits, mem=None: store)
    for spec, want in zip(specs, expected):
        r = check(ground(spec))
        assert r.stats.extra["visited_store"] == store
        assert (stats_key(r), [(v.kind, v.trace) for v in r.violations]) == want
    r = check(ground(grid(3, 4)), CheckOptions(max_states=40))
    assert stats_key(r) == stats_key(limited) and r.reason == ExitReason.STATE_LIMIT
    r = check(ground(ie.sym_counters(3, 2)), CheckOptions(symmetry=True))
    assert stats_key(r) == stats_key(sym)


def test_store_choice():
    from checker.explicit.visited import choose
    assert choose(20) == "bytes" and choose(36) == "bits" and choose(41) == "set"
    assert choose(28, memory_limit_mb=100) == "set"


def test_sparse_map_moves_to_a_set(monkeypatch):
    monkeypatch.setattr("checker.explicit.search.SPARSE_ALLOWANCE_MB", -10_000)
    events = []
    r = check(ground(rwsem(3, 2)), CheckOptions(on_event=events.append))
    assert "visited map too sparse: moved to a set" in events
    assert r.stats.extra["visited_store"] == "set"
    assert r.stats.distinct_states == 6 ** 3 + 3 * 3 ** 3


def test_long_guards_are_combined_past_the_nesting_cap():
    # 15 flags set one by one, then an action whose guard has 15 conjuncts: 2^15 flag
    # states plus the one where `done` is set
    n = 15
    flag = ir.IntType(0, 1)
    variables = tuple(ir.Variable(f"v{i}", flag, (0,)) for i in range(n)) + (
        ir.Variable("done", flag, (0,)),)
    ts = [ir.Transition(f"Set{i}", (), B("eq", V(f"v{i}"), L(0)),
                        (ir.Update(V(f"v{i}"), L(1)),)) for i in range(n)]
    guard = B("eq", V("done"), L(0))
    for i in range(n):
        guard = B("and", guard, B("eq", V(f"v{i}"), L(1)))
    ts.append(ir.Transition("Done", (), guard, (ir.Update(V("done"), L(1)),)))
    spec = ir.Spec("flags", "<ir>", (), variables, tuple(ts), check_deadlock=False)
    system = ground(spec)
    r = check(system)
    assert r.stats.distinct_states == 2 ** n + 1 and r.stats.depth == n + 1
    assert r.stats.action_counts["Done"] == 1
    assert reference_bfs(system)[:3] == (r.stats.distinct_states, r.stats.depth,
                                         r.stats.generated_states)


def test_literal_on_the_left_of_a_comparison():
    # Pins a kernel bug: `k OP e` was folded to `k FLIP(OP) e` (operands left unswapped).
    # x = -2..3 from -1, Inc while `3 > x` (x < 3); `assert -2 < x` is a reach check that
    # holds everywhere; invariant `2 >= x + 0` fails first at x = 3 (5 states: -1..3)
    X = ir.IntType(-2, 3)
    chk = ir.Check(B("lt", L(-2), V("x")), "above -2", when="reach")
    inc = ir.Transition("Inc", (), B("gt", L(3), V("x")),
                        (ir.Update(V("x"), B("add", V("x"), L(1))),), checks=(chk,))
    spec = ir.Spec("lit_left", "<ir>", (), (ir.Variable("x", X, (-1,)),), (inc,),
                   invariants=(ir.Invariant("le2", B("ge", L(2), B("add", V("x"), L(0)))),),
                   check_deadlock=False)
    r = check(ground(spec))
    (v,) = r.violations
    assert (v.kind, v.property, len(v.trace)) == ("invariant", "le2", 5)
