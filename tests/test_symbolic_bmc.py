"""BMC against the reference BFS: the first violation at exactly the shortest depth, of the
preferred class, with a trace that replays; nothing up to the reachable diameter when the
spec is clean."""
from __future__ import annotations

import io

import pytest

from checker.options import CheckOptions
from checker.result import ExitReason
from checker.symbolic import check_bmc
from mmspec.ground import ground
from tests import irbuild_symbolic as sb
from tests.irbuild import grid, rwsem
from tests.test_symbolic_ref import assert_agrees, longest_path, ref_bfs

BUGGY = [sb.counter(10, 5), sb.abba(), sb.assertion_fire(), sb.assertion_reach(),
         sb.range_overflow(3), sb.wrap_counter(), sb.same_depth(False), sb.same_depth(True),
         sb.inv_and_deadlock(), sb.floor_divmod(), sb.set_rwsem(True)]
CLEAN = [grid(2, 2), rwsem(2, 1), sb.set_rwsem(False), sb.rwsem_helpers(2, 1),
         sb.not_inductive(7)]


@pytest.mark.parametrize("spec", BUGGY, ids=lambda s: s.name)
def test_first_violation_is_shortest(spec):
    system = ground(spec)
    ref = ref_bfs(system)
    r = check_bmc(system, CheckOptions(depth=12))
    assert r.engine == "bmc" and r.reason == ExitReason.VIOLATION
    assert r.stats.depth == ref.depth
    assert_agrees(system, ref, r.violations[0])


@pytest.mark.parametrize("spec", CLEAN, ids=lambda s: s.name)
def test_clean_up_to_the_diameter(spec):
    system = ground(spec)
    ref = ref_bfs(system)
    assert ref.depth is None
    k = ref.diameter + 1
    r = check_bmc(system, CheckOptions(depth=k))
    assert r.violations == []
    longest = longest_path(system, ref)
    if longest is not None and longest < k:
        # every execution ends by then: the unrolling is exhausted, the check complete
        assert r.reason == ExitReason.DONE and r.stats.depth == longest
        assert r.verdict == "ok"
    else:
        assert r.reason == ExitReason.DEPTH_LIMIT and r.stats.depth == k
        assert r.verdict == "incomplete"  # a bounded pass; the CLI says so


@pytest.mark.parametrize("spec", [grid(2, 2), rwsem(2, 1)], ids=lambda s: s.name)
def test_terminating_specs_are_complete_past_their_longest_execution(spec):
    system = ground(spec)
    longest = longest_path(system, ref_bfs(system))
    assert longest is not None
    r = check_bmc(system, CheckOptions(depth=longest))
    assert r.reason == ExitReason.DEPTH_LIMIT and r.stats.depth == longest
    r = check_bmc(system, CheckOptions(depth=longest + 1))
    assert r.reason == ExitReason.DONE and r.stats.depth == longest


def test_bound_below_the_bug_is_a_bounded_pass():
    r = check_bmc(ground(sb.counter(10, 5)), CheckOptions(depth=4))
    assert r.violations == [] and r.reason == ExitReason.DEPTH_LIMIT and r.stats.depth == 4


def test_exact_counterexample_of_abba():
    r = check_bmc(ground(sb.abba()), CheckOptions())
    v = r.violations[0]
    assert (v.kind, v.property) == ("deadlock", "deadlock")
    assert {st.action for st in v.trace.steps[1:]} == {"T1_a", "T2_b"}
    assert v.trace.steps[-1].state == {"a": 1, "b": 2, "pc1": 1, "pc2": 1}


def test_range_details():
    v = check_bmc(ground(sb.range_overflow(3)), CheckOptions()).violations[0]
    assert v.details == {"action": "Inc", "slot": "x", "value": 4, "lo": 0, "hi": 3}
    assert [st.state["x"] for st in v.trace.steps] == [0, 1, 2, 3]


def test_check_details_name_the_action():
    v = check_bmc(ground(sb.assertion_reach()), CheckOptions()).violations[0]
    assert (v.kind, v.property, v.details) == ("assertion", "Wait reached", {"action": "Wait"})


def test_deadlock_option_overrides_the_spec():
    system = ground(sb.abba())
    ref = ref_bfs(system, deadlock=False)
    assert ref.depth is None and longest_path(system, ref) == 6  # both threads finish
    r = check_bmc(system, CheckOptions(depth=5, deadlock=False))
    assert r.violations == [] and r.reason == ExitReason.DEPTH_LIMIT
    r = check_bmc(system, CheckOptions(depth=8, deadlock=False))
    assert r.violations == [] and r.reason == ExitReason.DONE and r.stats.depth == 6


def test_wrap_is_not_a_range_violation():
    v = check_bmc(ground(sb.wrap_counter()), CheckOptions()).violations[0]
    assert [st.state["seq"] for st in v.trace.steps] == [0, 1, 2, 3, 0]


def test_progress_line_per_depth():
    out = io.StringIO()
    check_bmc(ground(sb.counter(10, 5)), CheckOptions(depth=8, progress=out))
    lines = out.getvalue().splitlines()
    assert [ln.split()[2] for ln in lines] == ["0", "1", "2", "3", "4", "5"]
    assert all(ln.startswith("bmc: depth ") and "sat-check" in ln for ln in lines)


def test_time_limit_stops_cleanly():
    r = check_bmc(ground(grid(3, 3)), CheckOptions(depth=50, time_limit=0.0))
    assert r.reason == ExitReason.TIME_LIMIT and r.violations == []
    assert any("time limit" in n for n in r.notes)


def test_initial_states_enumerated_per_variable():
    system = ground(sb.floor_divmod())  # y starts in {-2, 0, 2}: three initial states
    assert len(system.init) == 3
    r = check_bmc(system, CheckOptions(depth=0))
    assert r.violations == [] and r.stats.depth == 0
