"""Random walks (`mmspec simulate`): for specs too big to exhaust, like TLC's -simulate.

Uses the reference semantics (checker/semantics.py) directly: simulation visits few states,
so clarity beats speed here, and violations read exactly as the exhaustive engines word them.
"""
from __future__ import annotations

import random
import time

from mmspec.ground import GroundSystem, GTransition, eval_gexpr

from checker.result import CheckResult, ExitReason, Stats, Violation, build_trace
from checker.semantics import Found, first_expansion, first_invariant, successor


def simulate(system: GroundSystem, steps: int, runs: int, seed: int) -> CheckResult:
    rng = random.Random(seed)
    start = time.perf_counter()
    stats = Stats(action_counts={t.name: 0 for t in system.spec.transitions})
    seen: set[tuple[int, ...]] = set()

    def stop(found: Found, path: list, moves: list) -> CheckResult:
        stats.distinct_states = len(seen)
        stats.seconds = time.perf_counter() - start
        v = Violation(found.kind, found.property, found.message,
                      build_trace(system, path, moves), found.span, found.details)
        return CheckResult(system.spec, "simulate", ExitReason.VIOLATION, [v], stats,
                           [f"random walk, seed {seed}: not necessarily shortest"])

    for _ in range(runs):
        state = rng.choice(system.init)
        path: list[tuple[int, ...]] = [state]
        moves: list[GTransition | None] = [None]
        seen.add(state)
        while True:
            found = (first_invariant(system, state)
                     or first_expansion(system, state, system.check_deadlock))
            if found is not None:
                return stop(found, path, moves)
            enabled = [t for t in system.transitions if eval_gexpr(t.guard, state)]
            if not enabled or len(path) > steps:
                break
            t = rng.choice(enabled)
            state = successor(system, t, state)  # range errors were reported above
            stats.action_counts[t.name] += 1
            stats.generated_states += 1
            seen.add(state)
            path.append(state)
            moves.append(t)
            stats.depth = max(stats.depth, len(path) - 1)
    stats.distinct_states = len(seen)
    stats.seconds = time.perf_counter() - start
    return CheckResult(system.spec, "simulate", ExitReason.DEPTH_LIMIT, [], stats,
                       [f"{runs} random walks of up to {steps} steps found no violation "
                        "(this is not a proof)"])
