"""The kernel's non-atomic read-modify-write bit operations (`__set_bit`, `__clear_bit`,
`__change_bit`: a plain load, then a plain store) as two steps, so a concurrent update
between them is lost exactly as in the kernel:

    l: __set_bit(nr, &w)   ->   l: __rmwN := w          (the load, into a register)
                                   w := __rmwN | (1 << nr)   (the store)

`__rmwN` is a local of the thread declared with w's type, found from the declarations
(a variable, a map entry, a record field, through type aliases). Where the type cannot be
told (w reached through a by-reference proc parameter), the call is an error rather than
one atomic step: an atomic stand-in would define the race away silently.
"""
from __future__ import annotations

from typing import Mapping, Sequence

from mmspec import syntax as S
from mmspec.diagnostics import Sink


class TypeFinder:
    """The declared type of an lvalue: `w`, `m[i]`, `r.f`, `m[i].f[j]`."""

    def __init__(self, decls: Sequence[S.Decl]):
        self.aliases: dict[str, S.TypeExpr] = {d.name: d.type for d in decls
                                               if isinstance(d, S.TypeDecl)}
        self.globals: dict[str, S.TypeExpr] = {d.name: d.type for d in decls
                                               if isinstance(d, S.VarDecl)}
        self.locals: Mapping[str, S.TypeExpr] = {}

    def enter(self, body: Sequence[S.Stmt]) -> None:
        """A process's or proc's body: its top-level locals shadow the globals."""
        self.locals = {s.decl.name: s.decl.type for s in body if isinstance(s, S.LocalVar)}

    def unalias(self, t: S.TypeExpr | None) -> S.TypeExpr | None:
        seen: set[str] = set()
        while isinstance(t, S.NamedT) and t.name in self.aliases and t.name not in seen:
            seen.add(t.name)
            t = self.aliases[t.name]
        return t

    def of(self, e: S.Expr) -> S.TypeExpr | None:
        if isinstance(e, S.Name):
            return self.locals.get(e.id, self.globals.get(e.id))
        if isinstance(e, S.IndexExpr):
            base = self.unalias(self.of(e.base))
            return base.value if isinstance(base, S.MapT) else None
        if isinstance(e, S.FieldExpr):
            base = self.unalias(self.of(e.base))
            if isinstance(base, S.RecordT):
                return dict(base.fields).get(e.name)
        return None


def split(store: S.Assign, word: S.Expr, temp: str, types: TypeFinder, label: str | None,
          sink: Sink, what: str) -> tuple[S.LocalVar | None, tuple[S.Stmt, ...]]:
    """The load step and the store step of a non-atomic update `store` of `word` (its value
    computed from the name `temp`); the local to declare, None after an error."""
    sp = store.span
    t = types.of(word)
    if t is None:
        sink.error("MMS313", f"{what} is a load and a store in the kernel: the type of its "
                   "word must be known to model the load (a variable, map entry or record "
                   "field declared in this spec)", sp,
                   expected="the word itself, or write the load and the store as two "
                   "statements")
        return None, ()
    local = S.LocalVar(S.VarDecl(temp, t, None, span=sp, name_span=sp), span=sp)
    load = S.Assign((S.Name(temp, span=sp),), (word,), label, span=sp)
    return local, (load, S.Assign(store.targets, store.values, None, span=sp))
