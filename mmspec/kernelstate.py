"""The kernel state that contexts, RCU, object pools, interrupts and lockdep add to a spec
(mmspec/contexts.py, mmspec/lowervars.py), readable in expressions under the kernel's names.

This module serves both directions:
- the type checker reads a call through READS: `rcu_preempt_depth(reader[1])` is the slot
  `rcu.nest[reader[1]]`, `object_freed(Vma, 1)` is `Vma.state[1] == 2`;
- the pdr engine's lemma printer (checker/symbolic/lemmas.py) spells a slot of such a
  variable with `spell`, so an invariant over RCU nesting or object lifetimes prints as
  `helper invariant`s that paste back into the spec (issue 20) instead of comments.
tests/test_kernel_state_reads.py checks that every slot `spell` names reads back, through
the type checker, as that slot and no other.

A construct the spec does not use has no state; reading it gives its value in every state
(depth 0, not fired, no usage, nobody waited for), as the kernel would report it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Literal

from mmspec import ir, memstate
from mmspec import syntax as S
from mmspec.checkctx import Ctx
from mmspec.context_tables import COUNTERS, FREED, LIVE, USAGE
from mmspec.typerules import BOOL, ERR, FALSE, TE, _respan, index_of, int_lit

if TYPE_CHECKING:
    from mmspec.typecheck import Elaborator

Param = Literal["thread", "lock", "pool", "object", "class", "handler"]
Family = Literal["counter", "gp", "state", "pending", "wait", "irq", "usage", "subclass"]


@dataclass(frozen=True)
class StateRead:
    """One spelling: `func(params...)` reads the variable `var(args)` (see `variable`)."""

    func: str
    family: Family
    params: tuple[Param, ...]
    key: str = ""  # the counter (rcu, preempt, irq, bh), the object state, the usage bit
    doc: str = ""


def _counter(func: str, key: str, doc: str) -> StateRead:
    return StateRead(func, "counter", ("thread",), key, doc)


def _usage(ctx: str, which: int) -> StateRead:
    bit = USAGE[ctx][0] if which == 0 else USAGE[ctx][1]
    func = "lockdep_" + bit.lower().removesuffix("-w").replace("-", "_")
    return StateRead(func, "usage", ("class",), bit,
                     f"lockdep's {bit} usage bit of a lock class")


READS: dict[str, StateRead] = {r.func: r for r in (
    _counter("rcu_preempt_depth", "rcu", "RCU read-side nesting (rcu_read_lock) of a thread"),
    _counter("preempt_count", "preempt", "preempt_disable() nesting of a thread"),
    _counter("irq_disable_depth", "irq", "IRQs-off depth (local_irq_save nesting) of a thread"),
    _counter("bh_disable_depth", "bh", "local_bh_disable() nesting of a thread"),
    StateRead("rcu_gp_waits_for", "gp", ("thread", "thread"), "",
              "synchronize_rcu() started by the first thread waits for the second's section"),
    StateRead("object_live", "state", ("pool", "object"), str(LIVE), "allocated, not freed"),
    StateRead("object_freed", "state", ("pool", "object"), str(FREED), "freed"),
    StateRead("rcu_free_pending", "pending", ("pool", "object"), "",
              "kfree_rcu()/call_rcu() called, the callback has not run"),
    StateRead("rcu_free_waits_for", "wait", ("pool", "object", "thread"), "",
              "the pending free waits for this thread's read-side section"),
    StateRead("irq_fired", "irq", ("handler",), "", "the interrupt handler has arrived"),
    StateRead("lock_subclass", "subclass", ("lock", "thread"), "",
              "the lockdep subclass a thread holds the lock with (_nested)"),
    _usage("hardirq", 0), _usage("hardirq", 1), _usage("softirq", 0), _usage("softirq", 1),
)}


VARIABLES: dict[Family, str] = {  # family -> the variable's name; {} is the pool, lock, ...
    "gp": "rcu.gp", "state": "{}.state", "pending": "{}.rcu_pending", "wait": "{}.rcu_wait",
    "irq": "{}.irq", "subclass": "{}.sub",
}


def variable(r: StateRead, name: str) -> str:
    """The state variable behind a read; `name` is the pool, handler, lock or lock class
    (unused for the per-thread counters and grace periods)."""
    if r.family == "counter":
        return COUNTERS[r.key][0]
    if r.family == "usage":
        return f"lockdep.{name}.{r.key}"
    return VARIABLES[r.family].format(name)


# ---------------------------------------------------------------------- reading (typing)


def is_state_read(el: Elaborator, func: str) -> bool:
    """A builtin spelling that the spec has not shadowed with a def of its own."""
    return (func in READS or func in memstate.CALLS) and el.sy.kind_of(func) is None


def read_call(el: Elaborator, e: S.Call, ctx: Ctx) -> TE:
    """Type one call of the table. Inside a process step the last thread argument of a
    per-thread counter may be left out: it is the stepping thread (as the kernel's
    `rcu_preempt_depth()` reads `current`)."""
    if e.func in memstate.CALLS:
        return memstate.read_call(el, e, ctx)
    r = READS[e.func]
    args = list(e.args)
    if r.family == "counter" and not args:
        if ctx.thread is not None:
            return _counter_read(el, r, ctx.thread, ctx, e.span)
        return el.err("MMS315", f"{r.func}() means 'of this thread': outside a process step "
                      "name the thread", e.span, expected=f"{r.func}(P) or {r.func}(P[i])")
    if not el.nargs(e, len(r.params)):
        return TE(FALSE, ERR)
    if r.family == "counter":
        tid = el.thread_ref(args[0], ctx)
        return TE(FALSE, ERR) if tid is None else _counter_read(el, r, tid, ctx, e.span)
    if r.family == "gp":
        a, b = el.thread_ref(args[0], ctx), el.thread_ref(args[1], ctx)
        if a is None or b is None:
            return TE(FALSE, ERR)
        return _member(el, "rcu.gp", a, b, ctx, e.span)
    if r.params[0] == "pool":
        return _pool_read(el, r, args, ctx, e.span)
    if r.family == "irq":
        return _handler_read(el, args[0], ctx, e.span)
    if r.family == "subclass":
        return _subclass_read(el, args, ctx, e.span)
    return _usage_read(el, r, args[0], ctx, e.span)


def _read(var: str, ctx: Ctx) -> ir.Expr:
    return ctx.sym.read(var) if ctx.sym else ir.VarRef(var)


def _counter_read(el: Elaborator, r: StateRead, tid: ir.Expr, ctx: Ctx, span: ir.Span) -> TE:
    var = variable(r, "")
    if var not in el.state_types:
        return TE(_respan(int_lit(0), span), ir.IntType(0, 0))
    t = el.state_types[var]
    assert isinstance(t, ir.MapType)
    return TE(_respan(index_of(_read(var, ctx), tid), span), t.value)


def _member(el: Elaborator, var: str, key: ir.Expr, who: ir.Expr, ctx: Ctx,
            span: ir.Span) -> TE:
    if var not in el.state_types:
        return TE(FALSE, BOOL)
    return TE(_respan(ir.Binary("in", who, index_of(_read(var, ctx), key)), span), BOOL)


def _pool_read(el: Elaborator, r: StateRead, args: list[S.Expr], ctx: Ctx,
               span: ir.Span) -> TE:
    pool = args[0]
    state = f"{pool.id}.state" if isinstance(pool, S.Name) else ""
    t = el.state_types.get(state)
    if not isinstance(t, ir.MapType):
        form = f"{r.func}(P, o{', T' if r.family == 'wait' else ''})"
        return el.err("MMS202", f"{r.func}() needs an object pool (objects P[N]) as its first "
                      "argument", pool.span, expected=form)
    assert isinstance(pool, S.Name)
    o = el.expect(args[1], ctx, t.key, f"object of pool {pool.id}")
    if r.family == "state":
        got = index_of(_read(state, ctx), o.expr)
        return TE(_respan(ir.Binary("eq", got, int_lit(int(r.key))), span), BOOL)
    var = variable(r, pool.id)
    if r.family == "pending":
        if var not in el.state_types:
            return TE(FALSE, BOOL)
        return TE(_respan(index_of(_read(var, ctx), o.expr), span), BOOL)
    who = el.thread_ref(args[2], ctx)
    return TE(FALSE, ERR) if who is None else _member(el, var, o.expr, who, ctx, span)


def _handler_read(el: Elaborator, arg: S.Expr, ctx: Ctx, span: ir.Span) -> TE:
    name = arg.id if isinstance(arg, S.Name) else ""
    if name not in el.processes:
        return el.err("MMS206", "irq_fired() needs an interrupt handler process", arg.span,
                      expected="irq_fired(H) for a `hardirq process H` or `softirq process H`")
    var = f"{name}.irq"
    if var not in el.state_types:
        return el.err("MMS206", f"process '{name}' is not an interrupt handler", arg.span,
                      expected="irq_fired(H) for a `hardirq process H` or `softirq process H`")
    return TE(_respan(_read(var, ctx), span), BOOL)


def _subclass_read(el: Elaborator, args: list[S.Expr], ctx: Ctx, span: ir.Span) -> TE:
    ref = el.lock_ref(args[0], ctx, "lock_subclass()")
    tid = el.thread_ref(args[1], ctx)
    if ref is None or tid is None:
        return TE(int_lit(0), ERR)
    lk, idx = ref
    if lk.sub_var is None:  # never taken with _nested: subclass 0
        return TE(_respan(int_lit(0), span), ir.IntType(0, 0))
    base = _read(lk.sub_var, ctx)
    got = index_of(base if idx is None else index_of(base, idx), tid)
    return TE(_respan(got, span), ir.IntType(0, lk.max_sub))


def _usage_read(el: Elaborator, r: StateRead, arg: S.Expr, ctx: Ctx, span: ir.Span) -> TE:
    name = arg.id if isinstance(arg, S.Name) else ""
    # a lock reads its class: the declared one, or lockdep_set_class()'s (the usage bits
    # are per class, so the lock's own name would name no state)
    cls = el.lock_classes.get(name, name)
    if cls not in el.lock_classes.values():
        return el.err("MMS203", f"{r.func}() needs a lock class or a lock", arg.span,
                      expected=f"{r.func}(C) for a lock's class")
    var = variable(r, cls)
    if var not in el.state_types:
        return TE(FALSE, BOOL)
    return TE(_respan(_read(var, ctx), span), BOOL)


# ---------------------------------------------------------------------- spelling (printing)


@dataclass(frozen=True)
class Spelling:
    """How a slot of kernel state reads in a spec: an int `term`, a bool `pred`, or one
    predicate per value (`cases`)."""

    term: str | None = None
    pred: str | None = None
    cases: tuple[tuple[int, str], ...] = ()


Who = Callable[[int | str], str]  # a thread id as the spec names the thread


def spell(spec: ir.Spec, var: str, path: tuple[int | str, ...]) -> Spelling | None:
    """The spelling of slot `path` of state variable `var`, or None when it is not kernel
    state of this table. Threads print as the spec names them (`reader[1]`)."""
    threads = {th.tid: th.name for th in spec.threads}

    def who(k: int | str) -> str:
        return threads[k] if isinstance(k, int) and k in threads else str(k)

    mem = memstate.spell(spec, var, path, who)
    if mem is not None:
        return _leaf(mem, spec.variable(var).type, len(path))
    for speller in (_context_spelling, _pool_spelling, _usage_spelling, _subclass_spelling):
        got = speller(spec, var, path, who)
        if got is not None:
            return got
    return None


def _context_spelling(spec: ir.Spec, var: str, path: tuple[int | str, ...],
                      who: Who) -> Spelling | None:
    """The per-thread counters, the grace periods and the handlers' arrival flags."""
    for k, (cvar, _) in COUNTERS.items():
        if var == cvar and len(path) == 1:
            return Spelling(term=f"{_func('counter', k)}({who(path[0])})")
    if var == "rcu.gp" and len(path) == 2:
        return Spelling(pred=f"rcu_gp_waits_for({who(path[0])}, {who(path[1])})")
    for h, flag in spec.contexts.handlers if spec.contexts else ():
        if var == flag and not path:
            return Spelling(pred=f"irq_fired({h})")
    return None


def _pool_spelling(spec: ir.Spec, var: str, path: tuple[int | str, ...],
                   who: Who) -> Spelling | None:
    """An object's state (never allocated / live / freed) and its pending RCU free."""
    for pool, state in spec.contexts.pools if spec.contexts else ():
        if var == state and len(path) == 1:
            o = path[0]
            live, freed = f"object_live({pool}, {o})", f"object_freed({pool}, {o})"
            return Spelling(cases=((0, f"!{live} && !{freed}"), (LIVE, live), (FREED, freed)))
        if var == f"{pool}.rcu_pending" and len(path) == 1:
            return Spelling(pred=f"rcu_free_pending({pool}, {path[0]})")
        if var == f"{pool}.rcu_wait" and len(path) == 2:
            return Spelling(pred=f"rcu_free_waits_for({pool}, {path[0]}, {who(path[1])})")
    return None


def _usage_spelling(spec: ir.Spec, var: str, path: tuple[int | str, ...],
                    who: Who) -> Spelling | None:
    """lockdep's IRQ usage bits of a lock class (`lockdep.C.IN-HARDIRQ-W`)."""
    if not var.startswith("lockdep.") or path:
        return None
    cls, _, bit = var[len("lockdep."):].rpartition(".")
    func = next((r.func for r in READS.values() if r.family == "usage" and r.key == bit), None)
    return Spelling(pred=f"{func}({cls})") if func and cls else None


def _subclass_spelling(spec: ir.Spec, var: str, path: tuple[int | str, ...],
                       who: Who) -> Spelling | None:
    """The lockdep subclass a thread holds a lock with (`L.sub[T]`)."""
    from mmspec.glayout import display_scalar  # the printer's side only (start-up time)
    lk = next((lk for lk in spec.locks if lk.subclass_var == var), None)
    if lk is None:
        return None
    name = lk.name
    if lk.index_type is not None and path:
        key = path[0]
        shown = display_scalar(lk.index_type, key) if isinstance(key, int) else key
        name, path = f"{name}[{shown}]", path[1:]
    if len(path) != 1:
        return None
    return Spelling(term=f"lock_subclass({name}, {who(path[0])})")


def _leaf(text: str, t: ir.Type, depth: int) -> Spelling:
    """A read of a slot `depth` keys into a variable of type t: a term, a predicate, or
    one case per value of an enum (or compact int) slot."""
    for _ in range(depth):
        assert isinstance(t, ir.MapType)
        t = t.value
    if isinstance(t, ir.BoolType):
        return Spelling(pred=text)
    if isinstance(t, ir.EnumType):
        return Spelling(cases=tuple((i, f"{text} == {m}") for i, m in enumerate(t.members)))
    if isinstance(t, ir.IntType) and t.values is not None:  # a compact slot holds an index
        return Spelling(cases=tuple((i, f"{text} == {v}") for i, v in enumerate(t.values)))
    return Spelling(term=text)


def _func(family: Family, key: str) -> str:
    return next(r.func for r in READS.values() if r.family == family and r.key == key)
