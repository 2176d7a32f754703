"""The vectorised engine on tiny named models: closed-form counts and exact counterexamples.

Every expected number is derived in the comment next to it (closed forms or a hand
enumeration), never pasted from the tool's output.
"""
from __future__ import annotations

import io
from math import comb

import pytest

from checker import vector
from checker.options import CheckOptions
from checker.result import ExitReason
from mmspec import ir
from mmspec.ground import ground
from tests.irbuild import BOOL, B, L, P, V, conj, grid, rwsem
from tests.irbuild_explicit import abba, counter, sym_counters


def run(spec: ir.Spec, **opts):
    return vector.check(ground(spec), CheckOptions(**opts))


@pytest.mark.parametrize("k,m", [(1, 5), (3, 4), (4, 3), (2, 9)])
def test_grid_closed_form(k, m):
    r = run(grid(k, m))
    assert r.verdict == "ok" and r.engine == "vector"
    assert r.stats.distinct_states == (m + 1) ** k
    assert r.stats.depth == k * m
    # counter i can step from each of its values 0..m-1 whatever the k-1 others hold
    fires = k * m * (m + 1) ** (k - 1)
    assert r.stats.action_counts == {"Inc": fires}
    assert r.stats.generated_states == 1 + fires
    assert r.stats.extra["exact"] and r.stats.extra["state_words"] == 1


@pytest.mark.parametrize("n,k", [(2, 1), (3, 2), (4, 2), (2, 4)])
def test_rwsem_closed_form(n, k):
    r = run(rwsem(n, k))
    # no writer: each thread idle or reading with ops 0..K: (2(K+1))^N; writer i: N(K+1)^N
    assert r.stats.distinct_states == (2 * (k + 1)) ** n + n * (k + 1) ** n
    assert r.verdict == "ok"


@pytest.mark.parametrize("n,m", [(3, 2), (4, 3), (5, 2)])
def test_symmetry_counts_orbits(n, m):
    # a state up to permutation of the counters is a multiset of N values from 0..M
    r = run(sym_counters(n, m), symmetry=True)
    assert r.stats.distinct_states == comb(n + m, n)
    assert r.stats.depth == n * m
    assert run(sym_counters(n, m)).stats.distinct_states == (m + 1) ** n


def wide(k: int, bits: int, inv_below: int | None = None) -> ir.Spec:
    """k counters of `bits` bits each that may only step 0 -> 1: 2^k states, depth k, but a
    k*bits-bit packed state (more than one 64-bit word when k*bits > 64)."""
    C = ir.IntType(1, k)
    inc = ir.Transition("Inc", (ir.Param("i", C),),
                        B("lt", ir.Index(V("c"), P("i")), L(1)),
                        (ir.Update(ir.Index(V("c"), P("i")),
                                   B("add", ir.Index(V("c"), P("i")), L(1))),))
    invs = ()
    if inv_below is not None:
        total = ir.Index(V("c"), L(1, C))
        for i in range(2, k + 1):
            total = B("add", total, ir.Index(V("c"), L(i, C)))
        invs = (ir.Invariant("few", B("lt", total, L(inv_below))),)
    return ir.Spec("wide", "<ir>", (), (
        ir.Variable("c", ir.MapType(C, ir.IntType(0, 2 ** bits - 1)), ((0,) * k,)),),
        (inc,), invariants=invs, check_deadlock=False)


def test_states_wider_than_a_word_use_fingerprints():
    r = run(wide(10, 7))
    assert r.stats.extra["state_bits"] == 70 and r.stats.extra["state_words"] == 2
    assert not r.stats.extra["exact"]
    assert r.stats.distinct_states == 2 ** 10
    assert r.stats.depth == 10
    # counter i steps once from each state where it is 0: 2^(k-1) states, k counters
    assert r.stats.generated_states == 1 + 10 * 2 ** 9
    p = r.stats.extra["fingerprint_collision_probability"]
    assert 0 < p < 1e-12


def test_wide_counterexample_is_the_first_discovered():
    # level 5's first state: BFS always steps the lowest counter still at 0, so c1..c5 = 1
    r = run(wide(10, 7, inv_below=5))
    (v,) = r.violations
    assert (v.kind, v.property) == ("invariant", "few")
    assert [s.label for s in v.trace.steps[1:]] == [f"Inc(i={i})" for i in range(1, 6)]
    assert v.trace.steps[-1].state["c"] == {i: int(i <= 5) for i in range(1, 11)}
    # the whole of levels 0..5 was discovered before the report: sum of C(10, j), j <= 5
    assert r.stats.distinct_states == sum(comb(10, j) for j in range(6))
    assert r.stats.depth == 5


def diamond() -> ir.Spec:
    """x, y in 0..1; A sets x, B sets y; the invariant forbids both. (1,1) is reached from
    (1,0) by B and from (0,1) by A; (1,0) is discovered first (A precedes B), so the shortest
    trace the BFS keeps is A then B."""
    X = ir.IntType(0, 1)
    ts = (ir.Transition("A", (), B("eq", V("x"), L(0)), (ir.Update(V("x"), L(1)),)),
          ir.Transition("B", (), B("eq", V("y"), L(0)), (ir.Update(V("y"), L(1)),)))
    inv = ir.Invariant("not_both", ir.Unary("not", conj(B("eq", V("x"), L(1)),
                                                        B("eq", V("y"), L(1)))))
    return ir.Spec("diamond", "<ir>", (), (ir.Variable("x", X, (0,)), ir.Variable("y", X, (0,))),
                   ts, invariants=(inv,), check_deadlock=False)


def test_first_discovery_wins_the_parent():
    r = run(diamond())
    (v,) = r.violations
    assert [s.label for s in v.trace.steps[1:]] == ["A", "B"]
    assert [(s.state["x"], s.state["y"]) for s in v.trace.steps] == [(0, 0), (1, 0), (1, 1)]
    assert v.message == "invariant not_both is violated"


def test_range_violation_details_and_trace():
    # x in 0..2, Inc unguarded: x = 0, 1, 2 then Inc would make 3
    r = run(counter(hi=2, guard=False))
    (v,) = r.violations
    assert (v.kind, v.property) == ("range", "x")
    assert v.details == {"action": "Inc", "slot": "x", "value": 3, "lo": 0, "hi": 2}
    assert [s.state["x"] for s in v.trace.steps] == [0, 1, 2]
    # Inc fired from 0, 1 and from 2 (where it fails): 3 firings + the initial state
    assert r.stats.generated_states == 4 and r.stats.action_counts == {"Inc": 3}


def test_wrap_around_is_not_a_range_error():
    # x in -1..1 with wrap, Dec: 0 -> -1 -> 1 -> 0: 3 states, depth 2
    X = ir.IntType(-1, 1, wrap=True)
    spec = ir.Spec("wrap", "<ir>", (), (ir.Variable("x", X, (0,)),),
                   (ir.Transition("Dec", (), ir.Lit(1, BOOL),
                                  (ir.Update(V("x"), B("sub", V("x"), L(1))),)),),
                   check_deadlock=False)
    r = run(spec)
    assert r.verdict == "ok"
    assert (r.stats.distinct_states, r.stats.depth, r.stats.generated_states) == (3, 2, 4)


def test_deadlock_and_final_states():
    # x = 0..3, Inc while x < 3: x = 3 has no step
    r = run(counter(bound=3, deadlock=True))
    (v,) = r.violations
    assert v.kind == "deadlock" and len(v.trace) == 4
    assert v.details == {"waits": [], "cycle": None, "stuck": []}
    spec = counter(bound=3, deadlock=True)
    fin = ir.Spec(spec.name, spec.file, spec.consts, spec.variables, spec.transitions,
                  final=B("eq", V("x"), L(3)), check_deadlock=True)
    assert run(fin).verdict == "ok"
    assert run(spec, deadlock=False).verdict == "ok"


def test_state_limit_stops_with_exact_count():
    r = run(grid(3, 4), max_states=50)
    assert r.reason == ExitReason.STATE_LIMIT and r.verdict == "incomplete"
    assert r.stats.distinct_states == 50
    assert sum(r.stats.action_counts.values()) == r.stats.generated_states - 1
    assert run(grid(3, 4), max_states=125).verdict == "ok"  # exactly all 5^3 states


def test_time_and_memory_limits_stop_with_partial_stats():
    r = run(grid(3, 4), time_limit=0.0)
    assert r.reason == ExitReason.TIME_LIMIT
    assert 1 <= r.stats.distinct_states < 125 and r.stats.queue > 0
    r = run(grid(3, 4), memory_limit=1)
    assert r.reason == ExitReason.MEMORY_LIMIT
    assert 1 <= r.stats.distinct_states < 125


def test_depth_limit():
    # levels 0..2 of grid(2, 3): 1 + 2 + 3 states; level 2 is not expanded
    r = run(grid(2, 3), depth=2)
    assert r.reason == ExitReason.DEPTH_LIMIT
    assert (r.stats.distinct_states, r.stats.depth) == (6, 2)


def test_progress_lines_and_events():
    out = io.StringIO()
    events: list[str] = []
    run(grid(2, 2), progress=out, progress_interval=0.0, on_event=events.append)
    assert out.getvalue().startswith("Progress: ")
    # levels 0..4 of grid(2, 2) hold 1, 2, 3, 2, 1 states
    assert events == ["level 0 1", "level 1 2", "level 2 3", "level 3 2", "level 4 1"]


def test_memory_figures_are_reported():
    r = run(grid(4, 5))
    x = r.stats.extra
    # 8-byte keys, a 1-2 byte filter, a 4-byte parent index and a 1-byte transition per state
    assert 13 <= x["bytes_per_state"] <= 40
    assert x["visited_bytes"] >= 8 * 6 ** 4


def test_supported_and_fallback_reasons():
    assert vector.supported(ground(grid(2, 2))) is None
    g = ground(abba())
    assert vector.supported(g) is None  # lock order runs here too (test_vector_lockorder.py)
    assert [v.kind for v in vector.check(g, CheckOptions()).violations] == [
        "deadlock", "lock-order"]
    assert [v.kind for v in vector.check(g, CheckOptions(lock_order=False)).violations] == [
        "deadlock"]
    spec = grid(2, 2)
    live = ir.Spec(spec.name, spec.file, spec.consts, spec.variables, spec.transitions,
                   liveness=(ir.Liveness("done", "eventually", None,
                                         B("eq", ir.Index(V("c"), L(1, ir.IntType(1, 2))),
                                           L(2))),), check_deadlock=False)
    assert vector.supported(ground(live)) is None  # liveness on arrays (liveness_arrays.py)
    # no fairness: a thread may stop at c[1] = 0 for ever (stuttering lasso at the start)
    r = vector.check(ground(live), CheckOptions())
    assert [(v.kind, v.property) for v in r.violations] == [("liveness", "done")]
    assert len(r.violations[0].trace) == 1
    assert vector.check(ground(live), CheckOptions(liveness=False)).verdict == "ok"
