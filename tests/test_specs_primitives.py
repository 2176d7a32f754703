"""specs/primitives/: the kernel-API misuse pairs (issue 15 item 5). Verdicts on every engine,
the counterexamples step by step, and state counts derived by hand (derivations below)."""
from __future__ import annotations

from pathlib import Path

import pytest

from checker.options import CheckOptions
from mmspec.cli import _run_engine
from mmspec.frontend import load_spec
from mmspec.ground import ground
from tests.refeval import Model, bfs

DIR = Path(__file__).resolve().parent.parent / "specs" / "primitives"
ENGINES = ["explicit", "vector", "bmc"]


def _run(name: str, engine: str, defines: dict[str, int] | None = None):
    spec = load_spec(str(DIR / name), defines or {})
    return spec, _run_engine(engine, ground(spec), CheckOptions(depth=12))


def _steps(v) -> list[str]:
    """thread: step of every step (the label without the fused-statement note)."""
    return [f"{s.process}: {s.step}" for s in v.trace.steps[1:]]


@pytest.mark.parametrize("engine", ENGINES)
def test_refcount_inc_from_zero(engine: str) -> None:
    """The shortest path: the owner's put takes ref 1 -> 0 (last reference, on to free);
    the getter's refcount_inc() then adds on 0. One step, then the WARN."""
    _, res = _run("refcount_inc_from_zero.mms", engine)
    v = res.violations[0]
    assert v.kind == "refcount"
    assert v.message == "refcount_t: addition on 0; use-after-free."
    assert _steps(v) == ["owner: put"]
    assert v.trace.steps[-1].state["ref"] == 0


@pytest.mark.parametrize("engine", ENGINES)
def test_refcount_inc_not_zero(engine: str) -> None:
    """By hand, (ref, freed, owner, getter) from S0 = (1, F, put, get):
    S0 -> owner put (1 -> 0, last): S1 (0, F, free, get); getter get (1 -> 2): S2 (2, F, put,
    put2). S1 -> owner free: S3 (0, T, done, get); getter get fails at 0: S4 (0, F, free,
    done). S2 -> owner put (2 -> 1): S5 (1, F, done, put2); getter put2 (2 -> 1): S6 (1, F,
    put, done). S3 -> getter get fails: S7 (0, T, done, done). S4 -> owner free: S7.
    S5 -> getter put2 (1 -> 0, last): S8 (0, F, done, free2). S6 -> owner put (1 -> 0):
    (0, F, free, done) = S4. S8 -> getter free2: S7. Nine states, depth 3."""
    _, res = _run("refcount_inc_not_zero.mms", engine)
    assert not res.violations
    if engine != "bmc":
        assert (res.stats.distinct_states, res.stats.depth) == (9, 3)


@pytest.mark.parametrize("engine", ENGINES)
def test_try_cmpxchg_stale_new(engine: str) -> None:
    """By hand, the shortest lost increment (9 steps): inc[1] reads 0 and computes new = 1;
    inc[2] runs its whole increment (rd, calc, try: 0 -> 1, loop exit); inc[1]'s try fails
    and reloads old = 1; its retry swaps 1 for the stale new = 1 (succeeds, nothing added);
    the loop exits: both done with cnt = 1."""
    _, res = _run("try_cmpxchg_stale_new.mms", engine)
    v = res.violations[0]
    assert (v.kind, v.property) == ("invariant", "no_lost_increment")
    assert len(_steps(v)) == 9
    assert v.trace.steps[-1].state["cnt"] == 1


@pytest.mark.parametrize("name", ["try_cmpxchg_stale_new.mms", "try_cmpxchg_loop.mms"])
def test_try_cmpxchg_single_thread_counts(name: str) -> None:
    """N = 1, by hand: rd (old = 0), calc (new = 1), try (0 -> 1, ok), the loop's exit, done:
    five states in a line, depth 4, in both versions (with one thread nothing is stale)."""
    _, res = _run(name, "explicit", {"N": 1})
    assert not res.violations
    assert (res.stats.distinct_states, res.stats.depth) == (5, 4)


@pytest.mark.parametrize("engine", ENGINES)
def test_try_cmpxchg_loop_agrees_with_the_reference(engine: str) -> None:
    """N = 2: the reference evaluator (tests/refeval.py, no grounding) explores the same
    state space; every engine finds no violation, explicit and vector the same count."""
    spec, res = _run("try_cmpxchg_loop.mms", engine)
    assert not res.violations
    ref = bfs(Model(spec))
    assert ref.complete and not ref.found
    if engine != "bmc":
        assert res.stats.distinct_states == ref.distinct


@pytest.mark.parametrize("engine", ENGINES)
def test_set_bit_plain_rmw(engine: str) -> None:
    """By hand: locker loads flags = 0 into t; dirtier's set_bit makes flags 2 (DIRTY);
    locker stores t | 1 = 1: DIRTY is gone with dirtier done. Three steps.
    All reachable states, (dirtier, locker, t, flags): (s, ld, 0, 0), (done, ld, 0, 2),
    (s, st, 0, 0), (done, st, 2, 2), (done, done, 2, 3), (done, st, 0, 2),
    (done, done, 0, 1) [the violation], (s, done, 0, 1), (done, done, 0, 3): nine, the
    last level being the violation's, so the reference counts nine too."""
    spec, res = _run("set_bit_plain_rmw.mms", engine)
    v = res.violations[0]
    assert (v.kind, v.property) == ("invariant", "dirty_kept")
    assert _steps(v) == ["locker: ld", "dirtier: s", "locker: st"]
    assert v.trace.steps[-1].state["flags"] == 1
    ref = bfs(Model(spec), max_depth=10)
    assert ref.violation_depth == 3


@pytest.mark.parametrize("engine", ENGINES)
def test_set_bit_atomic(engine: str) -> None:
    """By hand: each thread is at s or done and flags is the OR of the bits set so far:
    (s, s, 0), (done, s, 2), (s, done, 1), (done, done, 3). Four states, depth 2."""
    _, res = _run("set_bit_atomic.mms", engine)
    assert not res.violations
    if engine != "bmc":
        assert (res.stats.distinct_states, res.stats.depth) == (4, 2)
