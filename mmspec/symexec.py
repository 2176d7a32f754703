"""Symbolic state for one step: reads see earlier writes of the same step.

An `atomic { old := ref; ref := ref + 1 }` block is one transition whose updates are
simultaneous in the IR. `SymState` records each write as a functional update of its root
variable, so a later read of `ref` (or `m[j]` after `m[i] := v`) yields an expression over the
pre-state. At the end `updates()` emits at most ONE `ir.Update` per root variable: the ground
form applies whole-variable updates, so two updates of the same map in one transition would
overwrite each other (see mmspec/ground.py `_update_pairs`).

With `simultaneous=True` (TLA+-style actions) reads ignore the writes: every right-hand side
reads the state before the step.
"""
from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING, Union

from mmspec import ir

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, cheaper to create (start-up time)
    from mmspec.nodeclass import dataclass

PathItem = Union[ir.Expr, str]


@dataclass
class _Root:
    base: ir.Expr
    writes: list[tuple[tuple[PathItem, ...], ir.Expr]] = field(default_factory=list)


class SymState:
    def __init__(self, simultaneous: bool = False):
        self.simultaneous = simultaneous
        self.roots: dict[str, _Root] = {}

    def copy(self) -> "SymState":
        out = SymState(self.simultaneous)
        out.roots = {k: _Root(r.base, list(r.writes)) for k, r in self.roots.items()}
        return out

    def read(self, root: str, span: ir.Span = ir.NO_SPAN) -> ir.Expr:
        r = self.roots.get(root)
        if r is None or self.simultaneous:
            return ir.VarRef(root, span)
        out = r.base
        for path, value in r.writes:
            out = ir.Except(out, path, value) if path else value
        return out

    def write(self, root: str, path: tuple[PathItem, ...], value: ir.Expr) -> None:
        r = self.roots.setdefault(root, _Root(ir.VarRef(root)))
        if not path:
            r.base = value
            r.writes = []
        else:
            r.writes.append((path, value))

    def written(self) -> list[str]:
        return list(self.roots)

    def assigned_paths(self, root: str) -> list[tuple[PathItem, ...]]:
        r = self.roots.get(root)
        return [p for p, _ in r.writes] if r else []

    def updates(self) -> tuple[ir.Update, ...]:
        out: list[ir.Update] = []
        for name, r in self.roots.items():
            base_is_var = isinstance(r.base, ir.VarRef) and r.base.name == name
            if base_is_var and not r.writes:
                continue
            if base_is_var and len(r.writes) == 1:
                path, value = r.writes[0]
                out.append(ir.Update(target_of(name, path), value))
                continue
            whole: ir.Expr = r.base
            for path, value in r.writes:
                whole = ir.Except(whole, path, value)
            out.append(ir.Update(ir.VarRef(name), whole))
        return tuple(out)


def target_of(root: str, path: tuple[PathItem, ...]) -> ir.Expr:
    t: ir.Expr = ir.VarRef(root)
    for p in path:
        t = ir.Field(t, p) if isinstance(p, str) else ir.Index(t, p)
    return t


def merge(cond: ir.Expr, a: SymState, b: SymState, into: SymState) -> None:
    """After `if cond {a} else {b}` inside atomic: every root either branch wrote becomes
    Ite(cond, value in a, value in b)."""
    for root in dict.fromkeys(a.written() + b.written()):
        va, vb = a.read(root), b.read(root)
        if va == vb:
            into.write(root, (), va)
        else:
            into.write(root, (), ir.Ite(cond, va, vb))
