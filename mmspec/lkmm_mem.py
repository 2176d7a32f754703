"""`option memory = lkmm`, inside one step: `Mem`, the memory-model state as the step
changes it (reads, writes, fences, lock views), composed in program order."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mmspec import ir
from mmspec.lkmm_plan import Plan, needs_mv
from mmspec.typecheck import int_lit, zero_value

if TYPE_CHECKING:  # pragma: no cover
    from mmspec.lower import _Step


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
