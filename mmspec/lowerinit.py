"""Initial values of state variables: `= e`, `in S`, `where P` and the defaults, as the list of
values (or the predicate) each variable may start with. Part of the lowering (`_Lowering`
delegates here).
"""
from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from mmspec import initvalues, ir
from mmspec import syntax as S
from mmspec.lowerstep import _Step as _Step
from mmspec.typecheck import Ctx, ErrType, assignable, show_type, zero_value

if TYPE_CHECKING:
    from mmspec.lower import _Lowering

MAX_INIT = 100_000  # initial values one variable may take (listed)


def init_values(low: _Lowering, decl: S.VarDecl, t: ir.Type, per: int | None = None
                ) -> tuple[ir.Value, ...]:
    """Initial values of a variable; `per` (not None) builds a map of `per` independent
    copies, one per thread of a process array (a one-thread array is still a map)."""
    if per is None and low.init_by_predicate(decl, t):
        one: list[ir.Value] = low.whole_type(decl, t)
    elif decl.init is None:
        one = [zero_value(t)]
    elif decl.init_in and not ir.is_scalar(t):
        one = low.maps_in(decl, t)
    elif decl.init_in:
        one = low.init_in(decl, t)
    else:
        v = low.init_eq(decl.init, t)
        one = [v] if v is not None else []
    if not one:
        return ()
    if per is None:
        return tuple(one)
    total = len(one) ** per
    if total > MAX_INIT:
        low.sink.error("MMS402", f"'{decl.name}' alone has {total} initial states",
                        decl.span, expected=f"at most {MAX_INIT}")
        return ()
    return tuple(tuple(c) for c in itertools.product(one, repeat=per))


def init_by_predicate(low: _Lowering, decl: S.VarDecl, t: ir.Type) -> bool:
    """Does this variable start in its whole type, narrowed by an initial predicate
    (mmspec/initvalues.py)? If its `= e` reads variables, `v == e` becomes one."""
    if decl.init is None:
        return bool(low.sy.initials)
    if decl.init_in or not initvalues.reads_variables(decl.init, set(low.sy.vars)):
        return False
    ctx = Ctx(where="initial value", locals_visible=False)
    e = low.el.cond(S.BinOp("eq", S.Name(decl.name, span=decl.name_span), decl.init,
                             span=decl.init.span), ctx, "an initial value")
    low.init_preds.append(ir.Invariant(f"{decl.name} initial value", e,
                                        span=decl.init.span))
    return True


def whole_type(low: _Lowering, decl: S.VarDecl, t: ir.Type) -> list[ir.Value]:
    try:
        return initvalues.all_values(t)
    except initvalues.TooMany:
        low.sink.error("MMS402", f"'{decl.name}' has more than {MAX_INIT} values to "
                        "start in", decl.span, expected="an initial value, or a smaller type")
        return []


def maps_in(low: _Lowering, decl: S.VarDecl, t: ir.Type) -> list[ir.Value]:
    """`var m: map[K] V in S`: every map into the set S of V's values."""
    assert decl.init is not None
    leaf = t
    while isinstance(leaf, ir.MapType):
        leaf = leaf.value
    if not ir.is_scalar(leaf):
        low.el.err("MMS301", "'in S' initialises scalars and maps of scalars only",
                    decl.init.span, expected="an `initial` predicate for this variable")
        return []
    leaves = low.init_in(decl, leaf)
    try:
        out = initvalues.maps_into(t, [int(x) for x in leaves])  # type: ignore[arg-type]
    except initvalues.TooMany:
        low.sink.error("MMS402", f"'{decl.name}' has more than {MAX_INIT} values to "
                        "start in", decl.span, expected="a smaller set or type")
        return []
    return out or []


def init_eq(low: _Lowering, e: S.Expr, t: ir.Type) -> ir.Value | None:
    ctx = Ctx(where="constant", locals_visible=False)
    # a scalar initialiser fills every entry of a map
    depth, want = 0, t
    while isinstance(want, ir.MapType):
        trial = low.el.quiet(lambda: low.el.expr(e, ctx, want))
        if not isinstance(trial.type, ErrType) and assignable(trial.type, want):
            break
        depth += 1
        want = want.value
    else:
        trial = low.el.quiet(lambda: low.el.expr(e, ctx, want))
        if isinstance(trial.type, ErrType) or not assignable(trial.type, want):
            depth, want = 0, t
    te = low.el.expr(e, ctx, want)
    if isinstance(te.type, ErrType):
        return None
    if not assignable(te.type, want):
        low.el.err("MMS301", f"initial value of type {show_type(te.type)} for a variable "
                    f"of type {show_type(t)}", e.span)
        return None
    v = low.el.try_const(te.expr, e.span, "an initial value")
    if v is None:
        return None
    if not low.value_fits(v, want, e.span):
        return None
    mt: ir.Type = t
    shapes: list[int] = []
    for _ in range(depth):
        assert isinstance(mt, ir.MapType)
        shapes.append(ir.domain_size(mt.key))
        mt = mt.value
    for n in reversed(shapes):
        v = tuple(v for _ in range(n))
    return v


def value_fits(low: _Lowering, v: ir.Value, t: ir.Type, span: ir.Span) -> bool:
    if isinstance(t, ir.IntType):
        if not t.wrap and not (t.lo <= v <= t.hi):  # type: ignore[operator]
            low.el.err("MMS303", f"initial value {v} is out of range {t.lo}..{t.hi}",
                        span)
            return False
        if t.values is not None and v not in t.values:
            low.el.err("MMS303", f"initial value {v} is not one of the declared values "
                        f"of {show_type(t)}", span)
            return False
        return True
    if isinstance(t, ir.MapType):
        return all(low.value_fits(x, t.value, span) for x in v)  # type: ignore[union-attr]
    if isinstance(t, ir.RecordType):
        return all(low.value_fits(x, ft, span)
                   for x, (_, ft) in zip(v, t.fields))  # type: ignore[arg-type]
    if isinstance(t, ir.SeqType):
        n = len(v)  # type: ignore[arg-type]
        if n > t.cap:
            low.el.err("MMS303", f"initial sequence has {n} elements, more than its "
                        f"maximum {t.cap}", span)
            return False
        return all(low.value_fits(x, t.elem, span) for x in v)  # type: ignore[union-attr]
    return True


def init_in(low: _Lowering, decl: S.VarDecl, t: ir.Type) -> list[ir.Value]:
    assert decl.init is not None
    if not ir.is_scalar(t):
        low.el.err("MMS301", "'in S' initialises scalar variables only", decl.init.span)
        return []
    te = low.el.expr(decl.init, Ctx(where="constant", locals_visible=False),
                      ir.SetType(t))
    if isinstance(te.type, ErrType):
        return []
    if not isinstance(te.type, ir.SetType) or not assignable(te.type.elem, t):
        low.el.err("MMS301", f"'in' needs a set of {show_type(t)}, not "
                    f"{show_type(te.type)}", decl.init.span)
        return []
    v = low.el.try_const(te.expr, decl.init.span, "an initial set")
    if not isinstance(v, frozenset):
        return []
    vals = sorted(v)
    bad = [x for x in vals if not ir.in_domain(x, t)]
    if bad:
        low.el.err("MMS303", f"initial value {bad[0]} is out of range of "
                    f"{show_type(t)}", decl.init.span)
        return []
    if not vals:
        low.el.err("MMS301", f"'{decl.name}' has no initial value (the set is empty)",
                    decl.init.span)
    return list[ir.Value](vals)
