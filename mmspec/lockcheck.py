"""Processes, threads and locks inside expressions: `P[i]` and `e@P` (a thread and what it
sees), lock references, and the lock predicates (`held`, `locked`, `held_by`,
`queued_writers`, ...). Part of the checker (`Elaborator` delegates here).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from mmspec import ir
from mmspec import syntax as S
from mmspec.checkctx import Ctx, LockRef, ProcessInfo
from mmspec.diagnostics import did_you_mean
from mmspec.lockkinds import all_kinds_text, kind_list, kinds_text, kinds_where, lock_kind
from mmspec.lockops import MAX_THREADS
from mmspec.typerules import BOOL, ERR, FALSE, TE, _respan, _show, index_of, int_lit

if TYPE_CHECKING:
    from mmspec.typecheck import Elaborator


def process_instance(el: Elaborator, e: S.Expr, ctx: Ctx, quiet: bool = False
                     ) -> tuple[ProcessInfo, ir.Expr | None] | None:
    """`P` or `P[i]` naming one thread of a process; None if e is not of that form."""
    if isinstance(e, S.Name) and e.id not in ctx.bound and e.id in el.processes:
        p = el.processes[e.id]
        if p.param_type is not None:
            el.err("MMS305", f"process '{p.name}' is indexed: name one thread as "
                     f"{p.name}[i]", e.span)
            return p, ir.Lit(ir.domain_values(p.param_type)[0], p.param_type)
        return p, None
    if isinstance(e, S.IndexExpr) and isinstance(e.base, S.Name) and \
            e.base.id not in ctx.bound and e.base.id in el.processes:
        p = el.processes[e.base.id]
        if p.param_type is None:
            el.err("MMS305", f"process '{p.name}' is not indexed", e.span)
            return p, None
        k = el.expect(e.index, ctx, p.param_type, f"index of process {p.name}")
        v = el.static_value(k.expr)
        if isinstance(v, int) and not ir.in_domain(v, p.param_type):
            el.err("MMS303", f"{p.name}[{v}] does not exist", e.index.span)
        return p, k.expr
    if not quiet:
        el.err("MMS206", "expected a process instance (P or P[i])", e.span)
    return None


def at(el: Elaborator, e: S.AtExpr, ctx: Ctx) -> TE:
    inst = el.process_instance(e.base, ctx, quiet=True)
    if inst is None:
        if isinstance(e.base, (S.Name, S.IndexExpr)):
            base_name = e.base.id if isinstance(e.base, S.Name) else getattr(
                e.base.base, "id", "?")
            hint = did_you_mean(str(base_name), list(el.processes))
            return el.err("MMS206", f"unknown process '{base_name}'", e.base.span,
                            expected="a process name" +
                            (f" (did you mean '{hint}'?)" if hint else ""))
        return el.err("MMS206", "'@' needs a process instance on its left", e.span)
    p, idx = inst
    if p.pc_type is None:
        return TE(FALSE, ERR)
    if e.label not in p.pc_type.members:
        if e.label in p.merged_labels:
            return el.err("MMS321", f"label '{e.label}' of {p.name} is not a step "
                            "boundary", e.label_span, notes=(
                                f"it is merged into step '{p.merged_labels[e.label]}' "
                                "(the test of an if/while runs in the branch's first "
                                "step)",))
        hint = did_you_mean(e.label, list(p.pc_type.members))
        return el.err("MMS205", f"process '{p.name}' has no label '{e.label}'",
                        e.label_span, expected="one of " + ", ".join(p.pc_type.members) +
                        (f" (did you mean '{hint}'?)" if hint else ""))
    pc: ir.Expr = ctx.sym.read(f"{p.name}.pc") if ctx.sym else ir.VarRef(f"{p.name}.pc")
    if idx is not None:
        pc = ir.Index(pc, idx)
    return TE(ir.Binary("eq", pc, ir.Lit(p.pc_type.members.index(e.label), p.pc_type),
                        e.span), BOOL)


def lock_ref(el: Elaborator, e: S.Expr, ctx: Ctx, what: str) -> tuple[LockRef, ir.Expr | None] | None:
    name_node: S.Expr = e.base if isinstance(e, S.IndexExpr) else e
    if not isinstance(name_node, S.Name) or name_node.id in ctx.bound:
        el.expr(e, ctx)
        el.err("MMS307", f"{what} needs a lock, not an expression", e.span)
        return None
    n = name_node.id
    if n not in el.locks:
        kind = el.sy.kind_of(n)
        if kind is not None or (ctx.process is not None and n in ctx.process.locals):
            el.err("MMS307", f"'{n}' is not a lock", name_node.span,
                     expected=all_kinds_text())
        else:
            hint = did_you_mean(n, list(el.locks))
            el.err("MMS203", f"unknown lock '{n}'", name_node.span,
                     expected=f"a declared {kind_list()}" +
                     (f" (did you mean '{hint}'?)" if hint else ""))
        return None
    lk = el.locks[n]
    if lk.index_type is None:
        if isinstance(e, S.IndexExpr):
            el.err("MMS305", f"lock '{n}' is not an array", e.span)
            return None
        return lk, None
    if not isinstance(e, S.IndexExpr):
        el.err("MMS305", f"lock '{n}' is an array: name one instance as {n}[i]", e.span)
        return None
    k = el.expect(e.index, ctx, lk.index_type, f"index of lock {n}")
    v = el.static_value(k.expr)
    if isinstance(v, int) and not ir.in_domain(v, lk.index_type):
        el.err("MMS303", f"{n}[{v}] does not exist", e.index.span)
    return lk, k.expr


def lock_read(el: Elaborator, lk: LockRef, idx: ir.Expr | None, var: str, ctx: Ctx) -> ir.Expr:
    base = ctx.sym.read(var) if ctx.sym else ir.VarRef(var)
    return base if idx is None else index_of(base, idx)


def thread_ref(el: Elaborator, e: S.Expr, ctx: Ctx) -> ir.Expr | None:
    inst = el.process_instance(e, ctx)
    if inst is None:
        return None
    p, idx = inst
    return p.tid_expr(idx)


def lock_predicate(el: Elaborator, e: S.Call, ctx: Ctx) -> TE:
    f = "held" if e.func == "lock_is_held" else e.func  # lockdep's name for held(l)
    if f == "queued_writers":
        return el.queued_writers(e, ctx)
    if f == "locked":
        if not el.nargs(e, 1):
            return TE(FALSE, ERR)
    elif f == "held_by":
        if not el.nargs(e, 2):
            return TE(FALSE, ERR)
    elif not el.nargs(e, (1, 2)):
        return TE(FALSE, ERR)
    ref = el.lock_ref(e.args[0], ctx, f"{f}()")
    tid: ir.Expr | None = None
    if len(e.args) == 2:
        tid = el.thread_ref(e.args[1], ctx)
    elif f != "locked":
        if ctx.thread is None:
            return el.err("MMS315", f"{f}({_show(e.args[0])}) means 'held by this "
                            "thread': outside a process step name the thread", e.span,
                            expected=f"{f}({_show(e.args[0])}, P[i]) or held_by(l, P[i])")
        tid = ctx.thread
    if ref is None or (f != "locked" and tid is None):
        return TE(FALSE, ERR)
    lk, idx = ref
    owner = el.lock_read(lk, idx, lk.owner_var, ctx)
    readers = (el.lock_read(lk, idx, lk.readers_var, ctx)
               if lk.readers_var is not None else None)
    if f == "locked":
        out: ir.Expr = ir.Binary("ne", owner, int_lit(-1))
        if readers is not None:
            out = ir.Binary("or", out, ir.Binary("ne", ir.Unary("card", readers),
                                                 int_lit(0)))
        return TE(_respan(out, e.span), BOOL)
    assert tid is not None
    is_writer = ir.Binary("eq", owner, tid)
    is_reader = ir.Binary("in", tid, readers) if readers is not None else FALSE
    if f == "held_read":
        kind = lock_kind(lk.kind)
        if not kind.shared:
            shared = kinds_text(kinds_where(lambda k: k.shared))
            return el.err("MMS308", f"held_read() needs {shared}; '{lk.name}' is "
                            f"{kind.text()}", e.args[0].span)
        return TE(is_reader, BOOL)
    if f == "held_write":
        return TE(is_writer, BOOL)
    out = is_writer if readers is None else ir.Binary("or", is_writer, is_reader)
    return TE(out, BOOL)


def queued_writers(el: Elaborator, e: S.Call, ctx: Ctx) -> TE:
    """queued_writers(l): how many writers wait in a writer_pref rwsem's queue (the
    state readers defer to; lemmas printed by --engine pdr use it)."""
    if not el.nargs(e, 1):
        return TE(FALSE, ERR)
    ref = el.lock_ref(e.args[0], ctx, "queued_writers()")
    if ref is None:
        return TE(FALSE, ERR)
    lk, idx = ref
    if lk.waiting_var is None:
        return el.err("MMS308", f"queued_writers() needs a writer_pref rwsem; "
                        f"'{lk.name}' has no writer queue", e.args[0].span)
    return TE(_respan(el.lock_read(lk, idx, lk.waiting_var, ctx), e.span),
              ir.IntType(0, MAX_THREADS))
