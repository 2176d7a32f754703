"""The explicit engine's view of the shared reference semantics (checker/semantics.py)."""
from checker.semantics import (Found, RangeError, bad_read, enabled, explored, first_expansion,
                               first_invariant, replay, successor, violated_invariants)

__all__ = ["Found", "RangeError", "bad_read", "enabled", "explored", "first_expansion",
           "first_invariant", "replay", "successor", "violated_invariants"]
