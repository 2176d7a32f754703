"""Ground expressions as z3 terms, with the reference semantics of `mmspec.ground.eval_gexpr`.

Every engine must agree with `eval_gexpr` exactly, so the translation spells out the places
where SMT-LIB and Python differ: integer division and modulo are Euclidean in SMT-LIB but
floor in the reference (they differ for negative divisors), and dividing by zero yields 0.
Values flow between the two sorts the way the reference treats them: a bool is the int 0/1
and an int used as a condition is "non-zero".
"""
from __future__ import annotations

from typing import Callable, Sequence

import z3  # type: ignore[import-untyped]

from checker.intervals import IntervalWalk
from mmspec import operators
from mmspec.ground import GExpr, GIte, GLit, GOp, GSlot, Slot
from mmspec.ir import MAX_SHIFT

INF = float("inf")


def to_bool(x: z3.ExprRef) -> z3.BoolRef:
    if z3.is_bool(x):
        return x
    return x != 0


class Arith:
    """How integers are represented: unbounded z3 Ints (`IntArith`) or signed bit-vectors
    wide enough that no value of any subexpression can overflow (`BvArith`)."""

    name = ""

    def __init__(self, ctx: z3.Context):
        self.ctx = ctx

    def var(self, name: str) -> z3.ExprRef:
        raise NotImplementedError

    def val(self, v: int) -> z3.ExprRef:
        raise NotImplementedError

    def floor_div(self, a: z3.ExprRef, b: z3.ExprRef) -> z3.ExprRef:
        raise NotImplementedError

    def floor_mod(self, a: z3.ExprRef, b: z3.ExprRef) -> z3.ExprRef:
        raise NotImplementedError

    def number(self, v: z3.ExprRef) -> int:
        """A model value as a Python int."""
        raise NotImplementedError

    def bitwise(self, op: str, v: list[z3.ExprRef]) -> z3.ExprRef:
        """~ & | ^ on the two's-complement form (ground.eval_gexpr's Python semantics)."""
        raise NotImplementedError

    def shift(self, op: str, a: z3.ExprRef, b: z3.ExprRef) -> z3.ExprRef:
        """a << b / a >> b (arithmetic); 0 for a count outside 0..MAX_SHIFT, as
        ground.shift (such a count is a `domain` violation reported from the reads)."""
        if _is_value(b):
            n = self.number(b)
            return self.shift_by(op, a, n) if 0 <= n <= MAX_SHIFT else self.val(0)
        out = self.val(0)
        for n in range(MAX_SHIFT, -1, -1):
            out = z3.If(b == self.val(n), self.shift_by(op, a, n), out)
        return out

    def shift_by(self, op: str, a: z3.ExprRef, n: int) -> z3.ExprRef:
        raise NotImplementedError

    def to_int(self, x: z3.ExprRef) -> z3.ExprRef:
        if z3.is_bool(x):
            return z3.If(x, self.val(1), self.val(0))
        return x

    def solver(self) -> z3.Solver:
        return z3.Solver(ctx=self.ctx)


class IntArith(Arith):
    name = "int"

    def var(self, name: str) -> z3.ExprRef:
        return z3.Int(name, self.ctx)

    def val(self, v: int) -> z3.ExprRef:
        return z3.IntVal(v, self.ctx)

    def floor_div(self, a: z3.ExprRef, b: z3.ExprRef) -> z3.ExprRef:
        """a // b as Python computes it, 0 when b is 0 (SMT-LIB `div` is Euclidean)."""
        zero = self.val(0)
        if z3.is_int_value(b):
            n = b.as_long()
            if n == 0:
                return zero
            return a / b if n > 0 else (-a) / (-b)
        return z3.If(b == 0, zero, z3.If(b > 0, a / b, (-a) / (-b)))

    def floor_mod(self, a: z3.ExprRef, b: z3.ExprRef) -> z3.ExprRef:
        """a % b as Python computes it (sign of the divisor), 0 when b is 0."""
        zero = self.val(0)
        if z3.is_int_value(b):
            n = b.as_long()
            if n == 0:
                return zero
            return a % b if n > 0 else a - b * ((-a) / (-b))
        return z3.If(b == 0, zero, a - b * self.floor_div(a, b))

    def number(self, v: z3.ExprRef) -> int:
        return int(v.as_long())

    # bit width of the bit-vector detour for & | ^ on Ints: exact for every value within
    # +-2^(bit_width - 1); Encoding widens it from the bounds of every subexpression
    bit_width = 64

    def bitwise(self, op: str, v: list[z3.ExprRef]) -> z3.ExprRef:
        if op == "bnot":
            return -v[0] - 1
        w = self.bit_width
        a, b = (z3.Int2BV(x, w) for x in v)
        r = a & b if op == "band" else a | b if op == "bor" else a ^ b
        return z3.BV2Int(r, is_signed=True)

    def shift_by(self, op: str, a: z3.ExprRef, n: int) -> z3.ExprRef:
        k = self.val(2 ** n)
        return a * k if op == "shl" else a / k  # SMT-LIB div by a positive constant: floor


class BvArith(Arith):
    """Signed bit-vectors of one width for every integer, chosen from the bounds of every
    subexpression (so +, -, * are exact), solved by z3's incremental SAT back-end: for
    these small finite domains bit-blasting beats linear arithmetic by orders of magnitude
    (see bench/symbolic_vma.py)."""

    name = "bv"
    # LIMITATION: one width for every integer slot (the widest any subexpression needs);
    # per-slot widths with sign extension would give the SAT solver fewer bits.

    def __init__(self, ctx: z3.Context, width: int):
        super().__init__(ctx)
        self.width = width

    def var(self, name: str) -> z3.ExprRef:
        return z3.BitVec(name, self.width, self.ctx)

    def val(self, v: int) -> z3.ExprRef:
        return z3.BitVecVal(v, self.width, self.ctx)

    def floor_div(self, a: z3.ExprRef, b: z3.ExprRef) -> z3.ExprRef:
        # bvsmod has the sign of the divisor, i.e. Python's %; a - a % b is a multiple of b,
        # so the truncating bvsdiv divides it exactly
        q = (a - a % b) / b
        return q if _nonzero_const(b) else z3.If(b == 0, self.val(0), q)

    def floor_mod(self, a: z3.ExprRef, b: z3.ExprRef) -> z3.ExprRef:
        r = a % b
        return r if _nonzero_const(b) else z3.If(b == 0, self.val(0), r)

    def number(self, v: z3.ExprRef) -> int:
        return int(v.as_signed_long())

    def bitwise(self, op: str, v: list[z3.ExprRef]) -> z3.ExprRef:
        if op == "bnot":
            return ~v[0]
        a, b = v
        return a & b if op == "band" else a | b if op == "bor" else a ^ b

    def shift(self, op: str, a: z3.ExprRef, b: z3.ExprRef) -> z3.ExprRef:
        # the width holds every value of every subexpression (Bounds), the shifted one
        # included, so bvshl/bvashr are exact wherever the count is defined
        top = min(MAX_SHIFT, 2 ** (self.width - 1) - 1)
        r = a << b if op == "shl" else a >> b  # z3py's >> on bit-vectors: bvashr
        return z3.If(z3.And(b >= self.val(0), b <= self.val(top)), r, self.val(0))

    def solver(self) -> z3.Solver:
        return z3.SolverFor("QF_BV", ctx=self.ctx)


def _is_value(b: z3.ExprRef) -> bool:
    return bool(z3.is_int_value(b) or z3.is_bv_value(b))


def _nonzero_const(b: z3.ExprRef) -> bool:
    return bool(z3.is_bv_value(b) and b.as_long() != 0)


class Translator:
    """Translates ground expressions over one vector of state variables.

    `state[i]` is the z3 variable of slot i: a Bool for bool slots, an Int otherwise.
    Translations are memoised by node identity, since grounding shares subtrees (dynamic
    indexing copies the same ite chain into many places).
    """

    def __init__(self, arith: Arith, state: Sequence[z3.ExprRef]):
        self.arith = arith
        self.ctx = arith.ctx
        self.state = state
        self._memo: dict[int, tuple[GExpr, z3.ExprRef]] = {}

    def cond(self, e: GExpr) -> z3.BoolRef:
        return to_bool(self.term(e))

    def int(self, e: GExpr) -> z3.ExprRef:
        return self.arith.to_int(self.term(e))

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
            return self.arith.val(e.value)
        if isinstance(e, GSlot):
            v = self.state[e.index]
            return to_bool(v) if e.sort == "bool" else self.arith.to_int(v)
        if isinstance(e, GIte):
            c = self.cond(e.cond)
            a, b = self.term(e.then), self.term(e.other)
            if z3.is_bool(a) != z3.is_bool(b):
                a, b = self.arith.to_int(a), self.arith.to_int(b)
            return z3.If(c, a, b)
        form = Z3_FORMS.get(e.op)
        if form is None:
            raise ValueError(f"unknown ground op {e.op!r}")
        return form(self, e)


# How each ground operator of mmspec/operators.py is a z3 term, with the table's exact value
# (tests/test_operators.py checks these cover the table): f(translator, node) -> term.
Z3Form = Callable[[Translator, GOp], z3.ExprRef]


def _z3_junction(t: Translator, e: GOp) -> z3.ExprRef:
    parts = [t.cond(x) for x in e.args]
    if not parts:
        return z3.BoolVal(e.op == "and", t.ctx)
    return z3.And(*parts) if e.op == "and" else z3.Or(*parts)


def _z3_equality(t: Translator, e: GOp) -> z3.ExprRef:
    a, b = (t.term(x) for x in e.args)
    if not (z3.is_bool(a) and z3.is_bool(b)):
        a, b = t.arith.to_int(a), t.arith.to_int(b)
    return a == b if e.op == "eq" else a != b


def _z3_ints(fn: Callable[[Arith, list[z3.ExprRef]], z3.ExprRef]) -> Z3Form:
    """An integer operator: its operands as ints of the arithmetic in use."""
    return lambda t, e: fn(t.arith, [t.arith.to_int(t.term(x)) for x in e.args])


def _z3_arith(fn: Callable[[list[z3.ArithRef]], z3.ExprRef]) -> Z3Form:
    return _z3_ints(lambda arith, v: fn(v))


def _z3_bitwise(op: str) -> Z3Form:
    return _z3_ints(lambda arith, v: arith.bitwise(op, v))


def _z3_shift(op: str) -> Z3Form:
    return _z3_ints(lambda arith, v: arith.shift(op, v[0], v[1]))


Z3_FORMS: dict[str, Z3Form] = {
    "and": _z3_junction, "or": _z3_junction,
    "not": lambda t, e: z3.Not(t.cond(e.args[0])),
    "implies": lambda t, e: z3.Implies(t.cond(e.args[0]), t.cond(e.args[1])),
    "iff": lambda t, e: t.cond(e.args[0]) == t.cond(e.args[1]),
    "eq": _z3_equality, "ne": _z3_equality,
    "div": _z3_ints(lambda arith, v: arith.floor_div(v[0], v[1])),
    "mod": _z3_ints(lambda arith, v: arith.floor_mod(v[0], v[1])),
    **{op: _z3_bitwise(op) for op in ("bnot", "band", "bor", "bxor")},
    **{op: _z3_shift(op) for op in ("shl", "shr")},
    "lt": _z3_arith(lambda v: v[0] < v[1]),
    "le": _z3_arith(lambda v: v[0] <= v[1]),
    "gt": _z3_arith(lambda v: v[0] > v[1]),
    "ge": _z3_arith(lambda v: v[0] >= v[1]),
    "neg": _z3_arith(lambda v: -v[0]),
    "add": _z3_arith(lambda v: v[0] + v[1]),
    "sub": _z3_arith(lambda v: v[0] - v[1]),
    "mul": _z3_arith(lambda v: v[0] * v[1]),
    "min": _z3_arith(lambda v: _fold(v, lambda a, b: z3.If(a <= b, a, b))),
    "max": _z3_arith(lambda v: _fold(v, lambda a, b: z3.If(a >= b, a, b))),
}


def _fold(v: list[z3.ArithRef], f: Callable[[z3.ArithRef, z3.ArithRef], z3.ArithRef]
          ) -> z3.ArithRef:
    out = v[0]
    for x in v[1:]:
        out = f(out, x)
    return out


# --------------------------------------------------------------------------- bounds


class Bounds(IntervalWalk[float]):
    """Sound intervals for ground expressions over all states within the slots' domains
    (checker/intervals.py), with infinities where an operator is unbounded.

    They decide which range checks can never fail (and are left out) and how wide the
    bit-vectors must be for no subexpression to overflow; `largest` is the biggest
    magnitude seen.
    """

    def __init__(self, slots: Sequence[Slot]):
        super().__init__(slots)
        self.largest: float = max([max(abs(s.lo), abs(s.hi)) for s in slots] + [1])

    def op(self, op: str, bs: list[tuple[float, float]]) -> tuple[float, float]:
        return _op_bounds(op, bs)

    def seen(self, e: GExpr, out: tuple[float, float]) -> None:
        self.largest = max(self.largest, abs(out[0]), abs(out[1]))


def _op_bounds(op: str, bs: list[tuple[float, float]]) -> tuple[float, float]:
    if all(abs(x) != INF for b in bs for x in b):  # finite: the operator table's rule
        known = operators.bounds(op, [(int(lo), int(hi)) for lo, hi in bs])
        if known is not None:
            return (known[0], known[1])
    if op == "neg":
        return (-bs[0][1], -bs[0][0])
    if op == "add":
        return (bs[0][0] + bs[1][0], bs[0][1] + bs[1][1])
    if op == "sub":
        return (bs[0][0] - bs[1][1], bs[0][1] - bs[1][0])
    if any(abs(x) == INF for b in bs for x in b):
        return (-INF, INF)
    if op == "mod":  # floor mod: the divisor's sign, magnitude below the divisor's; or 0
        lo, hi = bs[1]
        if lo > 0:
            return (0, hi - 1)
        if hi < 0:
            return (lo + 1, 0)
        m = max(abs(lo), abs(hi))
        return (-m, m)
    if op == "div":  # |a // b| <= |a| for b != 0, rounding down adds at most 1; or 0
        a, b = bs
        m = max(abs(a[0]), abs(a[1]))
        return (0, m) if (a[0] >= 0 and b[0] >= 0) else (-m - 1, m + 1)
    return (-INF, INF)
