"""One process statement to control-flow nodes: a builder per statement kind, in a table.

`cfg.Builder.stmt` calls `build`; each builder gets the statement and where it sits (`At`:
its label, whether the user wrote that label, the reference to point at its first node, the
continuation, and the inlining context) and adds nodes through the `Builder`. The kernel's
multi-step calls (wait loops, task_work_run, writer-preferring down_write, split calls) are
unfolded here into the steps the kernel takes.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable

from mmspec import syntax as S
from mmspec.cfgnodes import TASK_WORK_RUNS, WAIT_LOOPS, Ref
from mmspec.diagnostics import did_you_mean

if TYPE_CHECKING:
    from dataclasses import dataclass

    from mmspec.cfg import Builder
else:  # the same classes, cheaper to create (start-up time)
    from mmspec.nodeclass import dataclass


@dataclass(frozen=True)
class At:
    """Where a statement is built: its label (and whether the user wrote it), the reference
    to its first node, where control continues, and the inlining context."""

    label: str
    user: bool
    entry: Ref
    cont: Ref
    top: bool
    inline_stack: tuple[str, ...]
    prefix: str | None


def build(b: Builder, st: S.Stmt, at: At) -> None:
    fn = _BY_KIND.get(type(st))
    if fn is None:
        raise TypeError(st)  # pragma: no cover
    fn(b, st, at)


def _simple(b: Builder, st: S.Stmt, at: At) -> None:
    """A statement that is one step as written."""
    n = b.new("simple", at.label, st.span, at.user, stmt=st, next=at.cont)
    at.entry.target = n.id


def _local(b: Builder, st: S.LocalVar, at: At) -> None:
    if at.top and not at.inline_stack:
        b.locals.append(st)
    else:
        b.sink.error("MMS315", "local variables are declared at the top level of "
                     "a process body", st.span)
    at.entry.forward = at.cont


def _call(b: Builder, st: S.CallStmt, at: At) -> None:
    label, user, entry, cont = at.label, at.user, at.entry, at.cont
    if st.func in b.procs:
        b.inline(st, label, entry, cont, at.inline_stack)
    elif st.func in WAIT_LOOPS:
        wait_loop(b, st, label, user, entry, cont)
    elif st.func in TASK_WORK_RUNS:
        task_work_run(b, st, label, user, entry, cont, at.inline_stack)
    elif not b.is_statement_call(st.func):
        hint = did_you_mean(st.func, list(b.procs))
        b.sink.error("MMS207", f"unknown procedure or lock operation '{st.func}'",
                     st.func_span, expected="a proc or a lock operation" +
                     (f" (did you mean '{hint}'?)" if hint else ""))
        n = b.new("simple", label, st.span, user, stmt=S.Skip(span=st.span), next=cont)
        entry.target = n.id
    elif st.func in b.split_calls:
        # a call that is two steps (synchronize_rcu: start a grace period, wait for it)
        first_op, second_op, suffix = b.split_calls[st.func]
        _two_steps(b, at, st.span, S.CallStmt(first_op, st.args, span=st.span,
                                                func_span=st.func_span),
                   suffix, S.CallStmt(second_op, st.args, span=st.span,
                                      func_span=st.func_span))
    elif b.is_split_write(st):
        # writer-preferring down_write: queue (label kept), then acquire (label.acq)
        _two_steps(b, at, st.span, S.CallStmt("__queue_write", st.args, span=st.span,
                                                func_span=st.func_span),
                   "acq", S.CallStmt("__acquire_write", st.args, span=st.span,
                                     func_span=st.func_span))
    else:
        _simple(b, st, at)


def _two_steps(b: Builder, at: At, span: Any, first: S.Stmt, suffix: str, second: S.Stmt,
               **second_kw: Any) -> None:
    """`first` at the statement's label, then `second` at `label.suffix`."""
    q = b.new("simple", at.label, span, at.user, stmt=first, next=Ref())
    at.entry.target = q.id
    a = b.new("simple", f"{q.label}.{suffix}", span, False, stmt=second, next=at.cont,
              **second_kw)
    assert q.next is not None
    q.next.target = a.id


def _assign(b: Builder, st: S.Assign, at: At) -> None:
    if not any(isinstance(v, S.Call) and v.func in b.procs for v in st.values):
        _simple(b, st, at)
        return
    if len(st.targets) != 1 or len(st.values) != 1:
        b.sink.error("MMS351", "a proc call with a value must be the whole "
                     "right-hand side of a single assignment", st.span,
                     expected="x := f(...)")
        at.entry.forward = at.cont
        return
    call = st.values[0]
    assert isinstance(call, S.Call)
    b.inline(S.CallStmt(call.func, call.args, label=st.label, span=st.span,
                        func_span=call.func_span),
             at.label, at.entry, at.cont, at.inline_stack, dest=st.targets[0])


def _return(b: Builder, st: S.Return, at: At) -> None:
    return_stmt(b, st, at.label, at.user, at.entry)


def _atomic(b: Builder, st: S.Atomic, at: At) -> None:
    cont = at.cont
    if st.body and isinstance(st.body[-1], S.Return) and b.returns:
        # `atomic { ...; return e }` in a proc: the step ends the proc
        ret = st.body[-1]
        cont, dest, _ = b.returns[-1]
        tail: tuple[S.Stmt, ...] = ()
        if dest is not None and ret.value is not None:
            tail = (S.Assign((dest,), (ret.value,), span=ret.span),)
        elif dest is not None:
            b.sink.error("MMS351", "this proc is called for its value but this "
                         "'return' has none", ret.span, expected="return EXPR")
        st = replace(st, body=st.body[:-1] + tail)
    b.atomic_frames = []
    body = b.flatten_atomic(st.body, at.inline_stack, at.prefix)
    inner = tuple(b.atomic_frames)
    first = body[0] if body else None
    if isinstance(first, S.CallStmt) and b.is_split_write(first):
        rest = (S.CallStmt("__acquire_write", first.args, span=first.span,
                           func_span=first.func_span),) + body[1:]
        _two_steps(b, replace(at, cont=cont), st.span,
                   S.CallStmt("__queue_write", first.args, span=first.span,
                              func_span=first.func_span),
                   "acq", replace(st, body=rest), inner=inner)
        return
    n = b.new("simple", at.label, st.span, at.user, stmt=replace(st, body=body),
              next=cont, inner=inner)
    at.entry.target = n.id


def _goto(b: Builder, st: S.Goto, at: At) -> None:
    target = st.target if at.prefix is None or st.target not in b._proc_labels else \
        f"{at.prefix}.{st.target}"
    n = b.new("goto", at.label, st.span, at.user, goto=target, goto_span=st.target_span)
    at.entry.target = n.id


def _if(b: Builder, st: S.If, at: At) -> None:
    n = b.new("branch", at.label, st.span, at.user, stmt=st)
    n.split = b.split_test is not None and b.split_test(st.cond)
    at.entry.target = n.id
    then_ref, else_ref = Ref(), Ref()
    n.alts = [(st.cond, True, then_ref), (st.cond, False, else_ref)]
    b.branch(st.then, then_ref, at.cont, f"{n.label}.then", st.span, at.inline_stack,
             at.prefix)
    b.branch(st.other or (), else_ref, at.cont, f"{n.label}.else", st.span,
             at.inline_stack, at.prefix)


def _while(b: Builder, st: S.While, at: At) -> None:
    n = b.new("branch", at.label, st.span, at.user, stmt=st)
    n.split = b.split_test is not None and b.split_test(st.cond)
    at.entry.target = n.id
    head = Ref(target=n.id)
    body_ref, exit_ref = Ref(), Ref()
    n.alts = [(st.cond, True, body_ref), (st.cond, False, exit_ref)]
    b.branch(st.body, body_ref, head, f"{n.label}.body", st.span, at.inline_stack,
             at.prefix)
    b.branch((), exit_ref, at.cont, f"{n.label}.exit", st.span, at.inline_stack, at.prefix)


def _either(b: Builder, st: S.Either, at: At) -> None:
    n = b.new("branch", at.label, st.span, at.user, stmt=st)
    at.entry.target = n.id
    for k, body in enumerate(st.branches):
        r = Ref()
        n.alts.append((None, True, r))
        b.branch(body, r, at.cont, f"{n.label}.or{k + 1}", st.span, at.inline_stack,
                 at.prefix)


_BY_KIND: dict[type, Callable[[Builder, Any, At], None]] = {
    S.LocalVar: _local, S.CallStmt: _call, S.Assign: _assign, S.Return: _return,
    S.Atomic: _atomic, S.Await: _simple, S.Assert: _simple, S.Skip: _simple, S.Pick: _simple,
    S.Goto: _goto, S.If: _if, S.While: _while, S.Either: _either,
}


# --------------------------------------------------------------------------- kernel loops


def wait_loop(b: Builder, st: S.CallStmt, label: str, user: bool, entry: Ref, cont: Ref
              ) -> None:
    """`wait_event(wq, cond)` and `rcuwait_wait_event(w, cond)` as the kernel's steps
    (include/linux/wait.h ___wait_event, include/linux/rcuwait.h):

        wait_event:  label:       if cond: done            (the fast-path test)
                     label.prep:  prepare_to_wait(wq)      (queue; TASK_UNINTERRUPTIBLE)
                     label.test:  if cond: goto label.fin
                     label.sched: schedule(); goto label.prep
                     label.fin:   finish_wait(wq)          (TASK_RUNNING; dequeue)
        rcuwait:     label:       prepare_to_rcuwait(w)    (w.task := current)
                     label.set:   set_current_state(TASK_UNINTERRUPTIBLE)
                     label.test:  if cond: goto label.fin
                     label.sched: schedule(); goto label.set
                     label.fin:   finish_rcuwait(w)        (w.task := NULL; TASK_RUNNING)

    Each test is a step of its own (a load and a branch), so a waker can run between
    any two of them, exactly as in the kernel."""
    if len(st.args) != 2:
        b.sink.error("MMS312", f"{st.func}() takes 2 arguments (the wait object and "
                        f"the condition), not {len(st.args)}", st.span)
        entry.forward = cont
        return
    obj, cond = st.args
    sp = st.span

    def call(name: str, *args: S.Expr) -> S.CallStmt:
        return S.CallStmt(name, args, span=sp, func_span=st.func_span)

    unint = S.Name("TASK_UNINTERRUPTIBLE", span=sp)
    fin_ref, sched_ref, loop_ref = Ref(), Ref(), Ref()
    if st.func == "wait_event":
        head = b.new("branch", label, sp, user, stmt=st, split=True, might_sleep=st)
        entry.target = head.id
        prep_ref = Ref()
        head.alts = [(cond, True, cont), (cond, False, prep_ref)]
        first = b.new("simple", f"{head.label}.prep", sp, False,
                         stmt=call("prepare_to_wait", obj, unint), next=Ref())
        prep_ref.target = first.id
        fin = call("finish_wait", obj)
    else:
        first = b.new("simple", label, sp, user, stmt=call("prepare_to_rcuwait", obj),
                         next=Ref(), might_sleep=st)
        entry.target = first.id
        setst = b.new("simple", f"{first.label}.set", sp, False,
                         stmt=call("set_current_state", unint), next=Ref())
        assert first.next is not None
        first.next.target = setst.id
        first = setst
        fin = call("finish_rcuwait", obj)
    base = label if st.func != "wait_event" else head.label
    test = b.new("branch", f"{base}.test", sp, False, stmt=st, split=True)
    assert first.next is not None
    first.next.target = test.id
    loop_ref.target = first.id
    test.alts = [(cond, True, fin_ref), (cond, False, sched_ref)]
    sched = b.new("simple", f"{base}.sched", sp, False,
                     stmt=call("schedule", obj), next=loop_ref)
    sched_ref.target = sched.id
    done = b.new("simple", f"{base}.fin", sp, False, stmt=fin, next=cont)
    fin_ref.target = done.id

def task_work_run(b: Builder, st: S.CallStmt, label: str, user: bool, entry: Ref, cont: Ref,
                  inline_stack: tuple[str, ...]) -> None:
    """`return_to_user()` / `exit_task_work()`: task_work_run() (kernel/task_work.c).

        label:          one step per pending work W (in declaration order): take it off
                        the task's list (xchg, one atomic step), then
        label.W...      W's body, inlined, under this thread; back to label
        label:          nothing pending: on (exit_task_work: mark the task exited, so a
                        later task_work_add() fails, in the same step)"""
    if st.args:
        b.sink.error("MMS312", f"{st.func}() takes no arguments", st.span)
    head = b.new("branch", label, st.span, user, stmt=st)
    entry.target = head.id
    back = Ref(target=head.id)
    for w in b.works:
        r = Ref()
        head.alts.append((S.Call("__task_work_pending", (S.Name(w, span=st.span),),
                                 span=st.span), True, r))
        take = b.new("simple", f"{head.label}.{w}", st.span, False,
                        stmt=S.CallStmt("__task_work_take", (S.Name(w, span=st.span),),
                                        span=st.span, func_span=st.func_span),
                        next=Ref())
        r.target = take.id
        assert take.next is not None
        if w in b.procs and not b.procs[w].params:
            b.inline(S.CallStmt(w, (), span=st.span, func_span=st.func_span),
                        f"{head.label}.{w}.run", take.next, back, inline_stack)
        else:
            take.next.forward = back
    none = Ref()
    head.alts.append((S.Call("__task_work_none", (), span=st.span), True, none))
    if st.func == "exit_task_work":
        n = b.new("simple", f"{head.label}.exit", st.span, False,
                     stmt=S.CallStmt("__task_work_exit", (), span=st.span,
                                     func_span=st.func_span), next=cont)
    else:
        n = b.new("skip", f"{head.label}.none", st.span, False,
                     stmt=S.Skip(span=st.span), next=cont)
    none.target = n.id


def return_stmt(b: Builder, st: S.Return, label: str, user: bool, entry: Ref) -> None:
    """`return [e]`: to the end of the innermost proc; `x := f()` gets `x := e`."""
    if not b.returns:
        b.sink.error("MMS315", "'return' outside a proc", st.span,
                        expected="return inside a proc body")
        n = b.new("simple", label, st.span, user, stmt=S.Skip(span=st.span),
                     next=Ref())
        entry.target = n.id
        return
    cont, dest, proc = b.returns[-1]
    body: S.Stmt = S.Skip(span=st.span)
    if dest is not None and st.value is None:
        b.sink.error("MMS351", f"proc '{proc}' is called for its value but this "
                        "'return' has none", st.span, expected="return EXPR")
    elif dest is not None and st.value is not None:
        body = S.Assign((dest,), (st.value,), span=st.span)
    n = b.new("simple", label, st.span, user, stmt=body, next=cont,
                 ret=dest is not None and st.value is not None)
    entry.target = n.id
