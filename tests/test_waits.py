"""Sleep and wake with the kernel's split (issue 15 item 5): task state, wait queues,
rcuwait, completions. Traces and counts are derived by hand in the comments."""
from __future__ import annotations

from pathlib import Path

import pytest

from checker.explicit import check
from checker.options import CheckOptions
from mmspec.frontend import load_spec
from mmspec.ground import ground


def _run(tmp_path: Path, text: str, **defines: int):
    p = tmp_path / "t.mms"
    p.write_text(text)
    return check(ground(load_spec(str(p), defines)), CheckOptions())


def _steps(v):
    return [(s.process, s.step) for s in v.trace.steps[1:]]


LOST = """\
var ready: bool = false
waitqueue wq
process sleeper {
  chk:  if !ready {                           // tested before the task state is set
  prep:   prepare_to_wait(wq, TASK_UNINTERRUPTIBLE)
  sl:     schedule()
  fin:    finish_wait(wq)
        }
}
process waker {
  pub:  ready := true
  wake: wake_up(wq)
}
option split_tests = true
"""


def test_testing_before_setting_the_state_loses_the_wake_up(tmp_path):
    # The only way to sleep forever: the test sees !ready (chk), then the waker publishes
    # and wakes an empty queue (pub, wake), then the sleeper queues itself (prep) and
    # sleeps in schedule() with nobody left: 4 steps, the unique shortest deadlock.
    (v,) = _run(tmp_path, LOST).violations
    assert v.kind == "deadlock"
    assert _steps(v) == [("sleeper", "chk"), ("waker", "pub"), ("waker", "wake"),
                         ("sleeper", "prep")]
    (stuck,) = v.details["stuck"]
    assert stuck["thread"] == "sleeper" and stuck["step"] == "sl"
    assert "sleeps_on" in stuck


def test_fused_the_same_code_hides_the_lost_wake_up_and_is_warned(tmp_path):
    fused = LOST.replace("option split_tests = true\n", "")
    p = tmp_path / "f.mms"
    p.write_text(fused)
    assert [w.code for w in load_spec(str(p)).warnings] == ["MMS350"]
    assert _run(tmp_path, fused).verdict == "ok"


WAIT_EVENT = """\
var ready: bool = false
waitqueue wq
process sleeper { wt: wait_event(wq, ready) }
process waker {
  pub:  ready := true
  wake: wake_up(wq)
}
"""


@pytest.mark.parametrize("engine", ["explicit", "vector", "bmc"])
def test_wait_event_in_the_kernel_order_never_loses_a_wake_up(tmp_path, engine):
    p = tmp_path / "w.mms"
    p.write_text(WAIT_EVENT)
    system = ground(load_spec(str(p)))
    if engine == "explicit":
        r = check(system, CheckOptions())
    elif engine == "vector":
        from checker import vector
        r = vector.check(system, CheckOptions())
    else:
        from checker.symbolic import check_bmc
        r = check_bmc(system, CheckOptions(depth=12))
    assert r.verdict == "ok" and r.violations == []


def test_wait_event_is_five_steps_when_it_sleeps(tmp_path):
    # wt (test: !ready) -> wt.prep -> wt.test (!ready) -> wt.sched (blocks until woken):
    # with the waker gone before wt.prep, a missing wake-up would deadlock; instead the
    # test after prepare_to_wait sees ready. The steps the sleeper takes when the waker
    # runs between prep and test: wt, wt.prep, (pub, wake), wt.test, wt.fin.
    p = tmp_path / "w.mms"
    p.write_text(WAIT_EVENT + "invariant never_woken: !(sleeper@done && waker@done)\n")
    (v,) = check(ground(load_spec(str(p))), CheckOptions()).violations
    # shortest: the fast path, wt sees ready after pub: pub, wt -> done, wake: 3 steps;
    # BFS takes the sleeper's steps first where it still reaches the goal: pub must come
    # before wt, so depth 1 is pub, then wt (fast path: done), then wake.
    assert _steps(v) == [("waker", "pub"), ("sleeper", "wt"), ("waker", "wake")]


def test_completion_counts_and_a_missing_complete_sleeps_forever(tmp_path):
    ok = "completion c\nprocess w { wait_for_completion(c) }\nprocess s { complete(c) }\n"
    # (w at wfc, s at cmp, done 0) -> s completes (done 1) -> w takes it (done 0): 3 states
    r = _run(tmp_path, ok)
    assert r.verdict == "ok" and r.stats.distinct_states == 3
    bad = "completion c\nvar x: bool\nprocess w { wait_for_completion(c) }\n"
    (v,) = _run(tmp_path, bad).violations
    assert v.kind == "deadlock" and _steps(v) == []
    assert v.details["stuck"][0]["sleeps_on"] == "completion c"


def test_complete_all_wakes_every_waiter(tmp_path):
    text = ("completion c\nprocess w[i in 1..2] { wait_for_completion(c) }\n"
            "process s { complete_all(c) }\n")
    assert _run(tmp_path, text).verdict == "ok"
    one = text.replace("complete_all", "complete")
    (v,) = _run(tmp_path, one).violations
    assert v.kind == "deadlock"


RCU = """\
var flag: bool = false
rcuwait w
process waiter { rw: rcuwait_wait_event(w, flag) }
process waker {
  BODY
}
"""


def test_rcuwait_wake_after_publish_is_safe_and_before_it_deadlocks(tmp_path):
    good = RCU.replace("BODY", "pub: flag := true\n  wk: rcuwait_wake_up(w)")
    assert _run(tmp_path, good).verdict == "ok"
    bad = RCU.replace("BODY", "wk: rcuwait_wake_up(w)\n  pub: flag := true")
    (v,) = _run(tmp_path, bad).violations
    # A wake-up is lost when wk runs before the waiter's set_current_state (rw.set): it
    # wakes a task that is still running, then the waiter sets TASK_UNINTERRUPTIBLE, tests
    # !flag and sleeps, and pub sets flag with no wake-up to follow. Shortest: 5 steps with
    # wk before rw.set and pub after rw.test. The state after {rw, wk} is the same in
    # either order; BFS (waiter's transitions declared first) first reaches it by rw, wk.
    assert v.kind == "deadlock"
    assert _steps(v) == [("waiter", "rw"), ("waker", "wk"), ("waiter", "rw.set"),
                         ("waiter", "rw.test"), ("waker", "pub")]
    assert v.details["stuck"][0]["sleeps_on"] == "rcuwait w"


def test_a_sleeping_deadlock_survives_the_itf_round_trip(tmp_path):
    # details.cycle is null when nobody waits on a lock (the ITF reader refused it before)
    from checker.render.itf import itf_text
    from checker.render.trace_cmd import rerender
    p = tmp_path / "t.mms"
    p.write_text(LOST)
    result = check(ground(load_spec(str(p))), CheckOptions())
    (v,) = result.violations
    f = tmp_path / "t.itf.json"
    f.write_text(itf_text(v.trace, result))
    out = rerender(str(f), None, True)
    assert "sleeper is asleep at sl" in out
