"""Liveness proofs for all depths: k-liveness (Claessen & Sörensson, FMCAD 2012) on IC3.

A liveness property fails when a *fair* behaviour keeps it waiting for ever (lasso.py and
docs/liveness.md give the semantics: TLA+ behaviours with stuttering; a fairness constraint
is enabled in a state when one of its transitions can fire there and change the state, and
taken on a step by one of its transitions that changes the state). We add a monitor to the
spec's state and prove a safety property of the product with IC3:

- `w` ("waiting"): the behaviour is still a candidate counterexample:
    eventually Q          w0 = !Q,        w' = w & !Q'
    P leadsto Q           w0 = P & !Q,    w' = (w | P') & !Q'
    always eventually Q   w0 = !Q,        w' = !Q'
    eventually always Q   always waiting; a round also needs a !Q state (GF !Q)
- per fairness constraint F, what the current *round* has seen of it: weak F one flag
  (F disabled in a state of the round, or taken on a step of it); strong F two flags
  (taken; enabled somewhere). A round is complete when every weak flag is set and every
  strong F was taken or never enabled in it; then `count` goes up (saturating at K + 1)
  and the flags clear. While not waiting, count and flags are 0; a step that no cycle of
  states can take (acyclic_transitions) clears them too, so K counts only rounds made
  inside loops (a violating loop never takes such a step).
- bad: `w & count > K` (more than K complete rounds while waiting), or `w` in a state
  where stuttering for ever is fair (no constraint enabled there).

Soundness (a proof is a proof): take a fair behaviour that violates the property. Either it
ends stuttering in a state where no constraint is enabled, waiting: that state is `bad`. Or
from some point it repeats a loop of changing steps on which it stays waiting, and every
weak F is disabled in some loop state or taken on the loop, every strong F is taken on the
loop or disabled in every loop state. Then each pass around the loop completes a round, so
`count` passes every K: `bad` is reachable. So if IC3 proves `bad` unreachable (an inductive
invariant, re-checked by verify_extended), no fair behaviour violates the property.
(Completeness for some K is the finite-state argument of the paper; we only try a few K and
else fall back to the bounded lasso search, which finds real violations.)

IC3 runs on the product with the spec's safety invariant (already proved and re-checked)
assumed of both states of every step.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import z3  # type: ignore[import-untyped]

from checker.symbolic.budget import SAT, UNSAT, Budget
from checker.symbolic.encode import Encoding, _and, _cannot_leave, _or
from checker.symbolic.ic3 import Extension, Ic3, domain_of, lemmas_formula
from checker.symbolic.zexpr import BvArith, Translator
from mmspec.ground import GLiveness, Slot, eval_gexpr

ConeFn = Callable[[Encoding, z3.BoolRef], list[int]]
KS = (2, 8, 32)  # round bounds tried, in order (each one IC3 run)


@dataclass
class Monitor:
    """The product's extension, bad states and the spec formula IC3's cone starts from."""

    ext: Extension
    bad: z3.BoolRef
    seed: z3.BoolRef  # every spec slot the monitor reads (for pdr.cone_of_influence)
    stutter: z3.BoolRef  # the part of `bad` that is a violation by itself (waiting, idle)


@dataclass
class LivenessProof:
    status: str  # UNSAT: proved; SAT: more than K rounds reachable; TIMEOUT | UNKNOWN
    k: int
    lemmas: int = 0
    frames: int = 0
    # a reachable state is waiting with no fair step enabled: stuttering there for ever is a
    # fair behaviour that violates the property (a violation for sure, of unknown length)
    certain: bool = False


def enabled_and_taken(enc: Encoding) -> tuple[list[z3.BoolRef], list[z3.BoolRef]]:
    """Per fairness constraint: enabled (a formula over cur) and taken (over cur and sel),
    with the explicit engine's meaning (an edge to a different state; liveness.py)."""
    system, ctx = enc.system, enc.ctx
    moves, steps = [], []
    for i, t in enumerate(system.transitions):
        change = _or([v != enc.cur[k] for (k, _), v in zip(t.updates, enc.values[i])], ctx)
        # a step whose successor leaves a declared range has no edge (a range violation)
        inside = [z3.And(v >= system.slots[k].lo, v <= system.slots[k].hi)
                  for (k, e), v in zip(t.updates, enc.values[i])
                  if system.slots[k].sort != "bool" and not _cannot_leave(system.slots[k], e,
                                                                          enc.bounds)]
        moves.append(_and([enc.takes[i], change] + inside, ctx))
        steps.append(z3.And(enc.sel == i, change))
    enabled = [_or([moves[t] for t in f.transitions], ctx) for f in system.fairness]
    taken = [_or([steps[t] for t in f.transitions], ctx) for f in system.fairness]
    return enabled, taken


def acyclic_transitions(enc: Encoding, max_values: int = 64) -> set[int]:
    """Transitions no cycle of the state graph can use (so no fair loop takes them).

    For a slot whose every writer assigns a constant (a program counter, typically), the
    writers form a graph over its values: t adds a -> b for each value a its guard allows.
    Along a cycle of states the slot comes back to its value, so its changes form a closed
    walk in that graph: a transition whose every edge a -> b (a != b) lies on no cycle of
    the graph is on no cycle of states. The guards' values are enumerated by the solver."""
    system, ctx = enc.system, enc.ctx
    writers: dict[int, list[tuple[int, z3.ExprRef]]] = {}
    for i, t in enumerate(system.transitions):
        for (k, _), v in zip(t.updates, enc.values[i]):
            writers.setdefault(k, []).append((i, z3.simplify(v)))
    solver = enc.arith.solver()
    solver.add(enc.domain_t)
    out: set[int] = set()
    for k, ws in writers.items():
        slot = system.slots[k]
        if slot.hi - slot.lo >= max_values or not all(_constant(v) for _, v in ws):
            continue
        edges: dict[int, list[tuple[int, int]]] = {}
        for i, v in ws:
            b = _value(enc, v)
            froms = _values(solver, enc.takes[i], enc.cur[k], enc, max_values)
            if froms is None:
                break
            edges[i] = [(a, b) for a in froms]
        else:
            succ: dict[int, set[int]] = {}
            for es in edges.values():
                for a, b in es:
                    succ.setdefault(a, set()).add(b)
            for i, es in edges.items():
                if es and all(a != b and not _reaches(succ, b, a) for a, b in es):
                    out.add(i)
    return out


def _constant(v: z3.ExprRef) -> bool:
    return bool(z3.is_true(v) or z3.is_false(v) or z3.is_int_value(v) or z3.is_bv_value(v))


def _value(enc: Encoding, v: z3.ExprRef) -> int:
    return int(z3.is_true(v)) if z3.is_bool(v) else enc.arith.number(v)


def _values(solver: z3.Solver, guard: z3.BoolRef, x: z3.ExprRef, enc: Encoding,
            most: int) -> list[int] | None:
    """Every value of x in a state where `guard` holds (None: more than `most`, or the
    solver did not decide)."""
    out: list[int] = []
    solver.push()
    try:
        solver.add(guard)
        while len(out) <= most:
            r = solver.check()
            if r == z3.unsat:
                return out
            if r != z3.sat:
                return None
            v = solver.model().eval(x, model_completion=True)
            out.append(_value(enc, v))
            solver.add(x != v)
        return None
    finally:
        solver.pop()


def _reaches(succ: dict[int, set[int]], a: int, b: int) -> bool:
    seen, todo = {a}, [a]
    while todo:
        x = todo.pop()
        if x == b:
            return True
        for y in succ.get(x, ()):
            if y not in seen:
                seen.add(y)
                todo.append(y)
    return False


def monitor(enc: Encoding, prop: GLiveness, k: int, known: z3.BoolRef | None,
            acyclic: set[int] | None = None) -> Monitor:
    """The k-liveness monitor of one property (see the module docstring)."""
    system, ctx, arith = enc.system, enc.ctx, enc.arith
    tr = Translator(arith, enc.cur)
    q = tr.cond(prop.q)
    p = tr.cond(prop.p) if prop.p is not None else z3.BoolVal(False, ctx)
    nq_next = z3.Not(on_next(enc, q))
    enabled, taken = enabled_and_taken(enc)
    f_, t_ = z3.BoolVal(False, ctx), z3.BoolVal(True, ctx)
    cur: list[z3.ExprRef] = []
    nxt: list[z3.ExprRef] = []
    slots: list[Slot] = []

    def var(name: str, lo: int = 0, hi: int = 1, sort: str = "bool") -> tuple[z3.ExprRef,
                                                                               z3.ExprRef]:
        # the count is a bit-vector of its own width under the bit-vector encoding (the
        # spec's width may be too narrow for K + 1)
        mk = ((lambda n: z3.Bool(n, ctx)) if sort == "bool" else
              (lambda n: z3.BitVec(n, max(4, (hi + 1).bit_length() + 1), ctx))
              if isinstance(arith, BvArith) else arith.var)
        c, n = mk(f"klive.{name}"), mk(f"klive.{name}'")
        cur.append(c)
        nxt.append(n)
        slots.append(Slot(f"klive.{name}", "klive", (name,), lo, hi, sort))
        return c, n

    ea = prop.kind == "eventually_always"
    if ea:
        w, w_next, w_init = t_, t_, None
    else:
        w, w_next = var("waiting")
        w_init = {"eventually": z3.Not(q), "always_eventually": z3.Not(q),
                  "leadsto": z3.And(p, z3.Not(q))}[prop.kind]
        w_upd = {"eventually": z3.And(w, nq_next), "always_eventually": nq_next,
                 "leadsto": z3.And(z3.Or(w, on_next(enc, p)), nq_next)}[prop.kind]
    count, count_next = var("count", 0, k + 1, "int")
    init = [count == 0]
    upd: list[z3.BoolRef] = []
    flags: list[tuple[z3.ExprRef, z3.ExprRef, z3.BoolRef]] = []  # (cur, nxt, accumulated)
    sat: list[z3.BoolRef] = []
    for n, (f, en, tk) in enumerate(zip(system.fairness, enabled, taken)):
        if f.kind == "weak":
            c, nx = var(f"fair{n}")
            acc = z3.Or(c, z3.Not(en), tk)
            flags.append((c, nx, acc))
            sat.append(acc)
        else:
            ct, nt = var(f"taken{n}")
            ce, ne = var(f"enabled{n}")
            acc_t, acc_e = z3.Or(ct, tk), z3.Or(ce, en)
            flags += [(ct, nt, acc_t), (ce, ne, acc_e)]
            sat.append(z3.Or(acc_t, z3.Not(acc_e)))
    if ea:
        c, nx = var("not_q")
        acc = z3.Or(c, z3.Not(q))
        flags.append((c, nx, acc))
        sat.append(acc)
    done = _and(sat, ctx)  # the round completes on this step
    live = t_ if ea else w_next
    if acyclic:
        # a step no fair loop can take: the rounds start again (only sooner proofs; a
        # violating behaviour takes such steps finitely often, so its count still grows)
        live = z3.And(live, z3.Not(_or([enc.sel == i for i in sorted(acyclic)], ctx)))
    if not ea:
        init.append(w == w_init)
        upd.append(w_next == w_upd)
    bumped = z3.If(count >= k + 1, count, count + 1)
    upd.append(count_next == z3.If(live, z3.If(done, bumped, count), 0))
    for c, nx, acc in flags:
        init.append(z3.Not(c))
        upd.append(nx == z3.And(live, z3.Not(done), acc))
    stutter = z3.And(w, *[z3.Not(en) for en in enabled]) if enabled else w
    if ea:
        stutter = z3.And(z3.Not(q), stutter)
    bad = z3.Or(z3.And(w, count >= k + 1), stutter)

    def init_values(s: tuple[int, ...]) -> tuple[int, ...]:
        out = [] if ea else [int(_holds(prop, s))]
        return tuple(out + [0] * (len(cur) - len(out)))

    ext = Extension(cur, nxt, slots, z3.And(*init), z3.And(*upd), init_values, known)
    seed = _and([q, p] + enabled, ctx)
    return Monitor(ext, bad, seed, stutter)


def _holds(prop: GLiveness, s: tuple[int, ...]) -> bool:
    """w0 in an initial state s (the reference interpreter, as the formula says)."""
    q = bool(eval_gexpr(prop.q, s))
    if prop.kind == "leadsto":
        assert prop.p is not None
        return bool(eval_gexpr(prop.p, s)) and not q
    return not q


def on_next(enc: Encoding, f: z3.ExprRef) -> z3.BoolRef:
    """f over the next state (enc.nxt for enc.cur)."""
    return z3.substitute(f, *zip(enc.cur, enc.nxt))


def prove(enc: Encoding, prop: GLiveness, known: z3.BoolRef | None, budget: Budget,
          cone: ConeFn, ks: tuple[int, ...] = KS) -> LivenessProof:
    """Try k-liveness with each bound in `ks`: the first proof, or the last answer."""
    last = LivenessProof(SAT, 0)
    acyclic = acyclic_transitions(enc)
    for k in ks:
        mon = monitor(enc, prop, k, known, acyclic)
        base = len(enc.cur)
        keep = cone(enc, mon.seed) + list(range(base, base + len(mon.ext.cur)))
        ic3 = Ic3(enc, mon.bad, keep, budget, mon.ext)
        res = ic3.run()
        budget.say(f"pdr: liveness {prop.name}: k-liveness K={k} {res.status} after "
                   f"{budget.elapsed():.2f}s")
        last = LivenessProof(res.status, k, res.held, res.frames)
        if res.status == UNSAT:
            inv = lemmas_formula(enc, res.lemmas, ic3.cur_vec)
            verify_extended(enc, mon, inv)
            return last
        if res.status != SAT:
            return last
        if k == ks[0]:  # is it a stutter violation? Then no K proves it: stop here
            status = Ic3(enc, mon.stutter, keep, budget, mon.ext).run().status
            budget.say(f"pdr: liveness {prop.name}: a waiting state with no fair step "
                       f"{'is' if status == SAT else 'is not'} reachable ({status}) after "
                       f"{budget.elapsed():.2f}s")
            if status == SAT:
                return LivenessProof(SAT, k, res.held, res.frames, certain=True)
            if status != UNSAT:
                return LivenessProof(status, k)
    return last


def failed_query(s: z3.Solver, checks: dict[str, z3.BoolRef]) -> str | None:
    """The first of an invariant's checks (initiation, consecution, safety: each must be
    unsatisfiable) that `s` does not refute, as 'name (result)'; None when all hold."""
    for name, f in checks.items():
        s.push()
        s.add(f)
        r = s.check()
        s.pop()
        if r != z3.unsat:
            return f"{name} ({r})"
    return None


class ExtendedInvariantError(AssertionError):
    """IC3's liveness invariant is not inductive on the product: a bug, never a verdict."""


def verify_extended(enc: Encoding, mon: Monitor, inv: z3.BoolRef) -> None:
    """Initiation, consecution and safety of `inv` on the spec x monitor product (with the
    known invariant assumed: it is itself inductive, verified by pdr.verify_inductive)."""
    ext = mon.ext
    cur, nxt = enc.cur + ext.cur, enc.nxt + ext.nxt
    slots = list(enc.system.slots) + ext.slots
    dom = domain_of(cur, slots, enc.ctx)
    known = ext.known if ext.known is not None else z3.BoolVal(True, enc.ctx)

    def product_next(f: z3.BoolRef) -> z3.BoolRef:  # spec and monitor slots
        return z3.substitute(f, *zip(cur, nxt))
    checks = {
        "initiation": z3.And(enc.init_t, ext.init, dom, z3.Not(inv)),
        "consecution": z3.And(inv, known, dom, enc.trans_t, ext.update,
                              product_next(dom), z3.Not(product_next(inv))),
        "safety": z3.And(inv, known, dom, mon.bad),
    }
    failed = failed_query(enc.arith.solver(), checks)
    if failed is not None:
        raise ExtendedInvariantError(f"the k-liveness invariant fails {failed}")

