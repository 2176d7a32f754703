"""docs/architecture.md's "How to add a lock kind", followed once: the kernel's rwlock_t (a
reader-writer *spinlock*: read_lock/read_unlock, write_lock/write_unlock; readers share,
a writer excludes everyone, and a holder in either mode is in atomic context) is registered
as one `LockKindInfo` (step 1), declared in a spec by its word (step 2), and checked by
explicit, vector and bmc with no other change: state counts derived by hand, a deadlock's
wait-for report, a lock-order cycle, a sleeping-in-atomic report, and the text renderer
naming its holders. It is unregistered afterwards, so no other test sees it.

LIMITATION (of the toy, not of the table): the kernel's read_lock is recursive (a reader
may re-take it, lockdep's recursive-read class); here, as for an rwsem, a thread re-taking
a lock it holds is reported as a self-deadlock.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from checker.details import DeadlockDetails, LockOrderDetails
from checker.options import CheckOptions
from checker.render.text import render_result
from checker.result import CheckResult
from mmspec.cli import _run_engine
from mmspec.diagnostics import SpecError, render_diagnostics
from mmspec.frontend import load_spec
from mmspec.ground import ground
from mmspec.lockkinds import (KindOp, LockKindInfo, find_lock_kind, register_lock_kind,
                              unregister_lock_kind)
from mmspec.lockops import OPS

RWLOCK = LockKindInfo(
    "rwlock", "an", "a reader-writer spinlock (many readers or one writer, atomic context)",
    {"read_lock": KindOp("acquire", "read"), "read_unlock": KindOp("release", "read"),
     "write_lock": KindOp("acquire", "write"), "write_unlock": KindOp("release", "write")},
    "read_lock/read_unlock or write_lock/write_unlock", shared=True, sleeps=False)

ENGINES = ("explicit", "vector", "bmc")


@pytest.fixture
def rwlock() -> Iterator[None]:
    register_lock_kind(RWLOCK)
    try:
        yield
    finally:
        unregister_lock_kind("rwlock")
    assert find_lock_kind("rwlock") is None and "read_lock" not in OPS


def check(tmp_path: Path, text: str, engine: str) -> CheckResult:
    path = tmp_path / "toy.mms"
    path.write_text(text, encoding="utf-8")
    return _run_engine(engine, ground(load_spec(str(path))), CheckOptions(depth=12))


# Two readers and a writer. Each thread's pc is 0 (before its lock), 1 (holding it) or 2
# (done); the lock variables are functions of the pcs. The writer holds rw only when no
# reader does: of the 3*3*3 = 27 pc triples, those with the writer at 1 and a reader at 1
# are excluded, 1 * (9 - 4) = 5 of them: 22 states, all reachable (each reader alone).
# Were readers exclusive (a mutex), the 2 triples with both readers at 1 (writer at 0 or 2)
# would go too: 20.
SHARED = """spec rwlock_share
rwlock rw
process reader[i in 1..2] {
  read_lock(rw)
  read_unlock(rw)
}
process writer {
  write_lock(rw)
  write_unlock(rw)
}
invariant excl: !(held_write(rw, writer) && (held_read(rw, reader[1]) || held(rw, reader[2])))
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_readers_share_and_a_writer_excludes(rwlock: None, tmp_path: Path, engine: str) -> None:
    result = check(tmp_path, SHARED, engine)
    assert result.verdict == "ok" and not result.violations
    if engine != "bmc":
        assert result.stats.distinct_states == 22


# ABBA between the rwlock (read side) and a spinlock: the reader holds rw for read and
# wants s; the writer holds s and wants rw for write, which a reader blocks. Shortest
# deadlock: 2 steps (one acquire each), both threads blocked.
ABBA = """spec rwlock_abba
rwlock rw
spinlock s
option lockorder = false
process reader {
  read_lock(rw)
  spin_lock(s)
  spin_unlock(s)
  read_unlock(rw)
}
process writer {
  spin_lock(s)
  write_lock(rw)
  write_unlock(rw)
  spin_unlock(s)
}
expect deadlock
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_deadlock_names_the_rwlock_holder(rwlock: None, tmp_path: Path, engine: str) -> None:
    result = check(tmp_path, ABBA, engine)
    (v,) = result.violations
    assert v.kind == "deadlock" and len(v.trace.steps) == 3  # the initial state + 2 steps
    d = v.details
    assert isinstance(d, DeadlockDetails)
    waits = {(w.thread, w.lock, w.mode, tuple(w.holders)) for w in d.waits}
    assert waits == {("reader", "s", "write", ("writer",)),
                     ("writer", "rw", "write", ("reader",))}
    text = render_result(result)
    assert "writer waits for rw (write), held by reader" in text  # a mode: rw is shared
    assert "reader waits for s, held by writer" in text
    assert "rw (rwlock): read-held by reader" in text  # the locks at the failing state
    assert "s (spinlock): held by writer" in text


# With deadlock checking off every state is explored. Reader pcs 0..4 (before read_lock,
# spin_lock, spin_unlock, read_unlock; done): it reads rw at 1..3 and holds s at 2. Writer
# pcs 0..4 likewise: it holds s at 1..3 and writes rw at 2. The locks follow from the pcs.
# Excluded pairs: s held by both (reader 2, writer 1..3: 3 pairs), rw read- and write-held
# (reader 1..3, writer 2: 3 pairs), (2, 2) in both: 25 - 5 = 20. One of them is
# unreachable: (3, 3), the reader past s while the writer, past rw, still holds s (the
# reader took rw before the writer's write_lock, so it held rw until done, or after it,
# and then s was held). 19, the deadlock (1, 1) among them.
@pytest.mark.parametrize("engine", ("explicit", "vector"))
def test_every_abba_state_without_deadlock_checking(rwlock: None, tmp_path: Path,
                                                    engine: str) -> None:
    path = tmp_path / "toy.mms"
    path.write_text(ABBA.replace("expect deadlock", ""), encoding="utf-8")
    result = _run_engine(engine, ground(load_spec(str(path))), CheckOptions(deadlock=False))
    assert result.verdict == "ok" and result.stats.distinct_states == 19


# The same order inverted, but the writer starts only once the reader is done, so nothing
# deadlocks; lockdep's graph still gets rw/0 -> s/0 (reader) and then s/0 -> rw/0 (writer),
# which closes the cycle: reported with the closing edge first.
ORDER = """spec rwlock_order
rwlock rw
spinlock s
var done: bool = false
process reader {
  read_lock(rw)
  spin_lock(s)
  spin_unlock(s)
  read_unlock(rw)
  done := true
}
process writer {
  await done
  spin_lock(s)
  write_lock(rw)
  write_unlock(rw)
  spin_unlock(s)
}
expect lock-order
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_lock_order_cycle_through_the_rwlock(rwlock: None, tmp_path: Path,
                                               engine: str) -> None:
    result = check(tmp_path, ORDER, engine)
    (v,) = result.violations
    assert v.kind == "lock-order"
    assert v.message == "possible circular locking dependency: s/0 -> rw/0 -> s/0"
    d = v.details
    assert isinstance(d, LockOrderDetails)
    assert [(e.src, e.dst, e.thread) for e in d.chain] == [("s/0", "rw/0", "writer"),
                                                           ("rw/0", "s/0", "reader")]


# The table says an rwlock spins: a reader holding it is atomic, and a mutex (which sleeps)
# taken inside is lockdep's "sleeping function called from invalid context". Shortest: 1
# step (read_lock); the check fires when the reader reaches mutex_lock.
SLEEP = """spec rwlock_sleep
rwlock rw
mutex m
process reader {
  read_lock(rw)
  mutex_lock(m)
  mutex_unlock(m)
  read_unlock(rw)
}
expect context
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_sleeping_under_a_read_held_rwlock(rwlock: None, tmp_path: Path, engine: str) -> None:
    result = check(tmp_path, SLEEP, engine)
    (v,) = result.violations
    assert v.kind == "context" and len(v.trace.steps) == 2
    assert "with rwlock 'rw' held" in v.message


def test_the_kind_word_is_checked_against_the_registry(tmp_path: Path) -> None:
    """Unregistered, `rwlock rw` is an unknown kind: file:line:col, a caret, the kinds."""
    path = tmp_path / "toy.mms"
    path.write_text(SHARED, encoding="utf-8")
    with pytest.raises(SpecError) as e:
        load_spec(str(path))
    shown = render_diagnostics(e.value.diagnostics, e.value.sources)
    assert "toy.mms:2:1: error[MMS103]: unexpected name 'rwlock'" in shown
    assert "2 | rwlock rw\n     | ^^^^^^" in shown
    assert "expected: a lock kind (mutex, spinlock or rwsem)" in shown


def test_registered_kinds_reach_messages_and_reject_conflicts(rwlock: None) -> None:
    from mmspec.lockkinds import all_kinds_text
    assert all_kinds_text() == "a mutex, spinlock, rwsem or rwlock"
    with pytest.raises(ValueError):
        register_lock_kind(RWLOCK)  # twice
    clash = LockKindInfo("clash", "a", "x", {"read_lock": KindOp("acquire", "write")}, "x")
    with pytest.raises(ValueError):
        register_lock_kind(clash)  # read_lock already means a read acquire
    assert find_lock_kind("clash") is None
