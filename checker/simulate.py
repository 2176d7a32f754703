"""Random walks (`mmspec simulate`): for specs too big to exhaust, like TLC's -simulate.

Uses the reference semantics (checker/semantics.py) directly: simulation visits few states,
so clarity beats speed here, and violations read exactly as the exhaustive engines word them.
"""
from __future__ import annotations

import random
import time

from mmspec.ground import TRUE, GroundSystem, GTransition, eval_gexpr

from checker.options import StopRequest
from checker.report import WALKS, WalkStats
from checker.result import CheckResult, ExitReason, Stats, Violation, build_trace
from checker.semantics import Found, explored, first_expansion, first_invariant, successor


def simulate(system: GroundSystem, steps: int, runs: int, seed: int,
             stop: StopRequest | None = None) -> CheckResult:
    """`runs` random walks of at most `steps` steps each, stopping at the first violation.

    A walk ends in a final state (nothing enabled, and not a deadlock, or that was reported)
    or is cut by `steps`; the counts of each go into stats.extra (report.WalkStats), so the
    verdict can say what was done and exit 3 only when a walk was cut. A stop request
    ends the run with ExitReason.INTERRUPTED.
    """
    rng = random.Random(seed)
    start = time.perf_counter()
    stats = Stats(action_counts={t.name: 0 for t in system.spec.transitions})
    seen: set[tuple[int, ...]] = set()
    walks = {"final": 0, "cut": 0, "done": 0}

    def finish(reason: ExitReason, violations: list[Violation], note: str) -> CheckResult:
        stats.distinct_states = len(seen)
        stats.seconds = time.perf_counter() - start
        stats.extra.update(WalkStats(walks["done"], steps, walks["final"],
                                     walks["cut"]).to_extra())
        return CheckResult(system.spec, WALKS, reason, violations, stats, [note])

    # walks start inside the state constraints (an initial state outside is not stored)
    starts = [s for s in system.init if eval_gexpr(system.constraint, s)] \
        if system.constraint != TRUE else system.init
    for _ in range(runs):
        if not starts:
            break
        state = rng.choice(starts)
        path: list[tuple[int, ...]] = [state]
        moves: list[GTransition | None] = [None]
        seen.add(state)
        walks["done"] += 1
        while True:
            found = (first_invariant(system, state)
                     or first_expansion(system, state, system.check_deadlock))
            if found is not None:
                v = Violation(found.kind, found.property, found.message,
                              build_trace(system, path, moves), found.span, found.details)
                return finish(ExitReason.VIOLATION, [v],
                              f"random walk {walks['done']}, seed {seed}: the trace is not "
                              "necessarily the shortest")
            enabled = [t for t in system.transitions if eval_gexpr(t.guard, state)]
            # a walk follows the steps that stay inside the constraints (CONSTRAINT,
            # ACTION_CONSTRAINT); a state whose steps all leave them ends the walk, as final
            enabled = [t for t in enabled if explored(t, state)]
            if not enabled:
                walks["final"] += 1
                break
            if stop is not None and stop.requested:
                break  # the walk in progress is neither final nor cut by --steps
            if len(path) > steps:
                walks["cut"] += 1
                break
            t = rng.choice(enabled)
            state = successor(system, t, state)  # range errors were reported above
            stats.action_counts[t.name] += 1
            stats.generated_states += 1
            seen.add(state)
            path.append(state)
            moves.append(t)
            stats.depth = max(stats.depth, len(path) - 1)
        if stop is not None and stop.requested:
            return finish(ExitReason.INTERRUPTED, [], "interrupted: the walks so far found "
                          "no violation")
    reason = ExitReason.DEPTH_LIMIT if walks["cut"] else ExitReason.DONE
    return finish(reason, [], "random walks are not a proof: states they did not visit "
                  "were not checked")
