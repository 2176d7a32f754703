"""Options every engine accepts. Engines ignore what does not apply to them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, TextIO


@dataclass
class StopRequest:
    """A request from outside a running search (the CLI's SIGINT/SIGTERM handler) to stop it.

    Engines look at it where they check --time-limit and stop the same clean way, with
    ExitReason.INTERRUPTED and partial statistics. A plain attribute, so a signal handler
    can set it without taking a lock.
    """

    requested: bool = False


@dataclass
class CheckOptions:
    max_states: int | None = None
    time_limit: float | None = None  # seconds
    memory_limit: int | None = None  # MB of resident memory
    depth: int | None = None  # bmc / kind bound; explicit: stop exploring below this depth
    workers: int = 1
    symmetry: bool = False
    seed: int = 0
    deadlock: bool | None = None  # None: as the spec says; False: --no-deadlock
    progress: TextIO | None = None  # where progress lines go (stderr in the CLI), None: quiet
    progress_interval: float = 5.0
    lock_order: bool | None = None  # None: as the spec says
    liveness: bool = True
    on_event: Callable[[str], None] | None = None  # for tests: engine-level events
    stop: StopRequest | None = None  # set by the caller to interrupt the search
    coverage: bool = False  # count enabled/fired/distinct per action (checker/coverage.py)
    max_errors: int = 1  # keep searching until this many distinct violations (explicit)

    def stop_requested(self) -> bool:
        return self.stop is not None and self.stop.requested
