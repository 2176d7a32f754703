"""Frontier-at-a-time BFS: each level is expanded as numpy arrays of packed states.

A level is cut into chunks of parents. For each chunk and each ground transition the guard is
one boolean mask; the enabled rows are gathered and updated as array arithmetic. Candidates are
keyed by their *order* `row * T + t`, the position at which the explicit engine's BFS (parents
in queue order, then transitions in `system.transitions` order) generates them. One sort of
(state, order) pairs deduplicates the chunk keeping each state's first discovery; one
membership probe against the visited set drops known states; a sort by order puts the new
states in exactly the explicit engine's queue order. Chunks are processed in parent order and
their new states enter the visited set at once, so every level, every parent link and every
count match the explicit BFS.

Which violation is reported (the order pinned in tests/conformance_cases.py): a level's
states are checked against the invariants before any of them is expanded, so an invariant
violation found among the states a level discovers is held back until that level's expansion
is over; meanwhile the first check, range or deadlock violation met while expanding (the
least (row, t), a deadlock after every transition of its row), or the state limit if the step
that overflows it comes first, stops the search at once. The kernels only locate the stopping
point; diagnose.py says which property failed, with the reference interpreter. Partial
statistics are those of the explicit engine stopped at the same point: steps before it, plus
the stopping step itself when its guard held (a 'fire' check or a range error stops after the
step is counted, a 'reach' check before).

Lock order (lockorder.py): each chunk's acquiring steps are keyed by the locks their thread
holds; keys a step has not fired with before are committed in expansion order up to the
stopping point (a range error's step included: the explicit kernel records it before the
update). Liveness (graph.py): with liveness properties and no symmetry, every chunk also
hands over its edges in (parent, transition) order with their targets' ids (the visited set
keeps an id per key) and the liveness expressions' masks over its parents.

LIMITATION: a chunk costs ~0.1 ms of fixed numpy/Python overhead plus a few microseconds per
transition, so on a spec whose BFS levels are thin (tens of states, thousands of levels) the
explicit engine is faster; from a few thousand states per level on this engine wins.
"""
from __future__ import annotations

from dataclasses import dataclass, field
import numpy as np

from checker.options import CheckOptions
from checker.result import CheckResult, ExitReason
from checker.searchloop import SearchClock, Stop
from checker.settings import resolve
from mmspec.ground import TRUE, GExpr, GroundSystem, InitSpace

from checker import initstates

from . import dedupe, report
from . import trace as tr
from .codegen import mask_function
from .kernels import Frame, Program, TransitionKernel, compile_transition
from checker.liveness_arrays import ArrayGraph

from .graph import GraphRecorder
from .layout import Layout, make_layout
from .links import GraphLinks, Links, StoredLinks
from .lockorder import Candidate, ChunkLockOrder
from .symmetry import Canonicaliser
from .visited import SortedRunSet, fingerprint

CANDIDATE_BUDGET = 1 << 19  # successors per chunk (estimated): bounds a chunk's arrays
MIN_CHUNK = 1 << 10
COMPOSITE_MIN_ORDER_BITS = 17  # fewer spare bits than this: argsort path (tests lower it)
U64 = np.uint64


@dataclass
class _Found:
    """Where the explicit engine's expansion of a chunk stops on a violation."""

    row: int  # local row of the expanded state
    t: int  # transition index; T for a deadlock
    counted: bool  # whether the stopping step counts as fired
    acquired: bool = False  # whether its lock-order edges count (a range error: the
    # explicit kernel runs the lock-order hook after the step's checks, before its update)


class _Stopper:
    """The least (row, transition) where a chunk's expansion stops on a violation."""

    def __init__(self, T: int):
        self.T = T
        self.found: _Found | None = None

    def at(self, row: int, ti: int, reach_bad: np.ndarray | None,
           acquired: bool = False) -> None:
        f = self.found
        if f is None or (row, ti) < (f.row, f.t):
            counted = ti < self.T and (reach_bad is None or not bool(reach_bad[row]))
            self.found = _Found(row, ti, counted, acquired and counted)


@dataclass
class _Chunk:
    """What one chunk of parents produced, new states already in explicit BFS order."""

    words: list[np.ndarray]
    keys: np.ndarray  # visited-set keys of the new states, sorted by key
    order: np.ndarray  # order key (local row * T + t) of each new state, ascending
    enabled: list[np.ndarray]  # per transition: local rows where it fired
    found: _Found | None
    fpos: tuple[np.ndarray, np.ndarray] | None  # the new keys' visited-filter positions
    acquires: list[Candidate] = field(default_factory=list)  # lock-order candidates
    # liveness graph: the chunk's edges (order keys ascending, target ids), new keys' ids,
    # and each liveness expression's mask over the parents
    edges: tuple[np.ndarray, np.ndarray] | None = None
    new_ids: np.ndarray | None = None
    live_masks: list[np.ndarray] = field(default_factory=list)


class VectorSearch:
    def __init__(self, system: GroundSystem, options: CheckOptions):
        self.system = system
        self.options = options
        self.layout: Layout = make_layout(system)
        self.prog = Program()
        self.kernels: list[TransitionKernel] = [
            compile_transition(self.prog, self.layout, system, i, t)
            for i, t in enumerate(system.transitions)]
        self.inv_nodes = [self.prog.intern(i.checked) for i in system.invariants]
        self.final_node = self.prog.intern(system.final)
        settings = resolve(system, options)
        self.check_deadlock = settings.deadlock
        self.canon = Canonicaliser(system, self.layout) if settings.symmetry else None
        self.locks = ChunkLockOrder(system, self.layout) if settings.lock_order else None
        # liveness: the state graph is recorded while searching (without symmetry; under
        # symmetry a second, unreduced search records it, as the explicit engine does)
        self.live = settings.liveness and self.canon is None
        self.live_exprs: list[GExpr] = []
        if self.live:
            for prop in system.liveness:
                for e in (prop.q, prop.p):
                    if e is not None and e not in self.live_exprs:
                        self.live_exprs.append(e)
        self.graph = GraphRecorder(len(self.kernels), len(self.live_exprs)) if self.live \
            else None
        self.T = len(self.kernels)
        # every guard-side mask of a chunk comes from one generated function (codegen.py)
        roots: dict[int, int] = {}

        def root(nid: int) -> int:
            return roots.setdefault(nid, len(roots))

        self.pos_guard = [root(k.guard) for k in self.kernels]
        self.pos_at = [root(k.at) if k.reach_checks else -1 for k in self.kernels]
        self.pos_check = [[root(c.node) for c in k.checks] for k in self.kernels]
        self.pos_reads = [-1 if k.reads_ok is None else root(k.reads_ok) for k in self.kernels]
        self.pos_fire = [-1 if k.fire_ok is None else root(k.fire_ok) for k in self.kernels]
        self.pos_explore = [-1 if k.explore is None else root(k.explore) for k in self.kernels]
        self.pos_final = root(self.final_node) if self.check_deadlock else -1
        self.pos_live = [root(self.prog.intern(e)) for e in self.live_exprs]
        self.mask_fn = mask_function(self.prog, self.layout, list(roots))
        self.exact = self.layout.words == 1
        tcount = max(1, self.T)
        sb = self.layout.bits
        # one-word states sort as (state, order) composites: order keys get the spare bits,
        # which caps the parents per chunk; when that cap is too low, use argsort instead
        self.order_bits = max(0, min(40, 64 - sb)) if self.exact else 0
        self.composite = (self.exact and self.order_bits >= COMPOSITE_MIN_ORDER_BITS
                          and (1 << self.order_bits) // tcount > MIN_CHUNK)
        self.max_rows = ((1 << self.order_bits) // tcount - 1 if self.composite
                         else 1 << 40)
        self.expanded = 0  # parents expanded so far: with `generated`, sizes the chunks
        # an invariant violation found in the level being discovered: (level, row, t) of its
        # parent and step, or (0, row, None) for an initial state; reported after the level
        self.pending: tuple[int, int, int | None] | None = None
        self.visited = SortedRunSet(ids=self.live)
        self.links: Links = StoredLinks(np.zeros(0, np.int64))  # set by initial()
        self.fired = [0] * self.T
        self.generated = 0
        self.depth = 0
        self.clock = SearchClock(options)

    # ------------------------------------------------------------------ helpers
    def keys_of(self, words: list[np.ndarray]) -> np.ndarray:
        return words[0] if self.exact else fingerprint(words)

    def elapsed(self) -> float:
        return self.clock.elapsed()

    def event(self, msg: str) -> None:
        if self.options.on_event is not None:
            self.options.on_event(msg)

    def progress(self, queue: int, force: bool = False) -> None:
        self.clock.progress(self.visited.count, self.generated, queue, self.depth, force)

    def limit_hit(self) -> ExitReason | None:
        return self.clock.limit_hit()

    # ------------------------------------------------------------------ level 0
    def initial(self) -> list[np.ndarray]:
        """Level 0: initial states (canonical under symmetry), first occurrences in order."""
        sys_ = self.system
        cand: np.ndarray | None = None  # an InitSpace's candidate number of each row
        if isinstance(sys_.init, InitSpace):
            arr, cand = self.initial_search(sys_.init)
            init: list[tuple[int, ...]] = []
        else:
            init = [tuple(x) for x in sys_.init]
            arr = np.array(init, dtype=np.int64).reshape(len(init), len(sys_.slots))
        if self.canon is not None:
            arr = np.array([self.canon.canon_tuple(tuple(x)) for x in arr.tolist()],
                           dtype=np.int64).reshape(len(arr), len(sys_.slots))
        for i, slot in enumerate(sys_.slots):
            if len(arr) and ((arr[:, i] < slot.lo).any() or (arr[:, i] > slot.hi).any()):
                raise ValueError(f"an initial value of {slot.name} is outside "
                                 f"{slot.lo}..{slot.hi}")
        words = self.layout.pack_array(arr)
        keys = self.keys_of(words)
        _, first = np.unique(keys, return_index=True)
        first.sort()
        outside_bad = None
        if sys_.constraint != TRUE and len(first):
            # generated, but outside the CONSTRAINT: not stored (as TLC), invariants checked
            inside = initstates.inside(sys_.constraint, arr)
            first = first[inside[first]]
            outside_bad = initstates.outside_violation(sys_, arr[~inside])
        ms = self.options.max_states
        over = ms is not None and len(first) > ms
        if over:
            self.generated = int(first[ms]) + 1  # init states read up to the one over
            first = first[:ms]
        else:
            self.generated = len(arr)
        words = [w[first] for w in words]
        idx = (first if cand is None else cand[first]).astype(np.int64)
        self.links = StoredLinks(idx) if self.graph is None else GraphLinks(idx, self.graph)
        ik = keys[first]
        io = np.argsort(ik)
        self.visited.add(ik[io], ids=io if self.live else None)  # ids: discovery order
        if over:
            raise Stop(ExitReason.STATE_LIMIT, queue=len(first))
        if self.inv_nodes and len(first):
            row = self._first_invariant(words)
            if row is not None:
                self.pending = (0, row, None)
        if self.pending is None and outside_bad is not None:
            raise Stop(ExitReason.VIOLATION, outside_bad, queue=len(first))
        return words

    def initial_search(self, space: InitSpace) -> tuple[np.ndarray, np.ndarray]:
        """Every initial state of an InitSpace (rows) with its candidate number."""
        rows, index = [], []
        try:
            for b in initstates.batches(space, self.options, started=self.clock.start):
                rows.append(b.rows)
                index.append(b.index)
        except initstates.InitStop as stop:
            raise Stop(stop.reason, queue=0) from None
        except initstates.InitDomain as bad:
            raise Stop(ExitReason.VIOLATION, bad.violation(self.system), queue=0) from None
        w = len(self.system.slots)
        if not rows:
            return np.zeros((0, w), np.int64), np.zeros(0, np.int64)
        return np.concatenate(rows), np.concatenate(index)

    def _first_invariant(self, words: list[np.ndarray]) -> int | None:
        """Row of the first state (rows in order) breaking some invariant, or None."""
        frame = Frame(self.prog, self.layout, words)
        bad = None
        for nid in self.inv_nodes:
            b = ~frame.mask(nid)
            bad = b if bad is None else (bad | b)
        assert bad is not None
        return int(np.argmax(bad)) if bad.any() else None

    def chunk_rows(self) -> int:
        """Parents per chunk: about CANDIDATE_BUDGET successors at the rate seen so far."""
        rate = (self.generated / self.expanded) if self.expanded else max(1, self.T)
        rows = int(CANDIDATE_BUDGET / max(rate, 0.25))
        return max(1, min(max(rows, MIN_CHUNK), self.max_rows))

    # ------------------------------------------------------------------ one chunk
    def expand(self, X: list[np.ndarray]) -> _Chunk:
        T = self.T
        n = len(X[0])
        masks = self.mask_fn([w.view(np.int64) for w in X], n)
        stop = _Stopper(T)
        any_en = np.zeros(n, bool) if self.check_deadlock else None
        parts: list[tuple[list[np.ndarray], np.ndarray]] = []  # (successors, order keys)
        comps: list[np.ndarray] = []  # composite path: (state << order_bits) | order
        ob = U64(self.order_bits)
        enabled: list[np.ndarray] = []
        acquires: list[Candidate] = []
        for k in self.kernels:
            ti = k.index
            reach_bad = self._reach_bad(k, masks)
            if reach_bad is not None:
                stop.at(int(np.argmax(reach_bad)), ti, reach_bad)
            g = masks[self.pos_guard[ti]]
            if any_en is not None:
                any_en |= g
            rows = np.flatnonzero(g)
            enabled.append(rows)
            if not len(rows):
                continue
            if self.locks is not None:
                acquires += self.locks.candidates(X, ti, rows, T)
            self._fire_checks(k, g, masks, reach_bad, stop)
            rows, new = self._successors(k, X, rows, masks, reach_bad, stop)
            if not len(rows):
                continue
            order = rows * T
            order += ti
            if self.composite:
                comp = new[0] << ob
                comp |= order.view(U64)
                comps.append(comp)
            else:
                parts.append((new, order))
        if any_en is not None:
            dead = ~any_en & ~masks[self.pos_final]
            if dead.any():
                stop.at(int(np.argmax(dead)), T, None)
        live_masks = [masks[i] for i in self.pos_live]
        del masks
        if self.composite:
            nwords, nkeys, norder, fpos, edges = dedupe.dedupe_composite(self, comps)
        else:
            nwords, nkeys, norder, fpos, edges = dedupe.dedupe_general(self, parts)
        ch = _Chunk(nwords, nkeys, norder, enabled, stop.found, fpos, acquires)
        if edges is not None:
            ch.edges, ch.new_ids = edges
            ch.live_masks = live_masks
        return ch

    def _reach_bad(self, k: TransitionKernel, masks: list[np.ndarray]) -> np.ndarray | None:
        """Rows where reaching step k is an error (its guard cannot be evaluated, or a
        check at its point fails): the step is not counted there."""
        ti = k.index
        reach_bad = None
        if self.pos_reads[ti] >= 0:
            bad = ~masks[self.pos_reads[ti]]
            if bad.any():
                reach_bad = bad
        for c in k.reach_checks:
            bad = masks[self.pos_at[ti]] & ~masks[self.pos_check[ti][c.sub]]
            if bad.any():
                reach_bad = bad if reach_bad is None else (reach_bad | bad)
        return reach_bad

    def _fire_checks(self, k: TransitionKernel, g: np.ndarray, masks: list[np.ndarray],
                     reach_bad: np.ndarray | None, stop: _Stopper) -> None:
        """The checks that fail when step k fires (its guard `g` holds)."""
        ti = k.index
        for c in k.fire_checks:
            bad = g & ~masks[self.pos_check[ti][c.sub]]
            if bad.any():
                stop.at(int(np.argmax(bad)), ti, reach_bad)
        if self.pos_fire[ti] >= 0:
            bad = g & ~masks[self.pos_fire[ti]]
            if bad.any():
                stop.at(int(np.argmax(bad)), ti, reach_bad)

    def _successors(self, k: TransitionKernel, X: list[np.ndarray], rows: np.ndarray,
                    masks: list[np.ndarray], reach_bad: np.ndarray | None, stop: _Stopper,
                    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Step k's successors of the chunk's `rows` that are stored and explored (a range
        error stops there; a state outside a constraint is counted, not kept), canonical
        under symmetry, with the rows they came from."""
        ti = k.index
        sub = Frame(self.prog, self.layout, [w[rows] for w in X])
        new, bad_rows = k.successors(sub)
        del sub
        if bad_rows is not None and bad_rows.any():
            stop.at(int(rows[int(np.argmax(bad_rows))]), ti, reach_bad, acquired=True)
            keep = ~bad_rows
            rows = rows[keep]
            new = [w[keep] for w in new]
        if self.pos_explore[ti] >= 0 and len(rows):
            keep = masks[self.pos_explore[ti]][rows]
            if not keep.all():
                rows = rows[keep]
                new = [w[keep] for w in new]
        if len(rows) and self.canon is not None:
            new = self.canon.canon(new)
        return rows, new

    # ------------------------------------------------------------------ the search
    def run(self) -> CheckResult:
        try:
            self.search()
        except Stop as stop:
            return report.result(self, stop.reason, stop.violation, stop.queue)
        return report.result(self, ExitReason.DONE, None, 0)

    def search(self) -> None:
        frontier = self.initial()
        level = 0
        self.event(f"level 0 {len(frontier[0])}")
        while len(frontier[0]):
            if self.pending is not None:
                raise Stop(ExitReason.VIOLATION, report.invariant_violation(self))
            if self.options.depth is not None and level >= self.options.depth:
                raise Stop(ExitReason.DEPTH_LIMIT, queue=len(frontier[0]))
            frontier = self.expand_level(frontier, level)
            if len(frontier[0]):
                level += 1
                self.depth = level
                self.event(f"level {level} {len(frontier[0])}")

    def expand_level(self, frontier: list[np.ndarray], level: int) -> list[np.ndarray]:
        T = max(self.T, 1)
        n = len(frontier[0])
        parts: list[_Chunk] = []
        bases: list[int] = []
        found_next = 0
        base = 0
        ms = self.options.max_states
        while base < n:
            X = [w[base:base + self.chunk_rows()] for w in frontier]
            done = base + len(X[0])
            ch = self.expand(X)
            f = ch.found
            allowed = None if ms is None else ms - self.visited.count
            over = allowed is not None and len(ch.order) > allowed
            if f is not None and not (over and int(ch.order[allowed]) < f.row * T + f.t):
                stop = f.row * T + f.t
                self.account(ch, stop, f.t if f.counted else None)
                self.lock_edges(ch, stop + 1 if f.acquired else stop, level, base)
                self.visited.count += int(np.count_nonzero(ch.order < stop))
                viol = report.expansion_violation(self, level, base + f.row)
                raise Stop(ExitReason.VIOLATION, viol, n - (base + f.row) + found_next)
            if over:
                assert allowed is not None
                self.account(ch, int(ch.order[allowed]) + 1, None)
                self.lock_edges(ch, int(ch.order[allowed]) + 1, level, base)
                self.visited.count += allowed
                raise Stop(ExitReason.STATE_LIMIT, queue=n - done + found_next + allowed)
            self.account(ch, None, None)
            self.lock_edges(ch, None, level, base)
            if self.pending is None and self.inv_nodes and len(ch.order):
                row = self._first_invariant(ch.words)
                if row is not None:
                    o = int(ch.order[row])
                    self.pending = (level, base + o // T, o % T)
            if self.graph is not None:
                assert ch.edges is not None
                self.graph.add_chunk(len(X[0]), ch.edges[0], ch.edges[1], ch.live_masks)
            self.visited.add(ch.keys, ch.fpos, ch.new_ids)
            # keep only what finish_level reads: the new states and their order keys
            ch.enabled, ch.acquires, ch.live_masks = [], [], []
            ch.edges = ch.new_ids = ch.fpos = None
            parts.append(ch)
            bases.append(base)
            found_next += len(ch.order)
            self.expanded += len(X[0])
            base = done
            why = self.limit_hit()
            if why is not None:
                raise Stop(why, queue=n - done + found_next)
            self.progress(n - done + found_next)
        self.finish_level(parts, bases)
        return [np.concatenate([p.words[w] for p in parts]) if parts else np.zeros(0, U64)
                for w in range(self.layout.words)]

    def account(self, ch: _Chunk, stop: int | None, extra: int | None) -> None:
        """Count the chunk's fired steps with order below `stop` (all when None), plus one
        firing of transition `extra` (the stopping step, when it counts)."""
        T = max(self.T, 1)
        for ti, rows in enumerate(ch.enabled):
            c = len(rows) if stop is None else int(np.count_nonzero(rows * T + ti < stop))
            self.fired[ti] += c
            self.generated += c
        if extra is not None:
            self.fired[extra] += 1
            self.generated += 1

    def lock_edges(self, ch: _Chunk, stop: int | None, level: int, base: int) -> None:
        """Feed the chunk's acquiring steps with order below `stop` to the lock-order graph."""
        if self.locks is not None and ch.acquires:
            self.locks.commit(ch.acquires, stop, level, base, max(self.T, 1))

    def finish_level(self, parts: list[_Chunk], bases: list[int]) -> None:
        T = max(self.T, 1)
        if isinstance(self.links, GraphLinks):  # derived from the graph: only the level's size
            self.links.add_level(sum(len(p.order) for p in parts))
            return
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
        assert isinstance(self.links, StoredLinks)
        self.links.add_level(parent, trans)

    # ------------------------------------------------------------------ liveness graph
    def array_graph(self) -> ArrayGraph:
        """The recorded state graph (complete once the search is done), for liveness."""
        g = self.graph
        assert g is not None
        links = self.links
        assert isinstance(links, GraphLinks)
        masks = {e: m.view() for e, m in zip(self.live_exprs, g.masks)}

        def states(root: int, ts: list[int]) -> list[tuple[int, ...]]:
            return tr.replay(self.system, links.init_index(root), ts)[0]

        return ArrayGraph(links.sizes[0], g.indptr(), g.dst.view(), g.trans.view(),
                          lambda e: masks[e], states, links.parent)
