"""Ground expressions compiled to Python closures, for evaluating P and Q on every state.

Liveness evaluates each property's P and Q once per state of a graph that may hold a million
states; walking the `GExpr` tree with `eval_gexpr` per state costs several isinstance checks
per node. A closure tree does the dispatch once. `eval_gexpr` stays the reference semantics:
tests compare the two on random expressions and states.
"""
from __future__ import annotations

import operator
from typing import Callable, Sequence

from mmspec.ground import GExpr, GIte, GLit, GOp, GSlot, shift

State = Sequence[int]
Pred = Callable[[State], int]

_BINARY: dict[str, Callable[[int, int], int]] = {
    "eq": lambda a, b: int(a == b),
    "ne": lambda a, b: int(a != b),
    "lt": lambda a, b: int(a < b),
    "le": lambda a, b: int(a <= b),
    "gt": lambda a, b: int(a > b),
    "ge": lambda a, b: int(a >= b),
    "iff": lambda a, b: int(bool(a) == bool(b)),
    "implies": lambda a, b: int((not a) or bool(b)),
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "div": lambda a, b: a // b if b else 0,
    "mod": lambda a, b: a % b if b else 0,
    "band": operator.and_,
    "bor": operator.or_,
    "bxor": operator.xor,
    "shl": lambda a, b: shift("shl", a, b),
    "shr": lambda a, b: shift("shr", a, b),
}


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
    op = e.op
    fs = tuple(compile_gexpr(a) for a in e.args)
    if op == "and":
        return lambda s: int(all(f(s) for f in fs))
    if op == "or":
        return lambda s: int(any(f(s) for f in fs))
    if op == "not":
        f = fs[0]
        return lambda s: int(not f(s))
    if op == "neg":
        f = fs[0]
        return lambda s: -f(s)
    if op == "bnot":
        f = fs[0]
        return lambda s: ~f(s)
    if op in ("min", "max"):
        agg = min if op == "min" else max
        return lambda s: agg(f(s) for f in fs)
    if op in _BINARY:
        fn, a, b = _BINARY[op], fs[0], fs[1]
        return lambda s: fn(a(s), b(s))
    raise ValueError(f"unknown ground op {op!r}")
