"""Initial values beyond constants: TLA+'s Init as a predicate over every variable.

Three forms reach the initial-state search (mmspec.ground.InitSpace) as a predicate instead of
a constant value:
- `var v: T = e` where e reads other variables (`var sAck: 0..1 = sBit`): v ranges over T
  and `v == e` joins the initial predicates;
- `var m: map[K] V in S` with S a set of V's values: every map into S (TLA+'s `[K -> S]`);
- under an `initial NAME: P` declaration, a variable declared without an initial value
  ranges over its whole type (TLA+'s Init constrains every variable).
"""
from __future__ import annotations

import itertools
from typing import Any

from mmspec import ir
from mmspec import syntax as S

MAX_VALUES = 100_000  # values one variable may start in (as lower.MAX_INIT)


class TooMany(Exception):
    pass


def all_values(t: ir.Type, cap: int = MAX_VALUES) -> list[ir.Value]:
    """Every value of t, in a deterministic order (TooMany past `cap`)."""
    if ir.is_scalar(t):
        if ir.domain_size(t) > cap:
            raise TooMany
        return list(ir.domain_values(t))
    if isinstance(t, ir.MapType):
        return _product([all_values(t.value, cap)] * ir.domain_size(t.key), cap)
    if isinstance(t, ir.RecordType):
        return _product([all_values(ft, cap) for _, ft in t.fields], cap)
    if isinstance(t, ir.SetType):
        elems = ir.domain_values(t.elem)
        if 2 ** len(elems) > cap:
            raise TooMany
        return [frozenset(x for x, b in zip(elems, bits) if b)
                for bits in itertools.product((0, 1), repeat=len(elems))]
    raise TypeError(t)


def maps_into(t: ir.Type, leaves: list[int], cap: int = MAX_VALUES) -> list[ir.Value] | None:
    """Every map of type t whose entries (at the scalar leaves) are among `leaves`; None if
    t is not a (nested) map of scalars."""
    if ir.is_scalar(t):
        return [v for v in leaves if ir.in_domain(v, t)]
    if isinstance(t, ir.MapType):
        inner = maps_into(t.value, leaves, cap)
        if inner is None:
            return None
        return _product([inner] * ir.domain_size(t.key), cap)
    return None


def _product(parts: list[list[Any]], cap: int) -> list[ir.Value]:
    n = 1
    for p in parts:
        n *= len(p)
        if n > cap:
            raise TooMany
    return [tuple(c) for c in itertools.product(*parts)]


def reads_variables(e: S.Expr, variables: set[str]) -> bool:
    """Does the expression mention a state variable by name (syntactically)?"""
    if isinstance(e, S.Name):
        return e.id in variables
    for v in vars(e).values():
        if isinstance(v, tuple):
            if any(reads_variables(x, variables) for x in v if _is_node(x)):
                return True
        elif _is_node(v) and reads_variables(v, variables):
            return True
    return False


def _is_node(x: object) -> bool:
    return hasattr(x, "__dataclass_fields__") and not isinstance(x, ir.Span)
