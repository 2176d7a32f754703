"""Checking one expression: a function per syntax node kind, looked up in a table.

Each function types its node and elaborates it to IR (`TE`: the IR expression and its type),
reporting errors to the elaborator's sink; `Elaborator.expr` is `expr` here. Names, operators,
calls, locks and types have their own modules (typecheck.py, lockcheck.py, typeexpr.py).
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable

from mmspec import budget as cost
from mmspec import ir
from mmspec import opcheck, operators
from mmspec import seqcheck
from mmspec import waits
from mmspec import syntax as S
from mmspec.checkctx import Ctx
from mmspec.diagnostics import did_you_mean
from mmspec.primes import prime_vars
from mmspec.typerules import (BOOL, ERR, FALSE, INT, MAX_DOMAIN, TE, AnyType, ErrType, assignable,
                              index_of, int_lit, show_type)

if TYPE_CHECKING:
    from mmspec.typecheck import Elaborator

_Check = Callable[["Elaborator", Any, Ctx, "AnyType | None"], TE]


def expr(el: Elaborator, e: S.Expr, ctx: Ctx, expected: AnyType | None = None) -> TE:
    cost.tick()
    sp = e.span
    if ctx.defs_active:
        el.count_expansion()
    elif isinstance(e, S.Call) and e.func in el.sy.defs or (
            isinstance(e, S.Name) and e.id in el.sy.defs):
        el.expansion_root, el.expanded = sp, 0
    fn = _BY_KIND.get(type(e))
    if fn is None:
        raise TypeError(e)  # pragma: no cover
    return fn(el, e, ctx, expected)


def _int(el: Elaborator, e: S.IntLit, ctx: Ctx, expected: AnyType | None) -> TE:
    return TE(int_lit(e.value, e.span), ir.IntType(e.value, e.value))


def _bool(el: Elaborator, e: S.BoolLit, ctx: Ctx, expected: AnyType | None) -> TE:
    return TE(ir.Lit(int(e.value), BOOL, e.span), BOOL)


def _self(el: Elaborator, e: S.SelfRef, ctx: Ctx, expected: AnyType | None) -> TE:
    if ctx.process is None or ctx.self_expr is None or ctx.process.param_type is None:
        return el.err("MMS215", "'self' is only defined inside an indexed process",
                      e.span, expected="process P[i in T] { ... }")
    return TE(ctx.self_expr, ctx.process.param_type)


def _unary(el: Elaborator, e: S.UnaryOp, ctx: Ctx, expected: AnyType | None) -> TE:
    sp = e.span
    if e.op == "not":
        return TE(ir.Unary("not", el.cond(e.arg, ctx, "the operand of '!'"), sp), BOOL)
    if e.op == "addr":
        return el.err("MMS301", "'&' (address of) is only an argument of a kernel "
                      "API call such as atomic_inc(&v)", sp,
                      expected="a value (drop the '&'), or 'a & b' for bitwise and")
    a = el.expr(e.arg, ctx)
    if e.op == "bnot" and isinstance(a.type, ir.BoolType):  # TLA+'s ~ (negation)
        tilde = ir.Span(sp.file, sp.line, sp.col, sp.line, sp.col + 1)
        return el.err("MMS301", "'~' is bitwise not and needs an integer, not bool",
                      tilde, notes=("did you mean '!'? mmspec writes TLA+'s ~ "
                                    "(negation) as !; ~ is C's bitwise not",))
    op = operators.op_name(e.op)  # neg, bnot: arith int -> int (mmspec/operators.py)
    el.need_int(a, e.arg.span, f"'{operators.symbol(op)}'")
    out = TE(ir.Unary(op, a.expr, sp), ERR if isinstance(a.type, ErrType) else INT)
    folded = el.static_value(out.expr) if e.op == "bnot" else None
    if isinstance(folded, int):
        return TE(int_lit(folded, sp), ir.IntType(folded, folded))
    return out


def _if(el: Elaborator, e: S.IfExpr, ctx: Ctx, expected: AnyType | None) -> TE:
    c = el.cond(e.cond, ctx)
    a = el.expr(e.then, ctx, expected)
    b = el.expr(e.other, ctx, expected if expected is not None else a.type)
    t = el.join(a, b, e.span, "the branches of if-then-else")
    return TE(ir.Ite(c, a.expr, b.expr, e.span), t)


def _binder(el: Elaborator, var: str, t: ir.Type, ctx: Ctx) -> tuple[str, Ctx]:
    """A fresh name for a binder's variable and the scope of its body."""
    v = el.fresh(var, ctx)
    return v, replace(ctx.bind(var, TE(ir.ParamRef(v), t)), taken=ctx.taken | {v})


def _set_compr(el: Elaborator, e: S.SetCompr, ctx: Ctx, expected: AnyType | None) -> TE:
    dom = el.domain(e.domain, ctx)
    if dom is None:
        return TE(FALSE, ERR)
    t, within = dom
    v, inner = _binder(el, e.var, t, ctx)
    c = el.cond(e.cond, inner)
    if within is not None:
        c = ir.Binary("and", ir.Binary("in", ir.ParamRef(v), within), c)
    return TE(ir.SetComp(v, t, c, e.span), ir.SetType(t))


def _map_literal(el: Elaborator, e: S.MapLiteral, ctx: Ctx, expected: AnyType | None) -> TE:
    dom = el.domain(e.domain, ctx)
    if dom is None:
        return TE(FALSE, ERR)
    kt, within = dom
    if within is not None:
        return el.err("MMS301", "a map literal's domain must be a type", e.domain.span)
    v, inner = _binder(el, e.var, kt, ctx)
    want = expected.value if isinstance(expected, ir.MapType) else None
    body = el.expr(e.body, inner, want)
    if isinstance(body.type, ErrType):
        return TE(FALSE, ERR)
    vt = body.type
    if want is not None and assignable(vt, want):
        vt = want
    elif isinstance(vt, ir.IntType) and vt == INT:
        return el.err("MMS301", "cannot tell the value type of this map literal",
                      e.span, expected="a map literal where a map variable's type is known")
    return TE(ir.MapLit(v, kt, body.expr, e.span), ir.MapType(kt, vt))


def _quant(el: Elaborator, e: S.QuantExpr, ctx: Ctx, expected: AnyType | None) -> TE:
    dom = el.domain(e.domain, ctx)
    if dom is None:
        return TE(FALSE, ERR)
    t, within = dom
    v, inner = _binder(el, e.var, t, ctx)
    qbody = el.cond(e.body, inner, "a quantifier's body")
    if e.kind == "choose":
        return TE(ir.Choose(v, t, qbody, within, e.span), t)
    return TE(ir.Quant(e.kind, v, t, qbody, within, e.span), BOOL)


_BY_KIND: dict[type, _Check] = {
    S.IntLit: _int, S.BoolLit: _bool, S.SelfRef: _self, S.UnaryOp: _unary, S.IfExpr: _if,
    S.Name: lambda el, e, ctx, want: el.name(e, ctx, want),
    S.BinOp: opcheck.binop,  # directly: one frame per nesting level, as before
    S.Call: lambda el, e, ctx, want: el.call(e, ctx, want),
    S.IndexExpr: lambda el, e, ctx, want: el.index(e, ctx),
    S.FieldExpr: lambda el, e, ctx, want: el.field(e, ctx),
    S.AtExpr: lambda el, e, ctx, want: el.at(e, ctx),
    S.Primed: lambda el, e, ctx, want: el.primed(e, ctx, want),
    S.SetLiteral: lambda el, e, ctx, want: el.set_literal(e, ctx, want),
    S.SeqLiteral: lambda el, e, ctx, want: seqcheck.seq_literal(el, e, ctx, want),
    S.SetCompr: _set_compr, S.MapLiteral: _map_literal,
    S.RecordLiteral: lambda el, e, ctx, want: el.record_literal(e, ctx, want),
    S.WithExpr: lambda el, e, ctx, want: el.with_expr(e, ctx, want),
    S.QuantExpr: _quant,
}


# --------------------------------------------------------------------------- composite values


def primed(el: Elaborator, e: S.Primed, ctx: Ctx, expected: AnyType | None) -> TE:
    """`e'`: e in the next state (the state variables it reads are primed)."""
    if not ctx.primes:
        return el.err("MMS315", "a primed expression is not allowed here", e.span,
                        expected="x' only in an action_constraint or an `always [...]` "
                        "action property")
    te = el.expr(e.base, replace(ctx, primes=False), expected)
    return TE(prime_vars(te.expr), te.type)


def set_literal(el: Elaborator, e: S.SetLiteral, ctx: Ctx, expected: AnyType | None) -> TE:
    if isinstance(expected, ir.SetType):
        et = expected.elem
        elems = []
        for x in e.elems:
            te = el.expr(x, ctx, et)
            if not assignable(te.type, et):
                el.err("MMS301", f"set element of type {show_type(te.type)} in a "
                         f"set[{show_type(et)}]", x.span)
                continue
            v = el.static_value(te.expr)
            if isinstance(v, int) and not ir.in_domain(v, et):
                el.err("MMS303", f"{v} is not in the element type {show_type(et)}",
                         x.span)
            elems.append(te.expr)
        return TE(ir.SetLit(et, tuple(elems), e.span), expected)
    if not e.elems:
        return el.err("MMS301", "cannot tell the element type of '{}' here", e.span,
                        expected="a set-typed variable or operand next to it")
    tes = [el.expr(x, ctx) for x in e.elems]
    if any(isinstance(t.type, ErrType) for t in tes):
        return TE(FALSE, ERR)
    t0 = tes[0].type
    if isinstance(t0, ir.IntType):
        if not all(isinstance(t.type, ir.IntType) for t in tes):
            return el.err("MMS301", "set elements of different types", e.span)
        lo = min(t.type.lo for t in tes)  # type: ignore[union-attr]
        hi = max(t.type.hi for t in tes)  # type: ignore[union-attr]
        if hi - lo >= MAX_DOMAIN:
            return el.err("MMS301", "cannot tell the element type of this set",
                            e.span, expected="a set next to a set-typed variable, or "
                            "constant elements")
        sym = t0.symmetric if all(t.type == t0 for t in tes) else None
        et = ir.IntType(lo, hi, False, sym)
    elif ir.is_scalar(t0) or ir.is_product(t0):  # type: ignore[arg-type]
        if not all(t.type == t0 for t in tes):
            return el.err("MMS301", "set elements of different types", e.span,
                            expected="a set next to a set-typed variable")
        et = t0  # type: ignore[assignment]
    else:
        return el.err("MMS319", f"set elements must be scalars, not {show_type(t0)}",
                        e.span)
    return TE(ir.SetLit(et, tuple(t.expr for t in tes), e.span), ir.SetType(et))


def record_literal(el: Elaborator, e: S.RecordLiteral, ctx: Ctx, expected: AnyType | None) -> TE:
    names = [f for f, _ in e.fields]
    if len(set(names)) != len(names):
        return el.err("MMS201", "a record literal names a field twice", e.span)
    if isinstance(expected, ir.RecordType):
        want = [f for f, _ in expected.fields]
        if sorted(want) != sorted(names):
            return el.err("MMS316", f"record literal has fields {{{', '.join(names)}}} "
                            f"but the type has {{{', '.join(want)}}}", e.span)
        given = dict(e.fields)
        vals = [el.expect(given[f], ctx, ft, f"field '{f}'").expr
                for f, ft in expected.fields]
        return TE(ir.RecordLit(expected, tuple(vals), e.span), expected)
    tes = [(f, el.expr(x, ctx)) for f, x in e.fields]
    if any(isinstance(t.type, ErrType) for _, t in tes):
        return TE(FALSE, ERR)
    rt = ir.RecordType(tuple((f, t.type) for f, t in tes))  # type: ignore[misc]
    return TE(ir.RecordLit(rt, tuple(t.expr for _, t in tes), e.span), rt)


def with_expr(el: Elaborator, e: S.WithExpr, ctx: Ctx, expected: AnyType | None) -> TE:
    base = el.expr(e.base, ctx, expected)
    if isinstance(base.type, ErrType):
        return base
    path: list[ir.Expr | str] = []
    t: AnyType = base.type
    for step in e.path:
        if isinstance(step, str):
            if not isinstance(t, ir.RecordType):
                return el.err("MMS301", f"'.{step}' on {show_type(t)}", e.span)
            fields = dict(t.fields)
            if step not in fields:
                return el.err("MMS316", f"no field '{step}' in {show_type(t)}", e.span)
            path.append(step)
            t = fields[step]
        elif isinstance(t, ir.SeqType):
            k = el.expect(step, ctx, INT, "sequence index")
            path.append(k.expr)
            t = t.elem
        else:
            if not isinstance(t, ir.MapType):
                return el.err("MMS305", f"cannot index {show_type(t)}", step.span)
            k = el.expect(step, ctx, t.key, "map index")
            path.append(k.expr)
            t = t.value
    v = el.expect(e.value, ctx, t, "the new value")
    return TE(ir.Except(base.expr, tuple(path), v.expr, e.span), base.type)


def index(el: Elaborator, e: S.IndexExpr, ctx: Ctx) -> TE:
    if isinstance(e.base, S.Name) and e.base.id not in ctx.bound and \
            el.sy.kind_of(e.base.id) in ("process", "lock"):
        kind = el.sy.kind_of(e.base.id)
        return el.err("MMS301", f"'{e.base.id}[...]' is a {kind} instance, not a value",
                        e.span)
    base = el.expr(e.base, ctx)
    if isinstance(base.type, ErrType):
        el.expr(e.index, ctx)
        return base
    if isinstance(base.type, ir.SeqType):
        return seqcheck.seq_index(el, e, base, ctx)
    if not isinstance(base.type, ir.MapType):
        el.expr(e.index, ctx)
        return el.err("MMS305", f"cannot index a value of type {show_type(base.type)}",
                        e.span, expected="a map or a sequence")
    k = el.expr(e.index, ctx, base.type.key)
    if not assignable(k.type, base.type.key):
        el.err("MMS305", f"index of type {show_type(k.type)} for a map over "
                 f"{show_type(base.type.key)}", e.index.span)
    # An index outside the keys is decided by grounding, which knows the guards: an
    # error (MMS303) where no guard protects the read, else a `domain` violation found
    # by the search only if the read is evaluated (never behind a false guard).
    return TE(index_of(base.expr, k.expr, e.span), base.type.value)


def field(el: Elaborator, e: S.FieldExpr, ctx: Ctx) -> TE:
    if isinstance(e.base, S.FieldExpr):  # `P[i].f.t`: the local t of proc f (as traces and
        inst = el.process_instance(e.base.base, ctx, quiet=True)  # pdr's invariants show it)
        if inst is not None and f"{e.base.name}.{e.name}" in inst[0].locals:
            return field(el, replace(e, base=e.base.base, name=f"{e.base.name}.{e.name}"),
                         ctx)
    if isinstance(e.base, S.Name) and e.base.id in el.sy.waits:  # wq.waiters, w.task, c.done
        tid = el.tid_type
        fld, t, _ = waits.state_of(el.sy.waits[e.base.id].kind, tid.hi + 1, tid)
        if e.name == fld:
            var = f"{e.base.id}.{fld}"
            return TE(ctx.sym.read(var) if ctx.sym else ir.VarRef(var), t)
    inst = el.process_instance(e.base, ctx, quiet=True)
    if inst is not None:
        p, idx = inst
        if e.name not in p.locals:
            hint = did_you_mean(e.name, list(p.locals))
            return el.err("MMS204", f"process '{p.name}' has no local '{e.name}'",
                            e.span, expected=f"a local of {p.name}" +
                            (f" (did you mean '{hint}'?)" if hint else ""))
        var, t = p.locals[e.name]
        base: ir.Expr = ctx.sym.read(var) if ctx.sym else ir.VarRef(var)
        return TE(base if idx is None else index_of(base, idx, e.span), t)
    b = el.expr(e.base, ctx)
    if isinstance(b.type, ErrType):
        return b
    if not isinstance(b.type, ir.RecordType):
        return el.err("MMS301", f"'.{e.name}' on a value of type {show_type(b.type)}",
                        e.span, expected="a record")
    fields = dict(b.type.fields)
    if e.name not in fields:
        hint = did_you_mean(e.name, list(fields))
        return el.err("MMS316", f"no field '{e.name}' in {show_type(b.type)}", e.span,
                        expected="one of " + ", ".join(fields) +
                        (f" (did you mean '{hint}'?)" if hint else ""))
    return TE(ir.Field(b.expr, e.name, e.span), fields[e.name])

