"""Random walks (`mmspec simulate`): for specs too big to exhaust, like TLC's -simulate.

Uses the reference interpreter over the ground form: simulation explores few states, so
clarity beats speed here, and it doubles as an independent check of the compiled engines.
"""
from __future__ import annotations

import random
import time

from mmspec.ground import GroundSystem, GTransition, eval_gexpr, wrap_value
from checker.result import CheckResult, ExitReason, Stats, Violation, build_trace


def simulate(system: GroundSystem, steps: int, runs: int, seed: int) -> CheckResult:
    rng = random.Random(seed)
    start = time.perf_counter()
    stats = Stats(action_counts={t.name: 0 for t in system.spec.transitions})
    seen: set[tuple[int, ...]] = set()
    for _ in range(runs):
        state = rng.choice(system.init)
        path: list[tuple[int, ...]] = [state]
        moves: list[GTransition | None] = [None]
        seen.add(state)
        for _ in range(steps + 1):
            v = _violation_at(system, state, path, moves)
            if v is not None:
                stats.distinct_states = len(seen)
                stats.seconds = time.perf_counter() - start
                return CheckResult(system.spec, "simulate", ExitReason.VIOLATION, [v], stats,
                                   [f"random walk, seed {seed}: not necessarily shortest"])
            enabled = [t for t in system.transitions if eval_gexpr(t.guard, state)]
            if not enabled or len(path) > steps:
                break
            t = rng.choice(enabled)
            nxt = list(state)
            for k, e in t.updates:
                value = eval_gexpr(e, state)
                slot = system.slots[k]
                if slot.wrap:
                    value = wrap_value(slot, value)
                elif not slot.lo <= value <= slot.hi:
                    trace = build_trace(system, path, moves)
                    stats.seconds = time.perf_counter() - start
                    return CheckResult(system.spec, "simulate", ExitReason.VIOLATION, [Violation(
                        "range", slot.name, f"{t.label} sets {slot.name} to {value}, outside "
                        f"{slot.lo}..{slot.hi}", trace, t.span,
                        {"action": t.label, "slot": slot.name, "value": value,
                         "lo": slot.lo, "hi": slot.hi})], stats)
                nxt[k] = value
            state = tuple(nxt)
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


def _violation_at(system: GroundSystem, state: tuple[int, ...], path: list, moves: list
                  ) -> Violation | None:
    for inv in system.invariants:
        if not eval_gexpr(inv.expr, state):
            return Violation("invariant", inv.name, f"invariant {inv.name} is violated",
                             build_trace(system, path, moves), inv.span)
    any_enabled = False
    for t in system.transitions:
        enabled = eval_gexpr(t.guard, state)
        any_enabled = any_enabled or bool(enabled)
        for c in t.checks:
            active = enabled if c.when == "fire" else eval_gexpr(t.at, state)
            if active and not eval_gexpr(c.cond, state):
                return Violation(c.kind, c.message, c.message, build_trace(system, path, moves),
                                 c.span, {"action": t.label})
    if system.check_deadlock and not any_enabled and not eval_gexpr(system.final, state):
        return Violation("deadlock", "deadlock", "no step is enabled and not every thread "
                         "may stop here", build_trace(system, path, moves))
    return None
