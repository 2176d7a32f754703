"""The transition relation and the properties of a GroundSystem, encoded once as z3 templates.

Every formula is built a single time over template state vectors (`cur`, `nxt`) and a
template selector; the per-step copies that BMC and k-induction unroll are made with
`z3.substitute`, so the expression translation (the expensive part for big specs) never runs
per depth. The selector of each step is an Int naming the ground transition that fired, which
is how a model is decoded back into the transitions of a Trace.

Integer slots are constrained to lo..hi and bool slots are Bools. Two representations of
integers are available (zexpr.Arith): signed bit-vectors of one width that no subexpression
can overflow ("bv", the default: bit-blasted by z3's incremental SAT solver, which is much
faster on these small finite domains) and unbounded Ints ("int", linear arithmetic; kept for
cross-checking). Either way a wrap slot's update is reduced modulo its (constant) width with
a non-negative remainder, which is `mmspec.ground.wrap_value`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import z3  # type: ignore[import-untyped]

from mmspec.ground import TRUE, GExpr, GroundSystem, GTransition, InitSpace, Slot, reads_ok
from checker.symbolic.por import independent_pairs
from checker.symbolic.zexpr import Arith, Bounds, BvArith, IntArith, Translator, to_bool

# Violation kinds in the order BMC prefers them when several occur at the same depth.
# 'invariant' covers an invariant's own domain errors (it is evaluated when a state is
# found); 'domain' the steps' (a guard, check or update evaluated outside its domain);
# 'check' in-step checks of both kinds ('assertion' and 'deadlock').
KINDS = ("invariant", "domain", "check", "range", "deadlock")


@dataclass
class Path:
    """One unrolling: state vectors s[0..] and the selectors sel[i] of step s[i] -> s[i+1]."""

    prefix: str
    states: list[list[z3.ExprRef]] = field(default_factory=list)
    sels: list[z3.ArithRef] = field(default_factory=list)


class Encoding:
    """z3 templates for one GroundSystem. Each instance owns a private z3 Context, so runs
    (and threads running different specs) never share solver state."""

    def __init__(self, system: GroundSystem, deadlock: bool, style: str = "functional",
                 encoding: str = "bv", por: bool = True):
        self.system = system
        self.ctx = z3.Context()
        self.deadlock = deadlock
        ctx = self.ctx
        self.bounds = _scan_bounds(system)
        self.arith: Arith = (IntArith(ctx) if encoding == "int" else
                             BvArith(ctx, (2 * int(self.bounds.largest) + 1).bit_length() + 1))
        if isinstance(self.arith, IntArith):  # the & | ^ detour through bit-vectors
            self.arith.bit_width = max(64, (2 * int(self.bounds.largest) + 1).bit_length() + 1)
        self.cur = [self._var(f"cur.{i}", s) for i, s in enumerate(system.slots)]
        self.nxt = [self._var(f"nxt.{i}", s) for i, s in enumerate(system.slots)]
        self.sel = self._sel_var("sel")
        tr = Translator(self.arith, self.cur)
        ts = system.transitions
        self.guards = [tr.cond(t.guard) for t in ts]
        # the steps paths take: into the constraints (CONSTRAINT, ACTION_CONSTRAINT); a step
        # out of them is still generated, so deadlock, checks and range errors use `guards`
        self.takes = [g if t.explore == TRUE else z3.And(g, tr.cond(t.explore))
                      for g, t in zip(self.guards, ts)]
        self.tr0 = tr
        self.values = [[self._next_value(tr, t, k, e) for k, e in t.updates] for t in ts]

        self.domain_t = self._domain(self.cur)
        self.init_t = self._init_constrained()
        self.trans_t = (self._functional(ts) if style == "functional"
                        else self._disjunctive(ts))
        self.bad_t = self._bad(tr)
        self.pairs = independent_pairs(system) if por else []
        self.sel2 = self._sel_var("sel2")
        self.order_t = _and([z3.Not(z3.And(self.sel == b, self.sel2 == a))
                             for a, b in self.pairs], ctx)
        # the safety property k-induction proves: no invariant, check or range violation
        self.prop_t = z3.Not(z3.Or(*[self.bad_t[k] for k in KINDS if k != "deadlock"]))

    # ------------------------------------------------------------------ templates

    def _var(self, name: str, slot: Slot) -> z3.ExprRef:
        return z3.Bool(name, self.ctx) if slot.sort == "bool" else self.arith.var(name)

    def _sel_var(self, name: str) -> z3.ExprRef:
        if isinstance(self.arith, BvArith):
            return z3.BitVec(name, max(1, (len(self.system.transitions) - 1).bit_length()),
                             self.ctx)
        return z3.Int(name, self.ctx)

    def _sel_range(self) -> list[z3.BoolRef]:
        n = len(self.system.transitions)
        if isinstance(self.arith, BvArith):
            return [] if n == 2 ** self.sel.size() else [z3.ULT(self.sel, n)]
        return [self.sel >= 0, self.sel < n]

    def _next_value(self, tr: Translator, t: GTransition, k: int, e: object) -> z3.ExprRef:
        slot = self.system.slots[k]
        v = tr.term(e)  # type: ignore[arg-type]
        if slot.sort == "bool":
            return to_bool(v)
        v = self.arith.to_int(v)
        if slot.wrap:
            lo, hi = self.bounds.of(e)  # type: ignore[arg-type]
            if not (slot.lo <= lo and hi <= slot.hi):
                # both Int `mod` and bit-vector `bvsmod` by a positive constant are >= 0
                v = slot.lo + (v - slot.lo) % (slot.hi - slot.lo + 1)
        return v

    def _domain(self, vec: Sequence[z3.ExprRef]) -> z3.BoolRef:
        parts = [z3.And(v >= s.lo, v <= s.hi)
                 for v, s in zip(vec, self.system.slots) if s.sort != "bool"]
        return _and(parts, self.ctx)

    def _init(self) -> z3.BoolRef:
        """The initial states, factorised per variable when they form a product (they do when
        grounding enumerates each variable's `init` alternatives), else listed one by one."""
        system, ctx = self.system, self.ctx
        if isinstance(system.init, InitSpace):
            # the initial predicate encoded directly: each variable among its initial
            # values, and the predicate over the whole state
            space = system.init
            per_var = [_or([self._eq_vals(slots, vals) for vals in opts], ctx)
                       for slots, opts in space.choices if slots]
            return _and(per_var + [self.tr0.cond(space.pred)], ctx)
        states = sorted(set(system.init))
        groups = [idx for idx in system.var_slots.values() if idx] or [
            tuple(range(system.width))]
        covered = sorted(i for idx in groups for i in idx)
        options = [sorted({tuple(s[i] for i in idx) for s in states}) for idx in groups]
        size = 1
        for o in options:
            size *= len(o)
        if covered == list(range(system.width)) and size == len(states):
            return _and([_or([self._eq_vals(idx, vals) for vals in opts], ctx)
                         for idx, opts in zip(groups, options)], ctx)
        every = tuple(range(system.width))
        return _or([self._eq_vals(every, s) for s in states], ctx)

    def _init_constrained(self) -> z3.BoolRef:
        """The initial states a path starts from: inside the state constraints."""
        init = self._init()
        if self.system.constraint == TRUE:
            return init
        return z3.And(init, self.tr0.cond(self.system.constraint))

    def _eq_vals(self, idx: Sequence[int], vals: Sequence[int]) -> z3.BoolRef:
        parts = []
        for i, v in zip(idx, vals):
            x = self.cur[i]
            parts.append(x if v else z3.Not(x)) if z3.is_bool(x) else parts.append(x == v)
        return _and(parts, self.ctx)

    def _functional(self, ts: Sequence[GTransition]) -> z3.BoolRef:
        """The step relation as guards under the selector plus one next-state ite per slot.

        Logically the same relation as OR_t (sel = t /\\ guard_t /\\ updates_t /\\ frame_t),
        but of size |guards| + |updates| instead of |transitions| x |slots|.
        """
        ctx, sel = self.ctx, self.sel
        parts = self._sel_range() if ts else [z3.BoolVal(False, ctx)]
        parts += [z3.Implies(sel == i, g) for i, g in enumerate(self.takes)]
        per_slot: list[list[tuple[int, z3.ExprRef]]] = [[] for _ in self.cur]
        for i, t in enumerate(ts):
            for (k, _), v in zip(t.updates, self.values[i]):
                per_slot[k].append((i, v))
        for k, cases in enumerate(per_slot):
            rhs = self.cur[k]
            for i, v in reversed(cases):
                rhs = z3.If(sel == i, v, rhs)
            parts.append(self.nxt[k] == rhs)
        return _and(parts, ctx)

    def _disjunctive(self, ts: Sequence[GTransition]) -> z3.BoolRef:
        """The step relation spelt out per transition (kept for comparison in the bench)."""
        ctx, sel = self.ctx, self.sel
        alts = []
        for i, t in enumerate(ts):
            upd = dict(zip((k for k, _ in t.updates), self.values[i]))
            eqs = [self.nxt[k] == upd.get(k, self.cur[k]) for k in range(len(self.cur))]
            alts.append(z3.And(sel == i, self.takes[i], *eqs))
        return _or(alts, ctx)

    def _bad(self, tr: Translator) -> dict[str, z3.BoolRef]:
        """Per kind, the states (of `cur`) where a violation of that kind is detected."""
        system, ctx = self.system, self.ctx
        inv = [z3.Not(tr.cond(i.checked)) for i in system.invariants]
        checks = []
        dom = []  # partial operations: see mmspec.ground.GRead
        for ti, t in enumerate(system.transitions):
            if t.reads:
                dom.append(z3.Not(tr.cond(t.reads_ok)))
            if t.fire_reads:
                dom.append(z3.And(self.guards[ti], z3.Not(tr.cond(t.fire_ok))))
            for c in t.checks:
                when = tr.cond(t.at) if c.when == "reach" else self.guards[ti]
                if c.reads:
                    dom.append(z3.And(when, z3.Not(tr.cond(reads_ok(c.reads)))))
                checks.append(z3.And(when, z3.Not(tr.cond(c.cond))))
        rng = []
        for ti, t in enumerate(system.transitions):
            outs = []
            for k, e in t.updates:
                slot = system.slots[k]
                if _cannot_leave(slot, e, self.bounds):
                    continue
                v = tr.int(e)
                outs.append(z3.Or(v < slot.lo, v > slot.hi))
            if outs:
                rng.append(z3.And(self.guards[ti], _or(outs, ctx)))
        dead = z3.BoolVal(False, ctx)
        if self.deadlock:
            dead = z3.And(z3.Not(_or(self.guards, ctx)), z3.Not(tr.cond(system.final)))
        return {"invariant": _or(inv, ctx), "domain": _or(dom, ctx), "check": _or(checks, ctx),
                "range": _or(rng, ctx), "deadlock": dead}

    # ------------------------------------------------------------------ instances

    def new_path(self, prefix: str) -> Path:
        return Path(prefix)

    def add_state(self, path: Path) -> int:
        """Append a fresh state vector (and the selector leading to it); returns its index."""
        i = len(path.states)
        path.states.append([self._var(f"{path.prefix}{i}.{k}", s)
                            for k, s in enumerate(self.system.slots)])
        if i > 0:
            path.sels.append(self._sel_var(f"{path.prefix}sel{i - 1}"))
        return i

    def on(self, f: z3.ExprRef, path: Path, i: int) -> z3.BoolRef:
        """A single-state template instantiated on state i of the path."""
        return z3.substitute(f, *zip(self.cur, path.states[i]))

    def step(self, path: Path, i: int) -> z3.BoolRef:
        """The step relation between states i and i+1 of the path."""
        pairs = list(zip(self.cur, path.states[i])) + list(zip(self.nxt, path.states[i + 1]))
        pairs.append((self.sel, path.sels[i]))
        return z3.substitute(self.trans_t, *pairs)

    def order(self, path: Path, i: int) -> z3.BoolRef:
        """Partial-order reduction between steps i-1 and i of the path (see por.py)."""
        return z3.substitute(self.order_t, (self.sel, path.sels[i - 1]),
                             (self.sel2, path.sels[i]))

    def distinct(self, path: Path, i: int, j: int) -> z3.BoolRef:
        a, b = path.states[i], path.states[j]
        return _or([x != y for x, y in zip(a, b)], self.ctx)

    def decode(self, model: z3.ModelRef, path: Path, upto: int
               ) -> tuple[list[tuple[int, ...]], list[int]]:
        """States 0..upto and the selectors between them, as plain ints."""
        states = []
        for vec in path.states[:upto + 1]:
            row = []
            for x in vec:
                v = model.eval(x, model_completion=True)
                row.append(int(z3.is_true(v)) if z3.is_bool(x) else self.arith.number(v))
            states.append(tuple(row))
        sels = [model.eval(s, model_completion=True).as_long()
                for s in path.sels[:upto]]
        return states, sels


def _scan_bounds(system: GroundSystem) -> Bounds:
    """Bounds of every expression the encoding translates (for the bit-vector width)."""
    b = Bounds(system.slots)
    exprs: list[GExpr] = [system.final] + [i.checked for i in system.invariants]
    for t in system.transitions:
        exprs += [t.guard, t.at, t.reads_ok, t.fire_ok] + [e for _, e in t.updates] + [
            c.checked for c in t.checks]
    for e in exprs:
        b.of(e)
    return b


def _cannot_leave(slot: Slot, e: object, bounds: Bounds) -> bool:
    """Whether an update of this slot can never be a range violation."""
    if slot.wrap:
        return True
    sort = getattr(e, "sort", "int")
    if slot.sort == "bool" and sort == "bool":
        return True
    lo, hi = bounds.of(e)  # type: ignore[arg-type]
    return slot.lo <= lo and hi <= slot.hi


def _and(xs: Sequence[z3.BoolRef], ctx: z3.Context) -> z3.BoolRef:
    if not xs:
        return z3.BoolVal(True, ctx)
    return xs[0] if len(xs) == 1 else z3.And(*xs)


def _or(xs: Sequence[z3.BoolRef], ctx: z3.Context) -> z3.BoolRef:
    if not xs:
        return z3.BoolVal(False, ctx)
    return xs[0] if len(xs) == 1 else z3.Or(*xs)
