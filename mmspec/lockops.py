"""The lock operations of the language (the merged view of the lock-kind table) and the
limits lock encodings share.

Semantics (docs/language.md, "Locks"; the table: mmspec/lockkinds.py): a lock has an owner
thread id or -1; a kind with a read mode (rwsem) also a set of reader thread ids and, with
`writer_pref`, a count of queued writers. Acquires block until the lock is free;
re-acquiring a lock the thread already holds is reported as a self-deadlock (a 'reach'
check: it fires as soon as the thread is at the step, blocked or not); releasing a lock the
thread does not hold is an assertion violation when the step fires.
"""
from __future__ import annotations

from mmspec.lockkinds import OPS as OPS
from mmspec.lockkinds import LockOp as LockOp
from mmspec.lockkinds import kinds_text as _kinds_text

MAX_THREADS = 64  # a thread id fits a lock owner slot and a reader-set bit
MAX_SUBCLASS = 7  # lockdep's MAX_LOCKDEP_SUBCLASSES - 1


def is_lock_op(name: str) -> bool:
    """A lock operation a spec may call (the internal `__` steps excluded)."""
    return name in OPS and not name.startswith("__")


def is_trylock(name: str) -> bool:
    """`ok := name(l)`: a lock operation that returns whether it got the lock."""
    op = OPS.get(name)
    return op is not None and op.action == "trylock"


def kinds_text(op: LockOp) -> str:
    """'a mutex', 'an rwsem', 'a mutex or spinlock': the kinds `op` accepts."""
    return _kinds_text(op.kinds)
