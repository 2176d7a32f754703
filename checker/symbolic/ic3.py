"""IC3 (Bradley's property-directed reachability) over the bit-vector encoding.

Our specs are finite and small-domained, which is the ground where SAT-based IC3 over value
literals shines: a cube is a conjunction of `slot == value` literals (read off a model), a
lemma is the negation of a cube, and every query is one incremental SAT call on the
bit-blasted step relation of encode.py. The lemmas of the final frame are the inductive
invariant, and since they are clauses over slot values they print directly as `.mms`
predicates (lemmas.render_cubes).

Frames: F0 = init; Fi (i >= 1) = the lemmas of level >= i, each lemma guarded by an
activation literal of its level, so one solver answers every frame's queries. Proof
obligations are blocked lowest level first; a blocked cube is generalised with the unsat
core of the relative-induction query and then by dropping literals one at a time (MIC,
bounded), keeping it disjoint from the initial states, and pushed as far forward as it
stays relatively inductive. After each new frame, lemmas are propagated; when a level ends
up empty the frames above it are an inductive invariant.

Only the slots in the cone of influence of the bad states (pdr.cone_of_influence) take
part; the others are unconstrained.
"""
from __future__ import annotations

import heapq
import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

import z3  # type: ignore[import-untyped]

from checker.symbolic.budget import SAT, TIMEOUT, UNKNOWN, UNSAT, Budget
from checker.symbolic.cubes import EQ, GE, LE, Cube, Lit, holds, subsumes
from checker.symbolic.cubes import minimal as _minimal
from checker.symbolic.encode import Encoding
from mmspec.ground import Slot, eval_gexpr

CTG_MAX = 3  # counterexamples to generalisation blocked in a row while dropping a literal
CTG_DEPTH = 1  # how deep blocking one may recurse
REBUILD_AFTER = 600  # temporary clauses a solver collects before it is rebuilt


class _Stop(Exception):
    def __init__(self, status: str):
        self.status = status


@dataclass
class Ic3Result:
    status: str  # UNSAT: proved; SAT: a bad state is reachable; TIMEOUT | UNKNOWN
    lemmas: list[Cube] = field(default_factory=list)  # the invariant: no state in any cube
    frames: int = 0
    queries: int = 0
    held: int = 0  # lemmas in the frames when it stopped (the invariant's, on a proof)


@dataclass
class Extension:
    """State added to the spec's for one IC3 run (the monitor of a liveness-to-safety
    translation, klive.py): its variables after the spec's slots (indices len(slots)..),
    their slots (ranges), initial values (a formula, and a function of an initial state of
    the spec), a functional update (nxt as a function of cur, nxt of the spec's slots and
    the selector), and `known`: an invariant of the spec's reachable states already proved
    (assumed of both states of a step)."""

    cur: list[z3.ExprRef]
    nxt: list[z3.ExprRef]
    slots: list[Slot]
    init: z3.BoolRef
    update: z3.BoolRef
    init_values: Callable[[tuple[int, ...]], tuple[int, ...]]
    known: z3.BoolRef | None = None


class Ic3:
    def __init__(self, enc: Encoding, bad: z3.BoolRef, keep: list[int], budget: Budget,
                 ext: Extension | None = None):
        self.enc = enc
        self.ctx = enc.ctx
        self.budget = budget
        self.keep = keep
        sysm = enc.system
        self.cur_vec = enc.cur + (ext.cur if ext else [])
        self.nxt_vec = enc.nxt + (ext.nxt if ext else [])
        self.slots = list(sysm.slots) + (ext.slots if ext else [])
        domain = domain_of(self.cur_vec, self.slots, self.ctx)
        nd = z3.substitute(domain, *zip(self.cur_vec, self.nxt_vec))
        # the step is switched on per query: a bad state need not have a successor
        # (a deadlocked one has none)
        self.step_act = z3.Bool("ic3!step", self.ctx)
        self.nxt_domain = nd
        self.updates = _updates(enc)
        step, init = z3.And(enc.trans_t, nd), enc.init_t
        if ext is not None:
            self.updates = z3.And(self.updates, ext.update)
            step, init = z3.And(step, ext.update), z3.And(init, ext.init)
            if ext.known is not None:
                domain = z3.And(domain, ext.known)
                step = z3.And(step, z3.substitute(ext.known, *zip(enc.cur, enc.nxt)))
        # few initial states (the usual case) are matched in Python, else by the solver
        # the initial states paths start from: inside the state constraints (as init_t)
        self.inits = [s + (ext.init_values(s) if ext else ())
                      for s in sysm.init if eval_gexpr(sysm.constraint, s)] \
            if len(sysm.init) <= 64 else None
        self.init_solver = enc.arith.solver()
        self.init_solver.add(init, domain)
        self._cur: dict[Lit, z3.BoolRef] = {}
        self._clauses: dict[Cube, z3.BoolRef] = {}
        self.activity: Counter[Lit] = Counter()  # how many lemmas used each literal
        self._nxt: dict[Lit, z3.BoolRef] = {}
        self.init_act = self._fresh("init")
        self.bad = bad
        self.bad_act = self._fresh("bad")
        # what every rebuilt solver starts from: the step, init, bad and literal definitions
        self.fixed: list[z3.BoolRef] = [
            domain, z3.Implies(self.step_act, step),
            z3.Implies(self.init_act, init), z3.Implies(self.bad_act, bad)]
        self.solver = enc.arith.solver()
        self.solver.add(*self.fixed)
        # lifting needs only the updates (nxt as a function of cur and sel)
        self.lift_solver = enc.arith.solver()
        self.lift_solver.add(domain, self.updates)
        self._guards: dict[int, z3.BoolRef] = {}
        self._nd_lit, self._bad_lit = self._fresh("nd"), self._fresh("isbad")
        self.lift_solver.add(self._nd_lit == nd, self._bad_lit == bad)
        self.temps = 0
        self.undecided_lifts = 0  # lifting queries the kept slots did not decide
        self.acts: list[z3.BoolRef] = [self.init_act]  # acts[i]: lemmas of level i
        self.inf_act = self._fresh("inf")
        self.levels: list[set[Cube]] = [set()]  # levels[i]: cubes blocked up to level i
        self.inf: set[Cube] = set()
        self.sample: list[tuple[int, ...]] | None = None
        self._bits: dict[Lit, int] = {}
        self.queries = 0
        self._n = itertools.count()
        # integer slots with room for an interval literal (x <= v / x >= v)
        # (not a thread id or other symmetric value: `.mms` cannot order those, so the
        # lemma would not paste back)
        self.wide = {k for k, s in enumerate(self.slots)
                     if s.sort != "bool" and s.hi - s.lo >= 2 and s.symmetric is None}

    # ------------------------------------------------------------------ literals

    def _fresh(self, name: str) -> z3.BoolRef:
        return z3.Bool(f"ic3!{name}", self.ctx)

    def _lit(self, table: dict[Lit, z3.BoolRef], vec: list[z3.ExprRef], lit: Lit,
             tag: str) -> z3.BoolRef:
        p = table.get(lit)
        if p is None:
            k, op, v = lit
            x = vec[k]
            if z3.is_bool(x):
                eq = x if v else z3.Not(x)
            else:
                eq = x == v if op == EQ else (x <= v if op == LE else x >= v)
            p = z3.Bool(f"ic3!{tag}{k}{'=<>'[op]}{v}", self.ctx)
            self.fixed.append(p == eq)
            self.solver.add(p == eq)
            self.lift_solver.add(p == eq)
            self.init_solver.add(p == z3.substitute(eq, *zip(self.nxt_vec, self.cur_vec)))
            table[lit] = p
        return p

    def cur(self, lit: Lit) -> z3.BoolRef:
        return self._lit(self._cur, self.cur_vec, lit, "c")

    def nxt(self, lit: Lit) -> z3.BoolRef:
        return self._lit(self._nxt, self.nxt_vec, lit, "n")

    def clause(self, cube: Cube) -> z3.BoolRef:
        c = self._clauses.get(cube)
        if c is None:
            c = self._clauses[cube] = z3.Or(*[z3.Not(self.cur(lit)) for lit in cube])
        return c

    # ------------------------------------------------------------------ queries

    def check(self, solver: z3.Solver, assumptions: list[z3.BoolRef]) -> str:
        self.queries += 1
        r = self.budget.solve(solver, *assumptions)
        if r in (TIMEOUT, UNKNOWN):
            raise _Stop(r)
        return r

    def _temp(self, f: z3.BoolRef) -> z3.BoolRef:
        """A literal that switches `f` on for one query (see _retire)."""
        tmp = z3.Bool(f"ic3!tmp{next(self._n)}", self.ctx)
        self.solver.add(z3.Implies(tmp, f))
        return tmp

    def _retire(self, tmp: z3.BoolRef) -> None:
        """Switch a temporary clause off for good; a solver that has collected many is
        rebuilt (its models and queries slow down with every dead clause it keeps)."""
        self.solver.add(z3.Not(tmp))
        self.temps += 1
        if self.temps >= REBUILD_AFTER:
            self._rebuild()

    def frame(self, i: int) -> list[z3.BoolRef]:
        """Activation literals of frame i: lemmas of every level >= i (and init for 0)."""
        acts = self.acts[max(i, 1):] + [self.inf_act]
        return ([self.init_act] if i == 0 else []) + acts

    def state(self, model: z3.ModelRef, vec: list[z3.ExprRef]) -> Cube:
        out = []
        for k in self.keep:
            x = model.eval(vec[k], model_completion=True)
            v = int(z3.is_true(x)) if z3.is_bool(x) else self.enc.arith.number(x)
            out.append((k, EQ, v))
        return tuple(out)

    def use_sample(self, states: list[tuple[int, ...]]) -> None:
        """Reachable states (seeds.sample_states; every initial state among them) that
        generalisation steers clear of: a cube holding one of them can never become a lemma
        of the invariant, so it is not tried (no query), and a counterexample to
        generalisation that is one of them is not blocked (it cannot be, at every level).
        Only which lemmas are tried depends on it: a proof is checked as ever."""
        self.sample = states
        self._bits = {}

    def _lit_bits(self, lit: Lit) -> int:
        b = self._bits.get(lit)
        if b is None:
            k, op, v = lit
            b = 0
            for j, st in enumerate(self.sample or ()):
                if holds(op, st[k], v):
                    b |= 1 << j
            self._bits[lit] = b
        return b

    def excluded(self, cube: Cube) -> bool:
        """The cube holds a state known to be reachable (an initial one, or one of the
        sample): no lemma can exclude it."""
        if self.sample is None:
            return self.intersects_init(cube)
        b = -1
        for lit in cube:
            b &= self._lit_bits(lit)
            if not b:
                return False
        return b != 0

    def _sample_minimal(self, cube: Cube) -> Cube:
        """Drop literals (least used first) while the cube still misses every sampled
        state."""
        g = list(cube)
        for lit in sorted(cube, key=lambda x: self.activity[x]):
            if len(g) == 1:
                break
            rest = tuple(x for x in g if x != lit)
            if not self.excluded(rest):
                g = list(rest)
        return tuple(sorted(g))

    def intersects_init(self, cube: Cube) -> bool:
        if self.inits is not None:
            return any(all(holds(op, s[k], v) for k, op, v in cube) for s in self.inits)
        return self.check(self.init_solver, [self.cur(lit) for lit in cube]) == SAT

    def relative(self, cube: Cube, i: int, lift: bool = True) -> tuple[str, Cube | None]:
        """F(i-1) /\\ !cube /\\ T /\\ cube': UNSAT with the core's sub-cube, or SAT with a
        predecessor (a full state of the kept slots, cut down by _lift if `lift`)."""
        tmp = self._temp(self.clause(cube))
        lits = {self.nxt(lit).get_id(): lit for lit in cube}
        r = self.check(self.solver, self.frame(i - 1) + [self.step_act, tmp] +
                       [self.nxt(lit) for lit in cube])
        if r == SAT:
            model = self.solver.model()
            pred = self.state(model, self.cur_vec)
            sel = model.eval(self.enc.sel, model_completion=True)
            self._retire(tmp)
            return SAT, self._lift(pred, sel, cube) if lift else pred
        core = self.solver.unsat_core()
        self._retire(tmp)
        keep = tuple(sorted(lits[c.get_id()] for c in core if c.get_id() in lits))
        return UNSAT, keep

    def _lift(self, pred: Cube, sel: z3.ExprRef, cube: Cube) -> Cube:
        """The model's pre-state, cut down to the literals that force the step it took
        (same selector) to be enabled and to land in the cube: every state of the lifted
        cube steps into `cube`, so a chain of lifted cubes from an initial state is a real
        path. Fewer literals, fewer proof obligations."""
        lands = z3.And(self.guard_of(sel), self._nd_lit, *[self.nxt(lit) for lit in cube])
        return self._core_of(pred, z3.And(self.enc.sel == sel, z3.Not(lands)))

    def _core_of(self, state: Cube, refute: z3.BoolRef) -> Cube:
        """The part of `state` that already contradicts `refute` (asked of the small
        lifting solver: the step's updates and the literals, no frames)."""
        lits = {self.cur(lit).get_id(): lit for lit in state}  # defined before the push
        s = self.lift_solver
        s.push()
        try:
            s.add(refute)
            r = self.check(s, [self.cur(lit) for lit in state])
            core = s.unsat_core() if r == UNSAT else None
        finally:
            s.pop()
        if core is None:
            # the kept slots do not decide `refute` (the cone misses a slot the step
            # depends on: pdr.cone_of_influence should prevent it, tests count it): keep
            # the whole state. Lifting only shrinks cubes; a proof never depends on it,
            # and a counterexample is replayed before it is reported
            self.undecided_lifts += 1
            return state
        return tuple(sorted(lits[c.get_id()] for c in core if c.get_id() in lits))

    def guard_of(self, sel: z3.ExprRef) -> z3.BoolRef:
        """A literal equal to the guard of the step `sel` names, defined once in the
        lifting solver (a formula added per query would be translated per query)."""
        i = sel.as_long()
        g = self._guards.get(i)
        if g is None:
            g = self._guards[i] = self._fresh(f"guard{i}")
            self.lift_solver.add(g == self.enc.takes[i])
        return g

    # ------------------------------------------------------------------ seeds

    def _value(self, model: z3.ModelRef, x: z3.ExprRef) -> int:
        v = model.eval(x, model_completion=True)
        return int(z3.is_true(v)) if z3.is_bool(v) else self.enc.arith.number(v)

    def needed(self, lemmas: list[Cube]) -> list[Cube]:
        """A subset of an inductive invariant's lemmas that is still inductive and safe:
        the lemmas the unsat cores of safety and of each kept lemma's consecution use."""
        s = self.enc.arith.solver()
        s.add(*self.fixed)
        act = {c: z3.Bool(f"ic3!need{i}", self.ctx) for i, c in enumerate(lemmas)}
        back = {a.get_id(): c for c, a in act.items()}
        for c, a in act.items():
            s.add(z3.Implies(a, self.clause(c)))
        todo: list[Cube] = []
        out: set[Cube] = set()

        def use(extra: list[z3.BoolRef]) -> None:
            r = self.check(s, list(act.values()) + extra)
            assert r == UNSAT, "needed() on a set that is not an inductive invariant"
            for x in s.unsat_core():
                c = back.get(x.get_id())
                if c is not None and c not in out:
                    out.add(c)
                    todo.append(c)
        try:
            use([self.bad_act])
            while todo:
                c = todo.pop()
                use([self.step_act] + [self.nxt(lit) for lit in c])
        except _Stop:  # out of time: the whole invariant is as good, only longer
            return lemmas
        return sorted(out)

    def _rebuild(self) -> None:
        self.temps = 0
        self.solver = self.enc.arith.solver()
        self.solver.add(*self.fixed)
        for j in range(1, len(self.levels)):
            for c in self.levels[j]:
                self.solver.add(z3.Implies(self.acts[j], self.clause(c)))

    # ------------------------------------------------------------------ main loop

    def run(self) -> Ic3Result:
        try:
            return self._run()
        except _Stop as s:
            return Ic3Result(s.status, frames=len(self.levels) - 1, queries=self.queries,
                             held=self._count())

    def _run(self) -> Ic3Result:
        if self.check(self.solver, [self.init_act, self.bad_act]) == SAT:
            return Ic3Result(SAT, queries=self.queries)
        self._new_level()
        while True:
            k = len(self.levels) - 1
            while True:
                r = self.check(self.solver, self.frame(k) + [self.bad_act])
                if r == UNSAT:
                    break
                cube = self._core_of(self.state(self.solver.model(), self.cur_vec),
                                     z3.Not(self._bad_lit))
                if not self._block(cube, k):
                    return Ic3Result(SAT, frames=k, queries=self.queries, held=self._count())
            self.budget.say(f"pdr: ic3 frame {k} done, {self._count()} lemmas, "
                            f"{self.queries} queries")
            self._new_level()
            if self._propagate():
                return Ic3Result(UNSAT, sorted(self.inf), frames=k, queries=self.queries,
                                 held=len(self.inf))

    def _new_level(self) -> None:
        self.acts.append(z3.Bool(f"ic3!act{len(self.acts)}", self.ctx))
        self.levels.append(set())

    def _count(self) -> int:
        return sum(len(s) for s in self.levels) + len(self.inf)

    def _add(self, cube: Cube, level: int) -> None:
        for j in range(1, level + 1):  # subsumed copies at lower levels are harmless
            self.levels[j].discard(cube)
        self.levels[level].add(cube)
        self.activity.update(cube)
        self.solver.add(z3.Implies(self.acts[level], self.clause(cube)))

    def _block(self, cube: Cube, level: int) -> bool:
        """Block the bad cube at `level`; False when it is reachable from init."""
        queue: list[tuple[int, int, Cube]] = [(level, next(self._n), cube)]
        while queue:
            i, _, c = queue[0]
            if i == 0 or self.intersects_init(c):  # a full state: an initial one
                return False
            if self._blocked(c, i):
                heapq.heappop(queue)
                continue
            r, got = self.relative(c, i)
            if r == SAT:
                assert got is not None
                heapq.heappush(queue, (i - 1, next(self._n), got))
                continue
            heapq.heappop(queue)
            g = self._generalise(c, got if got is not None else c, i)
            j = i
            while j < len(self.levels) - 1 and self.relative(g, j + 1)[0] == UNSAT:
                j += 1
            self._add(g, j)
            if j < len(self.levels) - 1:
                heapq.heappush(queue, (j + 1, next(self._n), c))
        return True

    def _blocked(self, cube: Cube, i: int) -> bool:
        """Already excluded by a lemma of frame i (a syntactic check)."""
        for lv in itertools.chain(self.levels[i:], [self.inf]):
            if any(subsumes(l, cube) for l in lv):
                return True
        return False

    def _generalise(self, cube: Cube, core: Cube, i: int, depth: int = 0) -> Cube:
        """Drop literals while the cube stays relatively inductive (MIC with
        counterexamples to generalisation, see _down), then widen each equality on an
        integer slot to a half-interval (x >= v or x <= v) where that stays so: one lemma
        then covers a whole range of counter values."""
        g = self._init_safe(cube, core)
        if self.sample is not None and len(g) > 1:
            # first the smallest sub-cube the sample allows (no query to find it): when it
            # is relatively inductive, the literal dropping below is mostly free
            small = self._sample_minimal(g)
            if len(small) < len(g):
                got = self._try(small, i)
                if got is not None:
                    g = got
        # least used literals first: those the other lemmas did without (IC3ref's order)
        for lit in sorted(g, key=lambda x: self.activity[x]):
            if len(g) == 1:
                break
            if lit not in g:
                continue
            got = self._down(tuple(x for x in g if x != lit), i, depth)
            if got is not None:
                g = got
        return self._widen(g, i)

    def _widen(self, g: Cube, i: int) -> Cube:
        """Each equality on an integer slot widened to x >= v or x <= v where the cube
        stays relatively inductive at level i."""
        for lit in list(g):
            k, op, v = lit
            if op != EQ or k not in self.wide or lit not in g:
                continue
            slot = self.slots[k]
            for op2 in (GE, LE):
                if v == (slot.lo if op2 == GE else slot.hi):
                    continue  # the same as dropping the literal, which failed
                got = self._try(tuple(sorted([x for x in g if x != lit] + [(k, op2, v)])), i)
                if got is not None:
                    g = got
                    break
        return g

    def _down(self, cand: Cube, i: int, depth: int) -> Cube | None:
        """`cand`, or a sub-cube of it, relatively inductive at level i; None if none is.

        A predecessor s of `cand` outside it (a counterexample to generalisation) is first
        blocked itself one level down when it can be (Hassan, Bradley, Somenzi 2013: then
        `cand` may become inductive without losing literals); else the literals s
        violates are dropped, so s joins the cube and stops being a predecessor."""
        ctgs = 0
        while cand:
            if self.excluded(cand):
                return None
            r, got = self.relative(cand, i, lift=False)
            if r == UNSAT:
                return self._init_safe(cand, got or cand)
            assert got is not None
            if depth < CTG_DEPTH and ctgs < CTG_MAX and i > 1 and not self.excluded(got) \
                    and self._block_ctg(got, i - 1, depth):
                ctgs += 1
                continue
            ctgs = 0
            val = {k: v for k, _, v in got}
            cand = tuple(x for x in cand if x[0] in val and holds(x[1], val[x[0]], x[2]))
        return None

    def _block_ctg(self, state: Cube, i: int, depth: int) -> bool:
        """Block the predecessor `state` at level i (and as far up as it stays so)."""
        if self.intersects_init(state):
            return False
        r, core = self.relative(state, i)
        if r != UNSAT:
            return False
        j = i
        while j < len(self.levels) - 1:
            r2, core2 = self.relative(state, j + 1)
            if r2 != UNSAT:
                break
            j, core = j + 1, core2
        self._add(self._generalise(state, core or state, j, depth + 1), j)
        return True

    def _try(self, cand: Cube, i: int) -> Cube | None:
        """`cand` (cut down to its core) when it misses init and is relatively inductive."""
        if self.excluded(cand):
            return None
        r, sub = self.relative(cand, i)
        return self._init_safe(cand, sub or cand) if r == UNSAT else None

    def _init_safe(self, cube: Cube, core: Cube) -> Cube:
        """The core, with literals of the cube added back until it misses every initial
        state (the cube itself does)."""
        g = list(core)
        rest = [x for x in cube if x not in core]
        while rest and self.excluded(tuple(sorted(g))):
            g.append(rest.pop(0))
        while self.intersects_init(tuple(sorted(g))):
            g.append(rest.pop(0))
        return tuple(sorted(g))

    def _propagate(self) -> bool:
        """Push lemmas forward; True when a level empties (the frames above it are an
        inductive invariant, now in self.inf)."""
        top = len(self.levels) - 1
        for i in range(1, top):
            for c in sorted(self.levels[i]):
                r = self.check(self.solver, self.frame(i) + [self.step_act] +
                               [self.nxt(lit) for lit in c])
                if r == UNSAT:
                    self.levels[i].discard(c)
                    self._add(c, i + 1)
            if not self.levels[i]:
                for lv in self.levels[i + 1:]:
                    self.inf |= lv
                self.inf = _minimal(self.inf)
                return True
        return False


def _updates(enc: Encoding) -> z3.BoolRef:
    """nxt as a function of cur and sel (the update part of encode's functional step)."""
    per_slot: list[list[tuple[int, z3.ExprRef]]] = [[] for _ in enc.cur]
    for i, t in enumerate(enc.system.transitions):
        for (k, _), v in zip(t.updates, enc.values[i]):
            per_slot[k].append((i, v))
    parts = []
    for k, cases in enumerate(per_slot):
        rhs = enc.cur[k]
        for i, v in reversed(cases):
            rhs = z3.If(enc.sel == i, v, rhs)
        parts.append(enc.nxt[k] == rhs)
    return z3.And(*parts) if parts else z3.BoolVal(True, enc.ctx)


def domain_of(vec: list[z3.ExprRef], slots: list[Slot], ctx: z3.Context) -> z3.BoolRef:
    """Every integer slot of `vec` within its range."""
    parts = [z3.And(v >= s.lo, v <= s.hi) for v, s in zip(vec, slots) if s.sort != "bool"]
    return z3.And(*parts) if parts else z3.BoolVal(True, ctx)



def lemmas_formula(enc: Encoding, lemmas: list[Cube],
                   vec: list[z3.ExprRef] | None = None) -> z3.BoolRef:
    """The invariant as a formula over enc.cur (or `vec`: enc.cur and an extension's)."""
    vec = enc.cur if vec is None else vec
    parts = []
    for cube in lemmas:
        eqs = []
        for k, op, v in cube:
            x = vec[k]
            eqs.append((x if v else z3.Not(x)) if z3.is_bool(x) else
                       x == v if op == EQ else (x <= v if op == LE else x >= v))
        parts.append(z3.Not(z3.And(*eqs)) if eqs else z3.BoolVal(False, enc.ctx))
    return z3.And(*parts) if parts else z3.BoolVal(True, enc.ctx)


__all__ = ["Extension", "Ic3", "Ic3Result", "lemmas_formula", "SAT", "UNSAT"]
