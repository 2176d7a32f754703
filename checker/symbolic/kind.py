"""k-induction: prove invariants, in-step checks and ranges for every depth.

For k = 0..K: the base case is BMC at depth k (any violation there is a real, shortest
counterexample); the step case asks for k+1 consecutive, pairwise distinct states that all
satisfy the property P, followed by one that does not. If there is none, P holds in every
reachable state: a shortest path to a first bad state would be simple, longer than k (base
case) and end in exactly such a window. If there always is one, its states are a
counterexample to induction (CTI): not necessarily reachable, but a hint for a helper
invariant that rules its first state out.

P is the conjunction of all invariants (helper ones included: they are assumed in the window
and checked like the others), every in-step check as a state property ("at_t => c" for
'reach', "guard_t => c" for 'fire'), and "no enabled step leaves a declared range".
"""
from __future__ import annotations

import z3  # type: ignore[import-untyped]

from checker.options import CheckOptions
from checker.result import CheckResult, ExitReason, Stats, Trace, Violation
from checker.symbolic.budget import SAT, TIMEOUT, UNSAT, Budget
from checker.symbolic.encode import Encoding
from checker.symbolic.initial_checks import initial_violation
from checker.symbolic.notes import deadlock_on, scope_notes
from checker.symbolic.others import bounded_other_kinds
from checker.symbolic.replay import trace_of
from checker.symbolic.unroll import Unrolling
from checker.symbolic.violations import Finding, find
from mmspec.ground import GroundSystem

DEFAULT_DEPTH = 10


class Induction:
    """The incremental step case: the window grows by one state per k.

    LIMITATION: no partial-order reduction here (the window's intermediate states are
    constrained), so the step case gets slow at large k on interleaving-heavy specs (k = 25
    on vma_lock_refcnt takes minutes): helper invariants that make the property inductive
    at small k are the way to a fast proof.
    """

    def __init__(self, enc: Encoding, budget: Budget):
        self.enc = enc
        self.budget = budget
        self.solver = enc.arith.solver()
        self.path = enc.new_path("t")
        enc.add_state(self.path)
        self.solver.add(enc.on(enc.domain_t, self.path, 0))

    def probe(self) -> tuple[str, Trace | None, Finding | None]:
        """The step case for k = the current window length - 1; SAT comes with the CTI."""
        enc, path, s = self.enc, self.path, self.solver
        k = len(path.states) - 1
        n = enc.add_state(path)
        s.add(enc.on(enc.prop_t, path, k), enc.on(enc.domain_t, path, n), enc.step(path, k))
        s.add(*[enc.distinct(path, j, n) for j in range(n)])
        act = z3.Bool(f"cti@{k}", enc.ctx)
        s.add(z3.Implies(act, z3.Not(enc.on(enc.prop_t, path, n))))
        r = self.budget.solve(s, act)
        if r != SAT:
            return r, None, None
        states, sels = enc.decode(s.model(), path, n)
        for kind in ("invariant", "domain", "check", "range"):
            f = find(enc.system, states[-1], kind)
            if f is not None:
                return SAT, trace_of(enc.system, states, sels, from_init=False), f
        raise AssertionError(f"the solver's CTI ends in {states[-1]}, which violates nothing")


def check_kind(system: GroundSystem, options: CheckOptions, *, encoding: str = "bv",
               por: bool = True) -> CheckResult:
    """`encoding` ("bv" | "int") and `por` (partial-order reduction of the base case) are
    tuning knobs for benchmarks and cross-checks; the defaults are the fast ones."""
    bad_init = initial_violation(system)  # outside what its paths show
    if bad_init is not None:
        return CheckResult(system.spec, "kind", ExitReason.VIOLATION, [bad_init], Stats())
    return _Run(system, options, encoding, por).run()


class _Run:
    """One k-induction run: the loop over k, then (after a proof) the deadlock sweep."""

    def __init__(self, system: GroundSystem, options: CheckOptions, encoding: str, por: bool):
        self.system = system
        self.options = options
        self.budget = Budget(options)
        self.top = DEFAULT_DEPTH if options.depth is None else options.depth
        self.dead = deadlock_on(system, options)
        enc = Encoding(system, self.dead, encoding=encoding, por=por)
        self.base, self.step = Unrolling(enc, self.budget), Induction(enc, self.budget)
        self.notes = scope_notes(system, options, "kind")
        self.stats = Stats()
        self.violations: list[Violation] = []
        self.done = -1  # deepest depth the base case found clean
        self.complete = False  # every execution ends within `done`: all states checked

    def run(self) -> CheckResult:
        reason = self._induct()
        if reason == ExitReason.DONE and self.dead and not self.complete:
            reason = self._deadlock_sweep()
        if reason in (ExitReason.DONE, ExitReason.DEPTH_LIMIT):
            # lock order and liveness: bounded searches up to the same depth, as bmc does
            more, notes, stopped = bounded_other_kinds(self.base.enc, self.options,
                                                       self.budget, self.top)
            self.notes += notes
            if more:
                self.violations += more
                reason = ExitReason.VIOLATION
            elif stopped:
                reason = (ExitReason.TIME_LIMIT if self.budget.expired()
                          else ExitReason.UNKNOWN)
        extra = self.stats.extra
        extra.setdefault("proved", False)
        if self.dead and not self.violations and not self.complete:
            self.notes.append("deadlock freedom is not proved by k-induction: checked only up "
                              f"to depth {max(self.done, 0)} (bounded, as by --engine bmc)")
        self.stats.depth = max(self.done, 0)
        self.stats.seconds = self.budget.elapsed()
        extra.update(self.budget.stats_extra())
        return CheckResult(self.system.spec, "kind", reason, self.violations, self.stats,
                           self.notes)

    def _induct(self) -> ExitReason:
        budget, base = self.budget, self.base
        cti: tuple[Trace, Finding] | None = None
        for k in range(self.top + 1):
            if k > 0:
                base.deepen()
            t0 = budget.elapsed()
            stop = self._base_case(k)
            if stop is not None:
                return stop
            t1 = budget.elapsed()
            r, trace, finding = self.step.probe()
            budget.say(f"kind: k {k} base {t1 - t0:.2f}s step {budget.elapsed() - t1:.2f}s")
            if r == UNSAT:
                self.stats.extra.update({"k": k, "proved": True})
                self.notes.append(f"proved for all depths by {k}-induction (invariants, "
                                  "in-step checks and ranges)")
                return ExitReason.DONE
            if r != SAT:
                return self._stopped(r, f"k={k}")
            assert trace is not None and finding is not None
            cti = (trace, finding)
        self.stats.extra["k"] = self.top
        self.notes.append(f"not k-inductive up to {self.top}: add a helper invariant")
        if cti is not None:
            trace, f = cti
            self.stats.extra.update({"cti": trace, "cti_property": f.property})
            self.notes.append(f"the counterexample to induction ({len(trace)} states, not "
                              f"necessarily reachable) ends violating {f.kind} {f.property}")
        return ExitReason.DEPTH_LIMIT

    def _base_case(self, k: int) -> ExitReason | None:
        """BMC at depth k; a verdict if it settles the run, None to go on to the step case."""
        probe = self.base.probe()
        if probe.status == SAT:
            assert probe.violation is not None
            self.violations.append(probe.violation)
            self.done = k
            self.budget.say(f"kind: k {k} base: violation")
            return ExitReason.VIOLATION
        if probe.status != UNSAT:
            return self._stopped(probe.status, f"k={k}")
        self.done = k
        if k > 0 and self.base.feasible() == UNSAT:  # every execution ends before depth k
            self.done, self.complete = k - 1, True
            self.stats.extra.update({"k": k, "proved": True})
            self.notes.append(f"every execution ends within {k - 1} steps: all reachable "
                              "states were checked (complete, deadlock freedom included)")
            return ExitReason.DONE
        return None

    def _deadlock_sweep(self) -> ExitReason:
        """After a proof, keep the base case going to depth K for deadlocks only.

        Induction says nothing about deadlock freedom; without this, a spec that deadlocks
        at depth 3 but was proved by 0-induction would pass silently. Only deadlock can show
        now: the other properties hold at every depth.
        """
        base, budget = self.base, self.budget
        while base.depth < self.top:
            base.deepen()
            t0 = budget.elapsed()
            probe = base.probe()
            budget.say(f"kind: deadlock sweep depth {base.depth} {budget.elapsed() - t0:.2f}s")
            if probe.status == SAT:
                assert probe.violation is not None
                self.violations.append(probe.violation)
                self.done = base.depth
                return ExitReason.VIOLATION
            if probe.status != UNSAT:
                what = budget.stop_what() if probe.status == TIMEOUT else "solver gave up"
                self.notes.append(f"deadlock sweep stopped at depth {base.depth}: {what}")
                return ExitReason.DONE  # the safety proof stands
            self.done = base.depth
            if base.feasible() == UNSAT:
                self.done, self.complete = base.depth - 1, True
                self.notes.append(f"every execution ends within {self.done} steps: deadlock "
                                  "freedom was checked in every reachable state")
                break
        return ExitReason.DONE

    def _stopped(self, status: str, where: str) -> ExitReason:
        what = (self.budget.stop_what() if status == TIMEOUT
                else f"solver gave up ({self.budget.unknown_reason})")
        self.notes.append(f"no violation up to depth {self.done}; stopped at {where}: {what}")
        return self.budget.stop_reason() if status == TIMEOUT else ExitReason.UNKNOWN
