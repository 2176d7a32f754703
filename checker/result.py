"""What every engine returns, and what every renderer reads.

Engines differ in how they search; they agree on this shape, so the CLI, the renderers and the
conformance tests never care which engine ran. Traces carry decoded, structured states (not
packed slots) so renderers need nothing but the trace and the spec's source text.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Literal

from mmspec import ir
from mmspec.ground import GroundSystem, GTransition, decode_state


class ExitReason(str, enum.Enum):
    DONE = "done"  # search finished: every reachable state (or every depth up to K) checked
    VIOLATION = "violation"  # stopped at the first violation
    STATE_LIMIT = "state-limit"
    TIME_LIMIT = "time-limit"
    MEMORY_LIMIT = "memory-limit"
    DEPTH_LIMIT = "depth-limit"  # bmc/kind: reached --depth without a verdict for all depths
    UNKNOWN = "unknown"  # solver gave up
    INTERRUPTED = "interrupted"  # stopped on request (SIGINT/SIGTERM in the CLI)


@dataclass(frozen=True)
class TraceStep:
    """One state of a trace and the step that produced it (None for the initial state)."""

    state: dict[str, Any]
    action: str | None = None  # IR transition name
    label: str | None = None  # display: "reader[1]: cs" or "StartRead(i=1)"
    process: str | None = None  # thread display name ("reader[1]") or None for actions
    step: str | None = None  # the step label inside the process
    binding: tuple[tuple[str, Any], ...] = ()
    span: ir.Span | None = None


@dataclass(frozen=True)
class Trace:
    steps: tuple[TraceStep, ...]
    loop: int | None = None  # for lassos: index of the step the last step returns to

    def __len__(self) -> int:
        return len(self.steps)


ViolationKind = Literal["invariant", "assertion", "deadlock", "liveness", "lock-order", "range",
                        "domain", "refcount", "context", "use-after-free", "irq-lock"]


@dataclass(frozen=True)
class DomainDetails:
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


@dataclass(frozen=True)
class ContextDetails:
    """A `context` violation: `what` sleeping call, at step `action`, while `reason`
    (spinlock, rcu, preempt, irq, bh, hardirq, softirq; `lock` for a spinlock) made the
    thread's context atomic since `entered`."""

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


@dataclass(frozen=True)
class UseAfterFreeDetails:
    """A `use-after-free` violation: step `action` accessed (or freed again) `object`,
    which step `freed` had freed."""

    action: str
    object: str
    reason: str  # 'use-after-free' | 'double-free'
    freed: StepRef | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"action": self.action, "object": self.object,
                               "reason": self.reason}
        if self.freed is not None:
            out["freed"] = self.freed.as_dict()
        return out


@dataclass(frozen=True)
class IrqLockDetails:
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


@dataclass(frozen=True)
class Violation:
    """kind: a ViolationKind. `details` holds the kind's details as JSON data (for
    'domain', DomainDetails.as_dict())."""

    kind: str
    property: str  # invariant name, assertion message, "deadlock", liveness name, ...
    message: str
    trace: Trace
    span: ir.Span | None = None  # where the violated property or assertion is written
    details: dict[str, Any] = field(default_factory=dict)  # e.g. wait-for cycle, lock chain


@dataclass
class Stats:
    distinct_states: int = 0
    generated_states: int = 0
    depth: int = 0
    queue: int = 0
    seconds: float = 0.0
    peak_rss_mb: float | None = None
    action_counts: dict[str, int] = field(default_factory=dict)  # IR transition name -> fires
    extra: dict[str, Any] = field(default_factory=dict)  # engine specific (orbits, solver...)

    @property
    def never_fired(self) -> list[str]:
        return sorted(a for a, n in self.action_counts.items() if n == 0)


@dataclass
class CheckResult:
    spec: ir.Spec
    engine: str
    reason: ExitReason
    violations: list[Violation]
    stats: Stats
    notes: list[str] = field(default_factory=list)  # e.g. "fell back to explicit: ..."

    @property
    def verdict(self) -> str:
        """'violation' if anything was violated, else 'ok' when the search was complete."""
        if self.violations:
            return "violation"
        if self.reason == ExitReason.DONE:
            return "ok"
        return "incomplete"


def build_trace(system: GroundSystem, states: list[tuple[int, ...]],
                transitions: list[GTransition | None], loop: int | None = None) -> Trace:
    """A Trace from engine-level states and the ground transitions between them.

    `transitions[i]` produced `states[i]`; `transitions[0]` is None (initial state).
    """
    steps = []
    threads = system.spec.threads
    for st, tr in zip(states, transitions):
        if tr is None:
            steps.append(TraceStep(decode_state(system, st)))
            continue
        proc = threads[tr.thread].name if tr.thread is not None else None
        steps.append(TraceStep(decode_state(system, st), tr.name, tr.label, proc, tr.step,
                               tr.binding, tr.span))
    return Trace(tuple(steps), loop)
