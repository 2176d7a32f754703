"""specs/fput: the final fput() under mmap_sem, and deferring __fput() (topic 1).

Every expected counterexample below is derived by hand in specs/fput/README.md from the
language's step semantics and the engines' documented search order (explicit BFS with
transitions in declaration order: among the shortest traces, the earlier-declared thread
moves first wherever that still leads to the violation; a deadlock is reported in the state
where nobody can move, a self-deadlock as soon as the thread stands at the acquire; a
lock-order cycle does not stop the search, so an ABBA shows both; a liveness lasso is a
shortest prefix to the trigger, then a shortest path to the fair core, docs/liveness.md).
Nothing was copied from the tool's output. The fixed variant's state count is too large to
count by hand; it is cross-checked with the reference BFS of tests/test_ground.py.
"""
from __future__ import annotations


import pytest


from tests.speclib import SpecFolder, of_kind, steps
from tests.test_ground import reachable

SPECS = {
    "fput_sync_under_mmap_sem": ("deadlock", None),
    "fput_sync_read_writer_pref": ("deadlock", None),
    "fput_ima_predicate": ("deadlock", None),
    "fput_mm_side_only": ("deadlock", None),
    "fput_task_work_lost_on_exit": ("liveness", "f_freed"),
    "fput_task_work": (None, None),
}

LIB = SpecFolder("fput", SPECS)
run = LIB.run
path = LIB.path


def test_the_folder_holds_exactly_the_named_variants():
    LIB.assert_holds_exactly_the_named_variants()


ABBA_CYCLE = "mmap_sem/0 -> i_mutex/0 -> mmap_sem/0"


# --------------------------------------------------------------------------- every file


@pytest.mark.parametrize("name", sorted(SPECS))
def test_loads_and_declares_its_expectation(name):
    LIB.assert_declares(name)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_meets_its_expectation(name):
    LIB.assert_judged_met(name)


# --------------------------------------------------------------------------- buggy variants


def test_sync_fput_under_mmap_sem_is_an_abba_deadlock():
    _, _, result = run("fput_sync_under_mmap_sem")
    assert sorted(v.kind for v in result.violations) == ["deadlock", "lock-order"]
    (dead,) = of_kind(result, "deadlock")
    assert steps(dead.trace) == [
        ("closer", "c_put"),        # close(): f_ref 2 -> 1
        ("closer", "c_fput"),       # not the last reference: nothing to do
        ("write_path", "w_lock"),   # write(2): i_mutex
        ("munmap", "u_lock"),       # munmap: mmap_sem for write
        ("munmap", "u_put"),        # remove_vma() -> fput(): f_ref 1 -> 0
    ]
    last = dead.trace.steps[-1].state
    assert last["munmap.pc"] == "u_fput" and last["write_path.pc"] == "w_fault"
    assert last["f_ref"] == 0 and last["released"] is False
    assert sorted(dead.details["cycle"]) == ["munmap", "write_path"]
    # lockdep sees the same inversion; the cycle closes when munmap first takes i_mutex
    # under mmap_sem, which is three steps in (closer's put, munmap's lock and put).
    (order,) = of_kind(result, "lock-order")
    assert order.message.endswith(ABBA_CYCLE)
    munmap_edge, write_edge = order.details["witnesses"]
    assert steps(munmap_edge) == [("closer", "c_put"), ("munmap", "u_lock"),
                                  ("munmap", "u_put"), ("munmap", "u_fput")]
    assert steps(write_edge) == [("write_path", "w_lock"), ("write_path", "w_fault")]


def test_read_held_mmap_sem_deadlocks_through_a_queued_writer():
    _, _, result = run("fput_sync_read_writer_pref")
    assert sorted(v.kind for v in result.violations) == ["deadlock", "lock-order"]
    (dead,) = of_kind(result, "deadlock")
    assert steps(dead.trace) == [
        ("munmap", "u_lock"),           # queue for mmap_sem (write)
        ("munmap", "u_lock.acq"),       # acquire it
        ("munmap", "u_downgrade"),      # mmap_write_downgrade(): read-held from here
        ("munmap", "u_put"),            # the final fput(): __fput() inline needs i_mutex
        ("write_path", "w_lock"),       # write(2) holds i_mutex
        ("mmap_writer", "q_lock"),      # mmap(2) queues for the write lock
    ]
    last = dead.trace.steps[-1].state
    assert last["munmap.pc"] == "u_fput" and last["write_path.pc"] == "w_fault"
    assert last["mmap_writer.pc"] == "q_lock.acq"
    assert last["mmap_sem.owner"] == -1 and last["mmap_sem.readers"] == frozenset({0})
    # munmap waits for write_path (i_mutex), which waits behind the queued mmap_writer,
    # which waits for munmap's read lock
    cycle = dead.details["cycle"]
    k = cycle.index("munmap")
    assert cycle[k:] + cycle[:k] == ["munmap", "write_path", "mmap_writer"]
    (order,) = of_kind(result, "lock-order")
    assert order.message.endswith(ABBA_CYCLE)
    assert steps(order.details["witnesses"][0]) == [
        ("munmap", "u_lock"), ("munmap", "u_lock.acq"), ("munmap", "u_downgrade"),
        ("munmap", "u_put"), ("munmap", "u_fput")]


@pytest.mark.parametrize("name", ["fput_ima_predicate", "fput_mm_side_only"])
def test_al_viros_rtnl_caller_deadlocks_on_itself(name):
    _, _, result = run(name)
    assert [v.kind for v in result.violations] == ["deadlock"]
    v = result.violations[0]
    assert "rtnl" in v.property
    assert steps(v.trace) == [("rtnl_user", "n_lock"), ("rtnl_user", "n_put")]
    last = v.trace.steps[-1].state
    assert last["rtnl_user.pc"] == "n_fput" and last["g_ref"] == 0
    assert last["mmap_sem.owner"] == -1 and last["mmap_sem.readers"] == frozenset()
    assert v.details["cycle"] == ["rtnl_user"]


@pytest.mark.parametrize("name", ["fput_ima_predicate", "fput_mm_side_only"])
def test_without_al_viros_caller_each_design_fixes_the_munmap_abba(name):
    _, system, result = run(name, {"RTNL_USER": 0})
    assert result.verdict == "ok" and result.violations == []
    assert result.stats.distinct_states == len(reachable(system))


def test_dropping_the_exit_fallback_leaks_the_file():
    _, _, result = run("fput_task_work_lost_on_exit")
    # no safety property notices; only the liveness property does
    assert [(v.kind, v.property) for v in result.violations] == [("liveness", "f_freed")]
    v = result.violations[0]
    # prefix: the shortest way to a state where the fd's reference is dropped last, past
    # exit_task_work(): munmap's three steps (queue, acquire, put under the write lock),
    # then the closer's exit-path put; then the shortest way to the only fair core, the
    # final state, lex-first in declaration order (write_path first wherever it can move).
    assert steps(v.trace) == [
        ("munmap", "u_lock"), ("munmap", "u_lock.acq"), ("munmap", "u_unmap"),
        ("closer", "c_put"),
        ("write_path", "w_lock"), ("munmap", "u_unlock_w"),
        ("write_path", "w_fault"), ("write_path", "w_fault_done"), ("write_path", "w_unlock"),
        ("munmap", "u_fput"),
        ("mmap_writer", "q_lock"), ("mmap_writer", "q_lock.acq"), ("mmap_writer", "q_unlock"),
        ("rtnl_user", "n_lock"), ("rtnl_user", "n_put"), ("rtnl_user", "n_unlock"),
        # return_to_user(): take the queued fput_g (task_work_run's xchg), run its two
        # steps under rtnl_user, then find nothing pending (specs/fput/README.md)
        ("rtnl_user", "n_fput"), ("rtnl_user", "n_fput.fput_g.run.g_fput"),
        ("rtnl_user", "n_fput.fput_g.run.g_fput_done"), ("rtnl_user", "n_fput"),
    ]
    assert v.details["stuttering"] is True and v.details["trigger"] == 4
    assert v.trace.loop == len(v.trace) - 1
    trigger, last = v.trace.steps[4].state, v.trace.steps[-1].state
    assert trigger["f_ref"] == 0 and not trigger["closer.task_works"] and trigger["dl"] is False
    assert last["f_ref"] == 0 and last["released"] is False and last["g_released"] is True
    assert last["worker.pc"] == "k_idle"
    assert all(last[f"{t}.pc"] == "done" for t in
               ("closer", "write_path", "munmap", "mmap_writer", "rtnl_user"))


# --------------------------------------------------------------------------- fixed variant


def test_task_work_holds_everything():
    _, system, result = run("fput_task_work")
    assert result.verdict == "ok" and result.violations == []
    assert result.reason.value == "done"
    assert result.stats.distinct_states == len(reachable(system))  # second engine
    assert [lv.name for lv in system.liveness] == ["f_freed", "g_freed"]  # both checked
