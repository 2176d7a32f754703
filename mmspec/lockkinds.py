"""The lock-kind table: everything the checker derives from a lock's kind, in one place.

A kind (mutex, spinlock, rwsem, or one a test registers) is a `LockKindInfo`: the operations
it accepts, whether it has a shared (read) mode, whether acquiring it may sleep, whether a
writer can be preferred, and the words messages and the editor outline use for it. Every
stage reads the table instead of comparing kind names: the declaration syntax
(`mmspec/to_ast.py` validates the kind word), the lock operations (`OPS`, the merged
name -> `LockOp` view), lowering (`mmspec/lowervars.py` lays out the state variables from
`shared`/`writer_pref`, `mmspec/lowerstep.py` the acquire/release steps), typing
(`mmspec/lockcheck.py`), contexts (`sleeps`) and the editor outline (`summary`).

The engines and renderers (checker/) never see a kind name: what they need is in the lock
metadata the table puts into the IR (`ir.LockInfo.shared`: a reader set exists;
`ir.ContextInfo.atomic_locks`: the locks whose holders are atomic; the ground form's
`GLock.readers`), and checker/waitfor.py applies `blocks` to that shape, so a kind
registered at run time needs no checker change.

Semantics shared by every kind (docs/language.md, "Locks"): a lock has an owner (writer)
thread id or -1; a kind with a shared mode also has a set of reader thread ids; a
writer-preferring one a count of queued writers. Holder predicate: t holds l iff owner == t
or (shared) t is a reader. Blocking rule (`blocks`): a write acquire waits for the owner and
every reader; a read acquire waits for the owner only (and, writer_pref, for queued
writers). Lockdep: every kind's instances share the declared class (default the lock's
name); a `*_nested(l, n)` acquire takes subclass n; a trylock orders nothing.

LIMITATION: lockdep's recursive readers (rwlock_t's read_lock may be re-taken, and makes no
"strong" dependency) have no field here: every kind reports a re-acquire by a holder as a
self-deadlock and orders read acquires like write ones. LIMITATION: a kind registered at run
time is declared by a NAME; right after `expect KIND`, whose name is optional, that word is
read as the name (the built-in kinds are keywords).
"""
from __future__ import annotations

import re
from dataclasses import field
from typing import TYPE_CHECKING, Callable, Literal, Mapping

from mmspec import ir
from mmspec.ir import LockMode

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, cheaper to create (start-up time)
    from mmspec.nodeclass import dataclass

LockAction = Literal["acquire", "release", "downgrade", "trylock", "queue", "acquire_queued",
                     "annotate"]  # annotate: might_lock(), a lock-order edge, no state change


@dataclass(frozen=True)
class LockOp:
    """One lock operation (merged over the kinds that accept it, in `OPS`)."""

    action: LockAction
    mode: LockMode
    kinds: frozenset[str]
    nested: bool = False  # takes a lockdep subclass: op(l, n)


@dataclass(frozen=True)
class KindOp:
    """One operation as a kind's table row declares it (the kinds are filled in by OPS)."""

    action: LockAction
    mode: LockMode
    nested: bool = False


@dataclass(frozen=True)
class LockKindInfo:
    """One lock kind. `name` is the declaration word (`mutex m`)."""

    name: str
    article: Literal["a", "an"]  # for messages: "an rwsem", "a mutex"
    summary: str  # the editor outline: "a sleeping mutex (one owner)"
    ops: Mapping[str, KindOp]
    suggest: str  # the operations to name when another kind's is used on this one
    shared: bool = False  # a read mode: a reader set; readers share, a writer excludes all
    sleeps: bool = True  # acquiring may sleep (might_sleep checks); False: it spins, and
    #                      holding it (in any mode) makes the thread's context atomic and
    #                      its class gets lockdep's IRQ usage bits
    # writer_pref: the write acquires split into queue + acquire when a lock is declared
    # writer_pref (a count of queued writers that new readers defer to); empty: not allowed
    queued_writes: frozenset[str] = field(default_factory=frozenset)

    @property
    def writer_pref(self) -> bool:
        return bool(self.queued_writes)

    def text(self) -> str:
        """'a mutex', 'an rwsem'."""
        return f"{self.article} {self.name}"


def blocks(shared_held: bool, wanted: str) -> bool:
    """The blocking rule every kind follows: does a holder (a reader if `shared_held`, else
    the owner) block an acquire in mode `wanted` ("read" | "write")? Readers share with
    readers only."""
    return not (shared_held and wanted == "read")


def holds_any(owner_var: str, readers_var: str | None, index_type: ir.Type | None,
              t: ir.Expr, read: Callable[[str], ir.Expr]) -> ir.Expr:
    """The holder predicate as IR: thread t holds the lock (some instance of a lock array)
    in any mode: it is the owner, or (a kind with a read mode) one of the readers. `read`
    gives a lock variable's value where the predicate is evaluated."""
    def one(get: Callable[[str], ir.Expr]) -> ir.Expr:
        out: ir.Expr = ir.Binary("eq", get(owner_var), t)
        if readers_var is not None:
            out = ir.Binary("or", out, ir.Binary("in", t, get(readers_var)))
        return out
    if index_type is None:
        return one(read)
    k = ir.ParamRef("__k")
    return ir.Quant("exists", "__k", index_type, one(lambda v: ir.Index(read(v), k)))


# Operations every kind accepts: lockdep's might_lock() (the order edges of an acquire,
# without taking the lock); might_lock_read() on the kinds with a read mode.
_ANNOTATE = {"might_lock": KindOp("annotate", "write"),
             "might_lock_nested": KindOp("annotate", "write", nested=True)}
_ANNOTATE_READ = {"might_lock_read": KindOp("annotate", "read")}

_W: LockMode = "write"
_R: LockMode = "read"
BUILTIN: tuple[LockKindInfo, ...] = (
    LockKindInfo("mutex", "a", "a sleeping mutex (one owner)", {
        "lock": KindOp("acquire", _W), "unlock": KindOp("release", _W),
        "mutex_lock": KindOp("acquire", _W), "mutex_unlock": KindOp("release", _W),
        "mutex_lock_nested": KindOp("acquire", _W, nested=True),
        "mutex_trylock": KindOp("trylock", _W)},
        "lock/unlock (or mutex_lock/mutex_unlock)"),
    LockKindInfo("spinlock", "a", "a spinlock (one owner, atomic context)", {
        "lock": KindOp("acquire", _W), "unlock": KindOp("release", _W),
        "spin_lock": KindOp("acquire", _W), "spin_unlock": KindOp("release", _W),
        "spin_lock_nested": KindOp("acquire", _W, nested=True),
        "spin_trylock": KindOp("trylock", _W)},
        "spin_lock/spin_unlock (or lock/unlock)", sleeps=False),
    LockKindInfo("rwsem", "an", "a reader-writer semaphore (many readers or one writer)", {
        "down_read": KindOp("acquire", _R),
        "down_read_nested": KindOp("acquire", _R, nested=True),
        "up_read": KindOp("release", _R),
        "down_write": KindOp("acquire", _W),
        "down_write_nested": KindOp("acquire", _W, nested=True),
        "up_write": KindOp("release", _W),
        "downgrade_write": KindOp("downgrade", _W),
        "down_read_trylock": KindOp("trylock", _R),
        "down_write_trylock": KindOp("trylock", _W),
        # the kernel's names for the mm's trylocks (the other mm wrappers: prelude/kernel.mms)
        "mmap_read_trylock": KindOp("trylock", _R),
        "mmap_write_trylock": KindOp("trylock", _W),
        # internal: a writer-preferring down_write split in two steps (mmspec/cfgsteps.py)
        "__queue_write": KindOp("queue", _W),
        "__acquire_write": KindOp("acquire_queued", _W)},
        "down_read/up_read or down_write/up_write", shared=True,
        queued_writes=frozenset({"down_write", "down_write_nested"})),
)

_KINDS: dict[str, LockKindInfo] = {}
# name -> LockOp over every registered kind; rebuilt in place on (un)registration so that
# `from mmspec.lockops import OPS` stays current
OPS: dict[str, LockOp] = {}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _kind_ops(k: LockKindInfo) -> dict[str, KindOp]:
    return {**k.ops, **_ANNOTATE, **(_ANNOTATE_READ if k.shared else {})}


def _merged(kinds: list[LockKindInfo]) -> dict[str, LockOp]:
    """The OPS view of `kinds`; ValueError if two kinds give one name different meanings."""
    out: dict[str, LockOp] = {}
    for k in kinds:
        for name, op in _kind_ops(k).items():
            old = out.get(name)
            if old is not None and (old.action, old.mode, old.nested) != (
                    op.action, op.mode, op.nested):
                raise ValueError(f"lock operation '{name}' of {k.name} is already "
                                 f"{old.action}/{old.mode} for {', '.join(sorted(old.kinds))}")
            kinds_of = (old.kinds if old is not None else frozenset()) | {k.name}
            out[name] = LockOp(op.action, op.mode, kinds_of, op.nested)
    return out


def _rebuild(kinds: list[LockKindInfo]) -> None:
    merged = _merged(kinds)  # first, so a conflict leaves the registry as it was
    _KINDS.clear()
    _KINDS.update((k.name, k) for k in kinds)
    OPS.clear()
    OPS.update(merged)


def register_lock_kind(kind: LockKindInfo) -> None:
    """Make `kind` declarable (`NAME l`) and its operations usable, for every stage.

    ValueError for a name that is not an identifier or already registered, for
    queued_writes naming no write acquire of the kind, or an operation name another kind
    uses with a different meaning."""
    if not _NAME.match(kind.name):
        raise ValueError(f"lock kind name {kind.name!r} is not an identifier")
    if kind.name in _KINDS:
        raise ValueError(f"lock kind '{kind.name}' is already registered")
    for w in kind.queued_writes:
        op = kind.ops.get(w)
        if op is None or op.action != "acquire" or op.mode != "write":
            raise ValueError(f"queued write '{w}' is not a write acquire of {kind.name}")
    if kind.writer_pref and not {"__queue_write", "__acquire_write"} <= set(kind.ops):
        raise ValueError(f"a writer_pref kind needs the internal __queue_write and "
                         f"__acquire_write operations ({kind.name})")
    _rebuild([*_KINDS.values(), kind])


def unregister_lock_kind(name: str) -> None:
    """Undo `register_lock_kind` (tests); the built-in kinds cannot be removed."""
    if name in (k.name for k in BUILTIN):
        raise ValueError(f"'{name}' is a built-in lock kind")
    _rebuild([k for k in _KINDS.values() if k.name != name])


def lock_kind(name: str) -> LockKindInfo:
    """The registered kind called `name` (KeyError if none: callers validated the name)."""
    return _KINDS[name]


def find_lock_kind(name: str) -> LockKindInfo | None:
    return _KINDS.get(name)


def lock_kinds() -> tuple[LockKindInfo, ...]:
    """Every registered kind, built-ins first, in registration order."""
    return tuple(_KINDS.values())


def kinds_text(kinds: frozenset[str] | list[str], joiner: str = " or ") -> str:
    """'an rwsem', 'a mutex or spinlock' (sorted; the article of the first)."""
    names = sorted(kinds)
    return f"{lock_kind(names[0]).article} " + joiner.join(names)


def kind_list() -> str:
    """'mutex, spinlock or rwsem': every registered kind, in registration order."""
    names = [k.name for k in _KINDS.values()]
    return f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else names[0]


def all_kinds_text() -> str:
    """'a mutex, spinlock or rwsem'."""
    return f"{next(iter(_KINDS.values())).article} {kind_list()}"


def kinds_where(pred: Callable[[LockKindInfo], bool]) -> frozenset[str]:
    """The names of the registered kinds for which `pred` holds (for messages)."""
    return frozenset(k.name for k in _KINDS.values() if pred(k))


_rebuild(list(BUILTIN))
