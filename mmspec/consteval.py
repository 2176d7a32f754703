"""Evaluate IR expressions that do not read the state (constants, initial values).

The type checker folds `const` declarations, range bounds and initial values with this; any
read of a state variable raises `NotConstant`, which the checker reports as MMS302.
Values use the IR's representation: int for scalars (bool 0/1, enum index), tuples for maps
and records, frozensets for sets.
"""
from __future__ import annotations

from typing import Any, Callable

from mmspec import ir
from mmspec import operators


class NotConstant(Exception):
    def __init__(self, span: ir.Span = ir.NO_SPAN):
        super().__init__("not a constant")
        self.span = span


class DivByZero(Exception):
    def __init__(self, span: ir.Span = ir.NO_SPAN):
        super().__init__("division by zero")
        self.span = span


def evaluate(e: ir.Expr, env: dict[str, int] | None = None) -> ir.Value:
    """The value of a state-free expression; env binds ParamRef names to scalar values."""
    return _Eval(env or {}).ev(e)


class _Eval:
    def __init__(self, env: dict[str, int]):
        self.env = env

    def ev(self, e: ir.Expr) -> ir.Value:
        fn = _BY_NODE.get(type(e))
        if fn is None:
            raise NotConstant(getattr(e, "span", ir.NO_SPAN))
        return fn(self, e)

    def _lit(self, e: ir.Lit) -> ir.Value:
        return e.value

    def _param(self, e: ir.ParamRef) -> ir.Value:
        if e.name not in self.env:
            raise NotConstant(e.span)
        return self.env[e.name]

    def _state(self, e: ir.VarRef | ir.Field) -> ir.Value:
        # a variable; a field (records in constants: only through RecordLit values)
        raise NotConstant(e.span)

    def _index(self, e: ir.Index) -> ir.Value:
        base = self.ev(e.base)
        k = self.ev(e.index)
        keys = self._keys_of(e.base)
        if keys is None or k not in keys:
            raise NotConstant(e.span)
        return base[keys.index(k)]  # type: ignore[index]

    def _unary(self, e: ir.Unary) -> ir.Value:
        v = self.ev(e.arg)
        o = operators.get(e.op)  # not, neg, bnot, card, len (head/tail are not folded)
        if o.fn is None:
            raise NotConstant(e.span)
        out: ir.Value = o.apply(v)
        return out

    def _ite(self, e: ir.Ite) -> ir.Value:
        return self.ev(e.then) if self.ev(e.cond) else self.ev(e.other)

    def _set_lit(self, e: ir.SetLit) -> ir.Value:
        if not ir.is_product(e.elem_type):
            return frozenset(int(self.ev(x)) for x in e.elems  # type: ignore[arg-type]
                             ) & frozenset(ir.domain_values(e.elem_type))
        rt = e.elem_type
        assert isinstance(rt, ir.RecordType)
        recs: list[tuple[ir.Value, ...]] = []
        for x in e.elems:
            v = self.ev(x)
            if not isinstance(v, tuple) or not all(
                    isinstance(f, int) and ir.in_domain(f, ft)
                    for f, (_, ft) in zip(v, rt.fields)):
                raise NotConstant(e.span)
            recs.append(v)
        return frozenset(ir.record_code(rt, r) for r in recs)

    def _set_comp(self, e: ir.SetComp) -> ir.Value:
        return frozenset(k for k in ir.domain_values(e.domain)
                         if self.sub(e.var, k).ev(e.cond))

    def _quant(self, e: ir.Quant) -> ir.Value:
        within = self.ev(e.within) if e.within is not None else None
        vals = [k for k in ir.domain_values(e.domain)
                if within is None or k in within]  # type: ignore[operator]
        res = [bool(self.sub(e.var, k).ev(e.body)) for k in vals]
        return int(all(res)) if e.kind == "forall" else int(any(res))

    def _choose(self, e: ir.Choose) -> ir.Value:
        if ir.is_product(e.domain):
            raise NotConstant(e.span)
        pool = self.ev(e.within) if e.within is not None else None
        for k in ir.domain_values(e.domain):
            if (pool is None or (isinstance(pool, frozenset) and k in pool)) and \
                    self.sub(e.var, k).ev(e.cond):
                return k
        raise NotConstant(e.span)  # nothing to choose: reported where evaluated

    def _map_lit(self, e: ir.MapLit) -> ir.Value:
        return tuple(self.sub(e.var, k).ev(e.body) for k in ir.domain_values(e.key_type))

    def _record_lit(self, e: ir.RecordLit) -> ir.Value:
        return tuple(self.ev(x) for x in e.values)

    def _seq_lit(self, e: ir.SeqLit) -> ir.Value:
        if len(e.elems) > e.type.cap:
            raise NotConstant(e.span)
        return tuple(self.ev(x) for x in e.elems)

    def sub(self, name: str, v: int) -> "_Eval":
        return _Eval({**self.env, name: v})

    def _keys_of(self, e: ir.Expr) -> list[int] | None:
        if isinstance(e, ir.Lit) and isinstance(e.type, ir.MapType):
            return list(ir.domain_values(e.type.key))
        if isinstance(e, ir.MapLit):
            return list(ir.domain_values(e.key_type))
        return None

    def binary(self, e: ir.Binary) -> ir.Value:
        """The operator table's value (mmspec/operators.py); a zero divisor is an error here,
        a shift count outside 0..MAX_SHIFT is left to grounding (which names its domain)."""
        o = operators.get(e.op)
        if o.lazy:
            left = bool(self.ev(e.left))
            if left == o.decides:
                return o.lazy_value
            return int(bool(self.ev(e.right)))
        a, b = self.ev(e.left), self.ev(e.right)
        if o.partial == "divisor" and b == 0:
            raise DivByZero(e.right.span if e.right.span.line else e.span)  # the divisor
        if o.fn is None or o.arity != 2 or not o.defined((a, b)):
            raise NotConstant(e.span)  # refused by grounding with the shift count's domain
        v: ir.Value = o.apply(a, b)
        if isinstance(v, int) and abs(v) > 2 ** 62:
            raise NotConstant(e.span)  # LIMITATION: constant overflow reported as non-constant
        return v


_BY_NODE: dict[type, Callable[[_Eval, Any], ir.Value]] = {
    ir.Lit: _Eval._lit, ir.ParamRef: _Eval._param, ir.VarRef: _Eval._state,
    ir.Field: _Eval._state, ir.Index: _Eval._index, ir.Unary: _Eval._unary,
    ir.Binary: _Eval.binary, ir.Ite: _Eval._ite, ir.SetLit: _Eval._set_lit,
    ir.SetComp: _Eval._set_comp, ir.Quant: _Eval._quant, ir.Choose: _Eval._choose,
    ir.MapLit: _Eval._map_lit, ir.RecordLit: _Eval._record_lit, ir.SeqLit: _Eval._seq_lit,
}
