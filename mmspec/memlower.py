"""Lowering the memory-access primitives of `mmspec.memops` inside one process step.

Under `sc` (the default) every primitive is one ordinary atomic access: a read is an
assignment from the location, a write an assignment to it, xchg/cmpxchg a simultaneous
read-and-write, a fence nothing at all; so a spec written with READ_ONCE means what the same
spec with plain accesses meant. Under `lkmm` the step asks `mmspec.lkmm` for the view-based
memory transitions instead (docs/memory-model.md).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from mmspec import syntax as S
from mmspec.memops import PRIMS, Prim

if TYPE_CHECKING:  # pragma: no cover
    from mmspec.lower import _Step


def location_root(e: S.Expr) -> S.Name | None:
    """The variable a location expression (x, m[i], r.f) is rooted at."""
    while isinstance(e, (S.IndexExpr, S.FieldExpr)):
        e = e.base
    return e if isinstance(e, S.Name) else None


def check_call(step: "_Step", call: S.CallStmt, target: S.Expr | None) -> Prim | None:
    """Arity, the statement/value form, and that the first argument is a shared variable."""
    p = PRIMS[call.func]
    el = step.el
    if len(call.args) != p.nargs:
        el.err("MMS312", f"{p.name}() takes {p.nargs} argument{'s' if p.nargs != 1 else ''}"
               f", not {len(call.args)}", call.span, expected=p.usage())
        return None
    if target is not None and not p.returns_value:
        el.err("MMS315", f"{p.name}() returns no value", call.span, expected=p.usage())
        return None
    if p.nargs:
        root = location_root(call.args[0])
        ok = root is not None and root.id not in step.info.locals and \
            step.low.sy.kind_of(root.id) == "variable"
        if not ok:
            el.err("MMS313", f"{p.name}() accesses shared memory: its first argument must be "
                   "a spec variable (or an entry of one)", call.args[0].span,
                   expected=p.usage())
            return None
    return p


def sc_statement(p: Prim, call: S.CallStmt, target: S.Expr | None) -> S.Stmt:
    """The one ordinary statement a primitive means under sc."""
    sp = call.span
    if p.kind == "fence":
        return S.Skip(span=sp)
    loc = call.args[0]
    if p.kind == "read":
        assert target is not None
        return S.Assign((target,), (loc,), span=sp)
    if p.kind == "write":
        return S.Assign((loc,), (call.args[1],), span=sp)
    if p.kind == "xchg":
        new: S.Expr = call.args[1]
    else:  # cmpxchg: x := (x == old ? new : x)
        new = S.IfExpr(S.BinOp("eq", loc, call.args[1], span=sp), call.args[2], loc, span=sp)
    if target is None:
        return S.Assign((loc,), (new,), span=sp)
    return S.Assign((target, loc), (loc, new), span=sp)


def lower_prim(step: "_Step", call: S.CallStmt, target: S.Expr | None, first: bool,
               atomic: bool) -> None:
    p = check_call(step, call, target)
    if p is None:
        return
    if step.low.memory == "lkmm" and not atomic:
        from mmspec.lkmm import lower_lkmm_prim
        if lower_lkmm_prim(step, p, call, target):
            return
    step.exec(sc_statement(p, call, target), first, atomic)
