"""Breadth-first search over packed states: the explicit engine's driver.

Order of checks (every engine reports the same first violation; conformance_cases.py):
the search goes level by level. Level L has two phases: (1) its states, in discovery order,
are checked against the invariants (the first failing state, first failing invariant in
declaration order, is reported); (2) its states are expanded in order; for each state, for
each transition in `system.transitions` order: its in-step checks (declaration order; 'reach'
checks when `at` holds, 'fire' checks when the guard holds), its range errors; after all
transitions, deadlock. The first violation met in that order stops the search. So every
counterexample is as short as possible. Successors are discovered in that same order, which
fixes the BFS order, the parent of every state (the first state and transition that
produced it) and so the traces.

Lock order (lockdep) does not stop the search: each firing step with a blocking acquire
adds "held A -> acquired B" edges, the first cycle closed (in expansion order) is kept and
reported after the violation that stopped the search, if any, so an ABBA spec shows both the
cycle and the deadlock it allows (or, by finishing, that no deadlock is reachable).

Phase (1) is done as states are discovered during the previous level's expansion; the first
failing state is only reported once that expansion is over, which is the same thing.
"""
from __future__ import annotations

import gc
from array import array
from dataclasses import replace
import time
from typing import Any, Iterator

import numpy as np

from mmspec.ground import TRUE, GroundSystem, InitSpace, eval_gexpr

from checker.explicit import reference
from checker.explicit.codegen import Config
from checker.explicit.compiled import CompiledSystem
from checker.explicit.visited import (SPARSE_ALLOWANCE_MB, SPARSE_BYTES_PER_STATE, Visited,
                                      choose)
from checker import initstates, lockorder
from checker.lockorder import Edge, LockOrderGraph
from checker.options import CheckOptions
from checker.details import details_json
from checker.result import CheckResult, ExitReason, Stats, Trace, Violation, build_trace
from checker.searchloop import SearchClock, Stop, peak_rss_mb, rss_mb
from checker.settings import resolve

__all__ = ["CHUNK", "Search", "Stop", "check", "rss_mb"]

CHUNK = 4096  # states per kernel call; limits, progress and workers act between chunks


class Search:
    def __init__(self, system: GroundSystem, options: CheckOptions,
                 compiled: CompiledSystem | None = None):
        self.clock = SearchClock(options)  # compiling the kernel counts as checking time
        self.start = self.clock.start
        self.system = system
        self.options = options
        self.cs = compiled or CompiledSystem(system)
        self.layout = self.cs.layout
        settings = resolve(system, options)
        self.deadlock = settings.deadlock
        self.lock_order = settings.lock_order
        self.symmetry = settings.symmetry
        self.visited = Visited(choose(self.layout.total_bits, options.memory_limit),
                               self.layout.total_bits)
        self.store = self.visited.mode
        self.seen = self.visited.table  # what the kernel marks
        self.cfg = Config("search", self.deadlock, self.lock_order, self.symmetry,
                          options.max_states is not None, self.store)
        self.expand, los_ts = self.cs.kernel(self.cfg)
        n_t = len(system.transitions)
        self.los: list[set[int]] = [set() for _ in range(n_t)]
        self.cnt = [0] * n_t
        self.rss0 = rss_mb()
        # levels[d] = (states found at depth d in BFS order, the parent of each; -1 = none)
        self.levels: list[tuple[list[int], list[int]]] = []
        self.distinct = 0
        self.level = 0
        self.graph = LockOrderGraph()
        self.cycle: list[Edge] | None = None
        self.canon = self.cs.canon if self.symmetry else None
        self.depth = 0
        self.queue = 0
        self.n_init = 0
        self.events = options.on_event
        self.pool: Any = None  # worker processes (parallel.py), started at a large level
        self.expanded = 0  # levels fully expanded (coverage counts only those)
        # --max-errors N: violations kept so far, one per (kind, property, final step)
        self.max_errors = max(1, options.max_errors)
        self.found: list[Violation] = []
        self.found_keys: set[tuple[str, str, str | None]] = set()

    # ------------------------------------------------------------------ lock order
    def hook(self, i: int, s: int) -> bool:
        """Called by the kernel the first time step i fires with a given held-lock set."""
        chain = lockorder.record(self.graph, self.system, i, self.layout.unpack(s),
                                 (s, i, self.level))
        if chain is not None and self.cycle is None:
            self.cycle = chain
        # A lock-order cycle is lockdep's warning, not a stop: the search goes on so that an
        # ABBA spec reports both the cycle and the deadlock it makes possible (or shows, by
        # finishing, that no deadlock is reachable: a lockdep false positive).
        return False

    # ------------------------------------------------------------------ driver
    def run(self) -> CheckResult:
        was = gc.isenabled()
        gc.disable()
        reason = ExitReason.DONE
        violation = None
        try:
            self.search()
        except Stop as stop:
            reason, violation = stop.reason, stop.violation
        finally:
            if self.pool is not None:
                self.pool.close()
            if was:
                gc.enable()
        try:
            return self.result(reason, violation)
        finally:
            self.visited.close()

    def result(self, reason: ExitReason, violation: Violation | None) -> CheckResult:
        system = self.system
        cov = None
        if self.options.coverage:  # counted first: its time is part of the run's
            from checker import coverage
            cov = coverage.count(system, [st for st, _ in self.levels[:self.expanded]],
                                 self.cs.succ, self.canon, reason == ExitReason.DONE)
        counts = {t.name: 0 for t in system.spec.transitions}
        for t, c in zip(system.transitions, self.cnt):
            counts[t.name] = counts.get(t.name, 0) + c
        stats = Stats(distinct_states=self.distinct,
                      generated_states=self.n_init + sum(self.cnt), depth=self.depth,
                      queue=self.queue if reason != ExitReason.DONE else 0,
                      seconds=time.perf_counter() - self.start, peak_rss_mb=peak_rss_mb(),
                      action_counts=counts)
        stats.extra["state_bits"] = self.layout.total_bits
        stats.extra["visited_store"] = self.store
        if self.symmetry:
            stats.extra["orbit_representatives"] = self.distinct
        if self.options.workers > 1:
            stats.extra["workers"] = self.options.workers
        violations = list(self.found)
        if violation is not None and violation not in violations:
            violations.append(violation)
        if self.cycle is not None:
            violations.append(self.lock_order_violation())
        if cov is not None:
            stats.extra["coverage_counts"] = cov.as_json()
        return CheckResult(system.spec, "explicit", reason, violations, stats)

    def search(self) -> None:
        front = self.initial()
        level = 0
        while front:
            if self.bad and self.max_errors > 1:
                self.collect_invariant_violations(front, level)
            elif self.bad:
                raise Stop(ExitReason.VIOLATION, self.invariant_violation(self.bad[0], level))
            if self.options.depth is not None and level >= self.options.depth:
                self.queue = len(front)
                raise Stop(ExitReason.DEPTH_LIMIT)
            self.level = level
            nxt: list[int] = []
            parents: list[int] = []
            self.levels.append((nxt, parents))
            self.expand_level(front, level, nxt, parents)
            self.expanded = level + 1
            self.compact(level)
            if nxt:
                level += 1
                self.depth = level
            else:
                self.levels.pop()
            front = nxt

    def initial(self) -> list[int]:
        front: list[int] = []
        self.bad: list[int] = []
        self.outside_bad: Violation | None = None
        invok = self.cs.invok if self.system.invariants else None
        limit = self.options.max_states
        self.levels.append((front, []))
        for n in self.initial_packed():
            if self.canon is not None:
                n = self.canon(n)
            if n in self.visited:
                continue
            if limit is not None and self.distinct >= limit:
                self.queue = len(front)
                raise Stop(ExitReason.STATE_LIMIT)
            self.visited.add(n)
            self.distinct += 1
            front.append(n)
            self.levels[0][1].append(-1)
            if invok is not None and not invok(n) and not self.bad:
                self.bad.append(n)
        if not self.bad and self.outside_bad is not None:
            raise Stop(ExitReason.VIOLATION, self.outside_bad)
        return front

    def check_outside(self, rows: np.ndarray) -> None:
        """Remember the first initial state outside the constraints breaking an invariant
        (reported when none inside does: initstates.outside_violation)."""
        if self.outside_bad is None:
            self.outside_bad = initstates.outside_violation(self.system, rows)

    def initial_packed(self) -> Iterator[int]:
        """The initial states inside the state constraints, packed; counts every generated
        one in n_init (one outside a CONSTRAINT is generated, not stored, as in TLC)."""
        constraint, init = self.system.constraint, self.system.init
        if not isinstance(init, InitSpace):
            outside = []
            for st in init:
                self.n_init += 1
                if constraint != TRUE and not eval_gexpr(constraint, st):
                    outside.append(st)
                    continue
                yield self.layout.pack(st)
            if outside:
                self.check_outside(np.array(outside, dtype=np.int64))
            return
        lay = self.layout
        try:
            # CHUNK (4096) at a time: each batch is then stored state by state in Python, and
            # the limits are checked between batches
            for b in initstates.batches(init, self.options, chunk=CHUNK, started=self.start):
                self.n_init += len(b.rows)
                rows = b.rows
                if constraint != TRUE:
                    keep = initstates.inside(constraint, rows)
                    self.check_outside(rows[~keep])
                    rows = rows[keep]
                yield from initstates.pack_rows(rows, lay.lo, lay.shift, lay.total_bits)
        except initstates.InitStop as stop:
            raise Stop(stop.reason) from None
        except initstates.InitDomain as bad:
            raise Stop(ExitReason.VIOLATION, bad.violation(self.system)) from None

    def expand_level(self, front: list[int], level: int, nxt: list[int],
                     parents: list[int]) -> None:
        if self.options.workers > 1 and self.max_errors == 1:
            from checker.explicit.parallel import expand_level_parallel
            expand_level_parallel(self, front, level, nxt, parents)
            return
        pos = 0
        while pos < len(front):
            chunk = front[pos:pos + CHUNK]
            pos += len(chunk)
            self.run_chunk(chunk, nxt, parents, len(front) - pos)

    def room(self) -> int:
        limit = self.options.max_states
        return 0 if limit is None else limit - self.distinct

    def run_chunk(self, chunk: list[int], nxt: list[int], parents: list[int],
                  left: int) -> None:
        """Expand one chunk in this process (the authoritative, sequential path)."""
        while True:
            before = len(nxt)
            res = self.expand(chunk, self.seen, nxt.append, parents.append, self.room(),
                              self.cnt, self.bad, self.hook, self.canon, self.los,
                              self.cs.invok)
            self.distinct += len(nxt) - before
            if res is None or res[0] != 1 or self.max_errors == 1:
                break
            # --max-errors: keep the violation, finish expanding its state, go on after it
            s = res[1]
            for v in self.expansion_violations(s):
                self.keep(v)
            self.expand_by_reference(s, nxt, parents)
            chunk = chunk[chunk.index(s) + 1:]
        if res is not None:
            self.queue = left + len(nxt)
            code, s = res
            if code == 2:
                raise Stop(ExitReason.STATE_LIMIT)
            if code == 3:
                raise Stop(ExitReason.VIOLATION, self.lock_order_violation())
            raise Stop(ExitReason.VIOLATION, self.expansion_violation(s))
        self.between_chunks(left + len(nxt))

    # ------------------------------------------------------------------ --max-errors
    def keep(self, v: Violation) -> None:
        """Keep a violation unless one of the same kind and property ending in the same step
        is kept already (BFS order: the kept one has the shortest trace); stop at N."""
        last = v.trace.steps[-1].label if len(v.trace) > 1 else None
        action = details_json(v.details).get("action")  # a failing step: the step itself, not its way in
        key = (v.kind, v.property, action if isinstance(action, str) else last)
        if key in self.found_keys:
            return
        self.found_keys.add(key)
        self.found.append(v)
        if len(self.found) >= self.max_errors:
            raise Stop(ExitReason.VIOLATION)

    def expansion_violations(self, s: int) -> list[Violation]:
        """Every step of s that fails (a check, a domain or range error), in transition order,
        then deadlock: the kernel and `first_expansion` stop at the first."""
        states, trans = self.replay(s, self.level)
        real, system = states[-1], self.system
        trace = build_trace(system, states, trans)
        out = []
        for t in system.transitions:
            found = reference.first_expansion(replace(system, transitions=(t,)), real, False)
            if found is not None:
                out.append(self.violation(found, trace))
        if self.deadlock and not any(reference.enabled(t, real) for t in system.transitions):
            found = reference.first_expansion(system, real, True)
            if found is not None and found.kind == "deadlock":
                out.append(self.violation(found, trace))
        return out or [self.expansion_violation(s)]

    def collect_invariant_violations(self, front: list[int], level: int) -> None:
        """Every invariant broken by the last step into a state of this level (the kernel
        notes only the first state). An invariant the parent already broke continues an
        earlier violation and is not another one; a second invariant broken in the same
        state is. The search then expands these states like any other."""
        invok = self.cs.invok
        for n in front:
            if invok(n):
                continue
            states, trans = self.replay(n, level)
            before = {(f.kind, f.property) for f in
                      reference.violated_invariants(self.system, states[-2])} if level else set()
            # LIMITATION: an invariant that is not symmetric may find nothing here
            for found in reference.violated_invariants(self.system, states[-1]):
                if (found.kind, found.property) not in before:
                    self.keep(self.violation(found, build_trace(self.system, states, trans)))
        self.bad.clear()

    def expand_by_reference(self, s: int, nxt: list[int], parents: list[int]) -> None:
        """The rest of s's successors after a violation stopped the kernel inside it, in
        transition order (the ones the kernel stored are already visited). A transition
        whose guard or update cannot be evaluated, or leaves a range, has no successor."""
        system, state = self.system, self.layout.unpack(s)
        invok = self.cs.invok if system.invariants else None
        limit = self.options.max_states
        for i, t in enumerate(system.transitions):
            if reference.bad_read(t.reads, state) is not None or \
                    not reference.enabled(t, state) or \
                    reference.bad_read(t.fire_reads, state) is not None:
                continue
            try:
                m = self.layout.pack(reference.successor(system, t, state))
            except reference.RangeError:
                continue
            self.cnt[i] += 1
            if not reference.explored(t, state):
                continue
            if self.canon is not None:
                m = self.canon(m)
            if m in self.visited:
                continue
            if limit is not None and self.distinct >= limit:
                raise Stop(ExitReason.STATE_LIMIT)
            self.visited.add(m)
            self.distinct += 1
            nxt.append(m)
            parents.append(s)
            if invok is not None and not invok(m) and not self.bad:
                self.bad.append(m)

    def between_chunks(self, queue: int) -> None:
        opts = self.options
        rss = rss_mb() if (self.store != "set" or opts.memory_limit is not None) else 0.0
        if self.store != "set" and (rss - self.rss0) * 2**20 > (
                SPARSE_ALLOWANCE_MB * 2**20 + SPARSE_BYTES_PER_STATE * self.distinct):
            self.to_set()
        why = self.clock.limit_hit(rss)
        if why is not None:
            self.queue = queue
            raise Stop(why)
        self.clock.progress(self.distinct, self.n_init + sum(self.cnt), queue, self.depth)

    def compact(self, level: int) -> None:
        """Once a level is expanded its states are needed only to rebuild traces: keep them
        as machine words (8 bytes each) instead of int objects in lists (~40 bytes)."""
        if self.layout.total_bits <= 62:
            states, parents = self.levels[level]
            self.levels[level] = (array("q", states), array("q", parents))  # type: ignore

    def to_set(self) -> None:
        """The byte/bit map is too sparse (too many resident pages per state): move every
        stored state into a set and recompile the kernel for it."""
        new = Visited("set", self.layout.total_bits)
        table = new.table
        for states, _ in self.levels:
            table.update(states)  # type: ignore[attr-defined]
        self.visited.close()
        self.visited, self.seen, self.store = new, table, "set"
        self.cfg = Config("search", self.deadlock, self.lock_order, self.symmetry,
                          self.options.max_states is not None, "set")
        self.expand, _ = self.cs.kernel(self.cfg)
        if self.events:
            self.events("visited map too sparse: moved to a set")

    # ------------------------------------------------------------------ reports
    def path_to(self, n: int, level: int) -> list[tuple[int, ...]]:
        """The stored states from an initial state to n (found at depth `level`)."""
        path = [n]
        for d in range(level, 0, -1):
            states, parents = self.levels[d]
            path.append(parents[states.index(path[-1])])
        path.reverse()
        return [self.layout.unpack(x) for x in path]

    def replay(self, n: int, level: int) -> tuple[list[tuple[int, ...]], list[Any]]:
        path = self.path_to(n, level)
        if self.canon is None:
            return reference.replay(self.system, path)
        return reference.replay(self.system, path, self.canon, self.layout.pack)

    def violation(self, found: reference.Found, trace: Trace) -> Violation:
        return Violation(found.kind, found.property, found.message, trace, found.span,
                         found.details)

    def invariant_violation(self, n: int, level: int) -> Violation:
        states, trans = self.replay(n, level)
        found = reference.first_invariant(self.system, states[-1])
        if found is None:  # LIMITATION: an invariant that is not symmetric, under symmetry
            found = reference.first_invariant(self.system, self.layout.unpack(n))
        assert found is not None, "kernel and reference disagree on an invariant"
        return self.violation(found, build_trace(self.system, states, trans))

    def expansion_violation(self, s: int) -> Violation:
        states, trans = self.replay(s, self.level)
        found = reference.first_expansion(self.system, states[-1], self.deadlock)
        if found is None:  # LIMITATION: a check that is not symmetric, under symmetry
            found = reference.first_expansion(self.system, self.layout.unpack(s), self.deadlock)
        assert found is not None, "kernel and reference disagree on a violation"
        return self.violation(found, build_trace(self.system, states, trans))

    def witness(self, w: tuple[int, int, int]) -> Trace:
        """The trace of a lock-order edge: the path to the pre-state, then the acquire."""
        s, i, level = w
        states, trans = self.replay(s, level)
        t = self.system.transitions[i]
        if self.canon is None:
            states.append(reference.successor(self.system, t, states[-1]))
            trans.append(t)
        else:
            want = self.canon(self.layout.pack(reference.successor(
                self.system, t, self.layout.unpack(s))))
            real = states[-1]
            for u in self.system.transitions:
                if u.acquires and reference.enabled(u, real):
                    nxt = reference.successor(self.system, u, real)
                    if self.canon(self.layout.pack(nxt)) == want:
                        states.append(nxt)
                        trans.append(u)
                        break
        return build_trace(self.system, states, trans)

    def lock_order_violation(self) -> Violation:
        assert self.cycle is not None
        return lockorder.violation(self.system, self.cycle, lambda e: self.witness(e.witness))


def check(system: GroundSystem, options: CheckOptions | None = None) -> CheckResult:
    """Explore every reachable state of `system` breadth-first (engine "explicit")."""
    return Search(system, options or CheckOptions()).run()
