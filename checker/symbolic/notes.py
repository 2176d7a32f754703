"""What the symbolic engines leave to others, said once in CheckResult.notes."""
from __future__ import annotations

from checker.options import CheckOptions
from mmspec.ground import GroundSystem


def deadlock_on(system: GroundSystem, options: CheckOptions) -> bool:
    return system.check_deadlock if options.deadlock is None else options.deadlock


def scope_notes(system: GroundSystem, options: CheckOptions, engine: str) -> list[str]:
    notes = []
    if system.liveness and options.liveness:
        # LIMITATION: liveness needs lassos (a loop-back unrolling); not encoded.
        notes.append(f"liveness properties are not checked by --engine {engine}: use "
                     "--engine explicit")
    lock_order = system.check_lock_order if options.lock_order is None else options.lock_order
    if lock_order and system.locks:
        # LIMITATION: lock-order cycles are found on the explicit state graph only.
        notes.append(f"lock order is not checked by --engine {engine}: use --engine explicit")
    return notes
