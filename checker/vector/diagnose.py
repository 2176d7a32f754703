"""Saying exactly which property failed: the shared reference semantics (checker/semantics.py).

The kernels only find *where* the first violation is (a state, and the transition at which
the explicit engine's expansion of that state stops); what is reported is recomputed here
from `eval_gexpr`, in the order every engine follows (conformance_cases.py): per transition
in system order its checks in declaration order ('reach' ones when `at` holds, 'fire' ones
when the guard holds), then its first update (in slot order) that leaves its range; after
every transition, deadlock. Messages and details are the shared wording (deadlock details
from checker.waitfor), so a violation reads the same whichever engine found it.
"""
from __future__ import annotations

from checker.semantics import (Found, enabled, first_expansion, first_invariant, range_error,
                               successor)

__all__ = ["Found", "enabled", "first_expansion", "first_invariant", "range_error",
           "successor"]
