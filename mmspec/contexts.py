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

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from mmspec import ir
from mmspec import syntax as S
from mmspec.lockops import OPS
from mmspec.typecheck import FALSE, TRUE, conj, index_of, int_lit, neg

if TYPE_CHECKING:  # pragma: no cover
    from mmspec.lower import _Lowering, _Step

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
LOCKDEP_CLASS_CALLS = frozenset({"lockdep_set_class", "lockdep_set_novalidate_class"})
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

    @property
    def state(self) -> str:
        return f"{self.name}.state"

    def show(self, o: int) -> str:
        return f"{self.name} {o}"


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
            n = el.const_int(od.count, "an object count")
            if n is None:
                continue
            if not 1 <= n <= 16:
                el.err("MMS303", f"objects {name}[{n}]: the count must be 1..16",
                       od.count.span)
                continue
            self.pools[name] = Pool(name, n, od.typesafe, ir.IntType(0, n), od.span)
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
                if st.func in LOCKDEP_CLASS_CALLS:
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
                (tuple(0 for _ in range(p.count + 1)),), "lock", span=p.span))
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
            if lk.kind != "spinlock":
                continue
            owner = step.sym.read(lk.owner_var)
            if lk.index_type is None:
                holds: ir.Expr = ir.Binary("eq", owner, t)
            else:
                holds = ir.Quant("exists", "__k", lk.index_type,
                                 ir.Binary("eq", ir.Index(owner, ir.ParamRef("__k")), t))
            msg = self.meta(f"{head} with spinlock '{lk.name}' held", reason="spinlock",
                            lock=lk.name, owner=lk.owner_var, what=what)
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
        spinlocks of classes used in a handler record lockdep usage bits."""
        if kind in ("mutex", "rwsem") and action in ("acquire", "queue") and blocking:
            self.sleep_checks(step, f"{st.func.lstrip('_')}({self.low.source_of(st.args[0].span)})"
                              .replace("queue_write", "down_write"), st.span)
        if kind != "spinlock" or not self.usage_vars:
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
        out = [self.object_checks(t) for t in transitions]
        out = self.interrupts(out)
        out += self.callbacks()
        return out

    def field_maps(self) -> dict[str, Pool]:
        """User variables declared map[P] T: the fields of P's objects."""
        out: dict[str, Pool] = {}
        for name, d in self.low.sy.vars.items():
            if isinstance(d.type, S.MapT) and isinstance(d.type.key, S.NamedT) and \
                    d.type.key.name in self.pools:
                out[name] = self.pools[d.type.key.name]
        return out

    def object_checks(self, t: ir.Transition) -> ir.Transition:
        fields = self.field_maps()
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
            for o in range(1, p.count + 1):
                freed = ir.Binary("eq", ir.Index(ir.VarRef(p.state), int_lit(o)),
                                  int_lit(FREED))
                if p.typesafe and "rcu" in self.counters:
                    outside = ir.Binary("eq", ir.Index(ir.VarRef("rcu.nest"), t.thread),
                                        int_lit(0))
                    freed = ir.Binary("and", freed, outside)
                bad = conj(path + [ir.Binary("eq", idx, int_lit(o)), freed])
                where = f"{t.process}: {t.label}" if t.process else t.name
                msg = self.meta(f"use-after-free: {where} accesses {p.show(o)} (through "
                                f"'{m}') after it was freed", reason="use-after-free",
                                pool=p.name, object=str(o), state=p.state, field=m)
                checks.append(ir.Check(neg(bad), msg, "use-after-free", when, t.span))
        return replace(t, checks=tuple(checks))

    def running(self, h: str) -> ir.Expr:
        info = self.el.processes[h]
        assert info.pc_type is not None
        done = ir.Lit(len(info.pc_type.members) - 1, info.pc_type)
        return ir.Binary("and", ir.VarRef(f"{h}.irq"),
                         ir.Binary("ne", ir.VarRef(f"{h}.pc"), done))

    def atomic(self, tid: int) -> ir.Expr:
        """Thread tid cannot be preempted: it holds a spinlock or a counter is up."""
        me = int_lit(tid)
        parts: list[ir.Expr] = []
        for lk in self.el.locks.values():
            if lk.kind != "spinlock":
                continue
            owner = ir.VarRef(lk.owner_var)
            parts.append(ir.Binary("eq", owner, me) if lk.index_type is None else
                         ir.Quant("exists", "__k", lk.index_type,
                                  ir.Binary("eq", ir.Index(owner, ir.ParamRef("__k")), me)))
        for k in self.counters:
            parts.append(ir.Binary("gt", ir.Index(ir.VarRef(COUNTERS[k][0]), me),
                                   int_lit(0)))
        out: ir.Expr = FALSE
        for p in parts:
            out = p if out == FALSE else ir.Binary("or", out, p)
        return out

    def preemption(self, t: ir.Transition) -> list[ir.Expr]:
        """A process thread on a declared CPU runs only while no other process thread of
        that CPU is in atomic context (it would have to preempt it)."""
        cpu = self.cpus.get(t.process or "")
        if cpu is None or t.process in self.handlers or t.thread is None:
            return []
        out: list[ir.Expr] = []
        for p, c in self.cpus.items():
            if c != cpu or p in self.handlers or p not in self.el.processes:
                continue
            pinfo = self.el.processes[p]
            for tid in range(pinfo.base_tid, pinfo.base_tid + pinfo.count):
                busy = self.atomic(tid)
                if busy == FALSE:
                    continue
                out.append(ir.Binary("implies", ir.Binary("ne", t.thread, int_lit(tid)),
                                     neg(busy)))
        return out

    def interrupts(self, transitions: list[ir.Transition]) -> list[ir.Transition]:
        shared = [c for c in self.cpus.values() if c is not None]
        if not self.handlers and len(shared) == len(set(shared)):
            return transitions
        out: list[ir.Transition] = []
        for t in transitions:
            extra: list[ir.Expr] = self.preemption(t)
            if t.process in self.handlers:
                extra.append(ir.VarRef(f"{t.process}.irq"))
            cpu = self.cpus.get(t.process or "")
            if cpu is not None:
                mine = self.handlers.get(t.process or "", "process")
                for h, hctx in self.handlers.items():
                    if h == t.process or self.cpus.get(h) != cpu:
                        continue
                    if hctx == "hardirq" or mine == "process":
                        extra.append(neg(self.running(h)))
            if extra:
                at = conj([t.at if t.at is not None else t.guard] + extra)
                t = replace(t, guard=conj([t.guard] + extra), at=at)
            out.append(t)
        for h, hctx in self.handlers.items():
            cpu = self.cpus.get(h)
            info = self.el.processes.get(h)
            if cpu is None or info is None or info.pc_type is None:
                continue
            parts: list[ir.Expr] = [neg(ir.VarRef(f"{h}.irq"))]
            for p, c in self.cpus.items():
                if c != cpu or p == h or p not in self.el.processes:
                    continue
                if p in self.handlers:
                    if self.handlers[p] == "hardirq" or hctx == "softirq":
                        parts.append(neg(self.running(p)))
                    continue
                pinfo = self.el.processes[p]
                for k in USAGE[hctx][2]:
                    var = COUNTERS[k][0]
                    for tid in range(pinfo.base_tid, pinfo.base_tid + pinfo.count):
                        parts.append(ir.Binary("eq", ir.Index(ir.VarRef(var), int_lit(tid)),
                                               int_lit(0)))
            g = conj(parts)
            d = self.low.sy.processes[h]
            out.append(ir.Transition(f"{h}.irq", (), g, (ir.Update(ir.VarRef(f"{h}.irq"),
                                                                   TRUE),),
                                     at=g, process=h, label="irq",
                                     thread=int_lit(info.base_tid), span=d.name_span))
        return out

    def callbacks(self) -> list[ir.Transition]:
        """rcu_callback(P o): the deferred free, after the grace period kfree_rcu() began."""
        out: list[ir.Transition] = []
        for p in self.pools.values():
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

    def info(self) -> ir.ContextInfo | None:
        if not (self.counters or self.pools or self.handlers or self.usage_vars
                or self.check_meta):
            return None
        contexts = []
        cpus = []
        for th in self.low.threads:
            contexts.append(self.handlers.get(th.process, "process"))
            cpus.append(self.cpus.get(th.process))
        return ir.ContextInfo(
            thread_contexts=tuple(contexts), thread_cpus=tuple(cpus),
            counters=tuple((k, COUNTERS[k][0]) for k in self.counters),
            spinlocks=tuple((lk.name, lk.owner_var) for lk in self.el.locks.values()
                            if lk.kind == "spinlock"),
            pools=tuple((p.name, p.state) for p in self.pools.values()),
            handlers=tuple((h, f"{h}.irq") for h in self.handlers),
            checks=tuple((m, tuple(sorted(kw.items()))) for m, kw in self.check_meta.items()))


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

