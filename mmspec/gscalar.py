"""Scalar grounding: an IR expression of type bool or int, under a parameter binding, to a ground
expression. One function per IR node kind and one per operator family, looked up in tables
(`_Grounder.scalar` is `scalar` here); partial operators record what they need to be defined
(`_Grounder.need`), lazy ones ground their right side under their left (`_Grounder.under`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, cast

from mmspec import budget as cost
from mmspec import groundseq
from mmspec import ir
from mmspec import operators
from mmspec.gexpr import (FALSE, TRUE, GExpr, GLit, _and_all, _or_all, _sum, as_bool,
                          gite, gop)
from mmspec.gsystem import Env, GroundError

if TYPE_CHECKING:
    from mmspec.grounder import _Grounder

_Node = Callable[["_Grounder", Any, Env], GExpr]


def scalar(g: _Grounder, e: ir.Expr, env: Env) -> GExpr:
    cost.tick()
    fn = _BY_NODE.get(type(e))
    if fn is None:
        raise GroundError(f"expression {type(e).__name__} is not a scalar", e.span)
    return fn(g, e, env)


def _lit(g: _Grounder, e: ir.Lit, env: Env) -> GExpr:
    return GLit(int(e.value), "bool" if isinstance(e.type, ir.BoolType) else "int")  # type: ignore


def _param(g: _Grounder, e: ir.ParamRef, env: Env) -> GExpr:
    v, t = env[e.name]
    return GLit(v, "bool" if isinstance(t, ir.BoolType) else "int")


def _leaf(g: _Grounder, e: ir.Expr, env: Env) -> GExpr:
    """A variable, an index, a field (or a `head`) read as a tree whose value is a leaf."""
    r = g.tree(e, env)
    assert not isinstance(r, dict), e
    return r  # type: ignore[return-value]


def _ite(g: _Grounder, e: ir.Ite, env: Env) -> GExpr:
    c = g.cond(e.cond, env)
    with g.under(c):
        a = g.scalar(e.then, env)
    with g.under(gop("not", c)):
        b = g.scalar(e.other, env)
    return gite(c, a, b)


def _choose(g: _Grounder, e: ir.Choose, env: Env) -> GExpr:
    r = g.choose(e, env)
    assert not isinstance(r, dict), e
    return r  # type: ignore[return-value]


def _quant(g: _Grounder, e: ir.Quant, env: Env) -> GExpr:
    g.check_expansion(e, "quantifier")
    # TLC's order: the instances one by one, stopping at the first that decides;
    # an instance outside `within` is not evaluated at all.
    # LIMITATION: a read in instance k carries the k earlier instances in its
    # condition, so a body that may read outside a domain costs O(k^2) in ground
    # size (a nested-`ite` domain condition would be linear)
    parts: list[GExpr] = []
    went_on: list[GExpr] = []  # what holds when the next instance is evaluated
    within = g.tree(e.within, env) if e.within is not None else None
    for k in ir.domain_values(e.domain):
        m: GExpr = TRUE
        if within is not None:
            assert isinstance(within, dict)
            m = as_bool(within[k])
        with g.under(*went_on, m):
            body = g.cond(e.body, {**env, e.var: (k, e.domain)})
        if within is not None:
            body = gop("implies", m, body) if e.kind == "forall" else gop("and", m, body)
        parts.append(body)
        went_on.append(body if e.kind == "forall" else gop("not", body))
    return _and_all(parts) if e.kind == "forall" else _or_all(parts)


# --------------------------------------------------------------------------- unary operators


def _unary(g: _Grounder, e: ir.Unary, env: Env) -> GExpr:
    fn = _UNARY.get(e.op)
    o = operators.OPERATORS.get(e.op)
    if fn is None and o is not None and o.ground and o.typing == "arith":
        fn = _arith1  # an integer operator of the table applied to one operand
    if fn is None:
        raise GroundError(f"unknown unary op {e.op}", e.span)
    return fn(g, e, env)


def _not(g: _Grounder, e: ir.Unary, env: Env) -> GExpr:
    return gop("not", g.cond(e.arg, env))


def _arith1(g: _Grounder, e: ir.Unary, env: Env) -> GExpr:
    return gop(e.op, g.scalar(e.arg, env))


def _len(g: _Grounder, e: ir.Unary, env: Env) -> GExpr:
    s = g.tree(e.arg, env)
    assert isinstance(s, dict)
    return groundseq.len_of(s)


def _card(g: _Grounder, e: ir.Unary, env: Env) -> GExpr:
    s = g.tree(e.arg, env)
    assert isinstance(s, dict)
    terms = [gite(as_bool(m), GLit(1), GLit(0)) for m in s.values()]
    return _sum(terms)


_UNARY: dict[str, _Node] = {"not": _not, "len": _len, "head": _leaf, "card": _card}


# --------------------------------------------------------------------------- binary operators


def _binary(g: _Grounder, e: ir.Binary, env: Env) -> GExpr:
    """By the operator's entry in mmspec/operators.py: its typing rule, laziness and
    partiality choose how it grounds."""
    o = operators.OPERATORS.get(e.op)
    fn = None if o is None else _binary_rule(o)
    if fn is None:
        raise GroundError(f"unknown binary op {e.op}", e.span)
    return fn(g, e, env)


def _lazy(g: _Grounder, e: ir.Binary, env: Env) -> GExpr:
    """`and`, `or`, `implies`: the left guards the right."""
    a = g.cond(e.left, env)
    with g.under(gop("not", a) if e.op == "or" else a):
        b = g.cond(e.right, env)
    return gop(e.op, a, b)


def _iff(g: _Grounder, e: ir.Binary, env: Env) -> GExpr:
    return gop(e.op, g.cond(e.left, env), g.cond(e.right, env))


def _equality(g: _Grounder, e: ir.Binary, env: Env) -> GExpr:
    op = e.op
    lt = g.type_of(e.left, env)
    if ir.is_scalar(lt) or isinstance(lt, ir.IntType):
        a, b = g.scalar(e.left, env), g.scalar(e.right, env)
        if a.sort == "bool" or b.sort == "bool":
            a, b = as_bool(a), as_bool(b)
            return gop("iff" if op == "eq" else "not", *(
                (a, b) if op == "eq" else (gop("iff", a, b),)))
        return gop(op, a, b)
    eq = _tree_eq(g.tree(e.left, env), g.tree(e.right, env))
    return eq if op == "eq" else gop("not", eq)


def _tree_eq(a: object, b: object) -> GExpr:
    if groundseq.is_seq_tree(a):
        assert isinstance(a, dict) and isinstance(b, dict)
        return groundseq.equal(a, b, _tree_eq)
    if isinstance(a, dict):
        assert isinstance(b, dict)
        return _and_all([_tree_eq(a[k], b[k]) for k in a])
    x, y = cast(GExpr, a), cast(GExpr, b)  # leaves of a value tree are ground expressions
    if x.sort == "bool" or y.sort == "bool":
        return gop("iff", as_bool(x), as_bool(y))
    return gop("eq", x, y)


def _operand_span(e: ir.Binary) -> ir.Span:
    return e.right.span if e.right.span.file != ir.NO_SPAN.file else e.span


def _division(g: _Grounder, e: ir.Binary, env: Env) -> GExpr:
    a, b = g.scalar(e.left, env), g.scalar(e.right, env)
    # LIMITATION: TLC also rejects a negative modulus; here only zero is an
    # error (floor semantics otherwise, as the engines always had)
    iv = g.bounds(b)
    ok = (TRUE if iv and (iv[0] > 0 or iv[1] < 0) else
          FALSE if iv == (0, 0) else gop("ne", b, GLit(0)))
    g.need(ok, b, "divisor" if e.op == "div" else "modulus", "non-zero", _operand_span(e))
    return gop(e.op, a, b)


def _shift(g: _Grounder, e: ir.Binary, env: Env) -> GExpr:
    a, b = g.scalar(e.left, env), g.scalar(e.right, env)
    ok = g.in_range(b, 0, ir.MAX_SHIFT)
    g.need(ok, b, "shift count", f"0..{ir.MAX_SHIFT}", _operand_span(e))
    return gop(e.op, a, b)


def _strict(g: _Grounder, e: ir.Binary, env: Env) -> GExpr:
    """Total operators over scalars: both sides are always evaluated."""
    return gop(e.op, g.scalar(e.left, env), g.scalar(e.right, env))


def _member(g: _Grounder, e: ir.Binary, env: Env) -> GExpr:
    s = g.tree(e.right, env)
    assert isinstance(s, dict)
    st = g.type_of(e.right, env)
    if isinstance(st, ir.SetType) and ir.is_product(st.elem):
        x, ok, _ = g.element(e.left, env, st.elem)
        if isinstance(x, GLit):
            return gop("and", ok, as_bool(s[x.value]) if x.value in s else FALSE)
        return gop("and", ok, _or_all([gop("and", gop("eq", x, GLit(k)),
                                               as_bool(m)) for k, m in s.items()]))
    x = g.scalar(e.left, env)
    if isinstance(x, GLit):
        return as_bool(s[x.value]) if x.value in s else FALSE
    return _or_all([gop("and", gop("eq", x, GLit(k)), as_bool(m))
                    for k, m in s.items()])


def _subseteq(g: _Grounder, e: ir.Binary, env: Env) -> GExpr:
    ta, tb = g.tree(e.left, env), g.tree(e.right, env)
    assert isinstance(ta, dict) and isinstance(tb, dict)
    return _and_all([gop("implies", as_bool(ta[k]), as_bool(tb[k])) for k in ta])


def _binary_rule(o: operators.Operator) -> _Node | None:
    if o.typing == "logic":
        return _lazy if o.lazy else _iff
    if o.typing in ("order", "ordered", "arith"):
        return _PARTIAL.get(o.partial, _strict) if o.ground else None
    return _BY_TYPING.get(o.typing)


_PARTIAL: dict[operators.Partial | None, _Node] = {"divisor": _division, "shift": _shift}
_BY_TYPING: dict[operators.Typing, _Node] = {"equality": _equality, "member": _member,
                                             "subset": _subseteq}

_BY_NODE: dict[type, _Node] = {
    ir.Lit: _lit, ir.ParamRef: _param, ir.VarRef: _leaf, ir.Index: _leaf, ir.Field: _leaf,
    ir.Ite: _ite, ir.Unary: _unary, ir.Binary: _binary, ir.Choose: _choose, ir.Quant: _quant,
}
