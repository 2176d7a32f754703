"""A process body as steps: procedure inlining, labels, and PlusCal-style step merging.

Every simple statement is a node; `if`/`while`/`either` are branch nodes that are not steps of
their own: their test is merged into the first step of the branch taken, recursively through
nested branches. A *point* is a node some step can jump to (the entry, the successor of a
step, a loop head, a goto target); it gets a program-counter value named after its label.
`expand(point)` lists the point's *alternatives*: (branch conditions, the one simple node
executed, the point reached afterwards). An empty branch or a loop exit is an implicit
pc-only step; a `goto` ends the step before it (or is a pc-only step at a branch start).
"""
from __future__ import annotations

from dataclasses import field, replace
from typing import TYPE_CHECKING, Callable, Mapping

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, cheaper to create (start-up time)
    from mmspec.nodeclass import dataclass

from mmspec import syntax as S
from mmspec.diagnostics import Sink, did_you_mean
from mmspec.ir import Span

DONE = "done"
WAIT_LOOPS = frozenset({"wait_event", "rcuwait_wait_event"})
TASK_WORK_RUNS = frozenset({"return_to_user", "exit_task_work"})
MAX_INLINE_DEPTH = 32
MAX_NODES = 20_000


@dataclass
class Ref:
    """A forward reference to a node, patched once the node exists."""

    target: int | None = None
    forward: "Ref | None" = None

    def resolve(self) -> int | None:
        r: Ref = self
        seen = 0
        while r.forward is not None and seen < 10_000:
            r = r.forward
            seen += 1
        return r.target


@dataclass
class Node:
    id: int
    kind: str  # 'simple' | 'skip' (implicit pc-only) | 'branch' | 'goto' | 'end'
    label: str
    span: Span
    stmt: S.Stmt | None = None
    next: Ref | None = None
    alts: list[tuple[S.Expr | None, bool, Ref]] = field(default_factory=list)
    goto: str | None = None
    goto_span: Span | None = None
    split: bool = False  # an if/while whose test is a step of its own (option split_tests)
    frames: tuple[int, ...] = ()  # the proc activations (inlined calls) this node is in
    inner: tuple[int, ...] = ()  # activations entered and left inside this node (atomic)
    ret: bool = False  # the `return e` of an `x := f(...)`: a load and a store in one step


@dataclass
class Alt:
    """One way to take a step from a point."""

    conds: tuple[tuple[S.Expr, bool], ...]  # branch tests and their polarity, outermost first
    node: Node  # simple or skip node executed
    next: int  # node id of the point reached (the END node for done)
    via: tuple[int, ...] = ()  # the if/while nodes whose tests this step evaluates


@dataclass
class ProcessCFG:
    name: str
    nodes: list[Node]
    entry: int
    end: int
    points: list[int]  # node ids of step boundaries, in source order
    alts: dict[int, list[Alt]]
    labels: dict[str, int]  # every statement label -> node
    locals: list[S.LocalVar]
    # proc activations: id -> the proc locals (renamed `f.t`) reset when it is left
    frame_locals: dict[int, tuple[str, ...]] = field(default_factory=dict)

    def point_label(self, nid: int) -> str:
        return DONE if nid == self.end else self.nodes[nid].label


class Builder:
    """Builds one process's nodes; reports unknown gotos, duplicate labels, bad calls."""

    def __init__(self, process: str, procs: dict[str, S.ProcDecl], sink: Sink,
                 is_split_write: Callable[[S.CallStmt], bool],
                 is_statement_call: Callable[[str], bool],
                 split_calls: Mapping[str, tuple[str, str, str]] | None = None,
                 split_test: Callable[[S.Expr], bool] | None = None,
                 works: tuple[str, ...] = ()):
        self.process = process
        self.split_calls = split_calls or {}
        self.split_test = split_test
        self.works = works  # the procs task_work_add() queues (taskwork.py)
        self.procs = procs
        self.sink = sink
        self.is_split_write = is_split_write
        self.is_statement_call = is_statement_call
        self.nodes: list[Node] = []
        self.labels: dict[str, int] = {}
        self.user_labels: set[str] = set()
        self.locals: list[S.LocalVar] = []
        self.frames: tuple[int, ...] = ()
        self.frame_locals: dict[int, tuple[str, ...]] = {}
        self.proc_locals_done: set[str] = set()
        # innermost proc activation: where `return` continues, what receives its value
        self.returns: list[tuple[Ref, S.Expr | None, str]] = []
        self.returns_atomic: list[S.Expr | None] = []  # the same, inside atomic bodies
        self.last_atomic: list[S.Stmt | None] = []
        self.atomic_frames: list[int] = []  # activations opened inside the atomic being built

    # ------------------------------------------------------------------ labels
    def natural_label(self, st: S.Stmt) -> tuple[str, bool]:
        if st.label is not None:
            return st.label, True
        return f"L{st.span.line}", False

    def unique(self, label: str, user: bool, span: Span) -> str:
        if label == DONE and user:
            self.sink.error("MMS216", "'done' is the label of a finished thread", span,
                            expected="another label")
        if label not in self.labels and label != DONE:
            return label
        if user and label in self.user_labels:
            first = self.nodes[self.labels[label]].span
            self.sink.error("MMS216", f"label '{label}' is used twice in process "
                            f"'{self.process}'", span, notes=(f"first used at {first}",))
        k = 2
        while f"{label}_{k}" in self.labels:
            k += 1
        return f"{label}_{k}"

    def new(self, kind: str, label: str, span: Span, user: bool = False, **kw: object
            ) -> Node:
        if len(self.nodes) >= MAX_NODES:
            self.sink.error("MMS401", f"process '{self.process}' has more than {MAX_NODES} "
                            "statements after inlining", span)
            raise _TooBig()
        if kind in ("simple", "branch", "goto"):
            label = self.unique(label, user, span)
        n = Node(len(self.nodes), kind, label, span, frames=self.frames,
                 **kw)  # type: ignore[arg-type]
        self.nodes.append(n)
        if kind in ("simple", "branch", "goto"):
            self.labels[label] = n.id
            if user:
                self.user_labels.add(label)
        return n

    # ------------------------------------------------------------------ statements
    def seq(self, stmts: tuple[S.Stmt, ...], entry: Ref, cont: Ref, top: bool,
            inline_stack: tuple[str, ...], prefix: str | None) -> None:
        """Build stmts so that `entry` points at the first node and the last falls to cont."""
        items = list(stmts)
        if not items:
            entry.forward = cont
            return
        refs = [entry] + [Ref() for _ in items[1:]] + [cont]
        for i, st in enumerate(items):
            self.stmt(st, refs[i], refs[i + 1], top, inline_stack, prefix)

    def stmt(self, st: S.Stmt, entry: Ref, cont: Ref, top: bool,
             inline_stack: tuple[str, ...], prefix: str | None) -> None:
        label, user = self.natural_label(st)
        if prefix is not None:
            label = f"{prefix}.{label}"
        if isinstance(st, S.LocalVar):
            if top and not inline_stack:
                self.locals.append(st)
            else:
                self.sink.error("MMS315", "local variables are declared at the top level of "
                                "a process body", st.span)
            entry.forward = cont
            return
        if isinstance(st, S.CallStmt) and st.func in self.procs:
            self.inline(st, label, entry, cont, inline_stack)
            return
        if isinstance(st, S.Assign) and any(isinstance(v, S.Call) and v.func in self.procs
                                            for v in st.values):
            if len(st.targets) != 1 or len(st.values) != 1:
                self.sink.error("MMS351", "a proc call with a value must be the whole "
                                "right-hand side of a single assignment", st.span,
                                expected="x := f(...)")
                entry.forward = cont
                return
            call = st.values[0]
            assert isinstance(call, S.Call)
            self.inline(S.CallStmt(call.func, call.args, label=st.label, span=st.span,
                                   func_span=call.func_span),
                        label, entry, cont, inline_stack, dest=st.targets[0])
            return
        if isinstance(st, S.Return):
            self.return_stmt(st, label, user, entry)
            return
        if isinstance(st, S.CallStmt) and st.func in WAIT_LOOPS:
            self.wait_loop(st, label, user, entry, cont)
            return
        if isinstance(st, S.CallStmt) and st.func in TASK_WORK_RUNS:
            self.task_work_run(st, label, user, entry, cont, inline_stack)
            return
        if isinstance(st, S.CallStmt) and not self.is_statement_call(st.func):
            hint = did_you_mean(st.func, list(self.procs))
            self.sink.error("MMS207", f"unknown procedure or lock operation '{st.func}'",
                            st.func_span, expected="a proc or a lock operation" +
                            (f" (did you mean '{hint}'?)" if hint else ""))
            n = self.new("simple", label, st.span, user, stmt=S.Skip(span=st.span), next=cont)
            entry.target = n.id
            return
        if isinstance(st, S.CallStmt) and st.func in self.split_calls:
            # a call that is two steps (synchronize_rcu: start a grace period, wait for it)
            first_op, second_op, suffix = self.split_calls[st.func]
            q = self.new("simple", label, st.span, user,
                         stmt=S.CallStmt(first_op, st.args, span=st.span,
                                         func_span=st.func_span), next=Ref())
            entry.target = q.id
            a = self.new("simple", f"{q.label}.{suffix}", st.span, False,
                         stmt=S.CallStmt(second_op, st.args, span=st.span,
                                         func_span=st.func_span), next=cont)
            assert q.next is not None
            q.next.target = a.id
            return
        if isinstance(st, S.CallStmt) and self.is_split_write(st):
            # writer-preferring down_write: queue (label kept), then acquire (label.acq)
            q = self.new("simple", label, st.span, user,
                         stmt=S.CallStmt("__queue_write", st.args, span=st.span,
                                         func_span=st.func_span), next=Ref())
            entry.target = q.id
            a = self.new("simple", f"{q.label}.acq", st.span, False,
                         stmt=S.CallStmt("__acquire_write", st.args, span=st.span,
                                         func_span=st.func_span), next=cont)
            assert q.next is not None
            q.next.target = a.id
            return
        if isinstance(st, S.Atomic):
            if st.body and isinstance(st.body[-1], S.Return) and self.returns:
                # `atomic { ...; return e }` in a proc: the step ends the proc
                ret = st.body[-1]
                cont, dest, _ = self.returns[-1]
                tail: tuple[S.Stmt, ...] = ()
                if dest is not None and ret.value is not None:
                    tail = (S.Assign((dest,), (ret.value,), span=ret.span),)
                elif dest is not None:
                    self.sink.error("MMS351", "this proc is called for its value but this "
                                    "'return' has none", ret.span, expected="return EXPR")
                st = replace(st, body=st.body[:-1] + tail)
            self.atomic_frames = []
            body = self.flatten_atomic(st.body, inline_stack, prefix)
            inner = tuple(self.atomic_frames)
            first = body[0] if body else None
            if isinstance(first, S.CallStmt) and self.is_split_write(first):
                q = self.new("simple", label, st.span, user,
                             stmt=S.CallStmt("__queue_write", first.args, span=first.span,
                                             func_span=first.func_span), next=Ref())
                entry.target = q.id
                rest = (S.CallStmt("__acquire_write", first.args, span=first.span,
                                   func_span=first.func_span),) + body[1:]
                a = self.new("simple", f"{q.label}.acq", st.span, False,
                             stmt=replace(st, body=rest), next=cont, inner=inner)
                assert q.next is not None
                q.next.target = a.id
                return
            n = self.new("simple", label, st.span, user, stmt=replace(st, body=body),
                         next=cont, inner=inner)
            entry.target = n.id
            return
        if isinstance(st, (S.Assign, S.CallStmt, S.Await, S.Assert, S.Skip, S.Pick)):
            n = self.new("simple", label, st.span, user, stmt=st, next=cont)
            entry.target = n.id
            return
        if isinstance(st, S.Goto):
            target = st.target if prefix is None or st.target not in self._proc_labels else \
                f"{prefix}.{st.target}"
            n = self.new("goto", label, st.span, user, goto=target, goto_span=st.target_span)
            entry.target = n.id
            return
        if isinstance(st, S.If):
            n = self.new("branch", label, st.span, user, stmt=st)
            n.split = self.split_test is not None and self.split_test(st.cond)
            entry.target = n.id
            then_ref, else_ref = Ref(), Ref()
            n.alts = [(st.cond, True, then_ref), (st.cond, False, else_ref)]
            self.branch(st.then, then_ref, cont, f"{n.label}.then", st.span, inline_stack,
                        prefix)
            self.branch(st.other or (), else_ref, cont, f"{n.label}.else", st.span,
                        inline_stack, prefix)
            return
        if isinstance(st, S.While):
            n = self.new("branch", label, st.span, user, stmt=st)
            n.split = self.split_test is not None and self.split_test(st.cond)
            entry.target = n.id
            head = Ref(target=n.id)
            body_ref, exit_ref = Ref(), Ref()
            n.alts = [(st.cond, True, body_ref), (st.cond, False, exit_ref)]
            self.branch(st.body, body_ref, head, f"{n.label}.body", st.span, inline_stack,
                        prefix)
            self.branch((), exit_ref, cont, f"{n.label}.exit", st.span, inline_stack, prefix)
            return
        if isinstance(st, S.Either):
            n = self.new("branch", label, st.span, user, stmt=st)
            entry.target = n.id
            for k, b in enumerate(st.branches):
                r = Ref()
                n.alts.append((None, True, r))
                self.branch(b, r, cont, f"{n.label}.or{k + 1}", st.span, inline_stack, prefix)
            return
        raise TypeError(st)  # pragma: no cover

    _proc_labels: frozenset[str] = frozenset()

    def branch(self, stmts: tuple[S.Stmt, ...], entry: Ref, cont: Ref, label: str,
               span: Span, inline_stack: tuple[str, ...], prefix: str | None) -> None:
        """A branch body; an empty one (or one that inlines to nothing) is a pc-only step."""
        self.seq(stmts, entry, cont, False, inline_stack, prefix)
        r: Ref | None = entry
        while r is not None and r is not cont and r.target is None:
            r = r.forward
        if r is cont:
            n = self.new("skip", label, span, False, stmt=S.Skip(span=span), next=cont)
            entry.forward = None
            entry.target = n.id

    def wait_loop(self, st: S.CallStmt, label: str, user: bool, entry: Ref, cont: Ref
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
            self.sink.error("MMS312", f"{st.func}() takes 2 arguments (the wait object and "
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
            head = self.new("branch", label, sp, user, stmt=st, split=True)
            entry.target = head.id
            prep_ref = Ref()
            head.alts = [(cond, True, cont), (cond, False, prep_ref)]
            first = self.new("simple", f"{head.label}.prep", sp, False,
                             stmt=call("prepare_to_wait", obj, unint), next=Ref())
            prep_ref.target = first.id
            fin = call("finish_wait", obj)
        else:
            first = self.new("simple", label, sp, user, stmt=call("prepare_to_rcuwait", obj),
                             next=Ref())
            entry.target = first.id
            setst = self.new("simple", f"{first.label}.set", sp, False,
                             stmt=call("set_current_state", unint), next=Ref())
            assert first.next is not None
            first.next.target = setst.id
            first = setst
            fin = call("finish_rcuwait", obj)
        base = label if st.func != "wait_event" else head.label
        test = self.new("branch", f"{base}.test", sp, False, stmt=st, split=True)
        assert first.next is not None
        first.next.target = test.id
        loop_ref.target = first.id
        test.alts = [(cond, True, fin_ref), (cond, False, sched_ref)]
        sched = self.new("simple", f"{base}.sched", sp, False,
                         stmt=call("schedule", obj), next=loop_ref)
        sched_ref.target = sched.id
        done = self.new("simple", f"{base}.fin", sp, False, stmt=fin, next=cont)
        fin_ref.target = done.id

    def task_work_run(self, st: S.CallStmt, label: str, user: bool, entry: Ref, cont: Ref,
                      inline_stack: tuple[str, ...]) -> None:
        """`return_to_user()` / `exit_task_work()`: task_work_run() (kernel/task_work.c).

            label:          one step per pending work W (in declaration order): take it off
                            the task's list (xchg, one atomic step), then
            label.W...      W's body, inlined, under this thread; back to label
            label:          nothing pending: on (exit_task_work: mark the task exited, so a
                            later task_work_add() fails, in the same step)"""
        if st.args:
            self.sink.error("MMS312", f"{st.func}() takes no arguments", st.span)
        head = self.new("branch", label, st.span, user, stmt=st)
        entry.target = head.id
        back = Ref(target=head.id)
        for w in self.works:
            r = Ref()
            head.alts.append((S.Call("__task_work_pending", (S.Name(w, span=st.span),),
                                     span=st.span), True, r))
            take = self.new("simple", f"{head.label}.{w}", st.span, False,
                            stmt=S.CallStmt("__task_work_take", (S.Name(w, span=st.span),),
                                            span=st.span, func_span=st.func_span),
                            next=Ref())
            r.target = take.id
            assert take.next is not None
            if w in self.procs and not self.procs[w].params:
                self.inline(S.CallStmt(w, (), span=st.span, func_span=st.func_span),
                            f"{head.label}.{w}.run", take.next, back, inline_stack)
            else:
                take.next.forward = back
        none = Ref()
        head.alts.append((S.Call("__task_work_none", (), span=st.span), True, none))
        if st.func == "exit_task_work":
            n = self.new("simple", f"{head.label}.exit", st.span, False,
                         stmt=S.CallStmt("__task_work_exit", (), span=st.span,
                                         func_span=st.func_span), next=cont)
        else:
            n = self.new("skip", f"{head.label}.none", st.span, False,
                         stmt=S.Skip(span=st.span), next=cont)
        none.target = n.id

    def return_stmt(self, st: S.Return, label: str, user: bool, entry: Ref) -> None:
        """`return [e]`: to the end of the innermost proc; `x := f()` gets `x := e`."""
        if not self.returns:
            self.sink.error("MMS315", "'return' outside a proc", st.span,
                            expected="return inside a proc body")
            n = self.new("simple", label, st.span, user, stmt=S.Skip(span=st.span),
                         next=Ref())
            entry.target = n.id
            return
        cont, dest, proc = self.returns[-1]
        body: S.Stmt = S.Skip(span=st.span)
        if dest is not None and st.value is None:
            self.sink.error("MMS351", f"proc '{proc}' is called for its value but this "
                            "'return' has none", st.span, expected="return EXPR")
        elif dest is not None and st.value is not None:
            body = S.Assign((dest,), (st.value,), span=st.span)
        n = self.new("simple", label, st.span, user, stmt=body, next=cont,
                     ret=dest is not None and st.value is not None)
        entry.target = n.id

    def proc_body(self, proc: S.ProcDecl, call: S.CallStmt | S.Call
                  ) -> tuple[tuple[S.Stmt, ...], tuple[str, ...]] | None:
        """The proc's body for one call: parameters replaced by the arguments (by name; a
        `&p` argument must be assignable), locals renamed `f.t` (registered once per proc
        as locals of the calling process). None after an error."""
        if len(call.args) != len(proc.params):
            self.sink.error("MMS312", f"proc '{proc.name}' takes {len(proc.params)} argument"
                            f"{'s' if len(proc.params) != 1 else ''}, not {len(call.args)}",
                            call.span)
            return None
        refs = proc.refs or tuple(False for _ in proc.params)
        ok = True
        for p, a, r in zip(proc.params, call.args, refs):
            if r and not _is_lvalue(a):
                self.sink.error("MMS313", f"'&{p}' of proc '{proc.name}' is passed by "
                                "reference: the argument must be assignable", a.span,
                                expected="a variable, a local, or an entry of one")
                ok = False
        for p, r in zip(proc.params, refs):
            if not r:
                for t in _assigned_names(proc.body):
                    if t.id == p:
                        self.sink.error("MMS313", f"cannot assign to '{p}': a by-value "
                                        f"parameter of proc '{proc.name}'", t.span,
                                        expected=f"declare it by reference: proc "
                                        f"{proc.name}(..., &{p}, ...)")
                        ok = False
        if not ok:
            return None
        decls = [st for st in proc.body if isinstance(st, S.LocalVar)]
        mapping: dict[str, S.Expr] = dict(zip(proc.params, call.args))
        names: list[str] = []
        for lv in decls:
            new = f"{proc.name}.{lv.decl.name}"
            if lv.decl.name in proc.params:
                self.sink.error("MMS201", f"local '{lv.decl.name}' has the name of a "
                                f"parameter of proc '{proc.name}'", lv.decl.name_span)
                return None
            mapping[lv.decl.name] = S.Name(new, span=lv.decl.name_span)
            names.append(new)
            if proc.name not in self.proc_locals_done:
                if lv.decl.init_in:
                    self.sink.error("MMS315", "a proc local starts from one value, not "
                                    "'in S'", lv.decl.span, expected="var t: T = value")
                self.locals.append(replace(lv, decl=replace(lv.decl, name=new)))
        self.proc_locals_done.add(proc.name)
        body = tuple(subst_stmt(st, mapping) for st in proc.body
                     if not isinstance(st, S.LocalVar))
        return body, tuple(names)

    def inline(self, call: S.CallStmt, label: str, entry: Ref, cont: Ref,
               inline_stack: tuple[str, ...], dest: S.Expr | None = None) -> None:
        proc = self.procs[call.func]
        if call.func in inline_stack:
            chain = " -> ".join(inline_stack[inline_stack.index(call.func):] + (call.func,))
            self.sink.error("MMS212", f"proc '{call.func}' calls itself ({chain})",
                            call.span, expected="procs are inlined: no recursion")
            entry.forward = cont
            return
        if len(inline_stack) >= MAX_INLINE_DEPTH:
            self.sink.error("MMS106", "procs nested too deeply", call.span)
            entry.forward = cont
            return
        if dest is not None and not _returns_value(proc.body):
            self.sink.error("MMS351", f"proc '{call.func}' returns no value", call.span,
                            expected=f"a 'return EXPR' in proc '{call.func}', or call it "
                            "as a statement")
            entry.forward = cont
            return
        got = self.proc_body(proc, call)
        if got is None:
            entry.forward = cont
            return
        body, names = got
        saved = self._proc_labels
        saved_frames = self.frames
        self._proc_labels = frozenset(_labels_in(proc.body))
        frame = len(self.frame_locals)
        self.frame_locals[frame] = names
        self.frames = self.frames + (frame,)
        self.returns.append((cont, dest, call.func))
        try:
            if body and body[0].label is None:
                # the first inlined step carries the call's own label
                first = replace(body[0], label="\x00" + label)
                body = (first,) + body[1:]
            self.seq(body, entry, cont, False, inline_stack + (call.func,), label)
        finally:
            self._proc_labels = saved
            self.frames = saved_frames
            self.returns.pop()

    def flatten_atomic(self, body: tuple[S.Stmt, ...], inline_stack: tuple[str, ...],
                       prefix: str | None) -> tuple[S.Stmt, ...]:
        """Inline procs and nested atomic blocks inside an atomic body."""
        out: list[S.Stmt] = []
        for st in body:
            dest: S.Expr | None = None
            if isinstance(st, S.Assign) and len(st.values) == 1 and \
                    isinstance(st.values[0], S.Call) and st.values[0].func in self.procs:
                call = st.values[0]
                if len(st.targets) != 1:
                    self.sink.error("MMS351", "a proc call with a value must be the whole "
                                    "right-hand side of a single assignment", st.span)
                    continue
                dest = st.targets[0]
                st = S.CallStmt(call.func, call.args, span=st.span, func_span=call.func_span)
            if isinstance(st, S.Return):
                if not self.returns_atomic:
                    self.sink.error("MMS315", "'return' outside a proc", st.span)
                    continue
                rdest = self.returns_atomic[-1]
                if st is not self.last_atomic[-1]:
                    self.sink.error("MMS310", "inside atomic, 'return' must be the proc's "
                                    "last statement", st.span)
                elif rdest is not None and st.value is not None:
                    out.append(S.Assign((rdest,), (st.value,), span=st.span))
                continue
            if isinstance(st, S.CallStmt) and st.func in self.procs:
                proc = self.procs[st.func]
                if st.func in inline_stack or len(inline_stack) >= MAX_INLINE_DEPTH:
                    self.sink.error("MMS212", f"proc '{st.func}' calls itself", st.span)
                    continue
                if dest is not None and not _returns_value(proc.body):
                    self.sink.error("MMS351", f"proc '{st.func}' returns no value", st.span)
                    continue
                got = self.proc_body(proc, st)
                if got is None:
                    continue
                inner, names = got
                frame = len(self.frame_locals)
                self.frame_locals[frame] = names
                self.atomic_frames.append(frame)
                self.returns_atomic.append(dest)
                self.last_atomic.append(inner[-1] if inner else None)
                try:
                    out.extend(self.flatten_atomic(inner, inline_stack + (st.func,), prefix))
                finally:
                    self.returns_atomic.pop()
                    self.last_atomic.pop()
            elif isinstance(st, S.Atomic):
                out.extend(self.flatten_atomic(st.body, inline_stack, prefix))
            elif isinstance(st, S.If):
                out.append(replace(st, then=self.flatten_atomic(st.then, inline_stack, prefix),
                                   other=None if st.other is None else
                                   self.flatten_atomic(st.other, inline_stack, prefix)))
            else:
                out.append(st)
        return tuple(out)


class _TooBig(Exception):
    pass


def fix_inline_labels(b: Builder) -> None:
    """`\\x00label` marks a first inlined statement that takes the call's label verbatim."""
    for n in b.nodes:
        if "\x00" in n.label:
            new = n.label.split("\x00", 1)[1]
            del b.labels[n.label]
            if new in b.labels:
                new = b.unique(new, False, n.span)
            n.label = new
            b.labels[new] = n.id


def build(proc: S.ProcessDecl, procs: dict[str, S.ProcDecl], sink: Sink,
          is_split_write: Callable[[S.CallStmt], bool],
          is_statement_call: Callable[[str], bool],
          split_calls: Mapping[str, tuple[str, str, str]] | None = None,
          split_test: Callable[[S.Expr], bool] | None = None,
          works: tuple[str, ...] = ()) -> ProcessCFG | None:
    b = Builder(proc.name, procs, sink, is_split_write, is_statement_call, split_calls,
                split_test, works)
    entry, end_ref = Ref(), Ref()
    try:
        b.seq(proc.body, entry, end_ref, True, (), None)
    except _TooBig:
        return None
    fix_inline_labels(b)
    end = b.new("end", DONE, proc.span)
    end_ref.target = end.id
    # resolve gotos
    for n in b.nodes:
        if n.kind == "goto" and n.goto not in b.labels:
            hint = did_you_mean(n.goto or "", list(b.labels))
            sink.error("MMS205", f"unknown label '{n.goto}' in process '{proc.name}'",
                       n.goto_span or n.span, expected="a label of this process" +
                       (f" (did you mean '{hint}'?)" if hint else ""))
            n.goto = None
    start = entry.resolve()
    start_id = end.id if start is None else start
    cfg = ProcessCFG(proc.name, b.nodes, start_id, end.id, [], {}, dict(b.labels), b.locals,
                     b.frame_locals)
    _points(cfg, sink)
    return cfg


def _resolve_next(cfg: ProcessCFG, ref_target: int | None, sink: Sink) -> int:
    """Follow gotos from a node id to the point it denotes."""
    nid = cfg.end if ref_target is None else ref_target
    seen: set[int] = set()
    while cfg.nodes[nid].kind == "goto":
        n = cfg.nodes[nid]
        if nid in seen:
            sink.error("MMS205", "these gotos jump to each other without taking a step",
                       n.span)
            return cfg.end
        seen.add(nid)
        if n.goto is None:
            return cfg.end
        nid = cfg.labels[n.goto]
    return nid


def _expand(cfg: ProcessCFG, nid: int, conds: tuple[tuple[S.Expr, bool], ...], sink: Sink,
            depth: int = 0, via: tuple[int, ...] = ()) -> list[Alt]:
    n = cfg.nodes[nid]
    if depth > 200:
        sink.error("MMS106", "branches nested too deeply", n.span)
        return []
    if n.kind in ("simple", "skip"):
        assert n.next is not None
        return [Alt(conds, n, _resolve_next(cfg, n.next.resolve(), sink), via)]
    if n.kind == "goto":
        skip = Node(-1, "skip", n.label, n.span, stmt=S.Skip(span=n.span), frames=n.frames)
        return [Alt(conds, skip, _resolve_next(cfg, nid, sink), via)]
    if n.kind == "branch" and n.split and depth > 0:
        # a test that is its own step: reaching it is a pc-only step
        skip = Node(-1, "skip", n.label, n.span, stmt=S.Skip(span=n.span), frames=n.frames)
        return [Alt(conds, skip, nid, via)]
    if n.kind == "branch":
        out: list[Alt] = []
        for c, pol, ref in n.alts:
            sub = ref.resolve()
            assert sub is not None
            more = conds + (((c, pol),) if c is not None else ())
            more_via = via + ((nid,) if c is not None else ())
            if n.split:
                # the test alone: a pc-only step to the branch taken (an implicit empty
                # branch's own pc-only step is skipped over)
                target = cfg.nodes[sub]
                if target.kind == "skip" and target.next is not None:
                    sub = _resolve_next(cfg, target.next.resolve(), sink)
                skip = Node(-1, "skip", n.label, n.span, stmt=S.Skip(span=n.span),
                            frames=n.frames)
                out.append(Alt(more, skip, _resolve_next(cfg, sub, sink), more_via))
                continue
            out.extend(_expand(cfg, sub, more, sink, depth + 1, more_via))
        return out
    return []  # end


def _points(cfg: ProcessCFG, sink: Sink) -> None:
    start = _resolve_next(cfg, cfg.entry, sink)
    cfg.entry = start
    todo = [start]
    seen = {start}
    while todo:
        p = todo.pop()
        if p == cfg.end:
            continue
        alts = _expand(cfg, p, (), sink)
        cfg.alts[p] = alts
        for a in alts:
            if a.next not in seen:
                seen.add(a.next)
                todo.append(a.next)
    cfg.points = sorted(p for p in seen if p != cfg.end)


def merged_into(cfg: ProcessCFG) -> dict[str, str]:
    """Labels of statements that are not step boundaries -> the point whose step runs them."""
    out: dict[str, str] = {}
    points = set(cfg.points)
    for p in cfg.points:
        for a in cfg.alts.get(p, []):
            if a.node.id >= 0 and a.node.id not in points:
                out.setdefault(a.node.label, cfg.nodes[p].label)
            # branch nodes passed through on the way
    for label, nid in cfg.labels.items():
        if nid not in points and label not in out:
            out[label] = "(unreachable)"
    return out


# --------------------------------------------------------------------------- substitution


def _is_lvalue(e: S.Expr) -> bool:
    while isinstance(e, (S.IndexExpr, S.FieldExpr)):
        e = e.base
    return isinstance(e, S.Name)


def _returns_value(stmts: tuple[S.Stmt, ...]) -> bool:
    for s in stmts:
        if isinstance(s, S.Return) and s.value is not None:
            return True
        if any(_returns_value(sub) for sub in S.blocks_of(s)):
            return True
    return False


def _assigned_names(stmts: tuple[S.Stmt, ...]) -> list[S.Name]:
    """The root names a block assigns (targets and pick variables), for by-value checks."""
    out: list[S.Name] = []
    for s in stmts:
        if isinstance(s, S.Assign):
            for t in s.targets:
                while isinstance(t, (S.IndexExpr, S.FieldExpr)):
                    t = t.base
                if isinstance(t, S.Name):
                    out.append(t)
        if isinstance(s, S.Pick):
            out.append(S.Name(s.var, span=s.var_span))
        for sub in S.blocks_of(s):
            out.extend(_assigned_names(sub))
    return out


def _labels_in(stmts: tuple[S.Stmt, ...]) -> list[str]:
    out: list[str] = []
    for s in stmts:
        if s.label is not None:
            out.append(s.label)
        for sub in S.blocks_of(s):
            out.extend(_labels_in(sub))
    return out


def subst_stmt(s: S.Stmt, m: dict[str, S.Expr]) -> S.Stmt:
    """Replace proc parameters by the call's argument expressions (call by name)."""
    def e(x: S.Expr) -> S.Expr:
        return subst_expr(x, m)

    def b(xs: tuple[S.Stmt, ...]) -> tuple[S.Stmt, ...]:
        return tuple(subst_stmt(y, m) for y in xs)

    if isinstance(s, S.Assign):
        return replace(s, targets=tuple(e(t) for t in s.targets),
                       values=tuple(e(v) for v in s.values))
    if isinstance(s, S.CallStmt):
        return replace(s, args=tuple(e(a) for a in s.args))
    if isinstance(s, S.Await):
        return replace(s, cond=e(s.cond))
    if isinstance(s, S.Assert):
        return replace(s, cond=e(s.cond))
    if isinstance(s, S.If):
        return replace(s, cond=e(s.cond), then=b(s.then),
                       other=None if s.other is None else b(s.other))
    if isinstance(s, S.While):
        return replace(s, cond=e(s.cond), body=b(s.body))
    if isinstance(s, S.Either):
        return replace(s, branches=tuple(b(x) for x in s.branches))
    if isinstance(s, S.Pick):
        renamed = m.get(s.var)
        if isinstance(renamed, S.Name) and "." in renamed.id:  # a proc local `f.t`
            return replace(s, var=renamed.id, domain=subst_domain(s.domain, m),
                           cond=None if s.cond is None else subst_expr(s.cond, m))
        inner = {k: v for k, v in m.items() if k != s.var}
        return replace(s, domain=subst_domain(s.domain, m),
                       cond=None if s.cond is None else subst_expr(s.cond, inner))
    if isinstance(s, S.Return):
        return replace(s, value=None if s.value is None else e(s.value))
    if isinstance(s, S.Atomic):
        return replace(s, body=b(s.body))
    return s


def subst_domain(d: S.Domain, m: dict[str, S.Expr]) -> S.Domain:
    if isinstance(d, S.RangeT):
        return replace(d, lo=subst_expr(d.lo, m), hi=subst_expr(d.hi, m))
    if isinstance(d, (S.BoolT, S.EnumT, S.MapT, S.SetT, S.SeqT, S.RecordT, S.NamedT)):
        return d
    return subst_expr(d, m)


def subst_expr(x: S.Expr, m: dict[str, S.Expr]) -> S.Expr:  # noqa: C901
    if not m:
        return x
    if isinstance(x, S.Name):
        return m.get(x.id, x)
    if isinstance(x, (S.IntLit, S.BoolLit, S.SelfRef)):
        return x
    if isinstance(x, S.UnaryOp):
        return replace(x, arg=subst_expr(x.arg, m))
    if isinstance(x, S.BinOp):
        return replace(x, left=subst_expr(x.left, m), right=subst_expr(x.right, m))
    if isinstance(x, S.IfExpr):
        return replace(x, cond=subst_expr(x.cond, m), then=subst_expr(x.then, m),
                       other=subst_expr(x.other, m))
    if isinstance(x, S.Call):
        return replace(x, args=tuple(subst_expr(a, m) for a in x.args))
    if isinstance(x, S.IndexExpr):
        return replace(x, base=subst_expr(x.base, m), index=subst_expr(x.index, m))
    if isinstance(x, S.FieldExpr):
        return replace(x, base=subst_expr(x.base, m))
    if isinstance(x, S.AtExpr):
        return replace(x, base=subst_expr(x.base, m))
    if isinstance(x, (S.SetLiteral, S.SeqLiteral)):
        return replace(x, elems=tuple(subst_expr(a, m) for a in x.elems))
    if isinstance(x, (S.SetCompr, S.QuantExpr)):
        inner = {k: v for k, v in m.items() if k != x.var}
        if isinstance(x, S.SetCompr):
            return replace(x, domain=subst_domain(x.domain, m), cond=subst_expr(x.cond, inner))
        return replace(x, domain=subst_domain(x.domain, m), body=subst_expr(x.body, inner))
    if isinstance(x, S.MapLiteral):
        inner = {k: v for k, v in m.items() if k != x.var}
        return replace(x, domain=subst_domain(x.domain, m), body=subst_expr(x.body, inner))
    if isinstance(x, S.RecordLiteral):
        return replace(x, fields=tuple((f, subst_expr(v, m)) for f, v in x.fields))
    if isinstance(x, S.WithExpr):
        return replace(x, base=subst_expr(x.base, m),
                       path=tuple(p if isinstance(p, str) else subst_expr(p, m)
                                  for p in x.path), value=subst_expr(x.value, m))
    return x
