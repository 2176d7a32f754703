"""Execution contexts (issue 16): might_sleep, RCU grace periods, object lifetimes, IRQs.

Counts are derived by hand in the comments; every spec runs on the explicit engine (the
ground truth) and on the vector engine, and the small ones on bmc too, which must agree.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from checker.contexts import annotate, contexts_of
from checker.explicit import check as explicit_check
from checker.options import CheckOptions
from checker.symbolic.bmc import check_bmc
from checker.vector import check as vector_check
from mmspec.diagnostics import SpecError
from mmspec.frontend import load_spec
from mmspec.ground import ground

SPECS = Path(__file__).resolve().parent.parent / "specs" / "contexts"


def _load(tmp_path: Path, text: str, name: str = "t.mms"):
    p = tmp_path / name
    p.write_text(text)
    return ground(load_spec(str(p)))


def _run(system, engine: str = "explicit"):
    run = {"explicit": explicit_check, "vector": vector_check}[engine]
    result = run(system, CheckOptions())
    annotate(result)
    return result


# One reader {rcu_read_lock; rcu_read_unlock}, one updater {synchronize_rcu}.
GP = """
process reader {
        rcu_read_lock()
  out:  rcu_read_unlock()
}
process updater {
  sync: synchronize_rcu()
}
"""


@pytest.mark.parametrize("engine", ["explicit", "vector"])
def test_grace_period_state_count(tmp_path: Path, engine: str) -> None:
    # reader pc in {L, out, done} (rcu.nest is 1 exactly at out); updater pc in
    # {sync, sync.gp, done} and rcu.gp[updater] a subset of {reader}.
    #   updater at sync: gp = {}                          x reader L/out/done   = 3
    #   updater at sync.gp: reader L -> gp {} ; reader out -> gp {reader} (started while
    #     it was inside) or {} (it entered after) ; reader done -> gp {}      = 4
    #   updater done (only with gp {}):                   x reader L/out/done   = 3
    result = _run(_load(tmp_path, GP), engine)
    assert result.verdict == "ok"
    assert result.stats.distinct_states == 3 + 4 + 3


# The reader holds a pointer inside its read-side section; the updater unpublishes the
# object, then (SYNC) waits for a grace period, then frees it.
UAF = """
objects Obj[1]
var head: Obj = 1
var val: map[Obj] 0..1
ghost var o: Obj = 1
process reader {
  var p: Obj = 0
  var x: 0..1 = 0
         rcu_read_lock()
  deref: p := head
  use:   if p != 0 { x := val[p] }
         rcu_read_unlock()
}
process updater {
  unpub: head := 0
  SYNC
  del:   free(o)
}
"""


def _uaf(sync: bool, typesafe: bool = False) -> str:
    text = UAF.replace("SYNC", "synchronize_rcu()" if sync else "")
    text = text.replace("var head: Obj = 1", "var head: Obj = 1\nvar made: bool = false")
    # the object starts live: allocate it in the updater's first step
    text = text.replace("  unpub: head := 0", "  mk:    o := alloc(Obj)\n  unpub: head := 0")
    if typesafe:
        text = text.replace("objects Obj[1]", "objects Obj[1] typesafe_by_rcu")
    return text


@pytest.mark.parametrize("engine", ["explicit", "vector"])
def test_free_without_grace_period_is_use_after_free(tmp_path: Path, engine: str) -> None:
    result = _run(_load(tmp_path, _uaf(sync=False)), engine)
    [v] = result.violations
    assert v.kind == "use-after-free"
    assert v.details["object"] == "Obj 1"
    # the freeing step is in the trace, and it is the updater's free
    freed = v.details["freed"]
    assert freed["label"] == "updater: del"
    assert v.trace.steps[freed["step"]].label == "updater: del"
    assert v.details["action"] == "reader: use"


@pytest.mark.parametrize("engine", ["explicit", "vector"])
def test_synchronize_rcu_before_free_has_no_use_after_free(tmp_path: Path,
                                                           engine: str) -> None:
    result = _run(_load(tmp_path, _uaf(sync=True)), engine)
    assert result.verdict == "ok", [v.message for v in result.violations]


def test_typesafe_pool_allows_reads_of_freed_objects_inside_rcu(tmp_path: Path) -> None:
    # SLAB_TYPESAFE_BY_RCU: the memory stays an Obj while the reader is in its section
    result = _run(_load(tmp_path, _uaf(sync=False, typesafe=True)))
    assert result.verdict == "ok", [v.message for v in result.violations]


def test_typesafe_pool_outside_rcu_is_use_after_free(tmp_path: Path) -> None:
    text = _uaf(sync=False, typesafe=True).replace("         rcu_read_lock()\n", "") \
        .replace("         rcu_read_unlock()\n", "")
    result = _run(_load(tmp_path, text))
    assert [v.kind for v in result.violations] == ["use-after-free"]


def test_double_free(tmp_path: Path) -> None:
    text = """
objects Obj[1]
process p {
  var o: Obj = 0
  mk: o := alloc(Obj)
  a:  free(o)
  b:  free(o)
}
"""
    result = _run(_load(tmp_path, text))
    [v] = result.violations
    assert v.kind == "use-after-free" and v.message.startswith("double free of Obj 1")


def test_sleeping_under_rcu_names_where_the_section_began(tmp_path: Path) -> None:
    text = """
mutex m
process p {
  a:  rcu_read_lock()
  b:  skip
  c:  mutex_lock(m)
      mutex_unlock(m)
      rcu_read_unlock()
}
"""
    result = _run(_load(tmp_path, text))
    [v] = result.violations
    assert v.kind == "context"
    assert "inside an RCU read-side critical section" in v.message
    assert v.details["reason"] == "rcu"
    assert v.details["entered"]["label"] == "p: a"
    assert v.details["action"] == "p: c"


@pytest.mark.parametrize("call", ["might_sleep()", "msleep(10)"])
def test_might_sleep_with_preemption_or_irqs_disabled(tmp_path: Path, call: str) -> None:
    for off, on, reason in (("preempt_disable()", "preempt_enable()", "preempt"),
                            ("local_irq_disable()", "local_irq_enable()", "irq"),
                            ("local_bh_disable()", "local_bh_enable()", "bh")):
        text = f"process p {{\n  a: {off}\n  b: {call}\n  c: {on}\n}}\n"
        result = _run(_load(tmp_path, text))
        [v] = result.violations
        assert (v.kind, v.details["reason"]) == ("context", reason)
        ok = f"process p {{\n  a: {off}\n  c: {on}\n  b: {call}\n}}\n"
        assert _run(_load(tmp_path, ok)).verdict == "ok"


def test_sleeping_in_a_hardirq_handler(tmp_path: Path) -> None:
    text = """
mutex m
process worker cpu(0) { a: skip }
hardirq process h cpu(0) {
  x: mutex_lock(m)
     mutex_unlock(m)
}
"""
    result = _run(_load(tmp_path, text))
    [v] = result.violations
    assert v.kind == "context" and "in hardirq context" in v.message


@pytest.mark.parametrize("engine", ["explicit", "vector"])
def test_irqsave_state_count(engine: str) -> None:
    # worker pc in {L, inc, unl, done}, IRQs off exactly at inc/unl; the timer is not yet
    # fired, running (pc t0/tick/unl), or done. It can fire only while the worker's IRQs
    # are on (worker at L or done), and the worker is frozen while it runs.
    #   not fired: x 4 worker pcs = 4;  running: 3 x {L, done} = 6;  done: x 4 = 4
    result = _run(ground(load_spec(str(SPECS / "irq_lock_irqsave.mms"))), engine)
    assert result.verdict == "ok"
    assert result.stats.distinct_states == 4 + 6 + 4


def test_irq_lock_names_both_usages(tmp_path: Path) -> None:
    result = _run(ground(load_spec(str(SPECS / "irq_lock_unsafe.mms"))))
    [v] = result.violations
    assert v.kind == "irq-lock"
    assert v.details["usage"] == "{HARDIRQ-ON-W} -> {IN-HARDIRQ-W}"
    first = v.details["first_usage"]
    assert first["label"] == "worker: L12"  # spin_lock with IRQs on: the first witness
    assert v.details["action"] == "timer: L18"  # the handler's spin_lock: the second
    # the context column of the last state: the worker holds the lock, interrupted
    ctx = contexts_of(result.spec, v.trace.steps[-1].state)
    assert ctx["worker"] == "process, atomic: spinlock lock, interrupted by timer"
    assert ctx["timer"] == "hardirq"


def test_irq_deadlock_trace(tmp_path: Path) -> None:
    result = _run(ground(load_spec(str(SPECS / "irq_lock_unsafe_deadlock.mms"))))
    [v] = result.violations
    assert v.kind == "deadlock"
    assert [s.label for s in v.trace.steps[1:]] == ["worker: L11", "timer: irq"]


def test_handler_needs_a_cpu_and_sync_rcu_is_not_atomic(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as e:
        _load(tmp_path, "hardirq process h { a: skip }\n")
    assert e.value.diagnostics[0].code == "MMS308"
    with pytest.raises(SpecError) as e:
        _load(tmp_path, "process p { a: atomic { skip; synchronize_rcu() } }\n")
    assert e.value.diagnostics[0].code == "MMS309"
    with pytest.raises(SpecError) as e:
        _load(tmp_path, "objects O[1]\nvar x: 0..1 = 0\nprocess p { a: x := alloc(Q) }\n")
    assert e.value.diagnostics[0].code == "MMS312"


SMALL = ["irq_lock_irqsave", "irq_lock_unsafe", "irq_lock_unsafe_deadlock",
         "mutex_under_spinlock", "rcu_free_after_removal", "rcu_free_kfree_rcu",
         "rcu_sync_in_read_section"]


@pytest.mark.parametrize("name", sorted(p.stem for p in SPECS.glob("*.mms")))
def test_engines_agree_on_the_library(name: str) -> None:
    """explicit and vector: same verdict, kind, counts; bmc (small specs): same kind."""
    system = ground(load_spec(str(SPECS / f"{name}.mms")))
    ex, vec = _run(system, "explicit"), _run(system, "vector")
    kinds = [v.kind for v in ex.violations]
    assert kinds == [v.kind for v in vec.violations]
    assert ex.stats.distinct_states == vec.stats.distinct_states
    assert (ex.spec.expect.kind or None) == (kinds[0] if kinds else None)
    if name in SMALL:
        sym = check_bmc(system, CheckOptions(depth=ex.stats.depth + 1))
        assert [v.kind for v in sym.violations] == kinds
        if kinds:
            assert len(sym.violations[0].trace) == len(ex.violations[0].trace)


def test_typesafe_reuse_trace() -> None:
    # README (specs/contexts): mm A maps (3), the fault enters RCU and finds the VMA (2),
    # mm A unmaps/detaches/frees (3), mm B reuses the object (2), the fault takes its
    # reference (1), the disabled re-check (1), rcu_read_unlock (1): 13 steps.
    result = _run(ground(load_spec(str(SPECS / "vma_typesafe_no_recheck.mms"))))
    [v] = result.violations
    assert (v.kind, v.property) == ("invariant", "same_mm")
    assert [s.label for s in v.trace.steps[1:]] == [
        "munmap_a: mk", "munmap_a: init", "munmap_a: pub", "fault_a: rcu", "fault_a: walk",
        "munmap_a: unmap", "munmap_a: detach", "munmap_a: del", "mmap_b: mk", "mmap_b: init",
        "fault_a: inc", "fault_a: check", "fault_a: unlock"]


ABBA = """
mutex a
mutex b
process p1 {
  NOVALIDATE
  mutex_lock(a)
  mutex_lock(b)
  lockdep_assert_held_write(b)
  mutex_unlock(b)
  mutex_unlock(a)
}
process p2 {
  mutex_lock(b)
  x: if lock_is_held(b) { mutex_lock(a) }
  mutex_unlock(a)
  mutex_unlock(b)
  lockdep_assert_not_held(b)
}
"""


@pytest.mark.parametrize("engine", ["explicit", "vector"])
def test_novalidate_class_makes_no_order_edges(tmp_path: Path, engine: str) -> None:
    opts = CheckOptions(max_errors=5)
    run = {"explicit": explicit_check, "vector": vector_check}[engine]
    plain = run(_load(tmp_path, ABBA.replace("NOVALIDATE", "")), opts)
    assert "lock-order" in [v.kind for v in plain.violations]
    off = run(_load(tmp_path, ABBA.replace("NOVALIDATE", "lockdep_set_novalidate_class(b)")),
              opts)
    # the ABBA still deadlocks (the search finds it), but lockdep validates nothing for b
    assert [v.kind for v in off.violations] == ["deadlock"]


def test_lockdep_assert_held_splat(tmp_path: Path) -> None:
    text = ABBA.replace("NOVALIDATE", "").replace(
        "  lockdep_assert_not_held(b)", "  lockdep_assert_held(b)")
    result = explicit_check(_load(tmp_path, text), CheckOptions(max_errors=5))
    kinds = {v.kind: v for v in result.violations}
    v = kinds["assertion"]
    assert v.message.startswith("WARNING: lockdep_assert_held(b) at ")
    assert "'b' is not held by this thread (lockdep)" in v.message


def test_lockdep_set_class_conflict(tmp_path: Path) -> None:
    text = ("mutex a\nprocess p {\n  lockdep_set_class(a, K1)\n  lockdep_set_class(a, K2)\n"
            "}\n")
    with pytest.raises(SpecError) as e:
        _load(tmp_path, text)
    assert e.value.diagnostics[0].code == "MMS308"


CPU = """
spinlock s
var x: 0..2 = 0
process a cpu(0) {
     spin_lock(s)
  i: x := 1
  j: x := 2
     spin_unlock(s)
}
process b cpu(B) {
  k: assert x != 1, "saw the inside of a's critical section"
}
"""


@pytest.mark.parametrize("engine", ["explicit", "vector"])
def test_threads_sharing_a_cpu_do_not_preempt_a_spinlock_holder(tmp_path: Path,
                                                                engine: str) -> None:
    # On one CPU, b runs only while a holds no spinlock (a at L or done).
    #   b at k: a at L, i, j, unlock, done = 5;  b done (moved with a at L or done, then a
    #   goes on): a at any of the 5 = 5  ->  10 states, and b never sees x == 1.
    same = _run(_load(tmp_path, CPU.replace("cpu(B)", "cpu(0)")), engine)
    assert same.verdict == "ok" and same.stats.distinct_states == 10
    # on different CPUs b may look while a is inside
    apart = _run(_load(tmp_path, CPU.replace("cpu(B)", "cpu(1)")), engine)
    assert [v.kind for v in apart.violations] == ["assertion"]


SOFTIRQ = """
spinlock l
process w cpu(0) {
     LOCK(l)
  c: skip
     UN_LOCK(l)
}
softirq process rx cpu(0) {
  r: spin_lock(l)
     spin_unlock(l)
}
"""


def test_softirq_usage_and_spin_lock_bh(tmp_path: Path) -> None:
    bad = _run(_load(tmp_path, SOFTIRQ.replace("UN_LOCK", "spin_unlock")
                     .replace("LOCK", "spin_lock")))
    [v] = bad.violations
    assert v.kind == "irq-lock" and v.details["usage"] == "{SOFTIRQ-ON-W} -> {IN-SOFTIRQ-W}"
    good = _run(_load(tmp_path, SOFTIRQ.replace("UN_LOCK", "spin_unlock_bh")
                      .replace("LOCK", "spin_lock_bh")))
    assert good.verdict == "ok", [x.message for x in good.violations]


def test_cli_json_and_sarif_carry_the_new_kinds(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from mmspec import cli
    sarif = tmp_path / "out.sarif"
    code = cli.main(["check", str(SPECS / "mutex_under_spinlock.mms"), "--quiet", "--format",
                     "json", "--sarif", str(sarif)])
    assert code == 0  # the expected violation was found
    rec = json.loads(capsys.readouterr().out)
    assert (rec["kind"], rec["expected"], rec["met"]) == ("context", "context", True)
    d = rec["details"]
    assert (d["reason"], d["lock"], d["what"]) == ("spinlock", "ptl", "mutex_lock(i_mmap_mutex)")
    assert d["entered"]["label"] == "zap: L12" and d["entered"]["step"] == 1
    rules = json.loads(sarif.read_text())["runs"][0]["tool"]["driver"]["rules"]
    assert {"SleepInAtomicContext", "UseAfterFree", "InconsistentIrqLockUsage"} <= \
        {r["name"] for r in rules}


# wait_event() and rcuwait_wait_event() start with might_sleep(), so they are checked at
# their first step even when the condition already holds (done = true: no sleep happens);
# wait_for_completion() and an open-coded schedule() are checked where they are called.
WAITS = {"wait_event(wq, done)": "wait_event(wq, done)",
         "rcuwait_wait_event(rw, done)": "rcuwait_wait_event(rw, done)",
         "wait_for_completion(c)": "wait_for_completion(c)",
         "set_current_state(TASK_UNINTERRUPTIBLE)\n  s: schedule()": "schedule()"}


@pytest.mark.parametrize("engine", ["explicit", "vector"])
@pytest.mark.parametrize("call", sorted(WAITS))
def test_waits_are_sleeping_calls(tmp_path: Path, engine: str, call: str) -> None:
    text = ("spinlock ptl\nwaitqueue wq\nrcuwait rw\ncompletion c\n"
            "var done: bool = true\n"
            f"process p {{\n      spin_lock(ptl)\n  w:  {call}\n      spin_unlock(ptl)\n}}\n")
    result = _run(_load(tmp_path, text), engine)
    # one thread: the initial state, then spin_lock reaches the wait with ptl held, where
    # the check fails: 2 distinct states, a trace of 2 states; the open-coded form takes
    # one more step (set_current_state) before schedule(): 3 and 3
    [v] = result.violations
    assert (v.kind, v.details["reason"], v.details["lock"]) == ("context", "spinlock", "ptl")
    assert WAITS[call] in v.message
    n = 3 if "schedule" in call else 2
    assert result.stats.distinct_states == n and len(v.trace) == n
    unlocked = text.replace("      spin_lock(ptl)\n", "").replace("      spin_unlock(ptl)\n", "")
    if "schedule" not in call and "completion" not in call:  # these would sleep forever
        assert _run(_load(tmp_path, unlocked), engine).verdict == "ok"


# `objects P[N] live K`: objects 1..K exist from the start. Reader reads Vma 1's field once;
# killer frees it once. By hand: 2 x 2 pcs, the state of Vma 1 follows killer's pc: 4 states;
# reader after killer is a use-after-free (killer's step, then reader's: a 1-step trace).
LIVE_POOL = """
objects Vma[1] live 1
var vm_mm: map[Vma] 0..2
process reader {
  var mm: 0..2 = 0
  r0: mm := vm_mm[1]
}
process killer {
  var v: Vma = 1
  k0: KILL
}
"""


@pytest.mark.parametrize("engine", ["explicit", "vector"])
def test_objects_live_from_the_start(tmp_path: Path, engine: str) -> None:
    ok = _run(_load(tmp_path, LIVE_POOL.replace("KILL", "skip")), engine)
    assert ok.verdict == "ok" and ok.stats.distinct_states == 4
    bad = _run(_load(tmp_path, LIVE_POOL.replace("KILL", "free(v)")), engine)
    [v] = bad.violations
    assert v.kind == "use-after-free" and v.details["object"] == "Vma 1"
    assert len(v.trace.steps) - 1 == 1 and v.details["freed"]["label"] == "killer: k0"


def test_objects_live_count_is_checked(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as e:
        _load(tmp_path, LIVE_POOL.replace("live 1", "live 2").replace("KILL", "skip"))
    assert e.value.diagnostics[0].code == "MMS303"
    assert "the live count must be 0..1" in e.value.diagnostics[0].message


# lockdep_set_subclass(l, n): acquisitions of l without a subclass of their own use n. Two
# mutexes of one class nested: lockdep's "possible recursive locking" (M/0 -> M/0) unless
# b has subclass 1 (M/0 -> M/1, no cycle); an explicit _nested subclass still wins.
SUBCLASS = """
mutex a class M
mutex b class M
process p {
  i0: INIT
  l1: lock(a)
  l2: TAKE_B
  u2: unlock(b)
  u1: unlock(a)
}
"""


@pytest.mark.parametrize("engine", ["explicit", "vector"])
@pytest.mark.parametrize("init,take,cycle", [
    ("skip", "lock(b)", "M/0 -> M/0"),
    ("lockdep_set_subclass(b, 1)", "lock(b)", None),
    ("lockdep_set_subclass(b, 1)", "mutex_lock_nested(b, 0)", "M/0 -> M/0"),
])
def test_lockdep_set_subclass(tmp_path: Path, engine: str, init: str, take: str,
                              cycle: str | None) -> None:
    r = _run(_load(tmp_path, SUBCLASS.replace("INIT", init).replace("TAKE_B", take)), engine)
    if cycle is None:
        assert r.verdict == "ok", [v.message for v in r.violations]
    else:
        [v] = r.violations
        assert v.kind == "lock-order" and cycle in v.message


@pytest.mark.parametrize("init,code", [
    ("lockdep_set_subclass(b, 1)\n  i1: lockdep_set_subclass(b, 2)", "MMS308"),
    ("lockdep_set_subclass(b)", "MMS312"),
    ("lockdep_set_subclass(b, 9)", "MMS303"),
])
def test_lockdep_set_subclass_misuse(tmp_path: Path, init: str, code: str) -> None:
    with pytest.raises(SpecError) as e:
        _load(tmp_path, SUBCLASS.replace("INIT", init).replace("TAKE_B", "lock(b)"))
    assert e.value.diagnostics[0].code == code
