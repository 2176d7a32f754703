"""The explicit engine on specs written in .mms (the bench models and small lock specs)."""
from pathlib import Path

import pytest

from checker.explicit import check
from checker.options import CheckOptions
from mmspec.frontend import load_spec
from mmspec.ground import ground
from tests.irbuild import grid, rwsem

MODELS = Path(__file__).resolve().parent.parent / "bench" / "models"


@pytest.mark.parametrize("k,m", [(2, 3), (3, 4), (4, 2)])
def test_grid_mms_closed_form(k, m):
    r = check(ground(load_spec(str(MODELS / "grid.mms"), {"K": k, "M": m})))
    assert (r.verdict, r.stats.distinct_states, r.stats.depth) == ("ok", (m + 1) ** k, k * m)
    # every state but the top corner is expanded; counter i fires in the M^1 (M+1)^(K-1)
    # states where it is below M: K * M * (M+1)^(K-1) steps
    assert r.stats.action_counts == {"Inc": k * m * (m + 1) ** (k - 1)}


@pytest.mark.parametrize("n,k", [(2, 1), (3, 2), (4, 1)])
def test_rwsem_mms_closed_form_and_same_as_ir(n, k):
    r = check(ground(load_spec(str(MODELS / "rwsem.mms"), {"N": n, "K": k})))
    assert r.verdict == "ok"
    assert r.stats.distinct_states == (2 * (k + 1)) ** n + n * (k + 1) ** n
    ref = check(ground(rwsem(n, k)))
    assert (r.stats.distinct_states, r.stats.generated_states, r.stats.depth,
            r.stats.action_counts) == (ref.stats.distinct_states, ref.stats.generated_states,
                                       ref.stats.depth, ref.stats.action_counts)


def test_grid_mms_same_as_ir():
    a = check(ground(load_spec(str(MODELS / "grid.mms"), {"K": 3, "M": 3})))
    b = check(ground(grid(3, 3)))
    assert (a.stats.distinct_states, a.stats.generated_states, a.stats.depth) == (
        b.stats.distinct_states, b.stats.generated_states, b.stats.depth)


SYMLOCK = """
spec symlock
symmetric type Tid = 1..2
mutex A
mutex B
process p[i in Tid] {
    lock(A)
    lock(B)
    unlock(B)
    unlock(A)
}
process r {
    lock(B)
    lock(A)
    unlock(A)
    unlock(B)
}
"""


def test_symmetric_processes_deadlock_and_lock_order(tmp_path):
    path = tmp_path / "symlock.mms"
    path.write_text(SYMLOCK)
    system = ground(load_spec(str(path)))
    plain = check(system)
    sym = check(system, CheckOptions(symmetry=True))
    # states that differ only by swapping p[1] and p[2] collapse; the verdicts do not change
    assert sym.stats.extra["orbit_representatives"] < plain.stats.distinct_states
    for r in (plain, sym):
        assert [v.kind for v in r.violations] == ["deadlock", "lock-order"]
        dead, order = r.violations
        assert len(dead.trace) == 3 and dead.details["cycle"] in (["p[1]", "r"], ["p[2]", "r"])
        assert order.message == "possible circular locking dependency: B/0 -> A/0 -> B/0"
        assert [len(w) for w in order.details["witnesses"]] == [3, 3]
        assert order.trace.steps[-1].process == "r"


NESTED = """
spec nested
type Idx = 1..2
mutex M[Idx] class mlock
process t {
    lock(M[1])
    ACQUIRE
    unlock(M[2])
    unlock(M[1])
}
"""


def test_two_instances_of_one_class_nested(tmp_path):
    # lock(M[1]) then lock(M[2]): one class, subclass 0 both times -> lockdep's
    # "possible recursive locking"; the witness is the second acquire (3 states)
    path = tmp_path / "nested.mms"
    path.write_text(NESTED.replace("ACQUIRE", "lock(M[2])"))
    r = check(ground(load_spec(str(path))))
    (v,) = r.violations
    assert v.kind == "lock-order"
    assert v.message == "possible recursive locking detected: mlock/0 -> mlock/0"
    assert v.details["chain"] == [{"from": "mlock/0", "to": "mlock/0", "thread": "t",
                                   "trace_length": 3}]
    # with a lockdep subclass the second instance is a different key: no report
    path.write_text(NESTED.replace("ACQUIRE", "mutex_lock_nested(M[2], 1)"))
    r = check(ground(load_spec(str(path))))
    assert r.verdict == "ok" and r.stats.distinct_states == 5  # t at pc 0..4


RW = """
spec rw
rwsem L
mutex m
process a {
    down_read(L)
    lock(m)
    unlock(m)
    up_read(L)
}
process b {
    lock(m)
    down_write(L)
    up_write(L)
    unlock(m)
}
"""


def test_rwsem_reader_in_a_wait_for_cycle(tmp_path):
    path = tmp_path / "rw.mms"
    path.write_text(RW)
    r = check(ground(load_spec(str(path))))
    assert [v.kind for v in r.violations] == ["deadlock", "lock-order"]
    dead, order = r.violations
    # a: down_read(L) then b: lock(m): a waits for m held by b, b's down_write waits for the
    # reader a
    assert len(dead.trace) == 3
    assert dead.details["cycle"] == ["a", "b"]
    assert dead.details["waits"] == [
        {"thread": "a", "lock": "m", "mode": "write", "holders": ["b"]},
        {"thread": "b", "lock": "L", "mode": "write", "holders": ["a"]}]
    assert order.message == "possible circular locking dependency: m/0 -> L/0 -> m/0"
