"""The variables the lowering adds: per-lock owner/readers/queue/subclass variables, process
locals and program counters, and the memory model's variables. Part of the lowering
(`_Lowering` delegates here).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from mmspec import ir
from mmspec import syntax as S
from mmspec.lockflow import check_releases
from mmspec.lockops import MAX_SUBCLASS
from mmspec.lockkinds import kinds_text, kinds_where, lock_kind
from mmspec.lowerstep import _Step as _Step
from mmspec.typecheck import ErrType, LockRef

if TYPE_CHECKING:
    from mmspec.lower import _Lowering


def default_subclass(low: _Lowering, st: S.CallStmt) -> tuple[str, int] | None:
    """lockdep_set_subclass(l, n): every acquisition of l without a subclass of its own uses
    n. Static, as lockdep_set_class(): the kernel calls it at init, before l is taken, so
    it holds for the whole run; a second, different subclass for l is an error."""
    a = st.args[0] if len(st.args) == 2 else None
    if a is None or not isinstance(a, S.Name) or a.id not in low.sy.locks:
        low.el.err("MMS312", "lockdep_set_subclass() takes a lock and a subclass", st.span,
                   expected="lockdep_set_subclass(l, n) for a declared lock (not an array)")
        return None
    n = subclass_value(low, st.args[1])
    if n is None:
        return None
    old = low.default_subclass.get(a.id)
    if old is not None and old != n:
        low.el.err("MMS308", f"lockdep_set_subclass({a.id}, {n}): '{a.id}' already has "
                   f"subclass {old}", st.span, expected="one default subclass per lock")
        return None
    low.default_subclass[a.id] = n
    return a.id, n


def subclass_value(low: _Lowering, e: S.Expr) -> int | None:
    """A lockdep subclass argument: a constant in 0..MAX_SUBCLASS (else an error, None)."""
    n = low.el.const_int(e, "a lockdep subclass")
    if n is not None and not 0 <= n <= MAX_SUBCLASS:
        low.el.err("MMS303", f"lockdep subclass {n} is out of range 0..{MAX_SUBCLASS}",
                   e.span)
        return None
    return n


def lock_variables(low: _Lowering) -> None:
    low.lock_infos = []
    nested = low.nested_usage()
    T = low.n_threads
    tid_t = low.el.tid_type
    owner_t = ir.IntType(-1, T - 1, symmetric="@thread")
    for name, d in low.sy.locks.items():
        itype: ir.Type | None = None
        if d.index is not None:
            t = low.el.resolve_type(d.index)
            if isinstance(t, ErrType):
                continue
            if not low.el.check_key_type(t, d.index.span, "a lock array index"):
                continue
            itype = t
        n_inst = 1 if itype is None else ir.domain_size(itype)

        def wrap(t: ir.Type, v: ir.Value) -> tuple[ir.Type, ir.Value]:
            if itype is None:
                return t, v
            return ir.MapType(itype, t), tuple(v for _ in range(n_inst))

        ot, ov = wrap(owner_t, -1)
        low.variables.append(ir.Variable(f"{name}.owner", ot, (ov,), "lock", span=d.span))
        readers = queued = sub = None
        kind = lock_kind(d.kind)
        if kind.shared:
            readers = f"{name}.readers"
            rt, rv = wrap(ir.SetType(tid_t), frozenset())
            low.variables.append(ir.Variable(readers, rt, (rv,), "lock", span=d.span))
        if d.writer_pref and kind.writer_pref:
            queued = f"{name}.queued"
            qt, qv = wrap(ir.IntType(0, max(T, 1)), 0)
            low.variables.append(ir.Variable(queued, qt, (qv,), "lock", span=d.span))
        elif d.writer_pref:
            prefer = kinds_text(kinds_where(lambda k: k.writer_pref))
            low.el.err("MMS308", f"writer_pref applies to {prefer}, not {kind.text()}",
                       d.span)
        maxn = nested.get(name)
        if maxn is not None:
            sub = f"{name}.sub"
            st, sv = wrap(ir.MapType(tid_t, ir.IntType(0, maxn)), tuple(0 for _ in range(T)))
            low.variables.append(ir.Variable(sub, st, (sv,), "lock", span=d.span))
        low.el.locks[name] = LockRef(name, d.kind, d.writer_pref and kind.writer_pref,
                                      itype, f"{name}.owner", readers, queued, sub,
                                      maxn or 0, d.span)
        low.lock_infos.append(ir.LockInfo(name, d.kind, d.cls or name, f"{name}.owner",
                                           readers, queued, bool(queued), itype, sub,
                                           span=d.span))


def process_variables(low: _Lowering) -> None:
    for name, d in low.sy.processes.items():
        info = low.el.processes.get(name)
        cfg = low.cfgs.get(name)
        if info is None or cfg is None or info.pc_type is None:
            continue
        pc_t = info.pc_type
        entry = pc_t.members.index(cfg.point_label(cfg.entry))
        if info.param_type is None:
            low.variables.append(ir.Variable(f"{name}.pc", pc_t, (entry,), "pc", name,
                                              span=d.span))
        else:
            low.variables.append(ir.Variable(
                f"{name}.pc", ir.MapType(info.param_type, pc_t),
                (tuple(entry for _ in range(info.count)),), "pc", name, span=d.span))
        for lv in cfg.locals:
            decl = lv.decl
            if decl.name in info.locals or decl.name == info.param:
                low.sink.error("MMS201", f"local '{decl.name}' is already declared in "
                                f"process '{name}'", decl.name_span)
                continue
            t = low.el.resolve_type(decl.type)
            if isinstance(t, ErrType):
                continue
            var = f"{name}.{decl.name}"
            if info.param_type is None:
                init = low.init_values(decl, t)
                vt: ir.Type = t
            else:
                init = low.init_values(decl, t, info.count)
                vt = ir.MapType(info.param_type, t)
            if not init:
                continue
            info.locals[decl.name] = (var, t)
            if "." in decl.name:  # a proc local `f.t`: reset to this when f returns
                one = low.init_values(decl, t)
                if one:
                    low.proc_local_init[(name, decl.name)] = ir.Lit(one[0], t)
            low.variables.append(ir.Variable(var, vt, init,
                                              "ghost" if decl.ghost else "local", name,
                                              span=decl.span))
        check_releases(cfg, low.el, low.sink)


def memory_variables(low: _Lowering) -> None:
    """lkmm: the view-based memory state and the early-write bits (mmspec/lkmm.py)."""
    from mmspec import lkmm
    low.mem_plan = lkmm.plan(low)
    low.variables.extend(lkmm.variables(low.mem_plan, low))
    for pname, bits in low.mem_plan.early.items():
        info = low.el.processes[pname]
        for var in bits.values():
            t: ir.Type = ir.BoolType()
            init: ir.Value = 0
            if info.param_type is not None:
                t, init = ir.MapType(info.param_type, t), tuple(0 for _ in
                                                                 range(info.count))
            low.variables.append(ir.Variable(var, t, (init,), "local", pname))
