"""Type expressions to IR types: named types, ranges and value sets, key types, binder domains.
Part of the checker (`Elaborator` delegates here).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from mmspec import ir, seqcheck
from mmspec import syntax as S
from mmspec.checkctx import Ctx
from mmspec.diagnostics import did_you_mean
from mmspec.typerules import (BOOL, ERR, MAX_DOMAIN, MAX_SLOTS, AnyType, ErrType, show_type,
                              slot_count)

if TYPE_CHECKING:
    from mmspec.typecheck import Elaborator


def named_type(el: Elaborator, name: str, span: ir.Span) -> AnyType:
    if name in el.type_values:
        return el.type_values[name]
    if name not in el.sy.types:
        kind = el.sy.kind_of(name)
        if kind is not None:
            el.err("MMS202", f"'{name}' is a {kind}, not a type", span)
        else:
            hint = did_you_mean(name, list(el.sy.types) + ["bool"])
            el.err("MMS202", f"unknown type '{name}'", span,
                     expected="a type name, bool, lo..hi, enum, map, set or record" +
                     (f" (did you mean '{hint}'?)" if hint else ""))
        return ERR
    if name in el._type_active:
        el.err("MMS209", f"type '{name}' is defined in terms of itself", span)
        el.type_values[name] = ERR
        return ERR
    decl = el.sy.types[name]
    el._type_active.append(name)
    try:
        t = el.resolve_type(decl.type, enum_name=name)
    finally:
        el._type_active.pop()
    if decl.symmetric and not isinstance(t, ErrType):
        if not isinstance(t, ir.IntType) or t.wrap:
            el.err("MMS319", f"symmetric type '{name}' must be an integer range "
                     f"lo..hi, not {show_type(t)}", decl.span)
            t = ERR
        else:
            t = ir.IntType(t.lo, t.hi, False, name)
            if name not in el.symmetric:
                el.symmetric.append(name)
    el.type_values[name] = t
    return t


def resolve_type(el: Elaborator, t: S.TypeExpr, enum_name: str | None = None) -> AnyType:
    if isinstance(t, S.BoolT):
        return BOOL
    if isinstance(t, S.NamedT):
        return el.named_type(t.name, t.span)
    if isinstance(t, S.RangeT):
        lo = el.const_int(t.lo, "a range bound")
        hi = el.const_int(t.hi, "a range bound")
        if lo is None or hi is None:
            return ERR
        if lo > hi:
            el.err("MMS304", f"empty range {lo}..{hi}", t.span,
                     expected="lo <= hi")
            return ERR
        if t.values is not None:
            return el.value_set(lo, hi, t)
        return ir.IntType(lo, hi, t.wrap)
    if isinstance(t, S.EnumT):
        seen: set[str] = set()
        for m, sp in zip(t.members, t.member_spans or tuple(t.span for _ in t.members)):
            if m in seen:
                el.err("MMS201", f"enum member '{m}' appears twice", sp)
            seen.add(m)
        name = enum_name or "{" + ", ".join(t.members) + "}"
        return ir.EnumType(name, t.members)
    if isinstance(t, S.MapT):
        k = el.resolve_type(t.key)
        v = el.resolve_type(t.value)
        if isinstance(k, ErrType) or isinstance(v, ErrType):
            return ERR
        if not el.check_key_type(k, t.key.span, "a map key"):
            return ERR
        out = ir.MapType(k, v)
        if slot_count(out) > MAX_SLOTS:
            el.err("MMS401", f"type {show_type(out)} has more than {MAX_SLOTS} cells",
                     t.span)
            return ERR
        return out
    if isinstance(t, S.SetT):
        e = el.resolve_type(t.elem)
        if isinstance(e, ErrType):
            return ERR
        if not el.check_key_type(e, t.elem.span, "a set element", product=True):
            return ERR
        return ir.SetType(e)
    if isinstance(t, S.SeqT):
        return seqcheck.resolve_seq_type(el, t)
    if isinstance(t, S.RecordT):
        fields: list[tuple[str, ir.Type]] = []
        names: set[str] = set()
        bad = False
        for f, ft in t.fields:
            if f in names:
                el.err("MMS201", f"record field '{f}' appears twice", ft.span)
            names.add(f)
            r = el.resolve_type(ft)
            if isinstance(r, ErrType):
                bad = True
            else:
                fields.append((f, r))
        return ERR if bad else ir.RecordType(tuple(fields))
    raise TypeError(t)  # pragma: no cover


def value_set(el: Elaborator, lo: int, hi: int, t: S.RangeT) -> AnyType:
    """`lo..hi values {a, b, ...}`: constants within lo..hi (a compact domain)."""
    assert t.values is not None
    vals: set[int] = set()
    for e in t.values:
        if isinstance(e, S.RangeT):  # a..b: every value from a to b
            a = el.const_int(e.lo, "a declared value")
            b = el.const_int(e.hi, "a declared value")
            if a is None or b is None:
                return ERR
            if b - a > MAX_DOMAIN:
                el.err("MMS401", f"more than {MAX_DOMAIN} declared values", e.span)
                return ERR
            items = [(v, e.span) for v in range(a, b + 1)]
        else:
            v0 = el.const_int(e, "a declared value")
            if v0 is None:
                return ERR
            items = [(v0, e.span)]
        for v, sp in items:
            if not lo <= v <= hi:
                el.err("MMS303", f"declared value {v} is outside {lo}..{hi}", sp,
                         expected=f"values within {lo}..{hi}")
                return ERR
            vals.add(v)
    if len(vals) > MAX_DOMAIN:
        el.err("MMS401", f"more than {MAX_DOMAIN} declared values", t.span)
        return ERR
    return ir.IntType(lo, hi, False, None, tuple(sorted(vals)))


def check_key_type(el: Elaborator, k: ir.Type, span: ir.Span, what: str,
                   product: bool = False) -> bool:
    """A finite type whose values can number slots: a scalar, or (`product`: set
    elements and binder domains) a record of scalars, one slot per record value."""
    if not ir.is_scalar(k) and not (product and ir.is_product(k)):
        el.err("MMS319", f"{what} type must be bool, an integer range or an enum"
                 f"{' or a record of those' if product else ''}, not {show_type(k)}",
                 span)
        return False
    if isinstance(k, ir.RecordType) and any(
            isinstance(ft, ir.IntType) and ft.symmetric for _, ft in k.fields):
        # LIMITATION: --symmetry permutes slots keyed by a symmetric value, not the
        # record codes numbering these slots
        el.err("MMS319", f"{what} type {show_type(k)} has a field of a symmetric "
                 "type", span, expected="a plain range for the field (or no symmetry)")
        return False
    if ir.domain_size(k) > MAX_DOMAIN:
        el.err("MMS401", f"{what} type {show_type(k)} has more than {MAX_DOMAIN} "
                 "values", span)
        return False
    return True


def domain(el: Elaborator, d: S.Domain, ctx: Ctx) -> tuple[ir.Type, ir.Expr | None] | None:
    """A binder's domain: (scalar type, restricting set expression or None)."""
    if isinstance(d, (S.BoolT, S.RangeT, S.EnumT, S.MapT, S.SetT, S.SeqT, S.RecordT,
                      S.NamedT)):
        t = el.resolve_type(d)
        if isinstance(t, ErrType):
            return None
        if not el.check_key_type(t, d.span, "a binder's domain", product=True):
            return None
        return t, None
    if isinstance(d, S.Name) and d.id in el.sy.types and d.id not in ctx.bound:
        return el.domain(S.NamedT(d.id, span=d.span), ctx)
    te = el.expr(d, ctx)
    if isinstance(te.type, ErrType):
        return None
    if not isinstance(te.type, ir.SetType):
        el.err("MMS301", f"a domain must be a type or a set, not {show_type(te.type)}",
                 d.span, expected="a type (Tid, 1..N, bool) or a set ({1, 3}, readers)")
        return None
    return te.type.elem, te.expr
