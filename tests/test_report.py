"""Expectation semantics and exit statuses (the CLI contract), on hand-made results."""
import dataclasses

from mmspec import ir
from checker import report
from checker.result import CheckResult, ExitReason, Stats, Trace, TraceStep, Violation
from tests.irbuild import grid

TRACE = Trace((TraceStep({"x": 0}),))


def result(expect=ir.Expectation(None), violations=(), reason=ExitReason.DONE, engine="explicit"):
    spec = dataclasses.replace(grid(1, 1), expect=expect)
    return CheckResult(spec, engine, reason, list(violations), Stats(distinct_states=2))


def v(kind, prop="p", message="m"):
    return Violation(kind, prop, message, TRACE)


def test_all_hold():
    o = report.judge(result())
    assert (o.met, o.exit_code) == (True, 0)


def test_unexpected_violation_fails():
    o = report.judge(result(violations=[v("invariant", "excl")]))
    assert (o.met, o.exit_code) == (False, 1)
    assert "excl" in o.summary


def test_expected_violation_met_and_name_narrows():
    assert report.judge(result(ir.Expectation("deadlock"), [v("deadlock")])).exit_code == 0
    named = ir.Expectation("invariant", "excl")
    assert report.judge(result(named, [v("invariant", "excl")])).exit_code == 0
    assert report.judge(result(named, [v("invariant", "other")])).exit_code == 1


def test_expected_violation_missing_fails_or_is_incomplete():
    assert report.judge(result(ir.Expectation("deadlock"))).exit_code == 1
    o = report.judge(result(ir.Expectation("deadlock"), reason=ExitReason.STATE_LIMIT))
    assert (o.met, o.exit_code) == (None, 3)


def test_lock_order_accompanies_an_expected_deadlock_but_not_the_reverse():
    both = [v("lock-order", "lock-order"), v("deadlock", "deadlock")]
    assert report.judge(result(ir.Expectation("deadlock"), both)).exit_code == 0
    # a lockdep false positive spec must show the cycle and NO deadlock
    assert report.judge(result(ir.Expectation("lock-order"), both)).exit_code == 1
    assert report.judge(result(ir.Expectation("lock-order"), both[:1])).exit_code == 0
    # without expectation a lockdep splat is a failure
    assert report.judge(result(violations=both[:1])).exit_code == 1


def test_bounded_bmc_pass_and_incomplete():
    assert report.judge(result(reason=ExitReason.DEPTH_LIMIT, engine="bmc")).exit_code == 0
    assert report.judge(result(reason=ExitReason.DEPTH_LIMIT, engine="kind")).exit_code == 3
    assert report.judge(result(reason=ExitReason.TIME_LIMIT)).exit_code == 3


def test_worst_exit_order():
    assert report.worst_exit([0, 3, 1]) == 1
    assert report.worst_exit([0, 3]) == 3
    assert report.worst_exit([1, 2, 3]) == 2
    assert report.worst_exit([]) == 0


def test_json_result_fields():
    r = result(ir.Expectation("deadlock"), [v("deadlock", "deadlock", "stuck")])
    r.stats.action_counts = {"Inc": 3, "Never": 0}
    j = report.result_json(r, "specs/x.mms", {"N": 2})
    for key in ("spec", "result", "expected", "engine", "property", "kind", "distinct_states",
                "generated_states", "depth", "seconds", "trace", "stats"):
        assert key in j
    assert j["result"] == "violation" and j["kind"] == "deadlock" and j["met"] is True
    assert j["stats"]["never_fired"] == ["Never"]
    assert j["trace"][0]["state"] == {"x": 0}
    assert j["defines"] == {"N": 2}
