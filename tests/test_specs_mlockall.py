"""specs/mlockall: mlockall() inheritance across fork/exec (MCL_INHERIT, MCL_RECURSIVE) (topic 3).

Every expected counterexample below is derived by hand in specs/mlockall/README.md from the
language's step semantics (every simple statement and every `atomic { }` is one step; a proc
call's steps are named `call.label`; a branch's test runs in the first step of the branch
taken) and the explicit engine's documented search order (checker/explicit/search.py):
breadth-first, each level's invariants first, transitions in declaration order, so the
trace is the shortest, and among the shortest the lexicographically first by declaration
index. Most scenarios are sequential (one task, then its child once fork() has returned),
so their shortest counterexample is the only one; the race (T1 and T2) is resolved by that
order. An in-step assertion is reported at the state where the failing step is enabled (the
step is in details["action"]). Nothing was copied from the tool's output.

The two fixed variants are counted by hand (the derivations are in the tests) and also
cross-checked against the reference BFS of tests/test_ground.py.
"""
from __future__ import annotations

import pathlib

import pytest

from mmspec.frontend import load_spec

from tests.speclib import SpecFolder, only_violation, steps, taken
from tests.test_ground import reachable

SPECS = {
    "mlockall_inherit_memcpy_leak": ("invariant", "no_extra_inheritance"),
    "mlockall_inherit_flat_exec": ("invariant", "no_lost_inheritance"),
    "mlockall_inherit_dontcopy_accounting": ("invariant", "accounting"),
    "mlockall_inherit_memcpy_race": ("invariant", "accounting"),
    "mlockall_inherit_no_clear": ("invariant", "no_extra_inheritance"),
    "mlockall_inherit_future_only": ("assertion", None),
    "mlockall_upstream_no_inherit": (None, None),
    "mlockall_inherit_corrected": (None, None),
}

LIB = SpecFolder("mlockall", SPECS)
run = LIB.run
path = LIB.path


def test_the_folder_holds_exactly_the_named_variants():
    LIB.assert_holds_exactly_the_named_variants()


PATCH = [n for n in SPECS if n.startswith("mlockall_inherit_") and n != "mlockall_inherit_corrected"]
ALL_INVARIANTS = ["accounting", "no_extra_inheritance", "no_lost_inheritance"]


def mlockall(thread: str, call: str = "ml") -> list[tuple[str, str]]:
    """sys_mlockall(): down_write, the flags step, mlock_fixup() on VA and VB, up_write."""
    return [(thread, f"{call}.{s}") for s in ("lock", "flags", "va", "vb", "unlock")]


def fork(thread: str, call: str = "fk") -> list[tuple[str, str]]:
    """The patch's fork(): memcpy, mm_init(), dup_mmap() (lock, reset, VA, VB, unlock)."""
    return [(thread, f"{call}.{s}") for s in
            ("copy", "init", "lock", "reset", "va", "vb", "unlock")]


# --------------------------------------------------------------------------- every file


@pytest.mark.parametrize("name", sorted(SPECS))
def test_loads_and_declares_its_expectation(name):
    spec = load_spec(path(name))
    assert spec.name == name
    assert (spec.expect.kind, spec.expect.name) == SPECS[name]
    names = [i.name for i in spec.invariants]
    if name == "mlockall_inherit_memcpy_race":
        assert names == ["accounting"]  # why: see the spec's header
    elif name == "mlockall_upstream_no_inherit":
        assert names == ALL_INVARIANTS + ["posix_no_inherit"]
    else:
        assert names == ALL_INVARIANTS


@pytest.mark.parametrize("name", sorted(SPECS))
def test_meets_its_expectation(name):
    LIB.assert_only_the_expected_violation(name)


def test_the_patch_variants_share_one_copy_of_the_kernel_code():
    """Only the scenario differs between the buggy variants: the patch code must not drift."""
    def kernel(name: str) -> str:
        text = pathlib.Path(path(name)).read_text()
        start = text.index("// ---- kernel code: 2.6.28-rc7-mmotm")
        return text[start:text.index("// ---- end of kernel code")]
    first = kernel(PATCH[0])
    assert all(kernel(n) == first for n in PATCH[1:])


# --------------------------------------------------------------------------- buggy variants


def test_plain_inherit_leaks_to_the_grandchild():
    # P: mlockall(CURRENT|FUTURE|INHERIT) (5 steps), fork -> C (7); C runs once fork has
    # returned (run) and forks G (7). C's memcpy'd mcl_inherit == MCL_INHERIT survives
    # mm_init() (it only copies when the new mm has MCL_RECURSIVE), so at G's birth
    # mm_init() gives G VM_LOCKED in def_flags and dup_mmap() keeps locked_vm and VM_LOCKED.
    _, _, result = run("mlockall_inherit_memcpy_leak")
    v = only_violation(result)
    assert (v.kind, v.property) == ("invariant", "no_extra_inheritance")
    assert steps(v.trace) == (mlockall("task_p") + fork("task_p")
                              + [("task_c", "run")] + fork("task_c"))
    last = v.trace.steps[-1].state
    assert last["mcl"]["C"] == "INH"                       # the leak, one generation down
    assert last["def_locked"]["G"] is True and last["exp_def"]["G"] is False
    assert last["vlocked"]["G"] == frozenset({"VA", "VB"}) and last["exp_locked"]["G"] == frozenset()
    assert last["locked_vm"]["G"] == 3                     # consistent: accounting holds


def test_recursive_is_lost_across_a_flat_exec():
    # P: mlockall(CURRENT|FUTURE|INHERIT|RECURSIVE); exec -> N: alloc (mm_alloc + mm_init:
    # def_flags inherited, mcl_inherit not, it tests the zeroed new mm), install
    # (exec_mmap), load (binfmt_flat: nothing); the program maps a segment (locked:
    # def_flags has VM_LOCKED) and forks G, which gets nothing. Only the FLAT initial state
    # leads there; with ELF, load_elf_binary() copies mcl_inherit.
    _, _, result = run("mlockall_inherit_flat_exec")
    v = only_violation(result)
    assert (v.kind, v.property) == ("invariant", "no_lost_inheritance")
    assert v.trace.steps[0].state["binfmt"] == "FLAT"
    assert steps(v.trace) == (mlockall("task_p") + [
        ("task_p", "ex.alloc"), ("task_p", "ex.install"), ("task_p", "ex.load"),
        ("task_p", "mm.seg")] + fork("task_p"))
    assert [taken(s) for s in v.trace.steps[8:9]] == ["flat"]
    last = v.trace.steps[-1].state
    assert last["mcl"]["N"] == "NONE" and last["def_locked"]["N"] is True
    assert last["vlocked"]["N"] == frozenset({"VA"}) and last["locked_vm"]["N"] == 2
    assert last["def_locked"]["G"] is False and last["exp_def"]["G"] is True
    assert last["vlocked"]["G"] == frozenset() and last["exp_locked"]["G"] == frozenset({"VA"})


def test_dontcopy_vma_leaves_locked_vm_overcounted():
    # VB (1 page) is VM_DONTCOPY. P: mlockall(CURRENT|INHERIT): locked_vm 3; fork -> C:
    # memcpy copies 3, the reset is skipped (mcl_inherit set), only VA (2 pages) is copied.
    _, _, result = run("mlockall_inherit_dontcopy_accounting")
    v = only_violation(result)
    assert (v.kind, v.property) == ("invariant", "accounting")
    assert steps(v.trace) == mlockall("task_p") + fork("task_p")
    last = v.trace.steps[-1].state
    assert last["locked_vm"]["C"] == 3 and last["vlocked"]["C"] == frozenset({"VA"})
    assert last["mapped"]["C"] == frozenset({"VA"})


def test_fork_memcpy_races_a_sibling_mlockall():
    # T1 (declared first) moves whenever that still leads to the violation: it locks, sets
    # mcl_inherit and locks VA (locked_vm 2); T2's memcpy must come now, before VB is locked
    # (after VB it would copy 3 and be right); T1 finishes; T2's dup_mmap() waits for it,
    # keeps the copied 2 (mcl_inherit set) and copies VA and VB locked.
    _, _, result = run("mlockall_inherit_memcpy_race")
    v = only_violation(result)
    assert (v.kind, v.property) == ("invariant", "accounting")
    t1, t2 = mlockall("t1"), fork("t2")
    assert steps(v.trace) == t1[:3] + t2[:1] + t1[3:] + t2[1:]
    last = v.trace.steps[-1].state
    assert last["mcl"]["C"] == "INH" and last["locked_vm"]["C"] == 2
    assert last["vlocked"]["C"] == frozenset({"VA", "VB"})


def test_mlockall_without_inherit_does_not_clear_recursive():
    # P: mlockall(CURRENT|FUTURE|INHERIT|RECURSIVE), fork -> C (C inherits everything);
    # C: mlockall(MCL_CURRENT), which by Lee's semantics ends the inheritance, but the patch
    # only assigns mcl_inherit when MCL_INHERIT is given; C forks G, which inherits C's locks.
    _, _, result = run("mlockall_inherit_no_clear")
    v = only_violation(result)
    assert (v.kind, v.property) == ("invariant", "no_extra_inheritance")
    assert steps(v.trace) == (mlockall("task_p") + fork("task_p") + [("task_c", "run")]
                              + mlockall("task_c") + fork("task_c"))
    last = v.trace.steps[-1].state
    assert last["mcl"]["C"] == "INH_REC" and last["imcl"]["C"] == "NONE"
    assert last["vlocked"]["G"] == frozenset({"VA", "VB"}) and last["exp_locked"]["G"] == frozenset()


def test_future_only_runs_the_vma_loop_and_munlocks():
    # P: mlockall(MCL_CURRENT) locks both VMAs; mlockall(MCL_FUTURE|MCL_INHERIT) is not
    # exactly MCL_FUTURE, so the 2.6.28 early-out is not taken and mlock_fixup() on VA
    # would clear VM_LOCKED: the assertion fires at the state where that step is enabled.
    _, _, result = run("mlockall_inherit_future_only")
    v = only_violation(result)
    assert v.kind == "assertion"
    assert v.property == "mlockall() without MCL_CURRENT changed an existing mlock"
    assert v.details["action"] == "task_p: ml2.va"
    assert steps(v.trace) == mlockall("task_p", "ml1") + mlockall("task_p", "ml2")[:2]
    last = v.trace.steps[-1].state
    assert last["vlocked"]["P"] == frozenset({"VA", "VB"}) and last["def_locked"]["P"] is True


# --------------------------------------------------------------------------- fixed variants


def test_upstream_holds_with_732_states():
    """Counted by hand. Per value of dontcopy_b (both give the same count):

    T1 (mlockall): 1 initial state + 3 flag choices x 5 (pcs flags, va, vb, unlock, done;
    it holds mmap_lock at the first four) = 16 states, P's data a function of them.
    T2 (fork P -> C): 7 pcs (copy, init, lock, va, vb, unlock, done); it holds mmap_lock at
    va, vb, unlock; at init C still holds what the memcpy copied (P's def_locked and
    locked_vm at the copy); mm_init() resets them. task_c waits until C is live; its 18
    states (run; the either; fork C -> G: 6; exec C -> N, segment, fork N -> G: 10) do not
    depend on T1.
      T2 at copy:           T1 any                                   16
      T2 at init:           T1 at s, copied at s' <= s: distinct copied (def, locked_vm):
                            initial 1; CUR|FUT 1+2+3+4+4; CUR 1+1+2+3+3; FUT 1+2+2+2+2   34
      T2 at lock:           T1 any                                   16
      T2 at va, vb, unlock: T1 not holding (initial or done x 3)  3 x 4 = 12
      T2 done:              T1 any, times task_c's 18           16 x 18 = 288
                                                                      366 -> x 2 = 732
    Every path to a state takes the same number of steps, so the depth is the longest run:
    5 (T1) + 6 (T2) + 11 (task_c: run, exec 3, segment, fork 6) = 22.
    """
    _, system, result = run("mlockall_upstream_no_inherit")
    assert result.verdict == "ok" and result.violations == []
    assert result.stats.distinct_states == 732 == len(reachable(system))
    assert result.stats.depth == 22


def test_corrected_design_holds_with_1854_states():
    """Counted by hand. Per value of dontcopy_b (both give the same count):

    T1: 16 states as upstream (flags CUR|FUT|INH, CUR|FUT|INH|REC, CUR|INH). T2: 8 pcs (copy,
    init, lock, inherit, va, vb, unlock, done), holding mmap_lock at inherit..unlock, so P
    is stable from inherit on: X, T1's state when T2 locked, is initial or done x 3, and C's
    data from then on is a function of X (4 distinct).
      T2 at copy:           T1 any                                   16
      T2 at init:           copied (def, mcl, locked_vm) distinct along each branch:
                            initial 1; each flag set 1+2+3+4+4 = 14, x 3              43
      T2 at lock:           T1 any                                   16
      T2 at inherit:        T1 = X                                    4
      T2 at va, vb, unlock: T1 = X                                3 x 4 = 12
      T2 done:              X = initial: T1 any (16); X = done_k: T1 = done_k (3),
                            times task_c's 44 states: run, the first either, keep (1 + 18)
                            or mlockall(C, CURRENT) (4 + 1 + 18), where 18 = the second
                            either's fork C -> G (7) or exec, segment, fork N -> G (11)
                                                                 19 x 44 = 836
                                                                      927 -> x 2 = 1854
    Depth: 5 (T1) + 7 (T2) + 17 (task_c: run, mlockall 5, exec 3, segment, fork 7) = 29.
    """
    _, system, result = run("mlockall_inherit_corrected")
    assert result.verdict == "ok" and result.violations == []
    assert result.stats.distinct_states == 1854 == len(reachable(system))
    assert result.stats.depth == 29
