"""TLC's CONSTRAINT and ACTION_CONSTRAINT (`constraint NAME: e`, `action_constraint NAME: e`).

TLC (tlc2/tool/ModelChecker.java, doNext): every successor is generated and counted; one
outside a constraint is neither stored nor explored; a state is deadlocked only when it has
no successor at all, so a state whose successors all leave the constraint is not. Expected
figures below are derived by hand in each test's comment; every engine must reproduce them.
"""
from __future__ import annotations

import pytest

from checker import explicit, vector
from checker.options import CheckOptions
from checker.symbolic import check_bmc
from mmspec.frontend import load_spec
from mmspec.ground import ground

GRID = """
spec Grid
var x: 0..10 = 0
var y: 0..10 = 0
action IncX { x' = x + 1 }
action IncY when x > 0 { y' = y + 1 }
constraint Small: x <= 3 && y <= 2
"""

# Stored: (0,0) and (x,y) for x in 1..3, y in 0..2: 10 states. Generated: 1 initial, 1 from
# (0,0) (IncY needs x > 0), 2 from each of the 9 others: 1 + 1 + 18 = 20. Depth: (3,2) is
# 3 + 2 = 5 steps away. (3,2)'s successors (4,2) and (3,3) both leave the constraint: no
# deadlock (without the constraint the spec would hit x = 11, a range error).
GRID_COUNTS = (10, 20, 5)

STEPS = """
spec Steps
var x: 0..10 = 0
var y: 0..10 = 0
action IncX { x' = x + 1 }
action IncY { y' = y + 1 }
action_constraint Alternate: x' - y' <= 1 && y' - x' <= 1 && x' + y' <= 4
"""

# An action constraint reads the pre- and the post-state: here the successor must stay
# within one of the diagonal and at most 4 in total. Stored: (0,0), (1,0), (0,1), (1,1),
# (2,1), (1,2), (2,2): 7. Generated: 1 + 2 per stored state = 15. Depth 4 ((2,2)).
STEPS_COUNTS = (7, 15, 4)

INIT = """
spec Init
var x: 0..10 in {0, 1, 2, 3, 4, 5}
action IncX { x' = x + 1 }
constraint Small: x <= 3
"""

# Six initial states are generated; those with x <= 3 are stored (4); each stored state has
# one successor (x + 1), generated, and already stored unless it is 4: 6 + 4 = 10, depth 0.
INIT_COUNTS = (4, 10, 0)


def _check(tmp_path, text, engine):
    f = tmp_path / "m.mms"
    f.write_text(text)
    return engine.check(ground(load_spec(str(f))), CheckOptions())


@pytest.mark.parametrize("engine", [explicit, vector], ids=["explicit", "vector"])
@pytest.mark.parametrize("text,counts", [(GRID, GRID_COUNTS), (STEPS, STEPS_COUNTS),
                                         (INIT, INIT_COUNTS)], ids=["grid", "steps", "init"])
def test_constraint_counts_like_tlc(tmp_path, engine, text, counts):
    r = _check(tmp_path, text, engine)
    assert r.verdict == "ok", r.violations  # deadlock checking is on: no false deadlock
    assert (r.stats.distinct_states, r.stats.generated_states, r.stats.depth) == counts


COUNTER = """
spec Counter
var x: 0..10 = 0
action IncX { x' = x + 1 }
constraint Small: x <= 3
"""


def test_constraint_bounds_the_symbolic_paths(tmp_path):
    # Paths take only steps into the constraint: x reaches 3 in 3 steps and stops there, which
    # is not a deadlock (IncX is enabled, its successor is outside). With `x <= 2` as an
    # invariant the violation is the 3-step path 0, 1, 2, 3 (4 states).
    f = tmp_path / "m.mms"
    f.write_text(COUNTER)
    ok = check_bmc(ground(load_spec(str(f))), CheckOptions(depth=8))
    assert ok.verdict == "ok", ok.violations
    f.write_text(COUNTER + "invariant Bad: x <= 2\n")
    r = check_bmc(ground(load_spec(str(f))), CheckOptions(depth=8))
    assert r.verdict == "violation"
    (v,) = r.violations
    assert v.kind == "invariant" and len(v.trace) == 4


def test_primed_variable_outside_a_step_is_refused(tmp_path):
    from mmspec.diagnostics import SpecError
    f = tmp_path / "m.mms"
    f.write_text("spec P\nvar x: 0..3 = 0\naction A { x' = x + 1 }\ninvariant I: x' <= 3\n")
    with pytest.raises(SpecError) as e:
        load_spec(str(f))
    assert "MMS315" in str(e.value.diagnostics[0].code)


LIVE = """
spec Live
var x: 0..10 in {0, 1, 2, 3, 4, 5}
fair action Inc when x < 3 { x' = x + 1 }
action Stay when x >= 3 { }
constraint Small: x <= 3
property Reach: eventually x == 3
"""


@pytest.mark.parametrize("engine", [explicit, vector], ids=["explicit", "vector"])
def test_liveness_graph_leaves_out_initial_states_outside_the_constraint(tmp_path, engine):
    # Regression: the explicit liveness graph took every initial state, so x = 4 and x = 5
    # (generated, not stored) failed `eventually x == 3`. Stored: x = 0..3, all initial.
    r = _check(tmp_path, LIVE, engine)
    assert r.verdict == "ok", r.violations
    assert r.stats.distinct_states == 4


@pytest.mark.parametrize("engine", ["explicit", "vector", "bmc"])
def test_invariants_are_checked_on_successors_outside_the_constraint(tmp_path, engine):
    # TLC's ModelChecker.doNext checks every invariant on a generated successor that fails
    # the constraints (it is never "seen", so never skipped), though it neither stores nor
    # explores it. TLC on this model (INIT x = 0, NEXT x < 5 /\ x' = x + 1, CONSTRAINT
    # x <= 2, INVARIANT x <= 2) reports "Invariant Low is violated" with the behaviour
    # x = 0, 1, 2, 3: "4 states generated, 3 distinct states found", depth 3. Here: x = 0..2
    # stored (3), generated 1 + 1 + 1 + the step to 3 = 4, the failing step from x = 2.
    f = tmp_path / "m.mms"
    f.write_text("spec C\nvar x: 0..5 = 0\naction Inc when x < 5 { x' = x + 1 }\n"
                 "constraint Small: x <= 2\ninvariant Low: x <= 2\n")
    system = ground(load_spec(str(f)))
    r = (check_bmc(system, CheckOptions(depth=6)) if engine == "bmc" else
         {"explicit": explicit, "vector": vector}[engine].check(system, CheckOptions()))
    (v,) = r.violations
    assert (v.kind, v.property, v.details["action"]) == ("invariant", "Low", "Inc")
    assert [st.state["x"] for st in v.trace.steps] == [0, 1, 2]
    if engine != "bmc":
        assert (r.stats.distinct_states, r.stats.generated_states) == (3, 4)


@pytest.mark.parametrize("engine", [explicit, vector], ids=["explicit", "vector"])
def test_outside_invariant_holds_or_cannot_be_evaluated(tmp_path, engine):
    # GRID's successors outside the constraint have x = 4 or y = 3: `x + y <= 7` holds on
    # all of them (the largest is (3,3) or (4,2): 6), so the counts stay GRID's; `12 / (4 - x)`
    # divides by zero on (4, y): a `domain` violation, reported on the step IncX from (3, 0),
    # the first state with x = 3 in BFS order.
    r = _check(tmp_path, GRID + "invariant Sum: x + y <= 7\n", engine)
    assert r.verdict == "ok", r.violations
    assert (r.stats.distinct_states, r.stats.generated_states, r.stats.depth) == GRID_COUNTS
    r = _check(tmp_path, GRID + "invariant Div: 12 / (4 - x) >= 0\n", engine)
    (v,) = r.violations
    assert v.kind == "domain" and "division by 0" in v.message
    assert v.trace.steps[-1].state == {"x": 3, "y": 0}


@pytest.mark.parametrize("engine", ["explicit", "vector", "bmc", "kind", "pdr"])
def test_invariants_of_initial_states_outside_the_constraint(tmp_path, engine):
    # TLC's doInit checks the invariants of every initial state it generates, in or out of
    # the constraints: on INIT's model with `x != 5` TLC reports "Invariant Low is violated
    # by the initial state: x = 5" (x = 5 is generated, not stored). When a stored initial
    # state breaks one too (x = 2 below), every engine reports that one first.
    from checker.symbolic import check_kind, check_pdr
    run = {"explicit": explicit.check, "vector": vector.check, "bmc": check_bmc,
           "kind": check_kind, "pdr": check_pdr}[engine]
    f = tmp_path / "m.mms"
    for inv, x in (("x != 5", 5), ("x != 5 && x != 2", 2)):
        f.write_text(INIT + f"invariant Low: {inv}\n")
        r = run(ground(load_spec(str(f))), CheckOptions(depth=3))
        (v,) = r.violations
        assert (v.kind, v.property, len(v.trace)) == ("invariant", "Low", 1)
        assert v.trace.steps[0].state == {"x": x}


@pytest.mark.parametrize("engine", [explicit, vector], ids=["explicit", "vector"])
def test_a_bad_step_out_of_the_constraint_is_its_own_error(tmp_path, engine):
    # The step from x = 2 leaves the constraint and writes 3 into a slot declared to hold
    # {0, 2, 4}: the step fails (range) before any invariant is evaluated on its successor.
    r = _check(tmp_path, "spec C\nvar x: 0..10 = 0\nvar y: 0..9 values {0, 2, 4} = 0\n"
               "action Inc when x < 5 { x' = x + 1; y' = if x == 2 then 3 else y }\n"
               "constraint Small: x <= 2\ninvariant Low: y != 3\n", engine)
    (v,) = r.violations
    assert v.kind == "range" and "declared values" in v.message
