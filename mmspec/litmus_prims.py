"""The litmus primitives mmspec translates (herd7's names), what each becomes, and the
atomic_t operations: the tables mmspec/litmus_emit.py reads."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

LocKind = Literal["int", "ptr", "lock", "atomic"]
ArgForm = Literal["lvalue", "pointer"]  # READ_ONCE(*x) vs smp_load_acquire(x)
PrimKind = Literal["load", "store", "fence", "rmw", "lock", "trylock", "islocked", "rcu", "rscs",
                   "atomic_op"]


@dataclass(frozen=True)
class Prim:
    """A litmus primitive and what it becomes. `values` counts value arguments after the
    location; `returns` says whether it yields a value; `missing` (if set) names what mmspec
    lacks for it, which makes using it an error naming that."""
    kind: PrimKind
    form: ArgForm = "pointer"
    values: int = 0
    returns: bool = False
    on: tuple[LocKind, ...] = ("int", "ptr")
    missing: str | None = None


def _family(base: str, prim: Prim) -> dict[str, Prim]:
    return {base + suffix: prim for suffix in ("", "_relaxed", "_acquire", "_release")}


PRIMITIVES: dict[str, Prim] = {
    "READ_ONCE": Prim("load", "lvalue", returns=True),
    "smp_load_acquire": Prim("load", returns=True),
    "rcu_dereference": Prim("load", "lvalue", returns=True),
    "WRITE_ONCE": Prim("store", "lvalue", values=1),
    "smp_store_release": Prim("store", values=1),
    "rcu_assign_pointer": Prim("store", "lvalue", values=1),
    "smp_mb": Prim("fence"),
    "smp_rmb": Prim("fence"),
    "smp_wmb": Prim("fence"),
    "smp_mb__before_atomic": Prim("fence"),
    "smp_mb__after_atomic": Prim("fence"),
    "smp_mb__after_spinlock": Prim("fence"),
    **_family("xchg", Prim("rmw", values=1, returns=True)),
    **_family("cmpxchg", Prim("rmw", values=2, returns=True)),
    "spin_lock": Prim("lock", on=("lock",)),
    "spin_unlock": Prim("lock", on=("lock",)),
    "spin_trylock": Prim("trylock", returns=True, on=("lock",)),
    "spin_is_locked": Prim("islocked", returns=True, on=("lock",)),
    "rcu_read_lock": Prim("rscs"),
    "rcu_read_unlock": Prim("rscs"),
    "synchronize_rcu": Prim("rcu", missing="RCU grace periods (synchronize_rcu)"),
}

# LKMM orders RCU read-side critical sections only against grace periods (its rcu-order
# relation pairs each critical section with a synchronize_rcu()); in a test without a grace
# period rcu_read_lock()/rcu_read_unlock() order nothing, so they become comments.
GRACE_PERIODS = frozenset({"synchronize_rcu"})

# atomic_t operations: (location argument position, value arguments, returns a value)
ATOMIC_OPS: dict[str, tuple[int, int, bool]] = {
    "atomic_read": (0, 0, True), "atomic_read_acquire": (0, 0, True),
    "atomic_set": (0, 1, False), "atomic_set_release": (0, 1, False),
    "atomic_inc": (0, 0, False), "atomic_dec": (0, 0, False),
    "atomic_add": (1, 1, False), "atomic_sub": (1, 1, False),
    "atomic_add_unless": (0, 2, True), "atomic_inc_not_zero": (0, 0, True),
    "atomic_dec_and_test": (0, 0, True), "atomic_sub_and_test": (1, 1, True),
    "atomic_inc_and_test": (0, 0, True),
}
for _op in ("inc", "dec"):
    for _shape in (f"atomic_{_op}_return", f"atomic_fetch_{_op}"):
        ATOMIC_OPS.update({_shape + s: (0, 0, True)
                           for s in ("", "_relaxed", "_acquire", "_release")})
for _op in ("add", "sub"):
    for _shape in (f"atomic_{_op}_return", f"atomic_fetch_{_op}"):
        ATOMIC_OPS.update({_shape + s: (1, 1, True)
                           for s in ("", "_relaxed", "_acquire", "_release")})
for _shape, _vals in (("atomic_xchg", 1), ("atomic_cmpxchg", 2)):
    ATOMIC_OPS.update({_shape + s: (0, _vals, True)
                       for s in ("", "_relaxed", "_acquire", "_release")})

ATOMICS_MISSING = "atomic_t operations"
