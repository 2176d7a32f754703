"""Typed details of a violation, one dataclass per kind; their JSON form is made only at the
output boundary.

`Violation.details` holds one of these classes (None when a violation has no details).
Renderers dispatch on the class. The JSON form, `as_dict()`, is what `--format json`, ITF
and SARIF write, byte for byte as before the classes existed; `typed_details(kind, data)`
reads it back (an ITF file, or a producer that still hands over the JSON form: the
`Violation` constructor parses it at once).

Each class is also a read-only `Mapping` over its JSON form (`d["cycle"]`, `d.get(...)`,
`d == {...}`), so code and tests written against the dict-shaped details keep reading them;
new code reads the fields.

`typed_details` reads untrusted input too (an ITF file written by another tool): a missing
or malformed field never raises. Input whose JSON form the kind's class would not
reproduce exactly is kept as `OtherDetails` (shown as "key: value" lines), so the JSON
written is always the JSON given.
"""
from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Union

if TYPE_CHECKING:  # checker.result imports this module
    from checker.result import Trace, Violation


def _str(x: Any) -> str | None:
    return None if x is None else str(x)


def _strs(x: Any) -> tuple[str, ...]:
    return tuple(str(y) for y in x) if isinstance(x, (list, tuple)) else ()


def _dicts(x: Any) -> list[Mapping[str, Any]]:
    return [y for y in x if isinstance(y, Mapping)] if isinstance(x, (list, tuple)) else []


class _JsonView(Mapping[str, Any]):
    """The read-only mapping view of a details class over its JSON form (`as_dict()`)."""

    def as_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    def __getitem__(self, key: str) -> Any:
        return self.as_dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.as_dict())

    def __len__(self) -> int:
        return len(self.as_dict())


@dataclass(frozen=True)
class WaitFor:
    """A thread blocked on a lock: who holds it and, for an rwsem with writer preference,
    the queued writers it waits behind (checker/waitfor.py)."""

    thread: str
    lock: str
    mode: str | None  # "read" / "write" for an rwsem
    holders: tuple[str, ...]
    queued: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"thread": self.thread, "lock": self.lock, "mode": self.mode,
                             "holders": list(self.holders)}
        if self.queued:
            d["queued"] = list(self.queued)
        return d


@dataclass(frozen=True)
class Stuck:
    """A thread whose next step waits on a condition nothing can make true."""

    thread: str
    step: str
    at: str | None  # "file:line" of the step
    sleeps_on: str | None = None  # asleep: "wait queue wq", "completion c" (mmspec/waits.py)

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"thread": self.thread, "step": self.step, "at": self.at}
        if self.sleeps_on is not None:
            d["sleeps_on"] = self.sleeps_on
        return d


@dataclass(frozen=True, eq=False)
class DeadlockDetails(_JsonView):
    """`deadlock`: the wait-for graph of the final state; `action` when the deadlock is a
    step's own check (a blocking step that would wait forever)."""

    waits: tuple[WaitFor, ...] = ()
    stuck: tuple[Stuck, ...] = ()
    cycle: tuple[str, ...] | None = None  # thread names, the cycle's first thread once
    action: str | None = None
    wait_for: bool = True  # whether the wait-for analysis ran (its keys are present)
    stuck_listed: bool = True  # whether "stuck" is among them (a hand-built report may omit it)

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {} if self.action is None else {"action": self.action}
        if self.wait_for:
            d.update({"waits": [w.as_dict() for w in self.waits],
                      "cycle": None if self.cycle is None else list(self.cycle)})
            if self.stuck_listed:
                d["stuck"] = [s.as_dict() for s in self.stuck]
        return d


@dataclass(frozen=True)
class ChainEdge:
    """One lockdep edge of a lock-order cycle: `thread` acquired `dst` holding `src`."""

    src: str  # "class/subclass"
    dst: str
    thread: str | None
    trace_length: int | None  # states in the witness (len(Trace)), people count steps

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.src, "to": self.dst, "thread": self.thread,
                "trace_length": self.trace_length}


@dataclass(frozen=True, eq=False)
class LockOrderDetails(_JsonView):
    """`lock-order`: the cycle, closing edge first, and each edge's witness trace (None
    where the source did not keep it: a JSON report drops traces)."""

    chain: tuple[ChainEdge, ...]
    witnesses: tuple[Trace | None, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"chain": [e.as_dict() for e in self.chain], "witnesses": list(self.witnesses)}


@dataclass(frozen=True, eq=False)
class RangeDetails(_JsonView):
    """`range`: step `action` would set `slot` to `value`, outside lo..hi."""

    action: str | None
    slot: str
    value: Any
    lo: Any
    hi: Any

    def as_dict(self) -> dict[str, Any]:
        return {"action": self.action, "slot": self.slot, "value": self.value,
                "lo": self.lo, "hi": self.hi}


@dataclass(frozen=True, eq=False)
class StepCheckDetails(_JsonView):
    """A failing in-step check (`assertion`, and the check kinds without details of their
    own): the step whose check failed, before it fires."""

    action: str | None

    def as_dict(self) -> dict[str, Any]:
        return {} if self.action is None else {"action": self.action}


@dataclass(frozen=True, eq=False)
class LivenessDetails(_JsonView):
    """`liveness`: the fairness assumed, whether the loop stutters, the state where the
    premise first holds (None where the engine does not say), and hints such as "fair strong
    would rule this out" (checker/fairness_hint.py)."""

    fairness: tuple[str, ...] | str | None
    stuttering: bool | None = None
    trigger: int | None = None
    hints: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"fairness": list(self.fairness)
                             if isinstance(self.fairness, tuple) else self.fairness,
                             "stuttering": self.stuttering}
        if self.trigger is not None:
            d["trigger"] = self.trigger
        if self.hints:
            d["hints"] = list(self.hints)
        return d


@dataclass(frozen=True, eq=False)
class DomainDetails(_JsonView):
    """A `domain` violation: evaluating `where` performed a partial operation (`what`: an
    index into a map, a divisor, a set element) on `value`, which lies outside `domain`
    (the map's keys, "non-zero", the element type). The violation's span is the operand's."""

    where: str  # a step's label ("Read(i=0)", "reader[1]: cs") or "invariant NAME"
    what: str
    value: int
    domain: str

    def as_dict(self) -> dict[str, Any]:
        return {"where": self.where, "what": self.what, "value": self.value,
                "domain": self.domain}


@dataclass(frozen=True)
class StepRef:
    """A step of a violation's own trace: its index, label and source location."""

    step: int
    label: str | None
    span: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"step": self.step, "label": self.label, "span": self.span}


@dataclass(frozen=True, eq=False)
class ContextDetails(_JsonView):
    """A `context` violation: `what` sleeping call, at step `action`, while `reason`
    (a spinning lock kind's name such as spinlock, or rcu, preempt, irq, bh, hardirq,
    softirq; `lock` names the lock for a lock kind) made the thread's context atomic since
    `entered`."""

    action: str
    what: str
    reason: str
    lock: str | None = None
    entered: StepRef | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"action": self.action, "what": self.what, "reason": self.reason}
        if self.lock is not None:
            out["lock"] = self.lock
        if self.entered is not None:
            out["entered"] = self.entered.as_dict()
        return out


@dataclass(frozen=True, eq=False)
class UseAfterFreeDetails(_JsonView):
    """A `use-after-free` violation: step `action` accessed (or freed again) `object`,
    which step `freed` had freed; or a `null-deref` one: it accessed a field of the NULL
    object (`object` is `P NULL`, no `freed`). The reasons are KASAN's bug types."""

    action: str
    object: str
    reason: str  # 'use-after-free' | 'double-free' | 'null-ptr-deref'
    freed: StepRef | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"action": self.action, "object": self.object,
                               "reason": self.reason}
        if self.freed is not None:
            out["freed"] = self.freed.as_dict()
        return out


@dataclass(frozen=True, eq=False)
class IrqLockDetails(_JsonView):
    """An `irq-lock` violation: lock class `lock` used both ways (`usage`, lockdep's
    "{A} -> {B}"); `first_usage` is the step that made usage A, `action` the one making B."""

    action: str
    lock: str
    usage: str
    first_usage: StepRef | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"action": self.action, "lock": self.lock, "usage": self.usage}
        if self.first_usage is not None:
            out["first_usage"] = self.first_usage.as_dict()
        return out


@dataclass(frozen=True, eq=False)
class OtherDetails(_JsonView):
    """Details of a kind with no class of its own (or not in its class's shape): shown as
    they are."""

    entries: tuple[tuple[str, Any], ...]
    shown: bool = True  # False: data of a kind with a class, not in its shape: not rendered

    def as_dict(self) -> dict[str, Any]:
        return dict(self.entries)


Details = Union[DeadlockDetails, LockOrderDetails, RangeDetails, StepCheckDetails,
                LivenessDetails, DomainDetails, ContextDetails, UseAfterFreeDetails,
                IrqLockDetails, OtherDetails]


def _deadlock(d: Mapping[str, Any]) -> DeadlockDetails:
    waits = tuple(WaitFor(str(w.get("thread")), str(w.get("lock")), _str(w.get("mode")),
                          _strs(w.get("holders")), _strs(w.get("queued")))
                  for w in _dicts(d.get("waits")))
    stuck = tuple(Stuck(str(w.get("thread")), str(w.get("step")), _str(w.get("at")) or None,
                        _str(w.get("sleeps_on")) or None)
                  for w in _dicts(d.get("stuck")))
    cycle = _strs(d.get("cycle")) or None
    return DeadlockDetails(waits, stuck, cycle, str(d["action"]) if "action" in d else None,
                           "waits" in d or "stuck" in d or "cycle" in d, "stuck" in d)


def _lock_order(d: Mapping[str, Any]) -> LockOrderDetails:
    chain = tuple(ChainEdge(str(e.get("from")), str(e.get("to")), _str(e.get("thread")),
                            e["trace_length"] if isinstance(e.get("trace_length"), int)
                            else None)
                  for e in _dicts(d.get("chain")))
    ws = d.get("witnesses")
    from checker.result import Trace

    witnesses = tuple(w if isinstance(w, Trace) else None
                      for w in (ws if isinstance(ws, (list, tuple)) else ()))
    return LockOrderDetails(chain, witnesses)


def _liveness(d: Mapping[str, Any]) -> LivenessDetails:
    fair = d.get("fairness")
    fairness = tuple(str(f) for f in fair) if isinstance(fair, (list, tuple)) else (
        str(fair) if fair else None)
    trigger = d.get("trigger")
    stut = d.get("stuttering")
    return LivenessDetails(fairness, stut if isinstance(stut, bool) else None,
                           trigger if isinstance(trigger, int) else None,
                           _strs(d.get("hints")))


def _range(d: Mapping[str, Any]) -> RangeDetails | None:
    if "slot" not in d:
        return None
    return RangeDetails(_str(d.get("action")), str(d.get("slot")), d.get("value"),
                        d.get("lo"), d.get("hi"))


def _step_check(d: Mapping[str, Any]) -> StepCheckDetails | None:
    return StepCheckDetails(str(d["action"])) if "action" in d else None


def _domain(d: Mapping[str, Any]) -> DomainDetails | None:
    if not all(k in d for k in ("where", "what", "value", "domain")):
        return None
    value = d["value"]
    return DomainDetails(str(d["where"]), str(d["what"]), value if isinstance(value, int)
                         else 0, str(d["domain"]))


def _step_ref(x: Any) -> StepRef | None:
    if not isinstance(x, Mapping) or not isinstance(x.get("step"), int):
        return None
    return StepRef(x["step"], _str(x.get("label")), _str(x.get("span")))


def _context(d: Mapping[str, Any]) -> ContextDetails | None:
    if not all(k in d for k in ("action", "what", "reason")):
        return None
    return ContextDetails(str(d["action"]), str(d["what"]), str(d["reason"]),
                          _str(d.get("lock")), _step_ref(d.get("entered")))


def _use_after_free(d: Mapping[str, Any]) -> UseAfterFreeDetails | None:
    if not all(k in d for k in ("action", "object", "reason")):
        return None
    return UseAfterFreeDetails(str(d["action"]), str(d["object"]), str(d["reason"]),
                               _step_ref(d.get("freed")))


def _irq_lock(d: Mapping[str, Any]) -> IrqLockDetails | None:
    if not all(k in d for k in ("action", "lock", "usage")):
        return None
    return IrqLockDetails(str(d["action"]), str(d["lock"]), str(d["usage"]),
                          _step_ref(d.get("first_usage")))


_READERS: dict[str, Callable[[Mapping[str, Any]], Details | None]] = {
    "deadlock": _deadlock, "lock-order": _lock_order, "range": _range,
    "assertion": _step_check, "liveness": _liveness, "domain": _domain,
    "context": _context, "use-after-free": _use_after_free, "irq-lock": _irq_lock,
    "null-deref": _use_after_free,
}


# Kinds whose details renderers show only in their class's shape (the others are shown as
# "key: value" lines whatever they hold, as they always were).
_NOT_SHOWN = frozenset({"deadlock", "lock-order", "range", "assertion", "liveness"})


def _shape(x: Any) -> Any:
    """A value as JSON would write it, keys in order (tuples are lists)."""
    if isinstance(x, Mapping):
        return [(str(k), _shape(v)) for k, v in x.items()]
    if isinstance(x, (list, tuple)):
        return [_shape(v) for v in x]
    return x


def typed_details(kind: str, data: Details | Mapping[str, Any] | Any) -> Details | None:
    """The details of a `kind` violation as its class, from the class itself or its JSON
    form; None for no details (an empty mapping, or not a mapping at all)."""
    if isinstance(data, _JsonView):
        return data  # type: ignore[return-value]  # every _JsonView subclass is in Details
    if not isinstance(data, Mapping) or not data:
        return None
    entries = tuple((str(k), x) for k, x in data.items())
    read = _READERS.get(kind)
    typed = read(data) if read is not None else None
    if typed is None:  # a kind without a class, or the class's keys are missing
        return OtherDetails(entries, shown=kind not in _NOT_SHOWN)
    if _shape(typed.as_dict()) != _shape(data):
        if os.environ.get("MMSPEC_DETAILS_STRICT"):  # development aid: a producer's shape
            raise ValueError(f"{kind} details not in their class's shape: {dict(data)!r}")
        return OtherDetails(entries, shown=False)
    return typed


def details_json(details: Details | None) -> dict[str, Any]:
    """The JSON form of a violation's details ({} for none): the output boundary."""
    return {} if details is None else details.as_dict()


def details_of(v: "Violation") -> Details | None:
    """The violation's details as its kind's dataclass (None when there are none)."""
    return v.details
