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
(`r0_ok:` vs `r0_locked:`): that is the statement the step executed.

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


# --------------------------------------------------------------------------- every file


@pytest.mark.parametrize("name", sorted(SPECS))
def test_loads_and_declares_its_expectation(name):
    spec = load_spec(path(name))
    assert spec.name == name
    assert (spec.expect.kind, spec.expect.name) == SPECS[name]
    assert [i.name for i in spec.invariants] == ["excl_rw", "no_uaf", "ref_shape"]
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
    _, _, result = run("vma_lock_no_recheck")
    v = only_violation(result)
    assert (v.kind, v.property) == ("invariant", "excl_rw")
    assert walk(v.trace) == [
        (R1, "r0", "r0_ok"),
        (W, "a0", "a0"), (W, "w1", "w1"), (W, "w2", "w2"), (W, "w3", "w3"), (W, "w4", "w4"),
        (R1, "r1", "r1_inc"),
    ]
    last = v.trace.steps[-1].state
    assert last["in_cs"][1] is True and last["w_cs"] is True
    assert last["ref"] == 2 and last["vseq"] == last["mseq"] == 1


def test_seq_only_writer_does_not_wait_for_readers_inside():
    # reader[1] gets the read lock completely (r0, r1, r3 with vm_lock_seq still -1), then
    # the writer takes mmap_lock (a0) and publishes vm_lock_seq (w3) without excluding it.
    _, _, result = run("vma_lock_seq_only")
    v = only_violation(result)
    assert (v.kind, v.property) == ("invariant", "excl_rw")
    assert walk(v.trace) == [
        (R1, "r0", "r0_ok"), (R1, "r1", "r1_inc"), (R1, "r3", "r3_ok"),
        (W, "a0", "a0"), (W, "w3", "w3"),
    ]
    last = v.trace.steps[-1].state
    assert last["in_cs"][1] is True and last["w_cs"] is True and last["ref"] == 2


LOST_WAKEUP = [
    (R1, "r0", "r0_ok"),        # the spurious reader passes the early check (vm_lock_seq -1)
    (W, "a0", "a0"), (W, "w1", "w1"),
    (W, "w2", "w2"),            # vm_refcnt == OFFSET + 1: no reader, the wait loop exits
    (W, "w3", "w3"),            # vm_lock_seq = mm_lock_seq: write-locked from here
    (R2, "r0", "r0_locked"),    # the other reader sees it and falls back (it has to finish)
    (W, "w4", "w4"),            # -OFFSET: vm_refcnt 1
    (R1, "r1", "r1_inc"),       # vm_refcnt 1 -> 2
    (R1, "r3", "r3_locked"),    # the re-check sees the write lock: it will back off
    (W, "d1", "d1_busy"),       # vma_mark_detached(): 2 -> 1, not 0
    (W, "d2", "d2_add"),        # __vma_enter_locked(detaching): 1 -> OFFSET + 1
    (W, "d3", "d3_sleep"),      # vm_refcnt != OFFSET: sleep
    (R1, "put", "put"),         # OFFSET + 1 -> OFFSET ...
    (R1, "wake", "no_wake"),    # ... and OFFSET is not OFFSET + 1: no wakeup
]


def test_forgetting_the_detach_target_loses_the_wakeup():
    _, _, result = run("vma_detach_lost_wakeup")
    v = only_violation(result)
    assert v.kind == "deadlock"
    assert walk(v.trace) == LOST_WAKEUP
    last = v.trace.steps[-1].state
    assert last["writer.pc"] == "d3_wait" and last["wsleep"] is True
    assert last["reader.pc"] == {1: "done", 2: "done"}
    # n[1] is the put's oldcnt (__refcount_dec_and_test(&vm_refcnt, &oldcnt)): it found
    # OFFSET + 1 and left OFFSET
    assert last["ref"] == OFF and last["n"][1] == OFF + 1


def test_the_lost_wakeup_is_also_a_liveness_violation():
    # with deadlock reporting off, the same run is a fair behaviour in which the writer never
    # finishes: the same 14 then nothing can move (a stuttering lasso)
    _, _, result = run("vma_detach_lost_wakeup", deadlock=False)
    v = only_violation(result)
    assert (v.kind, v.property) == ("liveness", "writer_finishes")
    assert walk(v.trace) == LOST_WAKEUP
    assert v.trace.loop == len(v.trace) - 1


def test_no_recheck_after_wakeup_frees_a_referenced_vma():
    # two spurious readers; the first to back off leaves OFFSET + 1, which
    # is_vma_writer_only() reads as "attached writer, no readers": it wakes the detacher,
    # which takes the wakeup as a grant, subtracts OFFSET (vm_refcnt 1, WARN) and frees the
    # VMA while reader[2] still holds its increment. reader[1] puts before the writer goes to
    # sleep and wakes it after: the wakeup is a step of its own (rcuwait_wake_up()).
    _, _, result = run("vma_detach_no_recheck_uaf")
    v = only_violation(result)
    assert (v.kind, v.property) == ("invariant", "no_uaf")
    assert walk(v.trace) == [
        (R1, "r0", "r0_ok"), (R2, "r0", "r0_ok"),
        (W, "a0", "a0"), (W, "w1", "w1"), (W, "w2", "w2_ok"), (W, "w3", "w3"), (W, "w4", "w4"),
        (R1, "r1", "r1_inc"), (R2, "r1", "r1_inc"),     # vm_refcnt 1 -> 2 -> 3
        (R1, "r3", "r3_locked"),
        (W, "d1", "d1_busy"),                           # 3 -> 2
        (W, "d2", "d2_add"),                            # 2 -> OFFSET + 2
        (R1, "put", "put"),                             # -> OFFSET + 1
        (W, "d3", "d3_sleep"),
        (R1, "wake", "wake_up"),                        # the false positive
        (W, "d3_wait", "d3_wait"),                      # woken: no re-test
        (W, "d4", "d4"),                                # -OFFSET: 1, not 0 (WARN)
        (W, "d5", "d5"),                                # vm_area_free()
    ]
    last = v.trace.steps[-1].state
    assert last["freed"] is True and last["has_ref"] == {1: False, 2: True}
    # n[1]: the put's oldcnt, OFFSET + 2 (it left OFFSET + 1, the false positive's value)
    assert last["ref"] == 1 and last["warned"] is True and last["n"][1] == OFF + 2


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
        (R1, "r0", "r0_ok"),
        (W, "a0", "a0"), (W, "w1", "w1"), (W, "w2", "w2"), (W, "w3", "w3"), (W, "w4", "w4"),
        (R1, "r1", "r1_inc"),
    ]
    last = v.trace.steps[-1].state
    assert last["ref"] == 2 and last["w_cs"] is True
    assert last["has_ref"][1] is True and last["true_read"] == {1: False, 2: False}


def test_v6_17s_plain_refcount_test_also_passes_during_write_locking():
    # -D PRED=0, "refcnt > 1": a writer between __vma_enter_locked() and the end of the wait
    # leaves OFFSET + 1 with no reader at all; two writer steps suffice.
    _, _, result = run("vma_assert_heuristic_completeness", {"PRED": 0})
    v = only_violation(result)
    assert v.kind == "assertion" and v.details["action"] == "x_nonholder: chk"
    assert walk(v.trace) == [(W, "a0", "a0"), (W, "w1", "w1")]
    assert v.trace.steps[-1].state["ref"] == OFF + 1


# --------------------------------------------------------------------------- fixed variants


@pytest.mark.parametrize("name", ["vma_lock_refcnt", "vma_lock_refcnt_wake_always",
                                  "vma_assert_heuristic_soundness"])
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


def test_one_reader_without_detach_has_72_states():
    """-D READERS=1 -D DETACH=0, counted by hand.

    A state is a reader state and a writer state; ref, mseq, vseq, excl, w_cs, has_ref,
    in_cs and n follow from them. Writer (by pc): A a0, B w1, C w2 (wsleep false),
    C' w2_wait asleep, C'' w2_wait woken, D w3, E w4, F d1, G a9, H done; vm_lock_seq ==
    mm_lock_seq exactly at E, F, G; the OFFSET is in at C..E. Reader: a r0, b r1 (passed the
    early check), c0 done without a reference (r0_locked, or r1_fail), d r3 (holds a ref),
    e cs, f2 put after cs, f1 put after r3_locked, g_n wake with n, h_n done with n.

      a   (writer runs alone; at C the test sees OFFSET + 1 and exits)   A B C D E F G H    8
      b   (r0_ok at A B C D H, the writer then goes anywhere)            A B C D E F G H    8
      c0  (r0_locked at E F G, or r1_fail at C D E)                          C D E F G H    6
      d   (incremented at A B: the writer waits at C'; or at F G)   A B C C'       F G H    7
      e   (r3_ok: before the writer published, or after it is done) A B C C'           H    5
      f2  (as e)                                                    A B C C'           H    5
      f1  (r3_locked: incremented and re-checked at F G)                           F G H    3
      g_1 (put with no OFFSET in: at A B F G H)                     A B C D E F G H         8
      g_101 (put at C before the test, then the writer exits; or at C' asleep)
                                                                    C C' D E F G H          7
      h_1                                                           A B C D E F G H         8
      h_101 (the wakeup turns C' into C'')                          C C'' D E F G H         7
                                                                                   total   72
    """
    _, system, result = run("vma_lock_refcnt", {"READERS": 1, "DETACH": 0})
    assert result.verdict == "ok" and result.violations == []
    assert result.stats.distinct_states == 72
    assert len(reachable(system)) == 72
