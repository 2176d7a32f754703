"""The explicit engine against every conformance case, with 1 and 2 workers."""
import pytest

from checker.explicit import check
from checker.options import CheckOptions
from mmspec.ground import ground
from tests.conformance_cases import CASES, Case, assert_result


def run_case(case: Case, **extra):
    opts = CheckOptions(**{**case.options, **extra})
    return check(ground(case.build()), opts)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case) -> None:
    assert_result(case, run_case(case))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_two_workers(case: Case, monkeypatch) -> None:
    # force the parallel path even on these tiny levels
    monkeypatch.setattr("checker.explicit.parallel.MIN_PARALLEL", 1)
    assert_result(case, run_case(case, workers=2))
