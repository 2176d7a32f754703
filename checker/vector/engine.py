"""Frontier-at-a-time BFS: each level is expanded as numpy arrays of packed states.

A level is cut into chunks of parents. For each chunk and each ground transition the guard is
one boolean mask; the enabled rows are gathered and updated as array arithmetic. Candidates are
keyed by their *order* `row * T + t`, the position at which the explicit engine's BFS (parents
in queue order, then transitions in `system.transitions` order) would generate them. One sort
of (state, order) pairs deduplicates the chunk keeping each state's first discovery; one
membership probe against the visited set drops known states; a sort by order puts the new
states in exactly the explicit engine's queue order. Chunks are processed in parent order and
their new states enter the visited set at once, so the whole level matches the explicit BFS.

Violations are found per chunk as candidates keyed (row, t, sub) where sub orders what the
explicit engine does while expanding one state with one transition: the step's checks (in
declaration order), the range check of its successor, then the successor's invariants (only
on first discovery). A deadlock sorts after every transition of its state. The smallest key is
what the explicit engine meets first; later chunks only hold larger keys, so the search stops
at the first chunk with a violation.
"""
from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from checker.options import CheckOptions
from checker.result import CheckResult, ExitReason, Stats, Violation, build_trace
from mmspec.ground import GroundSystem, eval_gexpr

from . import trace as tr
from .kernels import Frame, Program, TransitionKernel, compile_transition
from .layout import Layout, make_layout
from .symmetry import Canonicaliser
from .visited import SortedRunSet, fingerprint

CANDIDATE_BUDGET = 1 << 20  # successors per chunk (estimated): bounds a chunk's arrays
MIN_CHUNK = 1 << 10
COMPOSITE_MIN_ORDER_BITS = 17  # fewer spare bits than this: argsort path (tests lower it)
RANGE_SUB = 1 << 30  # sub-order of the range check within (row, t)
INVARIANT_SUB = RANGE_SUB + 1
U64 = np.uint64


@dataclass(order=True)
class _Found:
    """A violation candidate; ordered by where the explicit BFS meets it."""

    row: int  # row in the current level (the expanded state)
    t: int  # transition index; T for a deadlock
    sub: int
    kind: str = field(compare=False)
    info: dict[str, Any] = field(compare=False, default_factory=dict)


@dataclass
class _Chunk:
    """What one chunk of parents produced, new states already in explicit BFS order."""

    words: list[np.ndarray]
    keys: np.ndarray  # visited-set keys of the new states, sorted by key
    order: np.ndarray  # order key (local row * T + t) of each new state, ascending
    enabled: list[np.ndarray]  # per transition: local rows where it fired
    found: _Found | None


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:  # pragma: no cover - not Linux
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class VectorSearch:
    def __init__(self, system: GroundSystem, options: CheckOptions):
        self.system = system
        self.options = options
        self.layout: Layout = make_layout(system)
        self.prog = Program()
        self.kernels: list[TransitionKernel] = [
            compile_transition(self.prog, self.layout, system, i, t)
            for i, t in enumerate(system.transitions)]
        self.inv_nodes = [self.prog.intern(i.expr) for i in system.invariants]
        self.final_node = self.prog.intern(system.final)
        self.check_deadlock = (system.check_deadlock if options.deadlock is None
                               else bool(options.deadlock))
        self.canon = (Canonicaliser(system, self.layout)
                      if options.symmetry and system.symmetries else None)
        self.T = len(self.kernels)
        self.exact = self.layout.words == 1
        tcount = max(1, self.T)
        sb = self.layout.bits
        # one-word states sort as (state, order) composites: order keys get the spare bits,
        # which caps the parents per chunk; with 16 spare bits or fewer use argsort instead
        self.order_bits = min(40, 64 - sb)
        self.composite = self.exact and self.order_bits >= COMPOSITE_MIN_ORDER_BITS
        self.max_rows = ((1 << self.order_bits) // tcount - 1 if self.composite
                         else 1 << 40)
        self.expanded = 0  # parents expanded so far: with `generated`, sizes the chunks
        self.visited = SortedRunSet()
        self.links: list[tuple[np.ndarray, np.ndarray | None]] = []
        self.fired = [0] * self.T
        self.generated = 0
        self.depth = 0
        self.t0 = time.perf_counter()
        self.last_progress = self.t0
        self.links_bytes = 0

    # ------------------------------------------------------------------ helpers
    def keys_of(self, words: list[np.ndarray]) -> np.ndarray:
        return words[0] if self.exact else fingerprint(words)

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def event(self, msg: str) -> None:
        if self.options.on_event is not None:
            self.options.on_event(msg)

    def progress(self, queue: int, force: bool = False) -> None:
        out = self.options.progress
        if out is None:
            return
        now = time.perf_counter()
        if not force and now - self.last_progress < self.options.progress_interval:
            return
        self.last_progress = now
        el = max(now - self.t0, 1e-9)
        n = self.visited.count
        print(f"vector: {n} distinct states found, {n / el:,.0f} states/s, queue {queue}, "
              f"depth {self.depth}, {el:.1f}s", file=out, flush=True)

    def limit_hit(self) -> ExitReason | None:
        o = self.options
        if o.time_limit is not None and self.elapsed() > o.time_limit:
            return ExitReason.TIME_LIMIT
        if o.memory_limit is not None and _rss_mb() > o.memory_limit:
            return ExitReason.MEMORY_LIMIT
        return None

    # ------------------------------------------------------------------ level 0
    def initial(self) -> tuple[list[np.ndarray], _Found | None, bool]:
        """Level 0 in init order, first occurrences only; stops at an invariant violation."""
        sys_ = self.system
        init = [tuple(s) for s in sys_.init]
        if self.canon is not None:
            init = [self.canon.canon_tuple(s) for s in init]
        self.generated = len(init)
        arr = np.array(init, dtype=np.int64).reshape(len(init), len(sys_.slots))
        for i, s in enumerate(sys_.slots):
            col = arr[:, i] if len(init) else arr[:, :0]
            if len(init) and ((col < s.lo).any() or (col > s.hi).any()):
                raise ValueError(f"an initial value of {s.name} is outside {s.lo}..{s.hi}")
        words = self.layout.pack_array(arr) if len(init) else [
            np.zeros(0, U64) for _ in range(self.layout.words)]
        keys = self.keys_of(words)
        _, first = np.unique(keys, return_index=True)
        first.sort()
        words = [w[first] for w in words]
        keys = keys[first]
        truncated = False
        ms = self.options.max_states
        if ms is not None and len(first) > ms:
            first, words, keys = first[:ms], [w[:ms] for w in words], keys[:ms]
            truncated = True
        found = None
        if self.inv_nodes and len(first):
            bad = self._first_invariant(words)
            if bad is not None:
                row, inv = bad
                found = _Found(row, 0, 0, "invariant", {"invariant": inv, "level0": True})
                first, words, keys = first[:row + 1], [w[:row + 1] for w in words], keys[:row + 1]
        self.links.append((first.astype(np.int64), None))
        self.visited.add(np.sort(keys))
        return words, found, truncated

    def _first_invariant(self, words: list[np.ndarray]) -> tuple[int, int] | None:
        """(row, invariant) of the first state violating an invariant (rows in order)."""
        frame = Frame(self.prog, self.layout, words)
        best: tuple[int, int] | None = None
        for j, nid in enumerate(self.inv_nodes):
            bad = ~frame.mask(nid)
            if bad.any():
                r = int(np.argmax(bad))
                if best is None or r < best[0]:
                    best = (r, j)
        return best

    def chunk_rows(self) -> int:
        """Parents per chunk: about CANDIDATE_BUDGET successors at the rate seen so far."""
        rate = (self.generated / self.expanded) if self.expanded else max(1, self.T)
        rows = int(CANDIDATE_BUDGET / max(rate, 0.25))
        return max(1, min(max(rows, MIN_CHUNK), self.max_rows))

    # ------------------------------------------------------------------ one chunk
    def expand(self, X: list[np.ndarray]) -> _Chunk:
        T = self.T
        n = len(X[0])
        frame = Frame(self.prog, self.layout, X)
        found: list[_Found] = []
        any_en = np.zeros(n, bool) if self.check_deadlock else None
        parts: list[tuple[list[np.ndarray], np.ndarray]] = []  # (successors, order keys)
        comps: list[np.ndarray] = []  # composite path: (state << order_bits) | order
        ob = U64(self.order_bits)
        enabled: list[np.ndarray] = []
        for k in self.kernels:
            ti = k.index
            for c in k.reach_checks:
                bad = frame.mask(k.at) & ~frame.mask(c.node)
                if bad.any():
                    found.append(_Found(int(np.argmax(bad)), ti, c.sub, "check", {"check": c.sub}))
            g = frame.mask(k.guard)
            if any_en is not None:
                any_en |= g
            rows = np.flatnonzero(g)
            enabled.append(rows)
            if not len(rows):
                continue
            for c in k.fire_checks:
                bad = g & ~frame.mask(c.node)
                if bad.any():
                    found.append(_Found(int(np.argmax(bad)), ti, c.sub, "check", {"check": c.sub}))
            sub = Frame(self.prog, self.layout, [w[rows] for w in X])
            new, bad_rows = k.successors(sub)
            del sub
            if bad_rows is not None and bad_rows.any():
                found.append(_Found(int(rows[int(np.argmax(bad_rows))]), ti, RANGE_SUB, "range"))
                keep = ~bad_rows
                rows = rows[keep]
                new = [w[keep] for w in new]
            if not len(rows):
                continue
            if self.canon is not None:
                new = self.canon.canon(new)
            order = rows * T
            order += ti
            if self.composite:
                comp = new[0] << ob
                comp |= order.view(U64)
                comps.append(comp)
            else:
                parts.append((new, order))
        if any_en is not None:
            dead = ~any_en & ~frame.mask(self.final_node)
            if dead.any():
                found.append(_Found(int(np.argmax(dead)), T, 0, "deadlock"))
        del frame
        if self.composite:
            nwords, nkeys, norder = self.dedupe_composite(comps)
        else:
            nwords, nkeys, norder = self.dedupe_general(parts)
        first = min(found) if found else None
        if self.inv_nodes and len(norder):
            bad = self._first_invariant(nwords)
            if bad is not None:
                row, inv = bad
                o = int(norder[row])
                cand = _Found(o // T, o % T, INVARIANT_SUB, "invariant",
                              {"invariant": inv, "new_index": row})
                if first is None or cand < first:
                    first = cand
        return _Chunk(nwords, nkeys, norder, enabled, first)

    def dedupe_composite(self, comps: list[np.ndarray],
                         ) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
        """New states (first discoveries, not yet visited) as (words, sorted keys, order),
        words and order ascending by order. One-word states: sort (state, order) composites,
        keep the first of each state, probe, then sort (order, state) composites."""
        if not comps:
            return [np.zeros(0, U64)], np.zeros(0, U64), np.zeros(0, np.int64)
        comp = np.concatenate(comps) if len(comps) > 1 else comps[0]
        comps.clear()
        comp.sort()
        ob = U64(self.order_bits)
        st = comp >> ob
        first = np.empty(len(comp), bool)
        first[0] = True
        np.not_equal(st[1:], st[:-1], out=first[1:])
        ust = st[first]
        del st
        uord = comp[first]
        del comp, first
        uord &= U64((1 << self.order_bits) - 1)
        isnew = ~self.visited.contains(ust)
        nkeys = ust[isnew]
        nord = uord[isnew]
        del ust, uord, isnew
        sb = U64(self.layout.bits)
        nord <<= sb
        nord |= nkeys
        nord.sort()
        nwords = [nord & U64((1 << self.layout.bits) - 1)]
        nord >>= sb
        return nwords, nkeys, nord.view(np.int64)

    def dedupe_general(self, parts: list[tuple[list[np.ndarray], np.ndarray]],
                       ) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
        """As dedupe_composite for multi-word states (keys are fingerprints) or one-word
        states too wide to share a word with order keys: argsort, then the least order key
        of each group of equal keys."""
        K = self.layout.words
        if not parts:
            return [np.zeros(0, U64) for _ in range(K)], np.zeros(0, U64), np.zeros(0, np.int64)
        words = [np.concatenate([p[0][w] for p in parts]) for w in range(K)]
        order = np.concatenate([p[1] for p in parts])
        parts.clear()
        m = len(order)
        keys = self.keys_of(words)
        perm = np.argsort(keys, kind="stable")
        sk = keys[perm]
        first = np.empty(m, bool)
        first[0] = True
        np.not_equal(sk[1:], sk[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        minord = np.minimum.reduceat(order[perm], starts)
        ukeys = sk[starts]
        rep = perm[starts]
        isnew = ~self.visited.contains(ukeys)
        nkeys = ukeys[isnew]
        nord = minord[isnew]
        nrep = rep[isnew]
        o = np.argsort(nord)
        return [w[nrep[o]] for w in words], nkeys, nord[o]

    # ------------------------------------------------------------------ the search
    def run(self) -> CheckResult:
        frontier, found, truncated = self.initial()
        level = 0
        reason = ExitReason.DONE
        viol: Violation | None = None
        queue = 0
        self.event(f"level 0 {len(frontier[0])}")
        if found is not None:
            viol = self.violation_level0(found)
            reason = ExitReason.VIOLATION
        elif truncated:
            reason = ExitReason.STATE_LIMIT
            queue = len(frontier[0])
        while viol is None and reason == ExitReason.DONE and len(frontier[0]):
            if self.options.depth is not None and level >= self.options.depth:
                reason = ExitReason.DEPTH_LIMIT
                queue = len(frontier[0])
                break
            n = len(frontier[0])
            parts: list[_Chunk] = []
            bases: list[int] = []
            stop: ExitReason | None = None
            next_count = 0
            base = 0
            while base < n:
                X = [w[base:base + self.chunk_rows()] for w in frontier]
                self.expanded += len(X[0])
                ch = self.expand(X)
                ms = self.options.max_states
                if ch.found is not None and ms is not None and self.limit_first(ch, ms):
                    ch.found = None
                if ch.found is not None:
                    self.account_partial(ch, ch.found)
                    viol = self.violation(level, base, ch, ch.found, parts, bases)
                    reason = ExitReason.VIOLATION
                    break
                if ms is not None and self.visited.count + len(ch.order) > ms:
                    keep = ms - self.visited.count
                    self.cut(ch, keep)
                    stop = ExitReason.STATE_LIMIT
                else:
                    self.account_full(ch)
                self.visited.add(ch.keys)
                parts.append(ch)
                bases.append(base)
                next_count += len(ch.order)
                if next_count:
                    self.depth = level + 1
                if stop is None:
                    stop = self.limit_hit()
                if stop is not None:
                    queue = n - (base + len(X[0])) + next_count
                    break
                self.progress(n - (base + len(X[0])) + next_count)
                base += len(X[0])
            if viol is not None:
                break
            self.finish_level(parts, bases)
            frontier = [np.concatenate([p.words[w] for p in parts]) if parts else
                        np.zeros(0, U64) for w in range(self.layout.words)]
            level += 1
            self.event(f"level {level} {len(frontier[0])}")
            if stop is not None:
                reason = stop
                break
        return self.result(reason, viol, queue)

    def account_full(self, ch: _Chunk) -> None:
        for ti, rows in enumerate(ch.enabled):
            self.fired[ti] += len(rows)
            self.generated += len(rows)

    def account_partial(self, ch: _Chunk, f: _Found) -> None:
        """Counts up to where the explicit engine stops: every step generated before the
        violating one, plus the violating step itself when it computed a successor."""
        T = max(self.T, 1)
        limit = f.row * T + f.t + (1 if f.sub >= RANGE_SUB else 0)
        for ti, rows in enumerate(ch.enabled):
            c = int(np.count_nonzero(rows * T + ti < limit))
            self.fired[ti] += c
            self.generated += c
        newcount = int(np.count_nonzero(ch.order < limit))
        self.visited.count += newcount
        if newcount:
            self.depth = max(self.depth, len(self.links))

    def limit_first(self, ch: _Chunk, ms: int) -> bool:
        """Whether the state limit stops the explicit BFS before it meets ch.found."""
        allowed = ms - self.visited.count
        if len(ch.order) <= allowed:
            return False
        f = ch.found
        assert f is not None
        o_x = int(ch.order[allowed])  # the step finding the first state over the limit
        o_v = f.row * max(self.T, 1) + f.t
        return o_x < o_v or (f.kind == "invariant" and o_x == o_v)

    def cut(self, ch: _Chunk, keep: int) -> None:
        """Keep the first `keep` new states of the chunk (state limit); count the steps the
        explicit engine takes up to the one that finds the first state over the limit."""
        keep = max(keep, 0)
        last = int(ch.order[keep])
        ch.words = [w[:keep] for w in ch.words]
        ch.order = ch.order[:keep]
        ch.keys = np.sort(self.keys_of(ch.words))
        T = max(self.T, 1)
        for ti, rows in enumerate(ch.enabled):
            c = int(np.count_nonzero(rows * T + ti <= last))
            self.fired[ti] += c
            self.generated += c

    def finish_level(self, parts: list[_Chunk], bases: list[int]) -> None:
        T = max(self.T, 1)
        if parts:
            order = np.concatenate([p.order for p in parts])
            base = np.concatenate([np.full(len(p.order), b, np.int64)
                                   for p, b in zip(parts, bases)])
            parent = order // T + base
            trans = order % T
        else:
            parent = np.zeros(0, np.int64)
            trans = np.zeros(0, np.int64)
        parent = parent.astype(np.int32 if len(parent) == 0 or parent.max() < 2**31 else np.int64)
        tdt = np.uint8 if T <= 256 else (np.uint16 if T <= 65536 else np.uint32)
        trans = trans.astype(tdt)
        self.links.append((parent, trans))
        self.links_bytes += parent.nbytes + trans.nbytes

    # ------------------------------------------------------------------ results
    def _trace(self, level: int, index: int, extra_step: int | None = None):
        init_index, ts = tr.path(self.links, level, index)
        if extra_step is not None:
            ts.append(extra_step)
        canon = self.canon.canon_tuple if self.canon is not None else None
        states, trans = tr.replay(self.system, init_index, ts, canon)
        return states, build_trace(self.system, states, trans)

    def violation_level0(self, f: _Found) -> Violation:
        inv = self.system.invariants[f.info["invariant"]]
        self.visited.count = f.row + 1
        _, trace = self._trace(0, f.row)
        return Violation("invariant", inv.name, f"invariant {inv.name} is violated", trace,
                         inv.span, {})

    def violation(self, level: int, base: int, ch: _Chunk, f: _Found,
                  parts: list[_Chunk], bases: list[int]) -> Violation:
        sys_ = self.system
        # links for the level so far, so the parent of a state in this level is reachable
        row = base + f.row
        if f.kind == "invariant":
            inv = sys_.invariants[f.info["invariant"]]
            _, trace = self._trace(level, row, f.t)
            return Violation("invariant", inv.name, f"invariant {inv.name} is violated", trace,
                             inv.span, {})
        states, trace = self._trace(level, row)
        s = states[-1]
        if f.kind == "deadlock":
            return Violation("deadlock", "deadlock", "deadlock: no step is enabled", trace,
                             None, {})
        t = sys_.transitions[f.t]
        if f.kind == "check":
            c = t.checks[f.info["check"]]
            return Violation(c.kind, c.message, c.message, trace, c.span, {"action": t.label})
        # range: the first update (in slot order) whose value leaves its slot's range
        canon_s = self.canon.canon_tuple(s) if self.canon is not None else s
        for k, e in t.updates:
            slot = sys_.slots[k]
            v = eval_gexpr(e, canon_s)
            if not slot.wrap and not slot.lo <= v <= slot.hi:
                return Violation("range", slot.name,
                                 f"{slot.name} = {v} is outside {slot.lo}..{slot.hi} "
                                 f"after {t.label}", trace, t.span,
                                 {"action": t.label, "slot": slot.name, "value": v,
                                  "lo": slot.lo, "hi": slot.hi})
        raise AssertionError("range violation not reproduced")  # pragma: no cover

    def result(self, reason: ExitReason, viol: Violation | None, queue: int) -> CheckResult:
        counts: dict[str, int] = {t.name: 0 for t in self.system.spec.transitions}
        for ti, c in enumerate(self.fired):
            counts[self.system.transitions[ti].name] += c
        distinct = self.visited.count
        vbytes = max(self.visited.peak_bytes, self.visited.nbytes)
        extra: dict[str, Any] = {
            "state_bits": self.layout.bits,
            "state_words": self.layout.words,
            "exact": self.exact,
            "levels": self.depth + 1,
            "visited_bytes": self.visited.nbytes,
            "visited_peak_bytes": vbytes,
            "link_bytes": self.links_bytes,
            "bytes_per_state": (self.visited.nbytes + self.links_bytes) / distinct
            if distinct else 0.0,
            "peak_bytes_per_state": (vbytes + self.links_bytes) / distinct if distinct else 0.0,
            "order_bits": self.order_bits,
            "composite_sort": self.composite,
        }
        if not self.exact:
            # TLC's optimistic estimate: n distinct fingerprints out of g generated
            extra["fingerprint_collision_probability"] = (
                distinct * max(self.generated - distinct, 0) / 2.0**64)
        if self.canon is not None:
            extra["symmetries"] = len(self.system.symmetries)
        stats = Stats(distinct_states=distinct, generated_states=self.generated,
                      depth=self.depth, queue=queue, seconds=self.elapsed(),
                      peak_rss_mb=_peak_rss_mb(), action_counts=counts, extra=extra)
        self.progress(queue, force=True)
        return CheckResult(self.system.spec, "vector", reason, [viol] if viol else [], stats)
