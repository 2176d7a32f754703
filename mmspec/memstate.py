"""The memory model's state (`option memory = lkmm`, docs/memory-model.md), readable in
expressions, and spelt back by the pdr engine's lemma printer.

Each call reads one variable of the view-based lowering (mmspec/lkmm_plan.py); `x` and `y`
are memory locations (the spec's variables), `T` a thread (`P` or `P[i]`), `k` an index into
the kept writes of `x`, oldest first:

    mem_old(x, k)          x.old[k]       an older write of x still readable by some thread
    mem_writes(x)          x.n            how many writes of x are kept (x itself is the last)
    mem_seen(x, T)         x.seen[T]      T's view of x: the oldest kept write T may read
    mem_carried(x, k, y)   x.mv[k][y]     the view of y that write k of x carries
    mem_acq(T, y)          mem.acq[T][y]  views T read without acquire (smp_rmb's)
    mem_rel(T, y)          mem.rel[T][y]  the view T's relaxed writes carry
    mem_own(T, y)          mem.own[T][y]  T's own latest write of y
    mem_fence(y)           mem.fence[y]   the global smp_mb view
    mem_lock_view(L, y)    L.mview[y]     the view the last release of lock L published
    ran_early(T, label)    P.early_label  the write at `label` ran ahead of program order

A variable the spec's primitives do not need does not exist; reading it is an error
(MMS315) rather than a value, because its default would be a guess about the model.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from mmspec import ir
from mmspec import syntax as S
from mmspec.checkctx import Ctx
from mmspec.typerules import BOOL, ERR, FALSE, TE, _respan, index_of, int_lit

if TYPE_CHECKING:
    from mmspec.typecheck import Elaborator

PER_THREAD = ("acq", "rel", "own")
# call -> its parameters. `base`: the location that names the variable (x.old); `loc`: a
# location used as a key; `thread`: a thread id key; `proc`: the thread whose process names
# the variable (P.early_label; its index, if any, is the key); `label` names it too;
# `index`: a kept write; `lock`: names the variable (L.mview; its index, if any, is a key)
CALLS: dict[str, tuple[str, ...]] = {
    "mem_old": ("base", "index"), "mem_writes": ("base",), "mem_seen": ("base", "thread"),
    "mem_carried": ("base", "index", "loc"), "mem_acq": ("thread", "loc"),
    "mem_rel": ("thread", "loc"), "mem_own": ("thread", "loc"), "mem_fence": ("loc",),
    "mem_lock_view": ("lock", "loc"), "ran_early": ("proc", "label"),
}


def variable(func: str, names: list[str]) -> str:
    """The lowering's variable behind a call; `names` are its location/lock/process/label
    arguments that name it."""
    if func in ("mem_acq", "mem_rel", "mem_own"):
        return f"mem.{func[4:]}"
    if func == "mem_fence":
        return "mem.fence"
    if func == "mem_lock_view":
        return f"{names[0]}.mview"
    if func == "ran_early":
        return f"{names[0]}.early_{names[1]}"
    field = {"mem_old": "old", "mem_writes": "n", "mem_seen": "seen", "mem_carried": "mv"}
    return f"{names[0]}.{field[func]}"


# ---------------------------------------------------------------------- reading (typing)


def read_call(el: Elaborator, e: S.Call, ctx: Ctx) -> TE:
    params = CALLS[e.func]
    if not el.nargs(e, len(params)):
        return TE(FALSE, ERR)
    names: list[str] = []
    keys: list[ir.Expr] = []
    for p, a in zip(params, e.args):
        if not _arg(el, p, a, ctx, names, keys):
            return TE(FALSE, ERR)
    var = variable(e.func, names)
    t = el.state_types.get(var)
    if t is None:
        return el.err("MMS315", f"{e.func}() reads '{var}', which this spec's memory model "
                      "does not keep", e.span, expected="option memory = lkmm, and a "
                      "primitive that needs it (docs/memory-model.md)")
    out: ir.Expr = ctx.sym.read(var) if ctx.sym else ir.VarRef(var)
    for k in keys:
        if not isinstance(t, ir.MapType):
            break
        out, t = index_of(out, k), t.value
    return TE(_respan(out, e.span), BOOL if isinstance(t, ir.BoolType) else t)


def _arg(el: Elaborator, p: str, a: S.Expr, ctx: Ctx, names: list[str],
         keys: list[ir.Expr]) -> bool:
    """Add what one argument contributes to the variable's name and to its keys."""
    if p == "thread":
        tid = el.thread_ref(a, ctx)
        keys.extend([tid] if tid is not None else [])
        return tid is not None
    if p == "proc":
        inst = el.process_instance(a, ctx)
        if inst is None:
            el.err("MMS206", "expected a thread: P or P[i]", a.span)
            return False
        names.append(inst[0].name)
        keys.extend([inst[1]] if inst[1] is not None else [])
        return True
    if p == "index":
        keys.append(el.expect(a, ctx, ir.IntType(0, 64), "index of a kept write").expr)
        return True
    if p == "lock":
        ref = el.lock_ref(a, ctx, "mem_lock_view()")
        if ref is not None:
            names.append(ref[0].name)
            keys.extend([ref[1]] if ref[1] is not None else [])
        return ref is not None
    if not isinstance(a, S.Name):
        el.err("MMS204", "expected a name here", a.span)
        return False
    if p == "label":
        names.append(a.id)
        return True
    locs = _locations(el)
    if a.id not in locs:
        el.err("MMS204", f"'{a.id}' is not a memory location", a.span,
               expected="a variable the memory model keeps (option memory = lkmm)")
        return False
    if p == "base":
        names.append(a.id)
    else:
        keys.append(ir.Lit(locs.index(a.id), ir.EnumType("memloc", tuple(locs))))
    return True


def _locations(el: Elaborator) -> list[str]:
    """The memory locations, in the order of the lowering's `memloc` enum (without one, as
    when no view map needs it, every variable with a `.seen` view)."""
    for t in el.state_types.values():
        while isinstance(t, ir.MapType):
            if isinstance(t.key, ir.EnumType) and t.key.name == "memloc":
                return list(t.key.members)
            t = t.value
    return [v[:-5] for v in el.state_types if v.endswith(".seen")]


# ---------------------------------------------------------------------- spelling (printing)


Who = Callable[[int | str], str]  # a thread id as the spec names the thread


def spell(spec: ir.Spec, var: str, path: tuple[int | str, ...], who: Who) -> str | None:
    """`mem_seen(x, reader[1])` for the slot x.seen[1], ...; None if `var` is not the
    memory model's."""
    shown = keys_shown(spec, var, path)
    base, _, field = var.rpartition(".")
    for speller in (_view_spelling, _early_spelling, _history_spelling):
        got = speller(spec, var, base, field, shown, who)
        if got is not None:
            return got
    return None


def _view_spelling(spec: ir.Spec, var: str, base: str, field: str,
                   path: tuple[int | str, ...], who: Who) -> str | None:
    """mem.acq/rel/own[T][y], mem.fence[y] and a lock's L.mview[y]."""
    if base == "mem" and field in PER_THREAD and len(path) == 2:
        return f"mem_{field}({who(path[0])}, {path[1]})"
    if var == "mem.fence" and len(path) == 1:
        return f"mem_fence({path[0]})"
    lk = next((lk for lk in spec.locks if lk.name == base), None) if field == "mview" else None
    if lk is None or not path:
        return None
    name = f"{base}[{path[0]}]" if lk.index_type is not None else base
    return f"mem_lock_view({name}, {path[-1]})"


def _early_spelling(spec: ir.Spec, var: str, base: str, field: str,
                    path: tuple[int | str, ...], who: Who) -> str | None:
    """A process's bit for a write that ran ahead of program order (P.early_label)."""
    v = spec.variable(var)
    if not field.startswith("early_") or v.kind != "local" or v.process != base:
        return None
    proc = f"{base}[{path[0]}]" if isinstance(v.type, ir.MapType) and path else base
    return f"ran_early({proc}, {field[len('early_'):]})"


def _history_spelling(spec: ir.Spec, var: str, base: str, field: str,
                      path: tuple[int | str, ...], who: Who) -> str | None:
    """A location's kept writes, their count, the threads' views and the carried views."""
    shapes = {"old": (1, "mem_old({x}, {0})"), "n": (0, "mem_writes({x})"),
              "seen": (1, "mem_seen({x}, {t0})"), "mv": (2, "mem_carried({x}, {0}, {1})")}
    if spec.variable(var).kind != "ghost" or field not in shapes or \
            len(path) != shapes[field][0] or not _is_location(spec, base):
        return None
    keys = [str(p) for p in path]
    return shapes[field][1].format(*keys, x=base, t0=who(path[0]) if path else "")


def _is_location(spec: ir.Spec, name: str) -> bool:
    return any(v.name == name and v.kind == "state" for v in spec.variables) and \
        any(v.name == f"{name}.seen" for v in spec.variables)


def keys_shown(spec: ir.Spec, var: str, path: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """The path with enum keys (memory locations, enum lock indices) as their names."""
    from mmspec.glayout import display_scalar  # the printer's side only (start-up time)
    t = spec.variable(var).type
    out: list[int | str] = []
    for p in path:
        if not isinstance(t, ir.MapType):
            out.append(p)
            continue
        out.append(str(display_scalar(t.key, p)) if isinstance(p, int) and
                   isinstance(t.key, ir.EnumType) else p)
        t = t.value
    return tuple(out)
