"""Worker processes: level-synchronous BFS with results identical to one worker.

A large level is cut into `workers` contiguous slices. The parent expands slice 0; long-lived
worker processes, forked once at the first large level (so they inherit the compiled kernel
and the visited store), expand the others. Each worker keeps its own copy of the visited
store: before a level it is sent every state the parent stored since the last level it saw,
then it expands its slice exactly as the sequential search would and sends back the new
states it found, in discovery order, with their parents, plus its action counts. The parent
merges slices 1.. in order, dropping states an earlier slice already found. Merging in slice
order reproduces the sequential discovery order, so the next level, every parent link, the
counts and the traces are the same for any number of workers.

Anything unusual in a slice (a violation, a new lock-order edge, a new state breaking an
invariant, the state limit) is not resolved in the worker: the parent re-expands that slice
itself, sequentially, against the real visited set. That keeps every verdict and trace on
the one authoritative code path.

A worker forked per level (the first design) spent about twice the parent's CPU per state
on copy-on-write faults; long-lived workers write only to their own pages after the first
level.

LIMITATION (measured, not fixed): on the shared 2-core bench machine (load average ~2 from
other work) two workers are slower than one: GRID(6,9) 1.2 s vs 0.8 s wall, RWSEM(5,9) 10.4 s
vs 7.4 s. CPU accounting (parent idle variant): the workers together spend ~25% more CPU
than the sequential search on the same states (marking every new state in each copy of the
store, decoding), and the parent's in-order merge costs ~0.1-0.5 us per state, so even on
two idle cores the best case is ~10-30% faster. Workers pay off only when expanding a state
is much dearer than storing one (many transitions, big guards).

LIMITATION: fork start method only (Linux, macOS with fork); time and memory limits are
checked between slices, not inside a worker; Stats.peak_rss_mb is the parent's only.
"""
from __future__ import annotations

import marshal
import multiprocessing as mp
from array import array
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    from checker.explicit.search import Search

MIN_PARALLEL = 20_000  # smaller levels are expanded in-process


def _enc(xs: Sequence[int], words: bool) -> bytes:
    return array("q", xs).tobytes() if words else marshal.dumps(list(xs))


def _dec(b: bytes, words: bool) -> Sequence[int]:
    if words:
        a = array("q")
        a.frombytes(b)
        return a
    return marshal.loads(b)  # type: ignore[no-any-return]


class Pool:
    """Worker processes serving slices of levels; see the module docstring."""

    def __init__(self, search: "Search", n: int):
        ctx = mp.get_context("fork")
        self.words = search.layout.total_bits <= 62
        self.synced = len(search.levels)  # levels[:synced] are in the workers' stores
        self.conns: list[Any] = []
        self.procs: list[Any] = []
        self.broken = False
        for _ in range(n):
            mine, theirs = ctx.Pipe()
            p = ctx.Process(target=_serve, args=(search, theirs, self.words), daemon=True)
            p.start()
            theirs.close()
            self.conns.append(mine)
            self.procs.append(p)

    def close(self) -> None:
        for c in self.conns:
            try:
                c.send_bytes(b"")
            except OSError:
                pass
        for p in self.procs:
            p.join(timeout=0.2)
            if p.is_alive():
                p.terminate()
                p.join()
        for c in self.conns:
            c.close()
        self.conns, self.procs = [], []


def expand_level_parallel(search: "Search", front: list[int], level: int, nxt: list[int],
                          parents: list[int]) -> None:
    workers = search.options.workers
    if len(front) < max(MIN_PARALLEL, workers) or (search.pool and search.pool.broken):
        _sequential(search, front, nxt, parents, 0)
        return
    if search.pool is None:
        search.pool = Pool(search, workers - 1)
    pool = search.pool
    size = -(-len(front) // workers)
    slices = [front[i:i + size] for i in range(0, len(front), size)]
    if search.events:
        search.events(f"parallel level {level}: {len(slices)} slices")
    # everything stored since the workers last synced: the levels up to this one's front
    delta: list[int] = []
    for states, _ in search.levels[pool.synced:level + 1]:
        delta.extend(states)
    pool.synced = level + 1
    dbytes = _enc(delta, pool.words)
    room = search.room()
    sent = []
    for j, conn in enumerate(pool.conns, start=1):
        part = slices[j] if j < len(slices) else []
        try:
            conn.send_bytes(marshal.dumps((dbytes, _enc(part, pool.words), room)))
            sent.append(True)
        except OSError:
            sent.append(False)
            pool.broken = True
    done = len(slices[0])
    _sequential(search, slices[0], nxt, parents, len(front) - done)
    for j in range(1, len(slices)):
        fallback, counts, pbytes = True, [], b""
        if sent[j - 1]:
            try:
                fallback, counts, pbytes = marshal.loads(pool.conns[j - 1].recv_bytes())
            except (EOFError, OSError):
                pool.broken = True
        limit = search.options.max_states
        pairs = _dec(pbytes, pool.words) if not fallback else ()
        if not fallback and limit is not None and search.distinct + len(pairs) // 2 > limit:
            fallback = True  # might cross the limit: let the exact path find where
        done += len(slices[j])
        if fallback:
            if search.events:
                search.events(f"slice {j} re-expanded in the parent")
            _sequential(search, slices[j], nxt, parents, len(front) - done)
            continue
        _merge(search, pairs, nxt, parents)
        for i, c in enumerate(counts):
            search.cnt[i] += c
        search.between_chunks(len(front) - done + len(nxt))


def _sequential(search: "Search", part: Sequence[int], nxt: list[int], parents: list[int],
                left: int) -> None:
    from checker.explicit.search import CHUNK

    pos = 0
    while pos < len(part):
        chunk = list(part[pos:pos + CHUNK])
        pos += len(chunk)
        search.run_chunk(chunk, nxt, parents, left + len(part) - pos)


def _merge(search: "Search", pairs: Sequence[int], nxt: list[int], parents: list[int]) -> None:
    """Add a worker's new states in order, skipping those an earlier slice found."""
    t: Any = search.seen
    app, papp = nxt.append, parents.append
    before = len(nxt)
    it = iter(pairs)
    mode = search.store
    if mode == "bytes":
        for n, p in zip(it, it):
            if not t[n]:
                t[n] = 1
                app(n)
                papp(p)
    elif mode == "bits":
        for n, p in zip(it, it):
            if not (t[n >> 3] >> (n & 7)) & 1:
                t[n >> 3] |= 1 << (n & 7)
                app(n)
                papp(p)
    else:
        add = t.add
        for n, p in zip(it, it):
            if n not in t:
                add(n)
                app(n)
                papp(p)
    search.distinct += len(nxt) - before


def _mark(store: Any, mode: str, states: Sequence[int]) -> None:
    if mode == "bytes":
        for n in states:
            store[n] = 1
    elif mode == "bits":
        for n in states:
            store[n >> 3] |= 1 << (n & 7)
    else:
        store.update(states)


def _serve(search: "Search", conn: Any, words: bool) -> None:
    """A worker: per message, mark the delta, expand the slice, reply (or ask for a redo)."""
    from checker.explicit.search import CHUNK

    def hook(i: int, s: int) -> bool:
        return True  # a new (step, held locks) pair: let the parent decide

    store, mode, expand = search.seen, search.store, search.expand
    ncnt = len(search.cnt)
    while True:
        try:
            msg = conn.recv_bytes()
        except (EOFError, OSError):
            return
        if not msg:
            return
        dbytes, pbytes, room = marshal.loads(msg)
        _mark(store, mode, _dec(dbytes, words))
        part = list(_dec(pbytes, words))
        local: list[int] = []
        pars: list[int] = []
        counts = [0] * ncnt
        bad: list[int] = []
        fallback = False
        pos = 0
        while pos < len(part):
            chunk = part[pos:pos + CHUNK]
            pos += len(chunk)
            res = expand(chunk, store, local.append, pars.append, room - len(local), counts,
                         bad, hook, search.canon, search.los, search.cs.invok)
            if res is not None or bad:
                fallback = True
                break
        pairs: list[int] = []
        if not fallback:
            for n, p in zip(local, pars):
                pairs.append(n)
                pairs.append(p)
        conn.send_bytes(marshal.dumps((fallback, counts, _enc(pairs, words))))
