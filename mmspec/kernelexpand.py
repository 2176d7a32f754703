"""Kernel API calls in processes and procs rewritten to plain statements (the meaning of
each operation is `mmspec.kernelapi.OPS`; this module places those meanings in the code):

    ok := op(...)          one step: the op's updates and its result
    op(...)                one step
    if op(...) { A }       the op and the branch decision are one step (C's evaluation)
    while op(...) { A }    the same, at every test: `l: while op(..) { A }` becomes
                           `l: __whileN := op(..); while __whileN { A; __whileN := op(..) }`
                           where __whileN is a ghost local of the thread, so each test of
                           the loop is exactly one step with its op, as in
                           `while (!try_cmpxchg(&v, &old, new))`.
    __set_bit(nr, &w)      two steps, the kernel's plain load and store (mmspec/kernelrmw.py)
"""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from mmspec import kernelrmw
from mmspec import syntax as S
from mmspec.diagnostics import Sink
from mmspec.ir import Span
from mmspec.kernelapi import OPS, ArgKind, KernelOp, Sem, meaning


class _Expander:
    def __init__(self, sink: Sink, shadowed: frozenset[str], ghosts: frozenset[str]):
        self.sink = sink
        self.shadowed = shadowed
        self.ghosts = set(ghosts)
        self.new_locals: list[S.LocalVar] = []  # the body's __whileN and __rmwN locals
        self.types: kernelrmw.TypeFinder | None = None  # set by expand()
        self.used: list[tuple[KernelOp, Span]] = []

    def op_of(self, e: S.Expr) -> KernelOp | None:
        if isinstance(e, S.Call) and e.func in OPS and e.func not in self.shadowed:
            return OPS[e.func]
        return None

    def args(self, op: KernelOp, args: Sequence[S.Expr], span: Span) -> list[S.Expr] | None:
        """The arguments as expressions: `&x` -> x for lvalue arguments (the & is optional
        there; a value argument takes none)."""
        if len(args) != len(op.args):
            self.sink.error("MMS312", f"{op.name} takes {len(op.args)} argument"
                            f"{'s' if len(op.args) != 1 else ''}, not {len(args)}", span,
                            expected=f"{op.name}({', '.join(_arg_shape(k) for k in op.args)})")
            return None
        out: list[S.Expr] = []
        for kind, a in zip(op.args, args):
            bare = a.arg if isinstance(a, S.UnaryOp) and a.op == "addr" else a
            if kind == "out" and isinstance(a, S.Name) and a.id == "NULL":
                if op.family != "refcount":
                    self.sink.error("MMS313", f"{op.name} reads and writes this argument: "
                                    "NULL is not allowed", a.span, expected="&old")
                    return None
                out.append(a)  # the __refcount_* forms' `if (oldp)`: nothing is stored
                continue
            if kind == "val":
                if bare is not a:
                    self.sink.error("MMS301", f"{op.name} takes this argument by value, not "
                                    "by address", a.span, expected="a value (drop the '&')")
                    return None
            elif not _is_lvalue(bare):
                self.sink.error("MMS313", f"{op.name} needs a variable here (it "
                                f"{'operates on' if kind == 'obj' else 'writes'} it)", a.span,
                                expected="&v, &m[i] or &r.f")
                return None
            out.append(bare)
        return out

    def sem(self, op: KernelOp, call: S.Call | S.CallStmt, span: Span) -> Sem | None:
        self.used.append((op, span))
        a = self.args(op, call.args, span)
        if a is None:
            return None
        return meaning(op, a, span)

    def effect(self, sem: Sem, args: Sequence[S.Expr], result_to: S.Expr | None,
               label: str | None, span: Span) -> S.Stmt:
        """The call as one step: checks first (pre-state), then one simultaneous assign."""
        ups = [(i, v) for i, v in sem.updates if not _is_null(args[i])]
        targets = [args[i] for i, _ in ups]
        values = [v for _, v in ups]
        if result_to is not None and sem.result is not None:
            targets.insert(0, result_to)
            values.insert(0, sem.result)
        body: list[S.Stmt] = [S.Assert(c, msg, span=span, kind="refcount")
                              for c, msg in sem.checks]
        if targets:
            body.append(S.Assign(tuple(targets), tuple(values), span=span))
        if not body:
            return S.Skip(label, span=span)
        if len(body) == 1 and isinstance(body[0], S.Assign):
            return replace(body[0], label=label)
        return S.Atomic(tuple(body), label, span=span)

    def bare_args(self, call: S.Call | S.CallStmt) -> list[S.Expr]:
        return [a.arg if isinstance(a, S.UnaryOp) and a.op == "addr" else a for a in call.args]

    # -- statements
    def stmts(self, body: Sequence[S.Stmt]) -> tuple[S.Stmt, ...]:
        out: list[S.Stmt] = []
        for s in body:
            many = self.while_op(s) if isinstance(s, S.While) else \
                self.load_store(s) if isinstance(s, S.CallStmt) else None
            out.extend(many if many is not None else (self.stmt(s),))
        return tuple(out)

    def body(self, body: Sequence[S.Stmt]) -> tuple[S.Stmt, ...]:
        """A process's or proc's body, with the ghost locals its loops' tests introduced
        declared first (locals are declared at the top level)."""
        self.new_locals = []
        if self.types is not None:
            self.types.enter(body)
        out = self.stmts(body)
        return tuple(self.new_locals) + out

    def load_store(self, st: S.CallStmt) -> tuple[S.Stmt, ...] | None:
        """A non-atomic operation (`__set_bit`) as its load step and its store step."""
        op = OPS.get(st.func) if st.func not in self.shadowed else None
        if op is None or op.atomic or self.types is None:
            return None
        sem = self.sem(op, st, st.span)
        args = self.bare_args(st)
        if sem is None or "obj" not in op.args:
            return (S.Skip(st.label, span=st.span),)
        obj = op.args.index("obj")
        temp = f"__rmw{len(self.new_locals) + 1}"
        from_temp = [S.Name(temp, span=st.span) if i == obj else a for i, a in enumerate(args)]
        stored = dict(meaning(op, from_temp, st.span).updates)[obj]
        local, steps = kernelrmw.split(S.Assign((args[obj],), (stored,), span=st.span),
                                       args[obj], temp, self.types, st.label, self.sink,
                                       op.name)
        if local is None:
            return (S.Skip(st.label, span=st.span),)
        self.new_locals.append(local)
        return steps

    def while_op(self, st: S.While) -> tuple[S.Stmt, ...] | None:
        """`l: while [!]op(..) { A }` as `l: k := [!]op(..); while k { A; k := [!]op(..) }`
        with k a fresh ghost local: the op runs, and decides, at every test, one step each
        time (k's assignment joins the op's step; the `while k` test reads a local)."""
        cond = st.cond.arg if isinstance(st.cond, S.UnaryOp) and st.cond.op == "not" \
            else st.cond
        if self.op_of(cond) is None:
            return None
        sp = st.span
        name = f"__while{len(self.new_locals) + 1}"
        self.new_locals.append(S.LocalVar(S.VarDecl(name, S.BoolT(span=sp),
                                                    S.BoolLit(False, span=sp), ghost=True,
                                                    span=sp, name_span=sp), span=sp))
        self.ghosts.add(name)
        k = S.Name(name, span=sp)

        first = self.if_(S.If(st.cond, (S.Assign((k,), (S.BoolLit(True, span=sp),), span=sp),),
                               (S.Assign((k,), (S.BoolLit(False, span=sp),), span=sp),),
                               st.label, span=sp))
        # the re-test is the same step unlabelled (expanded once: its errors are said once)
        retest = replace(first, label=None) if isinstance(first, S.If) else first
        return (first, S.While(k, self.stmts(st.body) + (retest,), span=sp))

    def stmt(self, st: S.Stmt) -> S.Stmt:  # noqa: C901 - one case per statement form
        if isinstance(st, S.CallStmt) and st.func in OPS and st.func not in self.shadowed:
            op = OPS[st.func]
            sem = self.sem(op, st, st.span)
            if sem is None:
                return S.Skip(st.label, span=st.span)
            return self.effect(sem, self.bare_args(st), None, st.label, st.span)
        if isinstance(st, S.Assign) and len(st.values) == 1 and self.op_of(st.values[0]):
            call = st.values[0]
            assert isinstance(call, S.Call)
            op = OPS[call.func]
            if len(st.targets) != 1:
                self.sink.error("MMS312", f"{op.name} returns one value", st.span)
                return S.Skip(st.label, span=st.span)
            if op.returns == "void":
                self.sink.error("MMS301", f"{op.name} returns nothing", call.span,
                                expected=f"{op.name}(...) as a statement")
                return S.Skip(st.label, span=st.span)
            sem = self.sem(op, call, call.span)
            if sem is None:
                return S.Skip(st.label, span=st.span)
            return self.effect(sem, self.bare_args(call), st.targets[0], st.label, st.span)
        if isinstance(st, S.If):
            return self.if_(st)
        if isinstance(st, S.While):  # a call in its condition: MMS315 from the type checker
            return replace(st, body=self.stmts(st.body))
        if isinstance(st, S.Either):
            return replace(st, branches=tuple(self.stmts(b) for b in st.branches))
        if isinstance(st, S.Atomic):
            return replace(st, body=self.stmts(st.body))
        return st

    def if_(self, st: S.If) -> S.Stmt:
        """`if op(...)` / `if !op(...)`: the op and the branch decision are one step."""
        cond, neg = st.cond, False
        if isinstance(cond, S.UnaryOp) and cond.op == "not" and self.op_of(cond.arg):
            cond, neg = cond.arg, True
        op = self.op_of(cond)
        then, other = self.stmts(st.then), self.stmts(st.other) if st.other else None
        if op is None:
            return replace(st, then=then, other=other)
        assert isinstance(cond, S.Call)
        if op.returns == "void":
            self.sink.error("MMS301", f"{op.name} returns nothing to test", cond.span)
            return replace(st, then=then, other=other)
        sem = self.sem(op, cond, cond.span)
        if sem is None or sem.result is None:
            return replace(st, then=then, other=other)
        if not sem.updates and not sem.checks:  # a pure read (test_bit): just a condition
            test0 = sem.result if op.returns == "bool" else S.BinOp(
                "ne", sem.result, S.IntLit(0, span=cond.span), span=cond.span)
            return replace(st, cond=S.UnaryOp("not", test0, span=st.cond.span) if neg
                           else test0, then=then, other=other)
        test = sem.result if op.returns == "bool" else S.BinOp(
            "ne", sem.result, S.IntLit(0, span=cond.span), span=cond.span)
        if neg:
            test = S.UnaryOp("not", test, span=st.cond.span)
        eff = self.effect(sem, self.bare_args(cond), None, None, cond.span)
        return replace(st, cond=test, then=self.join(eff, then),
                       other=self.join(eff, other or ()))

    def join(self, eff: S.Stmt, branch: tuple[S.Stmt, ...]) -> tuple[S.Stmt, ...]:
        """The op's step opens the branch. A leading `skip` or assignment of ghost variables
        only (bookkeeping, not code) joins that step, and names it: `if op(...) { l: ghost
        := ...; rest }` is one step labelled l, then rest."""
        if not isinstance(eff, S.Atomic):
            eff = S.Atomic(() if isinstance(eff, S.Skip) else (eff,), eff.label, span=eff.span)
        eff = replace(eff, kernel_op=True)
        if not branch:
            return (eff,)
        first = branch[0]
        if isinstance(first, S.Skip) or (isinstance(first, S.Assign) and all(
                _root(t) in self.ghosts for t in first.targets)):
            body = tuple(eff.body) if isinstance(eff, S.Atomic) else (
                () if isinstance(eff, S.Skip) else (eff,))
            merged = body + ((first,) if isinstance(first, S.Assign) else ())
            joined: S.Stmt = S.Atomic(merged, first.label, span=first.span, kernel_op=True) \
                if merged else S.Skip(first.label, span=first.span)
            return (joined,) + branch[1:]
        return (eff,) + branch


def _is_null(e: S.Expr) -> bool:
    return isinstance(e, S.Name) and e.id == "NULL"


def _root(e: S.Expr) -> str | None:
    while isinstance(e, (S.IndexExpr, S.FieldExpr)):
        e = e.base
    return e.id if isinstance(e, S.Name) else None


def _is_lvalue(e: S.Expr) -> bool:
    while isinstance(e, (S.IndexExpr, S.FieldExpr)):
        e = e.base
    return isinstance(e, S.Name)


def _arg_shape(k: ArgKind) -> str:
    return {"obj": "&v", "out": "&old", "val": "value"}[k]


def expand(decls: Sequence[S.Decl], sink: Sink,
           used: list[tuple[KernelOp, Span]] | None = None) -> list[S.Decl]:
    """Every kernel API call in processes and procs rewritten to plain statements; `used`
    collects each operation called, with its span."""
    shadowed = frozenset(d.name for d in decls if isinstance(d, S.ProcDecl))
    ghosts = frozenset(d.name for d in decls if isinstance(d, S.VarDecl) and d.ghost) | \
        frozenset(s.decl.name for d in decls if isinstance(d, S.ProcessDecl)
                  for s in d.body if isinstance(s, S.LocalVar) and s.decl.ghost)
    ex = _Expander(sink, shadowed, ghosts)
    ex.types = kernelrmw.TypeFinder(decls)
    if used is not None:
        ex.used = used
    out: list[S.Decl] = []
    for d in decls:
        if isinstance(d, (S.ProcessDecl, S.ProcDecl)):
            d = replace(d, body=ex.body(d.body))
        out.append(d)
    return out
