"""Every property kind on the z3 engines: lock-order cycles and liveness lassos found by bmc,
checked against the explicit engine and the brute-force liveness oracle."""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from checker.explicit import check as check_explicit
from checker.options import CheckOptions
from checker.result import ExitReason
from checker.symbolic import check_bmc
from checker.symbolic.budget import Budget
from checker.symbolic.encode import Encoding
from checker.symbolic.lasso import bmc_liveness
from mmspec.ground import eval_gexpr, ground
from tests.irbuild_liveness import brute_force_violated, build, check_lasso
from tests.test_liveness_random import _two_cycles_strong, process_systems, systems

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = int(os.environ.get("MMSPEC_PDR_EXAMPLES", "25"))


def _load(path: str):
    from mmspec.frontend import load_spec
    full = os.path.join(ROOT, path)
    if not os.path.exists(full):
        pytest.skip(f"{path} is not in the library")
    return ground(load_spec(full))


def test_bmc_finds_the_lockdep_cycle_of_exec_nascent_mm():
    system = _load("specs/exec_nascent_mm/exec_nascent_mm_lockdep_order.mms")
    r = check_bmc(system, CheckOptions())
    lo = [v for v in r.violations if v.kind == "lock-order"]
    assert r.reason == ExitReason.VIOLATION and len(lo) == 1
    ref = [v for v in check_explicit(system, CheckOptions()).violations
           if v.kind == "lock-order"]
    assert ref, "the explicit engine reports the cycle too"
    # the same cycle of lock classes (the rotation may differ)
    ours = {(e["from"], e["to"]) for e in lo[0].details["chain"]}
    theirs = {(e["from"], e["to"]) for e in ref[0].details["chain"]}
    assert ours == theirs
    # one witness per edge, each a replayed trace ending with the acquiring step
    ws = lo[0].details["witnesses"]
    assert len(ws) == len(lo[0].details["chain"]) >= 2
    assert all(len(w) >= 2 and w.steps[-1].action is not None for w in ws)


def _lassos(spec):
    system, graph = build(spec)
    enc = Encoding(system, False)
    # a shortest lasso has at most 2 * |states| steps (a path to the loop, then the loop)
    found, note, stopped = bmc_liveness(enc, Budget(CheckOptions()), 2 * len(graph.states))
    assert not stopped
    return system, graph, {v.property: v for v in found}, note


def _agree(spec):
    system, graph, found, _ = _lassos(spec)
    for i, prop in enumerate(system.liveness):
        expected = brute_force_violated(system, graph, i)
        assume(expected is not None)
        assert (prop.name in found) == expected, prop.name
        if prop.name in found:
            states = check_lasso(system, graph, found[prop.name].trace)
            loop = found[prop.name].trace.loop
            assert not any(eval_gexpr(prop.q, s) for s in states[loop:])
            if prop.kind == "eventually":
                assert not any(eval_gexpr(prop.q, s) for s in states)


# Found by the hypothesis test above: a stutter lasso whose last state repeats an earlier
# one. From (x, done) = (0, F): T0 sets x = 1 (P of lt); T1 (unfair) resets x = 0; T3
# (strongly fair) resets x and sets done (Q). The only fair violation of "x == 1 leadsto
# done" is T0, T1, then stuttering at (0, F) forever (T3 is disabled there). That last state
# equals the initial one, and the lasso used to be reported as the cycle 0 -> 1 -> 0,
# which is not fair: T3 is enabled at state 1 and never taken.
STUTTER_REPEATS = """spec stutter_repeats
var x: 0..1 = 0
var done: bool = false
action T0 when x == 0 && !done { x' = 1 }
action T1 when x == 1 { x' = 0 }
fair strong action T3 when x == 1 { x' = 0; done' = true }
property lt: x == 1 leadsto done
option deadlock = false
"""


def test_bmc_stutter_lasso_is_not_read_as_a_cycle():
    from tests.differential import load_text
    spec = load_text(STUTTER_REPEATS)
    _agree(spec)
    _, _, found, _ = _lassos(spec)
    t = found["lt"].trace
    assert [st.action for st in t.steps] == [None, "T0", "T1"]
    assert t.loop == 2 and found["lt"].details["stuttering"] is True


def test_bmc_lasso_pinned_two_cycles():
    # tests/test_liveness_random.py derives it: all three properties fail
    _, _, found, _ = _lassos(_two_cycles_strong())
    assert set(found) == {"ev", "lt", "ae"}
    _agree(_two_cycles_strong())


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.one_of(systems(), process_systems()))
def test_bmc_lassos_agree_with_the_brute_force_oracle(spec):
    _agree(spec)


@pytest.mark.skipif(not os.environ.get("MMSPEC_SLOW"),
                    reason="minutes of solver time: run with MMSPEC_SLOW=1")
def test_bmc_liveness_of_fput_task_work_lost_on_exit():
    """The lasso: the last fput() of f is dropped after exit_task_work(), every fair thread
    finishes and the file is never released: a stutter lasso of 20 steps, the explicit
    engine's length (about 40 s of solver time, most of it the safety depths)."""
    system = _load("specs/fput/fput_task_work_lost_on_exit.mms")
    ref = next(v for v in check_explicit(system, CheckOptions()).violations
               if v.kind == "liveness")
    r = check_bmc(system, CheckOptions(depth=len(ref.trace) - 1, lock_order=False))
    got = [v for v in r.violations if v.kind == "liveness"]
    assert r.reason == ExitReason.VIOLATION and got
    assert got[0].property == ref.property == "f_freed"
    assert len(got[0].trace) == len(ref.trace) and got[0].trace.loop is not None
