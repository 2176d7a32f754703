"""The tables of execution contexts, RCU and object lifetimes (mmspec/contexts.py): which
calls move which per-thread counter, the lock wrappers, lockdep's annotations and IRQ-usage
bits, and the object pools' states."""
from __future__ import annotations

from typing import TYPE_CHECKING

from mmspec import ir
from mmspec import syntax as S

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, cheaper to create (start-up time)
    from mmspec.nodeclass import dataclass

MAX_NEST = 3  # rcu_read_lock / preempt_disable / local_irq_save nesting depth per thread

# counter name -> state variable, and what it says in a message
COUNTERS: dict[str, tuple[str, str]] = {
    "rcu": ("rcu.nest", "inside an RCU read-side critical section (rcu_read_lock)"),
    "preempt": ("preempt.count", "with preemption disabled (preempt_disable)"),
    "irq": ("irq.off", "with IRQs disabled"),
    "bh": ("bh.off", "with softirqs disabled (local_bh_disable)"),
}

# call -> (counter, effect): inc, dec (restore), set1 (disable), zero (enable)
COUNTER_CALLS: dict[str, tuple[str, str]] = {
    "preempt_disable": ("preempt", "inc"), "preempt_enable": ("preempt", "dec"),
    "local_irq_disable": ("irq", "set1"), "local_irq_enable": ("irq", "zero"),
    "local_irq_save": ("irq", "inc"), "local_irq_restore": ("irq", "dec"),
    "local_bh_disable": ("bh", "inc"), "local_bh_enable": ("bh", "dec"),
}

# lock wrapper -> (the plain lock op, counter, effect)
LOCK_WRAPPERS: dict[str, tuple[str, str, str]] = {
    "spin_lock_irq": ("spin_lock", "irq", "set1"),
    "spin_unlock_irq": ("spin_unlock", "irq", "zero"),
    "spin_lock_irqsave": ("spin_lock", "irq", "inc"),
    "spin_unlock_irqrestore": ("spin_unlock", "irq", "dec"),
    "spin_lock_bh": ("spin_lock", "bh", "inc"),
    "spin_unlock_bh": ("spin_unlock", "bh", "dec"),
}

OBJECT_CALLS = frozenset({"free", "kfree_rcu", "call_rcu"})
# lockdep_assert_*(l) -> the lock predicate that must hold (None: not held at all)
LOCKDEP_ASSERTS: dict[str, str | None] = {
    "lockdep_assert_held": "held", "lockdep_assert_held_write": "held_write",
    "lockdep_assert_held_read": "held_read", "lockdep_assert_not_held": None,
}
# static class annotations (the kernel calls them at init, before the lock is used)
# (lockdep_set_subclass(l, n) is read by the lowering's nested_usage(): it sizes the
# subclass variable, and every acquisition of l without its own subclass uses n)
LOCKDEP_CLASS_CALLS = frozenset({"lockdep_set_class", "lockdep_set_novalidate_class",
                                 "lockdep_set_subclass"})
NO_VALIDATE = "__lockdep_no_validate__"  # as checker.lockorder.NO_VALIDATE
RCU_CALLS = frozenset({"rcu_read_lock", "rcu_read_unlock", "__gp_start", "__gp_wait"})
SLEEP_CALLS = frozenset({"might_sleep", "msleep"})
SPLIT_CALLS = {"synchronize_rcu": ("__gp_start", "__gp_wait", "gp")}

CALLS = (frozenset(COUNTER_CALLS) | frozenset(LOCK_WRAPPERS) | OBJECT_CALLS | RCU_CALLS
         | SLEEP_CALLS | frozenset(SPLIT_CALLS) | frozenset(LOCKDEP_ASSERTS)
         | LOCKDEP_CLASS_CALLS)

# handler context -> (lockdep's IN usage, its ON usage, the counters that make it "off")
USAGE: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "hardirq": ("IN-HARDIRQ-W", "HARDIRQ-ON-W", ("irq",)),
    "softirq": ("IN-SOFTIRQ-W", "SOFTIRQ-ON-W", ("irq", "bh")),
}

FREED = 2
LIVE = 1


def lock_call_root(st: S.CallStmt) -> str | None:
    """The lock name an acquire-like call names, or None."""
    if not st.args:
        return None
    a = st.args[0]
    root = a.base if isinstance(a, S.IndexExpr) else a
    return root.id if isinstance(root, S.Name) else None


def _calls(stmts: tuple[S.Stmt, ...] | list[S.Stmt]) -> list[S.CallStmt]:
    out: list[S.CallStmt] = []
    for st in stmts:
        if isinstance(st, S.CallStmt):
            out.append(st)
        elif isinstance(st, S.Assign):
            out += [S.CallStmt(v.func, v.args, span=v.span) for v in st.values
                    if isinstance(v, S.Call)]
        for sub in S.blocks_of(st):
            out += _calls(sub)
    return out


@dataclass
class Pool:
    name: str
    count: int
    typesafe: bool
    type: ir.IntType
    span: ir.Span
    rcu: bool = False  # kfree_rcu/call_rcu used on it
    live: int = 0  # objects 1..live exist in the initial state (`objects P[N] live K`)

    @property
    def state(self) -> str:
        return f"{self.name}.state"

    def show(self, o: int) -> str:
        return f"{self.name} {o}"
