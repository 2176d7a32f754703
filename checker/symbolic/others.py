"""Lock order and liveness for the bounded z3 engines (bmc, and kind after its proof): the
edge search of edges.py and the lasso search of lasso.py, up to the engine's depth."""
from __future__ import annotations

from checker.options import CheckOptions
from checker.result import Violation
from checker.symbolic.budget import Budget
from checker.symbolic.edges import bmc_lock_order, lock_order_on
from checker.symbolic.encode import Encoding
from checker.symbolic.lasso import bmc_liveness


def bounded_other_kinds(enc: Encoding, options: CheckOptions, budget: Budget, depth: int
                        ) -> tuple[list[Violation], list[str], bool]:
    """Violations of lock order and liveness within `depth` steps, what was checked, and
    whether a search stopped early (then the verdict is incomplete, not "ok")."""
    system = enc.system
    found: list[Violation] = []
    notes: list[str] = []
    stopped = False
    if lock_order_on(system, options):
        v, note = bmc_lock_order(enc, budget, depth)
        notes.append(note)
        stopped |= note.startswith("lock order checked up to")
        if v is not None:
            found.append(v)
    if system.liveness and options.liveness:
        vs, note, early = bmc_liveness(enc, budget, depth)
        notes.append(note)
        stopped |= early
        found += vs
    return found, notes, stopped
