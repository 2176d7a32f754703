"""TLA+-style actions, lowered: each `action` becomes transitions (its picks and guard
witnesses as parameters, its primed assignments as updates). Part of the lowering
(`_Lowering` delegates here).
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Sequence

from mmspec import ir
from mmspec import syntax as S
from mmspec.diagnostics import did_you_mean
from mmspec.symexec import SymState
from mmspec.lowerstep import _Step as _Step
from mmspec.typecheck import INT, TE, Ctx, ErrType, conj, show_type

if TYPE_CHECKING:
    from mmspec.lower import _Lowering


def action(low: _Lowering, d: S.ActionDecl) -> None:
    ctx = Ctx(where="action", locals_visible=False)
    params: list[ir.Param] = []
    guards: list[ir.Expr] = []
    for b in d.params:
        dom = low.el.domain(b.domain, ctx)
        if dom is None:
            continue
        t, within = dom
        pname = low.el.fresh(b.name, ctx)
        ctx = replace(ctx.bind(b.name, TE(ir.ParamRef(pname), t)),
                      taken=ctx.taken | {pname})
        params.append(ir.Param(pname, t))
        if within is not None:
            guards.append(ir.Binary("in", ir.ParamRef(pname), within))
    if d.guard is not None:
        guards.extend(low.guard_with_witnesses(d.guard, ctx, params))
    sym = SymState(simultaneous=True)
    ctx = replace(ctx, sym=sym)
    seen: dict[tuple[str, str], ir.Span] = {}
    for pa in d.body:
        if isinstance(pa, S.Pick):  # TLA+'s `\E x \in S: ...` around the rest
            ctx = low.action_pick(pa, ctx, params, guards)
            continue
        lv = low.lvalue_primed(pa, ctx)
        if lv is None:
            continue
        root, path, t = lv
        key = (root, repr(path))
        if key in seen:
            low.sink.error("MMS314", f"'{pa.name}' is assigned twice in action "
                            f"'{d.name}'", pa.span, notes=(f"first at {seen[key]}",))
            continue
        seen[key] = pa.span
        if low.memory == "lkmm" and root in low.mem_plan.locs:
            low.sink.error("MMS315", f"under memory = lkmm an action cannot write the "
                            f"memory location '{root}'", pa.span,
                            expected="a process step (or declare it ghost)")
        v = low.el.expect(pa.value, ctx, t, f"value for {pa.name}'")
        sym.write(root, path, v.expr)
    low.transitions.append(ir.Transition(d.name, tuple(params), conj(guards),
                                          sym.updates(), span=d.span))


def action_pick(low: _Lowering, pk: S.Pick, ctx: Ctx, params: list[ir.Param],
                guards: list[ir.Expr]) -> Ctx:
    """`pick x in S [where P]` in an action: a witness parameter x (one step per
    value, as TLC enumerates an exists), visible to the rest of the action."""
    dom = low.el.domain(pk.domain, ctx)
    if dom is None:
        return ctx
    t, within = dom
    pname = low.el.fresh(pk.var, ctx)
    ctx = replace(ctx.bind(pk.var, TE(ir.ParamRef(pname), t)), taken=ctx.taken | {pname})
    params.append(ir.Param(pname, t, witness=True))
    if within is not None:
        guards.append(ir.Binary("in", ir.ParamRef(pname), within))
    if pk.cond is not None:
        guards.append(low.el.cond(pk.cond, ctx, "a pick's where"))
    return ctx


def guard_with_witnesses(low: _Lowering, g: S.Expr, ctx: Ctx, params: list[ir.Param]
                         ) -> list[ir.Expr]:
    """An action's guard, with each `exists x in S: P` among its top-level conjuncts
    (and theirs, recursively) turned into a witness parameter x with the guard
    `x in S && P`: TLC enumerates an action's exists one witness at a time, so each
    witness is a generated successor of its own. The witness is visible to the guard
    only (TLA+ scopes it to the quantifier)."""
    if isinstance(g, S.BinOp) and g.op == "and":
        return (low.guard_with_witnesses(g.left, ctx, params) +
                low.guard_with_witnesses(g.right, ctx, params))
    if isinstance(g, S.QuantExpr) and g.kind == "exists":
        dom = low.el.domain(g.domain, ctx)
        if dom is None:
            return []
        t, within = dom
        pname = low.el.fresh(g.var, ctx)
        inner = replace(ctx.bind(g.var, TE(ir.ParamRef(pname), t)),
                        taken=ctx.taken | {pname})
        params.append(ir.Param(pname, t, witness=True))
        out: list[ir.Expr] = []
        if within is not None:
            out.append(ir.Binary("in", ir.ParamRef(pname), within))
        return out + low.guard_with_witnesses(g.body, inner, params)
    return [low.el.cond(g, ctx, "an action's guard")]


def lvalue_primed(low: _Lowering, pa: S.PrimedAssign, ctx: Ctx
                  ) -> tuple[str, tuple[ir.Expr | str, ...], ir.Type] | None:
    kind = low.sy.kind_of(pa.name)
    if pa.name in ctx.bound or kind != "variable":
        if kind is None and pa.name not in ctx.bound:
            hint = did_you_mean(pa.name, list(low.sy.vars))
            low.el.err("MMS204", f"unknown variable '{pa.name}'", pa.span,
                        expected="a state variable" +
                        (f" (did you mean '{hint}'?)" if hint else ""))
        else:
            low.el.err("MMS313", f"cannot assign to '{pa.name}': not a state variable",
                        pa.span)
        return None
    t = low.el.var_type(pa.name)
    if isinstance(t, ErrType):
        return None
    return low.walk_path(pa.name, t, pa.path, ctx, pa.span)


def walk_path(low: _Lowering, root: str, t: ir.Type, steps: Sequence[S.Expr | str],
              ctx: Ctx, span: ir.Span, prefix: tuple[ir.Expr | str, ...] = ()
              ) -> tuple[str, tuple[ir.Expr | str, ...], ir.Type] | None:
    path: list[ir.Expr | str] = list(prefix)
    for st in steps:
        if isinstance(st, str):
            if not isinstance(t, ir.RecordType):
                low.el.err("MMS313", f"'.{st}' on a value of type {show_type(t)}", span)
                return None
            fields = dict(t.fields)
            if st not in fields:
                low.el.err("MMS316", f"no field '{st}' in {show_type(t)}", span)
                return None
            path.append(st)
            t = fields[st]
        elif isinstance(t, ir.SeqType):
            k = low.el.expect(st, ctx, INT, "sequence index")
            if isinstance(k.type, ErrType):
                return None
            path.append(k.expr)
            t = t.elem
        else:
            if not isinstance(t, ir.MapType):
                low.el.err("MMS305", f"cannot index a value of type {show_type(t)}",
                            st.span)
                return None
            k = low.el.expect(st, ctx, t.key, "map index")
            if isinstance(k.type, ErrType):
                return None
            v = low.el.static_value(k.expr)
            if isinstance(v, int) and not ir.in_domain(v, t.key):
                low.el.err("MMS303", f"index {v} is outside the map's keys "
                            f"{show_type(t.key)}", st.span)
            path.append(k.expr)
            t = t.value
    return root, tuple(path), t
