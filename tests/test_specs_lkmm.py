"""specs/lkmm (issue 17 item 5): each demonstration breaks under lkmm exactly where its
README says, and holds under sc (the lesson: sequential consistency hides the bug)."""
from __future__ import annotations

import pytest

from checker.explicit import check
from checker.options import CheckOptions
from mmspec.frontend import load_spec
from mmspec.ground import ground
from tests.speclib import SPECS_ROOT

# spec, -D, the violation lkmm finds (kind, property) or None
CASES = [
    ("vma_read_relaxed_inc", {}, ("invariant", "excl_rw")),
    ("vma_read_acquire_inc", {}, None),
    ("rcuwait_no_barrier", {"BARRIER": 0}, ("deadlock", None)),
    ("rcuwait_no_barrier", {"BARRIER": 1}, None),
    ("exec_flag_publish", {"LOCKLESS": 1}, ("invariant", "sees_flag")),
    ("exec_flag_publish", {"LOCKLESS": 0}, None),
]


def run(name: str, defines: dict[str, int], memory: str):
    spec = load_spec(str(SPECS_ROOT / "lkmm" / f"{name}.mms"), defines, memory=memory)
    return check(ground(spec), CheckOptions())


@pytest.mark.parametrize("name, defines, found", CASES)
def test_lkmm_finds_exactly_the_documented_bug(name: str, defines: dict[str, int],
                                               found: tuple[str, str | None] | None) -> None:
    r = run(name, defines, "lkmm")
    if found is None:
        assert r.verdict == "ok" and not r.violations
    else:
        v = r.violations[0]
        assert (v.kind, v.property if found[1] else None) == found


@pytest.mark.parametrize("name, defines, found", CASES)
def test_sc_hides_it(name: str, defines: dict[str, int],
                     found: tuple[str, str | None] | None) -> None:
    r = run(name, defines, "sc")
    assert r.verdict == "ok" and not r.violations


def test_trace_says_which_store_had_not_reached_whom() -> None:
    # rcuwait without (B): task's write 2 (the waiter's registration) has not reached the
    # waker when it reads task; the waker's cond store is write 2 of cond
    from checker.render.text import render_trace
    r = run("rcuwait_no_barrier", {"BARRIER": 0}, "lkmm")
    spec = load_spec(str(SPECS_ROOT / "lkmm" / "rcuwait_no_barrier.mms"), {"BARRIER": 0},
                     memory="lkmm")
    text = render_trace(spec, r.violations[0].trace)
    assert "↳ task: waker read write 1 of 2: the newer ones had not reached it" in text
    assert "↳ cond: new write 2 of 2 kept (the coherence-latest), by waker" in text
