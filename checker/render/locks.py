"""Who holds which lock in a decoded state, named the way the spec names threads.

Lock variables store thread ids (0..T-1, -1 for "free"); a reader of a trace wants
"mmap_lock: write-held by munmap". `LockInfo` says which variables encode each lock; for a
lock array each of them is a map over the instance index.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mmspec import ir

from checker.render.diff import fmt


@dataclass(frozen=True)
class LockState:
    name: str  # instance display name: "m" or "ML[2]"
    kind: str  # the lock's kind, shown as written in the spec
    writer: str | None  # owner / writer thread name, None when free
    readers: tuple[str, ...] = ()
    waiting: int | None = None  # queued writers (writer_pref rwsem)
    shared: bool = False  # the kind has a read mode: name the write mode too

    @property
    def free(self) -> bool:
        return self.writer is None and not self.readers

    def describe(self) -> str:
        """`held by t[1]`, `read-held by r[1], r[2]`, `free`; plus queued writers."""
        if self.writer is not None:
            s = ("write-held by " if self.shared else "held by ") + self.writer
        elif self.readers:
            s = "read-held by " + ", ".join(self.readers)
        else:
            s = "free"
        if self.waiting:
            s += f" ({self.waiting} writer{'s' if self.waiting != 1 else ''} queued)"
        return s

    def short(self) -> str:
        """A compact cell for timelines: `t[1]`, `R: r[1],r[2]`, `-`."""
        if self.writer is not None:
            return ("W: " if self.shared else "") + self.writer
        if self.readers:
            return "R: " + ", ".join(self.readers)
        return "-"


def thread_name(spec: ir.Spec, tid: Any) -> str:
    for t in spec.threads:
        if t.tid == tid:
            return t.name
    return f"thread {fmt(tid)}"


def owner_note(spec: ir.Spec, var: str, value: Any) -> str | None:
    """For a value of a lock-owner variable: "free" or the owning thread's name."""
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    for lk in spec.locks:
        if lk.owner_var == var:
            return "free" if value < 0 else thread_name(spec, value)
    return None


def _instances(lk: ir.LockInfo, state: dict[str, Any], var: str | None) -> dict[str, Any]:
    """Instance name -> this variable's value for that instance."""
    if var is None or var not in state:
        return {}
    v = state[var]
    if isinstance(v, dict):  # a lock array: one value per instance
        return {f"{lk.name}[{fmt(k)}]": x for k, x in v.items()}
    return {lk.name: v}


def lock_states(spec: ir.Spec, state: dict[str, Any]) -> list[LockState]:
    """Every lock instance of the spec in this state, in declaration order."""
    out: list[LockState] = []
    for lk in spec.locks:
        owners = _instances(lk, state, lk.owner_var)
        readers = _instances(lk, state, lk.readers_var)
        waiting = _instances(lk, state, lk.waiting_var)
        for name, owner in owners.items():
            writer = None
            if isinstance(owner, int) and not isinstance(owner, bool) and owner >= 0:
                writer = thread_name(spec, owner)
            rs = readers.get(name, frozenset())
            rnames = tuple(thread_name(spec, r) for r in sorted(rs)) if isinstance(
                rs, frozenset) else ()
            w = waiting.get(name)
            out.append(LockState(name, lk.kind, writer, rnames,
                                 w if isinstance(w, int) and not isinstance(w, bool) else None,
                                 lk.shared))
    return out
