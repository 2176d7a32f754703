"""The returned Violation and Trace: lasso conventions, replay, messages, determinism."""
import pytest

from checker.liveness import StateGraph, check_liveness
from checker.result import ExitReason, Violation
from mmspec import ir
from mmspec.ground import GroundSystem
from tests.irbuild import L, V
from tests.irbuild_liveness import (EQ, build, check_lasso, counter, detour, replay,
                                    rwsem_starvation, shuttle, toggle_wait, two_sccs)

LASSO_SPECS = {
    "toggle": toggle_wait("weak", "weak"),
    "starve": rwsem_starvation(True, "weak", None),
    "overlap": rwsem_starvation(False, "weak", "strong"),
    "detour": detour("strong"),
    "two_sccs": two_sccs(None),
    "shuttle": shuttle("strong"),
}


@pytest.mark.parametrize("name", sorted(LASSO_SPECS))
def test_cycle_lasso_shape_and_replay(name: str) -> None:
    system, graph = build(LASSO_SPECS[name])
    [v] = check_liveness(system, graph)
    t = v.trace
    assert t.loop is not None and 0 <= t.loop < len(t) - 1
    # The last step closes the cycle: it repeats the loop's first state, and it is a real
    # transition out of the state before it (replay checks every step against the guards).
    assert t.steps[-1].state == t.steps[t.loop].state
    assert t.steps[-1].action is not None
    states = replay(system, graph, t)
    assert states[-1] == states[t.loop]
    # The loop's first state occurs once before the closing step: loop is its first occurrence.
    assert states.index(states[t.loop]) == t.loop
    check_lasso(system, graph, t, stuttering=False)
    assert v.details["stuttering"] is False
    assert 0 <= v.details["trigger"] <= t.loop


def test_stuttering_lasso_shape() -> None:
    system, graph = build(counter(3, None))
    [v] = check_liveness(system, graph)
    assert v.trace.loop == len(v.trace) - 1
    assert v.details["stuttering"] is True
    check_lasso(system, graph, v.trace, stuttering=True)


def test_violation_fields() -> None:
    system, graph = build(toggle_wait("weak", "weak"))
    [v] = check_liveness(system, graph)
    assert isinstance(v, Violation)
    assert (v.kind, v.property) == ("liveness", "finishes")
    assert v.span == system.liveness[0].span
    assert v.trace.steps[1].process == "toggler"
    assert v.trace.steps[1].step == "toggle"
    assert v.message == ("eventually Q is violated: a fair behaviour stays out of Q forever "
                         "(the last 2 steps repeat forever)")


def test_results_are_deterministic() -> None:
    system, graph = build(rwsem_starvation(False, "weak", "strong"))
    first = check_liveness(system, graph)
    again = check_liveness(system, graph)
    assert first == again


def test_messages_quote_the_spec_source() -> None:
    text = ("spec s\n"
            "property up: x == 1 leadsto x == 2\n")
    f = "s.mms"
    p = ir.Binary("eq", V("x"), L(1), span=ir.Span(f, 2, 14, 2, 20))
    q = ir.Binary("eq", V("x"), L(2), span=ir.Span(f, 2, 29, 2, 35))
    span = ir.Span(f, 2, 1, 2, 35)
    lv = ir.Liveness("up", "leadsto", p, q, span=span)
    base = counter(2, None, props=[lv])
    spec = ir.Spec(base.name, f, base.consts, base.variables, base.transitions,
                   liveness=base.liveness, threads=base.threads, check_deadlock=False,
                   sources=((f, text),))
    system, graph = build(spec)
    [v] = check_liveness(system, graph)
    assert v.message == ("x == 1 leads to x == 2 is violated: after reaching x == 1, a fair "
                         "behaviour stays out of x == 2 forever (it stops at the last state; "
                         "without fairness any thread may stop forever)")
    assert v.span == span


def test_several_initial_states_prefix_starts_at_the_right_one() -> None:
    # x starts at 0 or 2 (two initial states); eventually x == 0 fails only from x = 2,
    # where nothing fair forces a move: the trace is that initial state, stuttering.
    base = counter(2, None, props=[ir.Liveness("zero", "eventually", None, EQ(V("x"), L(0)))])
    var = ir.Variable("x", ir.IntType(0, 2), (0, 2))
    spec = ir.Spec(base.name, "<ir>", (), (var,), base.transitions, liveness=base.liveness,
                   threads=base.threads, check_deadlock=False)
    system, graph = build(spec)
    assert len(graph.init) == 2
    [v] = check_liveness(system, graph)
    assert [s.state["x"] for s in v.trace.steps] == [2]
    assert v.trace.loop == 0


def test_graph_may_be_any_object_with_the_three_fields() -> None:
    system, graph = build(counter(1, "weak"))

    class Duck:
        states = tuple(graph.states)
        init = tuple(graph.init)
        succ = tuple(tuple(e) for e in graph.succ)

    assert check_liveness(system, Duck()) == []
    assert check_liveness(system, StateGraph(list(graph.states), list(graph.init),
                                             [list(e) for e in graph.succ])) == []


def test_unknown_kinds_are_rejected() -> None:
    system, graph = build(counter(1, None))
    bad = GroundSystem(**{**system.__dict__,
                          "liveness": (system.liveness[0].__class__(
                              "odd", "sometimes", None, system.liveness[0].q,
                              system.liveness[0].span),)})
    with pytest.raises(ValueError, match="unknown liveness kind"):
        check_liveness(bad, graph)


def test_truncated_graph_is_refused() -> None:
    # Cut-off states would look terminal and stuttering there fair: spurious lassos.
    system, graph = build(counter(2, "weak"))

    class Truncated:
        states, initial, succ = graph.states, graph.init, graph.succ
        reason = ExitReason.STATE_LIMIT

    with pytest.raises(ValueError, match="complete state graph"):
        check_liveness(system, Truncated())


@pytest.mark.parametrize("name", sorted(LASSO_SPECS))
def test_explicit_engine_graph_gives_the_same_lassos(name: str) -> None:
    # The explicit engine's graph names the initial ids `initial`; ids are BFS order and
    # successors follow system.transitions, as in tests/irbuild_liveness.explore.
    graph_mod = pytest.importorskip("checker.explicit.graph")
    system, graph = build(LASSO_SPECS[name])
    assert check_liveness(system, graph_mod.build_graph(system)) == check_liveness(system, graph)
