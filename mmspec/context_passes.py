"""The whole-spec passes of the context lowering (mmspec/contexts.py), run once every step
is lowered: use-after-free checks on every access to an object's fields, interrupt arrival
steps and the preemption rule of a shared CPU, RCU callbacks, and the `ContextInfo` the
engines and renderers read."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from mmspec import ir
from mmspec import syntax as S
from mmspec.context_tables import COUNTERS, FREED, USAGE, Pool
from mmspec.lockkinds import holds_any, lock_kind
from mmspec.typecheck import FALSE, TRUE, conj, int_lit, neg

if TYPE_CHECKING:  # pragma: no cover
    from mmspec.contexts import ContextLowering


def finish(cx: "ContextLowering", transitions: list[ir.Transition]) -> list[ir.Transition]:
    out = [object_checks(cx, t) for t in transitions]
    out = interrupts(cx, out)
    out += callbacks(cx)
    return out



def field_maps(cx: "ContextLowering") -> dict[str, Pool]:
    """User variables declared map[P] T: the fields of P's objects."""
    out: dict[str, Pool] = {}
    for name, d in cx.low.sy.vars.items():
        if isinstance(d.type, S.MapT) and isinstance(d.type.key, S.NamedT) and \
                d.type.key.name in cx.pools:
            out[name] = cx.pools[d.type.key.name]
    return out



def object_checks(cx: "ContextLowering", t: ir.Transition) -> ir.Transition:
    fields = field_maps(cx)
    if not fields or t.thread is None:
        return t
    found: list[tuple[str, ir.Expr, list[ir.Expr], ir.CheckWhen]] = []
    _accesses(t.guard, [], fields, found, "reach")
    for u in t.updates:
        tgt = u.target
        while isinstance(tgt, ir.Field):
            tgt = tgt.base
        if isinstance(tgt, ir.Index) and isinstance(tgt.base, ir.VarRef) and \
                tgt.base.name in fields:
            found.append((tgt.base.name, tgt.index, [], "fire"))
        _accesses(u.value, [], fields, found, "fire")
    checks = list(t.checks)
    seen: set[tuple[str, ir.Expr, tuple[ir.Expr, ...], ir.CheckWhen]] = set()
    for m, idx, path, when in found:
        key = (m, idx, tuple(path), when)
        if key in seen:
            continue
        seen.add(key)
        p = fields[m]
        checks.append(_null_check(cx, t, p, m, conj(path + [ir.Binary("eq", idx, int_lit(0))]),
                                  when))
        for o in range(1, p.count + 1):
            freed = ir.Binary("eq", ir.Index(ir.VarRef(p.state), int_lit(o)),
                              int_lit(FREED))
            if p.typesafe and "rcu" in cx.counters:
                outside = ir.Binary("eq", ir.Index(ir.VarRef("rcu.nest"), t.thread),
                                    int_lit(0))
                freed = ir.Binary("and", freed, outside)
            bad = conj(path + [ir.Binary("eq", idx, int_lit(o)), freed])
            where = f"{t.process}: {t.label}" if t.process else t.name
            msg = cx.meta(f"use-after-free: {where} accesses {p.show(o)} (through "
                            f"'{m}') after it was freed", reason="use-after-free",
                            pool=p.name, object=str(o), state=p.state, field=m)
            checks.append(ir.Check(neg(bad), msg, "use-after-free", when, t.span))
    return replace(t, checks=tuple(checks))



def _null_check(cx: "ContextLowering", t: ir.Transition, p: Pool, m: str, bad: ir.Expr,
                when: ir.CheckWhen) -> ir.Check:
    """A field read or written through object 0, NULL: the kernel's "BUG: kernel NULL
    pointer dereference" (KASAN: null-ptr-deref). A map over the pool type has a slot for
    0, so without this check the access would silently read a value that is not there."""
    where = f"{t.process}: {t.label}" if t.process else t.name
    msg = cx.meta(f"BUG: kernel NULL pointer dereference: {where} accesses '{m}' of a NULL "
                  f"{p.name}", reason="null-deref", pool=p.name, field=m)
    return ir.Check(neg(bad), msg, "null-deref", when, t.span)


def running(cx: "ContextLowering", h: str) -> ir.Expr:
    info = cx.el.processes[h]
    assert info.pc_type is not None
    done = ir.Lit(len(info.pc_type.members) - 1, info.pc_type)
    return ir.Binary("and", ir.VarRef(f"{h}.irq"),
                     ir.Binary("ne", ir.VarRef(f"{h}.pc"), done))



def atomic(cx: "ContextLowering", tid: int) -> ir.Expr:
    """Thread tid cannot be preempted: it holds a spinning lock or a counter is up."""
    me = int_lit(tid)
    parts: list[ir.Expr] = []
    for lk in cx.el.locks.values():
        if lock_kind(lk.kind).sleeps:
            continue
        parts.append(holds_any(lk.owner_var, lk.readers_var, lk.index_type, me, ir.VarRef))
    for k in cx.counters:
        parts.append(ir.Binary("gt", ir.Index(ir.VarRef(COUNTERS[k][0]), me),
                               int_lit(0)))
    out: ir.Expr = FALSE
    for p in parts:
        out = p if out == FALSE else ir.Binary("or", out, p)
    return out



def preemption(cx: "ContextLowering", t: ir.Transition) -> list[ir.Expr]:
    """A process thread on a declared CPU runs only while no other process thread of
    that CPU is in atomic context (it would have to preempt it)."""
    cpu = cx.cpus.get(t.process or "")
    if cpu is None or t.process in cx.handlers or t.thread is None:
        return []
    out: list[ir.Expr] = []
    for p, c in cx.cpus.items():
        if c != cpu or p in cx.handlers or p not in cx.el.processes:
            continue
        pinfo = cx.el.processes[p]
        for tid in range(pinfo.base_tid, pinfo.base_tid + pinfo.count):
            busy = atomic(cx, tid)
            if busy == FALSE:
                continue
            out.append(ir.Binary("implies", ir.Binary("ne", t.thread, int_lit(tid)),
                                 neg(busy)))
    return out



def interrupts(cx: "ContextLowering", transitions: list[ir.Transition]) -> list[ir.Transition]:
    shared = [c for c in cx.cpus.values() if c is not None]
    if not cx.handlers and len(shared) == len(set(shared)):
        return transitions
    out: list[ir.Transition] = []
    for t in transitions:
        extra: list[ir.Expr] = preemption(cx, t)
        if t.process in cx.handlers:
            extra.append(ir.VarRef(f"{t.process}.irq"))
        cpu = cx.cpus.get(t.process or "")
        if cpu is not None:
            mine = cx.handlers.get(t.process or "", "process")
            for h, hctx in cx.handlers.items():
                if h == t.process or cx.cpus.get(h) != cpu:
                    continue
                if hctx == "hardirq" or mine == "process":
                    extra.append(neg(running(cx, h)))
        if extra:
            at = conj([t.at if t.at is not None else t.guard] + extra)
            t = replace(t, guard=conj([t.guard] + extra), at=at)
        out.append(t)
    for h, hctx in cx.handlers.items():
        cpu = cx.cpus.get(h)
        info = cx.el.processes.get(h)
        if cpu is None or info is None or info.pc_type is None:
            continue
        parts: list[ir.Expr] = [neg(ir.VarRef(f"{h}.irq"))]
        for p, c in cx.cpus.items():
            if c != cpu or p == h or p not in cx.el.processes:
                continue
            if p in cx.handlers:
                if cx.handlers[p] == "hardirq" or hctx == "softirq":
                    parts.append(neg(running(cx, p)))
                continue
            pinfo = cx.el.processes[p]
            for k in USAGE[hctx][2]:
                var = COUNTERS[k][0]
                for tid in range(pinfo.base_tid, pinfo.base_tid + pinfo.count):
                    parts.append(ir.Binary("eq", ir.Index(ir.VarRef(var), int_lit(tid)),
                                           int_lit(0)))
        g = conj(parts)
        d = cx.low.sy.processes[h]
        out.append(ir.Transition(f"{h}.irq", (), g, (ir.Update(ir.VarRef(f"{h}.irq"),
                                                               TRUE),),
                                 at=g, process=h, label="irq",
                                 thread=int_lit(info.base_tid), span=d.name_span))
    return out



def callbacks(cx: "ContextLowering") -> list[ir.Transition]:
    """rcu_callback(P o): the deferred free, after the grace period kfree_rcu() began."""
    out: list[ir.Transition] = []
    for p in cx.pools.values():
        if not p.rcu:
            continue
        pend, wait = f"{p.name}.rcu_pending", f"{p.name}.rcu_wait"
        for o in range(1, p.count + 1):
            k = int_lit(o)
            g = conj([ir.Index(ir.VarRef(pend), k),
                      ir.Binary("eq", ir.Unary("card", ir.Index(ir.VarRef(wait), k)),
                                int_lit(0))])
            ups = (ir.Update(ir.Index(ir.VarRef(pend), k), FALSE),
                   ir.Update(ir.Index(ir.VarRef(p.state), k), int_lit(FREED)))
            out.append(ir.Transition(f"rcu_callback({p.show(o)})", (), g, ups,
                                     span=p.span))
    return out



def info(cx: "ContextLowering") -> ir.ContextInfo | None:
    if not (cx.counters or cx.pools or cx.handlers or cx.usage_vars
            or cx.check_meta):
        return None
    contexts = []
    cpus = []
    for th in cx.low.threads:
        contexts.append(cx.handlers.get(th.process, "process"))
        cpus.append(cx.cpus.get(th.process))
    return ir.ContextInfo(
        thread_contexts=tuple(contexts), thread_cpus=tuple(cpus),
        counters=tuple((k, COUNTERS[k][0]) for k in cx.counters),
        atomic_locks=tuple((lk.kind, lk.name, lk.owner_var, lk.readers_var)
                           for lk in cx.el.locks.values() if not lock_kind(lk.kind).sleeps),
        pools=tuple((p.name, p.state) for p in cx.pools.values()),
        handlers=tuple((h, f"{h}.irq") for h in cx.handlers),
        checks=tuple((m, tuple(sorted(kw.items()))) for m, kw in cx.check_meta.items()))


def _accesses(e: ir.Expr, path: list[ir.Expr], fields: dict[str, Pool],
              out: list[tuple[str, ir.Expr, list[ir.Expr], ir.CheckWhen]],
              when: ir.CheckWhen) -> None:
    """Reads of object fields in e, each with the condition (TLA+'s lazy operators) under
    which it is evaluated. LIMITATION: reads under a quantifier/comprehension are skipped."""
    if isinstance(e, ir.Index):
        base = e.base
        while isinstance(base, ir.Except):
            base = base.base
        if isinstance(base, ir.VarRef) and base.name in fields:
            out.append((base.name, e.index, list(path), when))
        _accesses(e.base, path, fields, out, when)
        _accesses(e.index, path, fields, out, when)
        return
    if isinstance(e, ir.Binary) and e.op in ("and", "or", "implies"):
        _accesses(e.left, path, fields, out, when)
        guard = e.left if e.op in ("and", "implies") else neg(e.left)
        _accesses(e.right, path + [guard], fields, out, when)
        return
    if isinstance(e, ir.Ite):
        _accesses(e.cond, path, fields, out, when)
        _accesses(e.then, path + [e.cond], fields, out, when)
        _accesses(e.other, path + [neg(e.cond)], fields, out, when)
        return
    if isinstance(e, (ir.Quant, ir.SetComp, ir.MapLit)):
        return
    if isinstance(e, ir.Except):
        base = e.base
        while isinstance(base, ir.Except):
            base = base.base
        if isinstance(base, ir.VarRef) and base.name in fields and e.path and \
                not isinstance(e.path[0], str):
            out.append((base.name, e.path[0], list(path), when))
        _accesses(e.base, path, fields, out, when)
        for p in e.path:
            if not isinstance(p, str):
                _accesses(p, path, fields, out, when)
        _accesses(e.value, path, fields, out, when)
        return
    for f in getattr(e, "__dataclass_fields__", {}):
        v = getattr(e, f)
        for x in (v if isinstance(v, tuple) else (v,)):
            if hasattr(x, "__dataclass_fields__") and not isinstance(x, ir.Span) and \
                    not isinstance(x, (ir.BoolType, ir.IntType, ir.EnumType, ir.MapType,
                                       ir.RecordType, ir.SetType)):
                _accesses(x, path, fields, out, when)
