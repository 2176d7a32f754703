"""Liveness on the z3 engines: bounded lassos with the fairness conditions checked on the loop.

A lasso of length k is a path s0 .. sk (every step changes the state: a step that changes
nothing is a stutter step, docs/liveness.md) that either returns, sk = sl for some l < k, or
stutters forever at sk (l = k). Its loop is sl .. s(k-1) (just sk when it stutters). Under
a fairness constraint F (a set of transitions; "enabled" means one of them can fire and
change the state, "taken" means a loop step is one of them):
- weak:   F is disabled in some loop state, or taken on the loop;
- strong: F is disabled in every loop state, or taken on the loop.
A fair lasso violates
- `eventually Q`        when no state of it satisfies Q;
- `always eventually Q` when no loop state does;
- `P leadsto Q`         when some sj satisfies P and no state from min(j, l) on satisfies Q
  (the loop states are visited again after sj).
Lengths are tried from 0 up, so the lasso found is a shortest one in steps. Finding none up
to the bound is a bounded result, never a proof.

Two searches share the work. Stutter lassos (l = k) are a reachability question on a lean
unrolling with partial-order reduction (stutter.py), asked at every depth. Lassos that
return (l < k) are asked on the unrolling below, every STRIDE depths (their unsatisfiable
queries are the expensive ones), with two restrictions that lose no lasso: the prefix is in
the reduction's normal form (swapping two independent prefix steps, at most one of them
visible to the property, changes one prefix state and nothing the property or the loop
sees), and every loop step is a transition some cycle of states can take
(klive.acyclic_transitions); a spec with no such transition has no returning lasso at all.
Before a lasso of k steps is reported, every shorter length has been asked of both kinds.
"""
from __future__ import annotations

from typing import Sequence

import z3  # type: ignore[import-untyped]

from checker.details import LivenessDetails
from checker.fairness_hint import strong_fairness_hints
from checker.result import Violation
from checker.symbolic.budget import SAT, UNSAT, Budget
from checker.symbolic.encode import Encoding, _or
from checker.symbolic.klive import acyclic_transitions, enabled_and_taken
from checker.symbolic.replay import trace_of
from checker.symbolic.stutter import Stopped, StutterSearch, order_formula, visible_pairs
from checker.symbolic.zexpr import Translator


def bmc_liveness(enc: Encoding, budget: Budget, depth: int,
                 props: Sequence[int] | None = None) -> tuple[list[Violation], str, bool]:
    """One violation per property (of `props`, indices into system.liveness; default all)
    with a fair lasso of at most `depth` steps, a note, and whether a time limit (or the
    solver) stopped the search early."""
    run = _Search(enc, budget)
    found, note = run.run(depth, props)
    return found, note, run.stopped


STRIDE = 4  # depths between two probes for returning lassos


class _Search:
    """Both searches, depth by depth (see the module docstring)."""

    def __init__(self, enc: Encoding, budget: Budget):
        self.enc, self.budget = enc, budget
        self.stutter = StutterSearch(enc, budget)
        acyclic = acyclic_transitions(enc)  # solver queries: once, not per transition
        cyclic = [i for i in range(len(enc.system.transitions)) if i not in acyclic]
        self.loops = _Loops(enc, budget, cyclic) if cyclic else None
        self.probed: dict[int, set[int]] = {i: set() for i in range(len(enc.system.liveness))}
        self.complete = False
        self.stopped = False  # a time limit or the solver ended the search early

    def run(self, depth: int, props: Sequence[int] | None) -> tuple[list[Violation], str]:
        """The violations found and a note (saying whether the search was complete)."""
        system = self.enc.system
        found: list[Violation] = []
        asked = list(range(len(system.liveness)) if props is None else props)
        todo = list(asked)
        k = 0
        try:
            while True:
                if k > 0:
                    self.stutter.deepen()
                    if not self.stutter.feasible():
                        self.complete = True  # no path of k changing steps: lassos are shorter
                        k -= 1
                        break
                for idx in list(todo):
                    v = self._at(idx, k, k % STRIDE == 0 or k >= depth)
                    if v is not None:
                        found.append(v)
                        todo.remove(idx)
                self.budget.say(f"bmc: liveness: no fair lasso of {k} steps for "
                                f"{len(todo)} of {len(asked)} properties "
                                f"({self.budget.elapsed():.2f}s)")
                if not todo or k >= depth:
                    break
                k += 1
            for idx in list(todo):  # the returning lassos the stride skipped
                v = self._loop_below(idx, k + 1)
                if v is not None:
                    found.append(v)
                    todo.remove(idx)
        except Stopped:
            self.stopped = True
            return found, (f"liveness checked by bounded lassos, not up to {k} steps (time "
                           "limit or solver gave up)")
        names = ", ".join(system.liveness[i].name for i in todo)
        if not todo:
            return found, ("liveness: a fair counterexample lasso for " +
                           ", ".join(system.liveness[i].name for i in asked))
        if self.complete:
            return found, (f"liveness ({names}) holds: no fair lasso, and no path is longer "
                           f"than {k} steps (a complete check)")
        return found, (f"liveness ({names}): no fair lasso of up to {k} steps (bounded "
                       "check, not a proof)")

    def _at(self, idx: int, k: int, loops_too: bool) -> Violation | None:
        """A shortest lasso of property idx if one has k steps (every shorter length is
        clean for stutter lassos, and for returning ones where probed)."""
        hit = self.stutter.probe(idx)
        if hit is not None:
            shorter = self._loop_below(idx, k)
            if shorter is not None:
                return shorter
            return violation(self.enc, idx, hit.states, hit.sels, hit.k)
        if loops_too and self.loops is not None:
            self.probed[idx].add(k)
            if self.loops.probe(idx, k) == SAT:
                v = self.loops.violation(idx, k)  # before other probes replace the model
                shorter = self._loop_below(idx, k)
                return shorter if shorter is not None else v
        return None

    def _loop_below(self, idx: int, hi: int) -> Violation | None:
        """The shortest returning lasso of fewer than hi steps not probed yet, or None."""
        if self.loops is None:
            return None
        for j in range(hi):
            if j in self.probed[idx]:
                continue
            self.probed[idx].add(j)
            if self.loops.probe(idx, j) == SAT:
                return self.loops.violation(idx, j)
        return None


class _Loops:
    """Lassos that return (sk = sl, l < k), with the loop and the fairness bookkeeping as
    incremental Boolean state, so each depth adds O(slots + constraints) and not O(depth^2):
    - inloop[i] (monotone): i >= l, the loop start; start[i] = inloop[i] and not inloop[i-1];
    - per constraint F: off[i] (F disabled in some loop state up to i), alloff[i] (in every
      one), taken[i] (taken on a loop step before i);
    - per property: notq[i] (no Q in s0..si), notq_loop[i] (no Q in the loop states up to
      i), wait[i] (a P seen with no Q since).
    The query at depth k assumes inloop[k] and the loop closes: start[l] and sk = sl for
    some l < k. Prefix steps are in the reduction's normal form and loop steps are among
    `cyclic` (the module docstring says why no lasso is lost)."""

    def __init__(self, enc: Encoding, budget: Budget, cyclic: list[int]):
        self.enc, self.budget = enc, budget
        system = enc.system
        tr = Translator(enc.arith, enc.cur)
        self.enabled = enabled_and_taken(enc)[0]
        self.cyclic = _or([enc.sel == t for t in cyclic], enc.ctx)
        self.order = order_formula(enc, visible_pairs(enc))
        self.p = [tr.cond(p.p) if p.p is not None else None for p in system.liveness]
        # eventually always P fails on a fair lasso whose loop has a not-P state: tracked as
        # "no not-P in the loop" (Q = not P) and asked negated in probe
        self.q = [z3.Not(tr.cond(p.q)) if p.kind == "eventually_always" else tr.cond(p.q)
                  for p in system.liveness]
        self.solver = enc.arith.solver()
        self.path = enc.new_path("lv")
        enc.add_state(self.path)
        self.solver.add(enc.on(enc.init_t, self.path, 0), enc.on(enc.domain_t, self.path, 0))
        self.ext: list[z3.BoolRef] = [z3.BoolVal(True, enc.ctx)]  # ext[i]: step i-1 -> i
        self.inloop: list[z3.BoolRef] = []
        self.start: list[z3.BoolRef] = []
        nf, np_ = len(system.fairness), len(system.liveness)
        self.off: list[list[z3.BoolRef]] = [[] for _ in range(nf)]
        self.alloff: list[list[z3.BoolRef]] = [[] for _ in range(nf)]
        self.taken: list[list[z3.BoolRef]] = [[] for _ in range(nf)]
        self.notq: list[list[z3.BoolRef]] = [[] for _ in range(np_)]
        self.notq_loop: list[list[z3.BoolRef]] = [[] for _ in range(np_)]
        self.wait: list[list[z3.BoolRef]] = [[] for _ in range(np_)]
        self._extend(0)

    def _b(self, name: str, i: int) -> z3.BoolRef:
        return z3.Bool(f"lv!{name}@{i}", self.enc.ctx)

    def _extend(self, i: int) -> None:
        """The bookkeeping for state i (and for step i-1 -> i)."""
        enc, system, s = self.enc, self.enc.system, self.solver
        f_ = z3.BoolVal(False, enc.ctx)
        t_ = z3.BoolVal(True, enc.ctx)
        inl = self._b("inloop", i)
        prev = self.inloop[-1] if i > 0 else f_
        s.add(z3.Implies(prev, inl))
        self.inloop.append(inl)
        self.start.append(z3.And(inl, z3.Not(prev)))
        for n, (f, en) in enumerate(zip(system.fairness, self.enabled)):
            dis = z3.Not(self._on(en, i))
            off, alloff = self._b(f"off{n}", i), self._b(f"alloff{n}", i)
            s.add(off == z3.Or(self.off[n][-1] if i > 0 else f_, z3.And(inl, dis)))
            s.add(alloff == z3.And(self.alloff[n][-1] if i > 0 else t_,
                                   z3.Or(z3.Not(inl), dis)))
            self.off[n].append(off)
            self.alloff[n].append(alloff)
            tk = self._b(f"taken{n}", i)
            if i == 0:
                s.add(tk == f_)
            else:  # step i-1 -> i is a loop step when i-1 is in the loop
                step = _or([self.path.sels[i - 1] == t for t in f.transitions], enc.ctx)
                s.add(tk == z3.Or(self.taken[n][-1], z3.And(self.inloop[i - 1], step)))
            self.taken[n].append(tk)
        for n in range(len(system.liveness)):
            nq = z3.Not(self._on(self.q[n], i))
            a, b, w = self._b(f"nq{n}", i), self._b(f"nql{n}", i), self._b(f"wait{n}", i)
            s.add(a == z3.And(self.notq[n][-1] if i > 0 else t_, nq))
            s.add(b == z3.And(self.notq_loop[n][-1] if i > 0 else t_, z3.Or(z3.Not(inl), nq)))
            p = self.p[n]
            trig = self._on(p, i) if p is not None else f_
            s.add(w == z3.And(z3.Or(self.wait[n][-1] if i > 0 else f_, trig), nq))
            self.notq[n].append(a)
            self.notq_loop[n].append(b)
            self.wait[n].append(w)

    def _unroll(self, k: int) -> None:
        enc, s, path = self.enc, self.solver, self.path
        while len(path.states) <= k:
            i = enc.add_state(path)
            ext = z3.Bool(f"lv!ext@{i}", enc.ctx)
            s.add(z3.Implies(ext, z3.And(enc.on(enc.domain_t, path, i), enc.step(path, i - 1),
                                         enc.distinct(path, i - 1, i))))
            self.ext.append(ext)
            self._extend(i)
            # step i-1 -> i is a loop step when state i-1 is in the loop
            sel = path.sels[i - 1]
            s.add(z3.Implies(z3.And(ext, self.inloop[i - 1]),
                             z3.substitute(self.cyclic, (enc.sel, sel))))
            if i >= 2 and not z3.is_true(self.order):  # state i-1 is a prefix state
                s.add(z3.Implies(z3.Not(self.inloop[i - 1]),
                                 z3.substitute(self.order, (enc.sel, path.sels[i - 2]),
                                               (enc.sel2, sel))))

    def _solve(self, assumptions: list[z3.BoolRef]) -> str:
        r = self.budget.solve(self.solver, *assumptions)
        if r not in (SAT, UNSAT):
            raise Stopped()
        return r

    def _on(self, f: z3.BoolRef, i: int) -> z3.BoolRef:
        return self.enc.on(f, self.path, i)

    def probe(self, idx: int, k: int) -> str:
        """SAT (the model is left for `violation`) when property idx has a returning fair
        lasso of exactly k steps."""
        enc, system = self.enc, self.enc.system
        if k == 0:
            return UNSAT
        self._unroll(k)
        closes = [z3.And(self.start[l], z3.Not(enc.distinct(self.path, l, k)))
                  for l in range(k)]
        parts = [self.inloop[k], _or(closes, enc.ctx)]
        for n, f in enumerate(system.fairness):
            idle = self.off[n][k] if f.kind == "weak" else self.alloff[n][k]
            parts.append(z3.Or(idle, self.taken[n][k]))
        kind = system.liveness[idx].kind
        if kind == "eventually":
            parts.append(self.notq[idx][k])
        elif kind == "always_eventually":
            parts.append(self.notq_loop[idx][k])
        elif kind == "eventually_always":
            parts.append(z3.Not(self.notq_loop[idx][k]))
        else:
            parts += [self.wait[idx][k], self.notq_loop[idx][k]]
        act = z3.Bool(f"lasso{idx}@{k}", enc.ctx)
        self.solver.add(z3.Implies(act, z3.And(*parts)))
        return self._solve(self.ext[1:k + 1] + [act])

    def violation(self, idx: int, k: int) -> Violation:
        """The lasso of the last satisfiable probe (property idx, k steps)."""
        model = self.solver.model()
        states, sels = self.enc.decode(model, self.path, k)
        loop = next(i for i in range(k) if z3.is_true(model.eval(self.inloop[i],
                                                                  model_completion=True)))
        return violation(self.enc, idx, states, sels, loop)


def violation(enc: Encoding, idx: int, states: list[tuple[int, ...]], sels: list[int],
              loop: int) -> Violation:
    """The replayed lasso s0 .. sk (k = len(sels)) whose loop starts at `loop` (k: it
    stutters at sk for ever)."""
    system = enc.system
    k = len(sels)
    trace = trace_of(system, states, sels)
    trace = type(trace)(trace.steps, loop=loop)
    prop = system.liveness[idx]
    stuttering = loop == k
    how = ("then stops for ever (stuttering)" if stuttering else
           f"then repeats a loop of {k - loop} steps")
    message = (f"liveness property {prop.name} is violated: a fair behaviour reaches "
               f"step {loop} and {how} without meeting its goal (found by a bounded "
               "lasso search)")
    hints = strong_fairness_hints(system, states[:k + 1], [None, *sels[:k]], loop)
    details = LivenessDetails(tuple(f.name for f in system.fairness), stuttering,
                              hints=tuple(hints)).as_dict()
    return Violation("liveness", prop.name, message, trace, prop.span, details)
