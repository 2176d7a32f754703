"""An initial predicate evaluated outside a partial operation's domain, for the z3 engines.

The explicit and vector engines meet such a candidate in their initial-state search
(checker/initstates.py) and report a `domain` violation, as TLC reports an evaluation error
while computing the initial states. The z3 engines encode the predicate instead, where a
candidate whose reads fail is simply not initial; so before their search they ask z3 for a
candidate (each variable among its initial values) on which some read of the predicates
leaves its domain, and report the same violation on it.
"""
from __future__ import annotations

import z3  # type: ignore[import-untyped]

from mmspec.ground import GroundSystem, InitSpace, eval_gexpr

from checker.initstates import InitDomain
from checker.result import Violation
from checker.symbolic.zexpr import IntArith, Translator


def init_domain_violation(system: GroundSystem) -> Violation | None:
    space = system.init
    if not isinstance(space, InitSpace) or not space.reads:
        return None
    ctx = z3.Context()
    arith = IntArith(ctx)
    arith.bit_width = 64
    cur = [z3.Bool(f"s{i}", ctx) if s.sort == "bool" else z3.Int(f"s{i}", ctx)
           for i, s in enumerate(system.slots)]
    tr = Translator(arith, cur)
    solver = z3.Solver(ctx=ctx)
    for slots, opts in space.choices:
        if slots:
            solver.add(z3.Or([z3.And([_eq(cur[k], v) for k, v in zip(slots, vals)] or
                                     [z3.BoolVal(True, ctx)]) for vals in opts]))
    solver.add(z3.Or([z3.Not(tr.cond(r.ok)) for _, r in space.reads]))
    if solver.check() != z3.sat:
        return None
    model = solver.model()
    state = tuple(int(z3.is_true(model.eval(x, model_completion=True))) if z3.is_bool(x)
                  else model.eval(x, model_completion=True).as_long() for x in cur)
    name, read = next((n, r) for n, r in space.reads if not eval_gexpr(r.ok, state))
    return InitDomain(state, name, read).violation(system)


def _eq(x: z3.ExprRef, v: int) -> z3.BoolRef:
    return (x if v else z3.Not(x)) if z3.is_bool(x) else x == v
