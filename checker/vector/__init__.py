"""The vectorised engine: whole BFS levels expanded as numpy arrays of packed states.

`supported(system)` says whether this engine can check a system (None) or why not (a one-line
reason the CLI prints when `--engine auto` falls back to the explicit engine);
`check(system, options)` runs it and returns a CheckResult with engine "vector". Verdicts,
state counts, depths and counterexamples match the explicit engine's BFS.

Lock-order analysis runs here too, over whole chunks (lockorder.py, with the rule shared with
the explicit engine in checker/lockorder.py).

LIMITATION: one core; `options.workers` and `options.seed` are ignored (the search is
deterministic). Liveness is the explicit engine's (see `supported`).
"""
from __future__ import annotations

from checker.options import CheckOptions
from checker.result import CheckResult
from mmspec.ground import GroundSystem

from .bounds import unrepresentable
from .engine import VectorSearch
from .memory import heap_reuse
from .symmetry import canonicaliser_fits

__all__ = ["supported", "check", "Unsupported"]

# LIMITATION: canonicalising costs work per group element (vectorised, but linear in the group
# size); beyond this many elements the group is too big for either engine in practice.
MAX_SYMMETRIES = 40320


class Unsupported(ValueError):
    """check() was asked for something only the explicit engine does."""


def _reason(system: GroundSystem, options: CheckOptions | None) -> str | None:
    if system.liveness and (options is None or options.liveness):
        return "liveness properties are checked by the explicit engine only"
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
        return VectorSearch(system, options).run()
