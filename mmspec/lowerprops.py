"""Properties and fairness, lowered: invariants, state/action constraints, initial predicates,
liveness properties (one instance per binding), fairness and the final-state predicate. Part
of the lowering (`_Lowering` delegates here).
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from mmspec import ir
from mmspec import syntax as S
from mmspec.cfg import DONE
from mmspec.diagnostics import did_you_mean
from mmspec.lowerstep import _Step as _Step, _shown
from mmspec.typecheck import TE, Ctx, conj

if TYPE_CHECKING:
    from mmspec.lower import _Lowering


def prop_ctx(low: _Lowering, what: str) -> Ctx:
    return Ctx(where=what, locals_visible=False)


def invariants(low: _Lowering) -> tuple[ir.Invariant, ...]:
    out = []
    for name, d in low.sy.invariants.items():
        e = low.el.cond(d.expr, low.prop_ctx("invariant"), "an invariant")
        out.append(ir.Invariant(name, e, d.helper, span=d.span))
    return tuple(out)


def constraints(low: _Lowering) -> tuple[ir.Constraint, ...]:
    out = []
    for name, d in low.sy.constraints.items():
        ctx = replace(low.prop_ctx("constraint"), primes=d.action)
        e = low.el.cond(d.expr, ctx, "a constraint")
        out.append(ir.Constraint(name, e, d.action, span=d.span))
    return tuple(out)


def initials(low: _Lowering) -> tuple[ir.Invariant, ...]:
    out = []
    for name, d in low.sy.initials.items():
        e = low.el.cond(d.expr, low.prop_ctx("initial predicate"), "an initial predicate")
        out.append(ir.Invariant(name, e, span=d.span))
    return tuple(low.init_preds + out)


def liveness(low: _Lowering) -> tuple[ir.Liveness, ...]:
    out = []
    low.step_properties = []
    for name, d in low.sy.properties.items():
        for shown, ctx in low.property_instances(name, d):
            if d.kind == "always_step":
                q = low.el.cond(d.q, replace(ctx, primes=True), "an action property")
                low.step_properties.append(ir.Invariant(shown, q, span=d.span))
                continue
            p = low.el.cond(d.p, ctx, "a property") if d.p is not None else None
            q = low.el.cond(d.q, ctx, "a property")
            out.append(ir.Liveness(shown, d.kind, p, q, span=d.span))
    return tuple(out)


def property_instances(low: _Lowering, name: str, d: S.PropertyDecl) -> list[tuple[str, Ctx]]:
    """`forall a in S: body` expands to one property per value of a (in S's order),
    named NAME[a=v]; a property without binders is one instance."""
    out: list[tuple[str, Ctx, list[str]]] = [(name, low.prop_ctx("property"), [])]
    for var, dom in d.binders:
        nxt: list[tuple[str, Ctx, list[str]]] = []
        for shown, ctx, vals in out:
            got = low.el.domain(dom, ctx)
            if got is None:
                return []
            t, within = got
            members = None
            if within is not None:
                v = low.el.try_const(within, d.span, "a property's domain")
                if not isinstance(v, frozenset):
                    return []
                members = v
            for k in ir.domain_values(t):
                if members is not None and k not in members:
                    continue
                te = TE(ir.Lit(k, t), t)
                nxt.append((shown, ctx.bind(var, te), vals + [f"{var}={_shown(t, k)}"]))
        out = nxt
    return [(f"{n}[{', '.join(v)}]" if v else n, c) for n, c, v in out]


def fairness(low: _Lowering) -> tuple[ir.Fairness, ...]:
    out: list[ir.Fairness] = []
    for d in low.loaded.decls:
        if isinstance(d, S.ProcessDecl) and d.fairness and d.name in low.el.processes:
            out.append(ir.Fairness(d.fairness, process=d.name, span=d.span))
        elif isinstance(d, S.ActionDecl) and d.fairness:
            out.append(ir.Fairness(d.fairness, action=d.name, span=d.span))
        elif isinstance(d, S.FairRef) and d.next:
            out.append(ir.Fairness(d.kind, span=d.span, every=True))
        elif isinstance(d, S.FairRef) and d.group:
            for a in d.group:
                if a not in low.sy.actions:
                    hint = did_you_mean(a, list(low.sy.actions))
                    low.sink.error("MMS204", f"unknown action '{a}'", d.span,
                                    expected="an action declared in this spec" +
                                    (f" (did you mean '{hint}'?)" if hint else ""))
            out.append(ir.Fairness(d.kind, span=d.span, group=d.group))
        elif isinstance(d, S.FairRef):
            if d.action not in low.sy.actions:
                hint = did_you_mean(d.action, list(low.sy.actions))
                low.sink.error("MMS204", f"unknown action '{d.action}'", d.span,
                                expected="an action declared in this spec" +
                                (f" (did you mean '{hint}'?)" if hint else ""))
            else:
                out.append(ir.Fairness(d.kind, action=d.action, span=d.span))
    return tuple(out)


def final(low: _Lowering) -> ir.Expr | None:
    parts: list[ir.Expr] = []
    for name, d in low.sy.processes.items():
        info = low.el.processes.get(name)
        if info is None or info.pc_type is None:
            continue
        members = info.pc_type.members
        ok = [DONE]
        for lab, sp in zip(d.final, d.final_spans or tuple(d.span for _ in d.final)):
            if lab in members:
                ok.append(lab)
            elif lab in info.merged_labels:
                low.sink.error("MMS321", f"final label '{lab}' is not a step boundary",
                                sp, notes=(f"it is merged into step "
                                           f"'{info.merged_labels[lab]}'",))
            else:
                hint = did_you_mean(lab, list(members))
                low.sink.error("MMS205", f"process '{name}' has no label '{lab}'", sp,
                                expected="a label of this process" +
                                (f" (did you mean '{hint}'?)" if hint else ""))
        pc: ir.Expr = ir.VarRef(f"{name}.pc")
        if info.param_type is None:
            parts.append(_any_of(pc, ok, info.pc_type))
        else:
            v = f"{info.param}_t" if info.param else "t"
            parts.append(ir.Quant("forall", v, info.param_type,
                                  _any_of(ir.Index(pc, ir.ParamRef(v)), ok, info.pc_type)))
    if not parts:
        return None
    return conj(parts)


def _any_of(pc: ir.Expr, labels: list[str], t: ir.EnumType) -> ir.Expr:
    out: ir.Expr | None = None
    for lab in labels:
        e = ir.Binary("eq", pc, ir.Lit(t.members.index(lab), t))
        out = e if out is None else ir.Binary("or", out, e)
    assert out is not None
    return out
