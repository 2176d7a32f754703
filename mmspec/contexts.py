"""Execution contexts, RCU and object lifetimes, lowered to IR state, guards and checks.

Everything here becomes ordinary IR (docs/kernel.md), so every engine checks it unchanged:

- Per-thread counters (maps over thread ids): `rcu.nest` (RCU read-side nesting), `preempt.count`,
  `irq.off` (IRQs disabled), `bh.off` (softirqs disabled). A spinlock held is read from the
  lock's owner variable. A thread's atomic depth is the sum; a sleeping call with depth > 0
  (or from a hardirq/softirq process) fails a `context` check at the point it is reached.
- A grace period is state: `synchronize_rcu()` is two steps (cfg split): `__gp_start` stores the
  set of threads inside a read-side section in `rcu.gp[t]`; `rcu_read_unlock()` leaving the
  outermost section removes the thread from every such set; `__gp_wait` waits for the set to
  empty. `kfree_rcu()`/`call_rcu()` do the same per object (`P.rcu_wait[o]`), and a step of
  its own (`rcu_callback(P o)`, no thread) frees the object once the set is empty.
- `objects P[N]` pools: `P.state[o]` is 0 (never allocated), 1 (live) or 2 (freed). Plain
  pools never reuse an object; `typesafe_by_rcu` pools reuse freed ones at once, and an access
  to a freed typesafe object from inside an RCU read-side section is not an error (the slab
  memory stays a P until a grace period passes). An access is a read or write of a variable
  declared `map[P] T` (the object's field) at a freed object: kind `use-after-free`.
- Interrupt handlers (`hardirq`/`softirq` processes, `cpu(N)`): an arrival step `H.irq` fires
  when every thread on that CPU has IRQs (and for softirq, BHs) enabled; until the handler is
  done, the threads it interrupted take no steps.
- lockdep's IRQ-safety usage bits per lock class (`lockdep.C.in_hardirq`, `...hardirq_on`) are
  ghost state set at acquisitions; an acquisition that completes a conflicting pair fails an
  `irq-lock` check, so the trace holds both witnesses.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from mmspec import context_passes
from mmspec import ir
from mmspec import syntax as S
from mmspec.context_tables import (  # the tables, re-exported for mmspec/lower.py
    CALLS, COUNTER_CALLS, COUNTERS, FREED, LIVE, LOCK_WRAPPERS, LOCKDEP_ASSERTS,
    LOCKDEP_CLASS_CALLS, MAX_NEST, NO_VALIDATE, OBJECT_CALLS, RCU_CALLS, SLEEP_CALLS,
    SPLIT_CALLS, USAGE, Pool, _calls, lock_call_root,
)
from mmspec.lockkinds import holds_any, lock_kind
from mmspec.lockops import OPS
from mmspec.typecheck import FALSE, TRUE, conj, index_of, int_lit, neg

if TYPE_CHECKING:  # pragma: no cover
    from mmspec.lower import _Lowering, _Step

__all__ = ["CALLS", "SPLIT_CALLS", "ContextLowering"]


class ContextLowering:
    """The context/RCU/object part of one spec's lowering (state, steps, checks)."""

    def __init__(self, low: "_Lowering"):
        self.low = low
        self.el = low.el
        self.used: set[str] = set()
        self.pools: dict[str, Pool] = {}
        self.counters: list[str] = []
        self.handlers: dict[str, str] = {}  # handler process -> its context
        self.cpus: dict[str, int | None] = {}  # process -> cpu (None: a CPU of its own)
        self.usage_locks: dict[str, set[str]] = {}  # context -> lock classes used in it
        self.usage_vars: dict[tuple[str, str], tuple[str, str]] = {}  # (ctx, cls) -> vars
        self.check_meta: dict[str, dict[str, str]] = {}
        self.irqlock = True
        self.gp_var: str | None = None
        self.classes: dict[str, tuple[str, ir.Span]] = {}  # lock -> annotated class

    # ------------------------------------------------------------------ declarations
    def scan(self) -> None:
        """What the spec uses, from its processes' CFGs (procs are inlined there)."""
        el, low = self.el, self.low
        for name, od in low.sy.objects.items():
            pool = self.pool(name, od)
            if pool is not None:
                self.pools[name] = pool
        for name, d in low.sy.processes.items():
            self.cpus[name] = None
            if d.cpu is not None:
                self.cpus[name] = el.const_int(d.cpu, "a CPU number")
            if d.context != "process":
                self.handlers[name] = d.context
                if d.param is not None:
                    el.err("MMS308", f"a {d.context} handler is one process, not an array",
                           d.param.span)
                elif d.cpu is None:
                    el.err("MMS308", f"{d.context} process '{name}' needs cpu(N): the CPU "
                           "whose running thread it interrupts", d.name_span,
                           expected=f"{d.context} process {name} cpu(0) {{ ... }}")
            cfg = low.cfgs.get(name)
            if cfg is None:
                continue
            stmts = [n.stmt for n in cfg.nodes if n.stmt is not None and n.kind == "simple"]
            for st in _calls(stmts):
                self.used.add(st.func)
                if st.func in LOCKDEP_CLASS_CALLS - {"lockdep_set_subclass"}:
                    self.class_annotation(st)
                if d.context != "process":
                    root = lock_call_root(st)
                    op = OPS.get(LOCK_WRAPPERS.get(st.func, (st.func,))[0])
                    if root in low.sy.locks and op is not None and \
                            op.action in ("acquire", "trylock"):
                        self.usage_locks.setdefault(d.context, set()).add(root)
        for o in low.sy.options:
            if o.name == "irqlock" and isinstance(o.value, S.BoolLit):
                self.irqlock = o.value.value
        low.lock_infos = [replace(li, cls=self.classes[li.name][0])
                          if li.name in self.classes else li for li in low.lock_infos]
        for ctx, names in self.usage_locks.items():  # lock names -> classes
            self.usage_locks[ctx] = {self.lock_class(n) for n in names} - {NO_VALIDATE}

    def pool(self, name: str, od: S.ObjectsDecl) -> Pool | None:
        """`objects P[N] [live K]`: N objects (1..16), the first K live from the start."""
        el = self.el
        n = el.const_int(od.count, "an object count")
        if n is None:
            return None
        if not 1 <= n <= 16:
            el.err("MMS303", f"objects {name}[{n}]: the count must be 1..16", od.count.span)
            return None
        live = 0 if od.live is None else el.const_int(od.live, "a live object count")
        if live is not None and not 0 <= live <= n:
            el.err("MMS303", f"objects {name}[{n}] live {live}: the live count must be "
                   f"0..{n}", od.live.span if od.live else od.span)
            return None
        return Pool(name, n, od.typesafe, ir.IntType(0, n), od.span, live=live or 0)

    def class_annotation(self, st: S.CallStmt) -> None:
        """lockdep_set_class(l, KEY) / lockdep_set_novalidate_class(l): the lock's class
        for the whole run (lockdep's key is static), checked for consistency."""
        el = self.el
        want = 2 if st.func == "lockdep_set_class" else 1
        root = lock_call_root(st)
        if len(st.args) != want or root is None or root not in self.low.sy.locks:
            el.err("MMS312", f"{st.func}() takes a lock" + (" and a class name"
                                                             if want == 2 else ""), st.span,
                   expected=f"{st.func}(l{', KEY' if want == 2 else ''}) for a declared lock")
            return
        if want == 2:
            key = st.args[1]
            if not isinstance(key, S.Name):
                el.err("MMS312", "lockdep_set_class(): the class is a name (a lock class key)",
                       key.span)
                return
            cls = key.id
        else:
            cls = NO_VALIDATE
        old = self.classes.get(root)
        if old is not None and old[0] != cls:
            el.err("MMS308", f"lock '{root}' is given two lockdep classes ('{old[0]}' and "
                   f"'{cls}')", st.span, notes=(f"first set at {old[1]}",))
            return
        self.classes[root] = (cls, st.span)

    def lock_class(self, name: str) -> str:
        got = self.classes.get(name)
        return got[0] if got else (self.low.sy.locks[name].cls or name)

    def variables(self) -> None:
        """The state the used constructs need (none when the spec uses none of them)."""
        low = self.low
        T = low.n_threads
        tid_t = low.el.tid_type
        u = self.used
        want = {
            "rcu": bool(u & (RCU_CALLS | {"kfree_rcu", "call_rcu"}))
            or any(p.typesafe for p in self.pools.values()),
            "preempt": bool(u & {"preempt_disable", "preempt_enable"}),
            "irq": bool(u & {c for c, (k, _) in COUNTER_CALLS.items() if k == "irq"})
            or any(w[1] == "irq" for c, w in LOCK_WRAPPERS.items() if c in u)
            or bool(self.handlers),
            "bh": bool(u & {"local_bh_disable", "local_bh_enable"})
            or any(w[1] == "bh" for c, w in LOCK_WRAPPERS.items() if c in u)
            or "softirq" in self.handlers.values(),
        }
        for k, on in want.items():
            if on:
                self.counters.append(k)
                var = COUNTERS[k][0]
                low.variables.append(ir.Variable(
                    var, ir.MapType(tid_t, ir.IntType(0, MAX_NEST)),
                    (tuple(0 for _ in range(T)),), "lock"))
        if "__gp_start" in u:
            self.gp_var = "rcu.gp"
            low.variables.append(ir.Variable(
                "rcu.gp", ir.MapType(tid_t, ir.SetType(tid_t)),
                (tuple(frozenset() for _ in range(T)),), "lock"))
        rcu_free = bool(u & {"kfree_rcu", "call_rcu"})
        for p in self.pools.values():
            low.variables.append(ir.Variable(
                p.state, ir.MapType(p.type, ir.IntType(0, 2)),
                (tuple(LIVE if 1 <= o <= p.live else 0 for o in range(p.count + 1)),), "lock",
                span=p.span))
            if rcu_free:
                p.rcu = True
                low.variables.append(ir.Variable(
                    f"{p.name}.rcu_pending", ir.MapType(p.type, ir.BoolType()),
                    (tuple(0 for _ in range(p.count + 1)),), "lock", span=p.span))
                low.variables.append(ir.Variable(
                    f"{p.name}.rcu_wait", ir.MapType(p.type, ir.SetType(tid_t)),
                    (tuple(frozenset() for _ in range(p.count + 1)),), "lock", span=p.span))
        for h in self.handlers:
            low.variables.append(ir.Variable(f"{h}.irq", ir.BoolType(), (0,), "lock"))
        if self.irqlock:
            for ctx in sorted(self.usage_locks):
                in_u, on_u, _ = USAGE[ctx]
                for cls in sorted(self.usage_locks[ctx]):
                    a, b = f"lockdep.{cls}.{in_u}", f"lockdep.{cls}.{on_u}"
                    self.usage_vars[(ctx, cls)] = (a, b)
                    for v in (a, b):
                        low.variables.append(ir.Variable(v, ir.BoolType(), (0,), "ghost"))

    # ------------------------------------------------------------------ helpers
    def counter(self, step: "_Step", k: str) -> ir.Expr | None:
        if k not in self.counters:
            return None
        t = step.base.thread
        assert t is not None
        return index_of(step.sym.read(COUNTERS[k][0]), t)

    def set_counter(self, step: "_Step", k: str, effect: str, what: str,
                    span: ir.Span) -> None:
        cur = self.counter(step, k)
        t = step.base.thread
        if cur is None or t is None:
            return
        if effect == "inc":
            new: ir.Expr = ir.Binary("add", cur, int_lit(1))
        elif effect == "dec":
            step.checks.append(ir.Check(step.under_path(ir.Binary("gt", cur, int_lit(0))),
                                        f"{what} without a matching disable", "assertion",
                                        "fire", span))
            new = ir.Binary("sub", cur, int_lit(1))
        elif effect == "set1":
            new = ir.Ite(ir.Binary("eq", cur, int_lit(0)), int_lit(1), cur)
        else:
            new = int_lit(0)
        step.write(COUNTERS[k][0], (t,), new)

    def meta(self, message: str, **kw: str) -> str:
        self.check_meta[message] = kw
        return message

    # ------------------------------------------------------------------ sleeping
    def sleep_checks(self, step: "_Step", what: str, span: ir.Span) -> None:
        """might_sleep(): one `context` check (at 'reach') per thing that could make the
        thread's context atomic. Public: other sleeping primitives call it too."""
        t = step.base.thread
        assert t is not None
        proc = step.info.name
        where = f"{what} at {span}"
        head = f"BUG: sleeping function called from invalid context: {where}"
        ctx = self.handlers.get(proc)
        if ctx is not None:
            msg = self.meta(f"{head} in {ctx} context (handler {proc})", reason=ctx,
                            what=what, thread=proc)
            step.checks.append(ir.Check(step.under_path(FALSE), msg, "context", "reach",
                                        span))
        for lk in self.el.locks.values():
            if lock_kind(lk.kind).sleeps:
                continue
            holds = holds_any(lk.owner_var, lk.readers_var, lk.index_type, t, step.sym.read)
            readers = {"readers": lk.readers_var} if lk.readers_var is not None else {}
            msg = self.meta(f"{head} with {lk.kind} '{lk.name}' held", reason=lk.kind,
                            lock=lk.name, owner=lk.owner_var, what=what, **readers)
            step.checks.append(ir.Check(step.under_path(neg(holds)), msg, "context", "reach",
                                        span))
        for k in self.counters:
            cur = self.counter(step, k)
            assert cur is not None
            msg = self.meta(f"{head} {COUNTERS[k][1]}", reason=k, var=COUNTERS[k][0],
                            what=what)
            step.checks.append(ir.Check(step.under_path(ir.Binary("eq", cur, int_lit(0))),
                                        msg, "context", "reach", span))

    def on_acquire(self, step: "_Step", st: S.CallStmt, lk_name: str, kind: str,
                   action: str, blocking: bool) -> None:
        """Called by the lock lowering for every acquire: sleeping locks check the context;
        spinning locks of classes used in a handler record lockdep usage bits."""
        sleeps = lock_kind(kind).sleeps
        if sleeps and action in ("acquire", "queue") and blocking:
            self.sleep_checks(step, f"{st.func.lstrip('_')}({self.low.source_of(st.args[0].span)})"
                              .replace("queue_write", "down_write"), st.span)
        if sleeps or not self.usage_vars:
            return
        cls = self.lock_class(lk_name)
        proc = step.info.name
        my_ctx = self.handlers.get(proc, "process")
        t = step.base.thread
        assert t is not None
        when: ir.CheckWhen = "reach" if blocking else "fire"
        for (ctx, c), (in_var, on_var) in self.usage_vars.items():
            if c != cls:
                continue
            in_u, on_u, offs = USAGE[ctx]
            if my_ctx == ctx:
                msg = self.meta(f"inconsistent {{{on_u}}} -> {{{in_u}}} usage: lock class "
                                f"'{cls}' taken in {ctx} context ({proc}) and with "
                                f"{'IRQs' if ctx == 'hardirq' else 'softirqs'} enabled "
                                "elsewhere", reason="irq-lock", lock=cls, first=on_var,
                                usage=f"{{{on_u}}} -> {{{in_u}}}")
                step.checks.append(ir.Check(neg(ir.VarRef(on_var)), msg, "irq-lock", when,
                                            st.span))
                step.write(in_var, (), TRUE)
                continue
            if my_ctx == "hardirq":
                continue  # IRQs are off in hardirq context
            parts: list[ir.Expr] = [ir.Binary("eq", c_, int_lit(0)) for c_ in
                     (self.counter(step, k) for k in offs) if c_ is not None]
            on = conj(parts)
            msg = self.meta(f"inconsistent {{{in_u}}} -> {{{on_u}}} usage: lock class '{cls}' "
                            f"taken with {'IRQs' if ctx == 'hardirq' else 'softirqs'} "
                            f"enabled ({proc}) and in {ctx} context elsewhere",
                            reason="irq-lock", lock=cls, first=in_var,
                            usage=f"{{{in_u}}} -> {{{on_u}}}")
            step.checks.append(ir.Check(ir.Binary("implies", on, neg(ir.VarRef(in_var))),
                                        msg, "irq-lock", when, st.span))
            step.write(on_var, (), ir.Binary("or", ir.VarRef(on_var), on))

    # ------------------------------------------------------------------ statements
    def call(self, step: "_Step", st: S.CallStmt, first: bool, atomic: bool) -> None:
        el = self.el
        f = st.func
        if f in LOCK_WRAPPERS:
            base, k, effect = LOCK_WRAPPERS[f]
            plain = replace(st, func=base)
            if OPS[base].action == "acquire":
                self.set_counter(step, k, effect, f"{f}()", st.span)
                step.lock_op(plain, first, atomic)
            else:
                step.lock_op(plain, first, atomic)
                self.set_counter(step, k, effect, f"{f}()", st.span)
            return
        if f in COUNTER_CALLS:
            if self.nargs(st, 0):
                k, effect = COUNTER_CALLS[f]
                self.set_counter(step, k, effect, f"{f}()", st.span)
            return
        if f in SLEEP_CALLS:
            for a in st.args:
                el.expr(a, step.ctx())
            if f == "might_sleep":
                self.nargs(st, 0)
            self.sleep_checks(step, f"{f}()", st.span)
            return
        if f == "synchronize_rcu":
            el.err("MMS309", "synchronize_rcu() waits for a grace period: it cannot be part "
                   "of an atomic block", st.span, expected="synchronize_rcu() as a statement "
                   "of its own")
            return
        if f in RCU_CALLS:
            if self.nargs(st, 0):
                self.rcu(step, st, atomic, first)
            return
        if f in OBJECT_CALLS:
            self.free(step, st)
            return
        if f in LOCKDEP_ASSERTS:
            self.lockdep_assert(step, st)
            return
        if f in LOCKDEP_CLASS_CALLS:
            return  # static: applied to the lock's class by scan()
        raise AssertionError(f)  # pragma: no cover

    def lockdep_assert(self, step: "_Step", st: S.CallStmt) -> None:
        """lockdep_assert_held*(l): a lockdep-style WARNING (an assertion) when the
        thread does not hold l as required, checked when the step fires."""
        if not self.nargs(st, 1):
            return
        pred = LOCKDEP_ASSERTS[st.func]
        call = S.Call(pred or "held", st.args, span=st.span)
        te = self.el.expr(call, step.ctx())
        cond = te.expr if pred is not None else neg(te.expr)
        shown = self.low.source_of(st.args[0].span)
        state = {"held": "not held", "held_write": "not held for write",
                 "held_read": "not held for read", None: "held"}[pred]
        msg = (f"WARNING: {st.func}({shown}) at {st.span}: '{shown}' is {state} by this "
               "thread (lockdep)")
        step.checks.append(ir.Check(step.under_path(cond), msg, "assertion", "fire",
                                    st.span))

    def nargs(self, st: S.CallStmt, n: int) -> bool:
        if len(st.args) != n:
            self.el.err("MMS312", f"{st.func}() takes {n} argument{'s' if n != 1 else ''}, "
                        f"not {len(st.args)}", st.span)
            return False
        return True

    def rcu(self, step: "_Step", st: S.CallStmt, atomic: bool, first: bool) -> None:
        t = step.base.thread
        assert t is not None
        nest = self.counter(step, "rcu")
        assert nest is not None
        tid_t = self.el.tid_type
        if st.func == "rcu_read_lock":
            step.write("rcu.nest", (t,), ir.Binary("add", nest, int_lit(1)))
        elif st.func == "rcu_read_unlock":
            step.checks.append(ir.Check(step.under_path(ir.Binary("gt", nest, int_lit(0))),
                                        "rcu_read_unlock() outside an RCU read-side critical "
                                        "section", "assertion", "fire", st.span))
            step.write("rcu.nest", (t,), ir.Binary("sub", nest, int_lit(1)))
            leaving = ir.Binary("eq", nest, int_lit(1))
            me = ir.SetLit(tid_t, (t,))
            waits = ([(self.gp_var, tid_t)] if self.gp_var else []) + \
                [(f"{p.name}.rcu_wait", p.type) for p in self.pools.values() if p.rcu]
            for var, key in waits:
                cur = step.sym.read(var)
                gone = ir.MapLit("__w", key, ir.Binary("minus", ir.Index(cur, ir.ParamRef("__w")),
                                                       me))
                step.write(var, (), ir.Ite(leaving, gone, cur))
        elif st.func == "__gp_start":
            self.sleep_checks(step, "synchronize_rcu()", st.span)
            assert self.gp_var is not None
            step.write(self.gp_var, (t,), self.readers_now(step))
        else:  # __gp_wait
            if atomic and not first:
                self.el.err("MMS309", "synchronize_rcu() blocks: inside atomic it must be the "
                            "first statement", st.span)
                return
            assert self.gp_var is not None
            step.guards.append(ir.Binary("eq", ir.Unary("card", index_of(
                step.sym.read(self.gp_var), t)), int_lit(0)))

    def readers_now(self, step: "_Step") -> ir.Expr:
        """{u : u is inside an RCU read-side section}, over the step's current state."""
        nest = step.sym.read("rcu.nest")
        return ir.SetComp("__u", self.el.tid_type, ir.Binary(
            "gt", ir.Index(nest, ir.ParamRef("__u")), int_lit(0)))

    def pool_of(self, step: "_Step", e: S.Expr) -> tuple[Pool, ir.Expr] | None:
        te = self.el.expr(e, step.ctx())
        for p in self.pools.values():
            if te.type == p.type or (isinstance(te.type, ir.IntType) and
                                     (te.type.lo, te.type.hi) == (0, p.count)):
                return p, te.expr
        self.el.err("MMS301", "needs a reference to an object (a variable of an `objects` "
                    "type)", e.span)
        return None

    def free(self, step: "_Step", st: S.CallStmt) -> None:
        if not self.nargs(st, 1):
            return
        got = self.pool_of(step, st.args[0])
        if got is None:
            return
        p, ref = got
        state = step.sym.read(p.state)
        pending = step.sym.read(f"{p.name}.rcu_pending") if p.rcu else None
        for o in range(1, p.count + 1):
            it = ir.Binary("eq", ref, int_lit(o))
            bad = ir.Binary("eq", ir.Index(state, int_lit(o)), int_lit(FREED))
            if pending is not None:
                bad = ir.Binary("or", bad, ir.Index(pending, int_lit(o)))
            msg = self.meta(f"double free of {p.show(o)}: {st.func}() at {st.span}",
                            reason="double-free", pool=p.name, object=str(o),
                            state=p.state)
            step.checks.append(ir.Check(step.under_path(neg(ir.Binary("and", it, bad))), msg,
                                        "use-after-free", "fire", st.span))
        nonnull = ir.Binary("ne", ref, int_lit(0))
        if st.func == "free":
            step.write(p.state, (ref,), ir.Ite(nonnull, int_lit(FREED),
                                                ir.Index(state, ref)))
            return
        assert pending is not None
        step.write(f"{p.name}.rcu_pending", (ref,), ir.Ite(nonnull, TRUE,
                                                            ir.Index(pending, ref)))
        step.write(f"{p.name}.rcu_wait", (ref,), self.readers_now(step))

    def alloc(self, step: "_Step", target: S.Expr, call: S.Call) -> None:
        """`v := alloc(P)`: any object the pool may hand out (nondeterministic, a step
        parameter); blocks while none is available."""
        el = self.el
        lv = step.lvalue(target, step.ctx())
        if len(call.args) != 1 or not isinstance(call.args[0], S.Name) or \
                call.args[0].id not in self.pools:
            el.err("MMS312", "alloc() takes the name of an object pool", call.span,
                   expected="v := alloc(P) for a declared `objects P[N]`")
            return
        p = self.pools[call.args[0].id]
        if lv is None:
            return
        root, path, vt = lv
        if not (isinstance(vt, ir.IntType) and (vt.lo, vt.hi) == (0, p.count)):
            el.err("MMS301", f"alloc({p.name}) returns a {p.name}; the target is not one",
                   target.span)
            return
        name = el.fresh("obj", step.ctx())
        step.taken.add(name)
        step.params.append(ir.Param(name, ir.IntType(1, p.count)))
        o = ir.ParamRef(name)
        state = index_of(step.sym.read(p.state), o)
        ok: ir.Expr = ir.Binary("eq", state, int_lit(0))
        if p.typesafe:
            reuse: ir.Expr = ir.Binary("eq", state, int_lit(FREED))
            if p.rcu:
                reuse = ir.Binary("and", reuse, neg(index_of(
                    step.sym.read(f"{p.name}.rcu_pending"), o)))
            ok = ir.Binary("or", ok, reuse)
        step.guards.append(step.under_path(ok))
        step.write(root, path, o)
        step.write(p.state, (o,), int_lit(LIVE))

    # ------------------------------------------------------------------ whole-spec passes
    def finish(self, transitions: list[ir.Transition]) -> list[ir.Transition]:
        """Object checks, interrupts and RCU callbacks (mmspec/context_passes.py)."""
        return context_passes.finish(self, transitions)

    def info(self) -> ir.ContextInfo | None:
        return context_passes.info(self)
