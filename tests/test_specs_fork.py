"""specs/fork_get_task_mm: fork vs get_task_mm() and the mm_users == 1 fast path (topic 2).

Every expected counterexample and state count below is derived by hand in
specs/fork_get_task_mm/README.md, from the language's step semantics (one atomic step per
simple statement, branch tests merged into the first step of the branch, a step named after
the program point it starts from) and the explicit engine's documented order (BFS; at each
level, transitions in declaration order, so among the shortest traces the one in which the
earlier-declared thread moves first wherever that still leads to the violation). None of it
was copied from the tool's output. State counts are also cross-checked with the reference
BFS of tests/test_ground.py, which explores the ground system with the reference interpreter.
"""
from __future__ import annotations


import pytest

from mmspec.frontend import load_spec

from tests.speclib import SpecFolder
from tests.test_ground import reachable

SPECS = {
    "fork_wrprotect_users1_fastpath": ("invariant", "no_lost_dirty"),
    "fork_wrprotect_clear_bit": ("invariant", "no_shstk_pte"),
    "fork_wrprotect_handshake_with_mmgrab_hole": ("invariant", "no_lost_dirty"),
    "fork_wrprotect_check_outside_lock": ("invariant", "no_lost_dirty"),
    "fork_wrprotect_cmpxchg": (None, None),
    "fork_wrprotect_handshake": (None, None),
}

LIB = SpecFolder("fork_get_task_mm", SPECS)
run = LIB.run
path = LIB.path


def test_the_folder_holds_exactly_the_named_variants():
    LIB.assert_holds_exactly_the_named_variants()


# the PTE is the x86 word (specs/fork_get_task_mm/pte.mmsi): _PAGE_RW = 1 << 1,
# _PAGE_DIRTY = 1 << 6, _PAGE_SAVED_DIRTY = 1 << 58
RW, DIRTY, SAVED_DIRTY = 1 << 1, 1 << 6, 1 << 58
PTE_CLEAN = RW                    # (W, D, SD) = (1, 0, 0)
PTE_DIRTY = RW | DIRTY            # (1, 1, 0): the walker stored through it
PTE_NONE = 0                      # write-protected, Dirty lost
PTE_SHSTK = DIRTY                 # (0, 1, 0): what a shadow-stack CPU reads as shstk


def steps(violation) -> list[tuple[str | None, str | None]]:
    """(thread, step label) of every step of a trace, the initial state left out."""
    return [(s.process, s.step) for s in violation.trace.steps[1:]]


def the_violation(result, kind: str, prop: str):
    found = [v for v in result.violations if v.kind == kind and v.property == prop]
    assert found, [(v.kind, v.property) for v in result.violations]
    return found[0]


# --------------------------------------------------------------------------- every file


@pytest.mark.parametrize("name", sorted(SPECS))
def test_loads_and_declares_its_expectation(name):
    spec = load_spec(path(name))
    assert spec.name == name
    kind, prop = SPECS[name]
    assert (spec.expect.kind, spec.expect.name) == (kind, prop)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_meets_its_expectation(name):
    LIB.assert_judged_met(name)


# --------------------------------------------------------------------------- buggy variants


@pytest.mark.parametrize("both_one", [0, 1])
def test_users1_fastpath_is_daves_cpu1_cpu2_trace(both_one):
    # Linus's "mm_users == 1" (and, -D BOTH_ONE=1, "&& mm_count == 1"): get_task_mm() bumps
    # mm_users after fork looked, without touching mm_count, so both give the same trace.
    _, _, result = run("fork_wrprotect_users1_fastpath", {"BOTH_ONE": both_one})
    v = the_violation(result, "invariant", "no_lost_dirty")
    assert len(result.violations) == 1
    assert steps(v) == [
        ("fork", "f_lock"),          # dup_mmap(): mmap_write_lock(oldmm)
        ("fork", "f_decide"),        # mm_users == 1: fast, non-atomic path
        ("fork", "f_wrprotect"),     # plain load of the PTE: tmp = (1,0,0)
        ("kthread", "k_get"),        # get_task_mm(): mm_users 1 -> 2, too late for fork
        ("kthread", "k_use"),        # kthread_use_mm()
        ("kthread", "k_write"),      # the walker sets Dirty: (1,1,0)
        ("fork", "f_store"),         # plain store of wrprotect(tmp) = (0,0,0)
    ]
    st = [s.state for s in v.trace.steps]
    assert st[3]["fork.tmp"] == PTE_CLEAN and st[4]["users"] == 2 and st[4]["count"] == 1
    assert st[6]["pte"] == PTE_DIRTY and st[6]["written"]
    assert st[7]["pte"] == PTE_NONE and st[7]["written"]


def test_clear_bit_makes_a_shadow_stack_pte():
    _, _, result = run("fork_wrprotect_clear_bit")
    v = the_violation(result, "invariant", "no_shstk_pte")
    assert len(result.violations) == 1
    assert steps(v) == [
        ("fork", "f_lock"),
        ("kthread", "k_get"),
        ("kthread", "k_use"),
        ("kthread", "k_write"),      # (1,1,0)
        ("fork", "f_wp"),            # clear_bit(_PAGE_BIT_RW): (0,1,0)
    ]
    assert v.trace.steps[-1].state["pte"] == PTE_SHSTK


def test_clear_bit_on_a_pre_dirtied_pte_fails_with_fork_alone():
    _, _, result = run("fork_wrprotect_clear_bit", {"DIRTY0": 1})
    v = the_violation(result, "invariant", "no_shstk_pte")
    assert steps(v) == [("fork", "f_lock"), ("fork", "f_wp")]
    assert v.trace.steps[-1].state["pte"] == PTE_SHSTK


def test_handshake_with_an_unconverted_mmgrab_path():
    _, _, result = run("fork_wrprotect_handshake_with_mmgrab_hole")
    v = the_violation(result, "invariant", "no_lost_dirty")
    assert len(result.violations) == 1
    assert steps(v) == [
        ("fork", "f_lock"),
        ("fork", "f_decide"),        # users == 1 && count == 1: fast, marker set
        ("fork", "f_wrprotect"),     # plain load
        ("mmgrab_user", "g_grab"),   # task_lock + mmgrab(), marker ignored: count 2
        ("mmgrab_user", "g_get"),    # mmget_not_zero(): users 2
        ("mmgrab_user", "g_use"),
        ("mmgrab_user", "g_write"),  # (1,1,0)
        ("fork", "f_store"),         # (0,0,0)
    ]
    st = [s.state for s in v.trace.steps]
    assert st[2]["marker"] and st[2]["fork.fast"]
    assert st[4]["count"] == 2 and st[5]["users"] == 2
    assert st[8]["pte"] == PTE_NONE
    # the kthread honours the marker and never appears in the shortest trace
    assert st[8]["kthread.pc"] == st[0]["kthread.pc"]


def test_marker_checked_outside_task_lock():
    _, _, result = run("fork_wrprotect_check_outside_lock")
    v = the_violation(result, "invariant", "no_lost_dirty")
    assert len(result.violations) == 1
    assert steps(v) == [
        ("fork", "f_lock"),
        ("kthread", "k_peek"),       # marker still false
        ("fork", "f_decide"),        # users == 1: fast, marker set
        ("fork", "f_wrprotect"),     # plain load
        ("kthread", "k_get"),        # mmget() under task_lock on the stale peek
        ("kthread", "k_use"),
        ("kthread", "k_write"),
        ("fork", "f_store"),
    ]
    st = [s.state for s in v.trace.steps]
    assert st[2]["kthread.slow"] is False and st[3]["marker"] is True
    assert st[8]["pte"] == PTE_NONE


# --------------------------------------------------------------------------- fixed variants


@pytest.mark.parametrize("name,states", [
    # README: 5 + 5 + 7 + 7 + 6 + 6 + 8, by fork's point (f_lock, f_wp, f_loop before the
    # swap, f_try, f_loop after it, f_unlock, done); the failing try adds no state. The
    # kthread's points are k_get, k_use, k_write, k_fault (pf false after its store, or
    # true after the walker faulted), k_fault_done, done. Before the fault was split from
    # the walker's test (k_fault) it was 4 + 4 + 5 + 5 + 4 + 4 + 6 = 32, and before the
    # try_cmpxchg loop was separate steps (one collapsed RMW) 8 + 4 + 6 = 18.
    ("fork_wrprotect_cmpxchg", 44),
    # README: 7 + 55 + 12 + 10, by when k_get ran (was 7 + 40 + 11 + 8 = 66 before the
    # k_fault split, 52 with the loop collapsed); the atomic-path group is
    # 10 + 5 + 7 + 7 + 6 + 6 + 6 + 8 = 55.
    ("fork_wrprotect_handshake", 84),
])
def test_fixed_variant_holds_with_the_hand_counted_states(name, states):
    _, system, result = run(name)
    assert result.verdict == "ok" and result.violations == []
    assert result.stats.distinct_states == states
    assert len(reachable(system)) == states  # second engine: the reference BFS
