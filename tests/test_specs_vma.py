"""specs/vma: the per-VMA lock (vm_refcnt, VMA_LOCK_OFFSET, detach, spurious readers) (topic 4).

Every expected counterexample below is derived by hand in specs/vma/README.md from the
language's step semantics (a step is named after the point it starts from; a branch's test
runs in the first step of the branch taken; `while` exits are steps of their own) and the
explicit engine's documented search order (checker/explicit/search.py): breadth-first, each
level's invariants first, then its states expanded with the transitions in declaration order
(IR transition, then thread). So the trace is the shortest one, and among the shortest the
lexicographically first by (step, thread) index: at every step the earliest-declared step
that can still reach the violation within the shortest length. An in-step assertion is
reported at the state where the failing step is enabled (the step is in details["action"]);
a deadlock at the state where nothing can move. Nothing was copied from the tool's output.

The branch a step took is read from the label on the source line the trace step points at
(`r0_ok:` vs `r0_locked:`): that is the statement the step executed. The writer's waits are
the kernel's `rcuwait_wait_event()` (mmspec/cfg.py `wait_loop`): `w2` (prepare_to_rcuwait),
`w2.set` (TASK_UNINTERRUPTIBLE), `w2.test` (to `w2.fin`, or `w2.sched`), `w2.sched`
(schedule(), back to `w2.set`), `w2.fin`; their steps all point at the `w2:` line. A reader
runs lock_vma_under_rcu(): `rcu` (rcu_read_lock) first; the put is the proc
vma_refcount_put(), whose steps are prefixed with the call's label (`put.dec`, `put.wake`;
`bo.dec`, `bo.wake` for the back-off) and point at the proc's lines (`dec:`, then
`wake_up:` or `no_wake:`).

State counts: vma_lock_refcnt with one reader and no detach is counted by hand below; the
default configurations are too big to count by hand and are cross-checked against the
reference BFS of tests/test_ground.py, a second, independent search over the ground system.
"""
from __future__ import annotations

import pathlib

import pytest

from mmspec.frontend import load_spec

from tests.speclib import SpecFolder, only_violation, taken
from tests.test_ground import reachable

SPECS = {
    "vma_lock_no_recheck": ("invariant", "excl_rw"),
    "vma_lock_seq_only": ("invariant", "excl_rw"),
    "vma_detach_lost_wakeup": ("deadlock", None),
    "vma_detach_no_recheck_uaf": ("invariant", "no_uaf"),
    "vma_assert_heuristic_completeness": ("assertion", None),
    "vma_assert_heuristic_soundness": (None, None),
    "vma_lock_refcnt": (None, None),
    "vma_lock_refcnt_wake_always": (None, None),
    "vma_lock_refcnt_reuse": (None, None),         # RECHECK=0: invariant same_mm
}

LIB = SpecFolder("vma", SPECS)
run = LIB.run
path = LIB.path


def test_the_folder_holds_exactly_the_named_variants():
    LIB.assert_holds_exactly_the_named_variants()


OFF = 0x40000000  # VMA_LOCK_OFFSET, as the specs write it
def walk(trace) -> list[tuple[str | None, str | None, str | None]]:
    """(thread, step, statement taken) of every step of a trace, the initial state left out."""
    return [(s.process, s.step, taken(s)) for s in trace.steps[1:]]


R1, R2, W = "reader[1]", "reader[2]", "writer"
# rcuwait_wait_event(vma_writer_wait, vm_refcnt == OFFSET + 1) when no reader holds a
# reference: w->task = current; set_current_state(); the test passes; finish_rcuwait()
WAIT_PASSES = [(W, "w2", "w2"), (W, "w2.set", "w2"), (W, "w2.test", "w2"), (W, "w2.fin", "w2")]


# --------------------------------------------------------------------------- every file


@pytest.mark.parametrize("name", sorted(SPECS))
def test_loads_and_declares_its_expectation(name):
    spec = load_spec(path(name))
    assert spec.name == name
    assert (spec.expect.kind, spec.expect.name) == SPECS[name]
    extra = ["same_mm"] if name == "vma_lock_refcnt_reuse" else []
    assert [i.name for i in spec.invariants] == extra + ["excl_rw", "no_uaf", "ref_shape"]
    assert [lv.name for lv in spec.liveness] == ["writer_finishes"]


@pytest.mark.parametrize("name", sorted(SPECS))
def test_meets_its_expectation(name):
    LIB.assert_only_the_expected_violation(name)


def test_wake_always_is_the_fixed_spec_with_the_switch_on():
    """vma_lock_refcnt_wake_always.mms must not drift from vma_lock_refcnt.mms."""
    def body(name: str) -> list[str]:
        lines = pathlib.Path(path(name)).read_text().splitlines()
        start = next(i for i, ln in enumerate(lines) if ln.startswith("spec "))
        return lines[start + 1:]
    base, always = body("vma_lock_refcnt"), body("vma_lock_refcnt_wake_always")
    diff = [(a, b) for a, b in zip(base, always) if a != b]
    assert len(base) == len(always)
    assert [(a.split("//")[0].strip(), b.split("//")[0].strip()) for a, b in diff] == [
        ("const WAKE_ALWAYS = 0", "const WAKE_ALWAYS = 1")]


# --------------------------------------------------------------------------- buggy variants


def test_no_recheck_lets_a_reader_into_a_write_locked_vma():
    # reader[1] passes the racy early check before the writer publishes vm_lock_seq (step 1,
    # the first step in declaration order that still leads to the violation); the writer
    # write-locks: a0 (mmap_write_lock), w1 (+OFFSET), w2 (refcnt == OFFSET + 1: the loop
    # exits), w3 (vm_lock_seq), w4 (-OFFSET: write lock held); reader[1] increments 1 -> 2
    # and, with no re-check, is inside. 7 steps; reader[2] never moves.
    # With rcuwait_wait_event() the loop that exits at once is four steps (w2 .. w2.fin),
    # and the reader enters its RCU read-side section first: 11 steps.
    _, _, result = run("vma_lock_no_recheck")
    v = only_violation(result)
    assert (v.kind, v.property) == ("invariant", "excl_rw")
    assert walk(v.trace) == [
        (R1, "rcu", "rcu"), (R1, "r0", "r0_ok"),
        (W, "a0", "a0"), (W, "w1", "w1"), *WAIT_PASSES, (W, "w3", "w3"), (W, "w4", "w4"),
        (R1, "r1", "r1_inc"),
    ]
    last = v.trace.steps[-1].state
    assert last["in_cs"][1] is True and last["w_cs"] is True
    assert last["ref"][1] == 2 and last["vseq"][1] == last["mseq"] == 1


def test_seq_only_writer_does_not_wait_for_readers_inside():
    # reader[1] gets the read lock completely (r0, r1, r3 with vm_lock_seq still -1), then
    # the writer takes mmap_lock (a0) and publishes vm_lock_seq (w3) without excluding it.
    _, _, result = run("vma_lock_seq_only")
    v = only_violation(result)
    assert (v.kind, v.property) == ("invariant", "excl_rw")
    assert walk(v.trace) == [
        (R1, "rcu", "rcu"), (R1, "r0", "r0_ok"), (R1, "r1", "r1_inc"), (R1, "r3", "r3_ok"),
        (W, "a0", "a0"), (W, "w3", "w3"),
    ]
    last = v.trace.steps[-1].state
    assert last["in_cs"][1] is True and last["w_cs"] is True and last["ref"][1] == 2


LOST_WAKEUP = [
    (R1, "rcu", "rcu"),         # both readers enter RCU read-side sections (both must finish;
    (R2, "rcu", "rcu"),         #   `rcu` is the earliest-declared reader step)
    (R1, "r0", "r0_ok"),        # the spurious reader passes the early check (vm_lock_seq -1)
    (W, "a0", "a0"), (W, "w1", "w1"),
    *WAIT_PASSES,               # vm_refcnt == OFFSET + 1: no reader, the wait ends at once
    (W, "w3", "w3"),            # vm_lock_seq = mm_lock_seq: write-locked from here
    (R2, "r0", "r0_locked"),    # the other reader sees it and falls back (it has to finish):
    (R2, "r0_unlock", "r0_unlock"),  # rcu_read_unlock(), done
    (W, "w4", "w4"),            # -OFFSET: vm_refcnt 1
    (R1, "r1", "r1_inc"),       # vm_refcnt 1 -> 2
    (R1, "r3", "r3_locked"),    # the re-check sees the write lock: it will back off
    (W, "d1", "d1_busy"),       # vma_mark_detached(): 2 -> 1, not 0
    (W, "d2", "d2_add"),        # __vma_enter_locked(detaching): 1 -> OFFSET + 1
    (W, "d3", "d3"),            # rcuwait_wait_event(): w->task = writer,
    (W, "d3.set", "d3"),        #   TASK_UNINTERRUPTIBLE,
    (W, "d3.test", "d3"),       #   vm_refcnt (OFFSET + 1) != OFFSET: on to schedule()
    (R1, "bo.dec", "dec"),      # vma_refcount_put(): OFFSET + 1 -> OFFSET ...
    (R1, "bo.wake", "no_wake"), # ... and OFFSET is not OFFSET + 1: no rcuwait_wake_up()
    (R1, "bo_unlock", "bo_unlock"),  # rcu_read_unlock(), done
]


def test_forgetting_the_detach_target_loses_the_wakeup():
    _, _, result = run("vma_detach_lost_wakeup")
    v = only_violation(result)
    assert v.kind == "deadlock"
    assert walk(v.trace) == LOST_WAKEUP
    last = v.trace.steps[-1].state
    assert last["writer.pc"] == "d3.sched"
    assert last["writer.task_state"] == "TASK_UNINTERRUPTIBLE"   # nobody woke it
    assert last["reader.pc"] == {1: "done", 2: "done"}
    assert v.details["stuck"][0]["sleeps_on"] == "rcuwait vma_writer_wait"
    # oldcnt, the proc local of vma_refcount_put() (__refcount_dec_and_test(&vm_refcnt,
    # &oldcnt)), after the put: it found OFFSET + 1 and left OFFSET; leaving the proc
    # resets it
    put = next(i for i, s in enumerate(v.trace.steps) if s.step == "bo.dec")
    after = v.trace.steps[put].state
    assert after["reader.vma_refcount_put.oldcnt"][1] == OFF + 1 and after["ref"][1] == OFF
    assert last["ref"][1] == OFF and last["reader.vma_refcount_put.oldcnt"][1] == 0


def test_the_lost_wakeup_is_also_a_liveness_violation():
    # with deadlock reporting off, the same run is a fair behaviour in which the writer never
    # finishes: the same 23 steps, then nothing can move (a stuttering lasso)
    _, _, result = run("vma_detach_lost_wakeup", deadlock=False)
    v = only_violation(result)
    assert (v.kind, v.property) == ("liveness", "writer_finishes")
    assert walk(v.trace) == LOST_WAKEUP
    assert v.trace.loop == len(v.trace) - 1


def test_no_recheck_after_wakeup_frees_a_referenced_vma():
    # two spurious readers; the first to back off leaves OFFSET + 1, which
    # is_vma_writer_only() reads as "attached writer, no readers": it wakes the detacher,
    # which takes the wakeup as a grant, subtracts OFFSET (vm_refcnt 1, WARN) and frees the
    # VMA while reader[2] still holds its increment. reader[1] puts before the writer starts
    # waiting; its rcuwait_wake_up() must come after d3_set (before it, set_current_state()
    # would overwrite the TASK_RUNNING it sets and the writer would sleep for good), and the
    # earliest-declared reader step then goes first: the writer tests, and schedule()
    # returns at once because the wakeup already came (the kernel's race-free order).
    _, _, result = run("vma_detach_no_recheck_uaf")
    v = only_violation(result)
    assert (v.kind, v.property) == ("invariant", "no_uaf")
    assert walk(v.trace) == [
        (R1, "rcu", "rcu"), (R2, "rcu", "rcu"),
        (R1, "r0", "r0_ok"), (R2, "r0", "r0_ok"),
        (W, "a0", "a0"), (W, "w1", "w1"),
        (W, "w2", "w2"), (W, "w2_set", "w2_set"), (W, "w2_test", "w2_ok"), (W, "w2_fin", "w2_fin"),
        (W, "w3", "w3"), (W, "w4", "w4"),
        (R1, "r1", "r1_inc"), (R2, "r1", "r1_inc"),     # vm_refcnt 1 -> 2 -> 3
        (R1, "r3", "r3_locked"),
        (W, "d1", "d1_busy"),                           # 3 -> 2
        (W, "d2", "d2_add"),                            # 2 -> OFFSET + 2
        (R1, "bo.dec", "dec"),                          # -> OFFSET + 1
        (W, "d3", "d3"), (W, "d3_set", "d3_set"),       # w->task = writer; UNINTERRUPTIBLE
        (R1, "bo.wake", "wake_up"),                     # the false positive: TASK_RUNNING
        (W, "d3_test", "d3_sleep"),                     # OFFSET + 1 != OFFSET: schedule() ...
        (W, "d3_sched", "d3_sched"),                    # ... returns at once: no re-test
        (W, "d3_fin", "d3_fin"),
        (W, "d4", "d4"),                                # -OFFSET: 1, not 0 (WARN)
        (W, "d5", "d5"),                                # vm_area_free()
    ]
    last = v.trace.steps[-1].state
    assert last["freed"] is True and last["has_ref"] == {1: False, 2: True}
    assert last["ref"][1] == 1 and last["warned"] is True
    # oldcnt after the put: OFFSET + 2 (it left OFFSET + 1, the false positive's value)
    put = next(i for i, s in enumerate(v.trace.steps) if s.step == "bo.dec")
    assert v.trace.steps[put].state["reader.vma_refcount_put.oldcnt"][1] == OFF + 2


def test_a_refcount_heuristic_cannot_tell_who_holds_the_read_lock():
    # Lorenzo's "very unlikely" case: the VMA is write-locked (vm_refcnt 1), reader[1] (past
    # the early check before vm_lock_seq was published) increments to 2 and will back off;
    # x_nonholder now reads "1 < refcnt < OFFSET" as read-locked with no reader holding it.
    _, _, result = run("vma_assert_heuristic_completeness")
    v = only_violation(result)
    assert v.kind == "assertion"
    assert v.property == "vm_refcnt looks read-locked but no reader holds the read lock"
    assert v.details["action"] == "x_nonholder: chk"
    assert walk(v.trace) == [
        (R1, "rcu", "rcu"), (R1, "r0", "r0_ok"),
        (W, "a0", "a0"), (W, "w1", "w1"), *WAIT_PASSES, (W, "w3", "w3"), (W, "w4", "w4"),
        (R1, "r1", "r1_inc"),
    ]
    last = v.trace.steps[-1].state
    assert last["ref"][1] == 2 and last["w_cs"] is True
    assert last["has_ref"][1] is True and last["true_read"] == {1: False, 2: False}


def test_v6_17s_plain_refcount_test_also_passes_during_write_locking():
    # -D PRED=0, "refcnt > 1": a writer between __vma_enter_locked() and the end of the wait
    # leaves OFFSET + 1 with no reader at all; two writer steps suffice.
    _, _, result = run("vma_assert_heuristic_completeness", {"PRED": 0})
    v = only_violation(result)
    assert v.kind == "assertion" and v.details["action"] == "x_nonholder: chk"
    assert walk(v.trace) == [(W, "a0", "a0"), (W, "w1", "w1")]
    assert v.trace.steps[-1].state["ref"][1] == OFF + 1


def test_typesafe_reuse_without_the_vm_mm_recheck_read_locks_another_mms_vma():
    # -D RECHECK=0. The reader must take its reference after mm B reused the object (before
    # the free it holds mm A's VMA, and the writer would wait for it; between the free and
    # the reuse vm_refcnt is 0 and the increment fails). Shortest: reader[1] enters RCU and
    # passes the early check first (earliest-declared steps; vm_lock_seq -1 != 0); the
    # writer write-locks (a0, w1, the passing wait, w3, w4), detaches with no reader
    # (d1_last: 1 -> 0) and frees (d5): 10 steps; mm B allocates the freed object and makes
    # it its own (vm_mm B, vm_refcnt 1, vm_lock_seq -1): 2; the reader increments (1 -> 2),
    # loads vm_mm (B) and, with no re-check, re-checks only vm_lock_seq (-1 != 1) and holds
    # mm B's VMA read-locked. 17 steps.
    _, _, result = run("vma_lock_refcnt_reuse", {"RECHECK": 0})
    v = only_violation(result)
    assert (v.kind, v.property) == ("invariant", "same_mm")
    assert walk(v.trace) == [
        (R1, "rcu", "rcu"), (R1, "r0", "r0_ok"),
        (W, "a0", "a0"), (W, "w1", "w1"), *WAIT_PASSES, (W, "w3", "w3"), (W, "w4", "w4"),
        (W, "d1", "d1_last"), (W, "d5", "d5"),
        ("mmap_b", "b_alloc", "b_alloc"), ("mmap_b", "b_init", "b_init"),
        (R1, "r1", "r1_inc"), (R1, "r2", "r2"), (R1, "r2_test", "r3_ok"),
    ]
    last = v.trace.steps[-1].state
    assert last["vm_mm"][1] == 2 and last["in_cs"][1] is True and last["reader.mm"][1] == 2


# --------------------------------------------------------------------------- fixed variants


@pytest.mark.parametrize("name", ["vma_lock_refcnt", "vma_lock_refcnt_wake_always",
                                  "vma_assert_heuristic_soundness", "vma_lock_refcnt_reuse"])
def test_fixed_variants_hold_and_agree_with_the_reference_search(name):
    _, system, result = run(name)
    assert result.verdict == "ok" and result.violations == []
    assert result.reason.value == "done"
    assert result.stats.distinct_states == len(reachable(system))  # second engine
    assert [lv.name for lv in system.liveness] == ["writer_finishes"]  # checked too


@pytest.mark.parametrize("defines", [{"READERS": 3}, {"DETACH": 0}, {"WAKE_ALWAYS": 1}])
def test_the_documented_overrides_hold(defines):
    _, system, result = run("vma_lock_refcnt", defines)
    assert result.verdict == "ok" and result.violations == []
    if "READERS" not in defines:  # the reference BFS is slow on the 3-reader space
        assert result.stats.distinct_states == len(reachable(system))


def test_one_reader_without_detach_has_120_states():
    """-D READERS=1 -D DETACH=0, counted by hand (72 before the waits were the kernel's
    rcuwait_wait_event() and the reader ran under rcu_read_lock(): README, "State counts").

    A state is a reader state and a writer state; ref, mseq, vseq, excl, w_cs, has_ref,
    in_cs, rcu.nest and vma_writer_wait.task follow from them; the writer's task state and
    the reader's oldcnt (vma_refcount_put()'s local, 0 outside the proc) are written where
    they vary. Writer, by pc: A a0, B w1, C0 w2 (w->task = current), C1 w2.set (always
    TASK_RUNNING), C2 w2.test, C3 w2.sched, C4 w2.fin, D w3, E w4, F d1 (nodetach), G a9,
    H done; `u`/`r` = TASK_UNINTERRUPTIBLE/TASK_RUNNING. vm_lock_seq == mm_lock_seq exactly
    at E F G; the OFFSET is in at C0..E, so an increment fails there. With no reader
    reference the writer's test passes: A B C0 C1 C2u C4u D E F G H, "all 11". Reader: a rcu,
    b r0, c r0_unlock (after r0_locked), d r1, e r1_fail, f r3 (holds a ref), g bo (after
    r3_locked), h bo.wake, i bo_unlock, j unlock (after r3_ok), k cs, l put, m put.wake,
    z done.

      a   (not started: the writer runs alone)                        all 11          11
      b   (in RCU, r0 pending: as a)                                  all 11          11
      c   (r0_locked at E F G)                                        E F G H          4
      d   (r0_ok at A B C0 C1 C2u C4u D H, the writer goes on)        all 11          11
      e   (r1_fail at C0 C1 C2u C4u D E, then on)                     C0..C4u D..H     9
      f   (incremented at A B: the test fails, the writer sleeps;    A B C0 C1 C2u C3u
           or at F G H)                                               F G H            9
      g, h (oldcnt 2), i  (incremented at F G, r3_locked at F G)      F G H      3 x 3 = 9
      j, k, l (r3_ok: incremented at A B, or at F G H with r3 at H)  A B C0 C1 C2u C3u H
                                                                                3 x 7 = 21
      m   oldcnt 2: put at A B (or H), the writer goes on             all 11          11
          oldcnt OFFSET + 2: put at C0 C1 C2u C3u; asleep stays C3u  C0 C1 C2u C3u C4u
                                                                      D E F G H       10
      z   all 11, plus the wakeup of the put at m (oldcnt - 1 ==
          OFFSET + 1, is_vma_writer_only): C2u -> C2r, C3u -> C3r,
          C4u -> C4r (C2r's test passes to C4r; C3r returns to C1)    all 11 + 3      14
                                                                            total    120
    """
    _, system, result = run("vma_lock_refcnt", {"READERS": 1, "DETACH": 0})
    assert result.verdict == "ok" and result.violations == []
    assert result.stats.distinct_states == 120
    assert len(reachable(system)) == 120
