"""Worker processes: level-synchronous BFS with results identical to one worker.

A large level is cut into `workers` contiguous slices. Worker processes are forked (so they
inherit the compiled kernel and a snapshot of the visited set for free); each expands its
slice exactly as the sequential search would, against the snapshot, and sends back the new
states it found, in discovery order, with their parents, plus its action counts. The parent
expands slice 0 itself meanwhile, then merges slices 1.. in order, dropping states an
earlier slice already found. Merging in slice order reproduces the sequential discovery
order, so the next level, every parent link, the counts and the traces are the same for any
number of workers.

Anything unusual in a slice (a violation, a new lock-order edge, a new state breaking an
invariant, the state limit) is not resolved in the worker: the parent re-expands that slice
itself, sequentially, against the real visited set. That keeps every verdict and trace on
the one authoritative code path.

LIMITATION: fork start method only (Linux, macOS with fork); time and memory limits are
checked between slices, not inside a worker; a worker's memory is copy-on-write of the
parent's, so peak RSS of the workers is not included in Stats.peak_rss_mb.

LIMITATION (measured, not fixed): on the shared 2-core bench machine two workers are
*slower* than one on GRID and RWSEM (GRID(6,9): 1.66 s vs 0.96 s wall). A forked worker
spends about twice the CPU per state of the parent (copy-on-write faults on the pages it
touches: pymalloc pools, refcounts of the frontier's ints, the visited map), and the parent's
merge costs about a tenth of the expansion. Workers pay off only when a state's expansion is
much dearer than these fixed costs (many transitions, big guards).
"""
from __future__ import annotations

import marshal
import multiprocessing as mp
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from checker.explicit.search import Search

MIN_PARALLEL = 20_000  # smaller levels are expanded in-process (fork costs ~ms)


def expand_level_parallel(search: "Search", front: list[int], level: int, nxt: list[int],
                          parents: list[int]) -> None:
    workers = search.options.workers
    if len(front) < max(MIN_PARALLEL, workers):
        _sequential(search, front, nxt, parents, 0)
        return
    size = -(-len(front) // workers)
    slices = [front[i:i + size] for i in range(0, len(front), size)]
    if search.events:
        search.events(f"parallel level {level}: {len(slices)} slices")
    ctx = mp.get_context("fork")
    procs: list[tuple[Any, Any]] = []
    try:
        for j in range(1, len(slices)):
            recv, send = ctx.Pipe(duplex=False)
            p = ctx.Process(target=_worker, args=(search, slices[j], send), daemon=True)
            p.start()
            send.close()
            procs.append((p, recv))
        done = len(slices[0])
        _sequential(search, slices[0], nxt, parents, len(front) - done)
        for j, (p, recv) in enumerate(procs, start=1):
            data = recv.recv_bytes()
            p.join()
            recv.close()
            fallback, counts, pairs = marshal.loads(data)
            limit = search.options.max_states
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
    finally:
        for p, recv in procs:
            if p.is_alive():
                p.terminate()
                p.join()
            recv.close()


def _sequential(search: "Search", part: list[int], nxt: list[int], parents: list[int],
                left: int) -> None:
    from checker.explicit.search import CHUNK

    pos = 0
    while pos < len(part):
        chunk = part[pos:pos + CHUNK]
        pos += len(chunk)
        search.run_chunk(chunk, nxt, parents, left + len(part) - pos)


def _merge(search: "Search", pairs: list[int], nxt: list[int], parents: list[int]) -> None:
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


def _worker(search: "Search", part: list[int], conn: Any) -> None:
    """Expand `part` against the inherited snapshot; report new states or ask for a redo."""
    from checker.explicit.search import CHUNK

    def hook(i: int, s: int) -> bool:
        return True  # a new (step, held locks) pair: let the parent decide

    local: list[int] = []
    pars: list[int] = []
    counts = [0] * len(search.cnt)
    bad: list[int] = []
    fallback = False
    pos = 0
    while pos < len(part):
        chunk = part[pos:pos + CHUNK]
        pos += len(chunk)
        res = search.expand(chunk, search.seen, local.append, pars.append,
                            search.room() - len(local), counts, bad, hook, search.canon,
                            search.los, search.cs.invok)
        if res is not None or bad:
            fallback = True
            break
    pairs: list[int] = []
    if not fallback:
        for n, p in zip(local, pars):
            pairs.append(n)
            pairs.append(p)
    conn.send_bytes(marshal.dumps((fallback, counts, pairs)))
    conn.close()
