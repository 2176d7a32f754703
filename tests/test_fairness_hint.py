"""The strong-fairness hint on liveness lassos (issue 18): shown exactly when weak fairness
lets a thread be starved intermittently, on both engines, and gone once `fair strong` fixes it."""
from __future__ import annotations

import pytest

from checker import explicit, vector
from checker.options import CheckOptions
from checker.result import CheckResult
from checker.symbolic.bmc import check_bmc
from mmspec.ground import ground
from tests.differential import load_text


def run_text(text: str, engine: str) -> CheckResult:
    system = ground(load_text(text))
    if engine == "bmc":  # the loop is 2 steps from the initial state: depth 6 finds it
        return check_bmc(system, CheckOptions(depth=6))
    check = explicit.check if engine == "explicit" else vector.check
    return check(system, CheckOptions())

# `a` takes and releases m forever; `b` wants m once. In the loop (l -acq-> rel -rel-> l),
# b's lock(m) is enabled at state 0 (m free) and disabled at state 1 (a holds m): enabled
# infinitely often, never continuously, never taken. Weak fairness permits it; strong does not.
STARVE = """
spec starve
mutex m
process a fair {{
  l: while true {{
    acq: lock(m)
    rel: unlock(m)
  }}
}}
process b {fair} {{
  w: lock(m)
  cs: unlock(m)
}}
property b_done: eventually b@done
"""

# `b` waits for a flag nobody sets: disabled throughout the loop, so no hint (strong
# fairness would not help).
BLOCKED = """
spec blocked
var flag: bool = false
var t: 0..1 = 0
process a fair {
  l: while true { t := 1 - t }
}
process b fair {
  w: await flag
}
property b_done: eventually b@done
"""


@pytest.mark.parametrize("engine", ["explicit", "vector", "bmc"])
def test_hint_on_intermittent_starvation(engine: str) -> None:
    res = run_text(STARVE.format(fair="fair"), engine)
    (v,) = res.violations
    assert v.kind == "liveness"
    assert v.details["hints"] == [
        "b is enabled at state 0 of the loop but never continuously, and never takes a step: "
        "weak fairness allows this; `fair strong` on b would rule this behaviour out"]


@pytest.mark.parametrize("engine", ["explicit", "vector"])
def test_strong_fairness_removes_the_violation(engine: str) -> None:
    res = run_text(STARVE.format(fair="fair strong"), engine)
    assert res.violations == []


@pytest.mark.parametrize("engine", ["explicit", "vector"])
def test_no_hint_when_disabled_throughout(engine: str) -> None:
    res = run_text(BLOCKED, engine)
    (v,) = res.violations
    assert "hints" not in v.details
