"""Initial-state violations the z3 engines' paths cannot show, found before their search.

Their paths start in the initial states inside the state constraints, with the initial
predicate encoded as a formula. Two violations lie outside that, and the explicit and vector
engines report them from their initial-state search (checker/initstates.py), as TLC does:
- a candidate on which an initial predicate reads outside a domain (TLC: an evaluation
  error while computing the initial states): a `domain` violation;
- an initial state outside the constraints that breaks an invariant (TLC checks every
  generated initial state), reported only when no initial state inside them breaks one.
So z3 is asked for such a state first (each variable among its initial values), and the same
violation is reported on it.
"""
from __future__ import annotations

import numpy as np
import z3  # type: ignore[import-untyped]

from mmspec.ground import TRUE, GroundSystem, InitSpace, eval_gexpr, gop

from checker.initstates import InitDomain, outside_violation
from checker.result import Violation
from checker.symbolic.zexpr import IntArith, Translator


def initial_violation(system: GroundSystem) -> Violation | None:
    space = system.init
    if isinstance(space, InitSpace) and space.reads:
        q = _Query(system, space)
        state = q.state([z3.Or([z3.Not(q.tr.cond(r.ok)) for _, r in space.reads])])
        if state is not None:
            name, read = next((n, r) for n, r in space.reads if not eval_gexpr(r.ok, state))
            return InitDomain(state, name, read).violation(system)
    if system.constraint == TRUE or not system.invariants:
        return None
    bad = gop("not", gop("and", *[i.checked for i in system.invariants]))
    if not isinstance(space, InitSpace):
        inside = [eval_gexpr(system.constraint, s) for s in space]
        if any(ok and eval_gexpr(bad, s) for ok, s in zip(inside, space)):
            return None  # the engine's own search reports the one inside the constraints
        out = [s for ok, s in zip(inside, space) if not ok]
        return outside_violation(system, np.array(out, dtype=np.int64).reshape(
            len(out), system.width))
    q = _Query(system, space)
    pred, within, broken = (q.tr.cond(e) for e in (space.pred, system.constraint, bad))
    if q.state([pred, within, broken]) is not None:
        return None  # the engine's own search reports the one inside the constraints
    state = q.state([pred, z3.Not(within), broken])
    if state is None:
        return None
    return outside_violation(system, np.array([state], dtype=np.int64))


class _Query:
    """The candidate initial states (each variable among its initial values) in z3."""

    def __init__(self, system: GroundSystem, space: InitSpace):
        ctx = z3.Context()
        arith = IntArith(ctx)
        arith.bit_width = 64
        self.cur = [z3.Bool(f"s{i}", ctx) if s.sort == "bool" else z3.Int(f"s{i}", ctx)
                    for i, s in enumerate(system.slots)]
        self.tr = Translator(arith, self.cur)
        self.ctx = ctx
        self.base = []
        for slots, opts in space.choices:
            if slots:
                self.base.append(z3.Or([z3.And([_eq(self.cur[k], v) for k, v in
                                                zip(slots, vals)] or [z3.BoolVal(True, ctx)])
                                        for vals in opts]))

    def state(self, extra: list[z3.BoolRef]) -> tuple[int, ...] | None:
        solver = z3.Solver(ctx=self.ctx)
        solver.add(*self.base, *extra)
        if solver.check() != z3.sat:
            return None
        m = solver.model()
        return tuple(int(z3.is_true(m.eval(x, model_completion=True))) if z3.is_bool(x)
                     else m.eval(x, model_completion=True).as_long() for x in self.cur)


def _eq(x: z3.ExprRef, v: int) -> z3.BoolRef:
    return (x if v else z3.Not(x)) if z3.is_bool(x) else x == v
