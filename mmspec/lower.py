"""Lowering: the checked spec becomes an `ir.Spec` (the real semantics).

Processes, labels, locks and procedures disappear here. Each process gets a program-counter
variable `P.pc` and its locals `P.x` (maps over the index type for `process P[i in T]`);
each lock gets owner/readers/queue/subclass variables; every step alternative of every
process becomes one `ir.Transition` whose parameter is the process index; TLA+-style actions
map one to one. See docs/language.md for the semantics implemented.
"""
from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping, Sequence

from mmspec import initvalues, ir, kernelapi, memlower, memops
from mmspec import syntax as S
from mmspec.atomicity import Test, fused_step, racy_for, writers
from mmspec import taskwork, waits
from mmspec.cfg import DONE, TASK_WORK_RUNS, WAIT_LOOPS, Alt, Node, ProcessCFG, build, merged_into
from mmspec.contexts import CALLS as CONTEXT_CALLS
from mmspec.contexts import SPLIT_CALLS, ContextLowering
from mmspec.diagnostics import Sink, did_you_mean
from mmspec.expectations import select_expectation
from mmspec.lockflow import check_releases
from mmspec.lockops import MAX_SUBCLASS, MAX_THREADS, OPS, SPLIT_WRITES, LockOp, kinds_text
from mmspec.resolve import Loaded, Symbols, build_symbols
from mmspec.symexec import SymState, target_of
from mmspec.typecheck import (BOOL, ERR, FALSE, INT, TE, TRUE, TRYLOCKS, Ctx, Elaborator, ErrType,
                              LockRef, ProcessInfo, assignable, conj, index_of, int_lit, neg,
                              show_type, slot_count, zero_value)

MAX_INIT = 100_000
MAX_INIT_STATES = 10 ** 10  # candidate initial states: as mmspec.ground.MAX_INIT_CANDIDATES
MAX_INSTANCES = 1_000_000
CMDLINE = ir.Span("<command line>", 0, 0, 0, 0)


def lower(loaded: Loaded, defines: Mapping[str, int], memory: str | None = None) -> ir.Spec:
    """`memory` ('sc' | 'lkmm') overrides the spec's `option memory` (--memory-model)."""
    return _Lowering(loaded, defines, memory).run()


class _Lowering:
    def __init__(self, loaded: Loaded, defines: Mapping[str, int], memory: str | None = None):
        self.memory_override = memory
        self.sink = Sink()
        # kernel API calls (atomic_inc(&v), refcount_dec_and_test(&r), ...) become plain
        # statements first: mmspec.kernelapi
        self.kernel_ops: list[tuple[kernelapi.KernelOp, ir.Span]] = []
        loaded = replace(loaded, decls=kernelapi.expand(loaded.decls, self.sink,
                                                        self.kernel_ops))
        self.loaded = loaded
        self.sy: Symbols = build_symbols(loaded.decls, self.sink)
        self.el = Elaborator(self.sy, self.sink, defines)
        self.defines = dict(defines)
        self.texts = dict(loaded.sources)
        self.variables: list[ir.Variable] = []
        self.transitions: list[ir.Transition] = []
        self.threads: list[ir.ThreadInfo] = []
        self.cfgs: dict[str, ProcessCFG] = {}
        self.init_preds: list[ir.Invariant] = []  # `v == e` of initial values reading variables
        self.warnings: list[ir.SpecWarning] = []
        self.var_kinds: dict[str, str] = {}
        self.fusions: list[tuple[int, str, bool, tuple[Any, ...]]] = []
        self.proc_local_init: dict[tuple[str, str], ir.Lit] = {}
        self.sleepers: dict[str, str] = {}  # process -> its task-state variable (waits.py)
        self.works: tuple[str, ...] = ()  # procs queued by task_work_add (taskwork.py)
        self.task_work_vars: dict[str, tuple[str, str]] = {}
        self.task_work_type = ir.EnumType("task_work", ())

    def warn(self, w: ir.SpecWarning) -> None:
        if w not in self.warnings:
            self.warnings.append(w)

    # ------------------------------------------------------------------ driver
    def run(self) -> ir.Spec:
        for name in self.defines:
            if name not in self.sy.consts:
                hint = did_you_mean(name, list(self.sy.consts))
                self.sink.error("MMS208", f"-D {name}: the spec has no constant '{name}'",
                                CMDLINE, expected="one of the spec's constants" +
                                (f" (did you mean '{hint}'?)" if hint else ""))
        consts = []
        for name, cdecl in self.sy.consts.items():
            v = self.el.const(name, cdecl.name_span)
            if v is not None:
                consts.append((name, v))
        for name in self.sy.types:
            self.el.named_type(name, self.sy.types[name].name_span)
        self.memory = self.memory_model()
        if self.memory == "lkmm":
            kernelapi.refuse_unordered(self.kernel_ops, self.sink)
        self.user_variables()
        self.process_threads()
        self.build_cfgs()
        self.lock_variables()
        waits.variables(self)
        taskwork.variables(self)
        self.process_variables()
        if self.memory == "lkmm":
            self.memory_variables()
        self.contexts = ContextLowering(self)
        self.contexts.scan()
        self.contexts.variables()
        self.var_kinds = {v.name: v.kind for v in self.variables}
        for d in self.loaded.decls:
            if isinstance(d, S.ProcessDecl) and d.name in self.el.processes and \
                    d.name in self.cfgs:
                self.process_transitions(d)
            elif isinstance(d, S.ActionDecl) and self.sy.actions.get(d.name) is d:
                self.action(d)
        self.atomicity_warnings()
        self.transitions = self.contexts.finish(self.transitions)
        self.check_def_bodies()
        invariants = self.invariants()
        constraints, initial = self.constraints(), self.initials()
        liveness = self.liveness()
        fairness = self.fairness()
        final = self.final()
        check_deadlock, check_lock_order = self.options()
        expect = self.expectation()
        self.check_sizes()
        if not self.sink and not self.sy.vars and not self.sy.processes and \
                not self.sy.actions and not self.sy.locks:
            self.sink.error("MMS322", "the spec declares nothing to check",
                            ir.Span(self.loaded.main.file, 1, 1, 1, 1),
                            expected="variables, locks, processes or actions")
        self.sink.raise_if_any()
        main = self.loaded.main
        return ir.Spec(
            name=self.sy.spec_name or Path(main.file).stem,
            file=main.file,
            consts=tuple(consts),
            variables=tuple(self.variables),
            transitions=tuple(self.transitions),
            invariants=invariants,
            liveness=liveness,
            fairness=fairness,
            locks=tuple(self.lock_infos),
            threads=tuple(self.threads),
            final=final,
            check_deadlock=check_deadlock,
            check_lock_order=check_lock_order,
            symmetric=tuple(self.el.symmetric),
            expect=expect,
            constraints=constraints,
            initial=initial,
            step_properties=tuple(self.step_properties),
            contexts=self.contexts.info(),
            warnings=tuple(sorted(self.warnings, key=lambda w: (w.span.file, w.span.line,
                                                                w.span.col, w.message))),
            sources=tuple(self.loaded.sources),
        )

    # ------------------------------------------------------------------ variables
    def init_values(self, decl: S.VarDecl, t: ir.Type, per: int | None = None
                    ) -> tuple[ir.Value, ...]:
        """Initial values of a variable; `per` (not None) builds a map of `per` independent
        copies, one per thread of a process array (a one-thread array is still a map)."""
        if per is None and self.init_by_predicate(decl, t):
            one: list[ir.Value] = self.whole_type(decl, t)
        elif decl.init is None:
            one = [zero_value(t)]
        elif decl.init_in and not ir.is_scalar(t):
            one = self.maps_in(decl, t)
        elif decl.init_in:
            one = self.init_in(decl, t)
        else:
            v = self.init_eq(decl.init, t)
            one = [v] if v is not None else []
        if not one:
            return ()
        if per is None:
            return tuple(one)
        total = len(one) ** per
        if total > MAX_INIT:
            self.sink.error("MMS402", f"'{decl.name}' alone has {total} initial states",
                            decl.span, expected=f"at most {MAX_INIT}")
            return ()
        return tuple(tuple(c) for c in itertools.product(one, repeat=per))

    def init_by_predicate(self, decl: S.VarDecl, t: ir.Type) -> bool:
        """Does this variable start in its whole type, narrowed by an initial predicate
        (mmspec/initvalues.py)? If its `= e` reads variables, `v == e` becomes one."""
        if decl.init is None:
            return bool(self.sy.initials)
        if decl.init_in or not initvalues.reads_variables(decl.init, set(self.sy.vars)):
            return False
        ctx = Ctx(where="initial value", locals_visible=False)
        e = self.el.cond(S.BinOp("eq", S.Name(decl.name, span=decl.name_span), decl.init,
                                 span=decl.init.span), ctx, "an initial value")
        self.init_preds.append(ir.Invariant(f"{decl.name} initial value", e,
                                            span=decl.init.span))
        return True

    def whole_type(self, decl: S.VarDecl, t: ir.Type) -> list[ir.Value]:
        try:
            return initvalues.all_values(t)
        except initvalues.TooMany:
            self.sink.error("MMS402", f"'{decl.name}' has more than {MAX_INIT} values to "
                            "start in", decl.span, expected="an initial value, or a smaller type")
            return []

    def maps_in(self, decl: S.VarDecl, t: ir.Type) -> list[ir.Value]:
        """`var m: map[K] V in S`: every map into the set S of V's values."""
        assert decl.init is not None
        leaf = t
        while isinstance(leaf, ir.MapType):
            leaf = leaf.value
        if not ir.is_scalar(leaf):
            self.el.err("MMS301", "'in S' initialises scalars and maps of scalars only",
                        decl.init.span, expected="an `initial` predicate for this variable")
            return []
        leaves = self.init_in(decl, leaf)
        try:
            out = initvalues.maps_into(t, [int(x) for x in leaves])  # type: ignore[arg-type]
        except initvalues.TooMany:
            self.sink.error("MMS402", f"'{decl.name}' has more than {MAX_INIT} values to "
                            "start in", decl.span, expected="a smaller set or type")
            return []
        return out or []

    def init_eq(self, e: S.Expr, t: ir.Type) -> ir.Value | None:
        ctx = Ctx(where="constant", locals_visible=False)
        # a scalar initialiser fills every entry of a map
        depth, want = 0, t
        while isinstance(want, ir.MapType):
            trial = self.el.quiet(lambda: self.el.expr(e, ctx, want))
            if not isinstance(trial.type, ErrType) and assignable(trial.type, want):
                break
            depth += 1
            want = want.value
        else:
            trial = self.el.quiet(lambda: self.el.expr(e, ctx, want))
            if isinstance(trial.type, ErrType) or not assignable(trial.type, want):
                depth, want = 0, t
        te = self.el.expr(e, ctx, want)
        if isinstance(te.type, ErrType):
            return None
        if not assignable(te.type, want):
            self.el.err("MMS301", f"initial value of type {show_type(te.type)} for a variable "
                        f"of type {show_type(t)}", e.span)
            return None
        v = self.el.try_const(te.expr, e.span, "an initial value")
        if v is None:
            return None
        if not self.value_fits(v, want, e.span):
            return None
        mt: ir.Type = t
        shapes: list[int] = []
        for _ in range(depth):
            assert isinstance(mt, ir.MapType)
            shapes.append(ir.domain_size(mt.key))
            mt = mt.value
        for n in reversed(shapes):
            v = tuple(v for _ in range(n))
        return v

    def value_fits(self, v: ir.Value, t: ir.Type, span: ir.Span) -> bool:
        if isinstance(t, ir.IntType):
            if not t.wrap and not (t.lo <= v <= t.hi):  # type: ignore[operator]
                self.el.err("MMS303", f"initial value {v} is out of range {t.lo}..{t.hi}",
                            span)
                return False
            if t.values is not None and v not in t.values:
                self.el.err("MMS303", f"initial value {v} is not one of the declared values "
                            f"of {show_type(t)}", span)
                return False
            return True
        if isinstance(t, ir.MapType):
            return all(self.value_fits(x, t.value, span) for x in v)  # type: ignore[union-attr]
        if isinstance(t, ir.RecordType):
            return all(self.value_fits(x, ft, span)
                       for x, (_, ft) in zip(v, t.fields))  # type: ignore[arg-type]
        if isinstance(t, ir.SeqType):
            n = len(v)  # type: ignore[arg-type]
            if n > t.cap:
                self.el.err("MMS303", f"initial sequence has {n} elements, more than its "
                            f"maximum {t.cap}", span)
                return False
            return all(self.value_fits(x, t.elem, span) for x in v)  # type: ignore[union-attr]
        return True

    def init_in(self, decl: S.VarDecl, t: ir.Type) -> list[ir.Value]:
        assert decl.init is not None
        if not ir.is_scalar(t):
            self.el.err("MMS301", "'in S' initialises scalar variables only", decl.init.span)
            return []
        te = self.el.expr(decl.init, Ctx(where="constant", locals_visible=False),
                          ir.SetType(t))
        if isinstance(te.type, ErrType):
            return []
        if not isinstance(te.type, ir.SetType) or not assignable(te.type.elem, t):
            self.el.err("MMS301", f"'in' needs a set of {show_type(t)}, not "
                        f"{show_type(te.type)}", decl.init.span)
            return []
        v = self.el.try_const(te.expr, decl.init.span, "an initial set")
        if not isinstance(v, frozenset):
            return []
        vals = sorted(v)
        bad = [x for x in vals if not ir.in_domain(x, t)]
        if bad:
            self.el.err("MMS303", f"initial value {bad[0]} is out of range of "
                        f"{show_type(t)}", decl.init.span)
            return []
        if not vals:
            self.el.err("MMS301", f"'{decl.name}' has no initial value (the set is empty)",
                        decl.init.span)
        return list[ir.Value](vals)

    def user_variables(self) -> None:
        for name, d in self.sy.vars.items():
            t = self.el.var_type(name)
            if isinstance(t, ErrType):
                continue
            if slot_count(t) > 100_000:
                self.el.err("MMS401", f"'{name}' has {slot_count(t)} cells", d.span)
                continue
            init = self.init_values(d, t)
            if init:
                self.variables.append(ir.Variable(name, t, init,
                                                  "ghost" if d.ghost else "state",
                                                  span=d.span))

    # ------------------------------------------------------------------ processes
    def process_threads(self) -> None:
        tid = 0
        for name, d in self.sy.processes.items():
            ptype: ir.Type | None = None
            if d.param is not None:
                dom = self.el.domain(d.param.domain, Ctx(where="constant"))
                if dom is None:
                    continue
                ptype, within = dom
                if ir.is_product(ptype):
                    self.el.err("MMS319", "a process index ranges over a scalar type, not "
                                f"{show_type(ptype)}", d.param.domain.span)
                    continue
                if within is not None:
                    self.el.err("MMS301", "a process index ranges over a type, not a set",
                                d.param.domain.span, expected="process P[i in T] with a "
                                "type T such as 1..N or an enum")
                    continue
            count = 1 if ptype is None else ir.domain_size(ptype)
            if tid + count > MAX_THREADS:
                self.sink.error("MMS403", f"more than {MAX_THREADS} threads", d.span,
                                expected="a smaller configuration (-D to shrink a constant)")
                break
            info = ProcessInfo(name, d.param.name if d.param else None, ptype, tid, count)
            self.el.processes[name] = info
            if ptype is None:
                self.threads.append(ir.ThreadInfo(tid, name, None, name))
            else:
                for k, v in enumerate(ir.domain_values(ptype)):
                    shown = (ptype.members[v] if isinstance(ptype, ir.EnumType)
                             else ("true" if v else "false") if isinstance(ptype, ir.BoolType)
                             else str(v))
                    self.threads.append(ir.ThreadInfo(tid + k, name, v, f"{name}[{shown}]"))
            tid += count
        self.el.tid_type = ir.IntType(0, max(tid - 1, 0), symmetric="@thread")
        self.n_threads = tid

    def is_split_write(self, st: S.CallStmt) -> bool:
        if st.func not in SPLIT_WRITES or not st.args:
            return False
        a = st.args[0]
        root = a.base if isinstance(a, S.IndexExpr) else a
        if not isinstance(root, S.Name):
            return False
        lk = self.sy.locks.get(root.id)
        return lk is not None and lk.kind == "rwsem" and lk.writer_pref

    def atomicity_warnings(self) -> None:
        """MMS350 where a merged test reads what another thread may write (mmspec/atomicity)."""
        written_by = writers(self.transitions)
        for k, proc, indexed, (tests, written, label, text, span) in self.fusions:
            found = fused_step(tests, written, label, text, span, self.var_kinds,
                               racy_for(proc, indexed, written_by))
            if found is not None:
                self.warn(found[0])
                self.transitions[k] = replace(self.transitions[k], fused=found[1])

    def split_tests(self) -> bool:
        """`option split_tests = true`: every if/while test that reads shared state is a
        step of its own (the honest kernel order: load, compare, then act)."""
        return any(o.name == "split_tests" and isinstance(o.value, S.BoolLit) and
                   o.value.value for o in self.sy.options)

    def build_cfgs(self) -> None:
        stmt_calls = ((set(OPS) | CONTEXT_CALLS) - {"__queue_write", "__acquire_write",
                                                     "__gp_start", "__gp_wait"}) \
            | set(memops.PRIMS) | set(waits.CALLS) | WAIT_LOOPS | TASK_WORK_RUNS | taskwork.CALLS
        split = self.split_tests()
        self.works, works_for = taskwork.works(self.sy, self.loaded.decls)
        for name, d in self.sy.processes.items():
            if name not in self.el.processes:
                continue
            local_names = frozenset(lv.decl.name for lv in d.body
                                    if isinstance(lv, S.LocalVar))
            test = (lambda e, ln=local_names: names_shared(e, ln, self.sy)) if split else None
            cfg = build(d, self.sy.procs, self.sink, self.is_split_write,
                        lambda f: f in stmt_calls, SPLIT_CALLS, test,
                        works_for.get(name, ()))
            if cfg is None:
                continue
            self.cfgs[name] = cfg
            info = self.el.processes[name]
            labels = tuple(cfg.point_label(p) for p in cfg.points)
            pc_name = f"{name}.pc"
            info.labels = labels
            info.pc_type = ir.EnumType(pc_name, labels + (DONE,))
            info.merged_labels = merged_into(cfg)

    def nested_usage(self) -> dict[str, int]:
        """Locks used with *_nested(l, n): the largest subclass n per lock."""
        out: dict[str, int] = {}

        def visit(st: S.Stmt) -> None:
            if isinstance(st, S.CallStmt) and st.func in OPS and len(st.args) == 2 and \
                    (OPS[st.func].nested or st.func.startswith("__")):
                a = st.args[0]
                root = a.base if isinstance(a, S.IndexExpr) else a
                if isinstance(root, S.Name) and root.id in self.sy.locks:
                    n = self.el.const_int(st.args[1], "a lockdep subclass")
                    if n is not None:
                        if not 0 <= n <= MAX_SUBCLASS:
                            self.el.err("MMS303", f"lockdep subclass {n} is out of range "
                                        f"0..{MAX_SUBCLASS}", st.args[1].span)
                        else:
                            out[root.id] = max(out.get(root.id, 0), n)
            for sub in S.sub_statements(st):
                visit(sub)

        for cfg in self.cfgs.values():
            for n in cfg.nodes:
                if n.stmt is not None and n.kind == "simple":
                    visit(n.stmt)
        return out

    def lock_variables(self) -> None:
        self.lock_infos: list[ir.LockInfo] = []
        nested = self.nested_usage()
        T = self.n_threads
        tid_t = self.el.tid_type
        owner_t = ir.IntType(-1, T - 1, symmetric="@thread")
        for name, d in self.sy.locks.items():
            itype: ir.Type | None = None
            if d.index is not None:
                t = self.el.resolve_type(d.index)
                if isinstance(t, ErrType):
                    continue
                if not self.el.check_key_type(t, d.index.span, "a lock array index"):
                    continue
                itype = t
            n_inst = 1 if itype is None else ir.domain_size(itype)

            def wrap(t: ir.Type, v: ir.Value) -> tuple[ir.Type, ir.Value]:
                if itype is None:
                    return t, v
                return ir.MapType(itype, t), tuple(v for _ in range(n_inst))

            ot, ov = wrap(owner_t, -1)
            self.variables.append(ir.Variable(f"{name}.owner", ot, (ov,), "lock", span=d.span))
            readers = queued = sub = None
            if d.kind == "rwsem":
                readers = f"{name}.readers"
                rt, rv = wrap(ir.SetType(tid_t), frozenset())
                self.variables.append(ir.Variable(readers, rt, (rv,), "lock", span=d.span))
                if d.writer_pref:
                    queued = f"{name}.queued"
                    qt, qv = wrap(ir.IntType(0, max(T, 1)), 0)
                    self.variables.append(ir.Variable(queued, qt, (qv,), "lock", span=d.span))
            elif d.writer_pref:
                self.el.err("MMS308", f"writer_pref applies to an rwsem, not a {d.kind}",
                            d.span)
            maxn = nested.get(name)
            if maxn is not None:
                sub = f"{name}.sub"
                st, sv = wrap(ir.MapType(tid_t, ir.IntType(0, maxn)), tuple(0 for _ in range(T)))
                self.variables.append(ir.Variable(sub, st, (sv,), "lock", span=d.span))
            self.el.locks[name] = LockRef(name, d.kind, d.writer_pref and d.kind == "rwsem",
                                          itype, f"{name}.owner", readers, queued, sub,
                                          maxn or 0, d.span)
            self.lock_infos.append(ir.LockInfo(name, d.kind, d.cls or name, f"{name}.owner",
                                               readers, queued, bool(queued), itype, sub,
                                               span=d.span))

    def process_variables(self) -> None:
        for name, d in self.sy.processes.items():
            info = self.el.processes.get(name)
            cfg = self.cfgs.get(name)
            if info is None or cfg is None or info.pc_type is None:
                continue
            pc_t = info.pc_type
            entry = pc_t.members.index(cfg.point_label(cfg.entry))
            if info.param_type is None:
                self.variables.append(ir.Variable(f"{name}.pc", pc_t, (entry,), "pc", name,
                                                  span=d.span))
            else:
                self.variables.append(ir.Variable(
                    f"{name}.pc", ir.MapType(info.param_type, pc_t),
                    (tuple(entry for _ in range(info.count)),), "pc", name, span=d.span))
            for lv in cfg.locals:
                decl = lv.decl
                if decl.name in info.locals or decl.name == info.param:
                    self.sink.error("MMS201", f"local '{decl.name}' is already declared in "
                                    f"process '{name}'", decl.name_span)
                    continue
                t = self.el.resolve_type(decl.type)
                if isinstance(t, ErrType):
                    continue
                var = f"{name}.{decl.name}"
                if info.param_type is None:
                    init = self.init_values(decl, t)
                    vt: ir.Type = t
                else:
                    init = self.init_values(decl, t, info.count)
                    vt = ir.MapType(info.param_type, t)
                if not init:
                    continue
                info.locals[decl.name] = (var, t)
                if "." in decl.name:  # a proc local `f.t`: reset to this when f returns
                    one = self.init_values(decl, t)
                    if one:
                        self.proc_local_init[(name, decl.name)] = ir.Lit(one[0], t)
                self.variables.append(ir.Variable(var, vt, init,
                                                  "ghost" if decl.ghost else "local", name,
                                                  span=decl.span))
            check_releases(cfg, self.el, self.sink)

    def memory_variables(self) -> None:
        """lkmm: the view-based memory state and the early-write bits (mmspec/lkmm.py)."""
        from mmspec import lkmm
        self.mem_plan = lkmm.plan(self)
        self.variables.extend(lkmm.variables(self.mem_plan, self))
        for pname, bits in self.mem_plan.early.items():
            info = self.el.processes[pname]
            for var in bits.values():
                t: ir.Type = ir.BoolType()
                init: ir.Value = 0
                if info.param_type is not None:
                    t, init = ir.MapType(info.param_type, t), tuple(0 for _ in
                                                                     range(info.count))
                self.variables.append(ir.Variable(var, t, (init,), "local", pname))

    def early_transitions(self, d: S.ProcessDecl, label: str, point: int,
                          t: ir.Transition, cfg: ProcessCFG,
                          params: tuple[ir.Param, ...], thread: ir.Expr,
                          base: Ctx, self_expr: ir.Expr | None) -> list[ir.Transition]:
        """lkmm: a statement some earlier point may run early is skipped once it has run;
        and from this point, each later write that may run early does so."""
        plan = self.mem_plan
        bits = plan.early.get(d.name, {})
        out: list[ir.Transition] = []

        def bit(node: int) -> ir.Expr:
            v: ir.Expr = ir.VarRef(bits[node])
            return v if self_expr is None else ir.Index(v, self_expr)

        path: tuple[ir.Expr | str, ...] = () if self_expr is None else (self_expr,)
        if point in bits:
            out.append(replace(t, guard=conj([t.guard, neg(bit(point))])))
            nxt = cfg.alts[point][0].next
            info = self.el.processes[d.name]
            assert info.pc_type is not None
            step = _Step(self, info, base, self_expr)
            step.sym.write(bits[point], path, FALSE)
            pc = ir.VarRef(f"{d.name}.pc")
            pc_read: ir.Expr = pc if self_expr is None else ir.Index(pc, self_expr)
            here = ir.Binary("eq", pc_read, ir.Lit(info.pc_type.members.index(label),
                                                   info.pc_type))
            step.sym.write(f"{d.name}.pc", path, ir.Lit(
                info.pc_type.members.index(cfg.point_label(nxt)), info.pc_type))
            out.append(ir.Transition(f"{t.name}~ran_early", params, conj([here, bit(point)]),
                                     step.sym.updates(), at=here, process=d.name,
                                     label=label, thread=thread, span=t.span))
        else:
            out.append(t)
        return out

    def hoisted_transitions(self, d: S.ProcessDecl, point: int, cfg: ProcessCFG,
                            params: tuple[ir.Param, ...], thread: ir.Expr, base: Ctx,
                            self_expr: ir.Expr | None) -> list[ir.Transition]:
        """lkmm: the writes that may run early from this point, each as its own step."""
        plan = self.mem_plan
        bits = plan.early.get(d.name, {})
        out: list[ir.Transition] = []
        label = cfg.point_label(point)
        info = self.el.processes[d.name]
        path: tuple[ir.Expr | str, ...] = () if self_expr is None else (self_expr,)
        for p, s_node in plan.hoists.get(d.name, []):
            if p != point:
                continue
            step = _Step(self, info, base, self_expr)
            alt = Alt((), cfg.nodes[s_node], point)
            v: ir.Expr = ir.VarRef(bits[s_node])
            v = v if self_expr is None else ir.Index(v, self_expr)
            step.guards.append(neg(v))
            step.sym.write(bits[s_node], path, TRUE)
            name = f"{d.name}.{label}~early.{cfg.nodes[s_node].label}"
            t = step.lower(alt, label, name, params, thread, cfg)
            if t is not None:
                out.append(t)
        return out

    def process_transitions(self, d: S.ProcessDecl) -> None:
        info = self.el.processes[d.name]
        cfg = self.cfgs[d.name]
        assert info.pc_type is not None
        params: tuple[ir.Param, ...] = ()
        self_expr: ir.Expr | None = None
        if info.param is not None and info.param_type is not None:
            params = (ir.Param(info.param, info.param_type),)
            self_expr = ir.ParamRef(info.param)
        thread = info.tid_expr(self_expr)
        base = Ctx(process=info, self_expr=self_expr, thread=thread, where="step",
                   taken=frozenset({info.param} if info.param else set()))
        for p in cfg.points:
            label = cfg.point_label(p)
            for k, alt in enumerate(cfg.alts.get(p, [])):
                name = f"{d.name}.{label}" + (f"#{k + 1}" if k else "")
                step = _Step(self, info, base, self_expr)
                t = step.lower(alt, label, name, params, thread, cfg)
                if t is not None and self.memory == "lkmm":
                    self.transitions.extend(self.early_transitions(
                        d, label, p, t, cfg, params, thread, base, self_expr))
                elif t is not None:
                    if step.fuse_args is not None:
                        self.fusions.append((len(self.transitions), d.name,
                                             info.param is not None, step.fuse_args))
                    self.transitions.append(t)
            if self.memory == "lkmm":
                self.transitions.extend(self.hoisted_transitions(d, p, cfg, params, thread,
                                                                 base, self_expr))

    # ------------------------------------------------------------------ actions
    def action(self, d: S.ActionDecl) -> None:
        ctx = Ctx(where="action", locals_visible=False)
        params: list[ir.Param] = []
        guards: list[ir.Expr] = []
        for b in d.params:
            dom = self.el.domain(b.domain, ctx)
            if dom is None:
                continue
            t, within = dom
            pname = self.el.fresh(b.name, ctx)
            ctx = replace(ctx.bind(b.name, TE(ir.ParamRef(pname), t)),
                          taken=ctx.taken | {pname})
            params.append(ir.Param(pname, t))
            if within is not None:
                guards.append(ir.Binary("in", ir.ParamRef(pname), within))
        if d.guard is not None:
            guards.extend(self.guard_with_witnesses(d.guard, ctx, params))
        sym = SymState(simultaneous=True)
        ctx = replace(ctx, sym=sym)
        seen: dict[tuple[str, str], ir.Span] = {}
        for pa in d.body:
            if isinstance(pa, S.Pick):  # TLA+'s `\E x \in S: ...` around the rest
                ctx = self.action_pick(pa, ctx, params, guards)
                continue
            lv = self.lvalue_primed(pa, ctx)
            if lv is None:
                continue
            root, path, t = lv
            key = (root, repr(path))
            if key in seen:
                self.sink.error("MMS314", f"'{pa.name}' is assigned twice in action "
                                f"'{d.name}'", pa.span, notes=(f"first at {seen[key]}",))
                continue
            seen[key] = pa.span
            if self.memory == "lkmm" and root in self.mem_plan.locs:
                self.sink.error("MMS315", f"under memory = lkmm an action cannot write the "
                                f"memory location '{root}'", pa.span,
                                expected="a process step (or declare it ghost)")
            v = self.el.expect(pa.value, ctx, t, f"value for {pa.name}'")
            sym.write(root, path, v.expr)
        self.transitions.append(ir.Transition(d.name, tuple(params), conj(guards),
                                              sym.updates(), span=d.span))

    def action_pick(self, pk: S.Pick, ctx: Ctx, params: list[ir.Param],
                    guards: list[ir.Expr]) -> Ctx:
        """`pick x in S [where P]` in an action: a witness parameter x (one step per
        value, as TLC enumerates an exists), visible to the rest of the action."""
        dom = self.el.domain(pk.domain, ctx)
        if dom is None:
            return ctx
        t, within = dom
        pname = self.el.fresh(pk.var, ctx)
        ctx = replace(ctx.bind(pk.var, TE(ir.ParamRef(pname), t)), taken=ctx.taken | {pname})
        params.append(ir.Param(pname, t, witness=True))
        if within is not None:
            guards.append(ir.Binary("in", ir.ParamRef(pname), within))
        if pk.cond is not None:
            guards.append(self.el.cond(pk.cond, ctx, "a pick's where"))
        return ctx

    def guard_with_witnesses(self, g: S.Expr, ctx: Ctx, params: list[ir.Param]
                             ) -> list[ir.Expr]:
        """An action's guard, with each `exists x in S: P` among its top-level conjuncts
        (and theirs, recursively) turned into a witness parameter x with the guard
        `x in S && P`: TLC enumerates an action's exists one witness at a time, so each
        witness is a generated successor of its own. The witness is visible to the guard
        only (TLA+ scopes it to the quantifier)."""
        if isinstance(g, S.BinOp) and g.op == "and":
            return (self.guard_with_witnesses(g.left, ctx, params) +
                    self.guard_with_witnesses(g.right, ctx, params))
        if isinstance(g, S.QuantExpr) and g.kind == "exists":
            dom = self.el.domain(g.domain, ctx)
            if dom is None:
                return []
            t, within = dom
            pname = self.el.fresh(g.var, ctx)
            inner = replace(ctx.bind(g.var, TE(ir.ParamRef(pname), t)),
                            taken=ctx.taken | {pname})
            params.append(ir.Param(pname, t, witness=True))
            out: list[ir.Expr] = []
            if within is not None:
                out.append(ir.Binary("in", ir.ParamRef(pname), within))
            return out + self.guard_with_witnesses(g.body, inner, params)
        return [self.el.cond(g, ctx, "an action's guard")]

    def lvalue_primed(self, pa: S.PrimedAssign, ctx: Ctx
                      ) -> tuple[str, tuple[ir.Expr | str, ...], ir.Type] | None:
        kind = self.sy.kind_of(pa.name)
        if pa.name in ctx.bound or kind != "variable":
            if kind is None and pa.name not in ctx.bound:
                hint = did_you_mean(pa.name, list(self.sy.vars))
                self.el.err("MMS204", f"unknown variable '{pa.name}'", pa.span,
                            expected="a state variable" +
                            (f" (did you mean '{hint}'?)" if hint else ""))
            else:
                self.el.err("MMS313", f"cannot assign to '{pa.name}': not a state variable",
                            pa.span)
            return None
        t = self.el.var_type(pa.name)
        if isinstance(t, ErrType):
            return None
        return self.walk_path(pa.name, t, pa.path, ctx, pa.span)

    def walk_path(self, root: str, t: ir.Type, steps: Sequence[S.Expr | str],
                  ctx: Ctx, span: ir.Span, prefix: tuple[ir.Expr | str, ...] = ()
                  ) -> tuple[str, tuple[ir.Expr | str, ...], ir.Type] | None:
        path: list[ir.Expr | str] = list(prefix)
        for st in steps:
            if isinstance(st, str):
                if not isinstance(t, ir.RecordType):
                    self.el.err("MMS313", f"'.{st}' on a value of type {show_type(t)}", span)
                    return None
                fields = dict(t.fields)
                if st not in fields:
                    self.el.err("MMS316", f"no field '{st}' in {show_type(t)}", span)
                    return None
                path.append(st)
                t = fields[st]
            elif isinstance(t, ir.SeqType):
                k = self.el.expect(st, ctx, INT, "sequence index")
                if isinstance(k.type, ErrType):
                    return None
                path.append(k.expr)
                t = t.elem
            else:
                if not isinstance(t, ir.MapType):
                    self.el.err("MMS305", f"cannot index a value of type {show_type(t)}",
                                st.span)
                    return None
                k = self.el.expect(st, ctx, t.key, "map index")
                if isinstance(k.type, ErrType):
                    return None
                v = self.el.static_value(k.expr)
                if isinstance(v, int) and not ir.in_domain(v, t.key):
                    self.el.err("MMS303", f"index {v} is outside the map's keys "
                                f"{show_type(t.key)}", st.span)
                path.append(k.expr)
                t = t.value
        return root, tuple(path), t

    def check_sizes(self) -> None:
        """Refuse specs whose grounding alone would not finish (MMS402, MMS404)."""
        total = 1
        for v in self.variables:
            total *= max(len(v.init), 1)
            if total > MAX_INIT_STATES:
                self.sink.error("MMS402", f"more than {MAX_INIT_STATES} initial states "
                                f"(at variable '{v.name}')", v.span,
                                expected="fewer 'in' initialisers or smaller types")
                break
        for t in self.transitions:
            n = 1
            for p in t.params:
                n *= ir.domain_size(p.type)
            if n > MAX_INSTANCES:
                self.sink.error("MMS404", f"'{t.name}' has {n} parameter bindings", t.span,
                                expected=f"at most {MAX_INSTANCES}: smaller parameter types")

    def check_def_bodies(self) -> None:
        """Unknown names in a def are errors even if the def is never used (its body is
        otherwise only checked where it is expanded, with the arguments' types)."""
        from mmspec.diagnostics import Sink as _Sink
        for name, d in self.sy.defs.items():
            bound = {p: TE(ir.ParamRef(p), ERR) for p in d.params}
            ctx = Ctx(bound=bound, where="def", locals_visible=False,
                      defs_active=(name,), taken=frozenset(d.params))
            saved, self.el.sink = self.el.sink, _Sink()
            self.el.expansion_root, self.el.expanded = d.body.span, 0
            try:
                self.el.expr(d.body, ctx)
                found = self.el.sink.items
            finally:
                self.el.sink = saved
            for diag in found:
                if diag.code in ("MMS202", "MMS204", "MMS207", "MMS212"):
                    self.sink.error(diag.code, diag.message, diag.span, diag.expected,
                                    diag.notes)

    # ------------------------------------------------------------------ properties
    def prop_ctx(self, what: str) -> Ctx:
        return Ctx(where=what, locals_visible=False)

    def invariants(self) -> tuple[ir.Invariant, ...]:
        out = []
        for name, d in self.sy.invariants.items():
            e = self.el.cond(d.expr, self.prop_ctx("invariant"), "an invariant")
            out.append(ir.Invariant(name, e, d.helper, span=d.span))
        return tuple(out)

    def constraints(self) -> tuple[ir.Constraint, ...]:
        out = []
        for name, d in self.sy.constraints.items():
            ctx = replace(self.prop_ctx("constraint"), primes=d.action)
            e = self.el.cond(d.expr, ctx, "a constraint")
            out.append(ir.Constraint(name, e, d.action, span=d.span))
        return tuple(out)

    def initials(self) -> tuple[ir.Invariant, ...]:
        out = []
        for name, d in self.sy.initials.items():
            e = self.el.cond(d.expr, self.prop_ctx("initial predicate"), "an initial predicate")
            out.append(ir.Invariant(name, e, span=d.span))
        return tuple(self.init_preds + out)

    def liveness(self) -> tuple[ir.Liveness, ...]:
        out = []
        self.step_properties: list[ir.Invariant] = []
        for name, d in self.sy.properties.items():
            for shown, ctx in self.property_instances(name, d):
                if d.kind == "always_step":
                    q = self.el.cond(d.q, replace(ctx, primes=True), "an action property")
                    self.step_properties.append(ir.Invariant(shown, q, span=d.span))
                    continue
                p = self.el.cond(d.p, ctx, "a property") if d.p is not None else None
                q = self.el.cond(d.q, ctx, "a property")
                out.append(ir.Liveness(shown, d.kind, p, q, span=d.span))
        return tuple(out)

    def property_instances(self, name: str, d: S.PropertyDecl) -> list[tuple[str, Ctx]]:
        """`forall a in S: body` expands to one property per value of a (in S's order),
        named NAME[a=v]; a property without binders is one instance."""
        out: list[tuple[str, Ctx, list[str]]] = [(name, self.prop_ctx("property"), [])]
        for var, dom in d.binders:
            nxt: list[tuple[str, Ctx, list[str]]] = []
            for shown, ctx, vals in out:
                got = self.el.domain(dom, ctx)
                if got is None:
                    return []
                t, within = got
                members = None
                if within is not None:
                    v = self.el.try_const(within, d.span, "a property's domain")
                    if not isinstance(v, frozenset):
                        return []
                    members = v
                for k in ir.domain_values(t):
                    if members is not None and k not in members:
                        continue
                    te = TE(ir.Lit(k, t), t)
                    nxt.append((shown, ctx.bind(var, te), vals + [f"{var}={_shown(t, k)}"]))
            out = nxt
        return [(f"{n}[{', '.join(v)}]" if v else n, c) for n, c, v in out]

    def fairness(self) -> tuple[ir.Fairness, ...]:
        out: list[ir.Fairness] = []
        for d in self.loaded.decls:
            if isinstance(d, S.ProcessDecl) and d.fairness and d.name in self.el.processes:
                out.append(ir.Fairness(d.fairness, process=d.name, span=d.span))
            elif isinstance(d, S.ActionDecl) and d.fairness:
                out.append(ir.Fairness(d.fairness, action=d.name, span=d.span))
            elif isinstance(d, S.FairRef) and d.next:
                out.append(ir.Fairness(d.kind, span=d.span, every=True))
            elif isinstance(d, S.FairRef) and d.group:
                for a in d.group:
                    if a not in self.sy.actions:
                        hint = did_you_mean(a, list(self.sy.actions))
                        self.sink.error("MMS204", f"unknown action '{a}'", d.span,
                                        expected="an action declared in this spec" +
                                        (f" (did you mean '{hint}'?)" if hint else ""))
                out.append(ir.Fairness(d.kind, span=d.span, group=d.group))
            elif isinstance(d, S.FairRef):
                if d.action not in self.sy.actions:
                    hint = did_you_mean(d.action, list(self.sy.actions))
                    self.sink.error("MMS204", f"unknown action '{d.action}'", d.span,
                                    expected="an action declared in this spec" +
                                    (f" (did you mean '{hint}'?)" if hint else ""))
                else:
                    out.append(ir.Fairness(d.kind, action=d.action, span=d.span))
        return tuple(out)

    def final(self) -> ir.Expr | None:
        parts: list[ir.Expr] = []
        for name, d in self.sy.processes.items():
            info = self.el.processes.get(name)
            if info is None or info.pc_type is None:
                continue
            members = info.pc_type.members
            ok = [DONE]
            for lab, sp in zip(d.final, d.final_spans or tuple(d.span for _ in d.final)):
                if lab in members:
                    ok.append(lab)
                elif lab in info.merged_labels:
                    self.sink.error("MMS321", f"final label '{lab}' is not a step boundary",
                                    sp, notes=(f"it is merged into step "
                                               f"'{info.merged_labels[lab]}'",))
                else:
                    hint = did_you_mean(lab, list(members))
                    self.sink.error("MMS205", f"process '{name}' has no label '{lab}'", sp,
                                    expected="a label of this process" +
                                    (f" (did you mean '{hint}'?)" if hint else ""))
            pc: ir.Expr = ir.VarRef(f"{name}.pc")
            if info.param_type is None:
                parts.append(_any_of(pc, ok, info.pc_type))
            else:
                v = f"{info.param}_t" if info.param else "t"
                parts.append(ir.Quant("forall", v, info.param_type,
                                      _any_of(ir.Index(pc, ir.ParamRef(v)), ok, info.pc_type)))
        if not parts:
            return None
        return conj(parts)

    def options(self) -> tuple[bool, bool]:
        values = {"deadlock": True, "lockorder": True, "irqlock": True, "split_tests": False}
        for o in self.sy.options:
            if o.name in ("memory", "memory_history"):
                continue
            if o.name not in values:
                hint = did_you_mean(o.name, list(values))
                self.sink.error("MMS213", f"unknown option '{o.name}'", o.span,
                                expected="deadlock, lockorder, irqlock, memory or split_tests" +
                                (f" (did you mean '{hint}'?)" if hint else ""))
                continue
            if not isinstance(o.value, S.BoolLit):
                self.sink.error("MMS318", f"option {o.name} takes true or false", o.value.span)
                continue
            values[o.name] = o.value.value
        return values["deadlock"], values["lockorder"]

    def memory_model(self) -> str:
        """`option memory = sc | lkmm`; the command line's --memory-model wins."""
        chosen = "sc"
        for o in self.sy.options:
            if o.name != "memory":
                continue
            if isinstance(o.value, S.Name) and o.value.id in memops.MEMORY_MODELS:
                chosen = o.value.id
            else:
                self.sink.error("MMS318", "option memory takes sc or lkmm", o.value.span,
                                expected="option memory = sc | lkmm")
        chosen = self.memory_override or chosen
        if chosen == "lkmm" and not memops.LKMM_AVAILABLE:
            self.sink.error("MMS318", "memory = lkmm is not available in this build yet",
                            CMDLINE, expected="memory = sc")
            return "sc"
        return chosen

    def expectation(self) -> ir.Expectation:
        return select_expectation(self.sy, self.el, self.sink)

    def source_of(self, span: ir.Span) -> str:
        text = self.texts.get(span.file)
        if text is None or span.line <= 0:
            return ""
        lines = text.splitlines()
        if span.line > len(lines):
            return ""
        if span.end_line == span.line:
            return lines[span.line - 1][span.col - 1: span.end_col - 1]
        return lines[span.line - 1][span.col - 1:] + " ..."


def _any_of(pc: ir.Expr, labels: list[str], t: ir.EnumType) -> ir.Expr:
    out: ir.Expr | None = None
    for lab in labels:
        e = ir.Binary("eq", pc, ir.Lit(t.members.index(lab), t))
        out = e if out is None else ir.Binary("or", out, e)
    assert out is not None
    return out


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
        el = self.el
        if len(st.values) == 1 and len(st.targets) == 1 and isinstance(st.values[0], S.Call) \
                and st.values[0].func in TRYLOCKS:
            self.trylock(st.targets[0], st.values[0])
            return
        if self.low.memory == "lkmm" and not atomic and len(st.values) == 1 and \
                len(st.targets) == 1:
            from mmspec.lkmm import plain_read
            if plain_read(self, st.targets[0], st.values[0]):
                return
        if len(st.values) == 1 and len(st.targets) == 1 and isinstance(st.values[0], S.Call) \
                and st.values[0].func in memops.PRIMS:
            c = st.values[0]
            memlower.lower_prim(self, S.CallStmt(c.func, c.args, span=c.span,
                                                 func_span=c.func_span),
                                st.targets[0], first, atomic)
            return
        if len(st.values) == 1 and len(st.targets) == 1 and isinstance(st.values[0], S.Call) \
                and st.values[0].func == "alloc":
            self.low.contexts.alloc(self, st.targets[0], st.values[0])
            return
        if len(st.values) == 1 and len(st.targets) == 1 and isinstance(st.values[0], S.Call) \
                and st.values[0].func == "task_work_add":
            lv = self.lvalue(st.targets[0], self.ctx())
            ok = taskwork.add(self, st.values[0])
            if lv is not None and ok is not None:
                self.write(lv[0], lv[1], ok)
            return
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
            el.err("MMS308", f"{shown}() needs {kinds_text(op)}; '{lk.name}' is "
                   f"{'an' if lk.kind == 'rwsem' else 'a'} {lk.kind}", st.args[0].span,
                   expected=_suggest(lk.kind, op))
            return None
        sub = 0
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
        parts: list[ir.Expr] = [ir.Binary("eq", owner, int_lit(-1))]
        if mode == "write" and readers is not None:
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


def _suggest(kind: str, op: LockOp) -> str:
    if kind == "rwsem":
        return "down_read/up_read or down_write/up_write for an rwsem"
    if kind == "spinlock":
        return "spin_lock/spin_unlock (or lock/unlock) for a spinlock"
    return "lock/unlock (or mutex_lock/mutex_unlock) for a mutex"


def _op_text(st: S.CallStmt, lk: LockRef, idx: ir.Expr | None, low: _Lowering) -> str:
    return low.source_of(st.args[0].span) or lk.name


_ = (BOOL, ERR, TRUE, target_of)


def _shown(t: ir.Type, k: int) -> str:
    if isinstance(t, ir.EnumType):
        return t.members[k]
    if isinstance(t, ir.BoolType):
        return "true" if k else "false"
    return str(k)
