"""Action coverage, as TLC's -coverage reports it: per action and per step label, how often
it was enabled, how often it fired, and how many distinct states it found first.

Counted after the search, over the states it stored, level by level in BFS order: `succ(n)`
lists every enabled transition of n with its successor (-1 when the successor leaves a
declared range, which enables the transition but does not fire it). Replaying discovery in
that order credits each new state to the transition that first produced it, exactly as the
search's parent links do. Only fully expanded levels count, so after an early stop the
figures cover the states the search completed (and `complete` is False).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from mmspec.ground import GroundSystem

EXTRA_KEY = "coverage_counts"  # where the engine leaves the counts in Stats.extra (JSON data)


@dataclass(frozen=True)
class Row:
    name: str
    enabled: int  # states (of those counted) where the transition's guard held
    fired: int  # of those, the ones where it produced a successor
    distinct: int  # new states it was the first to reach

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "enabled": self.enabled, "fired": self.fired,
                "distinct": self.distinct}


@dataclass(frozen=True)
class Coverage:
    actions: tuple[Row, ...]  # per IR transition (an action over all its bindings, a step)
    labels: tuple[Row, ...]  # per process step label, over every thread running it
    states: int  # states expanded for these counts
    complete: bool  # every reachable state was expanded

    def as_json(self) -> dict[str, Any]:
        return {"complete": self.complete, "states": self.states,
                "actions": [r.as_json() for r in self.actions],
                "labels": [r.as_json() for r in self.labels]}

    @staticmethod
    def from_json(d: dict[str, Any]) -> "Coverage":
        def rows(xs: list[dict[str, Any]]) -> tuple[Row, ...]:
            return tuple(Row(x["name"], x["enabled"], x["fired"], x["distinct"]) for x in xs)
        return Coverage(rows(d["actions"]), rows(d["labels"]), d["states"], d["complete"])


def count(system: GroundSystem, levels: Sequence[Iterable[int]],
          succ: Callable[[int], list[tuple[int, int]]],
          canon: Callable[[int], int] | None, complete: bool) -> Coverage:
    """Counts over `levels` (packed states by depth, BFS order; all fully expanded)."""
    n_t = len(system.transitions)
    enabled, fired, distinct = [0] * n_t, [0] * n_t, [0] * n_t
    seen: set[int] = set(levels[0]) if levels else set()
    states = 0
    for level in levels:
        for n in level:
            states += 1
            for ti, m in succ(n):
                enabled[ti] += 1
                if m < 0:
                    continue
                fired[ti] += 1
                if canon is not None:
                    m = canon(m)
                if m not in seen:
                    seen.add(m)
                    distinct[ti] += 1
    names = [t.name for t in system.spec.transitions]
    return Coverage(_group(system, enabled, fired, distinct, lambda t: t.name, names),
                    _group(system, enabled, fired, distinct, lambda t: t.step, []),
                    states, complete)


def _group(system: GroundSystem, enabled: list[int], fired: list[int], distinct: list[int],
           key: Callable[[Any], str | None], first: list[str]) -> tuple[Row, ...]:
    """Sums by key, in the order keys first appear (`first`, then declaration order); None
    keys skipped. So every IR transition has a row, even one with no ground instance."""
    order: dict[str, list[int]] = {k: [] for k in first}
    for i, t in enumerate(system.transitions):
        k = key(t)
        if k is not None:
            order.setdefault(k, []).append(i)
    rows = [Row(k, sum(enabled[i] for i in ix), sum(fired[i] for i in ix),
                sum(distinct[i] for i in ix)) for k, ix in order.items()]
    return tuple(rows)


def render_text(cov: Coverage) -> str:
    """Two tables (actions, then step labels); the never-fired list only when complete."""
    scope = ("all {:,} reachable states" if cov.complete
             else "the {:,} states of the fully expanded levels (search stopped early)")
    lines = [f"coverage over {scope.format(cov.states)}:"]
    for title, rows in (("action", cov.actions), ("label", cov.labels)):
        if not rows:
            continue
        w = max(len(title), *(len(r.name) for r in rows))
        lines.append(f"  {title:<{w}}  {'enabled':>9}  {'fired':>9}  {'distinct':>9}")
        for r in rows:
            lines.append(f"  {r.name:<{w}}  {r.enabled:>9,}  {r.fired:>9,}  {r.distinct:>9,}")
    if cov.complete:
        never = [r.name for r in cov.actions if r.fired == 0]
        lines.append("  never fired: " + (", ".join(never) if never else "none"))
    return "\n".join(lines) + "\n"
