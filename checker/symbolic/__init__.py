"""The z3-assisted symbolic engine: bounded model checking and k-induction over the ground
system every engine executes, returning the same CheckResult/Trace as the explicit engine."""
from checker.symbolic.bmc import check_bmc
from checker.symbolic.kind import check_kind

__all__ = ["check_bmc", "check_kind"]
