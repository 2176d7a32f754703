"""The vectorised engine: whole BFS levels expanded as numpy arrays of packed states.

`supported(system)` says whether this engine can check a system (None) or why not (a one-line
reason the CLI prints when `--engine auto` falls back to the explicit engine);
`check(system, options)` runs it and returns a CheckResult with engine "vector". Verdicts,
state counts, depths and counterexamples match the explicit engine's BFS.

Lock-order analysis runs here too, over whole chunks (lockorder.py, with the rule shared with
the explicit engine in checker/lockorder.py).

Liveness too: the search records the state graph as arrays (graph.py) and
checker/liveness_arrays.py analyses it without unpacking states (live.py).

LIMITATION: one core; `options.workers` and `options.seed` are ignored (the search is
deterministic).
"""
from __future__ import annotations

from checker.options import CheckOptions
from checker.result import CheckResult
from mmspec.ground import GroundSystem

from checker.liveness_arrays import MAX_FAIRNESS

from .bounds import unrepresentable
from .engine import VectorSearch
from .live import with_liveness
from .memory import heap_reuse
from .symmetry import canonicaliser_fits

__all__ = ["supported", "check", "Unsupported"]

# LIMITATION: canonicalising costs work per group element (vectorised, but linear in the group
# size); beyond this many elements the group is too big for either engine in practice.
MAX_SYMMETRIES = 40320


class Unsupported(ValueError):
    """check() was asked for something only the explicit engine does."""


def _reason(system: GroundSystem, options: CheckOptions | None) -> str | None:
    if system.liveness and (options is None or options.liveness) and \
            len(system.fairness) > MAX_FAIRNESS:
        return f"more than {MAX_FAIRNESS} fairness constraints"
    if system.symmetries and (options is None or options.symmetry):
        if len(system.symmetries) >= MAX_SYMMETRIES or not canonicaliser_fits(system):
            return (f"symmetry group too large to canonicalise vectorised "
                    f"({len(system.symmetries) + 1} permutations)")
    return unrepresentable(system)


def supported(system: GroundSystem) -> str | None:
    """None if the vectorised engine can check `system`, else a one-line reason."""
    return _reason(system, None)


def check(system: GroundSystem, options: CheckOptions | None = None) -> CheckResult:
    options = options or CheckOptions()
    why = _reason(system, options)
    if why is not None:
        raise Unsupported(why)
    with heap_reuse():
        search = VectorSearch(system, options)
        return with_liveness(search, search.run())
