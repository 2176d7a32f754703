"""Lock order (lockdep) on the z3 engines: "acquired B while holding A" edges as state formulas.

The explicit engine adds an edge (A, B) when a step with a blocking acquire of B fires while
its thread holds A (checker/explicit/search.py). That is a property of the pre-state alone:
the step's guard holds and the thread owns A (as writer/owner or reader), with A's lockdep
subclass read from its slot. So each edge is a formula over one state, and
- BMC asks, depth by depth, which edges are reachable at exactly that depth (the first
  witness of each edge is a shortest path to its pre-state plus the acquiring step, as in
  BFS) and reports the first cycle among the edges found (checker/lockorder.py), with one
  witness trace per edge;
- PDR, after a proof, asks which edges are possible in any state of the inductive invariant
  (a superset of the reachable ones): if those edges form no cycle, lock order is proved
  for all depths; if they do, the cycle is searched for by BMC.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import z3  # type: ignore[import-untyped]

from checker.lockorder import (Edge, Key, LockOrderGraph, chain_details, cycle_message,
                              key_name, ordered_pairs)
from checker.options import CheckOptions
from checker.settings import resolve
from checker.result import Trace, Violation
from checker.symbolic.budget import SAT, UNSAT, Budget
from checker.symbolic.encode import Encoding
from checker.symbolic.unroll import Unrolling
from checker.symbolic.violations import successor
from mmspec.ground import GroundSystem, eval_gexpr

@dataclass(frozen=True)
class Candidate:
    """One way an edge can arise: transition `ti` of thread `tid` holding lock `held`."""

    src: Key
    dst: Key
    ti: int
    tid: int
    cond: z3.BoolRef  # over enc.cur

def lock_order_on(system: GroundSystem, options: CheckOptions) -> bool:
    return resolve(system, options).lock_order

def candidates(enc: Encoding) -> list[Candidate]:
    system = enc.system
    out = []
    for ti, t in enumerate(system.transitions):
        for tid, lk, dst in ordered_pairs(system, t):
            held = enc.cur[lk.owner] == tid
            if lk.readers:
                held = z3.Or(held, enc.cur[lk.readers[tid]])
            subs: list[tuple[int, z3.BoolRef]] = [(0, z3.BoolVal(True, enc.ctx))]
            if lk.subclass:
                sl = system.slots[lk.subclass[tid]]
                x = enc.cur[lk.subclass[tid]]
                subs = [(v, x == v) for v in range(sl.lo, sl.hi + 1)]
            for sub, is_sub in subs:
                out.append(Candidate((lk.cls, sub), dst, ti, tid,
                                     z3.And(enc.guards[ti], held, is_sub)))
    return out

def _by_key(cands: list[Candidate]) -> dict[tuple[Key, Key], list[Candidate]]:
    out: dict[tuple[Key, Key], list[Candidate]] = {}
    for c in cands:
        out.setdefault((c.src, c.dst), []).append(c)
    return out

# ---------------------------------------------------------------------- BMC

def bmc_lock_order(enc: Encoding, budget: Budget, depth: int
                   ) -> tuple[Violation | None, str]:
    """Edges reachable within `depth` steps, depth by depth; the first cycle, if any."""
    keys = _by_key(candidates(enc))
    run = Unrolling(enc, budget)
    graph = LockOrderGraph()
    cycle: list[Edge] | None = None
    while True:
        d = run.depth
        for key, cs in keys.items():
            if key in graph.edges:
                continue
            conds = [run_on(enc, c.cond, run, d) for c in cs]
            act = z3.Bool(f"edge@{d}:{key_name(key[0])}->{key_name(key[1])}", enc.ctx)
            run.solver.add(z3.Implies(act, z3.Or(*conds)))
            r = budget.solve(run.solver, act)
            if r == SAT:
                trace, tid = _witness(enc, run, cs, run.solver.model())
                chain = graph.add(key[0], key[1], tid, trace)
                if chain is not None and cycle is None:
                    cycle = chain
            elif r != UNSAT:
                return None, (f"lock order checked up to depth {d - 1} only "
                              "(time limit or solver gave up)")
        if cycle is not None:
            return _violation(enc, cycle), f"lock-order cycle found by bmc at depth {d}"
        if d >= depth:
            return None, (f"no lock-order cycle up to depth {depth} ({len(graph.edges)} "
                          "edges seen; bounded check)")
        run.deepen()
        if run.feasible() == UNSAT:
            return None, (f"no lock-order cycle: every execution ends within {d} steps "
                          f"({len(graph.edges)} edges, all reachable ones)")

def run_on(enc: Encoding, f: z3.BoolRef, run: Unrolling, i: int) -> z3.BoolRef:
    return enc.on(f, run.path, i)

def _witness(enc: Encoding, run: Unrolling, cs: list[Candidate], model: z3.ModelRef
             ) -> tuple[Trace, int]:
    """The path to the pre-state, then the acquiring step (replayed like any trace)."""
    from checker.symbolic.replay import trace_of
    system = enc.system
    states, sels = enc.decode(model, run.path, run.depth)
    pre = states[-1]
    for c in cs:
        t = system.transitions[c.ti]
        if eval_gexpr(t.guard, pre) and z3.is_true(model.eval(
                run_on(enc, c.cond, run, run.depth), model_completion=True)):
            nxt = successor(system, pre, c.ti)
            if nxt is None:  # leaves a range: shown as the pre-state path alone
                return trace_of(system, states, sels), c.tid
            return trace_of(system, states + [nxt], sels + [c.ti]), c.tid
    raise AssertionError("lock-order model satisfies no candidate")

def _violation(enc: Encoding, chain: list[Edge]) -> Violation:
    witnesses: list[Trace] = [e.witness for e in chain]
    last = witnesses[0].steps[-1]
    return Violation("lock-order", "lock-order", cycle_message(chain), witnesses[0],
                     last.span, chain_details(enc.system, chain, witnesses).as_dict())

# ---------------------------------------------------------------------- PDR

def prove_lock_order(enc: Encoding, inv: z3.BoolRef, budget: Budget,
                     unreachable: Callable[[z3.BoolRef], str]
                     ) -> tuple[Violation | None, str]:
    """Lock order for all depths from an inductive invariant, refined where needed.

    The edges possible in some state of the invariant over-approximate the reachable ones.
    While they contain a cycle, each edge of it is asked about on its own (`unreachable`:
    a PDR query, UNSAT when the edge can never arise): unreachable edges are dropped; a
    cycle of edges all known reachable is a real lockdep report, whose witnesses BMC finds.
    """
    s = z3.Solver(ctx=enc.ctx)
    s.add(inv, enc.domain_t)
    keys = _by_key(candidates(enc))
    allowed = [k for k, cs in keys.items() if s.check(z3.Or(*[c.cond for c in cs])) == z3.sat]
    reachable: set[tuple[Key, Key]] = set()
    while True:
        cycle = _a_cycle(allowed)
        if cycle is None:
            return None, (f"lock order proved for all depths: the {len(allowed)} edges that "
                          "can arise form no cycle")
        todo = [k for k in cycle if k not in reachable]
        if not todo:
            break
        key = todo[0]
        r = unreachable(z3.Or(*[c.cond for c in keys[key]]))
        if r == UNSAT:
            allowed.remove(key)
        elif r == SAT:
            reachable.add(key)
        else:
            return None, ("lock order not proved: stopped deciding whether edge "
                          f"{key_name(key[0])} -> {key_name(key[1])} can arise ({r})")
    found, note = bmc_lock_order(enc, budget, 10 ** 6)
    if found is not None:
        return found, note
    return None, f"lock order: a cycle of reachable edges exists but bmc stopped ({note})"


def _a_cycle(edges: list[tuple[Key, Key]]) -> list[tuple[Key, Key]] | None:
    g = LockOrderGraph()
    for src, dst in edges:
        chain = g.add(src, dst, None, None)
        if chain is not None:
            return [(e.src, e.dst) for e in chain]
    return None
