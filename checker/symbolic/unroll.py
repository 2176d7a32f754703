r"""Incremental bounded unrolling from the initial states: the BMC core and the base case of
k-induction.

The solver holds init(s0) /\ T(s0,s1) /\ ... /\ T(s(d-1),sd) and grows by one step per depth.
The "bad at depth d" query is asked under an assumption literal, so nothing is popped and
z3 keeps what it learnt. Once depth d is known clean, not-bad(sd) is asserted outright: it is
true of every reachable state at that depth and prunes later queries.
"""
from __future__ import annotations

from dataclasses import dataclass

import z3  # type: ignore[import-untyped]

from checker.result import Violation
from checker.symbolic.budget import SAT, UNSAT, Budget
from checker.symbolic.encode import KINDS, Encoding
from checker.symbolic.replay import trace_of
from checker.symbolic.violations import find


@dataclass(frozen=True)
class Probe:
    """The outcome of checking one depth: status is SAT (violation set), UNSAT, TIMEOUT or
    UNKNOWN."""

    status: str
    violation: Violation | None = None


class Unrolling:
    def __init__(self, enc: Encoding, budget: Budget):
        self.enc = enc
        self.budget = budget
        self.solver = enc.arith.solver()
        self.path = enc.new_path("s")
        enc.add_state(self.path)
        self.solver.add(enc.on(enc.init_t, self.path, 0), enc.on(enc.domain_t, self.path, 0))
        self.kinds = [k for k in KINDS if not z3.is_false(enc.bad_t[k])]

    @property
    def depth(self) -> int:
        return len(self.path.states) - 1

    def deepen(self) -> None:
        enc, path = self.enc, self.path
        i = enc.add_state(path)
        self.solver.add(enc.on(enc.domain_t, path, i), enc.step(path, i - 1))
        if i >= 2 and enc.pairs:
            self.solver.add(enc.order(path, i - 1))

    def probe(self) -> Probe:
        """Whether a violation shows at exactly the current depth (earlier ones were clean).

        One query for "any kind"; only when it is satisfiable are the kinds ranked (see
        encode.KINDS), with extra queries for the kinds preferred over the one the first
        model happened to show.
        """
        enc, d = self.enc, self.depth
        if not self.kinds:
            return Probe(UNSAT)
        bad = {k: enc.on(enc.bad_t[k], self.path, d) for k in self.kinds}
        any_bad = z3.Or(*bad.values()) if len(bad) > 1 else next(iter(bad.values()))
        act = z3.Bool(f"bad@{d}", enc.ctx)
        self.solver.add(z3.Implies(act, any_bad))
        r = self.budget.solve(self.solver, act)
        if r == UNSAT:
            self.solver.add(z3.Not(any_bad))
            return Probe(UNSAT)
        if r != SAT:
            return Probe(r)
        best = self._violation(self.solver.model())
        for kind in self.kinds:
            if kind == best[0]:
                break
            act_k = z3.Bool(f"bad@{d}:{kind}", enc.ctx)
            self.solver.add(z3.Implies(act_k, bad[kind]))
            r = self.budget.solve(self.solver, act_k)
            if r == SAT:
                best = self._violation(self.solver.model())
                break
            if r != UNSAT:
                return Probe(r)
        return Probe(SAT, best[1])

    def feasible(self) -> str:
        """Whether any path reaches the current depth at all (SAT), or every execution ends
        earlier (UNSAT: the unrolling is exhausted and every reachable state was checked).

        With partial-order reduction the answer is the same: any path of this length can be
        reordered into one the reduction keeps."""
        return self.budget.solve(self.solver)

    def _violation(self, model: z3.ModelRef) -> tuple[str, Violation]:
        """The highest-ranked violation in the last state of the model's path."""
        enc, d = self.enc, self.depth
        states, sels = enc.decode(model, self.path, d)
        for kind in self.kinds:
            f = find(enc.system, states[-1], kind)
            if f is not None:
                trace = trace_of(enc.system, states, sels)
                return kind, Violation(f.kind, f.property, f.message, trace, f.span, f.details)
        raise AssertionError(f"the solver's state {states[-1]} violates nothing")
