"""What every engine returns, and what every renderer reads.

Engines differ in how they search; they agree on this shape, so the CLI, the renderers and the
conformance tests never care which engine ran. Traces carry decoded, structured states (not
packed slots) so renderers need nothing but the trace and the spec's source text.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping, Union, get_args

from checker.details import Details, typed_details
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
                        "domain", "refcount", "context", "use-after-free", "irq-lock",
                        "null-deref"]
# A saved trace re-rendered without a verdict (`mmspec trace` of a trace that records no
# violation) is shown as a violation of this pseudo-kind (checker/render/itf.py).
TraceKind = Literal["trace"]
VIOLATION_KINDS: tuple[ViolationKind, ...] = get_args(ViolationKind)

# The engines of the registry (checker/engines.py; a test keeps the two equal), and the
# names a result carries besides: `mmspec simulate`'s random walks, a re-rendered trace.
EngineName = Literal["explicit", "vector", "bmc", "kind", "pdr"]
ResultSource = Union[EngineName, Literal["simulate", "trace"]]
RESULT_SOURCES: tuple[ResultSource, ...] = get_args(EngineName) + ("simulate", "trace")


def violation_kind(text: str) -> ViolationKind | None:
    """`text` as a violation kind, None when it names none (input read from a file)."""
    return next((k for k in VIOLATION_KINDS if k == text), None)


def result_source(text: str) -> ResultSource | None:
    """`text` as the engine (or other source) of a result, None when it names none."""
    return next((k for k in RESULT_SOURCES if k == text), None)


@dataclass(frozen=True, init=False)
class Violation:
    """One violated property with its trace. `details` is the kind's details class
    (checker/details.py) or None; the constructor also takes their JSON form (what an ITF
    file holds, and what some producers build) and parses it at once."""

    kind: ViolationKind | TraceKind
    property: str  # invariant name, assertion message, "deadlock", liveness name, ...
    message: str
    trace: Trace
    span: ir.Span | None = None  # where the violated property or assertion is written
    details: Details | None = None  # e.g. wait-for cycle, lock chain

    def __init__(self, kind: ViolationKind | TraceKind, property: str, message: str, trace: Trace,
                 span: ir.Span | None = None,
                 details: Details | Mapping[str, Any] | None = None) -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "property", property)
        object.__setattr__(self, "message", message)
        object.__setattr__(self, "trace", trace)
        object.__setattr__(self, "span", span)
        object.__setattr__(self, "details", typed_details(kind, details))


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
    engine: ResultSource
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
