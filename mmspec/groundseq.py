"""Grounding of bounded sequences (`seq[T] max N`).

A sequence is a tree like a record's: `LEN` -> the length (a slot 0..N) and 1..N -> the
element subtrees. Slots past the length hold the element type's `ir.dead_value`, and every
operation below keeps them so: equal sequences are equal states, and the state space counts
what TLC counts. Equality still compares only the live elements, so a state that is not
canonical (a symmetry permutation of a dead slot) compares as it should.

Partial operations record a `GRead` like a map read does: `s[i]` needs 1 <= i <= len(s),
`head`/`tail` a non-empty sequence, `append`/`concat` room in the capacity, `subseq(s, m, n)`
with m <= n needs 1 <= m and n <= len(s) (TLA+ leaves SubSeq outside that undefined).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from mmspec import ir
from mmspec.gexpr import FALSE, TRUE, GExpr, GIte, GLit, GOp, GSlot, gite, gop

if TYPE_CHECKING:  # pragma: no cover
    from mmspec.grounder import _Grounder

LEN = "#len"  # not a field name: record fields are identifiers
Env = dict[str, tuple[int, ir.Type]]
Tree = dict[object, object]  # a grounded sequence: LEN and 1..cap -> subtrees


def is_seq_tree(t: object) -> bool:
    return isinstance(t, dict) and LEN in t


def len_of(tree: Tree) -> GExpr:
    n = tree[LEN]
    assert isinstance(n, (GLit, GSlot, GOp, GIte)), n
    return n


def cap_of(tree: Tree) -> int:
    return len(tree) - 1


def dead(g: "_Grounder", elem: ir.Type) -> object:
    return g._lit_tree(elem, ir.dead_value(elem))


def where_of(e: ir.Expr, fallback: ir.Span) -> ir.Span:
    return e.span if e.span.file != ir.NO_SPAN.file else fallback


def fit(g: "_Grounder", tree: object, t: ir.Type, span: ir.Span) -> object:
    """`tree` (a value of a type assignable to t) laid out as t: sequences padded with dead
    slots or cut to t's capacity (a `domain` violation when live elements would be lost)."""
    if isinstance(t, ir.SeqType):
        assert isinstance(tree, dict)
        n = t.cap
        length = len_of(tree)
        if cap_of(tree) > n:
            g.need(g.in_range(length, 0, n), length, "sequence length", f"0..{n}", span)
        out: Tree = {LEN: length}
        for k in range(1, n + 1):
            out[k] = fit(g, tree[k], t.elem, span) if k in tree else dead(g, t.elem)
        return out
    if isinstance(t, ir.MapType) and isinstance(tree, dict):
        return {k: fit(g, v, t.value, span) for k, v in tree.items()}
    if isinstance(t, ir.RecordType) and isinstance(tree, dict):
        ft = dict(t.fields)
        return {k: fit(g, v, ft[k], span) for k, v in tree.items()}
    return tree


def select(g: "_Grounder", tree: Tree, idx: GExpr) -> object:
    """tree[idx] for 1 <= idx <= cap (an `if` chain; the caller records the GRead)."""
    n = cap_of(tree)
    if n == 0:
        return GLit(0)
    if isinstance(idx, GLit):
        return tree.get(idx.value, tree[n])
    out = tree[n]
    for k in range(n - 1, 0, -1):
        out = g._ite_tree(gop("eq", idx, GLit(k)), tree[k], out)
    return out


def index(g: "_Grounder", tree: Tree, idx: GExpr, what: str, span: ir.Span) -> object:
    """s[i], defined for 1 <= i <= len(s)."""
    ok = gop("and", g.in_range(idx, 1, cap_of(tree)), gop("le", idx, len_of(tree)))
    g.need(ok, idx, what, "1..len", span)
    return select(g, tree, idx)


def head(g: "_Grounder", tree: Tree, span: ir.Span, name: str) -> object:
    n = len_of(tree)
    g.need(gop("ge", n, GLit(1)), n, f"head of {name}", "non-empty", span)
    return tree[1] if cap_of(tree) else GLit(0)


def tail(g: "_Grounder", tree: Tree, elem: ir.Type, span: ir.Span, name: str) -> Tree:
    length = len_of(tree)
    g.need(gop("ge", length, GLit(1)), length, f"tail of {name}", "non-empty", span)
    n = cap_of(tree)
    out: Tree = {LEN: gop("sub", length, GLit(1))}
    for k in range(1, n + 1):
        out[k] = tree[k + 1] if k < n else dead(g, elem)
    return out


def append(g: "_Grounder", tree: Tree, x: object, span: ir.Span, name: str) -> Tree:
    length, n = len_of(tree), cap_of(tree)
    g.need(gop("lt", length, GLit(n)), length, f"append to {name}", f"length < {n}", span)
    out: Tree = {LEN: gop("add", length, GLit(1))}
    for k in range(1, n + 1):
        out[k] = g._ite_tree(gop("eq", length, GLit(k - 1)), x, tree[k])
    return out


def concat(g: "_Grounder", a: Tree, b: Tree, span: ir.Span) -> Tree:
    la, lb, n = len_of(a), len_of(b), cap_of(a)
    total = gop("add", la, lb)
    g.need(gop("le", total, GLit(n)), total, "concat", f"length <= {n}", span)
    out: Tree = {LEN: total}
    for k in range(1, n + 1):
        v = a[k]  # dead when k > la + lb: a[k] is dead there and b's slot is too
        for j in range(min(k, cap_of(b)), 0, -1):  # k = la + j
            v = g._ite_tree(gop("eq", la, GLit(k - j)), b[j], v)
        out[k] = v
    return out


def subseq(g: "_Grounder", tree: Tree, lo: GExpr, hi: GExpr, elem: ir.Type,
           span: ir.Span) -> Tree:
    n = cap_of(tree)
    nonempty = gop("le", lo, hi)
    ok = gop("implies", nonempty, gop("and", gop("ge", lo, GLit(1)),
                                      gop("le", hi, len_of(tree))))
    g.need(ok, lo, "subseq bounds", "1 <= m, n <= len", span)
    length = gite(nonempty, gop("add", gop("sub", hi, lo), GLit(1)), GLit(0))
    out: Tree = {LEN: length}
    d = dead(g, elem)
    for k in range(1, n + 1):
        src = gop("add", lo, GLit(k - 1))  # element k is s[lo + k - 1]
        live = gop("le", GLit(k), length)
        out[k] = g._ite_tree(live, select(g, tree, src), d)
    return out


def literal(g: "_Grounder", e: ir.SeqLit, env: Env) -> Tree:
    out: Tree = {LEN: GLit(len(e.elems))}
    for k in range(1, e.type.cap + 1):
        out[k] = (g.tree(e.elems[k - 1], env) if k <= len(e.elems)
                  else dead(g, e.type.elem))
    return out


def equal(a: Tree, b: Tree, eq: "object") -> GExpr:
    """a == b over the live elements (lengths equal, then each element up to the length)."""
    parts: list[GExpr] = [gop("eq", len_of(a), len_of(b))]
    for k in range(1, min(cap_of(a), cap_of(b)) + 1):
        parts.append(gop("or", gop("lt", len_of(a), GLit(k)), eq(a[k], b[k])))  # type: ignore
    if cap_of(a) != cap_of(b):  # lengths past the smaller capacity cannot be equal
        m = min(cap_of(a), cap_of(b))
        parts.append(gop("le", len_of(a), GLit(m)))
    return gop("and", *parts) if parts else TRUE


def except_at(g: "_Grounder", base: Tree, t: ir.SeqType, path: tuple[object, ...],
              value: object, env: Env) -> Tree:
    """[s EXCEPT ![i] = v]: outside 1..len(s) nothing changes (TLC's EXCEPT)."""
    step, rest = path[0], path[1:]
    assert not isinstance(step, str)
    idx = g.scalar(step, env)  # type: ignore[arg-type]
    out = dict(base)
    for k in range(1, cap_of(base) + 1):
        hit = gop("and", gop("eq", idx, GLit(k)), gop("le", GLit(k), len_of(base)))
        if hit == FALSE:
            continue
        new = g._except(base[k], t.elem, rest, value, env)  # type: ignore[arg-type]
        out[k] = g._ite_tree(hit, new, base[k])
    return out
