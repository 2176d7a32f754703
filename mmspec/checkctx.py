"""What an expression is checked in: the scope (`Ctx`), the process it belongs to and the locks
it may name. Part of `mmspec.typecheck` (which re-exports every name).
"""
from __future__ import annotations

from dataclasses import field, replace
from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, cheaper to create (start-up time)
    from mmspec.nodeclass import dataclass

from mmspec import ir
from mmspec import syntax as S
from mmspec.symexec import SymState
from mmspec.typerules import TE, int_lit


# --------------------------------------------------------------------------- context


@dataclass(frozen=True)
class LockRef:
    """A declared lock and the variables that encode it (filled in by the lowering)."""

    name: str
    kind: str
    writer_pref: bool
    index_type: ir.Type | None
    owner_var: str
    readers_var: str | None
    waiting_var: str | None
    sub_var: str | None
    max_sub: int
    span: ir.Span


@dataclass
class ProcessInfo:
    """What expressions need to know about a process: its threads, locals and labels."""

    name: str
    param: str | None  # the declared index name (`r` in `reader[r in Tid]`)
    param_type: ir.Type | None
    base_tid: int
    count: int
    locals: dict[str, tuple[str, ir.Type]] = field(default_factory=dict)
    labels: tuple[str, ...] = ()  # pc values except "done"
    merged_labels: dict[str, str] = field(default_factory=dict)  # label -> step it is in
    pc_type: ir.EnumType | None = None

    def tid_expr(self, index: ir.Expr | None) -> ir.Expr:
        """Thread id of instance `index` (None for a singleton)."""
        if index is None or self.param_type is None:
            return int_lit(self.base_tid)
        lo = ir.domain_values(self.param_type)[0]
        off = self.base_tid - lo
        if isinstance(index, ir.Lit):
            return int_lit(int(index.value) + off)  # type: ignore[arg-type]
        if off == 0:
            return index
        return ir.Binary("add", index, int_lit(off))


@dataclass(frozen=True)
class Ctx:
    bound: Mapping[str, TE] = field(default_factory=dict)
    process: ProcessInfo | None = None
    self_expr: ir.Expr | None = None  # ParamRef of the process parameter
    thread: ir.Expr | None = None  # this thread's id (steps only)
    sym: SymState | None = None
    taken: frozenset[str] = frozenset()
    defs_active: tuple[str, ...] = ()
    where: str = "expression"  # for messages: 'invariant', 'constant', 'step', ...
    locals_visible: bool = True
    primes: bool = False  # may read the next state (`x'`): action constraints and properties
    # a def's parameters: the argument's syntax and the caller's context, elaborated at each
    # use with the type expected there, exactly as if the argument were written inline
    args: Mapping[str, tuple[S.Expr, "Ctx"]] = field(default_factory=dict)

    def bind(self, name: str, te: TE) -> "Ctx":
        args = self.args if name not in self.args else {
            k: v for k, v in self.args.items() if k != name}
        return replace(self, bound={**self.bound, name: te}, args=args)
