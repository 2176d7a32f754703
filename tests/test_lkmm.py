"""Issue 17: `option memory = lkmm`, the view-based weak-memory lowering (mmspec/lkmm.py).

The classic shapes below are checked against the results the Linux-kernel memory model
states for them (tools/memory-model/litmus-tests, the `Result:` line of each test), on the
explicit and vector engines, and through the differential harness (reference evaluator,
explicit, vector, bmc) so the engines agree on the lowered transitions."""
from __future__ import annotations

from pathlib import Path

import pytest

from checker.explicit import check
from checker.options import CheckOptions
from checker.report import judge
from mmspec.cli import _run_engine
from mmspec.diagnostics import SpecError
from mmspec.frontend import load_spec
from mmspec.ground import ground
from tests.differential import check_text

V2 = "var x: 0..2 = 0\nvar y: 0..2 = 0\n"
V3 = V2 + "var z: 0..2 = 0\n"
R = "var r0: 0..2 = 0; var r1: 0..2 = 0\n"


def shape(res: str, decls: str, procs: str, exists: str) -> str:
    """A litmus test: `exists` reached by finished threads is the invariant's violation;
    LKMM's Sometimes tests expect it."""
    return (f"option memory = lkmm\n{decls}{procs}\n"
            f"invariant no_exists: !({exists})\n" + ("expect invariant\n" if res == "S" else ""))


def p2(a: str, b: str) -> str:
    return f"process P0 {{ {R} {a} }}\nprocess P1 {{ {R} {b} }}\n"


DONE2 = "P0@done && P1@done"
# name (after the kernel's test it mirrors): (LKMM result, spec text)
SHAPES = {
    "SB+poonceonces": ("S", shape("S", V2, p2(
        "WRITE_ONCE(x, 1); r0 := READ_ONCE(y)", "WRITE_ONCE(y, 1); r0 := READ_ONCE(x)"),
        f"{DONE2} && P0.r0 == 0 && P1.r0 == 0")),
    "SB+fencembonceonces": ("N", shape("N", V2, p2(
        "WRITE_ONCE(x, 1); smp_mb(); r0 := READ_ONCE(y)",
        "WRITE_ONCE(y, 1); smp_mb(); r0 := READ_ONCE(x)"),
        f"{DONE2} && P0.r0 == 0 && P1.r0 == 0")),
    "LB+poonceonces": ("S", shape("S", V2, p2(
        "r0 := READ_ONCE(x); WRITE_ONCE(y, 1)", "r0 := READ_ONCE(y); WRITE_ONCE(x, 1)"),
        f"{DONE2} && P0.r0 == 1 && P1.r0 == 1")),
    "LB+poacquireonce+pooncerelease": ("N", shape("N", V2, p2(
        "r0 := smp_load_acquire(x); WRITE_ONCE(y, 1)",
        "r0 := READ_ONCE(y); smp_store_release(x, 1)"),
        f"{DONE2} && P0.r0 == 1 && P1.r0 == 1")),
    "LB+fencembonceonce+ctrlonceonce": ("N", shape("N", V2, p2(
        "r0 := READ_ONCE(x); smp_mb(); WRITE_ONCE(y, 1)",
        "r0 := READ_ONCE(y); if r0 == 1 { WRITE_ONCE(x, 1) }"),
        f"{DONE2} && P0.r0 == 1 && P1.r0 == 1")),
    "MP+poonceonces": ("S", shape("S", V2, p2(
        "WRITE_ONCE(x, 1); WRITE_ONCE(y, 1)", "r0 := READ_ONCE(y); r1 := READ_ONCE(x)"),
        f"{DONE2} && P1.r0 == 1 && P1.r1 == 0")),
    "MP+fencewmbonceonce+fencermbonceonce": ("N", shape("N", V2, p2(
        "WRITE_ONCE(x, 1); smp_wmb(); WRITE_ONCE(y, 1)",
        "r0 := READ_ONCE(y); smp_rmb(); r1 := READ_ONCE(x)"),
        f"{DONE2} && P1.r0 == 1 && P1.r1 == 0")),
    "MP+pooncerelease+poacquireonce": ("N", shape("N", V2, p2(
        "WRITE_ONCE(x, 1); smp_store_release(y, 1)",
        "r0 := smp_load_acquire(y); r1 := READ_ONCE(x)"),
        f"{DONE2} && P1.r0 == 1 && P1.r1 == 0")),
    "2+2W+poonceonces": ("S", shape("S", V2, p2(
        "WRITE_ONCE(x, 1); WRITE_ONCE(y, 2)", "WRITE_ONCE(y, 1); WRITE_ONCE(x, 2)"),
        f"{DONE2} && x == 1 && y == 1")),
    "S+fencewmbonceonce+poacquireonce": ("N", shape("N", V2, p2(
        "WRITE_ONCE(x, 2); smp_wmb(); WRITE_ONCE(y, 1)",
        "r0 := smp_load_acquire(y); WRITE_ONCE(x, 1)"),
        f"{DONE2} && x == 2 && P1.r0 == 1")),
    "IRIW+poonceonces+OnceOnce": ("S", shape("S", V2,
        "process P0 { WRITE_ONCE(x, 1) }\nprocess P2 { WRITE_ONCE(y, 1) }\n" + p2(
            "r0 := READ_ONCE(x); r1 := READ_ONCE(y)", "r0 := READ_ONCE(y); r1 := READ_ONCE(x)"
        ).replace("P0", "Q0").replace("P1", "Q1"),
        "Q0@done && Q1@done && Q0.r0 == 1 && Q0.r1 == 0 && Q1.r0 == 1 && Q1.r1 == 0")),
    "ISA2+pooncelock+pooncelock+pombonce": ("N", shape("N", V3 + "spinlock s\n",
        "process P0 { spin_lock(s); WRITE_ONCE(x, 1); WRITE_ONCE(y, 1); spin_unlock(s) }\n"
        f"process P1 {{ {R} spin_lock(s); r0 := READ_ONCE(y); WRITE_ONCE(z, 1); "
        "spin_unlock(s) }\n"
        f"process P2 {{ {R} r0 := READ_ONCE(z); smp_mb(); r1 := READ_ONCE(x) }}\n",
        "P1@done && P2@done && P1.r0 == 1 && P2.r0 == 1 && P2.r1 == 0")),
}


def load(tmp_path: Path, text: str, memory: str | None = None):
    p = tmp_path / "s.mms"
    p.write_text(text, encoding="utf-8")
    return load_spec(str(p), memory=memory)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_shape_agrees_with_lkmm(tmp_path: Path, name: str) -> None:
    res, text = SHAPES[name]
    system = ground(load(tmp_path, text))
    for engine in ("explicit", "vector"):
        result = _run_engine(engine, system, CheckOptions())
        assert result.engine == engine
        assert result.verdict == ("violation" if res == "S" else "ok"), (name, engine)
        assert judge(result).met


@pytest.mark.parametrize("name", ["SB+poonceonces", "LB+poonceonces", "MP+poonceonces",
                                  "MP+fencewmbonceonce+fencermbonceonce",
                                  "MP+pooncerelease+poacquireonce", "2+2W+poonceonces"])
def test_engines_agree_with_the_reference_on_lkmm(name: str) -> None:
    v = check_text(SHAPES[name][1], engines=("explicit", "vector", "bmc"), bmc_cap=8)
    assert v.skipped is None and v.ok, v.disagreements


def test_sb_state_counts_by_hand(tmp_path: Path) -> None:
    # SB: P0 = W x; R y and P1 = W y; R x. (a, b) = steps done by P0, P1.
    # sc: (0,0) (1,0) (0,1) (1,1) (2,0) (0,2) one state each; (2,1) and (1,2): the read came
    # before or after the other's write, 2 each; (2,2): r values (0,1) (1,0) (1,1): 3. = 13.
    # lkmm: the same, except (2,2): each read returned the initial write (view 0) or the new
    # one (view 1) independently, 4 (SB's outcome included); the write never drops history
    # because the other thread's view stays at the initial write until it reads. = 14.
    text = SHAPES["SB+poonceonces"][1]
    lk = check(ground(load(tmp_path, text)), CheckOptions(max_errors=10))
    sc = check(ground(load(tmp_path, text, "sc")), CheckOptions(max_errors=10))
    assert (lk.stats.distinct_states, sc.stats.distinct_states) == (14, 13)


def test_history_bound_is_reported_not_silently_cut(tmp_path: Path) -> None:
    # three writes of x the other thread can still all read: with 2 kept writes the third
    # append has nowhere to go, and the LIMITATION check says so instead of dropping it
    text = ("option memory = lkmm\noption memory_history = 2\nvar x: 0..3 = 0\n"
            "process W { WRITE_ONCE(x, 1); WRITE_ONCE(x, 2) }\n"
            "process R { var r: 0..3 = 0\n r := READ_ONCE(x) }\n")
    r = check(ground(load(tmp_path, text)), CheckOptions())
    assert r.verdict == "violation"
    assert "LIMITATION" in r.violations[0].property or \
        "LIMITATION" in str(r.violations[0].details) or \
        "memory_history" in r.violations[0].message


def test_action_cannot_write_a_location(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as e:
        load(tmp_path, "option memory = lkmm\nvar x: 0..1 = 0\naction A { x' = 1 }\n")
    assert e.value.diagnostics[0].code == "MMS315"


ARRAYS = """option memory = lkmm
var x: 0..2 = 0
var y: 0..2 = 0
spinlock s
process W[i in 1..2] { WRITE_ONCE(x, i); spin_lock(s); WRITE_ONCE(y, i); spin_unlock(s) }
process R { var a: 0..2 = 0; var b: 0..2 = 0
  spin_lock(s); a := READ_ONCE(y); spin_unlock(s); b := smp_load_acquire(x) }
invariant mp: R@done && R.a != 0 => R.b != 0
"""


def test_process_arrays_and_lock_views_agree_with_the_reference() -> None:
    # two instances write x: the default history keeps 1 + 2 writes; the reader that saw a
    # writer's y under the lock must then see some x write (the release carried it)
    v = check_text(ARRAYS, engines=("explicit", "vector", "bmc"), bmc_cap=6,
                   max_ref_states=20000)
    assert v.skipped is None and v.ok, v.disagreements
    assert v.ref is not None and v.ref.complete and v.ref.violation_depth is None


SYM = """option memory = lkmm
symmetric type Rd = 1..2
var x: 0..2 = 0
var y: 0..2 = 0
process W { WRITE_ONCE(x, 1); smp_wmb(); WRITE_ONCE(y, 1) }
process R[j in Rd] { var a: 0..2 = 0; var b: 0..2 = 0
  a := READ_ONCE(y); BARRIER b := READ_ONCE(x) }
invariant mp: forall j in Rd: (R[j]@done && R[j].a == 1) => R[j].b == 1
"""


@pytest.mark.parametrize("barrier, verdict", [("smp_rmb();", "ok"), ("", "violation")])
def test_symmetry_permutes_the_views_with_the_threads(tmp_path: Path, barrier: str,
                                                      verdict: str) -> None:
    # views are maps over thread ids typed @thread: --symmetry permutes them with the
    # readers, so the reduced search keeps the verdict and is smaller
    system = ground(load(tmp_path, SYM.replace("BARRIER", barrier)))
    full = check(system, CheckOptions(max_errors=10))
    reduced = check(system, CheckOptions(symmetry=True, max_errors=10))
    assert full.verdict == reduced.verdict == verdict
    assert reduced.stats.distinct_states < full.stats.distinct_states
