"""The lock operations of the language: which lock kinds each accepts and what it does.

Semantics (docs/language.md, "Locks"): a mutex/spinlock has an owner thread id or -1; an
rwsem has a writer (owner) or -1, a set of reader thread ids and, with `writer_pref`, a count
of queued writers. Acquires block until the lock is free; re-acquiring a lock the thread
already holds is reported as a self-deadlock (a 'reach' check: it fires as soon as the thread
is at the step, blocked or not); releasing a lock the thread does not hold is an assertion
violation when the step fires.
"""
from __future__ import annotations

from dataclasses import dataclass

from mmspec.ir import LockMode


@dataclass(frozen=True)
class LockOp:
    action: str  # 'acquire' | 'release' | 'downgrade' | 'trylock' | 'queue' | 'acquire_queued'
    #            | 'annotate' (might_lock: a lock-order edge as if acquired, no state change)
    mode: LockMode
    kinds: frozenset[str]
    nested: bool = False


_MS = frozenset({"mutex", "spinlock"})
_M = frozenset({"mutex"})
_SP = frozenset({"spinlock"})
_RW = frozenset({"rwsem"})

OPS: dict[str, LockOp] = {
    "lock": LockOp("acquire", "write", _MS),
    "unlock": LockOp("release", "write", _MS),
    "mutex_lock": LockOp("acquire", "write", _M),
    "mutex_unlock": LockOp("release", "write", _M),
    "mutex_lock_nested": LockOp("acquire", "write", _M, nested=True),
    "mutex_trylock": LockOp("trylock", "write", _M),
    "spin_lock": LockOp("acquire", "write", _SP),
    "spin_unlock": LockOp("release", "write", _SP),
    "spin_lock_nested": LockOp("acquire", "write", _SP, nested=True),
    "spin_trylock": LockOp("trylock", "write", _SP),
    "down_read": LockOp("acquire", "read", _RW),
    "down_read_nested": LockOp("acquire", "read", _RW, nested=True),
    "up_read": LockOp("release", "read", _RW),
    "down_write": LockOp("acquire", "write", _RW),
    "down_write_nested": LockOp("acquire", "write", _RW, nested=True),
    "up_write": LockOp("release", "write", _RW),
    "downgrade_write": LockOp("downgrade", "write", _RW),
    "down_read_trylock": LockOp("trylock", "read", _RW),
    "down_write_trylock": LockOp("trylock", "write", _RW),
    # the kernel's names for the mm's trylocks (the other mm wrappers: prelude/kernel.mms)
    "mmap_read_trylock": LockOp("trylock", "read", _RW),
    "mmap_write_trylock": LockOp("trylock", "write", _RW),
    # lockdep's might_lock(): the order edges of an acquire, without taking the lock
    "might_lock": LockOp("annotate", "write", _MS | _RW),
    "might_lock_read": LockOp("annotate", "read", _RW),
    "might_lock_nested": LockOp("annotate", "write", _MS | _RW, nested=True),
    # internal: a writer-preferring down_write split in two steps (see mmspec/cfg.py)
    "__queue_write": LockOp("queue", "write", _RW),
    "__acquire_write": LockOp("acquire_queued", "write", _RW),
}

SPLIT_WRITES = frozenset({"down_write", "down_write_nested"})
MAX_THREADS = 64  # a thread id fits a lock owner slot and a reader-set bit
MAX_SUBCLASS = 7  # lockdep's MAX_LOCKDEP_SUBCLASSES - 1


def kinds_text(op: LockOp) -> str:
    """'a mutex', 'an rwsem', 'a mutex or spinlock'."""
    kinds = sorted(op.kinds)
    return ("an " if kinds[0] == "rwsem" else "a ") + " or ".join(kinds)
