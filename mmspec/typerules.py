"""The checker's type vocabulary: the `ERR` type that stops cascades, typed expressions (`TE`),
how types print and which assign to which, and small IR builders (literals, `conj`, `neg`).

Part of `mmspec.typecheck` (which re-exports every name); no checking state lives here.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, cheaper to create (start-up time)
    from mmspec.nodeclass import dataclass

from mmspec import ir
from mmspec import syntax as S


MAX_INT = 2 ** 62
INT = ir.IntType(-MAX_INT, MAX_INT)
BOOL = ir.BoolType()
MAX_DOMAIN = 4096  # values of one key/element type
MAX_SLOTS = 1_000_000


class ErrType:
    """The type of an expression that already produced an error (compatible with all)."""

    def __repr__(self) -> str:
        return "ERR"


ERR = ErrType()
AnyType = Union[ir.Type, ErrType]


@dataclass(frozen=True)
class TE:
    expr: ir.Expr
    type: AnyType


def show_type(t: AnyType) -> str:
    if isinstance(t, ErrType):
        return "?"
    if isinstance(t, ir.BoolType):
        return "bool"
    if isinstance(t, ir.IntType):
        if t.symmetric == "@thread":
            return "thread id"
        if t.symmetric:
            return t.symmetric
        if t == INT:
            return "int"
        if t.values is not None:
            shown = ", ".join(map(str, t.values[:6])) + (", ..." if len(t.values) > 6 else "")
            return f"{t.lo}..{t.hi} values {{{shown}}}"
        return f"{'wrap ' if t.wrap else ''}{t.lo}..{t.hi}"
    if isinstance(t, ir.EnumType):
        return t.name
    if isinstance(t, ir.MapType):
        return f"map[{show_type(t.key)}] {show_type(t.value)}"
    if isinstance(t, ir.SetType):
        return f"set[{show_type(t.elem)}]"
    if isinstance(t, ir.SeqType):
        return f"seq[{show_type(t.elem)}] max {t.cap}"
    if isinstance(t, ir.RecordType):
        return "record { " + ", ".join(f"{f}: {show_type(ft)}" for f, ft in t.fields) + " }"
    return str(t)


def kind_word(t: AnyType) -> str:
    if isinstance(t, ir.BoolType):
        return "bool"
    if isinstance(t, ir.IntType):
        return "int"
    if isinstance(t, ir.EnumType):
        return "enum"
    if isinstance(t, ir.MapType):
        return "map"
    if isinstance(t, ir.SetType):
        return "set"
    if isinstance(t, ir.SeqType):
        return "sequence"
    if isinstance(t, ir.RecordType):
        return "record"
    return "?"


def same_domain(a: ir.Type, b: ir.Type) -> bool:
    """Key/element types that ground to the same slots."""
    if isinstance(a, ir.IntType) and isinstance(b, ir.IntType):
        return (a.lo, a.hi) == (b.lo, b.hi)
    return a == b


def assignable(src: AnyType, dst: AnyType) -> bool:
    """May a value of type src be stored where dst is expected (ranges checked at run time)?"""
    if isinstance(src, ErrType) or isinstance(dst, ErrType):
        return True
    if isinstance(dst, ir.BoolType):
        return isinstance(src, ir.BoolType)
    if isinstance(dst, ir.IntType):
        if not isinstance(src, ir.IntType):
            return False
        if dst.symmetric and src.symmetric and dst.symmetric != src.symmetric:
            return False
        return True
    if isinstance(dst, ir.EnumType):
        return src == dst
    if isinstance(dst, ir.MapType):
        return (isinstance(src, ir.MapType) and same_domain(src.key, dst.key)
                and assignable(src.value, dst.value))
    if isinstance(dst, ir.SetType):
        return isinstance(src, ir.SetType) and same_domain(src.elem, dst.elem)
    if isinstance(dst, ir.SeqType):  # capacities may differ: grounding fits one to the other
        return isinstance(src, ir.SeqType) and assignable(src.elem, dst.elem)
    if isinstance(dst, ir.RecordType):
        return (isinstance(src, ir.RecordType) and [f for f, _ in src.fields] ==
                [f for f, _ in dst.fields] and all(assignable(a, b) for (_, a), (_, b)
                                                   in zip(src.fields, dst.fields)))
    return False


def zero_value(t: ir.Type) -> ir.Value:
    """The default initial value: false, lo, the first member, {}, zeros throughout."""
    if isinstance(t, ir.BoolType):
        return 0
    if isinstance(t, ir.IntType):
        if t.values is not None:  # a compact domain: 0 if declared, else the smallest
            return 0 if 0 in t.values else t.values[0]
        return 0 if t.lo <= 0 <= t.hi else t.lo
    if isinstance(t, ir.EnumType):
        return 0
    if isinstance(t, ir.MapType):
        return tuple(zero_value(t.value) for _ in ir.domain_values(t.key))
    if isinstance(t, ir.RecordType):
        return tuple(zero_value(ft) for _, ft in t.fields)
    if isinstance(t, ir.SetType):
        return frozenset()
    if isinstance(t, ir.SeqType):
        return ()
    raise TypeError(t)


def slot_count(t: ir.Type) -> int:
    if ir.is_scalar(t):
        return 1
    if isinstance(t, ir.MapType):
        return ir.domain_size(t.key) * slot_count(t.value)
    if isinstance(t, ir.SetType):
        return ir.domain_size(t.elem)
    if isinstance(t, ir.RecordType):
        return sum(slot_count(ft) for _, ft in t.fields)
    if isinstance(t, ir.SeqType):
        return 1 + t.cap * slot_count(t.elem)
    return 1


def lit(v: int, t: ir.Type, span: ir.Span = ir.NO_SPAN) -> ir.Lit:
    return ir.Lit(v, t, span)


def int_lit(v: int, span: ir.Span = ir.NO_SPAN) -> ir.Lit:
    return ir.Lit(v, ir.IntType(v, v), span)


TRUE = ir.Lit(1, BOOL)
FALSE = ir.Lit(0, BOOL)


def conj(parts: list[ir.Expr]) -> ir.Expr:
    parts = [p for p in parts if p != TRUE]
    if not parts:
        return TRUE
    out = parts[0]
    for p in parts[1:]:
        out = ir.Binary("and", out, p)
    return out


def index_of(base: ir.Expr, idx: ir.Expr, span: ir.Span = ir.NO_SPAN) -> ir.Expr:
    """base[idx], simplified when base is a functional update at the same (static) key, so
    that reading back a value written earlier in the same atomic step stays readable."""
    while isinstance(base, ir.Except) and base.path and not isinstance(base.path[0], str):
        k = base.path[0]
        if k == idx:
            rest = base.path[1:]
            inner = ir.Index(base.base, idx, span)
            return base.value if not rest else ir.Except(inner, rest, base.value)
        if isinstance(k, ir.Lit) and isinstance(idx, ir.Lit):
            base = base.base  # a different literal key: the update does not matter
            continue
        break
    return ir.Index(base, idx, span)


def neg(e: ir.Expr) -> ir.Expr:
    if isinstance(e, ir.Unary) and e.op == "not":
        return e.arg
    return ir.Unary("not", e, getattr(e, "span", ir.NO_SPAN))


def _show(e: S.Expr) -> str:
    if isinstance(e, S.Name):
        return e.id
    if isinstance(e, S.IndexExpr):
        return f"{_show(e.base)}[{_show(e.index)}]"
    if isinstance(e, S.IntLit):
        return str(e.value)
    return "..."


def _respan(e: ir.Expr, span: ir.Span) -> ir.Expr:
    if hasattr(e, "span") and getattr(e, "span") == ir.NO_SPAN:
        try:
            return replace(e, span=span)
        except TypeError:
            return e
    return e
