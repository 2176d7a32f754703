"""Type checking of bounded sequences: `seq[T] max N`, `<<a, b>>` and the sequence builtins.

TLA+'s Sequences module, bounded: a sequence variable holds at most `N` elements (N a
constant), so it grounds to a length and N element slots. A sequence value keeps the
capacity of the sequence it was computed from (`append(q, x)` has q's type); a literal takes
the capacity of the sequence it meets (an assignment target, the other side of `==`), or its
own length. Capacities never have to agree: grounding fits one into another and reports a
`domain` violation when a value does not fit (appending to a full sequence).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from mmspec import ir
from mmspec import syntax as S

if TYPE_CHECKING:  # pragma: no cover
    from mmspec.typecheck import TE, AnyType, Ctx, Elaborator

MAX_CAP = 64  # elements of one sequence (each is a slot group; the ground form is O(cap^2))
SEQ_FUNCS = ("len", "head", "tail", "append", "concat", "subseq")


def resolve_seq_type(el: "Elaborator", t: S.SeqT) -> "AnyType":
    from mmspec.typecheck import ERR, ErrType
    elem = el.resolve_type(t.elem)
    cap = el.const_int(t.cap, "a sequence's maximum length")
    if isinstance(elem, ErrType) or cap is None:
        return ERR
    if not 0 <= cap <= MAX_CAP:
        el.err("MMS303", f"a sequence's maximum length must be 0..{MAX_CAP}, not {cap}",
               t.cap.span)
        return ERR
    return ir.SeqType(elem, cap)


def seq_literal(el: "Elaborator", e: S.SeqLiteral, ctx: "Ctx",
                expected: "AnyType | None") -> "TE":
    from mmspec.typecheck import ERR, TE, ErrType, assignable, show_type
    if isinstance(expected, ir.SeqType):
        et = expected.elem
        elems = [el.expect(x, ctx, et, "sequence element").expr for x in e.elems]
        cap = max(expected.cap, len(elems))
        return TE(ir.SeqLit(ir.SeqType(et, cap), tuple(elems), e.span), ir.SeqType(et, cap))
    if not e.elems:
        return el.err("MMS301", "cannot tell the element type of '<<>>' here", e.span,
                      expected="a sequence-typed variable or operand next to it")
    tes = [el.expr(x, ctx) for x in e.elems]
    if any(isinstance(t.type, ErrType) for t in tes):
        return TE(ir.Lit(0, ir.BoolType()), ERR)
    t0 = tes[0].type
    for te in tes[1:]:
        if isinstance(t0, ir.IntType) and isinstance(te.type, ir.IntType):
            t0 = ir.IntType(min(t0.lo, te.type.lo), max(t0.hi, te.type.hi))
        elif not assignable(te.type, t0):
            return el.err("MMS301", f"sequence elements of different types {show_type(t0)} "
                          f"and {show_type(te.type)}", e.span)
    st = ir.SeqType(t0, len(tes))  # type: ignore[arg-type]
    return TE(ir.SeqLit(st, tuple(t.expr for t in tes), e.span), st)


def seq_call(el: "Elaborator", e: S.Call, ctx: "Ctx", expected: "AnyType | None") -> "TE":
    """len(s), head(s), tail(s), append(s, x), concat(s, t), subseq(s, m, n)."""
    from mmspec.typecheck import ERR, TE, ErrType, assignable, show_type
    f, sp = e.func, e.span
    arity = {"len": 1, "head": 1, "tail": 1, "append": 2, "concat": 2, "subseq": 3}[f]
    if not el.nargs(e, arity):
        return TE(ir.Lit(0, ir.BoolType()), ERR)
    want = expected if isinstance(expected, ir.SeqType) and f in (
        "tail", "append", "concat", "subseq") else None
    s = el.expr(e.args[0], ctx, want)
    if isinstance(s.type, ErrType):
        for a in e.args[1:]:
            el.expr(a, ctx)
        return TE(s.expr, ERR)
    if not isinstance(s.type, ir.SeqType):
        return el.err("MMS301", f"{f}() needs a sequence, not {show_type(s.type)}",
                      e.args[0].span, expected="a seq[T] max N value")
    st = s.type
    if f == "len":
        return TE(ir.Unary("len", s.expr, sp), ir.IntType(0, st.cap))
    if f == "head":
        return TE(ir.Unary("head", s.expr, sp), st.elem)
    if f == "tail":
        return TE(ir.Unary("tail", s.expr, sp), st)
    if f == "append":
        x = el.expect(e.args[1], ctx, st.elem, "append()'s element")
        return TE(ir.Binary("append", s.expr, x.expr, sp), st)
    if f == "concat":
        t = el.expr(e.args[1], ctx, ir.SeqType(st.elem, st.cap))
        if isinstance(t.type, ErrType):
            return TE(s.expr, ERR)
        if not isinstance(t.type, ir.SeqType) or not assignable(t.type.elem, st.elem):
            return el.err("MMS301", f"concat() of {show_type(st)} and {show_type(t.type)}",
                          sp)
        return TE(ir.Binary("concat", s.expr, t.expr, sp), st)
    lo = el.expr(e.args[1], ctx)
    hi = el.expr(e.args[2], ctx)
    el.need_int(lo, e.args[1].span, "subseq()")
    el.need_int(hi, e.args[2].span, "subseq()")
    return TE(ir.SubSeq(s.expr, lo.expr, hi.expr, sp), st)


def seq_index(el: "Elaborator", e: S.IndexExpr, base: "TE", ctx: "Ctx") -> "TE":
    """s[i], 1-based; an index outside 1..len(s) is a `domain` violation (grounding)."""
    from mmspec.typecheck import TE
    assert isinstance(base.type, ir.SeqType)
    k = el.expr(e.index, ctx)
    el.need_int(k, e.index.span, "a sequence index")
    return TE(ir.Index(base.expr, k.expr, e.span), base.type.elem)
