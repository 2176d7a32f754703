"""Expressions under a parameter binding, grounded: `_Grounder` turns an IR expression into a
ground expression (scalars) or a tree of them mirroring the layout (maps, records, sets), with
the partial operations (`GRead`) it performs. Scalar operators are in `mmspec.gscalar`.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import fields
from typing import Callable, Iterator, TypeVar

from mmspec import budget as cost
from mmspec import groundseq, gscalar, gtree
from mmspec import ir
from mmspec.diagnostics import Diagnostic, SpecError
from mmspec.gexpr import (FALSE, TRUE, GExpr, GLit, GSlot, _and_all, _bounds, _or_all, as_bool,
                          gite, gop)
from mmspec.gsystem import GRead
from mmspec.glayout import _Layout, decode_read
from mmspec.gtree import _show_keys


_T = TypeVar("_T")


# --------------------------------------------------------------------------- expressions


class _Grounder:
    """Translates IR expressions under a parameter binding into ground expressions.

    Non-scalar expressions ground to a *tree* mirroring the layout: dict key -> subtree,
    with GExpr leaves. That lets map/record/set values flow through ite, equality and
    functional update uniformly.
    """

    def __init__(self, spec: ir.Spec, layout: _Layout):
        self.spec = spec
        self.layout = layout
        self.var_types = layout.types
        self._slot_trees: dict[int, object] = {}  # id(layout node) -> its (shared) slot tree
        self._sizes: dict[int, tuple[object, int]] = {}  # id(expr) -> estimated ground size
        # partial operations (GRead): the path condition of the expression being grounded
        # (the guards of the lazy operators around it) and the reads collected so far
        self._path: list[GExpr] = []
        self._reads: list[GRead] | None = None
        self._where: ir.Span = ir.NO_SPAN
        self._iv: dict[int, tuple[GExpr, tuple[int, int] | None]] = {}
        # the next state of the step being grounded (variable -> tree over the pre-state),
        # read by primed variables, and by every variable when `prime_all` (a state
        # constraint evaluated on the successor); None outside a step
        self.post: dict[str, object] | None = None
        self.prime_all = False

    # -- partial operations: evaluation is lazy exactly where TLA+'s is
    def reading(self, where: ir.Span, f: Callable[[], _T]) -> tuple[_T, tuple[GRead, ...]]:
        """f() grounded as a top-level evaluation, with the partial operations it performs."""
        saved = (self._reads, self._path, self._where)
        self._reads, self._path, self._where = [], [], where
        try:
            out = f()
            return out, _dedupe(self._reads)
        finally:
            self._reads, self._path, self._where = saved

    @contextmanager
    def under(self, *conds: GExpr) -> Iterator[None]:
        """Ground the body as evaluated only when every cond holds (the right of `&&`, a
        branch of `if`, a quantifier's later instances)."""
        n = len(self._path)
        self._path.extend(conds)
        try:
            yield
        finally:
            del self._path[n:]

    def need(self, inside: GExpr, value: GExpr, what: str, domain: str,
             span: ir.Span) -> None:
        """Record that evaluating the current expression requires `inside`."""
        if self._reads is None or (isinstance(inside, GLit) and inside.value):
            return
        path = _and_all(self._path)
        if isinstance(path, GLit) and not path.value:
            return  # never evaluated: a false guard protects it
        if isinstance(path, GLit):
            ok = inside
        elif isinstance(inside, GLit):
            ok = gop("not", path)
        else:
            ok = gop("implies", path, inside)
        where = span if span.file != ir.NO_SPAN.file else self._where
        self._reads.append(GRead(ok, value, what, domain, where))

    def bounds(self, e: GExpr) -> tuple[int, int] | None:
        """A sound range of e's value in any state (slots stay in their ranges), or None."""
        hit = self._iv.get(id(e))
        if hit is not None and hit[0] is e:
            return hit[1]
        out = _bounds(e, self.layout.slots, self.bounds)
        self._iv[id(e)] = (e, out)
        return out

    def in_range(self, x: GExpr, lo: int, hi: int) -> GExpr:
        """lo <= x <= hi, folded where x's bounds decide it."""
        iv = self.bounds(x)
        if iv is not None and lo <= iv[0] and iv[1] <= hi:
            return TRUE
        if iv is not None and (iv[1] < lo or iv[0] > hi):
            return FALSE
        parts = []
        if iv is None or iv[0] < lo:
            parts.append(gop("ge", x, GLit(lo)))
        if iv is None or iv[1] > hi:
            parts.append(gop("le", x, GLit(hi)))
        return _and_all(parts)

    # -- values of any type (mmspec.gtree) and of scalars (mmspec.gscalar)
    def type_of(self, e: ir.Expr, env: dict[str, tuple[int, ir.Type]]) -> ir.Type:
        """The shape of e's value (only what grounding needs)."""
        return gtree.type_of(self, e, env)

    def tree(self, e: ir.Expr, env: dict[str, tuple[int, ir.Type]]) -> object:
        """Ground an expression of any type to a tree (GExpr for scalars)."""
        return gtree.tree(self, e, env)

    def choose(self, e: ir.Choose, env: dict[str, tuple[int, ir.Type]]) -> object:
        """TLC's CHOOSE: the first value of the domain (in order, inside `within`) whose
        condition holds, as an `if` chain; its conditions are evaluated one by one, like an
        `exists`, and none holding is a `domain` violation."""
        self.check_expansion(e, "choose")
        within = self.tree(e.within, env) if e.within is not None else None
        hits: list[tuple[GExpr, object]] = []
        went_on: list[GExpr] = []
        for k in ir.domain_values(e.domain):
            m: GExpr = TRUE
            if within is not None:
                assert isinstance(within, dict)
                m = as_bool(within[k])
            with self.under(*went_on, m):
                c = self.cond(e.cond, {**env, e.var: (k, e.domain)})
            c = gop("and", m, c)
            hits.append((c, self.tree(ir.ParamRef(e.var), {**env, e.var: (k, e.domain)})))
            went_on.append(gop("not", c))
        found = _or_all([c for c, _ in hits])
        self.need(found, GLit(0), "choose", "a value satisfying the condition", e.span)
        if not hits:
            return GLit(0)
        out = hits[-1][1]
        for c, v in reversed(hits[:-1]):
            out = self._ite_tree(c, v, out)
        return out

    def element(self, x: ir.Expr, env: dict[str, tuple[int, ir.Type]], t: ir.Type
                ) -> tuple[GExpr, GExpr, GExpr]:
        """A set element as its slot number (the value of a scalar, the code of a record),
        the condition that it is a value of the element type t, and the value to report
        when it is not (of a record: its first field outside the field's type)."""
        if not ir.is_product(t):
            v = self.scalar(x, env)
            keys = ir.domain_values(t)
            return v, (self.in_range(v, keys[0], keys[-1]) if keys else FALSE), v
        assert isinstance(t, ir.RecordType)
        tree = self.tree(x, env)
        assert isinstance(tree, dict)
        code: GExpr = GLit(0)
        oks: list[GExpr] = []
        fields: list[GExpr] = []
        for f, ft in t.fields:
            fv = tree[f]
            if fv.sort == "bool":
                fv = gite(fv, GLit(1), GLit(0))
            keys = ir.domain_values(ft)
            oks.append(self.in_range(fv, keys[0], keys[-1]))
            fields.append(fv)
            code = gop("add", gop("mul", code, GLit(ir.domain_size(ft))),
                       gop("sub", fv, GLit(keys[0])))
        bad: GExpr = code
        for ok, fv in reversed(list(zip(oks, fields))):
            bad = gite(ok, bad, fv)
        return code, _and_all(oks), bad

    def check_expansion(self, e: ir.Expr, what: str) -> None:
        """Refuse (MMS405, at `e`) a binder whose expansion would exceed the size budget:
        30 nested quantifiers over bool are 2^30 terms, which no time limit should have to
        catch. The estimate is made before anything is built."""
        n = self.ground_size(e)
        if n > cost.MAX_GROUND_EXPANSION:
            raise SpecError([Diagnostic(
                "MMS405", f"this {what} expands to about {n:,} ground terms (more than "
                f"{cost.MAX_GROUND_EXPANSION:,})", e.span,
                expected="fewer or smaller nested binders (each multiplies by its domain)")],
                dict(self.spec.sources))

    def ground_size(self, e: object) -> int:
        """Estimated ground terms of an IR expression: binders multiply their body by their
        domain size. Memoised by identity (def expansion shares subtrees)."""
        hit = self._sizes.get(id(e))
        if hit is not None and hit[0] is e:
            return hit[1]
        n = 1
        if isinstance(e, ir.Quant):
            n += ir.domain_size(e.domain) * self.ground_size(e.body)
            n += self.ground_size(e.within) if e.within is not None else 0
        elif isinstance(e, (ir.SetComp, ir.Choose)):
            n += ir.domain_size(e.domain) * self.ground_size(e.cond)
        elif isinstance(e, ir.MapLit):
            n += ir.domain_size(e.key_type) * self.ground_size(e.body)
        else:
            for f in fields(e):  # type: ignore[arg-type]
                v = getattr(e, f.name)
                if isinstance(v, tuple):
                    n += sum(self.ground_size(x) for x in v if _is_expr(x))
                elif _is_expr(v):
                    n += self.ground_size(v)
        self._sizes[id(e)] = (e, n)
        return n

    def _lit_tree(self, t: ir.Type, v: ir.Value) -> object:
        if ir.is_scalar(t):
            return GLit(int(v), "bool" if isinstance(t, ir.BoolType) else "int")  # type: ignore
        if isinstance(t, ir.MapType):
            return {k: self._lit_tree(t.value, x)
                    for k, x in zip(ir.domain_values(t.key), v)}  # type: ignore[arg-type]
        if isinstance(t, ir.RecordType):
            return {f: self._lit_tree(ft, x) for (f, ft), x in zip(t.fields, v)}  # type: ignore
        if isinstance(t, ir.SetType):
            return {k: GLit(1 if k in v else 0, "bool")  # type: ignore[operator]
                    for k in ir.domain_values(t.elem)}
        raise TypeError(t)

    def _slot_tree(self, node: object) -> object:
        """The variable (part) `node` as read in the pre-state. Built once per node and
        shared, so reading `m[i]` or updating one entry costs O(1), not O(size of m)."""
        if isinstance(node, int):
            s = self.layout.slots[node]
            if s.values is not None:
                return decode_read(node, s.values)
            return GSlot(node, s.sort)
        hit = self._slot_trees.get(id(node))
        if hit is None:
            cost.tick()
            assert isinstance(node, dict)
            hit = _Tree({k: self._slot_tree(v) for k, v in node.items()})
            hit.origin, hit.touched = node, frozenset()
            self._slot_trees[id(node)] = hit
        return hit

    def _select(self, base: dict[object, object], idx: GExpr, key_t: ir.Type, what: str,
                span: ir.Span) -> object:
        """base[idx]: a case chain over the keys, defined only for idx among them (the
        chain's default is a placeholder; the read's GRead makes the search stop first)."""
        keys = list(ir.domain_values(key_t))
        self.need(self.in_range(idx, keys[0], keys[-1]), idx, what, _show_keys(key_t), span)
        if isinstance(idx, GLit):
            return base.get(idx.value, base[keys[-1]])
        out = base[keys[-1]]
        for k in reversed(keys[:-1]):
            out = self._ite_tree(gop("eq", idx, GLit(k)), base[k], out)
        return out

    def _ite_tree(self, c: GExpr, a: object, b: object) -> object:
        cost.tick()
        if isinstance(a, dict):
            assert isinstance(b, dict)
            return {k: self._ite_tree(c, a[k], b[k]) for k in a}
        return gite(c, a, b)  # type: ignore[arg-type]

    def _except(self, base: object, t: ir.Type, path: tuple[ir.Expr | str, ...], value: object,
                env: dict[str, tuple[int, ir.Type]]) -> object:
        cost.tick()
        if not path:
            return groundseq.fit(self, value, t, self._where)
        if isinstance(t, ir.SeqType):
            assert isinstance(base, dict)
            return groundseq.except_at(self, base, t, path, value, env)
        step, rest = path[0], path[1:]
        assert isinstance(base, dict)
        key: object = step
        if not isinstance(step, str):
            idx = self.scalar(step, env)
            key = idx.value if isinstance(idx, GLit) else None
        if key is not None:  # a fixed field or key: copy the level, replace one entry
            if key not in base:
                return base  # a constant key outside the domain writes nothing
            if isinstance(t, ir.RecordType):
                sub_t = dict(t.fields)[str(key)]
            else:
                assert isinstance(t, ir.MapType)
                sub_t = t.value
            return _Tree.replace(base, key, self._except(base[key], sub_t, rest, value, env))
        assert isinstance(t, ir.MapType)  # a key known only in the state: an ite per entry
        out = {}
        for k, sub in base.items():
            new = self._except(sub, t.value, rest, value, env)
            hit = gop("eq", idx, GLit(k))
            out[k] = self._ite_tree(hit, new, sub)
        return out

    # -- scalars
    def cond(self, e: ir.Expr, env: dict[str, tuple[int, ir.Type]]) -> GExpr:
        return as_bool(self.scalar(e, env))

    def scalar(self, e: ir.Expr, env: dict[str, tuple[int, ir.Type]]) -> GExpr:
        return gscalar.scalar(self, e, env)


def _dedupe(reads: list[GRead]) -> tuple[GRead, ...]:
    seen: dict[tuple[GExpr, ir.Span], GRead] = {}
    for r in reads:
        seen.setdefault((r.ok, r.span), r)
    return tuple(seen.values())


_EXPR_NODES = (ir.Lit, ir.VarRef, ir.ParamRef, ir.Index, ir.Field, ir.Unary, ir.Binary,
               ir.Ite, ir.SetLit, ir.SetComp, ir.Quant, ir.MapLit, ir.RecordLit, ir.Except,
               ir.SeqLit, ir.SubSeq, ir.Choose)


def _is_expr(x: object) -> bool:
    return isinstance(x, _EXPR_NODES)


class _Tree(dict):  # type: ignore[type-arg]
    """A grounded map/record/set value that equals the slot tree of the layout node `origin`
    except at the keys in `touched` (origin None: unknown, compare every key)."""

    __slots__ = ("origin", "touched")
    origin: object
    touched: frozenset[object] | None

    @staticmethod
    def replace(base: dict[object, object], key: object, new: object) -> "_Tree":
        out = _Tree(base)
        out[key] = new
        cost.tick(1 + len(base) // 4096)  # the copy is C-speed, but memory all the same
        if isinstance(base, _Tree) and base.touched is not None:
            out.origin, out.touched = base.origin, base.touched | {key}
        else:
            out.origin, out.touched = None, None
        return out
