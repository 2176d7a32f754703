"""Ground expressions compiled to Python closures, for evaluating P and Q on every state.

Liveness evaluates each property's P and Q once per state of a graph that may hold a million
states; walking the `GExpr` tree with `eval_gexpr` per state costs several isinstance checks
per node. A closure tree does the dispatch once. `eval_gexpr` stays the reference semantics:
tests compare the two on random expressions and states.
"""
from __future__ import annotations

import operator
from typing import Callable, Sequence

from mmspec import operators
from mmspec.ground import GExpr, GIte, GLit, GOp, GSlot

State = Sequence[int]
Pred = Callable[[State], int]

def compile_gexpr(e: GExpr) -> Pred:
    """A function of the state computing exactly what `eval_gexpr(e, state)` computes."""
    if isinstance(e, GLit):
        value = e.value
        return lambda s: value
    if isinstance(e, GSlot):
        return operator.itemgetter(e.index)
    if isinstance(e, GIte):
        c, a, b = compile_gexpr(e.cond), compile_gexpr(e.then), compile_gexpr(e.other)
        return lambda s: a(s) if c(s) else b(s)
    return _compile_op(e)


def _compile_op(e: GOp) -> Pred:
    """The operator table's value (mmspec/operators.py); `and`/`or` short-circuit over any
    number of operands, as `eval_gexpr` does."""
    op = e.op
    fs = tuple(compile_gexpr(a) for a in e.args)
    if op == "and":
        return lambda s: int(all(f(s) for f in fs))
    if op == "or":
        return lambda s: int(any(f(s) for f in fs))
    o = operators.OPERATORS.get(op)
    if o is None or o.fn is None or not o.ground:
        raise ValueError(f"unknown ground op {op!r}")
    fn = o.fn
    if len(fs) == 1:
        f = fs[0]
        return lambda s: fn(f(s))
    if len(fs) == 2:
        a, b = fs
        return lambda s: fn(a(s), b(s))
    return lambda s: fn(*[f(s) for f in fs])
