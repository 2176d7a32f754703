"""`option memory = lkmm`: the view-based weak-memory lowering (docs/memory-model.md).

Every non-ghost scalar `var` is a memory *location*. The lowering adds ordinary IR state:

    x          the coherence-latest value (what invariants and plain conditions read)
    x.old      the older writes still readable by some thread, oldest first (x is the newest)
    x.n        how many writes of x are kept (1..H, counting x itself)
    x.seen[t]  thread t's view of x: the oldest write of x it may still read (index into
               the kept writes); a read that advances it is how a store becomes visible to t
    x.mv[i]    the view write i carries (release writes: the writer's view; relaxed
               writes: the view fixed at the writer's last smp_wmb/smp_mb/lock)
    mem.acq[t] views of writes t read without acquire: smp_rmb() makes them t's own
    mem.rel[t] the view t's relaxed writes carry (set by smp_wmb from mem.own, by smp_mb)
    mem.own[t] t's own latest writes (what smp_wmb orders)
    mem.fence  the global smp_mb view (full fences are totally ordered through it)
    L.mview    the view the last release of lock L published

A read picks any kept write at or after the thread's view (coherence); a write appends
(coherence order = the order writes execute in), after dropping writes no thread can read
any more (so the state stays compact). Writes also run early ("hoisted") past independent
earlier accesses of the same straight-line code (load buffering, 2+2W), tracked by a
per-statement bit `P.early_LABEL`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from mmspec import ir
from mmspec import syntax as S
from mmspec.lkmm_mem import Mem, _max
from mmspec.lkmm_plan import Plan, plan, variables
from mmspec.memops import PRIMS, Prim
from mmspec.typecheck import conj, int_lit

if TYPE_CHECKING:  # pragma: no cover
    from mmspec.lower import _Step

__all__ = ["plan", "variables", "Plan", "Mem", "location_of", "lower_lkmm_prim", "plain_read",
           "after_step", "lock_acquired", "lock_released"]


# --------------------------------------------------------------------------- lowering hooks


def location_of(step: "_Step", e: S.Expr) -> str | None:
    """The memory location a primitive's argument names, or None (a map, record or ghost
    variable stays sequentially consistent)."""
    p: Plan = step.low.mem_plan
    return e.id if isinstance(e, S.Name) and e.id in p.locs and \
        e.id not in step.info.locals else None


def lower_lkmm_prim(step: "_Step", pr: Prim, call: S.CallStmt, target: S.Expr | None) -> bool:
    """Lower one primitive under lkmm into `step`; False leaves it to the sc meaning."""
    p: Plan = step.low.mem_plan
    if pr.kind == "fence":
        step._mem_done = True  # type: ignore[attr-defined]
        m = Mem(p, step)
        m.fence("mb" if pr.ordering == "mb" else (pr.fence or "mb"))
        m.flush()
        return True
    x = location_of(step, call.args[0])
    if x is None:
        return False
    step._mem_done = True  # type: ignore[attr-defined]
    step._span = call.span  # type: ignore[attr-defined]
    ctx = step.ctx()
    el = step.el
    m = Mem(p, step)
    lv = step.lvalue(target, ctx) if target is not None else None
    if target is not None and lv is None:
        return True
    xt = p.types[x]
    if pr.kind == "read":
        i = _pick_index(step, x, m)
        v = m.read(x, i, pr.ordering)
        m.flush()
        assert lv is not None
        _assign(step, lv, v, xt, call)
        return True
    if pr.kind == "write":
        v = el.expect(call.args[1], ctx, xt, f"value written to {x}").expr
        m.write(x, v, pr.ordering == "release")
        m.flush()
        return True
    # read-modify-write: reads the coherence-latest write of x (atomicity)
    args = [el.expect(a, ctx, xt, f"{pr.name} argument").expr for a in call.args[1:]]
    latest = ir.VarRef(x)
    n = ir.VarRef(f"{x}.n")
    last = ir.Binary("sub", n, int_lit(1))
    if pr.kind == "xchg":
        _rmw(m, x, pr, args[0], last)
        m.flush()
        if lv is not None:
            _assign(step, lv, latest, xt, call)
        return True
    # cmpxchg: success reads the latest write and writes; failure is a relaxed read of any
    # visible write whose value differs from `old`, with no ordering
    old, new = args
    ok = el.fresh("cmpxchg_ok", ctx)
    step.taken.add(ok)
    step.params.append(ir.Param(ok, ir.BoolType()))
    okr = ir.ParamRef(ok)
    i = _pick_index(step, x, m)
    succ = Mem(p, step)
    _rmw(succ, x, pr, new, last)
    fail = Mem(p, step)
    got = fail.read(x, i, "relaxed")
    step.guards.append(ir.Ite(okr, conj([ir.Binary("eq", i, last),
                                         ir.Binary("eq", latest, old)]),
                              ir.Binary("ne", got, old)))
    for key in dict.fromkeys(list(succ.cells) + list(fail.cells)):
        m.set(ir.Ite(okr, succ.get(*key), fail.get(*key)), *key)
    for x2, s2 in succ.shift.items():
        m.shift[x2] = ir.Ite(okr, s2, int_lit(0))
    m.flush()
    if lv is not None:
        _assign(step, lv, ir.Ite(okr, latest, got), xt, call)
    return True


def _rmw(m: Mem, x: str, pr: Prim, new: ir.Expr, last: ir.Expr) -> None:
    if pr.ordering == "mb":
        m.fence("mb")
    m.read(x, last, "acquire" if pr.ordering == "acquire" else "relaxed")
    m.write(x, new, pr.ordering in ("release", "mb"))
    if pr.ordering == "mb":
        m.fence("mb")


def _pick_index(step: "_Step", x: str, m: Mem) -> ir.Expr:
    """A fresh parameter: which kept write of x the read returns (seen <= i < n)."""
    name = step.el.fresh(f"{x}_w", step.ctx())
    step.taken.add(name)
    step.params.append(ir.Param(name, m.p.idx_t))
    i = ir.ParamRef(name)
    step.guards.append(conj([ir.Binary("le", m.get("seen", x), i),
                             ir.Binary("lt", i, m.get("n", x))]))
    return i


def _assign(step: "_Step", lv: tuple[str, tuple[ir.Expr | str, ...], ir.Type], value: ir.Expr, vt: ir.Type, call: S.CallStmt) -> None:
    root, path, t = lv
    if t != vt and not (isinstance(t, ir.IntType) and isinstance(vt, ir.IntType)):
        step.el.err("MMS301", f"{call.func}() returns a value of the location's type",
                    call.span)
        return
    step.write(root, path, value)


# --------------------------------------------------------------------------- other hooks


def plain_read(step: "_Step", target: S.Expr, value: S.Expr) -> bool:
    """`r := x` for a location x: a relaxed (READ_ONCE-like) read."""
    if not (isinstance(value, S.Name) and value.id in step.low.mem_plan.locs and
            value.id not in step.info.locals):
        return False
    call = S.CallStmt("READ_ONCE", (value,), span=value.span, func_span=value.span)
    step._mem_done = True  # type: ignore[attr-defined]
    return lower_lkmm_prim(step, PRIMS["READ_ONCE"], call, target)


def after_step(step: "_Step", stmt: S.Stmt) -> None:
    """Writes of locations by plain assignments (relaxed) or inside `atomic` (a fully
    ordered read-modify-write of the latest values) become history appends."""
    if getattr(step, "_mem_done", False):
        return
    p: Plan = step.low.mem_plan
    written = [x for x in p.locs if x in step.sym.written()]
    if not written:
        return
    step._span = stmt.span  # type: ignore[attr-defined]
    atomic = isinstance(stmt, S.Atomic)
    m = Mem(p, step)
    if atomic:
        m.fence("mb")
    for x in written:
        m.write(x, step.sym.read(x), release=atomic)
    if atomic:
        m.fence("mb")
    m.flush()


def lock_acquired(step: "_Step", lock: str, idx: ir.Expr | None,
                  when: ir.Expr | None) -> None:
    """A lock acquire reads the view its last release published (acquire); after an unlock
    of the same thread it also orders earlier reads and writes against later ones (LKMM's
    po-unlock-lock-po), and the holder's later writes carry the releaser's view."""
    p: Plan = step.low.mem_plan
    if lock not in p.lock_views:
        return
    m = Mem(p, step)
    got = Mem(p, step)
    lv = {y: got.get("lv", lock, idx, y) for y in p.locs}
    got.join_into("seen", lv)
    got.join_into("rel", lv)
    node = getattr(step, "_node", None)
    if node is not None and node.id in p.after_unlock.get(step.info.name, set()):
        got.fence("rmb")
        got.fence("wmb")
    for key in got.cells:
        m.set(got.cells[key] if when is None else ir.Ite(when, got.cells[key],
                                                         got.pre(key)), *key)
    m.flush()


def lock_released(step: "_Step", lock: str, idx: ir.Expr | None) -> None:
    """A release publishes the releaser's view (cumulative) with the lock."""
    p: Plan = step.low.mem_plan
    if lock not in p.lock_views:
        return
    m = Mem(p, step)
    for y in p.locs:
        m.set(_max(m.get("lv", lock, idx, y), m.get("seen", y)), "lv", lock, idx, y)
    m.flush()
