"""specs/primitives, the sleep/wake and atomicity specs (issue 15 items 5, 7, 8).

The expected counterexamples are derived by hand in specs/primitives/README.md."""
from __future__ import annotations

from pathlib import Path

import pytest

from checker.report import judge
from mmspec.frontend import load_spec
from tests.speclib import SpecFolder, steps

SPECS = {
    "lost_wakeup_test_before_state": ("deadlock", None),
    "lost_wakeup_wait_event": (None, None),  # expect ok
    "relaxed_recheck": ("invariant", "bounded"),
    "relaxed_recheck_cmpxchg": (None, None),  # expect ok
}
LIB = SpecFolder("primitives", SPECS)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_meets_its_expectation_without_atomicity_warnings(name):
    LIB.assert_declares(name)
    LIB.assert_judged_met(name)
    assert load_spec(LIB.path(name)).warnings == ()


def test_lost_wakeup_trace():
    _, _, result = LIB.run("lost_wakeup_test_before_state")
    (v,) = result.violations
    assert v.kind == "deadlock"
    assert steps(v.trace) == [("sleeper", "chk"), ("waker", "pub"), ("waker", "wake"),
                              ("sleeper", "prep")]
    assert v.details["stuck"][0]["step"] == "sl"


def test_relaxed_recheck_trace():
    _, _, result = LIB.run("relaxed_recheck")
    (v,) = result.violations
    assert steps(v.trace) == [("get[1]", "recheck"), ("get[2]", "recheck"),
                              ("get[1]", "inc"), ("get[2]", "inc")]


def test_the_fused_trap_is_warned_and_hides_the_race(tmp_path: Path):
    text = Path(LIB.path("relaxed_recheck")).read_text()
    fused = text.replace("  recheck: seen := users                 // READ_ONCE(users)\n", "")
    fused = fused.replace("if seen < LIMIT", "if users < LIMIT")
    assert fused != text
    p = tmp_path / "relaxed_recheck.mms"
    p.write_text(fused)
    (w,) = load_spec(str(p)).warnings
    assert w.code == "MMS350" and "users < LIMIT" in w.message
    from checker.explicit import check
    from checker.options import CheckOptions
    from mmspec.ground import ground
    result = check(ground(load_spec(str(p))), CheckOptions())
    assert result.verdict == "ok"  # the race is modelled away: the expectation fails
    assert judge(result).met is False
