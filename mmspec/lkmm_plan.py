"""`option memory = lkmm`, before lowering: which locations, views and history bound the
spec needs (`plan`), the memory-model variables that follow from that (`variables`), and
which writes may run early past earlier accesses of the same code (`hoist_pairs`).
See mmspec/lkmm.py for the model."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from mmspec import ir
from mmspec import syntax as S
from mmspec.lockops import OPS
from mmspec.memops import PRIMS, Prim
from mmspec.typecheck import zero_value

if TYPE_CHECKING:  # pragma: no cover
    from mmspec.cfg import ProcessCFG
    from mmspec.lower import _Lowering

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
    locs, types = _locations(low)
    p = Plan(tuple(locs), types, 2, low.n_threads)
    writes: dict[str, int] = {x: 0 for x in locs}
    for pname, cfg in low.cfgs.items():
        info = low.el.processes.get(pname)
        times = info.count if info is not None else 1  # every instance runs the statement
        for st in _stmts(cfg):
            _note_statement(p, st, writes, times, low.sy.locks)
    for li in low.lock_infos:
        if li.name in p.lock_views:
            p.lock_views[li.name] = li.index_type
    p.history = _history(low, writes)
    for pname, cfg in low.cfgs.items():
        p.after_unlock[pname] = _after_unlock(cfg)
        locals_ = {lv.decl.name for lv in cfg.locals}
        pairs = hoist_pairs(cfg, set(p.locs), locals_)
        p.hoists[pname] = pairs
        p.early[pname] = {s_id: f"{pname}.early_{cfg.nodes[s_id].label}"
                          for s_id in dict.fromkeys(s_id for _, s_id in pairs)}
    return p


def _locations(low: "_Lowering") -> tuple[list[str], dict[str, ir.Type]]:
    """Every non-ghost scalar variable, in declaration order, with its type."""
    locs: list[str] = []
    types: dict[str, ir.Type] = {}
    for name, d in low.sy.vars.items():
        t = low.el.var_type(name)
        if not d.ghost and ir.is_scalar(t):  # type: ignore[arg-type]
            locs.append(name)
            types[name] = t  # type: ignore[assignment]
    return locs, types


def _fully_ordered(p: Plan) -> None:
    p.fence = p.rel = p.acq = True


def _note_statement(p: Plan, st: S.Stmt, writes: dict[str, int], times: int,
                    locks: Iterable[str]) -> None:
    """What one statement needs of the plan: views for its ordering primitives, fences and
    locks; `writes` counts the writes of each location (`times` instances run it)."""
    calls = [st] if isinstance(st, S.CallStmt) else \
        [v for v in st.values if isinstance(v, S.Call)] if isinstance(st, S.Assign) else []
    if any(c.func in PRIMS and PRIMS[c.func].ordering != "relaxed" for c in calls):
        p.mv = True
    if isinstance(st, S.CallStmt) and st.func in PRIMS:
        pr = PRIMS[st.func]
        _note_fence(p, pr)
        _note_primitive(p, pr, st.args, writes, times)
    elif isinstance(st, S.Assign):
        for tg in st.targets:
            r = _root(tg)
            if r in writes:
                writes[r] += times
        for v in st.values:
            if isinstance(v, S.Call) and v.func in PRIMS:
                _note_primitive(p, PRIMS[v.func], v.args, writes, times)
    elif isinstance(st, S.Atomic):
        _fully_ordered(p)  # an atomic block is a fully ordered RMW
    elif isinstance(st, S.CallStmt) and st.func in OPS:
        lk = _root(st.args[0]) if st.args else None
        if lk is not None and lk in locks:
            p.rel = p.own = p.acq = True
            p.lock_views[lk] = None


def _note_fence(p: Plan, pr: Prim) -> None:
    if pr.kind != "fence":
        return
    if pr.fence == "rmb":
        p.acq = True
    elif pr.fence == "wmb":
        p.rel = p.own = True
    else:
        _fully_ordered(p)


def _note_primitive(p: Plan, pr: Prim, args: tuple[S.Expr, ...], writes: dict[str, int],
                    times: int) -> None:
    """A fully ordered read-modify-write orders like smp_mb; a writing primitive counts."""
    if pr.kind in ("xchg", "cmpxchg") and pr.ordering == "mb":
        _fully_ordered(p)
    root = _root(args[0]) if args else None
    if root in writes and pr.kind != "read":
        writes[root] += times


def _history(low: "_Lowering", writes: dict[str, int]) -> int:
    """How many writes of a location are kept: enough for every write the spec makes, up to
    DEFAULT_MAX_HISTORY, unless `option memory_history` says otherwise."""
    most = max(writes.values(), default=0)
    history = max(2, min(1 + most, DEFAULT_MAX_HISTORY))
    for o in low.sy.options:
        if o.name == "memory_history":
            n = low.el.const_int(o.value, "option memory_history")
            if n is not None and 2 <= n <= MAX_HISTORY:
                history = n
            elif n is not None:
                low.sink.error("MMS318", f"option memory_history takes 2..{MAX_HISTORY}",
                               o.value.span)
    return history


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
