"""`mmspec simulate`: random walks report real violations in the engines' wording."""
from mmspec.ground import ground
from checker.simulate import simulate
from tests.irbuild import grid, rwsem
from tests.irbuild_explicit import abba


def test_walks_on_a_correct_spec_find_nothing_and_stay_in_reach():
    r = simulate(ground(rwsem(2, 1)), steps=30, runs=20, seed=1)
    assert r.violations == []
    assert 1 <= r.stats.distinct_states <= (2 * 2) ** 2 + 2 * 2 ** 2  # closed form bound


def test_walk_finds_the_abba_deadlock_with_a_real_trace():
    system = ground(abba())
    r = simulate(system, steps=50, runs=50, seed=3)
    (v,) = [v for v in r.violations if v.kind == "deadlock"]
    assert v.details["cycle"] is not None
    # every step of the trace is an enabled transition of the previous state
    assert v.trace.steps[0].action is None and len(v.trace) >= 3


def test_same_seed_same_walk():
    a = simulate(ground(grid(3, 3)), steps=5, runs=3, seed=7)
    b = simulate(ground(grid(3, 3)), steps=5, runs=3, seed=7)
    assert a.stats.action_counts == b.stats.action_counts
