"""k-induction: proofs of grid and rwsem (with the helper invariants rwsem needs), a
non-inductive property with its exact counterexample to induction, and base-case violations
identical to BMC's."""
from __future__ import annotations

import pytest

from checker.options import CheckOptions
from checker.result import ExitReason
from checker.symbolic import check_kind
from mmspec import ir
from mmspec.ground import decode_state, eval_gexpr, ground
from tests import irbuild_symbolic as sb
from tests.irbuild import B, L, V, grid, rwsem
from tests.test_symbolic_bmc import BUGGY
from tests.test_symbolic_ref import assert_agrees, longest_path, ref_bfs, step, transition_of


def test_grid_is_0_inductive():
    # no invariants: the property is "Inc never leaves 0..M", which its guard c < M ensures
    r = check_kind(ground(grid(3, 4)), CheckOptions())
    assert r.engine == "kind" and r.reason == ExitReason.DONE and r.verdict == "ok"
    assert r.stats.extra["proved"] is True and r.stats.extra["k"] == 0


@pytest.mark.parametrize("n,k", [(2, 1), (2, 3), (3, 2)])
def test_rwsem_with_helpers_is_0_inductive(n, k):
    # by hand: readers == #reading and writer == i <=> pc[i] == writing are preserved by all
    # four actions and together imply excl and every range (EndRead has readers >= 1, ...)
    r = check_kind(ground(sb.rwsem_helpers(n, k)), CheckOptions())
    assert r.reason == ExitReason.DONE and r.violations == []
    assert r.stats.extra == {**r.stats.extra, "proved": True, "k": 0}


def test_rwsem_without_helpers_is_not_inductive_at_small_k():
    system = ground(rwsem(2, 3))
    r = check_kind(system, CheckOptions(depth=3))
    assert r.reason == ExitReason.DEPTH_LIMIT and r.violations == [] and r.verdict != "ok"
    assert r.stats.extra["proved"] is False
    assert "not k-inductive up to 3: add a helper invariant" in r.notes
    _assert_is_cti(system, r.stats.extra["cti"], k=3)


def _assert_is_cti(system, trace, k):
    """k+1 distinct states satisfying every invariant, linked by steps, then a bad state."""
    assert len(trace) == k + 2
    by_view = {}
    for s in _all_states(system):
        by_view[repr(decode_state(system, s))] = s
    states = [by_view[repr(st.state)] for st in trace.steps]
    assert len(set(states)) == len(states)
    for a, b, st in zip(states, states[1:], trace.steps[1:]):
        assert step(system, a, transition_of(system, st)) == b
    from tests.test_symbolic_ref import violations
    for s in states[:-1]:
        assert not any(v for c, v in violations(system, s, False).items())
    assert any(v for v in violations(system, states[-1], False).values())


def _all_states(system):
    import itertools
    return itertools.product(*[range(s.lo, s.hi + 1) for s in system.slots])


def test_exact_cti_of_the_odd_chain():
    # derived in irbuild_symbolic.not_inductive: the only window at k = 2 is 1, 3, 5 -> 7
    system = ground(sb.not_inductive(7))
    r = check_kind(system, CheckOptions(depth=2))
    assert r.reason == ExitReason.DEPTH_LIMIT
    cti = r.stats.extra["cti"]
    assert [st.state["x"] for st in cti.steps] == [1, 3, 5, 7]
    assert [st.action for st in cti.steps] == [None, "Up", "Up", "Up"]
    assert r.stats.extra["cti_property"] == "not_hi"


def test_odd_chain_is_3_inductive_and_a_helper_makes_it_0_inductive():
    r = check_kind(ground(sb.not_inductive(7)), CheckOptions(depth=3))
    assert r.reason == ExitReason.DONE and r.stats.extra["k"] == 3
    even = B("eq", B("mod", V("x"), L(2)), L(0))
    r = check_kind(ground(sb.with_helper(sb.not_inductive(7), "even", even)), CheckOptions())
    assert r.reason == ExitReason.DONE and r.stats.extra["k"] == 0


def test_a_false_helper_invariant_is_reported():
    spec = sb.with_helper(sb.counter(10, 8), "below3", B("lt", V("x"), L(3)))
    system = ground(spec)
    r = check_kind(system, CheckOptions())
    assert r.reason == ExitReason.VIOLATION
    v = r.violations[0]
    assert (v.kind, v.property, len(v.trace)) == ("invariant", "below3", 4)
    assert_agrees(system, ref_bfs(system), v)


@pytest.mark.parametrize("spec", BUGGY, ids=lambda s: s.name)
def test_base_case_finds_the_shortest_violation(spec):
    system = ground(spec)
    ref = ref_bfs(system)
    r = check_kind(system, CheckOptions(depth=ref.depth))
    assert r.reason == ExitReason.VIOLATION and r.stats.depth == ref.depth
    assert_agrees(system, ref, r.violations[0])


def test_deadlock_is_not_proved_by_induction():
    # abba has no safety property to prove (0-induction) and deadlocks at depth 2: with
    # K = 1 the deadlock is out of reach and only a note says so; with K = 2 the bounded
    # deadlock sweep after the proof finds it
    system = ground(sb.abba())
    assert ref_bfs(system).depth == 2
    r = check_kind(system, CheckOptions(depth=1))
    assert r.reason == ExitReason.DONE and r.violations == [] and r.stats.extra["k"] == 0
    assert any(n.startswith("deadlock freedom is not proved by k-induction: checked only "
                            "up to depth 1") for n in r.notes)
    r = check_kind(system, CheckOptions(depth=2))
    assert r.reason == ExitReason.VIOLATION and r.violations[0].kind == "deadlock"
    assert r.stats.extra["proved"] is True and r.stats.depth == 2


def test_every_clean_state_satisfies_the_proved_property():
    # soundness spot check: what kind proves, the BFS confirms on every reachable state
    spec = sb.rwsem_helpers(2, 2)
    system = ground(spec)
    assert check_kind(system, CheckOptions()).reason == ExitReason.DONE
    ref = ref_bfs(system)
    assert ref.depth is None
    assert all(eval_gexpr(i.expr, s) for s in ref.level for i in system.invariants)


def test_exhausted_base_case_is_a_complete_proof():
    # x: 0..9 starts at 6 and steps by 2 while x <= 7: the only execution is 6 -> 8, so
    # the base case finds no path of length 2 (k = 2) before the step case could prove
    # `x != 9` (the odd chain 1, 3, 5, 7 -> 9 gives CTIs up to k = 3)
    x = V("x")
    spec = ir.Spec("short", "<ir>", (), (ir.Variable("x", ir.IntType(0, 9), (6,)),),
                   (ir.Transition("Up", (), B("le", x, L(7)),
                                  (ir.Update(x, B("add", x, L(2))),)),),
                   invariants=(ir.Invariant("not9", B("ne", x, L(9))),), check_deadlock=False)
    r = check_kind(ground(spec), CheckOptions(depth=5))
    assert r.reason == ExitReason.DONE and r.stats.depth == 1
    assert r.stats.extra["proved"] is True and r.stats.extra["k"] == 2
    assert "every execution ends within 1 steps" in r.notes[-1]
    # deadlock checking is on and x == 8 is stuck without being final: found at depth 1
    spec2 = ir.Spec("short", "<ir>", (), spec.variables, spec.transitions,
                    invariants=spec.invariants, check_deadlock=True)
    assert check_kind(ground(spec2), CheckOptions(depth=5)).violations[0].kind == "deadlock"


def test_deadlock_sweep_completes_when_executions_end():
    # rwsem_helpers(2, 1) is 0-inductive; with every state allowed to stop (final = true)
    # the sweep for deadlocks runs until no path of length 7 exists: the longest execution
    # is 6 steps (see test_ref_longest_path), so deadlock freedom is checked everywhere
    base = sb.rwsem_helpers(2, 1)
    spec = ir.Spec(base.name, base.file, base.consts, base.variables, base.transitions,
                   invariants=base.invariants, final=L(1, ir.BoolType()), check_deadlock=True)
    system = ground(spec)
    assert longest_path(system, ref_bfs(system)) == 6
    r = check_kind(system, CheckOptions(depth=10))
    assert r.reason == ExitReason.DONE and r.stats.extra["k"] == 0 and r.stats.depth == 6
    assert "every execution ends within 6 steps" in r.notes[-1]
    assert not any(n.startswith("deadlock freedom is not proved") for n in r.notes)
