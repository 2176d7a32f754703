"""What a spec may cost before the search starts: time, memory and expansion size.

`--time-limit`, `--memory-limit` and `--max-states` used to apply only once an engine was
searching, so a hostile or unlucky spec could spend minutes (or gigabytes) being parsed,
expanded or grounded first. The CLI now builds one `Budget` from the options and hands it to
the front-end (`frontend.load_spec`) and to `ground.ground`; they install it with `active()` for
the duration and the loops that can grow call `tick()`. Past the deadline or the memory cap,
`tick()` raises `BudgetExceeded`, which names the phase it was in; the CLI reports it as an
incomplete run (exit 3): "stopped in phase grounding after 5.0 s (time limit)".

Why a module-level "current budget" and not a parameter on every function: the loops that grow
sit deep inside the elaborator and the grounder (def expansion, quantifier and map expansion),
and threading an argument through every recursive call would touch most of the front-end for
one counter. `active()` keeps the scope explicit and nests.

Size budgets (`MAX_DEF_EXPANSION`, `MAX_GROUND_EXPANSION`) are not limits of the run but of the spec: past them the
front-end reports a located error (MMS405), so they apply with or without a Budget.
"""
from __future__ import annotations

import os
import resource
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import field
from typing import TYPE_CHECKING, Iterator, Literal

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, cheaper to create (start-up time)
    from mmspec.nodeclass import dataclass

Phase = Literal["parsing", "expansion", "grounding", "codegen", "search"]
Limit = Literal["time-limit", "memory-limit", "state-limit"]

# Nodes one def use may expand to (MMS405; elaborating a node costs 20-50 µs, so this is
# under a second, and the library needs at most 19), and ground terms one quantifier, set
# comprehension or map literal may expand to (estimated before expanding it).
MAX_DEF_EXPANSION = 10_000
MAX_GROUND_EXPANSION = 1_000_000

WATCHDOG_GRACE = 1.0  # seconds past the time limit before the watchdog stops an engine
WATCHDOG_MEMORY = 1.25  # ... and the factor over the memory cap
_CLOCK_EVERY = 256  # ticks between clock readings (a tick is a few hundred ns of work or more)
_RSS_EVERY = 16  # clock readings between RSS readings (reading /proc costs ~10 µs)


class BudgetExceeded(Exception):
    """A limit ran out before the search started (or between phases)."""

    def __init__(self, phase: Phase, limit: Limit, seconds: float, detail: str = ""):
        self.phase = phase
        self.limit = limit
        self.seconds = seconds
        self.detail = detail
        what = {"time-limit": "time limit", "memory-limit": "memory limit",
                "state-limit": "state limit"}[limit]
        super().__init__(f"stopped in phase {phase} after {seconds:.1f} s ({what}"
                         + (f": {detail}" if detail else "") + ")")

    def to_json(self, path: str, defines: dict[str, int]) -> dict[str, object]:
        """The `--format json` object of a run stopped before its search (exit 3)."""
        return {"spec": path, "result": "incomplete", "exit_code": 3,
                "defines": dict(defines), "reason": self.limit, "phase": self.phase,
                "seconds": round(self.seconds, 3), "message": str(self)}


def rss_mb() -> float:
    """Resident memory of this process in MB (current, not peak)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:  # pragma: no cover - not Linux
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Budget:
    """Limits shared by every phase of one spec run; `start` is when the run began."""

    time_limit: float | None = None  # seconds, for the whole run
    memory_mb: float | None = None  # resident memory cap
    max_states: int | None = None  # also caps the initial states grounding enumerates
    phase: Phase = "parsing"
    start: float = field(default_factory=time.monotonic)
    work: int = 0  # units charged so far (tests compare it across sizes: growth, not time)
    _ticks: int = 0
    _readings: int = 0

    def enter(self, phase: Phase) -> None:
        """Start a phase: check the limits at once (the previous phase may have used them up)."""
        self.phase = phase
        self.check()

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def remaining(self) -> float | None:
        """Seconds left for the rest of the run (what the engine's own limit should be)."""
        if self.time_limit is None:
            return None
        return max(0.0, self.time_limit - self.elapsed())

    def tick(self, work: int = 1) -> None:
        self.work += work
        self._ticks += work
        if self._ticks >= _CLOCK_EVERY:
            self._ticks = 0
            self.check()

    def check(self) -> None:
        now = self.elapsed()
        if self.time_limit is not None and now > self.time_limit:
            raise BudgetExceeded(self.phase, "time-limit", now)
        if self.memory_mb is not None:
            self._readings += 1
            if self._readings >= _RSS_EVERY:
                self._readings = 0
                self.check_memory()

    def check_memory(self) -> None:
        if self.memory_mb is not None:
            mb = rss_mb()
            if mb > self.memory_mb:
                raise BudgetExceeded(self.phase, "memory-limit", self.elapsed(),
                                     f"{mb:.0f} MB resident")

    def check_states(self, n: int, what: str) -> None:
        if self.max_states is not None and n > self.max_states:
            raise BudgetExceeded(self.phase, "state-limit", self.elapsed(),
                                 f"{what}: more than {self.max_states}")


_current: Budget | None = None


@contextmanager
def active(budget: Budget | None, phase: Phase | None = None) -> Iterator[Budget | None]:
    """Make `budget` the one `tick()` charges while the block runs (None: no limits)."""
    global _current
    saved = _current
    _current = budget
    try:
        if budget is not None and phase is not None:
            budget.enter(phase)
            budget.check_memory()
        yield budget
    finally:
        _current = saved


def tick(work: int = 1) -> None:
    """Charge `work` units to the active budget (a no-op without one)."""
    b = _current
    if b is not None:
        b.work += work
        b._ticks += work
        if b._ticks >= _CLOCK_EVERY:
            b._ticks = 0
            b.check()


def enter(phase: Phase) -> None:
    """Switch the active budget to a new phase (a no-op without one)."""
    if _current is not None:
        _current.enter(phase)


def current() -> Budget | None:
    return _current


@contextmanager
def watchdog(budget: Budget) -> Iterator[None]:
    """A backstop around an engine run (the checker's code generation has no ticks).

    The engines stop their own search at the limits with partial statistics, so this only
    fires when one has not stopped WATCHDOG_GRACE seconds past the time limit (or at
    WATCHDOG_MEMORY times the memory cap): in practice, while compiling a huge system.
    A SIGALRM handler raises BudgetExceeded in the main thread; elsewhere (or with no
    limits) this does nothing.
    """
    if (budget.time_limit is None and budget.memory_mb is None) or (
            threading.current_thread() is not threading.main_thread()):
        yield
        return

    def on_alarm(_signum: int, _frame: object) -> None:
        now = budget.elapsed()
        if budget.time_limit is not None and now > budget.time_limit + WATCHDOG_GRACE:
            raise BudgetExceeded(budget.phase, "time-limit", now,
                                 f"the engine had not stopped {WATCHDOG_GRACE:.0f} s later")
        if budget.memory_mb is not None:
            mb = rss_mb()
            if mb > budget.memory_mb * WATCHDOG_MEMORY:
                raise BudgetExceeded(budget.phase, "memory-limit", now, f"{mb:.0f} MB resident")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, 0.25, 0.25)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
        signal.signal(signal.SIGALRM, old)
