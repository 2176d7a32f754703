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

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

from mmspec import ir
from mmspec import syntax as S
from mmspec.lockops import OPS
from mmspec.memops import PRIMS, Prim
from mmspec.typecheck import conj, int_lit, neg, zero_value

if TYPE_CHECKING:  # pragma: no cover
    from mmspec.cfg import ProcessCFG
    from mmspec.lower import _Lowering, _Step

MAX_HISTORY = 6
DEFAULT_MAX_HISTORY = 4
HOIST_WINDOW = 4


@dataclass
class Plan:
    """What the whole spec needs: its locations, the history bound and which views exist."""

    locs: tuple[str, ...]
    types: dict[str, ir.Type]
    history: int
    threads: int
    acq: bool = False
    rel: bool = False
    own: bool = False
    fence: bool = False
    mv: bool = False  # writes carry views (any ordering primitive, fence or lock is used)
    lock_views: dict[str, ir.Type | None] = field(default_factory=dict)
    after_unlock: dict[str, set[int]] = field(default_factory=dict)  # lock nodes an unlock
    # of the same thread may precede (LKMM's po-unlock-lock-po), per process
    hoists: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    early: dict[str, dict[int, str]] = field(default_factory=dict)  # process: node -> var

    @property
    def loc_t(self) -> ir.EnumType:
        return ir.EnumType("memloc", self.locs)

    @property
    def idx_t(self) -> ir.IntType:
        return ir.IntType(0, self.history - 1)

    @property
    def tid_t(self) -> ir.IntType:
        """Thread ids as map keys: `@thread`, so --symmetry permutes views with threads."""
        return ir.IntType(0, max(self.threads - 1, 0), symmetric="@thread")

    def loc(self, x: str) -> ir.Lit:
        return ir.Lit(self.locs.index(x), self.loc_t)


# --------------------------------------------------------------------------- planning


def _stmts(cfg: "ProcessCFG") -> Iterable[S.Stmt]:
    for n in cfg.nodes:
        if n.stmt is not None and n.kind == "simple":
            yield from _flat(n.stmt)


def _flat(st: S.Stmt) -> Iterable[S.Stmt]:
    yield st
    if isinstance(st, S.Atomic):
        for s in st.body:
            yield from _flat(s)
    if isinstance(st, S.If):
        for s in st.then + (st.other or ()):
            yield from _flat(s)


def plan(low: "_Lowering") -> Plan:
    """Locations, the history bound, which views the spec's primitives need, hoistable
    writes. Reports what lkmm cannot model (an action writing a location)."""
    sy = low.sy
    locs: list[str] = []
    types: dict[str, ir.Type] = {}
    for name, d in sy.vars.items():
        t = low.el.var_type(name)
        if not d.ghost and ir.is_scalar(t):  # type: ignore[arg-type]
            locs.append(name)
            types[name] = t  # type: ignore[assignment]
    p = Plan(tuple(locs), types, 2, low.n_threads)
    writes: dict[str, int] = {x: 0 for x in locs}
    for pname, cfg in low.cfgs.items():
        info = low.el.processes.get(pname)
        times = info.count if info is not None else 1  # every instance runs the statement
        for st in _stmts(cfg):
            calls = [st] if isinstance(st, S.CallStmt) else \
                [v for v in st.values if isinstance(v, S.Call)] if isinstance(st, S.Assign) \
                else []
            if any(c.func in PRIMS and PRIMS[c.func].ordering != "relaxed" for c in calls):
                p.mv = True
            if isinstance(st, S.CallStmt) and st.func in PRIMS:
                pr = PRIMS[st.func]
                if pr.kind == "fence":
                    if pr.fence == "rmb":
                        p.acq = True
                    elif pr.fence == "wmb":
                        p.rel = p.own = True
                    else:
                        p.fence = p.rel = p.acq = True
                if pr.kind in ("xchg", "cmpxchg") and pr.ordering == "mb":
                    p.fence = p.rel = p.acq = True
                root = _root(st.args[0]) if st.args else None
                if root in writes and pr.kind != "read":
                    writes[root] += times
            elif isinstance(st, S.Assign):
                for tg in st.targets:
                    r = _root(tg)
                    if r in writes:
                        writes[r] += times
                for v in st.values:
                    if isinstance(v, S.Call) and v.func in PRIMS:
                        pr = PRIMS[v.func]
                        if pr.kind in ("xchg", "cmpxchg") and pr.ordering == "mb":
                            p.fence = p.rel = p.acq = True
                        r = _root(v.args[0]) if v.args else None
                        if r in writes and pr.kind != "read":
                            writes[r] += times
            elif isinstance(st, S.Atomic):
                p.fence = p.rel = p.acq = True  # an atomic block is a fully ordered RMW
            elif isinstance(st, S.CallStmt) and st.func in OPS:
                op = OPS[st.func]
                lk = _root(st.args[0]) if st.args else None
                if lk is not None and lk in sy.locks:
                    p.rel = p.own = p.acq = True
                    p.lock_views[lk] = None
    for li in low.lock_infos:
        if li.name in p.lock_views:
            p.lock_views[li.name] = li.index_type
    most = max(writes.values(), default=0)
    p.history = max(2, min(1 + most, DEFAULT_MAX_HISTORY))
    for o in sy.options:
        if o.name == "memory_history":
            n = low.el.const_int(o.value, "option memory_history")
            if n is not None and 2 <= n <= MAX_HISTORY:
                p.history = n
            elif n is not None:
                low.sink.error("MMS318", f"option memory_history takes 2..{MAX_HISTORY}",
                               o.value.span)
    for pname, cfg in low.cfgs.items():
        p.after_unlock[pname] = _after_unlock(cfg)
        locals_ = {lv.decl.name for lv in cfg.locals}
        pairs = hoist_pairs(cfg, set(p.locs), locals_)
        p.hoists[pname] = pairs
        p.early[pname] = {s_id: f"{pname}.early_{cfg.nodes[s_id].label}"
                          for s_id in dict.fromkeys(s_id for _, s_id in pairs)}
    return p


def _lock_action(st: S.Stmt | None) -> str | None:
    for x in _flat(st) if st is not None else ():
        if isinstance(x, S.CallStmt) and x.func in OPS:
            return OPS[x.func].action
        if isinstance(x, S.Assign) and any(isinstance(v, S.Call) and v.func in OPS
                                           for v in x.values):
            return "trylock"
    return None


def _after_unlock(cfg: "ProcessCFG") -> set[int]:
    """Nodes with a lock acquire that some path reaches after a lock release."""
    succ: dict[int, set[int]] = {}
    for pt, alts in cfg.alts.items():
        for a in alts:
            if a.node.id >= 0:
                succ.setdefault(a.node.id, set()).add(a.next)
            succ.setdefault(pt, set()).add(a.next)
    todo = [n.id for n in cfg.nodes if n.kind == "simple" and
            _lock_action(n.stmt) in ("release", "downgrade")]
    seen: set[int] = set()
    while todo:
        n = todo.pop()
        for m in succ.get(n, ()):
            if m not in seen:
                seen.add(m)
                todo.append(m)
    return {n for n in seen if n < len(cfg.nodes) and
            _lock_action(cfg.nodes[n].stmt) in ("acquire", "acquire_queued", "trylock")}


def _root(e: S.Expr) -> str | None:
    while isinstance(e, (S.IndexExpr, S.FieldExpr)):
        e = e.base
    return e.id if isinstance(e, S.Name) else None


def variables(p: Plan, low: "_Lowering") -> list[ir.Variable]:
    """The memory-model state, with its initial values (every view at the initial write)."""
    out: list[ir.Variable] = []
    H, idx, tid, loc = p.history, p.idx_t, p.tid_t, p.loc_t
    zero_views = tuple(0 for _ in p.locs)
    for x in p.locs:
        t = p.types[x]
        out.append(ir.Variable(f"{x}.old", ir.MapType(ir.IntType(0, H - 2), t),
                               (tuple(zero_value(t) for _ in range(H - 1)),), "ghost"))
        out.append(ir.Variable(f"{x}.n", ir.IntType(1, H), (1,), "ghost"))
        out.append(ir.Variable(f"{x}.seen", ir.MapType(tid, idx),
                               (tuple(0 for _ in range(p.threads)),), "ghost"))
        if needs_mv(p):
            out.append(ir.Variable(f"{x}.mv", ir.MapType(idx, ir.MapType(loc, idx)),
                                   (tuple(zero_views for _ in range(H)),), "ghost"))
    per_thread = ir.MapType(tid, ir.MapType(loc, idx))
    init = (tuple(zero_views for _ in range(p.threads)),)
    for name, on in (("acq", p.acq), ("rel", p.rel), ("own", p.own)):
        if on:
            out.append(ir.Variable(f"mem.{name}", per_thread, init, "ghost"))
    if p.fence:
        out.append(ir.Variable("mem.fence", ir.MapType(loc, idx), (zero_views,), "ghost"))
    for lk, it in p.lock_views.items():
        if it is None:
            out.append(ir.Variable(f"{lk}.mview", ir.MapType(loc, idx), (zero_views,),
                                   "ghost"))
        else:
            n = ir.domain_size(it)
            out.append(ir.Variable(f"{lk}.mview", ir.MapType(it, ir.MapType(loc, idx)),
                                   (tuple(zero_views for _ in range(n)),), "ghost"))
    return out


def needs_mv(p: Plan) -> bool:
    return p.mv or p.acq or p.rel or p.fence or bool(p.lock_views)


# --------------------------------------------------------------------------- one step


def _max(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    if a == b:
        return a
    if isinstance(a, ir.Lit) and a.value == 0:
        return b
    if isinstance(b, ir.Lit) and b.value == 0:
        return a
    return ir.Binary("max", a, b)


def _sub0(a: ir.Expr, s: ir.Expr) -> ir.Expr:
    """max(0, a - s)."""
    if isinstance(s, ir.Lit) and s.value == 0:
        return a
    return ir.Binary("max", int_lit(0), ir.Binary("sub", a, s))


def _idx(base: ir.Expr, *keys: ir.Expr) -> ir.Expr:
    for k in keys:
        base = ir.Index(base, k)
    return base


class Mem:
    """The memory state as one step changes it: a cache of cell expressions over the
    pre-state, composed in program order, written back to the step at the end."""

    def __init__(self, p: Plan, step: "_Step"):
        self.p = p
        self.step = step
        tid = step.base.thread
        assert tid is not None
        self.tid = tid
        self.cells: dict[tuple[Any, ...], ir.Expr] = {}
        self.shift: dict[str, ir.Expr] = {}  # per location: accumulated GC shift of others

    # -- cell access
    def pre(self, key: tuple[Any, ...]) -> ir.Expr:
        kind = key[0]
        p = self.p
        if kind == "seen":  # ('seen', x) of this thread
            return _idx(ir.VarRef(f"{key[1]}.seen"), self.tid)
        if kind in ("acq", "rel", "own"):  # (kind, y) of this thread
            if not getattr(p, kind):
                return int_lit(0)
            return _idx(ir.VarRef(f"mem.{kind}"), self.tid, p.loc(key[1]))
        if kind == "fence":
            return _idx(ir.VarRef("mem.fence"), p.loc(key[1])) if p.fence else int_lit(0)
        if kind == "n":
            return ir.VarRef(f"{key[1]}.n")
        if kind == "val":  # ('val', x, k): kept write k (k < H-1 from x.old)
            return _idx(ir.VarRef(f"{key[1]}.old"), int_lit(key[2]))
        if kind == "latest":
            return ir.VarRef(key[1])
        if kind == "mv":  # ('mv', x, k, y)
            if not needs_mv(p):
                return int_lit(0)
            return _idx(ir.VarRef(f"{key[1]}.mv"), int_lit(key[2]), p.loc(key[3]))
        if kind == "lv":  # ('lv', lock, idx-expr-or-None, y)
            base: ir.Expr = ir.VarRef(f"{key[1]}.mview")
            if key[2] is not None:
                base = ir.Index(base, key[2])
            return ir.Index(base, p.loc(key[3]))
        raise KeyError(key)

    def get(self, *key: object) -> ir.Expr:
        k = tuple(key)
        return self.cells[k] if k in self.cells else self.pre(k)

    def set(self, value: ir.Expr, *key: object) -> None:
        self.cells[tuple(key)] = value

    # -- values of kept writes
    def value_at(self, x: str, i: ir.Expr) -> ir.Expr:
        """Kept write i of x (i an expression; the last kept write is x itself)."""
        H = self.p.history
        out: ir.Expr = self.get("latest", x)
        n = self.get("n", x)
        for k in range(H - 2, -1, -1):
            out = ir.Ite(ir.Binary("and", ir.Binary("eq", i, int_lit(k)),
                                   ir.Binary("ne", n, int_lit(k + 1))),
                         self.get("val", x, k), out)
        return out

    def mv_at(self, x: str, i: ir.Expr, y: str) -> ir.Expr:
        out: ir.Expr = int_lit(0)
        for k in range(self.p.history - 1, -1, -1):
            out = ir.Ite(ir.Binary("eq", i, int_lit(k)), self.get("mv", x, k, y), out) \
                if k != self.p.history - 1 else self.get("mv", x, k, y)
        return out

    def join_into(self, kind: str, view: dict[str, ir.Expr]) -> None:
        for y, v in view.items():
            self.set(_max(self.get(kind, y), v), kind, y)

    def view(self, kind: str) -> dict[str, ir.Expr]:
        return {y: self.get(kind, y) for y in self.p.locs}

    # -- the operations
    def read(self, x: str, i: ir.Expr, ordering: str) -> ir.Expr:
        """Read kept write i of x (the caller guarded seen <= i < n). Returns the value."""
        value = self.value_at(x, i)
        self.set(i, "seen", x)
        carried = {y: self.mv_at(x, i, y) for y in self.p.locs if y != x}
        if ordering in ("acquire", "consume", "mb"):
            self.join_into("seen", carried)
        elif self.p.acq:
            self.join_into("acq", carried)
        return value

    def fence(self, kind: str) -> None:
        p = self.p
        if kind in ("rmb", "mb") and p.acq:
            self.join_into("seen", self.view("acq"))
            for y in p.locs:
                self.set(int_lit(0), "acq", y)
        if kind == "wmb" and p.rel:
            self.join_into("rel", self.view("own"))
        if kind == "mb" and p.fence:
            for y in p.locs:
                g = _max(self.get("fence", y), self.get("seen", y))
                self.set(g, "fence", y)
                self.set(g, "seen", y)
            if p.rel:
                for y in p.locs:
                    self.set(self.get("seen", y), "rel", y)

    def write(self, x: str, value: ir.Expr, release: bool) -> None:
        """Append a write of x: first drop the writes no other thread can still read."""
        p, H = self.p, self.p.history
        n = self.get("n", x)
        others = [u for u in range(p.threads)]
        s: ir.Expr | None = None
        for u in others:
            su = ir.Ite(ir.Binary("eq", self.tid, int_lit(u)), n,
                        self.other_seen(x, u))
            s = su if s is None else ir.Binary("min", s, su)
        assert s is not None
        self.step.checks.append(ir.Check(
            ir.Binary("lt", ir.Binary("sub", n, s), int_lit(H)),
            f"LIMITATION: more than {H} writes of '{x}' are still readable by some thread; "
            "raise `option memory_history`", "assertion", "fire", self.step_span()))
        new_i = ir.Binary("sub", n, s)  # index of the new write after the shift
        # the kept writes, shifted down by s
        entries = [self.value_at(x, ir.Binary("add", int_lit(k), s)) for k in range(H - 1)]
        mvs = {(k, y): self.mv_at(x, ir.Binary("add", int_lit(k), s), y)
               for k in range(H) for y in p.locs} if needs_mv(p) else {}
        carried = self.view("seen") if release else self.view("rel")
        for k in range(H - 1):
            keep = ir.Binary("lt", int_lit(k), new_i)
            self.set(ir.Ite(keep, entries[k], zero_value_lit(p.types[x])), "val", x, k)
        if needs_mv(p):
            for k in range(H):
                keep = ir.Binary("lt", int_lit(k), new_i)
                is_new = ir.Binary("eq", int_lit(k), new_i)
                for y in p.locs:
                    new_v = int_lit(0) if y == x else carried[y]
                    self.set(ir.Ite(keep, mvs[(k, y)], ir.Ite(is_new, new_v, int_lit(0))),
                             "mv", x, k, y)
            for z in p.locs:  # other locations' carried views of x
                if z == x:
                    continue
                for k in range(H):
                    self.set(_sub0(self.get("mv", z, k, x), s), "mv", z, k, x)
        for kind in ("acq", "rel", "own", "fence"):
            if getattr(p, kind):
                self.set(_sub0(self.get(kind, x), s), kind, x)
        for lk, it in p.lock_views.items():
            for key in _lock_keys(it):
                self.set(_sub0(self.get("lv", lk, key, x), s), "lv", lk, key, x)
        self.shift[x] = s if x not in self.shift else ir.Binary("add", self.shift[x], s)
        self.set(ir.Binary("add", new_i, int_lit(1)), "n", x)
        self.set(value, "latest", x)
        self.set(new_i, "seen", x)
        if p.own:
            self.set(new_i, "own", x)

    def other_seen(self, x: str, u: int) -> ir.Expr:
        pre = _idx(ir.VarRef(f"{x}.seen"), int_lit(u))
        return ir.Binary("sub", pre, self.shift[x]) if x in self.shift else pre

    def step_span(self) -> ir.Span:
        return getattr(self.step, "_span", ir.NO_SPAN)

    # -- back into the step
    def flush(self) -> None:
        p, step, tid = self.p, self.step, self.tid
        for key, v in self.cells.items():
            kind = key[0]
            if kind == "latest":
                step.write(key[1], (), v)
            elif kind == "n":
                step.write(f"{key[1]}.n", (), v)
            elif kind == "val":
                step.write(f"{key[1]}.old", (int_lit(key[2]),), v)
            elif kind == "mv":
                step.write(f"{key[1]}.mv", (int_lit(key[2]), p.loc(key[3])), v)
            elif kind == "fence":
                step.write("mem.fence", (p.loc(key[1]),), v)
            elif kind == "lv":
                path = ((key[2],) if key[2] is not None else ()) + (p.loc(key[3]),)
                step.write(f"{key[1]}.mview", path, v)
        for x in p.locs:  # this thread's views, and the others' shifted by the GC
            mine = self.cells.get(("seen", x))
            if x in self.shift:
                for u in range(p.threads):
                    me = ir.Binary("eq", tid, int_lit(u))
                    step.write(f"{x}.seen", (int_lit(u),),
                               ir.Ite(me, mine if mine is not None else self.pre(("seen", x)),
                                      self.other_seen(x, u)))
            elif mine is not None:
                step.write(f"{x}.seen", (tid,), mine)
        for kind in ("acq", "rel", "own"):
            if not getattr(p, kind):
                continue
            for y in p.locs:
                mine = self.cells.get((kind, y))
                if y in self.shift:
                    for u in range(p.threads):
                        me = ir.Binary("eq", tid, int_lit(u))
                        pre_u = _idx(ir.VarRef(f"mem.{kind}"), int_lit(u), p.loc(y))
                        step.write(f"mem.{kind}", (int_lit(u), p.loc(y)),
                                   ir.Ite(me, mine if mine is not None else self.pre((kind, y)),
                                          _sub0(pre_u, self.shift[y])))
                elif mine is not None:
                    step.write(f"mem.{kind}", (tid, p.loc(y)), mine)


def zero_value_lit(t: ir.Type) -> ir.Expr:
    return ir.Lit(zero_value(t), t)


def _lock_keys(it: ir.Type | None) -> list[ir.Expr | None]:
    if it is None:
        return [None]
    return [ir.Lit(v, it) for v in ir.domain_values(it)]


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


# --------------------------------------------------------------------------- hoisting


@dataclass(frozen=True)
class Access:
    """What one statement does, for deciding whether a later write may run before it."""

    kind: str  # 'nop' | 'local' | 'read' | 'write' | 'rmw' | 'fence' | 'block'
    loc: str | None = None
    ordering: str = "relaxed"
    fence: str | None = None
    reads: frozenset[str] = frozenset()  # names the statement reads (registers)
    writes: frozenset[str] = frozenset()  # registers it assigns


def _names(e: object) -> set[str]:
    out: set[str] = set()
    if isinstance(e, S.Name):
        out.add(e.id)
    elif isinstance(e, tuple):
        for x in e:
            out |= _names(x)
    elif hasattr(e, "__dataclass_fields__") and not isinstance(e, ir.Span):
        for f in e.__dataclass_fields__:
            out |= _names(getattr(e, f))
    return out


def classify(st: S.Stmt, locs: set[str], locals_: set[str]) -> Access:
    if isinstance(st, S.Skip):
        return Access("nop")
    if isinstance(st, S.CallStmt) and st.func in PRIMS:
        return _prim_access(PRIMS[st.func], st.args, None, locs, locals_)
    if isinstance(st, S.Assign) and len(st.targets) == 1 and len(st.values) == 1:
        tg, v = st.targets[0], st.values[0]
        troot = _root(tg)
        if isinstance(v, S.Call) and v.func in PRIMS:
            return _prim_access(PRIMS[v.func], v.args, troot, locs, locals_)
        reads = frozenset(_names(v) | (_names(tg) - {troot}))
        if troot in locals_:
            if isinstance(v, S.Name) and v.id in locs:  # r := x, a plain read
                return Access("read", v.id, writes=frozenset({troot}))
            if reads & locs:
                return Access("block")
            return Access("local", reads=reads, writes=frozenset({troot}))
        if troot in locs and isinstance(tg, S.Name) and not reads & locs:
            return Access("write", troot, reads=reads)
    return Access("block")


def _prim_access(pr: Prim, args: tuple[S.Expr, ...], target: str | None, locs: set[str],
                 locals_: set[str]) -> Access:
    writes = frozenset({target}) if target is not None else frozenset()
    if pr.kind == "fence":
        return Access("fence", ordering=pr.ordering, fence=pr.fence)
    a0 = args[0] if args else None
    loc = a0.id if isinstance(a0, S.Name) and a0.id in locs else None
    if loc is None:
        return Access("block")
    reads = frozenset(_names(args[1:]))
    kind = {"read": "read", "write": "write"}.get(pr.kind, "rmw")
    return Access(kind, loc, pr.ordering, reads=reads, writes=writes)


def _blocks(u: Access, s: Access, earlier: list[Access]) -> bool:
    """Does statement u (before s in program order) keep the write s after it?"""
    if u.kind == "block":
        return True
    if u.writes & s.reads:  # data or address dependency through a register
        return True
    if u.loc is not None and u.loc == s.loc:  # coherence
        return True
    if u.kind == "fence":
        if u.fence == "rmb":
            return False
        return True  # wmb: s would miss the view the fence gives it; mb: full
    if u.kind in ("read", "rmw") and u.ordering in ("acquire", "consume", "mb"):
        return True
    return False


def hoist_pairs(cfg: "ProcessCFG", locs: set[str], locals_: set[str]
                ) -> list[tuple[int, int]]:
    """(point, later statement) pairs: at `point` the relaxed write may run early, because
    the straight-line code between them neither depends on it nor orders it."""
    out: list[tuple[int, int]] = []
    for p in cfg.points:
        chain: list[int] = []
        cur = p
        while len(chain) <= HOIST_WINDOW:
            alts = cfg.alts.get(cur, [])
            if len(alts) != 1 or alts[0].conds or alts[0].node.id != cur or \
                    alts[0].node.kind != "simple":
                break
            chain.append(cur)
            if alts[0].next == cfg.end or alts[0].next in chain:
                break
            cur = alts[0].next
        acc = [classify(cfg.nodes[n].stmt, locs, locals_) for n in chain]  # type: ignore
        for j in range(1, len(chain)):
            s = acc[j]
            if s.kind != "write" or s.ordering != "relaxed":
                continue
            if not any(_blocks(acc[k], s, acc[:k]) for k in range(j)):
                out.append((p, chain[j]))
    return out


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
