"""Liveness on a state graph held as integer arrays (the vector engine's), never unpacked.

Same semantics, verdicts and lassos as checker/liveness.py (which documents them): that
module walks Python adjacency lists; this one does each step as whole-array work over a CSR
graph whose states are numbered in BFS discovery order and whose edges are ordered by
(source, transition) — exactly the order the explicit engine's graph lists them in:

- fair components: strongly connected components of the not-Q subgraph with scipy's
  `connected_components(connection="strong")` (a compiled O(V+E) pass; scipy is a well-kept
  library and the graphs reach 10^7 states), then the Streett refinement for strong fairness
  done on every component at once, on bit masks: a component with a weak constraint enabled
  everywhere and never taken inside is dropped; one with a strong constraint enabled somewhere
  and never taken loses the states where it is enabled and is split again. The fair pieces
  are a fixpoint, so the order in which pieces are refined does not matter.
- where a fair not-Q behaviour can start (`reach`): states that reach a stuttering state or a
  fair piece inside not-Q, a backward closure (the explicit checker's per-component marking
  in reverse topological order computes the same set);
- the lasso: the trigger is the first state in BFS order (ids are that order), the stem its
  BFS-tree path (the engine's parent links), then breadth-first searches done a level at a
  time whose tie-breaks are the explicit searches' (first discovery in queue order, edges in
  transition order), so every path is the same path.

LIMITATION: up to 63 fairness constraints (they are bits of an int64).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from checker.details import LivenessDetails
from checker.fairness_hint import strong_fairness_hints
from checker.liveness_common import EVERY_STATE, fairness_bits, message, validate_properties
from checker.result import Trace, Violation, build_trace
from mmspec.ground import GExpr, GLiveness, GroundSystem, GTransition

from checker.liveness_scc import first_occurrences, sorted_unique, strong_components

MAX_FAIRNESS = 63
Step = tuple[int, int]  # (transition index, state id reached)


BLOCK = 1 << 18


@dataclass
class _Block:
    r0: int  # rows r0..r1-1, edges p0..p1-1
    r1: int
    p0: int
    p1: int
    src: np.ndarray
    dst: np.ndarray
    trans: np.ndarray

    def reduce_or(self, out: np.ndarray, vals: np.ndarray) -> None:
        """out[u] |= OR of vals over the block's edges out of u."""
        if not len(vals):
            return
        first = np.empty(len(vals), bool)
        first[0] = True
        np.not_equal(self.src[1:], self.src[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        out[self.src[starts]] |= np.bitwise_or.reduceat(vals, starts)


@dataclass
class ArrayGraph:
    """A complete reachable state graph: state ids are BFS order, ids < n_init are the initial
    states (in system.init order), edges of state u are dst[indptr[u]:indptr[u+1]] by
    transition order, one per enabled transition (self-loops and repeats included).

    `mask(expr)` says where a ground expression holds (a bool per state); `states(root, ts)`
    rebuilds the slot tuples of the path from initial state `root` along transitions `ts`."""

    n_init: int
    indptr: np.ndarray
    dst: np.ndarray
    trans: np.ndarray
    mask: Callable[[GExpr], np.ndarray]
    states: Callable[[int, list[int]], list[tuple[int, ...]]]
    parent: Callable[[int], tuple[int, int]]  # id -> (BFS parent id or -1, transition)

    @property
    def n(self) -> int:
        return len(self.indptr) - 1

    def blocks(self) -> Iterator[_Block]:
        """The edges in blocks of whole rows, about BLOCK edges each (temporaries per edge
        stay small: memory.py in the vector engine says why that matters)."""
        indptr, n, r0 = self.indptr, self.n, 0
        top = int(indptr[-1])
        while r0 < n:
            # the key in indptr's own dtype: a Python int would make numpy search an int64
            # copy of the whole (int32) indptr, made anew per block (that was 90 ms a block)
            key = indptr.dtype.type(min(int(indptr[r0]) + BLOCK, top))
            r1 = int(np.searchsorted(indptr, key, side="right")) - 1
            r1 = min(n, max(r1, r0 + 1))
            p0, p1 = int(indptr[r0]), int(indptr[r1])
            src = np.repeat(np.arange(r0, r1, dtype=np.int64),
                            np.diff(indptr[r0:r1 + 1]).astype(np.int64))
            yield _Block(r0, r1, p0, p1, src, self.dst[p0:p1].astype(np.int64),
                         self.trans[p0:p1])
            r0 = r1

    def out_edges(self, us: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(edge positions, position in `us` of each edge's source), in (us order, edge order)."""
        starts = self.indptr[us].astype(np.int64)
        lens = self.indptr[us + 1] - starts
        total = int(lens.sum())
        if not total:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        which = np.repeat(np.arange(len(us), dtype=np.int64), lens)
        offs = np.arange(total, dtype=np.int64)
        offs -= np.repeat(np.cumsum(lens) - lens, lens)
        return starts[which] + offs, which


# --------------------------------------------------------------------------- fairness


@dataclass
class _Fairness:
    names: list[str]
    weak: int
    strong: int
    tmask: np.ndarray  # transition -> constraint bits (int64)
    en: np.ndarray  # state -> constraints enabled there (self-loops excluded)

    @property
    def all(self) -> int:
        return self.weak | self.strong


def _fairness(system: GroundSystem, g: ArrayGraph) -> _Fairness:
    if len(system.fairness) > MAX_FAIRNESS:
        raise ValueError(f"more than {MAX_FAIRNESS} fairness constraints")
    weak, strong, bits = fairness_bits(system)
    tmask = np.zeros(max(1, len(bits)), np.int64)
    tmask[:len(bits)] = bits
    # the narrowest integer that holds every constraint's bit (a byte for up to 7)
    width = next(d for d in (np.int8, np.int16, np.int32, np.int64)
                 if len(system.fairness) < 8 * np.dtype(d).itemsize)
    tmask = tmask.astype(width)
    en = np.zeros(g.n, width)
    if weak | strong:
        for b in g.blocks():
            m = tmask[b.trans]
            m[b.dst == b.src] = 0
            b.reduce_or(en, m)
    return _Fairness([f.name for f in system.fairness], weak, strong, tmask, en)


# --------------------------------------------------------------------------- SCCs


@dataclass
class _Analysis:
    notq: np.ndarray  # bool
    reach: np.ndarray  # bool: a fair infinite not-Q path starts here
    stutter: np.ndarray  # bool: stuttering here forever is fair
    comp: np.ndarray  # int64: fair piece id, or -1


def _pieces(region: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(states of the pieces with two or more states, grouped by label; their labels), for
    `region` = a piece label per state, -1 outside every piece. Most states are pieces of
    their own: a byte per label marks the others before anything is sorted."""
    none = np.zeros(0, np.int64), np.zeros(0, np.int32)
    sl = np.sort(region)
    twice = sl[1:][(sl[1:] == sl[:-1]) & (sl[1:] >= 0)]
    del sl
    if not len(twice):
        return none
    many = np.zeros(int(region.max()) + 2, bool)  # the last entry stays False: region -1
    many[twice] = True
    idx = np.flatnonzero(many[region])
    del many
    key = region[idx].astype(np.int64) << 32
    key |= idx
    del idx
    key.sort()  # by label, then state
    lab = (key >> 32).astype(np.int32)
    key &= 0xFFFFFFFF
    return key, lab


def _analyse(g: ArrayGraph, fair: _Fairness, notq: np.ndarray) -> _Analysis:
    n = g.n
    if not fair.all:
        return _Analysis(notq, notq.copy(), notq.copy(), np.full(n, -1, np.int32))
    region = strong_components(g, lambda b: notq[b.src] & notq[b.dst])
    region[~notq] = -1
    comp: np.ndarray | None = None
    next_id = 0
    # Streett refinement, every piece at once; `region` = piece label, -1 = out
    while True:
        members, lab = _pieces(region)
        if comp is None:  # allocated after scipy's arrays and _pieces's sort copy are gone
            comp = np.full(n, -1, np.int32)
        region.fill(-1)
        region[members] = lab
        if not len(members):
            break
        first = np.ones(len(lab), bool)
        first[1:] = lab[1:] != lab[:-1]
        starts = np.flatnonzero(first)
        en_m = fair.en[members]
        en_all = np.bitwise_and.reduceat(en_m, starts)
        en_any = np.bitwise_or.reduceat(en_m, starts)
        taken_state = np.zeros(n, fair.en.dtype)
        for b in g.blocks():
            rs, rd = region[b.src], region[b.dst]
            tm = fair.tmask[b.trans]
            tm[(rs != rd) | (rs < 0) | (b.src == b.dst)] = 0
            b.reduce_or(taken_state, tm)
        taken = np.bitwise_or.reduceat(taken_state[members], starts)
        del taken_state
        weak_bad = (fair.weak & en_all & ~taken) != 0
        strong_bad = fair.strong & en_any & ~taken
        piece_of = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(lab))))
        drop = weak_bad[piece_of]
        split = (strong_bad != 0)[piece_of] & ~drop
        final = ~drop & ~split
        comp[members[final]] = next_id + piece_of[final]  # unique ids across rounds
        next_id += len(starts)
        if not split.any():
            break
        region[members[drop | final]] = -1
        cut = split & ((fair.en[members] & strong_bad[piece_of]) != 0)
        region[members[cut]] = -1
        old = region
        region = strong_components(g, lambda b: (old[b.src] >= 0) & (old[b.src] == old[b.dst]))
        region[old < 0] = -1
        del old
    assert comp is not None
    stutter = notq & ((fair.en & fair.all) == 0)
    reach = _backward_closure(g, stutter | (comp >= 0), notq)
    return _Analysis(notq, reach, stutter, comp)


def _backward_closure(g: ArrayGraph, seeds: np.ndarray, within: np.ndarray) -> np.ndarray:
    """States inside `within` from which a path inside `within` reaches a seed: a BFS over
    the reversed subgraph, built a block at a time as int32 CSR (4 bytes per edge)."""
    out: np.ndarray = seeds & within
    if not out.any() or out[within].all():
        return out
    n = g.n
    rcount = np.zeros(n + 1, np.int64)
    for b in g.blocks():
        k = within[b.src] & within[b.dst] & (b.src != b.dst)
        rcount[1:] += np.bincount(b.dst[k], minlength=n)
    rptr = np.cumsum(rcount)
    del rcount
    es = np.empty(int(rptr[-1]), np.int32)
    fill = rptr[:-1].copy()
    for b in g.blocks():
        k = within[b.src] & within[b.dst] & (b.src != b.dst)
        d, s_ = b.dst[k], b.src[k]
        order = np.argsort(d, kind="stable")
        d, s_ = d[order], s_[order]
        if not len(d):
            continue
        first = np.empty(len(d), bool)
        first[0] = True
        np.not_equal(d[1:], d[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        size = np.diff(np.append(starts, len(d)))
        rank = np.arange(len(d)) - np.repeat(starts, size)
        es[fill[d] + rank] = s_
        fill[d[starts]] += size
    del fill
    front = np.flatnonzero(out)
    while len(front):
        starts_ = rptr[front]
        lens = rptr[front + 1] - starts_  # rptr is int64
        total = int(lens.sum())
        if not total:
            break
        offs = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(lens) - lens, lens)
        prev = es[np.repeat(starts_, lens) + offs].astype(np.int64)
        prev = sorted_unique(prev[~out[prev]])
        out[prev] = True
        front = prev
    return out


# --------------------------------------------------------------------------- paths


def _bfs(g: ArrayGraph, start: int, allowed: np.ndarray, target: np.ndarray,
         min_steps: int = 0) -> list[Step] | None:
    """checker.liveness._bfs, a level at a time: the same shortest path, same tie-breaks."""
    if min_steps == 0 and target[start]:
        return []
    seen = np.zeros(g.n, bool)
    seen[start] = True
    levels: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (v, parent u, t)
    front = np.array([start], np.int64)
    while len(front):
        pos, which = g.out_edges(front)
        u = front[which]
        v = g.dst[pos].astype(np.int64)
        ok = (v != u) & allowed[v]
        pos, u, v = pos[ok], u[ok], v[ok]
        hit = target[v] & (~seen[v] | (v == start))
        if hit.any():
            k = int(np.argmax(hit))
            return _unwind(levels, start, int(u[k])) + [(int(g.trans[pos[k]]), int(v[k]))]
        new = ~seen[v]
        pos, u, v = pos[new], u[new], v[new]
        first = first_occurrences(v)
        v, u, t = v[first], u[first], g.trans[pos[first]].astype(np.int64)
        seen[v] = True
        levels.append((v, u, t))
        front = v
    return None


def _unwind(levels: list[tuple[np.ndarray, np.ndarray, np.ndarray]], start: int,
            end: int) -> list[Step]:
    out: list[Step] = []
    v = end
    for vs, us, ts in reversed(levels):
        if v == start:
            break
        hit = np.flatnonzero(vs == v)
        if not len(hit):
            continue
        k = int(hit[0])
        out.append((int(ts[k]), v))
        v = int(us[k])
    assert v == start
    out.reverse()
    return out


def _first_edge(g: ArrayGraph, fair: _Fairness, inside: np.ndarray, u: int,
                bit: int) -> Step | None:
    for p in range(int(g.indptr[u]), int(g.indptr[u + 1])):
        t, v = int(g.trans[p]), int(g.dst[p])
        if v != u and int(fair.tmask[t]) & bit and inside[v]:
            return (t, v)
    return None


def _path_taking(g: ArrayGraph, fair: _Fairness, inside: np.ndarray, members: np.ndarray,
                 start: int, bit: int) -> list[Step] | None:
    pos, which = g.out_edges(members)
    u = members[which]
    v = g.dst[pos].astype(np.int64)
    good = (v != u) & ((fair.tmask[g.trans[pos]] & bit) != 0) & inside[v]
    target = np.zeros(g.n, bool)
    target[u[good]] = True
    path = _bfs(g, start, inside, target)
    if path is None:
        return None
    last = path[-1][1] if path else start
    step = _first_edge(g, fair, inside, last, bit)
    assert step is not None
    return path + [step]


def _fair_cycle(g: ArrayGraph, fair: _Fairness, a: _Analysis, x: int) -> list[Step]:
    """checker.liveness._fair_cycle on arrays: the same waypoints, the same paths."""
    inside = a.comp == a.comp[x]
    members = np.flatnonzero(inside)
    en = fair.en
    en_all = int(np.bitwise_and.reduce(en[members]))
    en_any = int(np.bitwise_or.reduce(en[members]))
    cycle: list[Step] = []
    cur = x
    taken, disabled_seen = 0, fair.weak & ~int(en[x])
    for i in range(len(fair.names)):
        bit = 1 << i
        if taken & bit or disabled_seen & bit:
            continue
        if (fair.weak & bit and en_all & bit) or (fair.strong & bit and en_any & bit):
            seg = _path_taking(g, fair, inside, members, cur, bit)
        elif fair.weak & bit:
            seg = _bfs(g, cur, inside, (en & bit) == 0)
        else:
            continue
        assert seg is not None, "a fair component provides every waypoint"
        for t, v in seg:
            taken |= int(fair.tmask[t])
            disabled_seen |= fair.weak & ~int(en[v])
        cycle.extend(seg)
        if seg:
            cur = seg[-1][1]
    target = np.zeros(g.n, bool)
    target[x] = True
    back = _bfs(g, cur, inside, target, min_steps=0 if cycle else 1)
    assert back is not None, "a fair component is strongly connected"
    return cycle + back


# --------------------------------------------------------------------------- per property


def check_liveness_arrays(system: GroundSystem, g: ArrayGraph) -> list[Violation]:
    """One Violation per violated liveness property, in system.liveness order (as
    checker.liveness.check_liveness on the same graph)."""
    if not system.liveness:
        return []
    validate_properties(system)
    fair = _fairness(system, g)
    by_q: dict[object, _Analysis] = {}
    out: list[Violation] = []
    for idx, prop in enumerate(system.liveness):
        key: object = EVERY_STATE if prop.kind == "eventually_always" else prop.q
        if key not in by_q:
            by_q[key] = _analyse(g, fair, np.ones(g.n, bool) if key == EVERY_STATE
                                 else ~g.mask(prop.q))
        found = _violation(system, g, fair, by_q[key], idx, prop)
        if found is not None:
            out.append(found)
    return out


def _trigger(g: ArrayGraph, prop: GLiveness, a: _Analysis) -> int | None:
    reach = a.reach
    if prop.kind == "eventually":
        hits = np.flatnonzero(reach[:g.n_init])
    elif prop.kind == "always_eventually":
        hits = np.flatnonzero(reach)
    elif prop.kind == "eventually_always":
        hits = np.flatnonzero(~g.mask(prop.q) & (a.stutter | (a.comp >= 0)))
    else:
        assert prop.p is not None
        hits = np.flatnonzero(reach & g.mask(prop.p))
    return int(hits[0]) if len(hits) else None


def _stem(g: ArrayGraph, s: int) -> tuple[int, list[Step]]:
    steps: list[Step] = []
    while True:
        u, t = g.parent(s)
        if u < 0:
            break
        steps.append((t, s))
        s = u
    steps.reverse()
    return s, steps


def _violation(system: GroundSystem, g: ArrayGraph, fair: _Fairness, a: _Analysis, idx: int,
               prop: GLiveness) -> Violation | None:
    s = _trigger(g, prop, a)
    if s is None:
        return None
    root, prefix = (s, []) if prop.kind == "eventually" else _stem(g, s)
    to_core = _bfs(g, s, a.notq, a.stutter | (a.comp >= 0))
    assert to_core is not None, "reach marks only states that lead to a fair core"
    x = to_core[-1][1] if to_core else s
    stuttering = bool(a.stutter[x])
    cycle = [] if stuttering else _fair_cycle(g, fair, a, x)
    steps = prefix + to_core + cycle
    ts = [t for t, _ in steps]
    states = g.states(root, ts)
    trans: list[GTransition | None] = [None] + [system.transitions[t] for t in ts]
    loop = len(prefix) + len(to_core)
    trace: Trace = build_trace(system, states, trans, loop=loop)
    lv = system.spec.liveness[idx] if idx < len(system.spec.liveness) else None
    text = message(system.spec, lv, prop, stuttering, len(cycle), bool(fair.all))
    hints = strong_fairness_hints(system, states, [None, *ts], loop)
    details = LivenessDetails(tuple(fair.names), stuttering, len(prefix), tuple(hints)).as_dict()
    return Violation("liveness", prop.name, text, trace, prop.span, details)
