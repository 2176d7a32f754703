"""`Violation.details` stores the kind's dataclass (checker/details.py); the JSON form is made
only at the output boundary, key for key as it was given. Names read from a saved trace are
checked against the Literal types (an unknown kind or engine is an ItfError)."""
from __future__ import annotations

import json
from typing import Any

import pytest

from checker.details import (DeadlockDetails, OtherDetails, RangeDetails, details_json,
                             typed_details)
from checker.render.itf import ItfError, result_from_meta
from checker.result import Trace, Violation

DEADLOCK = {"action": "t: lock_b", "waits": [
    {"thread": "t", "lock": "B", "mode": "write", "holders": ["u"]},
    {"thread": "u", "lock": "A", "mode": "read", "holders": ["t"], "queued": ["w"]}],
    "cycle": ["t", "u"], "stuck": [{"thread": "s", "step": "w8", "at": "x.mms:3",
                                    "sleeps_on": "completion c"}]}


@pytest.mark.parametrize("kind,data,cls", [
    ("deadlock", DEADLOCK, DeadlockDetails),
    ("range", {"action": "Inc", "slot": "x", "value": 3, "lo": 0, "hi": 2}, RangeDetails),
    ("refcount", {"action": "put"}, OtherDetails),  # a kind without a class of its own
])
def test_the_json_form_is_parsed_once_and_written_back_unchanged(
        kind: str, data: dict[str, Any], cls: type) -> None:
    v = Violation(kind, kind, "", Trace(()), None, data)  # type: ignore[arg-type]
    assert type(v.details) is cls
    assert json.dumps(details_json(v.details)) == json.dumps(data)  # same keys, same order
    assert v.details == data  # the mapping view, for dict-shaped readers


def test_data_not_in_its_class_shape_is_kept_as_it_is() -> None:
    # keys in another order than the class writes them: kept verbatim, not reordered
    data = {"cycle": None, "waits": []}
    d = typed_details("deadlock", data)
    assert isinstance(d, OtherDetails) and list(d.as_dict()) == ["cycle", "waits"]
    assert typed_details("deadlock", {}) is None and typed_details("range", [1]) is None


@pytest.mark.parametrize("meta,what", [
    ({"kind": "no-such-kind", "property": "p"}, "unknown violation kind"),
    ({"engine": "no-such-engine"}, "unknown engine"),
])
def test_a_saved_trace_with_an_unknown_name_is_refused(meta: dict[str, Any], what: str) -> None:
    with pytest.raises(ItfError, match=what):
        result_from_meta(Trace(()), meta)
