"""task_work: callbacks a thread runs on its way back to user space (kernel/task_work.c).

    task_work_add(current, W)      queue proc W (no parameters) on this thread; P[i] names
    ok := task_work_add(P[i], W)   another; ok is false once that thread is past
                                   exit_task_work() (the kernel's -ESRCH): the work is lost
    return_to_user()               task_work_run(): take each pending work (one atomic step
                                   each, the xchg of the list) and run its body, inlined,
                                   under this thread; mmspec/cfg.py `task_work_run`
    exit_task_work()               the same, then mark the thread exited in the step that
                                   finds nothing pending

Each thread that can receive work has `P.task_works` (the set of pending works) and
`P.task_work_exited`, shown in traces like its locals. A work is pending at most once per
thread (adding a pending work again is a no-op: the kernel would queue it twice, which a
spec has no reason to model; LIMITATION). Works run in declaration order, not the kernel's
LIFO-reversed order.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from mmspec import ir
from mmspec import syntax as S

if TYPE_CHECKING:  # pragma: no cover
    from mmspec.lower import _Lowering, _Step

CALLS = frozenset({"task_work_add", "__task_work_take", "__task_work_exit"})
CONDS = frozenset({"__task_work_pending", "__task_work_none"})


def works(sy: object, decls: Sequence[object]
          ) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """The procs queued by some task_work_add() (declaration order), and per process the
    ones that can be queued on it: `current` in its own body or in any proc (a proc may be
    called from anywhere), or the process named as the target."""
    named: set[str] = set()
    per: dict[str, set[str]] = {}
    anywhere: set[str] = set()

    def visit(st: S.Stmt, where: str | None) -> None:
        call = st if isinstance(st, S.CallStmt) else (
            st.values[0] if isinstance(st, S.Assign) and len(st.values) == 1 and
            isinstance(st.values[0], S.Call) else None)
        if call is not None and call.func == "task_work_add" and len(call.args) == 2 and \
                isinstance(call.args[1], S.Name):
            w = call.args[1].id
            named.add(w)
            t = call.args[0]
            root = t.base if isinstance(t, S.IndexExpr) else t
            if isinstance(root, S.Name) and root.id == "current":
                if where is None:
                    anywhere.add(w)
                else:
                    per.setdefault(where, set()).add(w)
            elif isinstance(root, S.Name):
                per.setdefault(root.id, set()).add(w)
        for sub in S.sub_statements(st):
            visit(sub, where)

    for d in decls:
        if isinstance(d, (S.ProcessDecl, S.ProcDecl)):
            for st in d.body:
                visit(st, d.name if isinstance(d, S.ProcessDecl) else None)
    procs = getattr(sy, "procs")
    order = tuple(p for p in procs if p in named)
    return order, {pname: tuple(w for w in order if w in per.get(pname, set()) | anywhere)
                   for pname in getattr(sy, "processes")}


def variables(low: "_Lowering") -> None:
    """`P.task_works` and `P.task_work_exited` for every process that runs or receives work."""
    low.task_work_vars = {}
    if not low.works:
        return
    wtype = ir.EnumType("task_work", low.works)
    low.task_work_type = wtype
    low.el.task_work_type = wtype  # a work's name is its value: `fput_f in P.task_works`
    wanted: set[str] = set()
    for pname, cfg in low.cfgs.items():
        for n in cfg.nodes:
            st = n.stmt
            if isinstance(st, S.CallStmt) and st.func in ("__task_work_take",
                                                          "__task_work_exit"):
                wanted.add(pname)
            call = st if isinstance(st, S.CallStmt) else (
                st.values[0] if isinstance(st, S.Assign) and len(st.values) == 1 and
                isinstance(st.values[0], S.Call) else None)
            if call is not None and call.func == "task_work_add" and call.args:
                target = call.args[0]
                root = target.base if isinstance(target, S.IndexExpr) else target
                if isinstance(root, S.Name) and root.id == "current":
                    wanted.add(pname)
                elif isinstance(root, S.Name) and root.id in low.el.processes:
                    wanted.add(root.id)
    for pname in low.el.processes:
        if pname not in wanted or pname not in low.cfgs:
            continue
        info = low.el.processes[pname]
        d = low.sy.processes[pname]
        for suffix, t, v in (("task_works", ir.SetType(wtype), frozenset()),
                             ("task_work_exited", ir.BoolType(), 0)):
            var = f"{pname}.{suffix}"
            if info.param_type is None:
                vt: ir.Type = t
                init: ir.Value = v
            else:
                vt = ir.MapType(info.param_type, t)
                init = tuple(v for _ in range(info.count))
            low.variables.append(ir.Variable(var, vt, (init,), "local", pname, span=d.span))
            info.locals.setdefault(suffix, (var, t))  # `P.task_works` in properties
        low.task_work_vars[pname] = (f"{pname}.task_works", f"{pname}.task_work_exited")


def _target(step: "_Step", e: S.Expr) -> tuple[str, ir.Expr | None] | None:
    """The process and index a task_work_add() target names (`current`, P, P[i])."""
    if isinstance(e, S.Name) and e.id == "current":
        return step.info.name, step.self_expr
    inst = step.el.process_instance(e, step.ctx())
    if inst is None:
        return None
    return inst[0].name, inst[1]


def _vars(step: "_Step", pname: str, span: ir.Span) -> tuple[str, str] | None:
    got = step.low.task_work_vars.get(pname)
    if got is None:
        step.el.err("MMS315", f"process '{pname}' never runs task work", span,
                    expected="return_to_user() or exit_task_work() in that process")
    return got


def _work(step: "_Step", e: S.Expr) -> ir.Lit | None:
    wtype = getattr(step.low, "task_work_type", None)
    if isinstance(e, S.Name) and wtype is not None and e.id in wtype.members:
        proc = step.low.sy.procs.get(e.id)
        if proc is not None and proc.params:
            step.el.err("MMS312", f"task work '{e.id}' must be a proc without parameters",
                        e.span, expected=f"proc {e.id}() {{ ... }}")
            return None
        if proc is None:
            step.el.err("MMS207", f"unknown proc '{e.id}'", e.span)
            return None
        return ir.Lit(wtype.members.index(e.id), wtype)
    step.el.err("MMS207", "task_work_add() queues a proc", e.span,
                expected="task_work_add(current, some_proc)")
    return None


def _at(step: "_Step", var: str, idx: ir.Expr | None
        ) -> tuple[ir.Expr, tuple[ir.Expr, ...]]:
    cur = step.sym.read(var)
    if idx is None:
        return cur, ()
    return ir.Index(cur, idx), (idx,)


def add(step: "_Step", call: S.CallStmt | S.Call) -> ir.Expr | None:
    """task_work_add(T, W): queue W unless T is past exit_task_work(); returns `ok`."""
    if len(call.args) != 2:
        step.el.err("MMS312", f"task_work_add() takes 2 arguments (the task and the work "
                    f"proc), not {len(call.args)}", call.span)
        return None
    tgt = _target(step, call.args[0])
    w = _work(step, call.args[1])
    if tgt is None or w is None:
        return None
    vs = _vars(step, tgt[0], call.span)
    if vs is None:
        return None
    works, exited = vs
    cur, path = _at(step, works, tgt[1])
    gone, _ = _at(step, exited, tgt[1])
    wtype = w.type
    assert isinstance(wtype, ir.EnumType)
    step.sym.write(works, path, ir.Ite(gone, cur, ir.Binary("union", cur,
                                                             ir.SetLit(wtype, (w,)))))
    return ir.Unary("not", gone)


def lower_call(step: "_Step", st: S.CallStmt) -> None:
    if st.func == "task_work_add":
        add(step, st)
        return
    vs = step.low.task_work_vars.get(step.info.name)
    if vs is None:
        return
    works, exited = vs
    idx = step.self_expr
    if st.func == "__task_work_take":
        w = _work(step, st.args[0])
        if w is not None:
            cur, path = _at(step, works, idx)
            step.sym.write(works, path, ir.Binary("minus", cur, ir.SetLit(w.type, (w,))))
        return
    if st.func == "__task_work_exit":
        _, path = _at(step, exited, idx)
        step.sym.write(exited, path, ir.Lit(1, ir.BoolType()))


def cond(step: "_Step", c: S.Call) -> ir.Expr:
    """The test of task_work_run(): is W pending (`__task_work_pending(W)`) / is nothing?"""
    vs = step.low.task_work_vars.get(step.info.name)
    if vs is None:
        return ir.Lit(1, ir.BoolType()) if c.func == "__task_work_none" else \
            ir.Lit(0, ir.BoolType())
    cur, _ = _at(step, vs[0], step.self_expr)
    wtype = step.low.task_work_type
    if c.func == "__task_work_pending":
        arg = c.args[0]
        assert isinstance(arg, S.Name)
        return ir.Binary("in", ir.Lit(wtype.members.index(arg.id), wtype), cur)
    return ir.Binary("eq", ir.Unary("card", cur), ir.Lit(0, ir.IntType(0, 0)))
