"""Ground expressions as z3 terms, with the reference semantics of `mmspec.ground.eval_gexpr`.

Every engine must agree with `eval_gexpr` exactly, so the translation spells out the places
where SMT-LIB and Python differ: integer division and modulo are Euclidean in SMT-LIB but
floor in the reference (they differ for negative divisors), and dividing by zero yields 0.
Values flow between the two sorts the way the reference treats them: a bool is the int 0/1
and an int used as a condition is "non-zero".
"""
from __future__ import annotations

from typing import Callable, Sequence

import z3

from mmspec.ground import GExpr, GIte, GLit, GOp, GSlot, Slot

INF = float("inf")


def to_bool(x: z3.ExprRef) -> z3.BoolRef:
    if z3.is_bool(x):
        return x  # type: ignore[return-value]
    return x != 0  # type: ignore[return-value]


def to_int(x: z3.ExprRef) -> z3.ArithRef:
    if z3.is_bool(x):
        return z3.If(x, z3.IntVal(1, x.ctx), z3.IntVal(0, x.ctx))
    return x  # type: ignore[return-value]


def floor_div(a: z3.ArithRef, b: z3.ArithRef) -> z3.ArithRef:
    """a // b as Python computes it, 0 when b is 0 (SMT-LIB `div` is Euclidean)."""
    ctx = a.ctx
    zero = z3.IntVal(0, ctx)
    if z3.is_int_value(b):
        n = b.as_long()  # type: ignore[attr-defined]
        if n == 0:
            return zero
        return a / b if n > 0 else (-a) / (-b)
    return z3.If(b == 0, zero, z3.If(b > 0, a / b, (-a) / (-b)))


def floor_mod(a: z3.ArithRef, b: z3.ArithRef) -> z3.ArithRef:
    """a % b as Python computes it (sign of the divisor), 0 when b is 0."""
    ctx = a.ctx
    zero = z3.IntVal(0, ctx)
    if z3.is_int_value(b):
        n = b.as_long()  # type: ignore[attr-defined]
        if n == 0:
            return zero
        return a % b if n > 0 else a - b * ((-a) / (-b))
    return z3.If(b == 0, zero, a - b * floor_div(a, b))


class Translator:
    """Translates ground expressions over one vector of state variables.

    `state[i]` is the z3 variable of slot i: a Bool for bool slots, an Int otherwise.
    Translations are memoised by node identity, since grounding shares subtrees (dynamic
    indexing copies the same ite chain into many places).
    """

    def __init__(self, ctx: z3.Context, state: Sequence[z3.ExprRef]):
        self.ctx = ctx
        self.state = state
        self._memo: dict[int, tuple[GExpr, z3.ExprRef]] = {}

    def cond(self, e: GExpr) -> z3.BoolRef:
        return to_bool(self.term(e))

    def int(self, e: GExpr) -> z3.ArithRef:
        return to_int(self.term(e))

    def term(self, e: GExpr) -> z3.ExprRef:
        hit = self._memo.get(id(e))
        if hit is not None and hit[0] is e:
            return hit[1]
        out = self._term(e)
        self._memo[id(e)] = (e, out)
        return out

    def _term(self, e: GExpr) -> z3.ExprRef:
        ctx = self.ctx
        if isinstance(e, GLit):
            if e.sort == "bool":
                return z3.BoolVal(bool(e.value), ctx)
            return z3.IntVal(e.value, ctx)
        if isinstance(e, GSlot):
            v = self.state[e.index]
            return to_bool(v) if e.sort == "bool" else to_int(v)
        if isinstance(e, GIte):
            c = self.cond(e.cond)
            a, b = self.term(e.then), self.term(e.other)
            if z3.is_bool(a) != z3.is_bool(b):
                a, b = to_int(a), to_int(b)
            return z3.If(c, a, b)
        op = e.op
        if op in ("and", "or"):
            parts = [self.cond(x) for x in e.args]
            if not parts:
                return z3.BoolVal(op == "and", ctx)
            return z3.And(*parts) if op == "and" else z3.Or(*parts)
        if op == "not":
            return z3.Not(self.cond(e.args[0]))
        if op == "implies":
            return z3.Implies(self.cond(e.args[0]), self.cond(e.args[1]))
        if op == "iff":
            return self.cond(e.args[0]) == self.cond(e.args[1])
        args = [self.term(x) for x in e.args]
        if op in ("eq", "ne"):
            a, b = args
            if not (z3.is_bool(a) and z3.is_bool(b)):
                a, b = to_int(a), to_int(b)
            return a == b if op == "eq" else a != b
        v = [to_int(x) for x in args]
        fn = _INT_OPS.get(op)
        if fn is None:
            raise ValueError(f"unknown ground op {op!r}")
        return fn(v)


_INT_OPS: dict[str, Callable[[list[z3.ArithRef]], z3.ExprRef]] = {
    "lt": lambda v: v[0] < v[1],
    "le": lambda v: v[0] <= v[1],
    "gt": lambda v: v[0] > v[1],
    "ge": lambda v: v[0] >= v[1],
    "neg": lambda v: -v[0],
    "add": lambda v: v[0] + v[1],
    "sub": lambda v: v[0] - v[1],
    "mul": lambda v: v[0] * v[1],
    "div": lambda v: floor_div(v[0], v[1]),
    "mod": lambda v: floor_mod(v[0], v[1]),
    "min": lambda v: _fold(v, lambda a, b: z3.If(a <= b, a, b)),
    "max": lambda v: _fold(v, lambda a, b: z3.If(a >= b, a, b)),
}


def _fold(v: list[z3.ArithRef], f: Callable[[z3.ArithRef, z3.ArithRef], z3.ArithRef]
          ) -> z3.ArithRef:
    out = v[0]
    for x in v[1:]:
        out = f(out, x)
    return out


# --------------------------------------------------------------------------- bounds


def bounds(e: GExpr, slots: Sequence[Slot]) -> tuple[float, float]:
    """A sound interval for the value of e over all states within the slots' domains.

    Used only to leave out range checks that cannot fail; when unsure it says (-inf, inf).
    """
    if isinstance(e, GLit):
        return (e.value, e.value)
    if isinstance(e, GSlot):
        s = slots[e.index]
        return (0, 1) if e.sort == "bool" else (s.lo, s.hi)
    if isinstance(e, GIte):
        a, b = bounds(e.then, slots), bounds(e.other, slots)
        return (min(a[0], b[0]), max(a[1], b[1]))
    op = e.op
    if e.sort == "bool":
        return (0, 1)
    bs = [bounds(x, slots) for x in e.args]
    if op == "neg":
        return (-bs[0][1], -bs[0][0])
    if op == "add":
        return (bs[0][0] + bs[1][0], bs[0][1] + bs[1][1])
    if op == "sub":
        return (bs[0][0] - bs[1][1], bs[0][1] - bs[1][0])
    if op == "mul":
        if any(abs(x) == INF for b in bs for x in b):
            return (-INF, INF)
        corners = [x * y for x in bs[0] for y in bs[1]]
        return (min(corners), max(corners))
    if op == "min":
        return (min(b[0] for b in bs), min(b[1] for b in bs))
    if op == "max":
        return (max(b[0] for b in bs), max(b[1] for b in bs))
    if op == "mod":
        lo, hi = bs[1]
        if lo > 0:  # result in 0..hi-1, or 0 never needed
            return (0, hi - 1)
        if hi < 0:
            return (lo + 1, 0)
        m = max(abs(lo), abs(hi))
        return (-m, m)
    if op == "div":
        a, b = bs
        if any(abs(x) == INF for x in a + b):
            return (-INF, INF)
        m = max(abs(a[0]), abs(a[1]))  # |a // b| <= |a| for b != 0, plus rounding down
        return (-m - 1, m + 1) if (a[0] < 0 or b[0] < 0) else (0, m)
    return (-INF, INF)
