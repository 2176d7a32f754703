"""IC3/PDR (--engine pdr): proofs with a printed invariant that k-induction accepts at k=1,
shortest counterexamples on buggy specs, and no disagreement with the reference BFS on
generated specs."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings

from checker.options import CheckOptions
from checker.result import ExitReason
from checker.symbolic import check_kind, check_pdr
from mmspec.ground import GroundError, ground
from tests import irbuild_symbolic as sb
from tests.test_symbolic_random import specs
from tests.test_symbolic_ref import assert_agrees, ref_bfs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = int(os.environ.get("MMSPEC_PDR_EXAMPLES", "25"))
# fixed library specs whose PDR proof takes about a second: the paste-back round trip
# (and their invariants need the kernel state's spellings, mmspec/kernelstate.py: IRQs and
# lockdep usage, RCU nesting and object lifetimes, the memory model's views)
FAST_FIXED = ["specs/fork_get_task_mm/fork_wrprotect_cmpxchg.mms",
              "specs/contexts/irq_lock_irqsave.mms",
              "specs/contexts/rcu_free_kfree_rcu.mms",
              "specs/lkmm/exec_flag_publish.mms"]
# buggy library specs with a safety violation a few steps deep
BUGGY = ["specs/fork_get_task_mm/fork_wrprotect_clear_bit.mms",
         "specs/fork_get_task_mm/fork_wrprotect_users1_fastpath.mms",
         "specs/fput/fput_sync_under_mmap_sem.mms",
         "specs/primitives/set_bit_plain_rmw.mms"]  # was vma_lock_seq_only: ~23 s of PDR
                                                  # since its rewrite on rcuwait/RCU (was ~5 s)


def _load(path: str):
    from mmspec.frontend import load_spec
    return ground(load_spec(os.path.join(ROOT, path)))


def _paste(tmp_path, path: str, lines: list[str]) -> str:
    text = open(os.path.join(ROOT, path), encoding="utf-8").read()
    folder = os.path.dirname(os.path.join(ROOT, path))
    for name in os.listdir(folder):  # the spec's includes (pte.mmsi) come along
        if name.endswith(".mmsi"):
            (tmp_path / name).write_text(open(os.path.join(folder, name), encoding="utf-8")
                                         .read(), encoding="utf-8")
    out = tmp_path / os.path.basename(path)
    out.write_text(text + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return str(out)


@pytest.mark.parametrize("path", FAST_FIXED)
def test_pdr_invariant_pasted_back_is_1_inductive(tmp_path, path):
    r = check_pdr(_load(path), CheckOptions(time_limit=120))
    assert r.reason == ExitReason.DONE and r.violations == []
    lines = r.stats.extra["invariant"]
    assert lines and all(ln.startswith("helper invariant pdr_") for ln in lines)
    from checker.render.text import stats_lines
    stats = stats_lines(r)[0]  # a solver counts no states: IC3's own figures instead
    assert stats.startswith("Stats (pdr): ") and "distinct" not in stats
    assert f"{r.stats.extra['ic3_lemmas']} lemmas" in stats and "frames" in stats
    assert r.stats.extra["ic3_lemmas"] == len(lines)  # one declaration per lemma
    # without the helpers the spec is not 1-inductive, with them it is
    bare = check_kind(_load(path), CheckOptions(depth=1))
    assert bare.reason == ExitReason.DEPTH_LIMIT and bare.stats.extra["proved"] is False
    from mmspec.frontend import load_spec
    pasted = ground(load_spec(_paste(tmp_path, path, lines)))
    k = check_kind(pasted, CheckOptions(depth=1))
    assert k.reason == ExitReason.DONE and k.stats.extra["proved"] is True
    assert k.stats.extra["k"] <= 1


# Two readers and a writer on a writer_pref rwsem: the inductive invariant must speak of the
# writer queue (a reader may not enter while the writer is queued), which `.mms` spells
# queued_writers(sem); every lemma prints, and pasted back they are 1-inductive.
WRITER_PREF = """spec wp
rwsem sem writer_pref
process r1 { down_read(sem); up_read(sem) }
process r2 { down_read(sem); up_read(sem) }
process w { down_write(sem); up_write(sem) }
invariant q_small: queued_writers(sem) <= 1
invariant excl: !(held_write(sem, w) && (held_read(sem, r1) || held_read(sem, r2)))
"""


def test_pdr_invariant_over_a_writer_queue_pastes_back(tmp_path):
    from mmspec.frontend import load_spec
    spec = tmp_path / "wp.mms"
    spec.write_text(WRITER_PREF, encoding="utf-8")
    r = check_pdr(ground(load_spec(str(spec))), CheckOptions(time_limit=120))
    assert r.reason == ExitReason.DONE and r.violations == []
    lines = r.stats.extra["invariant"]
    assert lines and all(ln.startswith("helper invariant pdr_") for ln in lines)
    assert any("queued_writers(sem)" in ln for ln in lines)
    spec.write_text(WRITER_PREF + "\n".join(lines) + "\n", encoding="utf-8")
    k = check_kind(ground(load_spec(str(spec))), CheckOptions(depth=1))
    assert k.reason == ExitReason.DONE and k.stats.extra["proved"] is True


# Two threads bump x through a proc local t (a lost update is impossible only because x
# tops out at 2 = two bumps): the invariant must speak of t, which `.mms` spells
# `p[i].bump.t`; pasted back it parses and is 1-inductive.
PROC_LOCAL = """spec procloc
var x: 0..3 = 0
proc bump() {
    var t: 0..3
  load: t := x
  store: x := t + 1
}
process p[i in 1..2] { c: bump() }
invariant small: x <= 2
"""


# A sleeper's task state (mmspec/waits.py) matters for a lost wake-up: the invariant speaks
# of it as `sleeper.task_state == TASK_UNINTERRUPTIBLE`, which reads back the same.
TASK_STATE = """spec ts
waitqueue wq
var ready: bool = false
process sleeper { w: wait_event(wq, ready) }
process waker { s: ready := true
                k: wake_up(wq) }
"""


# A queued task work (mmspec/taskwork.py): `work in p.task_works`, `p.task_work_exited`.
TASK_WORK = """spec tw
var done: bool = false
proc work() {
  w: done := true
}
process p {
  a: task_work_add(current, work)
  r: return_to_user()
}
invariant ran: p@done => done
"""


@pytest.mark.parametrize("text,spelt", [(PROC_LOCAL, "p[2].bump.t"),
                                        (TASK_STATE, "sleeper.task_state == TASK_"),
                                        (TASK_WORK, "work in p.task_works")])
def test_pdr_invariant_over_a_proc_local_pastes_back(tmp_path, text, spelt):
    from mmspec.frontend import load_spec
    spec = tmp_path / "procloc.mms"
    spec.write_text(text, encoding="utf-8")
    r = check_pdr(ground(load_spec(str(spec))), CheckOptions(time_limit=120))
    assert r.reason == ExitReason.DONE and r.violations == []
    lines = r.stats.extra["invariant"]
    assert any(spelt in ln for ln in lines), lines
    spec.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")
    k = check_kind(ground(load_spec(str(spec))), CheckOptions(depth=1))
    assert k.reason == ExitReason.DONE and k.stats.extra["proved"] is True


@pytest.mark.parametrize("path", BUGGY)
def test_pdr_counterexample_has_the_bfs_length(path):
    system = _load(path)
    ref = ref_bfs(system)
    assert ref.depth is not None
    r = check_pdr(system, CheckOptions(time_limit=120))
    assert r.reason == ExitReason.VIOLATION and r.stats.depth == ref.depth
    assert len(r.violations[0].trace) == ref.depth + 1
    assert_agrees(system, ref, r.violations[0])


def test_pdr_proves_deadlock_freedom_and_finds_deadlock():
    # abba (tests/irbuild_symbolic.py): two threads take two locks in opposite orders;
    # the reference BFS finds its deadlock, pdr must too, at the same depth
    system = ground(sb.abba())
    ref = ref_bfs(system)
    r = check_pdr(system, CheckOptions(lock_order=False))
    assert ref.depth is not None and r.reason == ExitReason.VIOLATION
    assert r.stats.depth == ref.depth and r.violations[0].kind == "deadlock"


def test_pdr_needs_no_helper_where_kind_does():
    # not_inductive(21): the unreachable odd chain 1, 3, ..., 21 makes k-induction need
    # k = 10 (irbuild_symbolic.not_inductive); PDR finds "x is even" by itself
    system = ground(sb.not_inductive(21))
    assert check_kind(system, CheckOptions(depth=3)).reason == ExitReason.DEPTH_LIMIT
    r = check_pdr(system, CheckOptions())
    assert r.reason == ExitReason.DONE and r.stats.extra["proved"] is True
    assert ref_bfs(system).depth is None


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(specs())
def test_pdr_agrees_with_reference_bfs(spec):
    try:
        system = ground(spec)
    except GroundError as e:  # a guard that fails in every state (e.g. 0 / 0): a spec error
        assert e.code in ("MMS303", "MMS320"), e
        return
    ref = ref_bfs(system)
    r = check_pdr(system, CheckOptions(time_limit=60))
    if ref.depth is None:
        assert r.violations == [] and r.reason == ExitReason.DONE
        assert r.stats.extra["proved"] is True
    else:
        assert r.reason == ExitReason.VIOLATION and r.stats.depth == ref.depth
        assert_agrees(system, ref, r.violations[0])


def test_cli_pdr_and_prove():
    path = "specs/fork_get_task_mm/fork_wrprotect_cmpxchg.mms"
    p = subprocess.run([sys.executable, "-m", "mmspec.cli", "check", path, "--engine", "pdr",
                        "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "proved for all depths by IC3/PDR" in p.stdout
    assert "helper invariant pdr_1:" in p.stdout
    # a solver counts no states: the stats show IC3's own figures, not "0 distinct states"
    assert "distinct states" not in p.stdout
    assert " frames, " in p.stdout and " lemmas, " in p.stdout, p.stdout
    p = subprocess.run([sys.executable, "-m", "mmspec.cli", "check", path, "--prove",
                        "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0 and "exhaustive for this configuration" in p.stdout
    p = subprocess.run([sys.executable, "-m", "mmspec.cli", "check", path, "--prove",
                        "--max-states", "3", "--quiet"], cwd=ROOT, capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0 and "inductive for all depths" in p.stdout, p.stdout


# Step `a` writes x (in the cone of `x == 2`) and y := y + z. From y = 3, z = 1 the update
# leaves y's range 0..3, and the step relation never takes such a step, so whether `a` is
# enabled depends on y and z too. A cone of only {x} leaves that undecided when IC3 lifts
# a predecessor of x == 2 (it happened on mlockall_upstream_no_inherit's lock-order
# queries); y and z must be in the cone and every lifting query decided.
LIFT_CONE = """spec lift_cone
var x: 0..2 = 0
var y: 0..3 = 0
var z: 0..1 = 0
process p {
a:  atomic { x := x + 1; y := y + z }
b:  atomic { x := x + 1; y := y + z }
}
process q { c: z := 1 }
"""


def test_ic3_cone_keeps_the_slots_that_enable_a_step(tmp_path):
    import z3
    from mmspec.frontend import load_spec
    from checker.symbolic.budget import SAT, Budget
    from checker.symbolic.encode import Encoding
    from checker.symbolic.ic3 import Ic3
    from checker.symbolic.pdr import cone_of_influence
    spec = tmp_path / "lift_cone.mms"
    spec.write_text(LIFT_CONE, encoding="utf-8")
    system = ground(load_spec(str(spec)))
    enc = Encoding(system, False, encoding="int", por=False)
    x = [k for k, s in enumerate(system.slots) if s.name == "x"][0]
    bad = enc.cur[x] == 2
    keep = cone_of_influence(enc, bad)
    assert {system.slots[k].name for k in keep} >= {"x", "y", "z"}
    ic3 = Ic3(enc, bad, keep, Budget(CheckOptions(time_limit=60)))
    assert ic3.run().status == SAT  # a, b: x = 2 after two steps
    assert ic3.undecided_lifts == 0 and z3.is_expr(bad)


# x counts two steps up from 0, so `x <= 5` holds, but not inductively: from x = 5 at `a`
# the next state has x = 6. IC3 blocks x = 6, 7 and their predecessors with lemmas over
# ranges of x (interval literals, printed `x >= v`); pasted back they make k = 1 enough.
COUNTER = """spec counter
var x: 0..7 = 0
process p {
a:  x := x + 1
b:  x := x + 1
}
invariant small: x <= 5
"""


def test_pdr_interval_lemmas_print_and_paste_back(tmp_path):
    from mmspec.frontend import load_spec
    spec = tmp_path / "counter.mms"
    spec.write_text(COUNTER, encoding="utf-8")
    assert check_kind(ground(load_spec(str(spec))), CheckOptions(depth=1)).reason == \
        ExitReason.DEPTH_LIMIT
    r = check_pdr(ground(load_spec(str(spec))), CheckOptions(time_limit=60))
    lines = r.stats.extra["invariant"]
    assert r.reason == ExitReason.DONE and any("x >= " in ln or "x <= " in ln for ln in lines)
    spec.write_text(COUNTER + "\n".join(lines) + "\n", encoding="utf-8")
    k = check_kind(ground(load_spec(str(spec))), CheckOptions(depth=1))
    assert k.reason == ExitReason.DONE and k.stats.extra["proved"] is True
