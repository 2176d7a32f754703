"""Whether a result met its spec's `expect` clause (the xfail of model checking).

JUnit, SARIF and text all need the same answer, so it is decided here once.
"""
from __future__ import annotations

from mmspec import ir

from checker.result import CheckResult, ExitReason, Violation


def matches(expect: ir.Expectation, v: Violation) -> bool:
    """A violation is expected when its kind (and the name, if the spec gave one) match."""
    if expect.kind is None or expect.kind != v.kind:
        return False
    return expect.name is None or expect.name == v.property


def expected_violations(result: CheckResult) -> list[Violation]:
    return [v for v in result.violations if matches(result.spec.expect, v)]


def unexpected_violations(result: CheckResult) -> list[Violation]:
    return [v for v in result.violations if not matches(result.spec.expect, v)]


def describe_expectation(expect: ir.Expectation) -> str:
    if expect.kind is None:
        return "every property holds"
    return f"{expect.kind} {expect.name}" if expect.name else expect.kind


def outcome(result: CheckResult) -> str:
    """'met' | 'unmet' | 'incomplete': the per-spec CI verdict (exit status 0 / 1 / 3).

    An unexpected violation is 'unmet' even if the search also stopped at a limit; an
    expected violation that was found is 'met' whatever else happened.
    """
    if unexpected_violations(result):
        return "unmet"
    if result.spec.expect.kind is not None:
        if expected_violations(result):
            return "met"
        return "unmet" if result.reason == ExitReason.DONE else "incomplete"
    return "met" if result.reason in (ExitReason.DONE, ExitReason.VIOLATION) else "incomplete"
