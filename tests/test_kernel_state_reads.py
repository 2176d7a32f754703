"""Kernel state readable by name (mmspec/kernelstate.py, mmspec/memstate.py): RCU nesting,
object lifetimes, grace periods, interrupts, lockdep and the memory model's views, in
invariants and steps. Each invariant below is checked on its own; the expected verdict and
shortest trace are derived by hand from docs/kernel.md and docs/memory-model.md, on the
explicit engine and bmc (the reads are ordinary IR, so the engines must agree)."""
from __future__ import annotations

from pathlib import Path

import pytest

from checker.options import CheckOptions
from mmspec.cli import _run_engine
from mmspec.diagnostics import SpecError
from mmspec.frontend import load_spec
from mmspec.ground import ground

RCU = """spec rcu_reads
objects Vma[1] typesafe_by_rcu
type Rd = 0..1
process reader[r in Rd] {
r0: rcu_read_lock()
r1: rcu_read_unlock()
}
process writer {
  var v: Vma = 0
w0: v := alloc(Vma)
w1: free(v)
w2: synchronize_rcu()
}
"""

IRQ = """spec irq_reads
spinlock l
mutex m
hardirq process timer cpu(0) {
t0: spin_lock(l)
t1: spin_unlock(l)
}
process worker cpu(0) {
w0: spin_lock_irqsave(l)
w1: spin_unlock_irqrestore(l)
w2: mutex_lock_nested(m, 1)
w3: mutex_unlock(m)
}
"""

# the worker sets l's class first (static: applies from the start); the timer as in IRQ
IRQ_CLASSED = IRQ.replace("spec irq_reads", "spec irq_classed").replace(
    "w0: spin_lock_irqsave(l)", "wc: lockdep_set_class(l, K)\nw0: spin_lock_irqsave(l)")

LKMM = """spec mem_reads
option memory = lkmm
var x: 0..1 = 0
var y: 0..1 = 0
process writer {
a: x := 1
b: smp_store_release(y, 1)
}
process reader {
  var r: 0..1
c: r := smp_load_acquire(y)
}
"""

# (spec, invariant, shortest violation in steps or None when it holds), by hand:
CASES = [
    # each reader enters once: depth at most 1; reader[0]'s rcu_read_lock is 1 step
    (RCU, "rcu_preempt_depth(reader[0]) <= 1", None),
    (RCU, "rcu_preempt_depth(reader[0]) == 0", 1),
    (RCU, "rcu_preempt_depth(writer) == 0", None),
    # a Vma is never live and freed at once; freed after alloc + free
    (RCU, "!(object_live(Vma, 1) && object_freed(Vma, 1))", None),
    (RCU, "!object_freed(Vma, 1)", 2),
    (RCU, "!object_live(Vma, 1)", 1),
    # the grace period records reader[1] only if it is inside when synchronize_rcu starts:
    # reader[1]: r0, then the writer's w0, w1, w2 (the start step)
    (RCU, "!rcu_gp_waits_for(writer, reader[1])", 4),
    # constructs the spec does not use read as their constant: no preempt_disable, no
    # kfree_rcu
    (RCU, "preempt_count(writer) == 0 && bh_disable_depth(reader[1]) == 0", None),
    (RCU, "!rcu_free_pending(Vma, 1) && !rcu_free_waits_for(Vma, 1, reader[0])", None),
    # the handler arrives (1 step) only with IRQs on; it takes l (2 steps): IN-HARDIRQ
    (IRQ, "!irq_fired(timer)", 1),
    (IRQ, "!lockdep_in_hardirq(l)", 2),
    # worker's spin_lock_irqsave: IRQs off for the acquire (1 step); HARDIRQ-ON needs l
    # taken with IRQs on, which no step does
    (IRQ, "irq_disable_depth(worker) == 0", 1),
    (IRQ, "!lockdep_hardirq_on(l)", None),
    # the handler freezes the worker until it is done: after it (3 steps) the worker may
    # disable IRQs (1 more)
    (IRQ, "!(irq_fired(timer) && irq_disable_depth(worker) > 0)", 4),
    # usage bits are per class: with lockdep_set_class(l, K) the lock's name reads K's
    (IRQ_CLASSED, "!lockdep_in_hardirq(l)", 2),
    (IRQ_CLASSED, "!lockdep_in_hardirq(K)", 2),
    # mutex_lock_nested(m, 1) after w0, w1 (3 steps)
    (IRQ, "lock_subclass(m, worker) == 0", 3),
    # a write appends to x's history: 2 kept writes after writer's `a` (1 step); the writer's
    # view of x moves to the new write with it (x.seen[writer] = 1)
    (LKMM, "mem_writes(x) == 1", 1),
    (LKMM, "mem_seen(x, writer) == 0", 1),
    # reader never reads x, yet its acquire of y's release write (a, b, then c: 3 steps)
    # joins its view with the one that write carries: x's write 1 becomes visible to it
    (LKMM, "mem_seen(x, reader) == 0", 3),
    # the release write of y (after a: 2 steps) carries the writer's view of x (write 1)
    (LKMM, "mem_carried(y, 1, x) == 0", 2),
]


def _run(tmp_path: Path, text: str, engine: str):
    f = tmp_path / "s.mms"
    f.write_text(text, encoding="utf-8")
    return _run_engine(engine, ground(load_spec(str(f))),  # type: ignore[arg-type]
                       CheckOptions(depth=6, deadlock=False))


@pytest.mark.parametrize("engine", ["explicit", "bmc"])
@pytest.mark.parametrize("spec,inv,steps", CASES,
                         ids=[f"{s.split()[1]}:{inv}" for s, inv, _ in CASES])
def test_state_read_in_an_invariant(tmp_path, spec, inv, steps, engine):
    r = _run(tmp_path, spec + f"invariant p: {inv}\n", engine)
    if steps is None:
        assert r.violations == []
    else:
        assert [v.kind for v in r.violations] == ["invariant"]
        assert len(r.violations[0].trace.steps) - 1 == steps


def test_counter_of_the_stepping_thread(tmp_path):
    """Inside a step the thread may be left out, as the kernel reads `current`."""
    ok = RCU.replace("r1: rcu_read_unlock()",
                     "r1: assert rcu_preempt_depth() == 1\nr2: rcu_read_unlock()")
    assert _run(tmp_path, ok, "explicit").violations == []
    bad = RCU.replace("r0: rcu_read_lock()", "r0: assert rcu_preempt_depth() == 1\n"
                      "r0b: rcu_read_lock()")
    r = _run(tmp_path, bad, "explicit")
    assert [v.kind for v in r.violations] == ["assertion"]
    # an in-step assertion fails as its step is taken: the first step of either reader,
    # from the initial state (a trace of no steps before it)
    assert len(r.violations[0].trace.steps) - 1 == 0
    assert r.violations[0].details.action in ("reader[0]: r0", "reader[1]: r0")


@pytest.mark.parametrize("inv,code,col", [
    # "invariant p: " is 13 columns: the call starts at column 14
    ("object_live(Foo, 1)", "MMS202", 26),  # not a pool
    ("irq_fired(writer)", "MMS206", 24),    # not a handler
    ("mem_seen(x, writer)", "MMS204", 23),  # no memory model: not a location
    ("rcu_preempt_depth()", "MMS315", 14),  # outside a step: name the thread
])
def test_state_read_errors(tmp_path, inv, code, col):
    f = tmp_path / "s.mms"
    f.write_text(RCU + f"invariant p: {inv}\n", encoding="utf-8")
    with pytest.raises(SpecError) as e:
        load_spec(str(f))
    d = e.value.diagnostics[0]
    assert (d.code, d.span.line, d.span.col) == (code, RCU.count("\n") + 1, col)


# Every slot of kernel or memory-model state spelt by the pdr lemma printer reads back as
# that slot and no other: `spell` and the type checker's reads are one table.
KERNEL_ALL = """spec kernel_all
spinlock l
mutex m
objects Obj[1]
hardirq process timer cpu(0) {
t0: spin_lock(l)
t1: spin_unlock(l)
}
process worker cpu(0) {
  var o: Obj = 0
w0: spin_lock_irqsave(l)
w1: spin_unlock_irqrestore(l)
w2: mutex_lock_nested(m, 1)
w3: mutex_unlock(m)
w4: preempt_disable()
w5: preempt_enable()
w6: local_bh_disable()
w7: local_bh_enable()
w8: o := alloc(Obj)
w9: kfree_rcu(o)
}
process reader {
r0: rcu_read_lock()
r1: rcu_read_unlock()
r2: synchronize_rcu()
}
"""

MEMORY_ALL = """spec memory_all
option memory = lkmm
mutex m
var x: 0..1 = 0
var y: 0..1 = 0
process writer {
a: x := 1
b: smp_wmb()
c: y := 1
d: lock(m)
e: unlock(m)
}
process reader {
  var r: 0..1
f: r := y
f2: x := 1
g: smp_rmb()
h: smp_mb()
i: r := x
}
"""


@pytest.mark.parametrize("text", [KERNEL_ALL, MEMORY_ALL], ids=["kernel", "memory"])
def test_every_spelt_slot_reads_back_as_itself(tmp_path, text):
    from checker.symbolic.por import slots_read
    from mmspec.kernelstate import spell
    f = tmp_path / "s.mms"
    f.write_text(text, encoding="utf-8")
    system = ground(load_spec(str(f)))
    spelt = {k: spell(system.spec, s.var, s.path) for k, s in enumerate(system.slots)}
    spelt = {k: sp for k, sp in spelt.items() if sp is not None}
    families = {system.slots[k].var.split(".")[-1] for k in spelt}
    # what each spec exercises (the test is void if a family is never spelt)
    want = ({"nest", "count", "off", "gp", "state", "rcu_pending", "rcu_wait", "irq", "sub",
             "IN-HARDIRQ-W", "HARDIRQ-ON-W"} if "kernel" in text else
            {"old", "n", "seen", "mv", "acq", "rel", "own", "fence", "mview", "early_f2"})
    assert want <= families
    for k, sp in spelt.items():
        lo = system.slots[k].lo
        text_k = (f"{sp.term} == {lo}" if sp.term else sp.pred if sp.pred else sp.cases[0][1])
        f.write_text(text + f"invariant p: {text_k}\n", encoding="utf-8")
        inv = ground(load_spec(str(f))).invariants[-1]
        assert slots_read(inv.expr, set()) == {k}, (system.slots[k], text_k)
