"""Sleep and wake with the kernel's split: task state, wait queues, rcuwait, completions.

Each thread that can sleep has a task state (`P.task_state`: TASK_RUNNING or
TASK_UNINTERRUPTIBLE). `schedule()` is a step that blocks until the thread's state is
TASK_RUNNING, so it returns at once when a wake-up came in between setting the state and
calling it, and a thread asleep is blocked (a deadlock names what it sleeps on). Wake-ups
set waiters' state to TASK_RUNNING. The compound waits (`wait_event`,
`rcuwait_wait_event`) are unfolded into these steps by mmspec/cfg.py (`Builder.wait_loop`).

    waitqueue wq    ->  wq.waiters: set of thread ids (the queue's entries)
    rcuwait w       ->  w.task: the one waiting thread id, or -1 (NULL)
    completion c    ->  c.done: 0..T, or T+1 for complete_all() (UINT_MAX)

LIMITATION: no signals (TASK_INTERRUPTIBLE and TASK_KILLABLE sleep like
TASK_UNINTERRUPTIBLE); wake_up() dequeues every entry (autoremove_wake_function, what
prepare_to_wait()/wait_event() install), also one added with add_wait_queue().
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from mmspec import ir
from mmspec import syntax as S

if TYPE_CHECKING:  # pragma: no cover
    from mmspec.lower import _Lowering, _Step

TASK_STATE = ir.EnumType("task_state", ("TASK_RUNNING", "TASK_UNINTERRUPTIBLE"))
RUNNING = ir.Lit(0, TASK_STATE)
SLEEPING = ir.Lit(1, TASK_STATE)
STATE_NAMES = {"TASK_RUNNING": RUNNING, "TASK_UNINTERRUPTIBLE": SLEEPING,
               "TASK_INTERRUPTIBLE": SLEEPING, "TASK_KILLABLE": SLEEPING, "TASK_IDLE": SLEEPING}

# statement calls: name -> (wait-object kind or None, number of arguments)
CALLS: dict[str, tuple[str | None, int]] = {
    "prepare_to_wait": ("waitqueue", 2), "finish_wait": ("waitqueue", 1),
    "add_wait_queue": ("waitqueue", 1), "remove_wait_queue": ("waitqueue", 1),
    "wake_up": ("waitqueue", 1), "wake_up_all": ("waitqueue", 1),
    "set_current_state": (None, 1), "__set_current_state": (None, 1),
    "schedule": (None, 0), "wake_up_process": (None, 1),
    "prepare_to_rcuwait": ("rcuwait", 1), "finish_rcuwait": ("rcuwait", 1),
    "rcuwait_wake_up": ("rcuwait", 1),
    "init_completion": ("completion", 1), "reinit_completion": ("completion", 1),
    "complete": ("completion", 1), "complete_all": ("completion", 1),
    "wait_for_completion": ("completion", 1),
}
# the calls that need the calling thread's task state
SLEEPS = frozenset({"prepare_to_wait", "finish_wait", "set_current_state",
                    "__set_current_state", "schedule", "finish_rcuwait"})


def uses(stmt: Any) -> set[str]:
    """The wait calls a (cfg node) statement makes."""
    out: set[str] = set()
    if isinstance(stmt, S.CallStmt) and stmt.func in CALLS:
        out.add(stmt.func)
    if isinstance(stmt, S.Atomic):
        for s in stmt.body:
            out |= uses(s)
    if isinstance(stmt, S.If):
        for s in stmt.then + (stmt.other or ()):
            out |= uses(s)
    return out


def state_of(kind: str, threads: int, tid_type: ir.Type) -> tuple[str, ir.Type, ir.Value]:
    """A wait object's variable: field name, type and initial value (also how properties
    read it: `wq.waiters`, `w.task`, `c.done`)."""
    if kind == "waitqueue":
        return "waiters", ir.SetType(tid_type), frozenset()
    if kind == "rcuwait":
        return "task", ir.IntType(-1, max(threads - 1, 0), symmetric="@thread"), -1
    return "done", ir.IntType(0, threads + 1), 0


def variables(low: "_Lowering") -> None:
    """The wait objects' variables, and a task state for every process that can sleep."""
    T = low.n_threads
    for name, d in low.sy.waits.items():
        fld, wt, winit = state_of(d.kind, T, low.el.tid_type)
        low.variables.append(ir.Variable(f"{name}.{fld}", wt, (winit,), "state", span=d.span))
    low.sleepers = {}
    for pname, cfg in low.cfgs.items():
        used: set[str] = set()
        for n in cfg.nodes:
            if n.stmt is not None and n.kind == "simple":
                used |= uses(n.stmt)
        if not used & SLEEPS:
            continue
        info = low.el.processes[pname]
        var = f"{pname}.task_state"
        if info.param_type is None:
            t: ir.Type = TASK_STATE
            init: ir.Value = 0
        else:
            t = ir.MapType(info.param_type, TASK_STATE)
            init = tuple(0 for _ in range(info.count))
        low.variables.append(ir.Variable(var, t, (init,), "local", pname,
                                         span=low.sy.processes[pname].span))
        low.sleepers[pname] = var
        # readable in properties as `P.task_state` / `P[i].task_state` (as traces show it,
        # and pdr's invariants print it), like a local
        info.locals.setdefault("task_state", (var, TASK_STATE))


def lower_call(step: "_Step", st: S.CallStmt, first: bool, atomic: bool) -> None:
    """One wait/wake call as (part of) a step."""
    el = step.el
    kind, nargs = CALLS[st.func]
    if st.func == "schedule" and len(st.args) == 1:  # schedule(obj) from wait_loop
        nargs = 1
    if len(st.args) != nargs:
        el.err("MMS312", f"{st.func}() takes {nargs} argument{'s' if nargs != 1 else ''}, "
               f"not {len(st.args)}", st.span)
        return
    obj: str | None = None
    if kind is not None or (st.func == "schedule" and st.args):
        obj = _wait_object(step, st.args[0], kind, st.func)
        if obj is None:
            return
    f = st.func
    blocking = f in ("schedule", "wait_for_completion")
    if blocking and atomic and not first:
        el.err("MMS309", f"{f}() can sleep: inside atomic it must be the first statement",
               st.span, expected=f"{f}() as the step's first statement (its guard)")
        return
    me = step.base.thread
    assert me is not None
    if blocking and not (f == "schedule" and st.args):  # wait loops checked at their start
        args = ", ".join(step.low.source_of(a.span) for a in st.args)
        step.low.contexts.sleep_checks(step, f"{f}({args})", st.span)
    _EFFECTS.get(f, _completion)(step, st, obj, me)


# --------------------------------------------------------------------------- the calls' effects
# One function per call (obj: the wait object named, me: the calling thread's id).

_Effect = Callable[["_Step", S.CallStmt, "str | None", ir.Expr], None]


def _set_state(step: "_Step", st: S.CallStmt, obj: str | None, me: ir.Expr) -> None:
    f = st.func
    arg = st.args[-1]
    state = STATE_NAMES.get(arg.id) if isinstance(arg, S.Name) else None
    if state is None:
        step.el.err("MMS301", f"{f}() takes a task state", arg.span,
                    expected="TASK_RUNNING, TASK_UNINTERRUPTIBLE or TASK_INTERRUPTIBLE")
        return
    _set_my_state(step, state)
    if f == "prepare_to_wait":
        _add(step, f"{obj}.waiters", me)


def _finish_wait(step: "_Step", st: S.CallStmt, obj: str | None, me: ir.Expr) -> None:
    _set_my_state(step, RUNNING)
    _remove(step, f"{obj}.waiters", me)


def _schedule(step: "_Step", st: S.CallStmt, obj: str | None, me: ir.Expr) -> None:
    step.guards.append(ir.Binary("eq", _my_state(step), RUNNING))
    step.waits_on = (f"wait queue {obj}" if obj in step.low.sy.waits and
                     step.low.sy.waits[obj].kind == "waitqueue" else
                     f"rcuwait {obj}" if obj is not None else
                     "schedule() in TASK_UNINTERRUPTIBLE")


def _wake_up(step: "_Step", st: S.CallStmt, obj: str | None, me: ir.Expr) -> None:
    waiters = step.sym.read(f"{obj}.waiters")
    _wake_where(step, lambda tid: ir.Binary("in", tid, waiters))
    step.sym.write(f"{obj}.waiters", (), ir.SetLit(step.el.tid_type, ()))


def _wake_up_process(step: "_Step", st: S.CallStmt, obj: str | None, me: ir.Expr) -> None:
    tid = step.el.thread_ref(st.args[0], step.ctx())
    if tid is not None:
        _wake_where(step, lambda t: ir.Binary("eq", t, tid))


def _prepare_to_rcuwait(step: "_Step", st: S.CallStmt, obj: str | None, me: ir.Expr) -> None:
    step.sym.write(f"{obj}.task", (), me)


def _finish_rcuwait(step: "_Step", st: S.CallStmt, obj: str | None, me: ir.Expr) -> None:
    step.sym.write(f"{obj}.task", (), ir.Lit(-1, ir.IntType(-1, -1)))
    _set_my_state(step, RUNNING)


def _rcuwait_wake_up(step: "_Step", st: S.CallStmt, obj: str | None, me: ir.Expr) -> None:
    task = step.sym.read(f"{obj}.task")
    _wake_where(step, lambda t: ir.Binary("eq", t, task))


def _completion(step: "_Step", st: S.CallStmt, obj: str | None, me: ir.Expr) -> None:
    f = st.func
    done = f"{obj}.done"
    all_ = ir.Lit(step.low.n_threads + 1, ir.IntType(0, step.low.n_threads + 1))
    cur = step.sym.read(done)
    if f in ("init_completion", "reinit_completion"):
        step.sym.write(done, (), ir.Lit(0, ir.IntType(0, 0)))
    elif f == "complete":  # done++ unless complete_all() made it UINT_MAX
        step.sym.write(done, (), ir.Ite(ir.Binary("eq", cur, all_), cur,
                                        ir.Binary("add", cur, ir.Lit(1, ir.IntType(1, 1)))))
    elif f == "complete_all":
        step.sym.write(done, (), all_)
    elif f == "wait_for_completion":  # under the completion's lock: one step
        step.guards.append(ir.Binary("gt", cur, ir.Lit(0, ir.IntType(0, 0))))
        step.sym.write(done, (), ir.Ite(ir.Binary("eq", cur, all_), cur,
                                        ir.Binary("sub", cur, ir.Lit(1, ir.IntType(1, 1)))))
        step.waits_on = f"completion {obj}"


_EFFECTS: dict[str, _Effect] = {
    "set_current_state": _set_state, "__set_current_state": _set_state,
    "prepare_to_wait": _set_state, "finish_wait": _finish_wait,
    "add_wait_queue": lambda step, st, obj, me: _add(step, f"{obj}.waiters", me),
    "remove_wait_queue": lambda step, st, obj, me: _remove(step, f"{obj}.waiters", me),
    "schedule": _schedule, "wake_up": _wake_up, "wake_up_all": _wake_up,
    "wake_up_process": _wake_up_process,
    "prepare_to_rcuwait": _prepare_to_rcuwait,
    "finish_rcuwait": _finish_rcuwait, "rcuwait_wake_up": _rcuwait_wake_up,
}


def _wait_object(step: "_Step", e: S.Expr, kind: str | None, func: str) -> str | None:
    sy = step.low.sy
    if isinstance(e, S.Name) and e.id in sy.waits and (kind is None or
                                                        sy.waits[e.id].kind == kind):
        return e.id
    step.el.err("MMS307", f"{func}() needs a {kind or 'wait object'}", e.span,
                expected=f"a name declared with `{kind or 'waitqueue'} NAME`")
    return None


def _path(step: "_Step") -> tuple[ir.Expr | str, ...]:
    return () if step.self_expr is None else (step.self_expr,)


def _my_state(step: "_Step") -> ir.Expr:
    var = step.low.sleepers[step.info.name]
    cur = step.sym.read(var)
    return cur if step.self_expr is None else ir.Index(cur, step.self_expr)


def _set_my_state(step: "_Step", state: ir.Expr) -> None:
    step.sym.write(step.low.sleepers[step.info.name], _path(step), state)


def _add(step: "_Step", var: str, tid: ir.Expr) -> None:
    cur = step.sym.read(var)
    step.sym.write(var, (), ir.Binary("union", cur, ir.SetLit(step.el.tid_type, (tid,))))


def _remove(step: "_Step", var: str, tid: ir.Expr) -> None:
    cur = step.sym.read(var)
    step.sym.write(var, (), ir.Binary("minus", cur, ir.SetLit(step.el.tid_type, (tid,))))


def _wake_where(step: "_Step", woken: Any) -> None:
    """Every sleeping-capable thread t with woken(t) gets TASK_RUNNING."""
    low = step.low
    for pname, var in low.sleepers.items():
        info = low.el.processes[pname]
        if info.param_type is None:
            tid = ir.Lit(info.base_tid, low.el.tid_type)
            cur = step.sym.read(var)
            step.sym.write(var, (), ir.Ite(woken(tid), RUNNING, cur))
            continue
        for k, v in enumerate(ir.domain_values(info.param_type)):
            tid = ir.Lit(info.base_tid + k, low.el.tid_type)
            key = ir.Lit(v, info.param_type)
            cur = ir.Index(step.sym.read(var), key)
            step.sym.write(var, (key,), ir.Ite(woken(tid), RUNNING, cur))
