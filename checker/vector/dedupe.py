"""Deduplicating a chunk's successors: which are new, in the explicit engine's queue order.

Candidates are keyed by their *order* `row * T + t` (engine.py). One sort of (state, order)
pairs keeps each state's first discovery; one membership probe against the visited set drops
known states; a sort by order puts the new states in the explicit engine's queue order. With
liveness, the chunk's edges come out too: by ascending order key, with their targets' ids.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .engine import VectorSearch

U64 = np.uint64

Edges = tuple[tuple[np.ndarray, np.ndarray], np.ndarray] | None  # ((order, dst), new ids)
New = tuple[list[np.ndarray], np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None,
            Edges]


def argsort_small(a: np.ndarray) -> np.ndarray:
    """argsort of distinct non-negative int64s, as one integer sort of (value, index)
    composites when both fit in a word (several times faster than np.argsort)."""
    n = len(a)
    ib = max(1, (n - 1).bit_length())
    if not n or int(a.max()).bit_length() + ib > 64:
        out: np.ndarray = np.argsort(a)
        return out
    comp = a.view(U64) << U64(ib)
    comp |= np.arange(n, dtype=U64)
    comp.sort()
    comp &= U64((1 << ib) - 1)
    return comp.view(np.int64)


def dedupe_composite(search: VectorSearch, comps: list[np.ndarray]) -> New:
    """New states (first discoveries, not yet visited) as (words, sorted keys, order,
    filter positions of the keys), words and order ascending by order. One-word states:
    sort (state, order) composites, keep the first of each state, probe, then sort
    (order, state) composites."""
    if not comps:
        return ([np.zeros(0, U64)], np.zeros(0, U64), np.zeros(0, np.int64), None,
                no_edges(search))
    comp = np.concatenate(comps) if len(comps) > 1 else comps[0]
    comps.clear()
    comp.sort()
    ob = U64(search.order_bits)
    omask = U64((1 << search.order_bits) - 1)
    st = comp >> ob
    first = np.empty(len(comp), bool)
    first[0] = True
    np.not_equal(st[1:], st[:-1], out=first[1:])
    ust = st[first]
    del st
    corder = (comp & omask).view(np.int64) if search.live else None
    grp = np.cumsum(first) - 1 if search.live else None
    uord = comp[first]
    del comp, first
    uord &= omask
    found, pos, fid = search.visited.lookup(ust, search.live)
    isnew = ~found
    nkeys = ust[isnew]
    nord = uord[isnew]
    fpos = (pos[0][isnew], pos[1][isnew])
    new_ord = uord[isnew].view(np.int64) if search.live else None
    del ust, uord, found, pos
    sb = U64(search.layout.bits)
    nord <<= sb
    nord |= nkeys
    nord.sort()
    nwords = [nord & U64((1 << search.layout.bits) - 1)]
    nord >>= sb
    edges: Edges = None
    if search.live:
        assert fid is not None and corder is not None and grp is not None
        assert new_ord is not None
        rank: np.ndarray = np.searchsorted(nord.view(np.int64), new_ord)
        edges = chunk_edges(search, fid, isnew, rank, grp, corder)
    return nwords, nkeys, nord.view(np.int64), fpos, edges


def no_edges(search: VectorSearch) -> Edges:
    if not search.live:
        return None
    return (np.zeros(0, np.int64), np.zeros(0, np.int64)), np.zeros(0, np.int64)


def chunk_edges(search: VectorSearch, fid: np.ndarray, isnew: np.ndarray, rank: np.ndarray,
                grp: np.ndarray, corder: np.ndarray) -> Edges:
    """Edges of a chunk by ascending order key with their targets' ids, and the ids of
    the new keys (in key order). `fid`: ids of the distinct keys already visited, `rank`:
    each new key's place in discovery order, `grp`/`corder`: each candidate's distinct
    key and order key."""
    gid = fid
    new_ids = rank + search.visited.count
    gid[isnew] = new_ids
    dst = gid[grp]
    perm = argsort_small(corder)
    return (corder[perm], dst[perm]), new_ids


def dedupe_general(search: VectorSearch,
                   parts: list[tuple[list[np.ndarray], np.ndarray]]) -> New:
    """As dedupe_composite, for keys that fill a word (fingerprints of multi-word states,
    or one-word states too wide to share a word with order keys).

    Sort (key's high bits, candidate index) composites: plain integer sorts are several
    times faster than argsort. Keys equal in their high bits but not in full (rare) are
    put right by a stable argsort of the nearly sorted keys (timsort: near linear). The
    least order key of each group of equal keys is the first discovery."""
    K = search.layout.words
    if not parts:
        return ([np.zeros(0, U64) for _ in range(K)], np.zeros(0, U64),
                np.zeros(0, np.int64), None, no_edges(search))
    words = [np.concatenate([p[0][w] for p in parts]) for w in range(K)]
    order = np.concatenate([p[1] for p in parts])
    parts.clear()
    m = len(order)
    keys = search.keys_of(words)
    ib = U64(max(1, (m - 1).bit_length()))
    comp = (keys >> ib) << ib
    comp |= np.arange(m, dtype=U64)
    comp.sort()
    comp &= U64((1 << int(ib)) - 1)
    perm = comp.view(np.int64)  # candidate indices, by key's high bits then index
    sk = keys[perm]
    if m > 1 and not bool(np.all(sk[1:] >= sk[:-1])):
        fix = np.argsort(sk, kind="stable")
        perm = perm[fix]
        sk = sk[fix]
    first = np.empty(m, bool)
    first[0] = True
    np.not_equal(sk[1:], sk[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    minord = np.minimum.reduceat(order[perm], starts)
    ukeys = sk[starts]
    rep = perm[starts]
    found, pos, fid = search.visited.lookup(ukeys, search.live)
    isnew = ~found
    fpos = (pos[0][isnew], pos[1][isnew])
    nkeys = ukeys[isnew]
    nord = minord[isnew]
    nrep = rep[isnew]
    o = argsort_small(nord)
    edges: Edges = None
    if search.live:
        assert fid is not None
        rank = np.empty(len(o), np.int64)
        rank[o] = np.arange(len(o))
        grp = np.empty(m, np.int64)
        grp[perm] = np.cumsum(first) - 1
        edges = chunk_edges(search, fid, isnew, rank, grp, order)
    return [w[nrep[o]] for w in words], nkeys, nord[o], fpos, edges

