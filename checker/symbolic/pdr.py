"""IC3/PDR: proofs for all depths without hand-written invariants (engine "pdr").

One question is asked of the ground transition system: is a `bad` state reachable? `bad` is
every state property a safe system never reaches: an invariant or in-step check fails, an
enabled step leaves a declared range, and (when on) no step is enabled outside the allowed
final states, so deadlock freedom is proved for all depths too. The step relation is the
functional one of encode.py (one selector, one next-state ite per slot), over z3 Ints.

Two backends answer it:
- "ic3" (the default): our own IC3 (ic3.py) over literals `slot == v`, `slot <= v`,
  `slot >= v`, with lifting, MIC with counterexamples to generalisation, and propagation,
  on the bit-vector encoding, its generalisation steered by a sample of reachable states
  (seeds.py). Its lemmas print directly as `.mms` predicates.
- "spacer": z3's Spacer on three constrained Horn clauses over one relation Inv(state)
      init(s) /\\ dom(s) => Inv(s);  Inv(s) /\\ T(s, sel, s') /\\ dom(s') => Inv(s');
      Inv(s) /\\ bad(s) => false
  kept as a knob for cross-checks. `python bench/prove.py --backend ic3|spacer` measures
  both on the ten fixed library specs (figures in the commit messages and docs/specs.md).

Only the slots in the cone of influence of `bad` take part (cone_of_influence).

Nothing a backend says is taken on trust:
- a proof comes with an invariant, re-checked here with a plain solver (initiation,
  consecution, safety: verify_inductive) before "proved" is reported, and rendered as
  `.mms` helper invariants (lemmas.py) that make `--engine kind --depth 1` succeed;
- "reachable" only tells us a violation exists: the counterexample itself is found by BMC
  depth by depth (so it is a shortest one, the explicit engine's length) and replayed with
  the reference semantics (replay.py).
Lock order is proved from the invariant (edges.prove_lock_order). Liveness is proved by
k-liveness on IC3 (klive.py: a monitor turns each property under the spec's fairness into a
safety property of the spec x monitor product, proved with the safety invariant assumed and
re-checked); a property it does not prove is searched as bounded fair lassos (lasso.py): a
lasso found is a violation; none found is no proof, and then the verdict is incomplete,
never "ok".
"""
from __future__ import annotations

import time
from typing import Literal

import z3  # type: ignore[import-untyped]

from checker.options import CheckOptions
from checker.result import CheckResult, ExitReason, Stats, Violation
from checker.symbolic.budget import SAT, TIMEOUT, UNKNOWN, UNSAT, Budget
from checker.symbolic.edges import lock_order_on, prove_lock_order
from checker.symbolic.encode import KINDS, Encoding, _cannot_leave, _or
from checker.symbolic.ic3 import Ic3, lemmas_formula
from checker.symbolic import klive
from checker.symbolic.initial_checks import initial_violation
from checker.symbolic.seeds import sample_states
from checker.symbolic.lasso import bmc_liveness
from checker.symbolic.lemmas import render_cubes, render_invariant
from checker.symbolic.notes import deadlock_on
from checker.symbolic.por import slots_read
from checker.symbolic.unroll import Unrolling
from mmspec.ground import GExpr, GroundSystem, GTransition


SAMPLE_STATES = 20_000  # reachable states sampled to guide IC3's generalisation (seeds.py)
SAMPLE_SECONDS = 2.0
UNBOUNDED = 1_000_000  # a lasso search that stops at its violation or the time limit


class InvariantError(AssertionError):
    """Spacer's solution is not an inductive invariant: a bug in the encoding or in z3."""


Backend = Literal["ic3", "spacer"]


def check_pdr(system: GroundSystem, options: CheckOptions, *,
              backend: Backend = "ic3") -> CheckResult:
    """`backend`: our IC3 over bit-vectors (default, see the module docstring) or z3's
    Spacer over integers; a knob for bench/prove.py and cross-checks."""
    bad_init = initial_violation(system)  # outside what its paths show
    if bad_init is not None:
        return CheckResult(system.spec, "pdr", ExitReason.VIOLATION, [bad_init], Stats())
    return _Run(system, options, backend).run()


class _Run:
    def __init__(self, system: GroundSystem, options: CheckOptions, backend: Backend):
        self.system = system
        self.options = options
        self.backend = backend
        self.budget = Budget(options)
        self.dead = deadlock_on(system, options)
        # IC3 on bit-vectors (z3's SAT core; about twice as fast as integers on the vma
        # and mlockall specs, bench/prove.py), Spacer on integers
        self.enc = Encoding(system, self.dead, encoding="bv" if backend == "ic3" else "int",
                            por=False)
        self.kinds = [k for k in KINDS if not z3.is_false(self.enc.bad_t[k])]
        self.notes: list[str] = []
        self.stats = Stats()
        self.violations: list[Violation] = []

    def run(self) -> CheckResult:
        reason = self._solve()
        if reason == ExitReason.DONE:
            reason = self._other_kinds()
        self.stats.seconds = self.budget.elapsed()
        self.stats.extra.setdefault("proved", False)
        self.stats.extra.update(self.budget.stats_extra())
        return CheckResult(self.system.spec, "pdr", reason, self.violations, self.stats,
                           self.notes)

    # ------------------------------------------------------------------ safety


    def _solve(self) -> ExitReason:
        budget = self.budget
        enc = self.enc
        if self.backend == "ic3":
            return self._solve_ic3()
        safety = [k for k in self.kinds if k != "deadlock"]
        status, inv = spacer(enc, _or([enc.bad_t[k] for k in safety], enc.ctx), budget)
        budget.say(f"pdr: safety {status} after {budget.elapsed():.2f}s")
        if status == UNSAT and "deadlock" in self.kinds:
            # deadlock freedom second, on top of the safety invariant: one big query is
            # much slower than the two (bench/prove.py)
            status, more = spacer(enc, enc.bad_t["deadlock"], budget, known=inv)
            budget.say(f"pdr: deadlock {status} after {budget.elapsed():.2f}s")
            if more is not None:
                inv = z3.And(inv, more)
        if status == UNSAT:
            assert inv is not None
            verify_inductive(self.enc, self.kinds, inv)
            return self._proved(inv, render_invariant(self.system, self.enc, inv))
        if status == SAT:
            return self._counterexample()
        return self._stopped(status, "while proving")

    def _solve_ic3(self) -> ExitReason:
        enc = self.enc
        bad = _or([enc.bad_t[k] for k in self.kinds], enc.ctx)
        if z3.is_false(bad):
            return self._proved(z3.BoolVal(True, enc.ctx), render_cubes(self.system, []))
        ic3 = Ic3(enc, bad, cone_of_influence(enc, bad), self.budget)
        sample = sample_states(self.system, SAMPLE_STATES, SAMPLE_SECONDS)
        if sample is not None:
            ic3.use_sample(sample)
            self.budget.say(f"pdr: {len(sample)} sampled reachable states guide IC3")
        res = ic3.run()
        lemmas = res.lemmas
        if res.status == UNSAT:
            # only the lemmas the proof uses (cores of safety and of consecution)
            lemmas = ic3.needed(res.lemmas)
        self.stats.extra.update({"ic3_frames": res.frames, "ic3_queries": res.queries,
                                 "ic3_lemmas": len(lemmas) if res.status == UNSAT
                                 else res.held})
        self.budget.say(f"pdr: ic3 {res.status} after {self.budget.elapsed():.2f}s")
        if res.status == UNSAT:
            inv = lemmas_formula(enc, lemmas)
            verify_inductive(enc, self.kinds, inv)
            return self._proved(inv, render_cubes(self.system, lemmas))
        if res.status == SAT:
            return self._counterexample()
        return self._stopped(res.status, "while proving")

    def _proved(self, inv: z3.BoolRef, lines: list[str]) -> ExitReason:
        self.invariant = inv
        what = "invariants, in-step checks, ranges" + (
            ", deadlock freedom" if self.dead else "")
        how = "IC3" if self.backend == "ic3" else "z3 Spacer"
        self.stats.extra.update({"proved": True, "invariant": lines})
        self.notes.append(f"proved for all depths by IC3/PDR ({how}): {what}")
        self.notes.append("inductive invariant found (paste it into the spec and "
                          "--engine kind --depth 1 proves it):\n" +
                          "\n".join("    " + ln for ln in lines))
        return ExitReason.DONE

    def _counterexample(self) -> ExitReason:
        """Spacer says a bad state is reachable: BMC finds the shortest path to one."""
        run = Unrolling(Encoding(self.system, self.dead), self.budget)  # bit-vectors, POR
        while True:
            probe = run.probe()
            if probe.status == SAT:
                assert probe.violation is not None
                self.violations.append(probe.violation)
                self.stats.depth = run.depth
                self.notes.append("a violation is reachable (IC3/PDR); the trace is a "
                                  f"shortest one, found by BMC at depth {run.depth}")
                return ExitReason.VIOLATION
            if probe.status != UNSAT:
                return self._stopped(probe.status, f"minimising the trace at depth "
                                     f"{run.depth}")
            self.stats.depth = run.depth
            run.deepen()

    def _reachable_status(self, f: z3.BoolRef) -> str:
        """UNSAT when no reachable state satisfies f (SAT when one does)."""
        if self.backend == "spacer":
            return spacer(self.enc, f, self.budget)[0]
        return Ic3(self.enc, f, cone_of_influence(self.enc, f), self.budget).run().status

    def _stopped(self, status: str, where: str) -> ExitReason:
        what = ("time limit" if status == TIMEOUT
                else f"solver gave up ({self.budget.unknown_reason})")
        self.notes.append(f"no verdict: stopped {where}: {what}")
        return ExitReason.TIME_LIMIT if status == TIMEOUT else ExitReason.UNKNOWN

    # ------------------------------------------------------------------ other kinds

    def _other_kinds(self) -> ExitReason:
        """Lock order and liveness after a safety proof: proved, found, or said unchecked
        (then the verdict is incomplete, never "ok")."""
        system, options = self.system, self.options
        reason = ExitReason.DONE
        if lock_order_on(system, options):
            found, note = prove_lock_order(
                self.enc, self.invariant, self.budget,
                self._reachable_status)
            self.notes.append(note)
            if found is not None:
                self.violations.append(found)
                reason = ExitReason.VIOLATION
            elif not note.startswith("lock order proved"):
                reason = ExitReason.UNKNOWN
        if system.liveness and options.liveness:
            reason = self._liveness(reason)
        return reason

    def _liveness(self, reason: ExitReason) -> ExitReason:
        """k-liveness first; the properties it does not prove are searched as bounded fair
        lassos (a shortest one, replayed): up to the depth bound, or with no bound when
        k-liveness met a reachable waiting state with no fair step (a violation exists, so
        the search ends). Absence of a lasso proves nothing: the verdict is incomplete."""
        system, options = self.system, self.options
        unproved, certain = self._prove_liveness()
        if not unproved:
            return reason
        depth = 20 if options.depth is None else options.depth
        bounded = [i for i in unproved if i not in certain]
        found: list[Violation] = []
        incomplete = False
        for props, bound in ((sorted(certain), UNBOUNDED), (bounded, depth)):
            if not props:
                continue
            lassos, note, _ = bmc_liveness(Encoding(system, self.dead), self.budget, bound,
                                           props)
            self.notes.append(note)
            found += lassos
            incomplete |= len(lassos) < len(props) and "(a complete check)" not in note
        if found:
            self.violations += found
            self.stats.depth = max(len(v.trace) - 1 for v in found)
            return ExitReason.VIOLATION
        if incomplete:
            self.notes.append("liveness is not proved by --engine pdr (use --engine "
                              "explicit): the verdict is incomplete")
            if reason == ExitReason.DONE:
                return ExitReason.TIME_LIMIT if self.budget.expired() else ExitReason.UNKNOWN
        return reason

    def _prove_liveness(self) -> tuple[list[int], set[int]]:
        """k-liveness on IC3 for every liveness property (klive.py), with the safety
        invariant assumed: the properties not proved for all depths, and those of them
        with a stutter violation for sure."""
        proved: list[str] = []
        unproved: list[int] = []
        certain: set[int] = set()
        stopped = False
        for idx, prop in enumerate(self.system.liveness):
            if stopped:  # the time limit: nothing else will be decided
                unproved.append(idx)
                continue
            got = klive.prove(self.enc, prop, self.invariant, self.budget, cone_of_influence)
            if got.status == UNSAT:
                proved.append(f"{prop.name} (at most {got.k} fair rounds while waiting; "
                              f"{got.lemmas} lemmas)")
                continue
            why = ("a waiting state with no fair step is reachable: violated" if got.certain
                   else f"K up to {got.k}: {got.status}")
            self.notes.append(f"liveness {prop.name}: no k-liveness proof ({why})")
            unproved.append(idx)
            if got.certain:
                certain.add(idx)
            stopped = got.status != SAT
        if proved:
            self.stats.extra["liveness_proved"] = [
                p.name for i, p in enumerate(self.system.liveness) if i not in unproved]
            self.notes.append("liveness proved for all depths by k-liveness on IC3, under "
                              "the spec's fairness: " + ", ".join(proved))
        return unproved, certain


# ---------------------------------------------------------------------- the CHC query


def spacer(enc: Encoding, bad: z3.BoolRef, budget: Budget,
           known: z3.BoolRef | None = None) -> tuple[str, z3.BoolRef | None]:
    """UNSAT (no state satisfying `bad` is reachable) with Inv's solution over enc.cur, SAT
    (one is), TIMEOUT or UNKNOWN. `known` is an inductive invariant already proved: it holds
    in every reachable state, so it may be assumed of both states of a step."""
    if z3.is_false(bad):
        return UNSAT, z3.BoolVal(True, enc.ctx)
    ctx = enc.ctx
    fp = z3.Fixedpoint(ctx=ctx)
    fp.set(engine="spacer")
    # keep the relation over every slot: the solution is printed over the spec's variables
    fp.set("xform.slice", False)
    fp.set("xform.inline_linear", False)
    fp.set("xform.inline_eager", False)
    keep = cone_of_influence(enc, bad)
    cur = [enc.cur[k] for k in keep]
    nxt = [enc.nxt[k] for k in keep]
    inv = z3.Function("Inv", *[x.sort() for x in cur], z3.BoolSort(ctx))
    err = z3.Bool("Err", ctx)
    fp.register_relation(inv, err.decl())
    fp.declare_var(*(enc.cur + enc.nxt + [enc.sel]))
    fp.rule(inv(*cur), [enc.init_t, enc.domain_t])
    step = [inv(*cur), enc.trans_t, klive.on_next(enc, enc.domain_t)]
    if known is not None:
        step += [known, klive.on_next(enc, known)]
    fp.rule(inv(*nxt), step)
    fp.rule(err, [inv(*cur), bad])
    if budget.deadline is not None:
        ms = int((budget.deadline - _now()) * 1000)
        if ms <= 0:
            return TIMEOUT, None
        fp.set("timeout", ms)
    t0 = _now()
    try:
        r = fp.query(err)
    except z3.Z3Exception as e:  # z3 raises 'canceled' at its timeout
        budget.solver_seconds += _now() - t0
        budget.unknown_reason = str(e)
        return (TIMEOUT if budget.expired() or "cancel" in str(e) else UNKNOWN), None
    budget.solver_seconds += _now() - t0
    budget.checks += 1
    if r == z3.sat:
        return SAT, None
    if r == z3.unsat:
        body = fp.get_cover_delta(-1, inv)
        return UNSAT, z3.substitute_vars(body, *cur)
    budget.unknown_reason = fp.reason_unknown()
    return (TIMEOUT if budget.expired() else UNKNOWN), None


def cone_of_influence(enc: Encoding, bad: z3.BoolRef) -> list[int]:
    """The slots `bad` depends on, through the updates and guards of the transitions that
    write them. The others (lockdep subclass slots, typically) cannot change whether a bad
    state is reached, so Inv leaves them out: a smaller problem and an invariant without
    names the language cannot spell."""
    system = enc.system
    index = {x.get_id(): k for k, x in enumerate(enc.cur)}
    keep = {index[x.get_id()] for x in _consts(bad) if x.get_id() in index}
    todo = list(keep)
    writers: dict[int, list[tuple[GTransition, GExpr]]] = {}
    for t in system.transitions:
        for k, e in t.updates:
            writers.setdefault(k, []).append((t, e))
    while todo:
        k = todo.pop()
        for t, e in writers.get(k, []):
            reads = slots_read(t.guard, set())
            slots_read(t.explore, reads)
            slots_read(e, reads)
            # a step whose update of any slot would leave that slot's range is not taken
            # (the step relation keeps every next value in its domain), so those updates
            # decide whether t is enabled as much as its guard does
            for k2, e2 in t.updates:
                if not _cannot_leave(system.slots[k2], e2, enc.bounds):
                    slots_read(e2, reads)
            for r in reads - keep:
                keep.add(r)
                todo.append(r)
    return sorted(keep)


def _consts(f: z3.ExprRef) -> list[z3.ExprRef]:
    out, seen, todo = [], set(), [f]
    while todo:
        x = todo.pop()
        if x.get_id() in seen:
            continue
        seen.add(x.get_id())
        if z3.is_const(x) and x.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            out.append(x)
        else:
            todo += x.children()
    return out


def verify_inductive(enc: Encoding, kinds: list[str], inv: z3.BoolRef) -> None:
    """Initiation, consecution and safety of `inv`, each by one plain solver query."""
    s = z3.Solver(ctx=enc.ctx)
    nxt = klive.on_next(enc, inv)
    bad = z3.Or(*[enc.bad_t[k] for k in kinds]) if kinds else z3.BoolVal(False, enc.ctx)
    checks = {
        "initiation": z3.And(enc.init_t, enc.domain_t, z3.Not(inv)),
        "consecution": z3.And(inv, enc.domain_t, enc.trans_t,
                              klive.on_next(enc, enc.domain_t),
                              z3.Not(nxt)),
        "safety": z3.And(inv, enc.domain_t, bad),
    }
    failed = klive.failed_query(s, checks)
    if failed is not None:
        raise InvariantError(f"the PDR invariant fails {failed}")


def _now() -> float:
    return time.monotonic()
