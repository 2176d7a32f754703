"""JUnit XML: a suite per spec, a case per property, expected violations pass."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from checker.render.junit import render_junit, xml_text
from checker.result import CheckResult, ExitReason, Stats
from mmspec import ir
from tests.test_render_fixtures import abba, evil, mutex_fixed, mutex_race, rwsem_readers


def suites(results: list[CheckResult], **kw: object) -> ET.Element:
    return ET.fromstring(render_junit(results, **kw))  # type: ignore[arg-type]


def cases(suite: ET.Element) -> dict[str, str]:
    """name -> 'pass' | 'failure' | 'skipped' | 'error'."""
    out = {}
    for tc in suite.iter("testcase"):
        kids = [k.tag for k in tc if k.tag in ("failure", "skipped", "error")]
        out[tc.get("name")] = kids[0] if kids else "pass"
    return out


def test_a_case_per_property_and_the_failure_carries_the_trace() -> None:
    root = suites([mutex_race(), mutex_fixed()])
    race, fixed = root.findall("testsuite")
    assert race.get("name") == "mutex_race" and race.get("file") == "mutex_race.mms"
    assert cases(race) == {"invariant excl": "failure", "deadlock": "skipped",
                           "lock-order": "skipped", "range": "skipped"}
    fail = race.find("testcase/failure")
    assert fail.get("type") == "invariant" and fail.get("message") == "invariant excl violated"
    assert "5. t[2]: enter" in fail.text and "count: 1 -> 2" in fail.text
    assert race.find("testcase").get("line") == "12"
    assert cases(fixed) == dict.fromkeys(["invariant excl", "deadlock", "lock-order", "range"],
                                         "pass")
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("8", "1", "3")


def test_expected_violations_pass() -> None:
    """abba expects a deadlock and finds it (with lockdep's cycle riding along): one passing
    case, not a pass per property plus skips for what the stopped search did not finish."""
    (suite,) = suites([abba()]).findall("testsuite")
    assert cases(suite) == {"expect deadlock": "pass"}
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("1", "0", "0")
    out = suite.find("testcase/system-out").text.split("\n")
    assert out[0] == "found: deadlock: no thread can take a step"
    assert out[1].startswith("found: lock-order cycle")
    assert out[2].endswith("violation): range")  # the one property with nothing found


def test_expected_violation_with_an_unexpected_one_still_fails() -> None:
    """Only a clean expected find collapses to one case: an extra, unexpected violation
    keeps the per-property cases, with the failure."""
    race = mutex_race()
    spec = ir.Spec(**{**race.spec.__dict__, "expect": ir.Expectation("deadlock")})
    (suite,) = suites([CheckResult(spec, "explicit", ExitReason.VIOLATION, race.violations,
                                   race.stats)]).findall("testsuite")
    assert cases(suite)["invariant excl"] == "failure"
    assert cases(suite)["expect deadlock"] == "failure"


def test_expected_violation_not_found_fails() -> None:
    fixed = mutex_fixed()
    spec = ir.Spec(**{**fixed.spec.__dict__, "expect": ir.Expectation("deadlock")})
    (suite,) = suites([CheckResult(spec, "explicit", ExitReason.DONE, [],
                                   fixed.stats)]).findall("testsuite")
    assert cases(suite)["expect deadlock"] == "failure"
    partial = CheckResult(spec, "explicit", ExitReason.TIME_LIMIT, [], Stats(3))
    (suite,) = suites([partial]).findall("testsuite")
    assert cases(suite)["expect deadlock"] == "skipped"


def test_assertions_are_cases_and_spec_errors_are_errors() -> None:
    root = suites([rwsem_readers()], errors=[("bad.mms", "bad.mms:1:1: error[MMS101]: x\n")])
    rw, bad = root.findall("testsuite")
    assert cases(rw)["assertion: sole reader"] == "failure"
    assert cases(bad) == {"spec": "error"} and root.get("errors") == "1"


def test_hostile_text_stays_well_formed_xml() -> None:
    root = suites([evil()])
    fail = root.find("testsuite/testcase/failure")
    assert fail.get("message").startswith("invariant \"'><img")
    assert "\\x01" in fail.text  # a control character XML cannot carry, shown escaped
    assert xml_text("a\x00b\x1bc\td") == "a\\x00b\\x1bc\td"
