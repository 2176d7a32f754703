"""Options every engine accepts. Engines ignore what does not apply to them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, TextIO


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
