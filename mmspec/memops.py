"""The Linux-kernel memory-access primitives (READ_ONCE, smp_mb, xchg, ...): one table.

Every stage that needs to know a primitive reads `PRIMS`: the CFG builder (which calls are
statements), the type checker (a primitive is not a value inside an expression), the lowering
(sc: one ordinary atomic step; lkmm: `mmspec.lkmm` turns it into view-based memory steps).
See docs/memory-model.md for what each ordering means under `option memory = lkmm`.

Forms (fixed with the litmus translator):
    r := READ_ONCE(x)          WRITE_ONCE(x, e)          plain `r := x` / `x := e`
    r := smp_load_acquire(x)   smp_store_release(x, e)
    r := rcu_dereference(x)    rcu_assign_pointer(x, e)
    r := xchg[_relaxed|_acquire|_release](x, e)
    r := cmpxchg[_relaxed|_acquire|_release](x, old, new)
    smp_mb() smp_rmb() smp_wmb() smp_mb__before_atomic() smp_mb__after_atomic()
    smp_mb__after_spinlock()
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, cheaper to create (start-up time)
    from mmspec.nodeclass import dataclass

MemModel = Literal["sc", "lkmm"]
MEMORY_MODELS: tuple[MemModel, ...] = ("sc", "lkmm")
LKMM_AVAILABLE = True

PrimKind = Literal["read", "write", "fence", "xchg", "cmpxchg"]
# 'relaxed': no ordering; 'acquire'/'release': one-way; 'mb': fully ordered (a value-returning
# RMW is smp_mb(); op; smp_mb(), its failed cmpxchg is relaxed); 'consume': rcu_dereference.
Ordering = Literal["relaxed", "acquire", "release", "mb", "consume"]
FenceKind = Literal["mb", "rmb", "wmb", "before_atomic", "after_atomic", "after_spinlock"]


@dataclass(frozen=True)
class Prim:
    name: str
    kind: PrimKind
    ordering: Ordering = "relaxed"
    fence: FenceKind | None = None

    @property
    def nargs(self) -> int:
        return {"read": 1, "write": 2, "fence": 0, "xchg": 2, "cmpxchg": 3}[self.kind]

    @property
    def returns_value(self) -> bool:
        """Written as `r := NAME(...)` (else as a statement of its own)."""
        return self.kind in ("read", "xchg", "cmpxchg")

    def usage(self) -> str:
        args = {"read": "x", "write": "x, e", "fence": "", "xchg": "x, e",
                "cmpxchg": "x, old, new"}[self.kind]
        return f"r := {self.name}({args})" if self.returns_value else f"{self.name}({args})"


def _table() -> dict[str, Prim]:
    out = [
        Prim("READ_ONCE", "read"),
        Prim("smp_load_acquire", "read", "acquire"),
        Prim("rcu_dereference", "read", "consume"),
        Prim("WRITE_ONCE", "write"),
        Prim("smp_store_release", "write", "release"),
        Prim("rcu_assign_pointer", "write", "release"),
        Prim("smp_mb", "fence", "mb", "mb"),
        Prim("smp_rmb", "fence", "acquire", "rmb"),
        Prim("smp_wmb", "fence", "release", "wmb"),
        Prim("smp_mb__before_atomic", "fence", "mb", "before_atomic"),
        Prim("smp_mb__after_atomic", "fence", "mb", "after_atomic"),
        Prim("smp_mb__after_spinlock", "fence", "mb", "after_spinlock"),
    ]
    for base in ("xchg", "cmpxchg"):
        kind: PrimKind = "xchg" if base == "xchg" else "cmpxchg"
        out.append(Prim(base, kind, "mb"))
        for suffix in ("relaxed", "acquire", "release"):
            out.append(Prim(f"{base}_{suffix}", kind, suffix))  # type: ignore[arg-type,unused-ignore]
    return {p.name: p for p in out}


PRIMS: dict[str, Prim] = _table()
STATEMENT_PRIMS = frozenset(n for n, p in PRIMS.items() if not p.returns_value)
VALUE_PRIMS = frozenset(n for n, p in PRIMS.items() if p.returns_value)


def register(prim: Prim) -> None:
    """Another module's primitive (kernelapi's atomic_*), known to every stage."""
    PRIMS[prim.name] = prim
    global STATEMENT_PRIMS, VALUE_PRIMS
    STATEMENT_PRIMS = frozenset(n for n, p in PRIMS.items() if not p.returns_value)
    VALUE_PRIMS = frozenset(n for n, p in PRIMS.items() if p.returns_value)
