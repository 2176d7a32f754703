"""What the symbolic engines leave to others, said once in CheckResult.notes."""
from __future__ import annotations

from checker.options import CheckOptions
from checker.settings import resolve
from mmspec.ground import GroundSystem


def deadlock_on(system: GroundSystem, options: CheckOptions) -> bool:
    return resolve(system, options).deadlock


def scope_notes(system: GroundSystem, options: CheckOptions, engine: str) -> list[str]:
    """Nothing is left out any more: bmc and kind search lock-order edges (edges.py) and
    fair lassos (lasso.py) up to their depth, and say so in their notes; pdr proves lock
    order from its invariant and reports liveness as unproved. Kept as the one place to say
    what an engine does not check."""
    return []
