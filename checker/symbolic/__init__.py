"""The z3-assisted symbolic engine: bounded model checking, k-induction and IC3/PDR over the ground
system every engine executes, returning the same CheckResult/Trace as the explicit engine."""
from checker.symbolic.bmc import check_bmc
from checker.symbolic.kind import check_kind
from checker.symbolic.pdr import check_pdr

__all__ = ["check_bmc", "check_kind", "check_pdr"]
