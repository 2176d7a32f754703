"""Ground expressions as Python source text, specialised to what a code block already knows.

The generated successor code nests one `if` per guard conjunct, so inside a block the
generator knows facts such as `pc[2] == 1` or `c[0] < 9`. Substituting those facts and folding
constants removes most of the work from updates, range checks and invariant re-checks (an
increment guarded by `c < M` needs no range check at all). The text produced contains only
integer literals, local names derived from slot indices (`x12`) and fixed operator text: never
a name or string from the spec.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from mmspec import operators
from mmspec.ground import FALSE, TRUE, GExpr, GIte, GLit, GOp, GSlot, gite, gop
from mmspec.ir import MAX_SHIFT
from mmspec.operators import OpName

Interval = tuple[int | None, int | None]  # None: unbounded on that side


@dataclass
class Facts:
    """What holds in the current block: exact slot values and narrowed slot intervals."""

    known: dict[int, int] = field(default_factory=dict)
    iv: dict[int, tuple[int, int]] = field(default_factory=dict)

    def copy(self) -> "Facts":
        return Facts(dict(self.known), dict(self.iv))


def conjuncts(e: GExpr) -> list[GExpr]:
    if isinstance(e, GOp) and e.op == "and":
        out: list[GExpr] = []
        for a in e.args:
            out.extend(conjuncts(a))
        return out
    if e == TRUE:
        return []
    return [e]


def slots_of(e: GExpr, acc: set[int] | None = None) -> set[int]:
    acc = set() if acc is None else acc
    if isinstance(e, GSlot):
        acc.add(e.index)
    elif isinstance(e, GOp):
        for a in e.args:
            slots_of(a, acc)
    elif isinstance(e, GIte):
        slots_of(e.cond, acc)
        slots_of(e.then, acc)
        slots_of(e.other, acc)
    return acc


def substitute(e: GExpr, repl: dict[int, GExpr]) -> GExpr:
    """Replace slots simultaneously and fold constants."""
    if isinstance(e, GSlot):
        r = repl.get(e.index)
        if r is None:
            return e
        if e.sort == "bool" and isinstance(r, GLit):
            return GLit(1 if r.value else 0, "bool")
        return r
    if isinstance(e, GLit):
        return e
    if isinstance(e, GIte):
        return gite(substitute(e.cond, repl), substitute(e.then, repl),
                    substitute(e.other, repl))
    args = tuple(substitute(a, repl) for a in e.args)
    return fold(e.op, args)


def fold(op: OpName, args: tuple[GExpr, ...]) -> GExpr:
    """`gop` plus the few identities that matter after substitution."""
    if op == "implies":
        a, b = args
        if isinstance(a, GLit):
            return b if a.value else TRUE
        if isinstance(b, GLit) and b.value:
            return TRUE
    if op == "not" and isinstance(args[0], GLit):
        return GLit(0 if args[0].value else 1, "bool")
    if op in PY_CMP and len(args) == 2:
        a, b, o = args[0], args[1], op
        if isinstance(a, GLit) and not isinstance(b, GLit):
            a, b, o = b, a, _FLIP[op]  # k OP e  <=>  e FLIP(OP) k
        if (isinstance(b, GLit) and isinstance(a, GOp) and a.op in ("add", "sub")
                and isinstance(a.args[0], GSlot) and isinstance(a.args[1], GLit)):
            c = a.args[1].value if a.op == "add" else -a.args[1].value
            return gop(o, a.args[0], GLit(b.value - c))  # x + c OP k  <=>  x OP k - c
    return gop(op, *args)


def with_facts(e: GExpr, facts: Facts) -> GExpr:
    if not facts.known:
        return e
    return substitute(e, {k: GLit(v) for k, v in facts.known.items()})


def learn(c: GExpr, facts: Facts, lo: tuple[int, ...], hi: tuple[int, ...]) -> None:
    """Record what conjunct `c` (known true) says about single slots."""
    def bounds(k: int) -> tuple[int, int]:
        return facts.iv.get(k, (lo[k], hi[k]))

    def narrow(k: int, a: int, b: int) -> None:
        x, y = bounds(k)
        x, y = max(x, a), min(y, b)
        facts.iv[k] = (x, y)
        if x == y:
            facts.known[k] = x

    if isinstance(c, GSlot):
        narrow(c.index, 1, 1)
        return
    if not isinstance(c, GOp):
        return
    if c.op == "not" and isinstance(c.args[0], GSlot):
        narrow(c.args[0].index, 0, 0)
        return
    if c.op not in ("eq", "ne", "lt", "le", "gt", "ge") or len(c.args) != 2:
        return
    a, b = c.args
    op: OpName = c.op
    if isinstance(a, GLit) and isinstance(b, GSlot):
        a, b = b, a
        op = _FLIP[op]
    if not (isinstance(a, GSlot) and isinstance(b, GLit)):
        return
    k, v = a.index, b.value
    if op == "eq":
        narrow(k, v, v)
    elif op == "lt":
        narrow(k, bounds(k)[0], v - 1)
    elif op == "le":
        narrow(k, bounds(k)[0], v)
    elif op == "gt":
        narrow(k, v + 1, bounds(k)[1])
    elif op == "ge":
        narrow(k, v, bounds(k)[1])
    elif op == "ne":
        x, y = bounds(k)
        if x == v:
            narrow(k, v + 1, y)
        elif y == v:
            narrow(k, x, v - 1)


def interval(e: GExpr, facts: Facts, lo: tuple[int, ...], hi: tuple[int, ...]) -> Interval:
    """A sound over-approximation of e's value range (used to drop range checks)."""
    if isinstance(e, GLit):
        return e.value, e.value
    if isinstance(e, GSlot):
        return facts.iv.get(e.index, (lo[e.index], hi[e.index]))
    if isinstance(e, GIte):
        ta, tb = interval(e.then, facts, lo, hi), interval(e.other, facts, lo, hi)
        return _min(ta[0], tb[0]), _max(ta[1], tb[1])
    if e.sort == "bool":
        return 0, 1
    rs = [interval(x, facts, lo, hi) for x in e.args]
    op = e.op
    finite = [(x, y) for x, y in rs if x is not None and y is not None]
    if len(finite) == len(rs):  # the operator table's rule
        out = operators.bounds(op, finite)
        if out is not None:
            return out
    if op == "mod" and isinstance(e.args[1], GLit) and e.args[1].value > 0:
        return 0, e.args[1].value - 1
    return _unbounded_interval(op, rs)


def _unbounded_interval(op: str, rs: list[Interval]) -> Interval:
    """What can still be said when an operand is unbounded on a side."""
    if op == "neg":
        x, y = rs[0]
        return (None if y is None else -y), (None if x is None else -x)
    if op == "add":
        (a, b), (c, d) = rs
        return _add(a, c), _add(b, d)
    if op == "sub":
        (a, b), (c, d) = rs
        return _add(a, None if d is None else -d), _add(b, None if c is None else -c)
    if op in ("min", "max") and len(rs) == 2:
        (a, b), (c, d) = rs
        if op == "min":
            return _min(a, c), _min2(b, d)
        return _max2(a, c), _max(b, d)
    return None, None


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


def _min(a: int | None, b: int | None) -> int | None:  # lower bound of a union
    return None if a is None or b is None else min(a, b)


def _max(a: int | None, b: int | None) -> int | None:  # upper bound of a union
    return None if a is None or b is None else max(a, b)


def _min2(a: int | None, b: int | None) -> int | None:  # upper bound of min(x, y)
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _max2(a: int | None, b: int | None) -> int | None:  # lower bound of max(x, y)
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


# the comparisons as Python text (also the packed-field forms of checker/explicit/codegen.py)
PY_CMP = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_FLIP: dict[str, OpName] = {"eq": "eq", "ne": "ne", "lt": "gt", "le": "ge", "gt": "lt",
                            "ge": "le"}


class Forms:
    """How generated code reads a slot, and a record of what it asked for.

    `x{k}` is slot k's value; a subclass may also offer the field in place (`y{k}`, not
    shifted down), which is enough to compare with a literal or to test for non-zero."""

    def __init__(self) -> None:
        self.xs: set[int] = set()
        self.ys: set[int] = set()

    def val(self, k: int) -> str:
        self.xs.add(k)
        return f"x{k}"

    def cmp(self, k: int, op: str, c: int) -> str | None:
        return None

    def truth(self, k: int) -> str | None:
        return None


def py(e: GExpr, forms: Forms | None = None, ctx: str = "value") -> str:
    """Python text for e. ctx 'bool': only e's truth matters (bool values are 0/1/True/False)."""
    f = forms or Forms()
    if isinstance(e, GLit):
        return str(int(e.value))
    if isinstance(e, GSlot):
        if ctx == "bool":
            t = f.truth(int(e.index))
            if t is not None:
                return t
        return f.val(int(e.index))
    if isinstance(e, GIte):
        return f"({py(e.then, f)} if {py(e.cond, f, 'bool')} else {py(e.other, f)})"
    form = PY_FORMS.get(e.op)
    if form is None:
        raise ValueError(f"unknown ground op {e.op!r}")
    return form(e.op, e.args, f, ctx)


# How each ground operator is written as Python source (one entry per ground operator of
# mmspec/operators.py; tests/test_operators.py keeps the two in step): f(op, args, forms,
# ctx) -> text with the operator table's exact value, the placeholder 0 where undefined.
PyForm = Callable[[OpName, "tuple[GExpr, ...]", Forms, str], str]


def _py_logic(op: OpName, a: tuple[GExpr, ...], f: Forms, ctx: str) -> str:
    if op in ("and", "or", "implies") and ctx != "bool":
        # Python's and/or yield an operand, which may be a field read in place: make 0/1
        return f"(1 if {py(GOp(op, a), f, 'bool')} else 0)"
    if op == "and":
        return "(" + " and ".join(py(x, f, "bool") for x in a) + ")"
    if op == "or":
        return "(" + " or ".join(py(x, f, "bool") for x in a) + ")"
    if op == "not":
        return f"(not {py(a[0], f, 'bool')})"
    if op == "implies":
        return f"((not {py(a[0], f, 'bool')}) or {py(a[1], f, 'bool')})"
    return f"((not {py(a[0], f, 'bool')}) == (not {py(a[1], f, 'bool')}))"  # iff


def _py_cmp(op: OpName, a: tuple[GExpr, ...], f: Forms, ctx: str) -> str:
    """A comparison; a slot against a literal may have a cheaper form (packed fields)."""
    x, y = a
    if isinstance(x, GSlot) and isinstance(y, GLit):
        t = f.cmp(int(x.index), op, int(y.value))
        if t is not None:
            return t
    if isinstance(y, GSlot) and isinstance(x, GLit):
        t = f.cmp(int(y.index), _FLIP[op], int(x.value))
        if t is not None:
            return t
    return f"({py(x, f)} {PY_CMP[op]} {py(y, f)})"


def _py_infix(sym: str) -> PyForm:
    return lambda op, a, f, ctx: f"({py(a[0], f)} {sym} {py(a[1], f)})"


def _py_prefix(sym: str) -> PyForm:
    return lambda op, a, f, ctx: f"({sym}{py(a[0], f)})"


def _py_shift(op: OpName, a: tuple[GExpr, ...], f: Forms, ctx: str) -> str:
    """A shift out of range gives 0 here (the count's GRead reports it)."""
    sym = "<<" if op == "shl" else ">>"
    if isinstance(a[1], GLit):
        ok = 0 <= a[1].value <= MAX_SHIFT
        return f"({py(a[0], f)} {sym} {int(a[1].value)})" if ok else "0"
    n = py(a[1], f)
    return f"(({py(a[0], f)} {sym} {n}) if 0 <= {n} <= {MAX_SHIFT} else 0)"


def _py_divide(op: OpName, a: tuple[GExpr, ...], f: Forms, ctx: str) -> str:
    """Floor division and modulo; a zero divisor gives 0 here (its GRead reports it)."""
    sym = "//" if op == "div" else "%"
    if isinstance(a[1], GLit):
        return f"({py(a[0], f)} {sym} {int(a[1].value)})" if a[1].value else "0"
    return f"(({py(a[0], f)} {sym} {py(a[1], f)}) if {py(a[1], f)} else 0)"


def _py_call(op: OpName, a: tuple[GExpr, ...], f: Forms, ctx: str) -> str:
    return f"{op}({', '.join(py(x, f) for x in a)})"


PY_FORMS: dict[str, PyForm] = {
    **{op: _py_logic for op in ("and", "or", "not", "implies", "iff")},
    **{op: _py_cmp for op in PY_CMP},
    "add": _py_infix("+"), "sub": _py_infix("-"), "mul": _py_infix("*"),
    "band": _py_infix("&"), "bor": _py_infix("|"), "bxor": _py_infix("^"),
    "neg": _py_prefix("-"), "bnot": _py_prefix("~"),
    "shl": _py_shift, "shr": _py_shift, "div": _py_divide, "mod": _py_divide,
    "min": _py_call, "max": _py_call,
}


__all__ = ["Facts", "Forms", "conjuncts", "slots_of", "substitute", "with_facts", "learn",
           "interval", "py", "FALSE", "TRUE", "fold"]
