"""One step of a process, lowered: `_Step` turns the statements of one step alternative (a CFG
path through branch tests to one simple statement) into the guard and updates of one
`ir.Transition`, by symbolic execution over the state (`SymState`): assignments, picks, lock
operations and the calls that the kernel API, memory model and contexts modules lower.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from mmspec import ir, memlower, memops
from mmspec import syntax as S
from mmspec.atomicity import Test
from mmspec import taskwork, waits
from mmspec.cfg import Alt, Node, ProcessCFG
from mmspec.contexts import CALLS as CONTEXT_CALLS
from mmspec.diagnostics import did_you_mean
from mmspec.lockkinds import blocks, lock_kind
from mmspec.lockops import OPS, LockOp, is_trylock, kinds_text
from mmspec.resolve import Symbols
from mmspec.symexec import SymState
from mmspec.typecheck import (FALSE, Ctx, ErrType, LockRef, ProcessInfo, assignable,
                              conj, index_of, int_lit, neg, show_type)

if TYPE_CHECKING:
    from mmspec.lower import _Lowering


# --------------------------------------------------------------------------- one step


class _Step:
    """Lowers one alternative of one point into a transition (symbolic execution)."""

    def __init__(self, low: _Lowering, info: ProcessInfo, base: Ctx,
                 self_expr: ir.Expr | None):
        self.low = low
        self.el = low.el
        self.info = info
        self.base = base
        self.self_expr = self_expr
        self.sym = SymState()
        self.guards: list[ir.Expr] = []
        self.checks: list[ir.Check] = []
        self.acquires: list[ir.LockAcquire] = []
        self.releases: list[tuple[str, ir.Expr | None]] = []
        self.params: list[ir.Param] = []
        self.path: list[ir.Expr] = []
        self.at_extra: list[ir.Expr] = []
        self.taken: set[str] = set(base.taken)
        # (tests, written roots, label, text, span) of a step that merged branch tests
        self.fuse_args: tuple[Any, ...] | None = None
        self.waits_on: str | None = None  # what this step sleeps on (deadlock reports)

    def ctx(self) -> Ctx:
        return replace(self.base, sym=self.sym, taken=frozenset(self.taken))

    def under_path(self, e: ir.Expr) -> ir.Expr:
        if not self.path:
            return e
        return ir.Binary("implies", conj(self.path), e)

    # ------------------------------------------------------------------ the step
    def might_sleep(self, node: Node, via: list[Node]) -> None:
        """wait_event() and rcuwait_wait_event() begin with might_sleep(), so the context
        is checked at their first step whether or not the condition already holds."""
        for n in [*via, node]:
            if n.might_sleep is not None:
                c = n.might_sleep
                args = ", ".join(self.low.source_of(a.span) for a in c.args)
                self.low.contexts.sleep_checks(self, f"{c.func}({args})", c.span)
                return

    def lower(self, alt: Alt, label: str, name: str, params: tuple[ir.Param, ...],
              thread: ir.Expr, cfg: ProcessCFG) -> ir.Transition | None:
        info = self.info
        assert info.pc_type is not None
        pc = ir.VarRef(f"{info.name}.pc")
        pc_read: ir.Expr = pc if self.self_expr is None else ir.Index(pc, self.self_expr)
        at_parts: list[ir.Expr] = [ir.Binary("eq", pc_read, ir.Lit(
            info.pc_type.members.index(label), info.pc_type))]
        tests: list[Test] = []
        for (c, pol), via in zip(alt.conds, alt.via):
            e = (taskwork.cond(self, c) if isinstance(c, S.Call) and c.func in taskwork.CONDS
                 else self.el.cond(c, self.ctx(), "a branch condition"))
            at_parts.append(e if pol else neg(e))
            tests.append(Test(e, cfg.nodes[via].label, c.span, self.low.source_of(c.span)))
        node = alt.node
        assert node.stmt is not None
        self._node = node
        self.might_sleep(node, [cfg.nodes[v] for v in alt.via])
        self.exec(node.stmt, first=True, atomic=False)
        if tests and node.id >= 0 and node.kind == "simple" and not (
                isinstance(node.stmt, S.Atomic) and node.stmt.kernel_op):
            self.fuse_args = (tuple(tests), tuple(self.sym.written()), node.label,
                              self.low.source_of(node.span), node.span)
        elif node.ret:  # x := f(...) with `return e`: the load of e and the store to x
            value = tuple(u.value for u in self.sym.updates())
            self.fuse_args = ((Test(value, node.label, node.span,  # type: ignore[arg-type]
                                    self.low.source_of(node.span)),),
                              tuple(self.sym.written()), node.label,
                              self.low.source_of(node.span), node.span)
        self.reset_proc_locals(node, cfg.nodes[alt.next], cfg)
        if self.low.memory == "lkmm":
            from mmspec.lkmm import after_step
            after_step(self, node.stmt)
        nxt = cfg.point_label(alt.next)
        path: tuple[ir.Expr | str, ...] = () if self.self_expr is None else (self.self_expr,)
        self.sym.write(f"{info.name}.pc", path, ir.Lit(info.pc_type.members.index(nxt),
                                                       info.pc_type))
        at_parts += self.at_extra
        at = conj(at_parts)
        guard = conj(at_parts + self.guards)
        return ir.Transition(
            name, params + tuple(self.params), guard, self.sym.updates(), at=at,
            checks=tuple(self.checks), process=info.name, label=label, thread=thread,
            acquires=tuple(self.acquires), releases=tuple(self.releases), span=node.span,
            waits_on=self.waits_on)

    def reset_proc_locals(self, node: "Node", nxt: "Node", cfg: ProcessCFG) -> None:
        """A step that leaves a proc activation resets its locals to their initial values
        (so a finished call leaves no stale register behind to multiply states)."""
        left = list(node.inner) + [f for f in node.frames if f not in nxt.frames]
        path: tuple[ir.Expr | str, ...] = () if self.self_expr is None else (self.self_expr,)
        for f in left:
            for name in cfg.frame_locals.get(f, ()):
                local = self.info.locals.get(name)
                init = self.low.proc_local_init.get((self.info.name, name))
                if local is not None and init is not None:
                    self.sym.write(local[0], path, init)

    # ------------------------------------------------------------------ statements
    def exec(self, st: S.Stmt, first: bool, atomic: bool) -> None:  # noqa: C901
        el = self.el
        if isinstance(st, S.Skip):
            return
        if isinstance(st, S.Assign):
            self.assign(st, first, atomic)
            return
        if isinstance(st, S.CallStmt) and st.func in waits.CALLS:
            waits.lower_call(self, st, first, atomic)
            return
        if isinstance(st, S.CallStmt) and st.func in taskwork.CALLS:
            taskwork.lower_call(self, st)
            return
        if isinstance(st, S.CallStmt):
            if st.func in memops.PRIMS:
                memlower.lower_prim(self, st, None, first, atomic)
                return
            if st.func in CONTEXT_CALLS:
                self.low.contexts.call(self, st, first, atomic)
            else:
                self.lock_op(st, first, atomic)
            return
        if isinstance(st, S.Await):
            c = el.cond(st.cond, self.ctx(), "await's condition")
            if atomic and not first:
                el.err("MMS309", "await inside atomic must be its first statement", st.span,
                       expected="await as the first statement (it becomes the step's guard)")
                return
            self.guards.append(c)
            return
        if isinstance(st, S.Assert):
            c = el.cond(st.cond, self.ctx(), "an assertion")
            msg = st.message or f"assert {self.low.source_of(st.cond.span)}"
            self.checks.append(ir.Check(self.under_path(c), msg, st.kind, "fire",
                                        st.span))
            return
        if isinstance(st, S.Pick):
            self.pick(st)
            return
        if isinstance(st, S.Atomic):
            for i, s in enumerate(st.body):
                self.exec(s, first and i == 0, True)
            return
        if isinstance(st, S.If):
            if not atomic:  # pragma: no cover - the CFG never hands us a bare if
                return
            c = el.cond(st.cond, self.ctx(), "an if condition")
            before = self.sym
            self.sym = before.copy()
            self.path.append(c)
            for s in st.then:
                self.exec(s, False, True)
            then_state = self.sym
            self.path[-1] = neg(c)
            self.sym = before.copy()
            for s in st.other or ():
                self.exec(s, False, True)
            else_state = self.sym
            self.path.pop()
            from mmspec.symexec import merge
            merge(c, then_state, else_state, before)
            self.sym = before
            return
        if isinstance(st, (S.While, S.Goto)):
            word = "while" if isinstance(st, S.While) else "goto"
            el.err("MMS310", f"'{word}' is not allowed inside atomic", st.span,
                   expected="straight-line code and if/else (an atomic block is one step)")
            return
        if isinstance(st, S.Either):
            el.err("MMS310", "'either' is not allowed inside atomic", st.span,
                   expected="pick, or an either whose branches contain atomic blocks")
            return
        if isinstance(st, S.LocalVar):
            el.err("MMS315", "local variables are declared at the top level of a process "
                   "body", st.span)
            return
        raise TypeError(st)  # pragma: no cover

    def lvalue(self, target: S.Expr, ctx: Ctx
               ) -> tuple[str, tuple[ir.Expr | str, ...], ir.Type] | None:
        steps: list[S.Expr | str] = []
        node = target
        while isinstance(node, (S.IndexExpr, S.FieldExpr)):
            steps.append(node.index if isinstance(node, S.IndexExpr) else node.name)
            node = node.base
        steps.reverse()
        if not isinstance(node, S.Name):
            self.el.err("MMS313", "cannot assign to this expression", target.span,
                        expected="a variable, a local, or an entry of one (m[i], r.f)")
            return None
        n = node.id
        info = self.info
        if n in info.locals and n not in ctx.bound:
            var, t = info.locals[n]
            prefix: tuple[ir.Expr | str, ...] = (() if self.self_expr is None
                                                 else (self.self_expr,))
            return self.low.walk_path(var, t, steps, ctx, target.span, prefix)
        kind = self.low.sy.kind_of(n)
        if n in ctx.bound or n == info.param:
            self.el.err("MMS313", f"cannot assign to '{n}': it is a bound name", node.span)
            return None
        if kind == "variable":
            vt = self.el.var_type(n)
            if isinstance(vt, ErrType):
                return None
            return self.low.walk_path(n, vt, steps, ctx, target.span)
        if kind is not None:
            self.el.err("MMS313", f"cannot assign to '{n}': it is a {kind}", node.span)
            return None
        hint = did_you_mean(n, list(info.locals) + list(self.low.sy.vars))
        self.el.err("MMS204", f"unknown name '{n}'", node.span,
                    expected="a variable or local" + (f" (did you mean '{hint}'?)"
                                                      if hint else ""))
        return None

    def assign(self, st: S.Assign, first: bool, atomic: bool) -> None:
        if len(st.values) == 1 and len(st.targets) == 1 and \
                self.assign_special(st.targets[0], st.values[0], first, atomic):
            return
        el = self.el
        if len(st.targets) != len(st.values):
            el.err("MMS312", f"{len(st.targets)} targets but {len(st.values)} values",
                   st.span)
            return
        ctx = self.ctx()
        lvs = [self.lvalue(t, ctx) for t in st.targets]
        vals: list[ir.Expr | None] = []
        for lv, v in zip(lvs, st.values):
            if lv is None:
                el.expr(v, ctx)
                vals.append(None)
                continue
            te = el.expect(v, ctx, lv[2], "assigned value")
            vals.append(te.expr)
        seen: set[tuple[str, str]] = set()
        for lv, val, tgt in zip(lvs, vals, st.targets):
            if lv is None or val is None:
                continue
            key = (lv[0], repr(lv[1]))
            if key in seen:
                el.err("MMS314", "the same target is assigned twice", tgt.span)
                continue
            seen.add(key)
            self.write(lv[0], lv[1], val)

    def assign_special(self, target: S.Expr, value: S.Expr, first: bool, atomic: bool
                       ) -> bool:
        """`x := f(...)` for the calls that are steps of their own kind (a trylock, a memory
        primitive, alloc, task_work_add) and, under LKMM, a plain read; False otherwise."""
        call = value if isinstance(value, S.Call) else None
        if call is not None and is_trylock(call.func):
            self.trylock(target, call)
            return True
        if self.low.memory == "lkmm" and not atomic:
            from mmspec.lkmm import plain_read
            if plain_read(self, target, value):
                return True
        if call is None:
            return False
        if call.func in memops.PRIMS:
            memlower.lower_prim(self, S.CallStmt(call.func, call.args, span=call.span,
                                                 func_span=call.func_span),
                                target, first, atomic)
            return True
        if call.func == "alloc":
            self.low.contexts.alloc(self, target, call)
            return True
        if call.func == "task_work_add":
            lv = self.lvalue(target, self.ctx())
            ok = taskwork.add(self, call)
            if lv is not None and ok is not None:
                self.write(lv[0], lv[1], ok)
            return True
        return False

    def write(self, root: str, path: tuple[ir.Expr | str, ...], value: ir.Expr) -> None:
        self.sym.write(root, path, value)

    def pick(self, st: S.Pick) -> None:
        el = self.el
        ctx = self.ctx()
        lv = self.lvalue(S.Name(st.var, span=st.var_span), ctx)
        dom = el.domain(st.domain, ctx)
        if lv is None or dom is None:
            return
        root, path, vt = lv
        et, within = dom
        if not ir.is_scalar(vt):
            el.err("MMS301", f"pick binds a scalar, not {show_type(vt)}", st.var_span)
            return
        if not assignable(et, vt):
            el.err("MMS301", f"pick {st.var}: elements of type {show_type(et)} for a "
                   f"variable of type {show_type(vt)}", st.domain.span)
            return
        pname = el.fresh(st.var, ctx)
        self.taken.add(pname)
        ptype = et
        self.params.append(ir.Param(pname, ptype))
        p = ir.ParamRef(pname)
        conds: list[ir.Expr] = []
        if within is not None:
            conds.append(ir.Binary("in", p, within))
        if isinstance(vt, ir.IntType) and isinstance(ptype, ir.IntType) and \
                (ptype.lo < vt.lo or ptype.hi > vt.hi):
            conds.append(ir.Binary("ge", p, int_lit(vt.lo)))
            conds.append(ir.Binary("le", p, int_lit(vt.hi)))
        self.write(root, path, p)
        if st.cond is not None:
            conds.append(el.cond(st.cond, self.ctx(), "pick's where clause"))
        if conds:
            self.guards.append(self.under_path(conj(conds)))

    # ------------------------------------------------------------------ locks
    def lock_target(self, st: S.CallStmt | S.Call, op: LockOp, name: str
                    ) -> tuple[LockRef, ir.Expr | None, int] | None:
        el = self.el
        nested = op.nested or (name.startswith("__") and len(st.args) == 2)
        want = 2 if nested else 1
        if len(st.args) != want:
            el.err("MMS312", f"{name}() takes {want} argument{'s' if want > 1 else ''}, not "
                   f"{len(st.args)}", st.span)
            return None
        ref = el.lock_ref(st.args[0], self.ctx(), f"{name}()")
        if ref is None:
            return None
        lk, idx = ref
        shown = name.lstrip("_").replace("queue_write", "down_write").replace(
            "acquire_write", "down_write")
        if lk.kind not in op.kinds:
            kind = lock_kind(lk.kind)
            el.err("MMS308", f"{shown}() needs {kinds_text(op)}; '{lk.name}' is "
                   f"{kind.text()}", st.args[0].span,
                   expected=f"{kind.suggest} for {kind.text()}")
            return None
        sub = self.low.default_subclass.get(lk.name, 0)  # lockdep_set_subclass(l, n)
        if nested:
            n = el.const_int(st.args[1], "a lockdep subclass")
            sub = n if n is not None else 0
        if idx is not None and lk.index_type is not None and _reads_state(idx):
            # Engines need the lock instance fixed per transition instance: bind it to a
            # parameter selected by the (control) condition k == idx.
            k = el.fresh(f"{lk.name}_index", self.ctx())
            self.taken.add(k)
            self.params.append(ir.Param(k, lk.index_type))
            self.at_extra.append(self.under_path(ir.Binary("eq", ir.ParamRef(k), idx)))
            idx = ir.ParamRef(k)
        return lk, idx, sub

    def lock_state(self, lk: LockRef, idx: ir.Expr | None
                   ) -> tuple[ir.Expr, ir.Expr | None, ir.Expr | None]:
        ctx = self.ctx()
        owner = self.el.lock_read(lk, idx, lk.owner_var, ctx)
        readers = (self.el.lock_read(lk, idx, lk.readers_var, ctx)
                   if lk.readers_var else None)
        queued = (self.el.lock_read(lk, idx, lk.waiting_var, ctx)
                  if lk.waiting_var else None)
        return owner, readers, queued

    def lpath(self, idx: ir.Expr | None, *rest: ir.Expr) -> tuple[ir.Expr, ...]:
        return ((idx,) if idx is not None else ()) + tuple(rest)

    def free_cond(self, lk: LockRef, idx: ir.Expr | None, mode: ir.LockMode,
                  respect_queue: bool = True) -> ir.Expr:
        owner, readers, queued = self.lock_state(lk, idx)
        parts: list[ir.Expr] = []  # no holder that blocks `mode` (lockkinds.blocks)
        if blocks(False, mode):
            parts.append(ir.Binary("eq", owner, int_lit(-1)))
        if readers is not None and blocks(True, mode):
            parts.append(ir.Binary("eq", ir.Unary("card", readers), int_lit(0)))
        if mode == "read" and queued is not None and respect_queue:
            parts.append(ir.Binary("eq", queued, int_lit(0)))
        return conj(parts)

    def acquire_effects(self, lk: LockRef, idx: ir.Expr | None, mode: ir.LockMode, sub: int,
                        when: ir.Expr | None = None) -> None:
        """owner := t or readers ∪= {t} (and the subclass), conditionally on `when`."""
        t = self.base.thread
        assert t is not None
        owner, readers, _ = self.lock_state(lk, idx)

        def cond(new: ir.Expr, old: ir.Expr) -> ir.Expr:
            return new if when is None else ir.Ite(when, new, old)

        if mode == "write" or readers is None:
            self.write(lk.owner_var, self.lpath(idx), cond(t, owner))
        else:
            added = ir.Binary("union", readers, ir.SetLit(self.el.tid_type, (t,)))
            self.write(lk.readers_var, self.lpath(idx), cond(added, readers))  # type: ignore
        if lk.sub_var is not None:
            cur = self.el.lock_read(lk, idx, lk.sub_var, self.ctx())
            self.write(lk.sub_var, self.lpath(idx, t), cond(int_lit(sub), index_of(cur, t)))
        if self.low.memory == "lkmm":
            from mmspec.lkmm import lock_acquired
            lock_acquired(self, lk.name, idx, when)

    def lock_op(self, st: S.CallStmt, first: bool, atomic: bool) -> None:
        el = self.el
        op = OPS.get(st.func)
        if op is None:  # unknown names were reported by the CFG builder
            return
        if op.action == "trylock":
            el.err("MMS315", f"{st.func}() returns whether it got the lock: assign it",
                   st.span, expected=f"ok := {st.func}(...)")
            return
        target = self.lock_target(st, op, st.func)
        if target is None:
            return
        lk, idx, sub = target
        t = self.base.thread
        assert t is not None
        owner, readers, queued = self.lock_state(lk, idx)
        holds_write = ir.Binary("eq", owner, t)
        holds_read = ir.Binary("in", t, readers) if readers is not None else FALSE
        shown = _op_text(st, lk, idx, self.low)
        if op.action in ("acquire", "acquire_queued"):
            if atomic and not first:
                el.err("MMS309", f"{st.func.lstrip('_')}() can block: inside atomic it must be "
                       "the first statement", st.span,
                       expected="the blocking acquire first (it becomes the step's guard)")
                return
            mode = op.mode
            self.low.contexts.on_acquire(self, st, lk.name, lk.kind,
                                         "acquire" if op.action == "acquire" else "queued",
                                         True)
            self.guards.append(self.free_cond(lk, idx, mode))
            rec = holds_write if readers is None else ir.Binary("or", holds_write, holds_read)
            what = "down_write" if op.action == "acquire_queued" else st.func
            self.checks.append(ir.Check(
                neg(rec), f"recursive {what}({shown}): the thread already holds it and "
                "would wait for itself", "deadlock", "reach", st.span))
            self.acquire_effects(lk, idx, mode, sub)
            if op.action == "acquire_queued":
                assert queued is not None and lk.waiting_var is not None
                self.write(lk.waiting_var, self.lpath(idx), ir.Binary("sub", queued,
                                                                      int_lit(1)))
            self.acquires.append(ir.LockAcquire(lk.name, idx, mode, sub))
            return
        if op.action == "annotate":  # might_lock(): lockdep's edges, nothing else
            self.acquires.append(ir.LockAcquire(lk.name, idx, op.mode, sub))
            return
        if op.action == "queue":
            self.low.contexts.on_acquire(self, st, lk.name, lk.kind, "queue", True)
            assert queued is not None and lk.waiting_var is not None
            self.write(lk.waiting_var, self.lpath(idx), ir.Binary("add", queued, int_lit(1)))
            return
        if op.action == "release":
            if op.mode == "write":
                self.checks.append(ir.Check(self.under_path(holds_write),
                                            f"{st.func}({shown}) by a thread that does not "
                                            "hold it", "assertion", "fire", st.span))
                self.write(lk.owner_var, self.lpath(idx), int_lit(-1))
            else:
                assert readers is not None and lk.readers_var is not None
                self.checks.append(ir.Check(self.under_path(holds_read),
                                            f"{st.func}({shown}) by a thread that does not "
                                            "hold it for read", "assertion", "fire", st.span))
                self.write(lk.readers_var, self.lpath(idx), ir.Binary(
                    "minus", readers, ir.SetLit(self.el.tid_type, (t,))))
            if lk.sub_var is not None:
                self.write(lk.sub_var, self.lpath(idx, t), int_lit(0))
            if self.low.memory == "lkmm":
                from mmspec.lkmm import lock_released
                lock_released(self, lk.name, idx)
            self.releases.append((lk.name, idx))
            return
        if op.action == "downgrade":
            assert readers is not None and lk.readers_var is not None
            self.checks.append(ir.Check(self.under_path(holds_write),
                                        f"downgrade_write({shown}) by a thread that does not "
                                        "hold it for write", "assertion", "fire", st.span))
            self.write(lk.owner_var, self.lpath(idx), int_lit(-1))
            self.write(lk.readers_var, self.lpath(idx), ir.Binary(
                "union", readers, ir.SetLit(self.el.tid_type, (t,))))
            return
        raise AssertionError(op)  # pragma: no cover

    def trylock(self, target: S.Expr, call: S.Call) -> None:
        el = self.el
        op = OPS[call.func]
        lv = self.lvalue(target, self.ctx())
        tgt = self.lock_target(call, op, call.func)
        if lv is None or tgt is None:
            return
        root, path, vt = lv
        if not isinstance(vt, ir.BoolType):
            el.err("MMS301", f"{call.func}() returns bool; the target has type "
                   f"{show_type(vt)}", target.span)
            return
        lk, idx, sub = tgt
        self.low.contexts.on_acquire(self, S.CallStmt(call.func, call.args, span=call.span),
                                     lk.name, lk.kind, "trylock", False)
        ok = self.free_cond(lk, idx, op.mode)
        self.write(root, path, ok)
        self.acquire_effects(lk, idx, op.mode, sub, when=ok)
        self.acquires.append(ir.LockAcquire(lk.name, idx, op.mode, sub, blocking=False))


def names_shared(e: object, local_names: frozenset[str], sy: Symbols,
                 seen: frozenset[str] = frozenset()) -> bool:
    """Does a condition (syntax) name a shared variable or lock, directly or through a def?
    A process local of the same name shadows the global."""
    if isinstance(e, S.Name):
        if e.id in local_names:
            return False
        d = sy.vars.get(e.id)
        if d is not None:
            return not d.ghost
        if e.id in sy.locks:
            return True
        body = sy.defs.get(e.id)
        return body is not None and e.id not in seen and \
            names_shared(body.body, frozenset(body.params), sy, seen | {e.id})
    if isinstance(e, S.Call) and e.func in sy.defs and e.func not in seen:
        body = sy.defs[e.func]
        if names_shared(body.body, frozenset(body.params), sy, seen | {e.func}):
            return True
    if isinstance(e, (tuple, list)):
        return any(names_shared(x, local_names, sy, seen) for x in e)
    fields = getattr(e, "__dataclass_fields__", None)
    if fields is None or isinstance(e, ir.Span):
        return False
    return any(names_shared(getattr(e, f), local_names, sy, seen) for f in fields)


def _reads_state(e: object) -> bool:
    """Does an IR expression read a state variable (as opposed to parameters only)?"""
    if isinstance(e, ir.VarRef):
        return True
    if isinstance(e, (ir.Lit, ir.ParamRef)) or not hasattr(e, "__dataclass_fields__"):
        return False
    for f in e.__dataclass_fields__:
        v = getattr(e, f)
        items = v if isinstance(v, tuple) else (v,)
        if any(_reads_state(x) for x in items if hasattr(x, "__dataclass_fields__")):
            return True
    return False


def _op_text(st: S.CallStmt, lk: LockRef, idx: ir.Expr | None, low: _Lowering) -> str:
    return low.source_of(st.args[0].span) or lk.name



def _shown(t: ir.Type, k: int) -> str:
    if isinstance(t, ir.EnumType):
        return t.members[k]
    if isinstance(t, ir.BoolType):
        return "true" if k else "false"
    return str(k)
