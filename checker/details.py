"""Typed details of a violation, one dataclass per kind, and the one reader of their JSON form.

`Violation.details` is stored as JSON-shaped data (what `--format json`, ITF and SARIF write,
byte for byte as before), so engines, saved traces and other tools all produce the same
dicts. Renderers do not dig in those dicts: they call `details_of(violation)` and dispatch on
the dataclass it returns. Producers build the dicts with `as_dict()` of the same classes, so
the shape lives in one place.

`details_of` reads untrusted input too (an ITF file written by another tool): a missing or
malformed field becomes None or is left out, never an exception.

LIMITATION: the storage is still a dict; moving `Violation.details` itself to these classes
would touch every engine and the ITF reader at once while several violation kinds are being
added. Kinds without a class here (invariant, and new kinds until they add one) are read as
`OtherDetails`, shown as "key: value" lines.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Union

from checker.result import DomainDetails, Trace, Violation


def _str(x: Any) -> str | None:
    return None if x is None else str(x)


def _strs(x: Any) -> tuple[str, ...]:
    return tuple(str(y) for y in x) if isinstance(x, (list, tuple)) else ()


def _dicts(x: Any) -> list[Mapping[str, Any]]:
    return [y for y in x if isinstance(y, Mapping)] if isinstance(x, (list, tuple)) else []


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


@dataclass(frozen=True)
class DeadlockDetails:
    """`deadlock`: the wait-for graph of the final state; `action` when the deadlock is a
    step's own check (a blocking step that would wait forever)."""

    waits: tuple[WaitFor, ...] = ()
    stuck: tuple[Stuck, ...] = ()
    cycle: tuple[str, ...] | None = None  # thread names, the cycle's first thread once
    action: str | None = None
    wait_for: bool = True  # whether the wait-for analysis ran (its keys are present)

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {} if self.action is None else {"action": self.action}
        if self.wait_for:
            d.update({"waits": [w.as_dict() for w in self.waits],
                      "cycle": None if self.cycle is None else list(self.cycle),
                      "stuck": [s.as_dict() for s in self.stuck]})
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


@dataclass(frozen=True)
class LockOrderDetails:
    """`lock-order`: the cycle, closing edge first, and each edge's witness trace (None
    where the source did not keep it: a JSON report drops traces)."""

    chain: tuple[ChainEdge, ...]
    witnesses: tuple[Trace | None, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"chain": [e.as_dict() for e in self.chain], "witnesses": list(self.witnesses)}


@dataclass(frozen=True)
class RangeDetails:
    """`range`: step `action` would set `slot` to `value`, outside lo..hi."""

    action: str | None
    slot: str
    value: Any
    lo: Any
    hi: Any

    def as_dict(self) -> dict[str, Any]:
        return {"action": self.action, "slot": self.slot, "value": self.value,
                "lo": self.lo, "hi": self.hi}


@dataclass(frozen=True)
class StepCheckDetails:
    """A failing in-step check (`assertion`, and the check kinds without details of their
    own): the step whose check failed, before it fires."""

    action: str | None

    def as_dict(self) -> dict[str, Any]:
        return {} if self.action is None else {"action": self.action}


@dataclass(frozen=True)
class LivenessDetails:
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


@dataclass(frozen=True)
class OtherDetails:
    """Details of a kind with no class of its own: shown as they are."""

    items: tuple[tuple[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.items)


Details = Union[DeadlockDetails, LockOrderDetails, RangeDetails, StepCheckDetails,
                LivenessDetails, DomainDetails, OtherDetails, None]


def _deadlock(d: Mapping[str, Any]) -> DeadlockDetails:
    waits = tuple(WaitFor(str(w.get("thread")), str(w.get("lock")), _str(w.get("mode")),
                          _strs(w.get("holders")), _strs(w.get("queued")))
                  for w in _dicts(d.get("waits")))
    stuck = tuple(Stuck(str(w.get("thread")), str(w.get("step")), _str(w.get("at")) or None,
                        _str(w.get("sleeps_on")) or None)
                  for w in _dicts(d.get("stuck")))
    cycle = _strs(d.get("cycle")) or None
    return DeadlockDetails(waits, stuck, cycle, str(d["action"]) if "action" in d else None,
                           "waits" in d or "stuck" in d or "cycle" in d)


def _lock_order(d: Mapping[str, Any]) -> LockOrderDetails:
    chain = tuple(ChainEdge(str(e.get("from")), str(e.get("to")), _str(e.get("thread")),
                            e["trace_length"] if isinstance(e.get("trace_length"), int)
                            else None)
                  for e in _dicts(d.get("chain")))
    ws = d.get("witnesses")
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


def details_of(v: Violation) -> Details:
    """The violation's details as its kind's dataclass (None when there are none)."""
    d = v.details
    if not isinstance(d, Mapping):
        return None
    if v.kind == "deadlock":
        return _deadlock(d) if d else None
    if v.kind == "lock-order":
        return _lock_order(d) if d else None
    if v.kind == "range":
        if "slot" not in d:
            return None
        return RangeDetails(_str(d.get("action")), str(d.get("slot")), d.get("value"),
                            d.get("lo"), d.get("hi"))
    if v.kind == "assertion":
        return StepCheckDetails(str(d["action"])) if "action" in d else None
    if v.kind == "liveness":
        return _liveness(d)
    if not d:
        return None
    return OtherDetails(tuple((str(k), x) for k, x in d.items()))
