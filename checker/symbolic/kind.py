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

import z3

from checker.options import CheckOptions
from checker.result import CheckResult, ExitReason, Stats, Trace
from checker.symbolic.budget import SAT, TIMEOUT, UNSAT, Budget
from checker.symbolic.encode import Encoding
from checker.symbolic.notes import deadlock_on, scope_notes
from checker.symbolic.replay import trace_of
from checker.symbolic.unroll import Unrolling
from checker.symbolic.violations import Finding, find
from mmspec.ground import GroundSystem

DEFAULT_DEPTH = 10


class Induction:
    """The incremental step case: the window grows by one state per k."""

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
        for kind in ("invariant", "check", "range"):
            f = find(enc.system, states[-1], kind)
            if f is not None:
                return SAT, trace_of(enc.system, states, sels, from_init=False), f
        raise AssertionError(f"the solver's CTI ends in {states[-1]}, which violates nothing")


def check_kind(system: GroundSystem, options: CheckOptions, *, encoding: str = "bv",
              por: bool = True) -> CheckResult:
    """`encoding` ("bv" | "int") and `por` (partial-order reduction of the unrolling) are
    tuning knobs for benchmarks and cross-checks; the defaults are the fast ones."""
    budget = Budget(options)
    top = DEFAULT_DEPTH if options.depth is None else options.depth
    dead = deadlock_on(system, options)
    enc = Encoding(system, dead, encoding=encoding, por=por)
    base, step = Unrolling(enc, budget), Induction(enc, budget)
    notes = scope_notes(system, options, "kind")
    stats = Stats()
    reason, violations = ExitReason.DEPTH_LIMIT, []
    cti: tuple[Trace, Finding] | None = None
    done = -1
    complete = False  # the base case exhausted every execution
    for k in range(top + 1):
        if k > 0:
            base.deepen()
        t0 = budget.elapsed()
        probe = base.probe()
        t1 = budget.elapsed()
        if probe.status == SAT:
            assert probe.violation is not None
            violations.append(probe.violation)
            reason, done = ExitReason.VIOLATION, k
            budget.say(f"kind: k {k} base {t1 - t0:.2f}s: violation")
            break
        if probe.status != UNSAT:
            reason = _stopped(probe.status, budget, notes, done, k)
            break
        if k > 0 and base.feasible() == UNSAT:  # every execution ends before depth k
            reason, done = ExitReason.DONE, k - 1
            complete = True
            stats.extra.update({"k": k, "proved": True})
            notes.append(f"every execution ends within {k - 1} steps: all reachable states "
                         "were checked (complete, deadlock freedom included)")
            break
        r, trace, finding = step.probe()
        budget.say(f"kind: k {k} base {t1 - t0:.2f}s step {budget.elapsed() - t1:.2f}s")
        done = k
        if r == UNSAT:
            reason = ExitReason.DONE
            stats.extra.update({"k": k, "proved": True})
            notes.append(f"proved for all depths by {k}-induction (invariants, in-step "
                         "checks and ranges)")
            break
        if r != SAT:
            reason = _stopped(r, budget, notes, done, k)
            break
        assert trace is not None and finding is not None
        cti = (trace, finding)
    if reason == ExitReason.DONE and dead and not complete:
        reason, done = _deadlock_sweep(base, budget, violations, notes, done, top)
    if reason != ExitReason.DONE and "proved" not in stats.extra:
        stats.extra["proved"] = False
    if reason == ExitReason.DEPTH_LIMIT:
        stats.extra["k"] = top
        notes.append(f"not k-inductive up to {top}: add a helper invariant")
        if cti is not None:
            trace, f = cti
            stats.extra["cti"] = trace
            stats.extra["cti_property"] = f.property
            notes.append(f"the counterexample to induction ({len(trace)} states, not "
                         f"necessarily reachable) ends violating {f.kind} {f.property}")
    if dead and not violations and not complete:
        notes.append(f"deadlock freedom is not proved by k-induction: checked only up to "
                     f"depth {max(done, 0)} (bounded, as by --engine bmc)")
    stats.depth = max(done, 0)
    stats.seconds = budget.elapsed()
    stats.extra.update(budget.stats_extra())
    return CheckResult(system.spec, "kind", reason, violations, stats, notes)


def _deadlock_sweep(base: Unrolling, budget: Budget, violations: list, notes: list[str],
                    done: int, top: int) -> tuple[ExitReason, int]:
    """After a proof, keep the base case going to depth K for deadlocks only.

    Induction says nothing about deadlock freedom; without this, a spec that deadlocks at
    depth 3 but was proved by 0-induction would pass silently. Only deadlock can show now:
    the other properties hold at every depth.
    """
    while base.depth < top:
        base.deepen()
        t0 = budget.elapsed()
        probe = base.probe()
        budget.say(f"kind: deadlock sweep depth {base.depth} {budget.elapsed() - t0:.2f}s")
        if probe.status == SAT:
            assert probe.violation is not None
            violations.append(probe.violation)
            return ExitReason.VIOLATION, base.depth
        if probe.status != UNSAT:
            notes.append(f"deadlock sweep stopped at depth {base.depth}: "
                         + ("time limit" if probe.status == TIMEOUT else "solver gave up"))
            return ExitReason.DONE, done
        done = base.depth
    return ExitReason.DONE, done


def _stopped(status: str, budget: Budget, notes: list[str], done: int, k: int) -> ExitReason:
    what = "time limit" if status == TIMEOUT else f"solver gave up ({budget.unknown_reason})"
    notes.append(f"no violation up to depth {done}; stopped at k={k}: {what}")
    return ExitReason.TIME_LIMIT if status == TIMEOUT else ExitReason.UNKNOWN
