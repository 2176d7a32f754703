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

from dataclasses import replace
from typing import Callable, Mapping

from mmspec import cfgsteps
from mmspec import syntax as S
from mmspec.cfgnodes import (DONE as DONE, MAX_INLINE_DEPTH as MAX_INLINE_DEPTH, MAX_NODES as MAX_NODES,
                             TASK_WORK_RUNS as TASK_WORK_RUNS, WAIT_LOOPS as WAIT_LOOPS, Alt as Alt,
                             Node as Node, ProcessCFG as ProcessCFG, Ref as Ref)
from mmspec.diagnostics import Sink, did_you_mean
from mmspec.ir import Span

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
        """The nodes of one statement (mmspec/cfgsteps.py, one builder per statement kind)."""
        label, user = self.natural_label(st)
        if prefix is not None:
            label = f"{prefix}.{label}"
        cfgsteps.build(self, st, cfgsteps.At(label, user, entry, cont, top, inline_stack, prefix))

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
            new = n.label.rsplit("\x00", 1)[1]  # nested inlining marks it at each level
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
