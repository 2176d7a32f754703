"""Typed violation details (checker/details.py): the JSON shape every engine writes is the
`as_dict()` of the kind's dataclass, `details_of` reads it back to the same dataclass, and
malformed input (an ITF file from elsewhere) reads without an exception."""
from __future__ import annotations

import pytest

from checker.details import (DeadlockDetails, LivenessDetails, LockOrderDetails, OtherDetails,
                             RangeDetails, StepCheckDetails, details_of)
from checker.explicit import check
from checker.options import CheckOptions
from checker.result import Trace, Violation
from mmspec.frontend import load_spec
from mmspec.ground import ground

# (spec, the details class its violations must read as, one per violation kind found)
CASES = [
    ("specs/fput/fput_sync_under_mmap_sem.mms",
     {"deadlock": DeadlockDetails, "lock-order": LockOrderDetails}),
    ("specs/fput/fput_task_work_lost_on_exit.mms", {"liveness": LivenessDetails}),
    ("specs/exec_nascent_mm/exec_nascent_mm_flag.mms", {"assertion": StepCheckDetails}),
]


@pytest.mark.parametrize("path,kinds", CASES)
def test_every_engine_shape_round_trips(path: str, kinds: dict[str, type]) -> None:
    result = check(ground(load_spec(path)), CheckOptions())
    found = {v.kind: v for v in result.violations}
    assert set(kinds) <= set(found), sorted(found)
    for kind, cls in kinds.items():
        v = found[kind]
        d = details_of(v)
        assert isinstance(d, cls)
        assert d.as_dict() == v.details  # the one shape, in both directions


def _v(kind: str, details: object) -> Violation:
    return Violation(kind, kind, "", Trace(()), None, details)  # type: ignore[arg-type]


def test_range_and_other_kinds() -> None:
    d = {"action": "Inc(i=1)", "slot": "c[1]", "value": 4, "lo": 0, "hi": 3}
    r = details_of(_v("range", d))
    assert r == RangeDetails("Inc(i=1)", "c[1]", 4, 0, 3) and r.as_dict() == d
    other = details_of(_v("domain", {"where": "invariant x", "value": 5}))
    assert isinstance(other, OtherDetails) and other.as_dict() == {"where": "invariant x",
                                                                   "value": 5}
    assert details_of(_v("invariant", {})) is None


@pytest.mark.parametrize("kind", ["deadlock", "lock-order", "range", "assertion", "liveness",
                                  "refcount"])
@pytest.mark.parametrize("junk", [
    {"waits": [1, None, {"thread": 3}], "stuck": "x", "cycle": 7, "action": None},
    {"chain": [None, {"from": 1}], "witnesses": {"a": 1}},
    {"slot": None, "fairness": 3, "trigger": "2"},
    [1, 2], None, "text"])
def test_malformed_details_read_without_an_exception(kind: str, junk: object) -> None:
    d = details_of(_v(kind, junk))
    if d is not None:
        d.as_dict()
