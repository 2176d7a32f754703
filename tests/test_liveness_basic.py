"""Liveness verdicts and exact lassos on one-process counters (derived by hand).

Reading guide: `counter(m, fairness)` is process `c` stepping x = 0, 1, ..., m (label
`c: inc`) and then stopping. Without fairness the process may stop anywhere (stuttering).
"""
from checker.liveness import StateGraph, check_liveness
from checker.result import Violation
from mmspec import ir
from mmspec.ground import GroundSystem
from tests.irbuild import B, L, V
from tests.irbuild_liveness import EQ, build, check_lasso, column, counter, labels


def ev(name: str, q: ir.Expr) -> ir.Liveness:
    return ir.Liveness(name, "eventually", None, q)


def leadsto(name: str, p: ir.Expr, q: ir.Expr) -> ir.Liveness:
    return ir.Liveness(name, "leadsto", p, q)


def always_ev(name: str, q: ir.Expr) -> ir.Liveness:
    return ir.Liveness(name, "always_eventually", None, q)


def x_is(v: int) -> ir.Expr:
    return EQ(V("x"), L(v))


def run(spec: ir.Spec) -> tuple[list[Violation], GroundSystem, StateGraph]:
    system, graph = build(spec)
    return check_liveness(system, graph), system, graph


# --------------------------------------------------------------------------- eventually


def test_eventually_fails_by_stuttering_without_fairness() -> None:
    # Nothing forces c to move: the behaviour that stays at x = 0 forever is allowed.
    vs, system, graph = run(counter(2, None))
    assert [v.property for v in vs] == ["reach_m"]
    v = vs[0]
    assert v.kind == "liveness"
    assert column(v.trace, "x") == [0]
    assert v.trace.loop == 0
    assert v.details == {"fairness": [], "stuttering": True, "trigger": 0}
    assert "stops at the last state" in v.message
    check_lasso(system, graph, v.trace, stuttering=True)


def test_eventually_holds_under_weak_fairness() -> None:
    # inc is continuously enabled at x < 2, so weak fairness forces it; x = 2 is reached.
    vs, _, _ = run(counter(2, "weak"))
    assert vs == []


def test_eventually_true_initially_holds_without_fairness() -> None:
    vs, _, _ = run(counter(2, None, props=[ev("now", x_is(0))]))
    assert vs == []


def test_strong_fairness_also_suffices_for_the_counter() -> None:
    vs, _, _ = run(counter(3, "strong"))
    assert vs == []


# --------------------------------------------------------------------------- leadsto


def test_leadsto_trigger_later_in_the_run_weak() -> None:
    # x == 2 ~> x == 0 under weak fairness: x never goes back. The trigger x = 2 is two steps
    # in; from there the fair run continues to x = 3 and stops (nothing is enabled there).
    vs, system, graph = run(counter(3, "weak", props=[leadsto("back", x_is(2), x_is(0))]))
    assert len(vs) == 1
    t = vs[0].trace
    assert column(t, "x") == [0, 1, 2, 3]
    assert labels(t) == [None, "c: inc", "c: inc", "c: inc"]
    assert t.loop == 3
    assert vs[0].details["stuttering"] is True
    assert vs[0].details["trigger"] == 2
    assert vs[0].details["fairness"] == ["c"]
    check_lasso(system, graph, t, stuttering=True)


def test_leadsto_without_fairness_stops_at_the_trigger() -> None:
    # x == 2 ~> x == 3 holds under weak fairness but not without: c may stop at x = 2.
    vs, system, graph = run(counter(3, None, props=[leadsto("up", x_is(2), x_is(3))]))
    assert len(vs) == 1
    assert column(vs[0].trace, "x") == [0, 1, 2]
    assert vs[0].trace.loop == 2
    assert vs[0].details["trigger"] == 2
    vs_fair, _, _ = run(counter(3, "weak", props=[leadsto("up", x_is(2), x_is(3))]))
    assert vs_fair == []


def test_leadsto_with_unreachable_trigger_holds() -> None:
    vs, _, _ = run(counter(2, None, props=[leadsto("never", B("gt", V("x"), L(5)), x_is(0))]))
    assert vs == []


def test_leadsto_trigger_that_is_also_q_is_not_a_violation() -> None:
    # P => Q at the same state discharges the obligation at once.
    vs, _, _ = run(counter(2, None, props=[leadsto("same", x_is(1), x_is(1))]))
    assert vs == []


# --------------------------------------------------------------------------- always eventually


def test_always_eventually_fails_when_the_counter_stops() -> None:
    # []<> x == 0: from x = 1 on, x is never 0 again. The first not-Q state in BFS order that
    # starts a fair not-Q run is x = 1; the run goes on to x = 2 and stops there.
    vs, system, graph = run(counter(2, "weak", props=[always_ev("ae", x_is(0))]))
    assert len(vs) == 1
    assert column(vs[0].trace, "x") == [0, 1, 2]
    assert vs[0].trace.loop == 2
    assert vs[0].details["trigger"] == 1
    check_lasso(system, graph, vs[0].trace, stuttering=True)


def test_always_eventually_holds_with_a_fair_reset() -> None:
    spec = counter(2, "weak", props=[always_ev("ae", x_is(0))], reset=True,
                   reset_fairness="weak")
    vs, _, _ = run(spec)
    assert vs == []


def test_always_eventually_fails_when_reset_is_not_fair() -> None:
    # Reset is enabled at x = 2 but nobody has to take it: the run may stop at x = 2.
    spec = counter(2, "weak", props=[always_ev("ae", x_is(0))], reset=True)
    vs, system, graph = run(spec)
    assert len(vs) == 1
    assert column(vs[0].trace, "x") == [0, 1, 2]
    assert vs[0].trace.loop == 2
    assert vs[0].details["fairness"] == ["c"]
    check_lasso(system, graph, vs[0].trace, stuttering=True)


def test_always_eventually_holds_for_strong_reset_too() -> None:
    spec = counter(2, "weak", props=[always_ev("ae", x_is(0))], reset=True,
                   reset_fairness="strong")
    vs, _, _ = run(spec)
    assert vs == []


# --------------------------------------------------------------------------- several properties


def test_several_properties_reported_in_declaration_order() -> None:
    props = [ev("reaches_two", x_is(2)),            # holds under weak fairness
             always_ev("returns_to_zero", x_is(0)),  # fails: x never returns
             leadsto("one_then_two", x_is(1), x_is(2)),  # holds
             leadsto("one_then_zero", x_is(1), x_is(0))]  # fails
    vs, system, graph = run(counter(2, "weak", props=props))
    assert [v.property for v in vs] == ["returns_to_zero", "one_then_zero"]
    assert [v.span for v in vs] == [system.liveness[1].span, system.liveness[3].span]
    # Both lassos: 0 -> 1 -> 2, then stop at 2; the trigger is x = 1 in both.
    for v in vs:
        assert column(v.trace, "x") == [0, 1, 2]
        assert v.trace.loop == 2
        assert v.details["trigger"] == 1
        check_lasso(system, graph, v.trace, stuttering=True)


def test_no_liveness_properties_means_no_work() -> None:
    spec = counter(2, None)
    system, _ = build(spec)
    empty = type(system)(**{**system.__dict__, "liveness": ()})
    # An empty graph would break any analysis: returning early is the point.
    assert check_liveness(empty, StateGraph()) == []
