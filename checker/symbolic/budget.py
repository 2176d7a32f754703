"""Time budget, progress lines and solver calls shared by the BMC and k-induction drivers.

z3 is told the time left before every query (its `timeout` parameter), so a long query
returns `unknown` at the deadline instead of overrunning it; the drivers then stop cleanly
with ExitReason.TIME_LIMIT and the depth they had completed.
"""
from __future__ import annotations

import time

import z3  # type: ignore[import-untyped]

from checker.options import CheckOptions
from checker.result import ExitReason

SAT, UNSAT, TIMEOUT, UNKNOWN = "sat", "unsat", "timeout", "unknown"
INTERRUPTS = ("canceled", "interrupted from keyboard")  # z3's reason_unknown on a SIGINT


class Budget:
    """Time budget and progress of one run.

    LIMITATION: options.memory_limit is not enforced (z3's memory cap is a process-wide
    parameter shared with other runs); options.max_states does not apply to a solver.
    """

    def __init__(self, options: CheckOptions):
        self.options = options
        self.start = time.monotonic()
        self.deadline = (None if options.time_limit is None
                         else self.start + options.time_limit)
        self.checks = 0
        self.solver_seconds = 0.0
        self.unknown_reason = ""
        self.interrupted = False  # a TIMEOUT that was a stop request, not the time limit

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def expired(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def say(self, line: str) -> None:
        if self.options.progress is not None:
            print(line, file=self.options.progress, flush=True)
        if self.options.on_event is not None:
            self.options.on_event(line)

    def solve(self, solver: z3.Solver, *assumptions: z3.BoolRef) -> str:
        """One solver query under the remaining time: SAT, UNSAT, TIMEOUT or UNKNOWN.

        A stop request (options.stop) ends the run like the time limit does; z3 catches a
        SIGINT during a query itself (its `ctrl_c` parameter) and returns unknown (INTERRUPTS).
        """
        if self.options.stop_requested():
            self.interrupted = True
            return TIMEOUT
        if self.deadline is not None:
            ms = int((self.deadline - time.monotonic()) * 1000)
            if ms <= 0:
                return TIMEOUT
            solver.set("timeout", ms)
        t0 = time.monotonic()
        r = solver.check(*assumptions)
        self.solver_seconds += time.monotonic() - t0
        self.checks += 1
        if r == z3.sat:
            return SAT
        if r == z3.unsat:
            return UNSAT
        self.unknown_reason = solver.reason_unknown()
        if self.unknown_reason in INTERRUPTS and not self.expired():
            self.interrupted = True
            if self.options.stop is not None:  # z3 took the SIGINT: tell the caller
                self.options.stop.requested = True
        if self.expired() or self.interrupted or self.unknown_reason in ("timeout", "canceled"):
            return TIMEOUT
        return UNKNOWN

    def stop_reason(self) -> ExitReason:
        """Why a TIMEOUT stopped the run: the time limit or a stop request."""
        return ExitReason.INTERRUPTED if self.interrupted else ExitReason.TIME_LIMIT

    def stop_what(self) -> str:
        return "interrupted" if self.interrupted else "time limit"

    def stats_extra(self) -> dict[str, object]:
        return {"solver": f"z3 {z3.get_version_string()}", "solver_checks": self.checks,
                "solver_seconds": round(self.solver_seconds, 3)}
