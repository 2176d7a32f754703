"""What one run checks: the options, where set, else what the spec declares.

Every engine used to resolve "the option if given, else the spec's default" itself (the
explicit and vector searches, and two symbolic modules, each for deadlock or lock order).
`resolve` is now the one place; an engine calls it once, before it searches, and reads the
typed `Settings` it returns.
"""
from __future__ import annotations

from dataclasses import dataclass

from checker import lockorder
from checker.options import CheckOptions
from mmspec.ground import GroundSystem


@dataclass(frozen=True)
class Settings:
    """The properties a run checks, resolved from the options and the spec."""

    deadlock: bool  # report states where no step is enabled (unless allowed final states)
    # record lockdep "held A, acquired B" edges and report cycles; lockorder.wanted is the
    # rule (a thread's blocking acquire makes edges), the same for every engine
    lock_order: bool
    liveness: bool  # the spec has liveness properties and they are wanted
    symmetry: bool  # reduce by the spec's symmetric process sets


def resolve(system: GroundSystem, options: CheckOptions | None) -> Settings:
    """The one resolver of "option if set, else the spec's default"."""
    options = options or CheckOptions()
    deadlock = system.check_deadlock if options.deadlock is None else options.deadlock
    return Settings(deadlock=bool(deadlock),
                    lock_order=lockorder.wanted(system, options),
                    liveness=bool(system.liveness) and options.liveness,
                    symmetry=bool(options.symmetry and system.symmetries))
