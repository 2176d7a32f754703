"""Typing of operators: one function per typing rule of the operator table
(mmspec/operators.py), so adding an operator with an existing rule needs nothing here.
`binop` checks an infix operator (exprcheck's table calls it directly: one stack frame per
nesting level), `call_node` builds a call-form one (min, max).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from mmspec import ir
from mmspec import operators
from mmspec import syntax as S
from mmspec.checkctx import Ctx
from mmspec.operators import OpName
from mmspec.typerules import (BOOL, ERR, FALSE, INT, TE, AnyType, ErrType, assignable, int_lit,
                              show_type)

if TYPE_CHECKING:
    from mmspec.typecheck import Elaborator


def binop(el: Elaborator, e: S.BinOp, ctx: Ctx, expected: AnyType | None) -> TE:
    o = operators.get(e.op)
    return _RULES[o.typing](el, e, o.name, ctx, expected)


def call_node(op: OpName, args: list[ir.Expr], sp: ir.Span) -> ir.Expr:
    """An operator written as a call (`min(a, b)`), as IR: unary or binary by its arity.
    `Elaborator.call` types the arguments itself (one stack frame fewer per nesting level)."""
    return ir.Unary(op, args[0], sp) if len(args) == 1 else ir.Binary(op, args[0], args[1], sp)


def _logic(el: Elaborator, e: S.BinOp, op: OpName, ctx: Ctx, expected: AnyType | None) -> TE:
    ca = el.cond(e.left, ctx, f"the left operand of '{operators.symbol(op)}'")
    cb = el.cond(e.right, ctx, f"the right operand of '{operators.symbol(op)}'")
    return TE(ir.Binary(op, ca, cb, e.span), BOOL)


def _equality(el: Elaborator, e: S.BinOp, op: OpName, ctx: Ctx, expected: AnyType | None) -> TE:
    sp = e.span
    a, b = el.pair(e.left, e.right, ctx)
    if not (assignable(a.type, b.type) or assignable(b.type, a.type)):
        return el.err("MMS301", f"cannot compare {show_type(a.type)} with "
                      f"{show_type(b.type)}", sp)
    if isinstance(a.type, (ir.SetType, ir.MapType)) and isinstance(
            b.type, type(a.type)) and not assignable(b.type, a.type):
        return el.err("MMS301", f"cannot compare {show_type(a.type)} with "
                      f"{show_type(b.type)}", sp)
    return TE(ir.Binary(op, a.expr, b.expr, sp), BOOL)


def _order(el: Elaborator, e: S.BinOp, op: OpName, ctx: Ctx, expected: AnyType | None) -> TE:
    a, b = el.expr(e.left, ctx), el.expr(e.right, ctx)
    el.need_int(a, e.left.span, f"'{operators.symbol(op)}'", order=True)
    el.need_int(b, e.right.span, f"'{operators.symbol(op)}'", order=True)
    return TE(ir.Binary(op, a.expr, b.expr, e.span), BOOL)


def _arith(el: Elaborator, e: S.BinOp, op: OpName, ctx: Ctx, expected: AnyType | None) -> TE:
    sp = e.span
    a, b = el.expr(e.left, ctx), el.expr(e.right, ctx)
    el.need_int(a, e.left.span, f"'{operators.symbol(op)}'")
    el.need_int(b, e.right.span, f"'{operators.symbol(op)}'")
    # a constant zero divisor is refused by grounding (MMS320) where no guard
    # protects it; behind a guard it is never evaluated (TLA+'s laziness)
    if isinstance(a.type, ErrType) or isinstance(b.type, ErrType):
        return TE(ir.Binary(op, a.expr, b.expr, sp), ERR)
    out = TE(ir.Binary(op, a.expr, b.expr, sp), INT)
    v = el.static_value(out.expr)
    if isinstance(v, int):
        return TE(int_lit(v, sp), ir.IntType(v, v))
    return out


def _member(el: Elaborator, e: S.BinOp, op: OpName, ctx: Ctx, expected: AnyType | None) -> TE:
    s = el.expr(e.right, ctx)
    if isinstance(s.type, ErrType):
        el.expr(e.left, ctx)
        return TE(FALSE, ERR)
    if not isinstance(s.type, ir.SetType):
        return el.err("MMS301", f"the right operand of 'in' must be a set, not "
                      f"{show_type(s.type)}", e.right.span)
    x = el.expr(e.left, ctx, s.type.elem)
    if not assignable(x.type, s.type.elem):
        return el.err("MMS301", f"{show_type(x.type)} cannot be an element of "
                      f"{show_type(s.type)}", e.left.span)
    return TE(ir.Binary(op, x.expr, s.expr, e.span), BOOL)


def _set(el: Elaborator, e: S.BinOp, op: OpName, ctx: Ctx, expected: AnyType | None) -> TE:
    """union, inter, minus (set[T] x set[T] -> set[T]) and subseteq (-> bool)."""
    sp = e.span
    a, b = el.pair(e.left, e.right, ctx, expected)
    for side, te in (("left", a), ("right", b)):
        if not isinstance(te.type, (ir.SetType, ErrType)):
            return el.err("MMS301", f"the {side} operand of '{op}' must be a set, "
                          f"not {show_type(te.type)}",
                          (e.left if side == "left" else e.right).span)
    if not assignable(b.type, a.type):
        return el.err("MMS301", f"'{op}' of different set types "
                      f"{show_type(a.type)} and {show_type(b.type)}", sp)
    return TE(ir.Binary(op, a.expr, b.expr, sp),
              BOOL if operators.get(op).typing == "subset" else (
                  a.type if not isinstance(a.type, ErrType) else b.type))


_Rule = Callable[["Elaborator", S.BinOp, OpName, Ctx, "AnyType | None"], TE]
_RULES: dict[operators.Typing, _Rule] = {
    "logic": _logic, "equality": _equality, "order": _order, "arith": _arith,
    "member": _member, "setop": _set, "subset": _set,
}
