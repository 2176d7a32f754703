"""Lowering: the checked spec becomes an `ir.Spec` (the real semantics).

Processes, labels, locks and procedures disappear here. Each process gets a program-counter
variable `P.pc` and its locals `P.x` (maps over the index type for `process P[i in T]`);
each lock gets owner/readers/queue/subclass variables; every step alternative of every
process becomes one `ir.Transition` whose parameter is the process index; TLA+-style actions
map one to one. See docs/language.md for the semantics implemented.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from mmspec import ir, kernelapi, kernelexpand, memops
from mmspec import syntax as S
from mmspec.atomicity import fused_step, racy_for, writers
from mmspec import taskwork, waits
from mmspec.cfg import DONE, TASK_WORK_RUNS, WAIT_LOOPS, Alt, ProcessCFG, build, merged_into
from mmspec.contexts import CALLS as CONTEXT_CALLS
from mmspec.contexts import SPLIT_CALLS, ContextLowering
from mmspec.diagnostics import Sink, did_you_mean
from mmspec.expectations import select_expectation
from mmspec.lockkinds import find_lock_kind
from mmspec.lockops import MAX_THREADS, OPS
from mmspec.resolve import Loaded, Symbols, build_symbols
from mmspec import loweraction, lowerinit, lowerprops, lowervars
from mmspec.lowerstep import _Step as _Step, names_shared
from mmspec.typecheck import (ERR, FALSE, TE, TRUE, Ctx, Elaborator, ErrType, ProcessInfo, conj,
                              neg, show_type, slot_count)

if TYPE_CHECKING:
    from mmspec.lkmm import Plan

MAX_INIT_STATES = 10 ** 10  # candidate initial states: as mmspec.ground.MAX_INIT_CANDIDATES
MAX_INSTANCES = 1_000_000
CMDLINE = ir.Span("<command line>", 0, 0, 0, 0)


def lower(loaded: Loaded, defines: Mapping[str, int], memory: str | None = None) -> ir.Spec:
    """`memory` ('sc' | 'lkmm') overrides the spec's `option memory` (--memory-model)."""
    return _Lowering(loaded, defines, memory).run()


class _Lowering:
    # set by the phases in lowervars.py and lowerprops.py
    lock_infos: list[ir.LockInfo]
    step_properties: list[ir.Invariant]
    mem_plan: Plan  # memory lkmm only (lkmm.py)

    def __init__(self, loaded: Loaded, defines: Mapping[str, int], memory: str | None = None):
        self.memory_override = memory
        self.sink = Sink()
        # kernel API calls (atomic_inc(&v), refcount_dec_and_test(&r), ...) become plain
        # statements first: mmspec.kernelapi
        self.kernel_ops: list[tuple[kernelapi.KernelOp, ir.Span]] = []
        loaded = replace(loaded, decls=kernelexpand.expand(loaded.decls, self.sink,
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
        # lock -> its default subclass, lockdep_set_subclass(l, n) (lowervars.py)
        self.default_subclass: dict[str, int] = {}
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
        self.el.state_types = {v.name: v.type for v in self.variables}
        self.el.lock_classes = {li.name: li.cls for li in self.lock_infos}
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
        return lowerinit.init_values(self, decl, t, per)

    def init_by_predicate(self, decl: S.VarDecl, t: ir.Type) -> bool:
        """Does this variable start in its whole type, narrowed by an initial predicate
        (mmspec/initvalues.py)? If its `= e` reads variables, `v == e` becomes one."""
        return lowerinit.init_by_predicate(self, decl, t)

    def whole_type(self, decl: S.VarDecl, t: ir.Type) -> list[ir.Value]:
        return lowerinit.whole_type(self, decl, t)

    def maps_in(self, decl: S.VarDecl, t: ir.Type) -> list[ir.Value]:
        """`var m: map[K] V in S`: every map into the set S of V's values."""
        return lowerinit.maps_in(self, decl, t)

    def init_eq(self, e: S.Expr, t: ir.Type) -> ir.Value | None:
        return lowerinit.init_eq(self, e, t)

    def value_fits(self, v: ir.Value, t: ir.Type, span: ir.Span) -> bool:
        return lowerinit.value_fits(self, v, t, span)

    def init_in(self, decl: S.VarDecl, t: ir.Type) -> list[ir.Value]:
        return lowerinit.init_in(self, decl, t)

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
        """A write acquire of a lock declared writer_pref: queue, then acquire (the kind's
        `queued_writes`)."""
        if not st.args:
            return False
        a = st.args[0]
        root = a.base if isinstance(a, S.IndexExpr) else a
        if not isinstance(root, S.Name):
            return False
        lk = self.sy.locks.get(root.id)
        kind = find_lock_kind(lk.kind) if lk is not None and lk.writer_pref else None
        return kind is not None and st.func in kind.queued_writes

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
        """Locks used with *_nested(l, n) or given a default by lockdep_set_subclass(l, n):
        the largest subclass n per lock (the defaults are kept in self.default_subclass)."""
        out: dict[str, int] = {}

        def visit(st: S.Stmt) -> None:
            if isinstance(st, S.CallStmt) and st.func == "lockdep_set_subclass":
                got = lowervars.default_subclass(self, st)
                if got is not None:
                    out[got[0]] = max(out.get(got[0], 0), got[1])
            elif isinstance(st, S.CallStmt) and st.func in OPS and len(st.args) == 2 and \
                    (OPS[st.func].nested or st.func.startswith("__")):
                a = st.args[0]
                root = a.base if isinstance(a, S.IndexExpr) else a
                if isinstance(root, S.Name) and root.id in self.sy.locks:
                    n = lowervars.subclass_value(self, st.args[1])
                    if n is not None:
                        out[root.id] = max(out.get(root.id, 0), n)
            for sub in S.sub_statements(st):
                visit(sub)

        for cfg in self.cfgs.values():
            for n in cfg.nodes:
                if n.stmt is not None and n.kind == "simple":
                    visit(n.stmt)
        return out

    def lock_variables(self) -> None:
        lowervars.lock_variables(self)

    def process_variables(self) -> None:
        lowervars.process_variables(self)

    def memory_variables(self) -> None:
        """lkmm: the view-based memory state and the early-write bits (mmspec/lkmm.py)."""
        lowervars.memory_variables(self)

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
        loweraction.action(self, d)

    def action_pick(self, pk: S.Pick, ctx: Ctx, params: list[ir.Param],
                    guards: list[ir.Expr]) -> Ctx:
        """`pick x in S [where P]` in an action: a witness parameter x (one step per
        value, as TLC enumerates an exists), visible to the rest of the action."""
        return loweraction.action_pick(self, pk, ctx, params, guards)

    def guard_with_witnesses(self, g: S.Expr, ctx: Ctx, params: list[ir.Param]
                             ) -> list[ir.Expr]:
        """An action's guard, with each `exists x in S: P` among its top-level conjuncts
        (and theirs, recursively) turned into a witness parameter x with the guard
        `x in S && P`: TLC enumerates an action's exists one witness at a time, so each
        witness is a generated successor of its own. The witness is visible to the guard
        only (TLA+ scopes it to the quantifier)."""
        return loweraction.guard_with_witnesses(self, g, ctx, params)

    def lvalue_primed(self, pa: S.PrimedAssign, ctx: Ctx
                      ) -> tuple[str, tuple[ir.Expr | str, ...], ir.Type] | None:
        return loweraction.lvalue_primed(self, pa, ctx)

    def walk_path(self, root: str, t: ir.Type, steps: Sequence[S.Expr | str],
                  ctx: Ctx, span: ir.Span, prefix: tuple[ir.Expr | str, ...] = ()
                  ) -> tuple[str, tuple[ir.Expr | str, ...], ir.Type] | None:
        return loweraction.walk_path(self, root, t, steps, ctx, span, prefix)

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
        return lowerprops.prop_ctx(self, what)

    def invariants(self) -> tuple[ir.Invariant, ...]:
        return lowerprops.invariants(self)

    def constraints(self) -> tuple[ir.Constraint, ...]:
        return lowerprops.constraints(self)

    def initials(self) -> tuple[ir.Invariant, ...]:
        return lowerprops.initials(self)

    def liveness(self) -> tuple[ir.Liveness, ...]:
        return lowerprops.liveness(self)

    def property_instances(self, name: str, d: S.PropertyDecl) -> list[tuple[str, Ctx]]:
        """`forall a in S: body` expands to one property per value of a (in S's order),
        named NAME[a=v]; a property without binders is one instance."""
        return lowerprops.property_instances(self, name, d)

    def fairness(self) -> tuple[ir.Fairness, ...]:
        return lowerprops.fairness(self)

    def final(self) -> ir.Expr | None:
        return lowerprops.final(self)

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
