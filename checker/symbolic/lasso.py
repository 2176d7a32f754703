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
"""
from __future__ import annotations

import z3  # type: ignore[import-untyped]

from checker.details import LivenessDetails
from checker.fairness_hint import strong_fairness_hints
from checker.result import Violation
from checker.symbolic.budget import SAT, UNSAT, Budget
from checker.symbolic.encode import Encoding, _and, _or
from checker.symbolic.replay import trace_of
from checker.symbolic.zexpr import Translator


def bmc_liveness(enc: Encoding, budget: Budget, depth: int
                 ) -> tuple[list[Violation], str, bool]:
    """One violation per property with a fair lasso of at most `depth` steps, a note, and
    whether a time limit (or the solver) stopped the search early."""
    run = _Lassos(enc, budget)
    found, note = run.run(depth)
    return found, note, run.stopped


STRIDE = 4  # depths between two lasso probes


class _Stopped(Exception):
    pass


class _Lassos:
    """The unrolling with the loop and the fairness bookkeeping as incremental Boolean
    state, so each depth adds O(slots + constraints) and not O(depth^2):
    - inloop[i] (monotone): i >= l, the loop start; start[i] = inloop[i] and not inloop[i-1];
    - per constraint F: off[i] (F disabled in some loop state up to i), alloff[i] (in every
      one), taken[i] (taken on a loop step before i);
    - per property: notq[i] (no Q in s0..si), notq_loop[i] (no Q in the loop states up to
      i), wait[i] (a P seen with no Q since).
    The query at depth k assumes inloop[k] and the loop closes: start[l] and sk = sl for
    some l < k, or start[k] (a stutter loop)."""

    def __init__(self, enc: Encoding, budget: Budget):
        self.enc, self.budget = enc, budget
        system = enc.system
        tr = Translator(enc.arith, enc.cur)
        moves = []
        for i, t in enumerate(system.transitions):
            change = _or([v != enc.cur[k] for (k, _), v in zip(t.updates, enc.values[i])],
                         enc.ctx)
            moves.append(z3.And(enc.takes[i], change))
        self.enabled = [_or([moves[t] for t in f.transitions], enc.ctx)
                        for f in system.fairness]
        self.p = [tr.cond(p.p) if p.p is not None else None for p in system.liveness]
        # eventually always P fails on a fair lasso whose loop has a not-P state: tracked as
        # "no not-P in the loop" (Q = not P) and asked negated in _probe
        self.q = [z3.Not(tr.cond(p.q)) if p.kind == "eventually_always" else tr.cond(p.q)
                  for p in system.liveness]
        self.complete = False
        self.stopped = False  # a time limit or the solver ended the search early
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

    def run(self, depth: int) -> tuple[list[Violation], str]:
        """The violations found and a note (saying whether the search was complete).

        Depths are probed STRIDE apart (the unsatisfiable probes are the expensive ones);
        after a hit, the skipped depths below it are probed in order, so the lasso reported
        is a shortest one all the same."""
        system = self.enc.system
        found: list[Violation] = []
        todo = list(range(len(system.liveness)))
        probed: dict[int, set[int]] = {idx: set() for idx in todo}
        k = 0
        try:
            while True:
                self._unroll(k)
                if k > 0 and self._solve(self.ext[1:k + 1]) == UNSAT:
                    self.complete = True  # no path of k changing steps: lassos are shorter
                    k -= 1
                    break
                for idx in list(todo):
                    probed[idx].add(k)
                    if self._probe(idx, k) == SAT:
                        hit = self._first(idx, probed[idx], k - 1)
                        if hit is None:
                            self._probe(idx, k)  # the model of the hit at k again
                        found.append(self._violation(idx, k if hit is None else hit))
                        todo.remove(idx)
                if not todo or k >= depth:
                    break
                k = min(k + STRIDE, depth)
            for idx in list(todo):  # the depths the stride skipped
                hit = self._first(idx, probed[idx], k)
                if hit is not None:
                    found.append(self._violation(idx, hit))
                    todo.remove(idx)
        except _Stopped:
            self.stopped = True
            return found, (f"liveness checked by bounded lassos, not up to {k} steps (time "
                           "limit or solver gave up)")
        names = ", ".join(system.liveness[i].name for i in todo)
        if not todo:
            return found, "liveness: every property has a fair counterexample lasso"
        if self.complete:
            return found, (f"liveness ({names}) holds: no fair lasso, and no path is longer "
                           f"than {k} steps (a complete check)")
        return found, (f"liveness ({names}): no fair lasso of up to {k} steps (bounded "
                       "check, not a proof)")

    def _first(self, idx: int, probed: set[int], hi: int) -> int | None:
        """The smallest depth up to hi not probed yet with a lasso (the model is left at
        it), or None."""
        for j in range(hi + 1):
            if j in probed:
                continue
            probed.add(j)
            if self._probe(idx, j) == SAT:
                return j
        return None

    def _unroll(self, k: int) -> None:
        enc = self.enc
        while len(self.path.states) <= k:
            i = enc.add_state(self.path)
            ext = z3.Bool(f"lv!ext@{i}", enc.ctx)
            self.solver.add(z3.Implies(ext, z3.And(enc.on(enc.domain_t, self.path, i),
                                                   enc.step(self.path, i - 1),
                                                   enc.distinct(self.path, i - 1, i))))
            self.ext.append(ext)
            self._extend(i)

    def _solve(self, assumptions: list[z3.BoolRef]) -> str:
        r = self.budget.solve(self.solver, *assumptions)
        if r not in (SAT, UNSAT):
            raise _Stopped()
        return r

    def _on(self, f: z3.BoolRef, i: int) -> z3.BoolRef:
        return self.enc.on(f, self.path, i)

    def _probe(self, idx: int, k: int) -> str:
        enc, system = self.enc, self.enc.system
        closes = [z3.And(self.start[l], z3.Not(enc.distinct(self.path, l, k)))
                  for l in range(k)] + [self.start[k]]
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

    def _violation(self, idx: int, k: int) -> Violation:
        enc, system = self.enc, self.enc.system
        model = self.solver.model()
        states, sels = enc.decode(model, self.path, k)
        # the loop starts where the model put it (the first state in the loop), not at the
        # first earlier copy of the last state: a stutter loop at s_k whose s_k repeats an
        # earlier state is fair as a stutter loop, but the cycle back to that copy may not be
        loop = next(i for i in range(k + 1) if z3.is_true(model.eval(self.inloop[i],
                                                                      model_completion=True)))
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
