"""Evaluate a typed query (`mmspec.query`) on the decoded states of a saved trace.

A small tree walk over the IR, separate from the engines (which execute the ground form):
a query runs once per trace state, so clarity beats speed. Values use a keyed form so no
type is needed while walking: a scalar is an int (bool 0/1, enum member index), a map a dict
from key to value, a record a dict from field name to value, a set a frozenset of ints or,
for a set of records, of records (`RecordElement`, a dict that can sit in a set; a record
type's values, as a binder's domain, are records too, not their codes).
`to_value` and `to_display` convert from and to the decoded ITF form (enum names, bools).
Evaluation follows the reference evaluator (tests/refeval.py): `&&`, `||`, `=>` and
`if` are lazy; reading a map outside its domain or dividing by zero is a `QueryError`
reported in that state's cell, never a crash.
"""
from __future__ import annotations

from typing import Any, Callable

from mmspec import ir
from mmspec import operators
from mmspec.ground import RecordElement

Val = Any


class QueryError(Exception):
    """The query has no value in this state (a read outside a map's domain, x / 0)."""


class TraceMismatch(Exception):
    """A trace value does not fit the spec's type (the spec changed, or other -D values)."""


# --------------------------------------------------------------------------- conversion


def _scalar_in(v: Any, t: ir.Type, where: str) -> int:
    if isinstance(t, ir.BoolType) and isinstance(v, bool):
        return int(v)
    if isinstance(t, ir.EnumType) and isinstance(v, str) and v in t.members:
        return t.members.index(v)
    if isinstance(t, ir.IntType) and isinstance(v, int) and not isinstance(v, bool):
        return v
    raise TraceMismatch(f"{where}: {v!r} is not a value of the spec's type")


def _domain(t: ir.Type) -> tuple[Val, ...]:
    """The values of a key, element or binder type in the keyed form."""
    if ir.is_product(t):
        assert isinstance(t, ir.RecordType)
        names = [f for f, _ in t.fields]
        return tuple(RecordElement(zip(names, ir.record_decode(t, c)))
                     for c in ir.domain_values(t))
    return ir.domain_values(t)


def to_value(v: Any, t: ir.Type, where: str) -> Val:
    """A decoded ITF value of type `t` in the keyed form."""
    if ir.is_scalar(t):
        return _scalar_in(v, t, where)
    if isinstance(t, ir.SetType) and isinstance(v, frozenset) and ir.is_product(t.elem):
        return frozenset(RecordElement(to_value(x, t.elem, where)) for x in v)
    if isinstance(t, ir.SetType) and isinstance(v, frozenset):
        return frozenset(_scalar_in(x, t.elem, where) for x in v)
    if isinstance(t, ir.SeqType) and isinstance(v, (list, tuple)) and len(v) <= t.cap:
        return tuple(to_value(x, t.elem, f"{where}[{i}]") for i, x in enumerate(v, 1))
    if isinstance(t, ir.MapType) and isinstance(v, dict):
        return {_scalar_in(k, t.key, where): to_value(x, t.value, f"{where}[{k}]")
                for k, x in v.items()}
    if isinstance(t, ir.RecordType) and isinstance(v, dict):
        ftypes = dict(t.fields)
        if set(v) != set(ftypes):
            raise TraceMismatch(f"{where}: fields {sorted(v)} are not {sorted(ftypes)}")
        return {f: to_value(v[f], ft, f"{where}.{f}") for f, ft in t.fields}
    raise TraceMismatch(f"{where}: {v!r} is not a value of the spec's type")


def _scalar_out(v: int, t: ir.Type) -> Any:
    if isinstance(t, ir.BoolType):
        return bool(v)
    if isinstance(t, ir.EnumType):
        return t.members[v] if 0 <= v < len(t.members) else v
    return v


def to_display(v: Val, t: ir.Type) -> Any:
    """The keyed form back to the decoded ITF form (what the renderers and JSON show)."""
    if ir.is_scalar(t):
        return _scalar_out(v, t)
    if isinstance(t, ir.SetType) and ir.is_product(t.elem):
        return frozenset(RecordElement(to_display(x, t.elem)) for x in v)
    if isinstance(t, ir.SetType):
        return frozenset(_scalar_out(x, t.elem) for x in v)
    if isinstance(t, ir.SeqType):
        return [to_display(x, t.elem) for x in v]
    if isinstance(t, ir.MapType):
        return {_scalar_out(k, t.key): to_display(x, t.value) for k, x in v.items()}
    if isinstance(t, ir.RecordType):
        return {f: to_display(v[f], ft) for f, ft in t.fields}
    raise TypeError(t)


def _literal(v: ir.Value, t: ir.Type) -> Val:
    """An IR literal (maps and records as tuples in key/field order) in the keyed form."""
    if isinstance(t, ir.MapType):
        return {k: _literal(x, t.value) for k, x in zip(ir.domain_values(t.key), v)}  # type: ignore[arg-type]
    if isinstance(t, ir.RecordType):
        return {f: _literal(x, ft) for (f, ft), x in zip(t.fields, v)}  # type: ignore[arg-type]
    if isinstance(t, ir.SetType) and ir.is_product(t.elem):  # a set of record codes
        return frozenset(_domain(t.elem)[c] for c in v)  # type: ignore[union-attr,index]
    if isinstance(t, ir.SeqType):
        return tuple(_literal(x, t.elem) for x in v)  # type: ignore[union-attr]
    return v


# --------------------------------------------------------------------------- evaluation


class Evaluator:
    """Values of IR expressions in one state (`state`: variable name -> keyed value)."""

    def __init__(self, state: dict[str, Val], env: dict[str, Val] | None = None):
        self.state = state
        self.env = env or {}

    def bind(self, name: str, v: Val) -> "Evaluator":
        return Evaluator(self.state, {**self.env, name: v})

    def ev(self, e: ir.Expr) -> Val:
        handler = _NODES.get(type(e))
        if handler is None:
            raise QueryError(f"cannot evaluate {type(e).__name__}")
        return handler(self, e)

    def lit(self, e: ir.Lit) -> Val:
        return _literal(e.value, e.type)

    def var(self, e: ir.VarRef) -> Val:
        if e.name not in self.state:
            raise QueryError(f"the trace has no variable '{e.name}'")
        return self.state[e.name]

    def param(self, e: ir.ParamRef) -> Val:
        if e.name not in self.env:
            raise QueryError(f"'{e.name}' is not bound here")
        return self.env[e.name]

    def index(self, e: ir.Index) -> Val:
        base, k = self.ev(e.base), self.ev(e.index)
        if isinstance(base, tuple):  # a sequence, 1-based
            if not 1 <= k <= len(base):
                raise QueryError(f"index {k} is outside the sequence's domain")
            return base[k - 1]
        if k not in base:
            raise QueryError(f"key {k} is outside the map's domain")
        return base[k]

    def field(self, e: ir.Field) -> Val:
        return self.ev(e.base)[e.name]

    def seq(self, e: ir.SeqLit) -> Val:
        return tuple(self.ev(x) for x in e.elems)

    def unary(self, e: ir.Unary) -> Val:
        if e.op in ("len", "head", "tail"):
            q = self.ev(e.arg)
            if e.op != "len" and not q:
                raise QueryError(f"{e.op} of an empty sequence")
            return len(q) if e.op == "len" else q[0] if e.op == "head" else q[1:]
        return operators.evaluate(e.op, [self.ev(e.arg)])  # not neg bnot card

    def ite(self, e: ir.Ite) -> Val:
        return self.ev(e.then) if self.ev(e.cond) else self.ev(e.other)

    def set_lit(self, e: ir.SetLit) -> Val:
        dom = _domain(e.elem_type)
        elems = [self.ev(el) for el in e.elems]
        if ir.is_product(e.elem_type):
            elems = [RecordElement(x) for x in elems]
        return frozenset(x for x in elems if x in dom)

    def set_comp(self, e: ir.SetComp) -> Val:
        return frozenset(k for k in _domain(e.domain)
                         if self.bind(e.var, k).ev(e.cond))

    def map_lit(self, e: ir.MapLit) -> Val:
        return {k: self.bind(e.var, k).ev(e.body) for k in _domain(e.key_type)}

    def record_lit(self, e: ir.RecordLit) -> Val:
        return {f: self.ev(x) for (f, _t), x in zip(e.type.fields, e.values)}

    def except_expr(self, e: ir.Except) -> Val:
        return self.except_(self.ev(e.base), list(e.path), self.ev(e.value))

    def quant(self, e: ir.Quant) -> int:
        within = self.ev(e.within) if e.within is not None else None
        for k in _domain(e.domain):
            if within is not None and k not in within:
                continue
            holds = bool(self.bind(e.var, k).ev(e.body))
            if e.kind == "forall" and not holds:
                return 0
            if e.kind == "exists" and holds:
                return 1
        return int(e.kind == "forall")

    def except_(self, base: Val, path: list[ir.Expr | str], value: Val) -> Val:
        """`base with [path] = value`; a key outside the domain leaves the map as it is."""
        if not path:
            return value
        step, rest = path[0], path[1:]
        key = step if isinstance(step, str) else self.ev(step)
        if key not in base:
            return base
        return {**base, key: self.except_(base[key], rest, value)}

    def binary(self, e: ir.Binary) -> Val:
        """The operator table's value (mmspec/operators.py); undefined is an error here."""
        o = operators.get(e.op)
        if o.lazy:
            left = bool(self.ev(e.left))
            return o.lazy_value if left == o.decides else int(bool(self.ev(e.right)))
        a, b = self.ev(e.left), self.ev(e.right)
        if o.partial == "divisor" and b == 0:
            raise QueryError("division by zero")
        if o.partial == "shift" and not o.defined((a, b)):
            raise QueryError(f"shift count {b} outside 0..{ir.MAX_SHIFT}")
        if o.fn is None:
            raise QueryError(f"'{o.symbol}' cannot be evaluated in a query")
        if o.typing == "member" and isinstance(a, dict):
            a = RecordElement(a)  # a record's set membership
        return o.apply(a, b)


# One evaluator method per IR node class (exact classes: the IR's node classes are final).
_NODES: dict[type, Callable[[Evaluator, Any], Val]] = {
    ir.Lit: Evaluator.lit, ir.VarRef: Evaluator.var, ir.ParamRef: Evaluator.param,
    ir.Index: Evaluator.index, ir.Field: Evaluator.field, ir.SeqLit: Evaluator.seq,
    ir.Unary: Evaluator.unary, ir.Binary: Evaluator.binary, ir.Ite: Evaluator.ite,
    ir.SetLit: Evaluator.set_lit, ir.SetComp: Evaluator.set_comp, ir.Quant: Evaluator.quant,
    ir.MapLit: Evaluator.map_lit, ir.RecordLit: Evaluator.record_lit,
    ir.Except: Evaluator.except_expr,
}
