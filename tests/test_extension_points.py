"""docs/architecture.md's "How to add a violation kind", followed once: a kind emitted only as
an `ir.Check` (step 2) is reported by every engine with no engine change, with the same
trace, and the renderers show it (text wording, SARIF's fallback rule) without new code.
(The "How to add an engine" checklist is followed in tests/test_engines.py.)"""
from __future__ import annotations

import json

import pytest

from checker.details import OtherDetails
from checker.options import CheckOptions
from checker.render.sarif import render_sarif
from checker.render.text import render_result
from mmspec import ir
from mmspec.cli import _run_engine
from mmspec.ground import ground
from tests.irbuild import B, L, V

NEW_KIND = "toy-kind"  # not one of ViolationKind's: what a new kind is before step 1's edits


def counter_with_a_new_check() -> ir.Spec:
    """x counts 0..3; the step Inc carries a check of the new kind that fails when it fires
    from x == 2. Hand-derived: x=0 -(Inc)-> x=1 -(Inc)-> x=2, where Inc is enabled and its
    check fails: a trace of 3 states, the last with x == 2."""
    t = ir.IntType(0, 3)
    inc = ir.Transition(
        "Inc", (), B("lt", V("x"), L(3, t)), (ir.Update(V("x"), B("add", V("x"), L(1, t))),),
        checks=(ir.Check(B("ne", V("x"), L(2, t)), "x reached 2", NEW_KIND,  # type: ignore[arg-type]
                         "fire"),))
    return ir.Spec("toy_kind", "<ir>", (), (ir.Variable("x", t, (0,)),), (inc,),
                   check_deadlock=False)


@pytest.mark.parametrize("engine", ["explicit", "vector", "bmc"])
def test_a_new_check_kind_is_reported_by_every_engine(engine: str) -> None:
    system = ground(counter_with_a_new_check())
    result = _run_engine(engine, system, CheckOptions(depth=5))
    assert result.engine == engine  # no fallback: the engine ran the spec itself
    (v,) = result.violations
    assert (v.kind, v.property, v.message) == (NEW_KIND, "x reached 2", "x reached 2")
    assert [s.state["x"] for s in v.trace.steps] == [0, 1, 2]
    # its details are the failing step, as for every in-step check (shown as key: value)
    assert isinstance(v.details, OtherDetails) and v.details.as_dict() == {"action": "Inc"}


def test_the_renderers_show_a_new_kind_without_new_code() -> None:
    result = _run_engine("explicit", ground(counter_with_a_new_check()), CheckOptions())
    text = render_result(result)
    assert "x reached 2" in text and "action: Inc" in text
    sarif = json.loads(render_sarif([result]))
    (res,) = sarif["runs"][0]["results"]
    assert res["ruleId"] == "invariant"  # unknown kinds use the invariant rule (step 4)
