"""task_work (issue 15 item 6): work queued with task_work_add() runs when the thread
returns to user space, under that thread; lost after exit_task_work(). Counts derived by
hand in the comments."""
from __future__ import annotations

from pathlib import Path

import pytest

from checker.explicit import check
from checker.options import CheckOptions
from mmspec.diagnostics import SpecError
from mmspec.frontend import load_spec
from mmspec.ground import ground


def _run(tmp_path: Path, text: str):
    p = tmp_path / "t.mms"
    p.write_text(text)
    spec = load_spec(str(p))
    return spec, check(ground(spec), CheckOptions())


OWN = """\
mutex m
var f_ref: 0..1 = 1
ghost var released: bool = false
proc fput_work() {
  lk:  lock(m)
  rel: released := true
  un:  unlock(m)
}
process closer {
  get:  lock(m)
  put:  f_ref := 0
  add:  task_work_add(current, fput_work)
  drop: unlock(m)
  ret:  return_to_user()
}
"""


def test_own_work_runs_at_return_to_user_under_the_thread(tmp_path):
    # One thread, one path: get, put, add, drop, ret (take the pending work), the work's
    # lk, rel, un, ret again (nothing pending: on), done. Every step changes the pc or the
    # pending set: 10 states.
    spec, result = _run(tmp_path, OWN)
    assert result.verdict == "ok" and result.stats.distinct_states == 10
    _, bad = _run(tmp_path, OWN + "invariant not_yet: !released\n")
    (v,) = bad.violations
    assert [(s.process, s.step) for s in v.trace.steps[1:]] == [
        ("closer", "get"), ("closer", "put"), ("closer", "add"), ("closer", "drop"),
        ("closer", "ret"), ("closer", "ret.fput_work.run.lk"),
        ("closer", "ret.fput_work.run.rel")]


CROSS = """\
ghost var ran: bool = false
proc w() { ran := true }
process p { ret: return_to_user() }
process q { add: task_work_add(p, w) }
"""


def test_work_added_by_another_thread_runs_only_if_it_comes_in_time(tmp_path):
    # (p.pc, q.pc, pending, ran): init (ret, add, {}, F); p first: (done, add, {}, F) then
    # (done, done, {w}, F) -- the work is never run; q first: (ret, done, {w}, F), take:
    # (body, done, {}, F), ran: (ret, done, {}, T), on: (done, done, {}, T). 7 states.
    _, result = _run(tmp_path, CROSS)
    assert result.verdict == "ok" and result.stats.distinct_states == 7


def test_work_is_lost_after_exit_task_work(tmp_path):
    text = """\
ghost var ran: bool = false
var ok: bool = true
proc w() { ran := true }
process t {
  ex:   exit_task_work()
  add:  ok := task_work_add(current, w)
  ret:  return_to_user()
}
invariant lost: t@done => (!ok && !ran)
"""
    _, result = _run(tmp_path, text)
    assert result.verdict == "ok"


@pytest.mark.parametrize("text,code", [
    ("proc w(a) { skip }\nprocess p { task_work_add(current, w)\n return_to_user() }\n",
     "MMS312"),
    ("proc w() { skip }\nprocess p { task_work_add(current, nothing) }\n", "MMS207"),
])
def test_misuse_is_an_error(tmp_path, text, code):
    p = tmp_path / "t.mms"
    p.write_text(text)
    with pytest.raises(SpecError) as e:
        load_spec(str(p))
    assert code in [d.code for d in e.value.diagnostics]
