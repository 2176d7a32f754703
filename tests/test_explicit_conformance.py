"""The explicit engine against every conformance case, with 1 and 2 workers."""
import pytest

from checker.explicit import check
from checker.options import CheckOptions
from mmspec.ground import ground
from tests.conformance_cases import CASES, Case


def run_case(case: Case, **extra):
    opts = CheckOptions(**{**case.options, **extra})
    return check(ground(case.build()), opts)


def assert_case(case: Case, r) -> None:
    assert r.verdict == case.verdict, (r.reason, r.violations)
    if case.reason is not None:
        assert r.reason.value == case.reason
    if case.distinct is not None:
        assert r.stats.distinct_states == case.distinct
    if case.depth is not None:
        assert r.stats.depth == case.depth
    if case.never_fired is not None:
        assert r.stats.never_fired == list(case.never_fired)
    if case.verdict != "violation":
        assert not r.violations
        return
    assert sorted(x.kind for x in r.violations) == sorted((case.kind, *case.also))
    (v,) = [x for x in r.violations if x.kind == case.kind]
    if case.property is not None:
        assert v.property == case.property
    if case.trace_length is not None:
        assert len(v.trace) == case.trace_length
    if case.trace_actions is not None:
        assert tuple(s.label for s in v.trace.steps[1:]) == case.trace_actions
    for key, want in (case.details or {}).items():
        assert v.details[key] == want, key


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case) -> None:
    assert_case(case, run_case(case))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_two_workers(case: Case, monkeypatch) -> None:
    # force the parallel path even on these tiny levels
    monkeypatch.setattr("checker.explicit.parallel.MIN_PARALLEL", 1)
    assert_case(case, run_case(case, workers=2))
