"""Shortest fair lassos on the z3 engines (checker/symbolic/lasso.py, stutter.py): stutter
lassos found as reachability, returning lassos probed every STRIDE depths, and the promise
that the lasso reported is a shortest one in steps, checked on two hand-derived specs and
against a brute-force enumeration of lassos on random tiny systems."""
from __future__ import annotations

import os

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from checker.liveness import check_liveness
from checker.options import CheckOptions
from checker.result import ExitReason
from checker.symbolic import check_bmc, check_pdr
from checker.symbolic.budget import Budget
from checker.symbolic.encode import Encoding
from checker.symbolic.lasso import STRIDE, bmc_liveness
from mmspec.ground import GroundSystem, eval_gexpr
from tests.differential import load_text
from tests.irbuild_liveness import brute_force_violated, build, check_lasso, enabled
from tests.test_liveness_random import process_systems, systems

EXAMPLES = int(os.environ.get("MMSPEC_PDR_EXAMPLES", "25")) * 3 // 5

# Two fair counters and an unfair `R` that sets done once both are full. A fair behaviour
# may stop only where A and B are both disabled: a == 2 and b == 2, at least 4 steps (two
# of each), and it violates `a == 1 leadsto done` when it stops before R fires. Every state
# has a larger a + b than its predecessor or sets done, so no cycle exists: the only fair
# counterexamples are stutter lassos, all of exactly 4 steps (loop = state 4).
STUTTER_ONLY = """spec stutter_only
var a: 0..2 = 0
var b: 0..2 = 0
var done: bool = false
fair action A when a < 2 { a' = a + 1 }
fair action B when b < 2 { b' = b + 1 }
action R when a == 2 && b == 2 && !done { done' = true }
property p: a == 1 leadsto done
option deadlock = false
"""

# done never holds, so every fair behaviour violates `eventually done`. Spin toggles x once
# n >= 1; Count (weakly fair) is disabled whenever x == 1. Returning lasso: Count (n = 1),
# Spin, Spin: states (x, n) (0,0) (0,1) (1,1) (0,1), back to state 1: 3 steps, fair (Spin
# taken, Count disabled at (1,1)). None is shorter: with n == 0 Spin is disabled and Count
# only raises n, so a cycle needs n >= 1 first (1 step) and then two Spins (a cycle of x's
# two values; Count cannot be on it). Stutter lassos need Spin disabled (stop, which only
# Halt sets, at n == 3) and Count disabled: 3 Counts and Halt, 4 steps; at (0,0) Count is
# enabled, so no stutter lasso is shorter. The shortest is the 3-step loop, below STRIDE.
LOOP_FIRST = """spec loop_first
var x: 0..1 = 0
var n: 0..3 = 0
var stop: bool = false
var done: bool = false
fair action Spin when !stop && n >= 1 { x' = 1 - x }
fair action Count when n < 3 && x == 0 { n' = n + 1 }
action Halt when n == 3 && !stop { stop' = true }
property ev: eventually done
option deadlock = false
"""


def _engines_agree(text: str, steps: int, loop: int) -> None:
    spec = load_text(text)
    system, graph = build(spec)
    prop = system.liveness[0]
    assert brute_force_violated(system, graph, 0) is True
    ref = next(v for v in check_liveness(system, graph) if v.property == prop.name)
    assert (len(ref.trace) - 1, ref.trace.loop) == (steps, loop)
    assert shortest_lasso(system, graph, 0, steps) == steps
    for r in (check_bmc(system, CheckOptions(depth=2 * steps)),
              check_pdr(system, CheckOptions(depth=2 * steps, time_limit=60))):
        assert r.reason == ExitReason.VIOLATION, r.engine
        v = next(v for v in r.violations if v.kind == "liveness")
        assert (len(v.trace) - 1, v.trace.loop) == (steps, loop), r.engine
        check_lasso(system, graph, v.trace, stuttering=loop == steps)


def test_stutter_lasso_of_known_length():
    _engines_agree(STUTTER_ONLY, 4, 4)


def test_returning_lasso_shorter_than_any_stutter_lasso():
    assert 3 % STRIDE != 0  # found by the fill-in below a stutter hit, not a strided probe
    _engines_agree(LOOP_FIRST, 3, 1)


# --------------------------------------------------------------------------- the oracle


def shortest_lasso(system: GroundSystem, graph, idx: int, most: int,
                   budget: int = 20_000) -> int | None:
    """The fewest steps of a fair lasso violating property idx, by enumerating every path of
    changing steps from an initial state (None: none of at most `most` steps; -1: more than
    `budget` paths). The rules are lasso.py's docstring, re-derived from the guards."""
    prop = system.liveness[idx]
    q = [bool(eval_gexpr(prop.q, s)) for s in graph.states]
    p = [bool(eval_gexpr(prop.p, s)) if prop.p is not None else False for s in graph.states]
    nf = len(system.fairness)
    en = [[enabled(system, f, s) for f in range(nf)] for s in graph.states]
    paths = [([u], []) for u in graph.init]
    seen = 0
    for k in range(most + 1):
        for states, sels in paths:
            if _violates(system, prop.kind, states, sels, q, p, en):
                return k
        seen += len(paths)
        if seen > budget:
            return -1
        paths = [(states + [v], sels + [t]) for states, sels in paths
                 for t, v in graph.succ[states[-1]] if v != states[-1]]
    return None


def _violates(system, kind, states, sels, q, p, en) -> bool:
    k = len(sels)
    loops = [k] + [l for l in range(k) if states[l] == states[k]]
    for l in loops:
        loop = states[l:k] if l < k else [states[k]]
        taken = set(sels[l:k])
        fair = True
        for f, c in enumerate(system.fairness):
            took = any(t in taken for t in c.transitions)
            on = [en[s][f] for s in loop]
            if (c.kind == "weak" and all(on) or c.kind == "strong" and any(on)) and not took:
                fair = False
        if not fair:
            continue
        if kind == "eventually" and not any(q[s] for s in states):
            return True
        if kind == "always_eventually" and not any(q[s] for s in loop):
            return True
        if kind == "eventually_always" and not all(q[s] for s in loop):
            return True
        if kind == "leadsto":
            first = min(l, k)
            if any(p[states[j]] and not any(q[s] for s in states[j:]) for j in range(k + 1)) \
                    and not any(q[s] for s in states[first:]):
                return True
    return False


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.one_of(systems(), process_systems()))
def test_bmc_lasso_is_a_shortest_one(spec):
    system, graph = build(spec)
    enc = Encoding(system, False)
    most = 2 * len(graph.states)
    wants = [shortest_lasso(system, graph, i, most) for i in range(len(system.liveness))]
    assume(all(w != -1 for w in wants))  # before the bmc run: a rejected example is cheap
    found, _, stopped = bmc_liveness(enc, Budget(CheckOptions()), most)
    assert not stopped
    by_name = {v.property: v for v in found}
    for prop, want in zip(system.liveness, wants):
        got = by_name.get(prop.name)
        assert (None if got is None else len(got.trace) - 1) == want, prop.name


@settings(max_examples=3, deadline=None,  # ~5 s each; bench/pdr_buggy.py runs the library
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(process_systems())
def test_pdr_liveness_violation_is_a_shortest_lasso(spec):
    """pdr (k-liveness, then the lasso search: unbounded once a stutter violation is
    certain) reports each violated property with a shortest lasso, and says "ok" only when
    no property is violated."""
    system, graph = build(spec)
    # a shortest lasso: a simple path in the product with the property's one-bit monitor,
    # then a simple cycle: fewer than 3 * |states| steps
    most = 3 * len(graph.states)
    # the oracle first: an example it rejects costs no pdr run
    wants = [shortest_lasso(system, graph, i, most) for i in range(len(system.liveness))]
    assume(all(w != -1 for w in wants))
    r = check_pdr(system, CheckOptions(time_limit=30, depth=most))
    got = {v.property: len(v.trace) - 1 for v in r.violations if v.kind == "liveness"}
    for prop, want in zip(system.liveness, wants):
        assert got.get(prop.name) == want, prop.name
    if r.reason == ExitReason.DONE:
        assert not got
