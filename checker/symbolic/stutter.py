"""Stutter lassos: fair behaviours that stop for ever in a state, found as plain reachability.

A lasso whose loop is just its last state sk (it stutters there for ever, lasso.py) is fair
exactly when every fairness constraint, weak or strong, is disabled at sk (its only loop
state; nothing is taken on a loop with no step). So whether one of k steps violates a
property is a question about the path s0 .. sk alone:
- `eventually Q`:        no Q in s0 .. sk;
- `always eventually Q`: not Q at sk; `eventually always Q`: not Q at sk;
- `P leadsto Q`:         some sj has P and no state from sj to sk has Q;
and sk has no fair step. That is a BMC query per depth on a lean unrolling (no loop
bookkeeping), much cheaper than the general lasso query, and partial-order reduction applies
(por.py) once the transitions that change what the property reads are kept visible: two
independent steps of which at most one is visible, swapped, leave the last state alone and
change the sequence of (P, Q) values only by repeating one of them, which none of the
conditions above can tell (they are invariant under repeated letters).
"""
from __future__ import annotations

from dataclasses import dataclass

import z3  # type: ignore[import-untyped]

from checker.symbolic.budget import SAT, UNSAT, Budget
from checker.symbolic.encode import Encoding, _and
from checker.symbolic.klive import enabled_and_taken
from checker.symbolic.por import slots_read
from checker.symbolic.zexpr import Translator
from mmspec.ground import GroundSystem


class Stopped(Exception):
    """A time limit or the solver ended a lasso search early."""


def visible_pairs(enc: Encoding) -> list[tuple[int, int]]:
    """enc.pairs without the pairs of two transitions that both write a slot some liveness
    property reads (swapping those would change a state the property sees)."""
    system = enc.system
    seen: set[int] = set()
    for p in system.liveness:
        slots_read(p.q, seen)
        if p.p is not None:
            slots_read(p.p, seen)
    writes = [{k for k, _ in t.updates} for t in system.transitions]
    return [(a, b) for a, b in enc.pairs if not (writes[a] & seen and writes[b] & seen)]


def order_formula(enc: Encoding, pairs: list[tuple[int, int]]) -> z3.BoolRef:
    """Over enc.sel (a step) and enc.sel2 (the next one): never b right before a."""
    return _and([z3.Not(z3.And(enc.sel == b, enc.sel2 == a)) for a, b in pairs], enc.ctx)


@dataclass
class StutterHit:
    """A stutter lasso of `k` steps: its states and the transitions between them."""

    k: int
    states: list[tuple[int, ...]]
    sels: list[int]


class StutterSearch:
    """One unrolling, deepened a step at a time; `probe(idx)` asks whether property idx has
    a stutter lasso of exactly the current depth. Every step changes the state."""

    def __init__(self, enc: Encoding, budget: Budget):
        self.enc, self.budget = enc, budget
        system: GroundSystem = enc.system
        tr = Translator(enc.arith, enc.cur)
        enabled, _ = enabled_and_taken(enc)
        self.idle = _and([z3.Not(e) for e in enabled], enc.ctx)  # no fair step at sk
        self.order = order_formula(enc, visible_pairs(enc))
        self.p = [tr.cond(p.p) if p.p is not None else None for p in system.liveness]
        self.q = [tr.cond(p.q) for p in system.liveness]
        self.solver = enc.arith.solver()
        self.path = enc.new_path("st")
        enc.add_state(self.path)
        self.solver.add(enc.on(enc.init_t, self.path, 0), enc.on(enc.domain_t, self.path, 0))
        n = len(system.liveness)
        self.seen: list[list[z3.BoolRef]] = [[] for _ in range(n)]  # the kind's flag per state
        self._track(0)

    @property
    def depth(self) -> int:
        return len(self.path.states) - 1

    def deepen(self) -> None:
        enc, path, s = self.enc, self.path, self.solver
        i = enc.add_state(path)
        s.add(enc.on(enc.domain_t, path, i), enc.step(path, i - 1), enc.distinct(path, i - 1, i))
        if i >= 2 and not z3.is_true(self.order):
            s.add(z3.substitute(self.order, (enc.sel, path.sels[i - 2]),
                                (enc.sel2, path.sels[i - 1])))
        self._track(i)

    def _track(self, i: int) -> None:
        """Per property, a flag at state i that, with the idle last state, is the violation:
        eventually: no Q so far; leadsto: a P seen with no Q since; the others: not Q."""
        enc, ctx = self.enc, self.enc.ctx
        for n, prop in enumerate(enc.system.liveness):
            nq = z3.Not(enc.on(self.q[n], self.path, i))
            prev = self.seen[n][-1] if i > 0 else None
            if prop.kind == "eventually":
                f = nq if prev is None else z3.And(prev, nq)
            elif prop.kind == "leadsto":
                p = self.p[n]
                trig = enc.on(p, self.path, i) if p is not None else z3.BoolVal(False, ctx)
                f = z3.And(trig if prev is None else z3.Or(prev, trig), nq)
            else:  # always_eventually Q, eventually_always Q: not Q in the stutter state
                f = nq
            flag = z3.Bool(f"st!seen{n}@{i}", ctx)
            self.solver.add(flag == f)
            self.seen[n].append(flag)

    def feasible(self) -> bool:
        """Whether some path has `depth` changing steps (else no lasso is that long)."""
        return self._solve() == SAT

    def probe(self, idx: int) -> StutterHit | None:
        enc, k = self.enc, self.depth
        bad = z3.And(self.seen[idx][k], enc.on(self.idle, self.path, k))
        act = z3.Bool(f"st!bad{idx}@{k}", enc.ctx)
        self.solver.add(z3.Implies(act, bad))
        if self._solve(act) == UNSAT:
            self.solver.add(z3.Not(bad))  # no stutter lasso this short: a fact of every path
            return None
        states, sels = enc.decode(self.solver.model(), self.path, k)
        return StutterHit(k, states, sels)

    def _solve(self, *assumptions: z3.BoolRef) -> str:
        r = self.budget.solve(self.solver, *assumptions)
        if r not in (SAT, UNSAT):
            raise Stopped()
        return r

