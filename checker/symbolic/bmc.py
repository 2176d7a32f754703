"""Bounded model checking: depth by depth from 0 to K, the first violating depth wins.

Since every depth below is checked (and found clean) before the next, the first violation
has a shortest trace, the same length as the explicit engine's breadth-first counterexample.
When no path of length d exists at all (every execution terminates earlier, as in most
locking scenarios where each thread runs its code path once), every reachable state has
been checked and the verdict is complete: ExitReason.DONE.
When several kinds of violation are possible at that depth, invariants are preferred, then
in-step checks, then range, then deadlock (encode.KINDS).
"""
from __future__ import annotations

from checker.options import CheckOptions
from checker.result import CheckResult, ExitReason, Stats
from checker.symbolic.budget import SAT, TIMEOUT, UNSAT, Budget
from checker.symbolic.encode import Encoding
from checker.symbolic.initial_checks import initial_violation
from checker.symbolic.notes import deadlock_on, scope_notes
from checker.symbolic.others import bounded_other_kinds
from checker.symbolic.unroll import Unrolling
from mmspec.ground import GroundSystem

DEFAULT_DEPTH = 20


def check_bmc(system: GroundSystem, options: CheckOptions, *, encoding: str = "bv",
              por: bool = True) -> CheckResult:
    """`encoding` ("bv" | "int") and `por` (partial-order reduction of the unrolling) are
    tuning knobs for benchmarks and cross-checks; the defaults are the fast ones."""
    bad_init = initial_violation(system)  # outside what its paths show
    if bad_init is not None:
        return CheckResult(system.spec, "bmc", ExitReason.VIOLATION, [bad_init], Stats())
    budget = Budget(options)
    k = DEFAULT_DEPTH if options.depth is None else options.depth
    enc = Encoding(system, deadlock_on(system, options), encoding=encoding, por=por)
    run = Unrolling(enc, budget)
    notes = scope_notes(system, options, "bmc")
    # LIMITATION: a solver does not enumerate states, so distinct/generated states and the
    # per-action fire counts (coverage) stay empty; stats.depth and extra["solver_*"] apply.
    stats = Stats()
    reason = ExitReason.DEPTH_LIMIT
    violations = []
    done = -1  # deepest depth known clean
    while True:
        t0 = budget.elapsed()
        probe = run.probe()
        budget.say(f"bmc: depth {run.depth} sat-check {budget.elapsed() - t0:.2f}s")
        if probe.status == SAT:
            assert probe.violation is not None
            violations.append(probe.violation)
            reason = ExitReason.VIOLATION
            done = run.depth
            break
        if probe.status != UNSAT:
            reason = budget.stop_reason() if probe.status == TIMEOUT else ExitReason.UNKNOWN
            what = budget.stop_what() if probe.status == TIMEOUT else \
                f"solver gave up ({budget.unknown_reason})"
            notes.append(f"no violation up to depth {done}; stopped at depth {run.depth}: "
                         f"{what}")
            break
        if run.depth > 0:
            alive = run.feasible()
            if alive == UNSAT:
                reason = ExitReason.DONE
                notes.append(f"every execution ends within {done} steps: all reachable "
                             "states were checked (a complete check, not a bounded one)")
                break
        done = run.depth
        if run.depth >= k:
            notes.append(f"no violation up to depth {k} (bounded check: deeper states were "
                         "not explored; --engine kind may prove it for all depths)")
            break
        run.deepen()
    if reason in (ExitReason.DONE, ExitReason.DEPTH_LIMIT, ExitReason.VIOLATION):
        more, more_notes, stopped = bounded_other_kinds(enc, options, budget, k)
        notes += more_notes
        if more:
            violations += more
            reason = ExitReason.VIOLATION
        elif stopped:
            reason = ExitReason.TIME_LIMIT if budget.expired() else ExitReason.UNKNOWN
    stats.depth = max(done, 0)
    stats.seconds = budget.elapsed()
    stats.extra.update(budget.stats_extra())
    return CheckResult(system.spec, "bmc", reason, violations, stats, notes)
