"""Grounding of values of any type, and the types grounding needs.

`tree` grounds an IR expression to a *tree* mirroring the slot layout (dict key -> subtree, with
ground expressions as leaves; a scalar is its own leaf), so map, record and set values flow
through `ite`, equality and functional update uniformly. `type_of` gives the shape of an
expression's value (only what grounding needs). Both look the IR node kind up in a table;
`_Grounder.tree` and `_Grounder.type_of` are these functions.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from mmspec import budget as cost
from mmspec import groundseq
from mmspec import ir
from mmspec import operators
from mmspec.gexpr import GLit, _or_all, gop
from mmspec.gsystem import Env, GroundError

if TYPE_CHECKING:
    from mmspec.grounder import _Grounder

# --------------------------------------------------------------------------- types


def type_of(g: _Grounder, e: ir.Expr, env: Env) -> ir.Type:
    fn = _TYPE.get(type(e))
    return ir.BoolType() if fn is None else fn(g, e, env)


def _var_type(g: _Grounder, e: ir.VarRef, env: Env) -> ir.Type:
    return g.var_types[e.name]


def _index_type(g: _Grounder, e: ir.Index, env: Env) -> ir.Type:
    t = type_of(g, e.base, env)
    if isinstance(t, ir.SeqType):
        return t.elem
    assert isinstance(t, ir.MapType), t
    return t.value


def _unary_type(g: _Grounder, e: ir.Unary, env: Env) -> ir.Type:
    if e.op in ("head", "tail"):
        st = type_of(g, e.arg, env)
        assert isinstance(st, ir.SeqType), st
        return st.elem if e.op == "head" else st
    if e.op == "len":
        return ir.IntType(0, 2**62)
    if operators.get(e.op).sort == "int":  # neg, bnot, card
        return ir.IntType(-(2**62), 2**62)
    return ir.BoolType()


_SAME_AS_LEFT = frozenset({"append", "concat", "union", "inter", "minus"})


def _binary_type(g: _Grounder, e: ir.Binary, env: Env) -> ir.Type:
    if e.op in _SAME_AS_LEFT:
        return type_of(g, e.left, env)
    if operators.get(e.op).typing in ("arith", "ordered"):  # int x int -> int
        return ir.IntType(-(2**62), 2**62)
    return ir.BoolType()


def _field_type(g: _Grounder, e: ir.Field, env: Env) -> ir.Type:
    t = type_of(g, e.base, env)
    assert isinstance(t, ir.RecordType), t
    return dict(t.fields)[e.name]


def _ite_type(g: _Grounder, e: ir.Ite, env: Env) -> ir.Type:
    a = type_of(g, e.then, env)
    if isinstance(a, ir.SeqType):  # the larger capacity holds both branches
        b = type_of(g, e.other, env)
        assert isinstance(b, ir.SeqType), b
        return ir.SeqType(a.elem, max(a.cap, b.cap))
    return a


_TYPE: dict[type, Callable[[_Grounder, Any, Env], ir.Type]] = {
    ir.Lit: lambda g, e, env: e.type,
    ir.VarRef: _var_type,
    ir.ParamRef: lambda g, e, env: env[e.name][1],
    ir.Index: _index_type,
    ir.SeqLit: lambda g, e, env: e.type,
    ir.Choose: lambda g, e, env: e.domain,
    ir.SubSeq: lambda g, e, env: type_of(g, e.base, env),
    ir.Unary: _unary_type,
    ir.Binary: _binary_type,
    ir.Field: _field_type,
    ir.Ite: _ite_type,
    ir.SetLit: lambda g, e, env: ir.SetType(e.elem_type),
    ir.SetComp: lambda g, e, env: ir.SetType(e.domain),
    ir.MapLit: lambda g, e, env: ir.MapType(
        e.key_type, type_of(g, e.body, {**env, e.var: (0, e.key_type)})),
    ir.RecordLit: lambda g, e, env: e.type,
    ir.Except: lambda g, e, env: type_of(g, e.base, env),
}


# --------------------------------------------------------------------------- trees

_Tree = Callable[["_Grounder", Any, Env, ir.Type], object]


def tree(g: _Grounder, e: ir.Expr, env: Env) -> object:
    """Ground an expression of any type to a tree (GExpr for scalars)."""
    cost.tick()
    t = type_of(g, e, env)
    if ir.is_scalar(t) and not isinstance(e, (ir.VarRef, ir.Index, ir.Field)) and not (
            isinstance(e, ir.Unary) and e.op == "head"):
        return g.scalar(e, env)
    fn = _TREE.get(type(e))
    if fn is None:
        raise _cannot(e)
    return fn(g, e, env, t)


def _cannot(e: ir.Expr) -> GroundError:
    return GroundError(f"cannot ground expression {type(e).__name__}", e.span)


def _param_tree(g: _Grounder, e: ir.ParamRef, env: Env, t: ir.Type) -> object:
    if not ir.is_product(t):
        raise _cannot(e)
    assert isinstance(t, ir.RecordType)  # bound to a code: decode
    return {f: GLit(v, "bool" if isinstance(ft, ir.BoolType) else "int")
            for (f, ft), v in zip(t.fields, ir.record_decode(t, env[e.name][0]))}


def _var_tree(g: _Grounder, e: ir.VarRef, env: Env, t: ir.Type) -> object:
    if e.primed or g.prime_all:
        if g.post is None:
            raise GroundError("a primed variable is only defined in a step", e.span)
        if e.name in g.post:
            return g.post[e.name]
    return g._slot_tree(g.layout.tree[e.name])


def _index_tree(g: _Grounder, e: ir.Index, env: Env, t: ir.Type) -> object:
    bt = type_of(g, e.base, env)
    if isinstance(bt, ir.SeqType):
        base = tree(g, e.base, env)
        assert isinstance(base, dict)
        return groundseq.index(g, base, g.scalar(e.index, env),
                               f"index into {_describe(e.base)}",
                               groundseq.where_of(e.index, e.span))
    base = tree(g, e.base, env)
    bt = type_of(g, e.base, env)
    assert isinstance(bt, ir.MapType) and isinstance(base, dict)
    where = e.index.span if e.index.span.file != ir.NO_SPAN.file else e.span
    return g._select(base, g.scalar(e.index, env), bt.key,
                     f"index into {_describe(e.base)}", where)


def _field_tree(g: _Grounder, e: ir.Field, env: Env, t: ir.Type) -> object:
    base = tree(g, e.base, env)
    assert isinstance(base, dict)
    return base[e.name]


def _ite_value(g: _Grounder, e: ir.Ite, env: Env, t: ir.Type) -> object:
    c = g.cond(e.cond, env)
    with g.under(c):
        a = tree(g, e.then, env)
    with g.under(gop("not", c)):
        b = tree(g, e.other, env)
    if isinstance(t, ir.SeqType):
        a, b = (groundseq.fit(g, x, t, e.span) for x in (a, b))
    return g._ite_tree(c, a, b)


def _set_lit_tree(g: _Grounder, e: ir.SetLit, env: Env, t: ir.Type) -> object:
    coded = [g.element(x, env, e.elem_type) for x in e.elems]
    elems = [c for c, _, _ in coded]
    shown = _show_keys(e.elem_type)
    for (_, ok, bad), src in zip(coded, e.elems):
        g.need(ok, bad, f"element of a set[{shown}]", shown, src.span)
    return {k: _or_all([gop("eq", x, GLit(k)) for x in elems])
            for k in ir.domain_values(e.elem_type)}


def _set_comp_tree(g: _Grounder, e: ir.SetComp, env: Env, t: ir.Type) -> object:
    g.check_expansion(e, "set comprehension")
    return {k: g.cond(e.cond, {**env, e.var: (k, e.domain)})
            for k in ir.domain_values(e.domain)}


def _map_lit_tree(g: _Grounder, e: ir.MapLit, env: Env, t: ir.Type) -> object:
    g.check_expansion(e, "map literal")
    return {k: tree(g, e.body, {**env, e.var: (k, e.key_type)})
            for k in ir.domain_values(e.key_type)}


def _record_lit_tree(g: _Grounder, e: ir.RecordLit, env: Env, t: ir.Type) -> object:
    return {f: tree(g, x, env) for (f, _), x in zip(e.type.fields, e.values)}


def _except_tree(g: _Grounder, e: ir.Except, env: Env, t: ir.Type) -> object:
    return g._except(tree(g, e.base, env), type_of(g, e.base, env), e.path,
                     tree(g, e.value, env), env)


def _unary_tree(g: _Grounder, e: ir.Unary, env: Env, t: ir.Type) -> object:
    if e.op not in ("head", "tail"):
        raise _cannot(e)
    st = type_of(g, e.arg, env)
    assert isinstance(st, ir.SeqType)
    base = tree(g, e.arg, env)
    assert isinstance(base, dict)
    if e.op == "head":
        return groundseq.head(g, base, e.span, _describe(e.arg))
    return groundseq.tail(g, base, st.elem, e.span, _describe(e.arg))


def _binary_tree(g: _Grounder, e: ir.Binary, env: Env, t: ir.Type) -> object:
    if e.op in ("append", "concat"):
        return _seq_join(g, e, env)
    if e.op not in ("union", "inter", "minus"):
        raise _cannot(e)
    a, b = tree(g, e.left, env), tree(g, e.right, env)
    assert isinstance(a, dict) and isinstance(b, dict)
    if e.op == "union":
        return {k: gop("or", a[k], b[k]) for k in a}
    if e.op == "inter":
        return {k: gop("and", a[k], b[k]) for k in a}
    return {k: gop("and", a[k], gop("not", b[k])) for k in a}


def _seq_join(g: _Grounder, e: ir.Binary, env: Env) -> object:
    """`append` and `concat`."""
    left = tree(g, e.left, env)
    assert isinstance(left, dict)
    if e.op == "append":
        return groundseq.append(g, left, tree(g, e.right, env), e.span, _describe(e.left))
    lt = type_of(g, e.left, env)
    right = tree(g, e.right, env)
    assert isinstance(right, dict) and isinstance(lt, ir.SeqType)
    return groundseq.concat(g, left, right, e.span)


def _subseq_tree(g: _Grounder, e: ir.SubSeq, env: Env, t: ir.Type) -> object:
    st = type_of(g, e.base, env)
    assert isinstance(st, ir.SeqType)
    base = tree(g, e.base, env)
    assert isinstance(base, dict)
    return groundseq.subseq(g, base, g.scalar(e.lo, env), g.scalar(e.hi, env), st.elem, e.span)


_TREE: dict[type, _Tree] = {
    ir.Lit: lambda g, e, env, t: g._lit_tree(t, e.value),
    ir.ParamRef: _param_tree,
    ir.VarRef: _var_tree,
    ir.Index: _index_tree,
    ir.Choose: lambda g, e, env, t: g.choose(e, env),
    ir.SeqLit: lambda g, e, env, t: groundseq.literal(g, e, env),
    ir.SubSeq: _subseq_tree,
    ir.Unary: _unary_tree,
    ir.Binary: _binary_tree,
    ir.Field: _field_tree,
    ir.Ite: _ite_value,
    ir.SetLit: _set_lit_tree,
    ir.SetComp: _set_comp_tree,
    ir.MapLit: _map_lit_tree,
    ir.RecordLit: _record_lit_tree,
    ir.Except: _except_tree,
}


# --------------------------------------------------------------------------- descriptions


def _show_keys(t: ir.Type) -> str:
    if isinstance(t, ir.RecordType):
        return "record { " + ", ".join(f"{f}: {_show_keys(ft)}" for f, ft in t.fields) + " }"
    if isinstance(t, ir.IntType):
        return f"{t.lo}..{t.hi}"
    if isinstance(t, ir.EnumType):
        return t.name
    return "bool"


def _describe(e: ir.Expr) -> str:
    """The map an index reads, as the spec names it: `c`, `s.f`, `m[...]`."""
    if isinstance(e, ir.VarRef):
        return e.name
    if isinstance(e, ir.Field):
        return f"{_describe(e.base)}.{e.name}"
    if isinstance(e, ir.Index):
        return f"{_describe(e.base)}[...]"
    return "a map"
