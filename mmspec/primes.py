"""Primed expressions (`x'`): reading the next state in action constraints and properties.

The elaborator types `e'` as e and then marks every state variable e reads as primed
(`ir.VarRef.primed`), so `(x + y)'`, `m'[i]` and `m[i]'` all mean what TLA+ says. Grounding
reads a primed variable through a transition's updates (`mmspec.ground`).
"""
from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from mmspec import ir


def prime_vars(e: Any) -> Any:
    """e with every VarRef read in the next state (a structural copy; spans kept)."""
    if isinstance(e, ir.VarRef):
        return replace(e, primed=True)
    if isinstance(e, tuple):
        return tuple(prime_vars(x) for x in e)
    if not hasattr(e, "__dataclass_fields__") or not _is_expr(e):
        return e
    changes = {}
    for f in fields(e):
        v = getattr(e, f.name)
        nv = prime_vars(v) if (_is_expr(v) or isinstance(v, tuple)) else v
        if nv is not v:
            changes[f.name] = nv
    return replace(e, **changes) if changes else e


def has_primes(e: Any) -> bool:
    """Does e read any variable in the next state?"""
    if isinstance(e, ir.VarRef):
        return e.primed
    if isinstance(e, tuple):
        return any(has_primes(x) for x in e)
    if not _is_expr(e):
        return False
    return any(has_primes(getattr(e, f.name)) for f in fields(e))


_EXPR_TYPES = (ir.Lit, ir.VarRef, ir.ParamRef, ir.Index, ir.Field, ir.Unary, ir.Binary, ir.Ite,
               ir.SetLit, ir.SetComp, ir.Quant, ir.MapLit, ir.RecordLit, ir.Except)


def _is_expr(x: object) -> bool:
    return isinstance(x, _EXPR_TYPES)
