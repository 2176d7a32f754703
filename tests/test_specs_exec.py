"""specs/exec_nascent_mm: the nascent mm during execve (topic 0).

Every expected counterexample and state count below is derived by hand in
specs/exec_nascent_mm/README.md from the language's step semantics and the explicit engine's
documented search order (BFS; transitions in declaration order, so among the shortest
traces the earlier-declared thread moves first wherever that still leads to the violation;
an assertion is reported in the state from which the failing step would fire; a
self-deadlock as soon as the thread stands at the acquire; a lock-order cycle with one
witness per edge). Nothing was copied from the tool's output. State counts are also
cross-checked with the reference BFS of tests/test_ground.py.
"""
from __future__ import annotations


import pytest


from tests.speclib import SpecFolder, steps
from tests.test_ground import reachable

SPECS = {
    "exec_nascent_mm_flag": ("assertion", "stale bprm->vma"),
    "exec_nascent_mm_flag_late": ("invariant", "flag_covers_live"),
    "exec_nascent_mm_broad_lock_flat": ("deadlock", None),
    "exec_nascent_mm_lockdep_order": ("lock-order", None),
    "exec_nascent_mm_upstream": (None, None),
    "exec_nascent_mm_broad_nascent_subclass": (None, None),
}

LIB = SpecFolder("exec_nascent_mm", SPECS)
run = LIB.run
path = LIB.path


def test_the_folder_holds_exactly_the_named_variants():
    LIB.assert_holds_exactly_the_named_variants()


STALE_VMA = "setup_arg_pages() uses a stale bprm->vma"


def E(*labels: str) -> list[tuple[str, str]]:
    return [("execve", lab) for lab in labels]


def O(*labels: str) -> list[tuple[str, str]]:
    return [("remote", lab) for lab in labels]


# --------------------------------------------------------------------------- every file


@pytest.mark.parametrize("name", sorted(SPECS))
def test_loads_and_declares_its_expectation(name):
    LIB.assert_declares(name)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_meets_its_expectation(name):
    LIB.assert_judged_met(name)


# --------------------------------------------------------------------------- buggy variants


def test_flag_design_leaves_bprm_vma_stale():
    _, _, result = run("exec_nascent_mm_flag")
    assert [(v.kind, v.property) for v in result.violations] == [("assertion", STALE_VMA)]
    v = result.violations[0]
    assert steps(v.trace) == (
        E("e_alloc", "e_stk_lock", "e_stk_vma", "e_stk_unlock", "e_gup", "e_fault",
          "e_fault_done", "e_eul", "e_old_lock", "e_flag", "e_install", "e_old_unlock",
          "e_setup_new_exec")
        + O("o_wait", "o_access", "o_got", "o_lock", "o_split", "o_wunlock")
        + E("e_sap_lock"))
    last = v.trace.steps[-1].state
    assert last["execve.pc"] == "e_sap_use" and last["vma_ok"] is False
    assert last["new_st"] == "LIVE" and last["lock_required"] is True


def test_flag_set_after_the_install_exempts_a_live_mm():
    _, _, result = run("exec_nascent_mm_flag_late")
    assert [(v.kind, v.property) for v in result.violations] == [
        ("invariant", "flag_covers_live")]
    v = result.violations[0]
    assert steps(v.trace) == E("e_alloc", "e_stk_lock", "e_stk_vma", "e_stk_unlock", "e_gup",
                               "e_fault", "e_fault_done", "e_eul", "e_old_lock", "e_install")
    last = v.trace.steps[-1].state
    assert last["new_st"] == "LIVE" and last["lock_required"] is False


def test_broad_lock_self_deadlocks_in_binfmt_flat():
    _, _, result = run("exec_nascent_mm_broad_lock_flat")
    assert [v.kind for v in result.violations] == ["deadlock"]
    v = result.violations[0]
    assert "mmap_lock[NEW]" in v.property
    assert v.trace.steps[0].state["binfmt"] == "FLAT"
    assert steps(v.trace) == E("e_alloc", "e_nascent_lock", "e_stk_vma", "e_gup", "e_fault",
                               "e_fault_done", "e_eul", "e_old_lock", "e_install",
                               "e_old_unlock", "e_setup_new_exec")
    last = v.trace.steps[-1].state
    assert last["execve.pc"] == "e_flat_mmap"  # vm_mmap(): down_write of its own lock
    assert last["mmap_lock.owner"]["NEW"] == 0  # still held by execve (thread 0)


def test_broad_lock_without_patch_1_is_a_lockdep_splat_and_no_deadlock():
    _, system, result = run("exec_nascent_mm_lockdep_order")
    assert [v.kind for v in result.violations] == ["lock-order"]
    v = result.violations[0]
    assert v.message.endswith("mmap_lock/1 -> mmap_lock/0 -> mmap_lock/1")
    chain = [(c["from"], c["to"], c["thread"]) for c in v.details["chain"]]
    assert chain == [("mmap_lock/1", "mmap_lock/0", "execve"),
                     ("mmap_lock/0", "mmap_lock/1", "fork_elsewhere")]
    closing, first = v.details["witnesses"]
    assert steps(closing) == E("e_alloc", "e_nascent_lock", "e_stk_vma", "e_gup", "e_fault")
    assert steps(first) == [("fork_elsewhere", "f_parent"), ("fork_elsewhere", "f_child")]
    # No real deadlock: with lockdep off everything holds, over the same 28 x 5 states as
    # broad_nascent_subclass (README: 9 + 4 + 8 + 7 exec/remote tuples, 5 fork points).
    assert result.reason.value == "done" and result.stats.distinct_states == 140
    _, _, quiet = run("exec_nascent_mm_lockdep_order", lock_order=False)
    assert quiet.verdict == "ok" and quiet.stats.distinct_states == 140
    assert len(reachable(system)) == 140


def test_upstream_has_the_same_latent_bprm_vma_hazard():
    # -D MUTATOR=1: a VMA-mutating remote operation; ELF (the shorter path), exec first
    # through e_flat_mmap's ELF step, then the madvise, then setup_arg_pages.
    _, _, result = run("exec_nascent_mm_upstream", {"MUTATOR": 1})
    assert [(v.kind, v.property) for v in result.violations] == [("assertion", STALE_VMA)]
    v = result.violations[0]
    assert v.trace.steps[0].state["binfmt"] == "ELF"
    assert steps(v.trace) == (
        E("e_alloc", "e_stk_lock", "e_stk_vma", "e_stk_unlock", "e_gup_lock", "e_gup",
          "e_gup_unlock", "e_fault", "e_fault_done", "e_eul", "e_old_lock", "e_install",
          "e_old_unlock", "e_setup_new_exec", "e_flat_mmap")
        + O("o_wait", "o_access", "o_got", "o_lock", "o_split", "o_wunlock")
        + E("e_sap_lock"))


# --------------------------------------------------------------------------- fixed variants


@pytest.mark.parametrize("name,states", [
    ("exec_nascent_mm_upstream", 495),                # README: (47 + 52) x 5
    ("exec_nascent_mm_broad_nascent_subclass", 140),  # README: (9 + 4 + 8 + 7) x 5
])
def test_fixed_variant_holds_with_the_hand_counted_states(name, states):
    _, system, result = run(name)
    assert result.verdict == "ok" and result.violations == []
    assert result.stats.distinct_states == states
    assert len(reachable(system)) == states  # second engine: the reference BFS
