"""Whether a violation / a result met its spec's `expect` clause, as renderers need it.

The decision itself lives in `checker.report` (the CLI's exit statuses come from there);
this module only asks it per violation, so text, JUnit, SARIF and HTML agree with the exit
status: a violation the spec expects, or a lock-order report accompanying the expected
violation (lockdep's cycle behind an ABBA deadlock), is a pass.
"""
from __future__ import annotations

from mmspec import ir

from checker import report
from checker.result import CheckResult, ExitReason, Violation

matches = report.matches


def is_expected(result: CheckResult, v: Violation) -> bool:
    """v counts as a pass (see `report.judge`: lock-order rides along an expected find)."""
    expect = result.spec.expect
    if matches(expect, v):
        return True
    return (v.kind == "lock-order" and expect.kind is not None
            and any(matches(expect, w) for w in result.violations))


def expected_violations(result: CheckResult) -> list[Violation]:
    return [v for v in result.violations if matches(result.spec.expect, v)]


def unexpected_violations(result: CheckResult) -> list[Violation]:
    return [v for v in result.violations if not is_expected(result, v)]


def expectation_text(expect: ir.Expectation) -> str:
    """The expectation in words for a report ('every property holds', 'deadlock');
    the keyword form of JSON and ITF is report.expectation_keyword."""
    if expect.kind is None:
        return "every property holds"
    return f"{expect.kind} {expect.name}" if expect.name else expect.kind


def complete(result: CheckResult) -> bool:
    """The search covered everything it promised (bmc: every depth up to --depth)."""
    return result.reason == ExitReason.DONE or report.bounded(result)


def outcome(result: CheckResult) -> str:
    """'met' | 'unmet' | 'incomplete': the per-spec CI verdict (exit status 0 / 1 / 3)."""
    met = report.judge(result).met
    return {True: "met", False: "unmet", None: "incomplete"}[met]
