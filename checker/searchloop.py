"""The plumbing every state-space search shares: one stop exception, memory probes, the
limit checks and the TLC-style progress line.

The explicit and the vector engines each carried a copy of these; they now both use this
module (engines do not import each other, so shared code lives here, outside their
packages). The symbolic engines keep their own budget (checker/symbolic/budget.py): a solver
is stopped by handing z3 the time left, not by checks between chunks.
"""
from __future__ import annotations

import resource
import time

from mmspec.budget import rss_mb

from checker.options import CheckOptions
from checker.result import ExitReason, Violation

__all__ = ["Stop", "SearchClock", "rss_mb", "peak_rss_mb"]


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (what Stats.peak_rss_mb reports)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Stop(Exception):
    """Ends a search: why, the violation that stopped it (if any), and the states still
    queued at that point (for the partial statistics)."""

    def __init__(self, reason: ExitReason, violation: Violation | None = None,
                 queue: int = 0):
        super().__init__(reason.value)
        self.reason = reason
        self.violation = violation
        self.queue = queue


class SearchClock:
    """A search's start time, its limits (time, stop request, memory) and progress lines.

    Limits are checked between units of work (chunks), in one order for every engine: the
    time limit, then a stop request, then memory, so two engines stopped at the same point
    report the same reason.
    """

    def __init__(self, options: CheckOptions):
        self.options = options
        self.start = time.perf_counter()
        self.last_progress = self.start
        self.last_distinct = 0

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def limit_hit(self, rss: float | None = None) -> ExitReason | None:
        """The limit that has run out, if any. `rss`: a memory reading the caller already
        took (MB), else the memory is read here when a memory limit is set."""
        o = self.options
        if o.time_limit is not None and self.elapsed() > o.time_limit:
            return ExitReason.TIME_LIMIT
        if o.stop_requested():
            return ExitReason.INTERRUPTED
        if o.memory_limit is not None and (rss_mb() if rss is None else rss) > o.memory_limit:
            return ExitReason.MEMORY_LIMIT
        return None

    def progress(self, distinct: int, generated: int, queue: int, depth: int,
                 force: bool = False) -> None:
        """A progress line on options.progress, at most one per progress_interval."""
        out = self.options.progress
        if out is None:
            return
        now = time.perf_counter()
        if not force and now - self.last_progress < self.options.progress_interval:
            return
        rate = (distinct - self.last_distinct) / max(now - self.last_progress, 1e-9)
        self.last_progress, self.last_distinct = now, distinct
        out.write(f"Progress: {distinct:,} distinct states ({rate:,.0f}/s), {generated:,} "
                  f"generated, queue {queue:,}, depth {depth}\n")
        out.flush()
