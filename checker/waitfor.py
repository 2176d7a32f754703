"""Who waits for whom in a state: the "waits" and "cycle" details of a deadlock report.

Shared by every engine (it reads only the ground system and one state), so a deadlock looks
the same whichever engine found it. A thread waits when one of its steps is at its location
(`at` holds), has a blocking acquire, and cannot fire; it waits for the lock's holders (and,
for a reader of a writer-preferring rwsem, for the writers queued ahead of it).
"""
from __future__ import annotations

from typing import Any, Callable

from mmspec.ground import GLock, GroundSystem, GTransition, eval_gexpr
from mmspec.lockkinds import blocks


def holders(system: GroundSystem, lk: GLock, state: tuple[int, ...] | list[int],
            mode: str) -> list[int]:
    """Thread ids holding lk in a way that blocks an acquire in `mode` (sorted): the
    lock-kind table's rule (`mmspec.lockkinds.blocks`) over the lock's shape (its owner
    slot; reader slots if its kind has a read mode)."""
    out: set[int] = set()
    if state[lk.owner] >= 0 and blocks(False, mode):
        out.add(state[lk.owner])
    if blocks(True, mode):
        out.update(tid for tid, slot in enumerate(lk.readers) if state[slot])
    return sorted(out)


def wait_for(system: GroundSystem, state: tuple[int, ...] | list[int]) -> dict[str, Any]:
    """{"waits": [{"thread", "lock", "mode", "holders"[, "queued"]}], "cycle": [names] | None,
    "stuck": [{"thread", "step", "at"}]} -- "stuck" lists threads whose next step waits on a
    condition (`await`, a guard) rather than a lock, such as a writer asleep in rcuwait.

    LIMITATION: every blocked thread is listed, also one parked at a label where the spec
    allows it to stop (`final(...)`): the ground system's `final` is one predicate for the
    whole state, not one per thread.
    """
    threads = system.spec.threads

    def name(tid: int) -> str:
        return threads[tid].name if 0 <= tid < len(threads) else f"thread {tid}"

    blocked, queued_writers, stuck = _blocked_threads(system, state, name)
    waits: list[dict[str, Any]] = []
    edges: dict[int, list[int]] = {}
    for tid, li, mode in blocked:
        entry, targets = _wait_entry(system, state, name, tid, li, mode,
                                     queued_writers.get(li, []))
        waits.append(entry)
        for h in targets:
            if h not in edges.setdefault(tid, []):
                edges[tid].append(h)
    cycle = find_cycle(edges)
    blocked_tids = {tid for tid, _, _ in blocked}
    return {"waits": waits, "cycle": [name(t) for t in cycle] if cycle else None,
            "stuck": [e for tid, e in stuck if tid not in blocked_tids]}


def _blocked_threads(system: GroundSystem, state: tuple[int, ...] | list[int],
                     name: Callable[[int], str]
                     ) -> tuple[list[tuple[int, int, str]], dict[int, list[int]],
                                list[tuple[int, dict[str, Any]]]]:
    """The threads whose next step cannot fire: (thread, lock, mode) for each blocking
    acquire, the writers queued per lock, and the threads stuck on a condition instead."""
    queued_writers: dict[int, list[int]] = {}
    blocked: list[tuple[int, int, str]] = []  # (tid, lock index, mode)
    stuck: list[tuple[int, dict[str, Any]]] = []  # blocked on a condition, not a lock
    stuck_tids: set[int] = set()
    for t in system.transitions:
        if t.thread is None:
            continue
        if not eval_gexpr(t.at, state) or eval_gexpr(t.guard, state):
            continue
        if not any(a.blocking for a in t.acquires):
            if t.thread not in stuck_tids:
                stuck_tids.add(t.thread)
                stuck.append((t.thread, _stuck_entry(system, t, name)))
            continue
        for a in t.acquires:
            if a.blocking and (t.thread, a.lock, a.mode) not in blocked:
                blocked.append((t.thread, a.lock, a.mode))
                if a.mode == "write":
                    queued_writers.setdefault(a.lock, []).append(t.thread)
    return blocked, queued_writers, stuck


def _stuck_entry(system: GroundSystem, t: GTransition, name: Callable[[int], str]
                 ) -> dict[str, Any]:
    assert t.thread is not None
    entry: dict[str, Any] = {"thread": name(t.thread), "step": t.step or t.name,
                             "at": f"{t.span.file}:{t.span.line}" if t.span.line else None}
    sleeps = system.spec.transitions[t.source].waits_on
    if sleeps is not None:  # asleep in schedule() or wait_for_completion()
        entry["sleeps_on"] = sleeps
    return entry


def _wait_entry(system: GroundSystem, state: tuple[int, ...] | list[int],
                name: Callable[[int], str], tid: int, li: int, mode: str,
                queued: list[int]) -> tuple[dict[str, Any], list[int]]:
    """One blocked acquire: its report entry, and the threads it waits for (the holders,
    and for a reader of a writer-preferring rwsem the writers queued ahead of it)."""
    lk = system.locks[li]
    hs = holders(system, lk, state, mode)
    entry: dict[str, Any] = {"thread": name(tid), "lock": lk.name, "mode": mode,
                             "holders": [name(h) for h in hs]}
    targets = list(hs)
    if mode == "read" and lk.waiting is not None and state[lk.waiting] > 0:
        q = [w for w in queued if w != tid]
        if q:
            entry["queued"] = [name(w) for w in q]
            targets += q
    return entry, targets


def find_cycle(edges: dict[int, list[int]]) -> list[int] | None:
    """A cycle in the wait-for graph, deterministic: the first found from the lowest thread
    id, rotated to start at its lowest thread id. A self-wait is a cycle of one."""
    done: set[int] = set()
    for start in sorted(edges):
        if start in done:
            continue
        path: list[int] = []
        on_path: set[int] = set()
        stack: list[tuple[int, int]] = [(start, 0)]
        while stack:
            node, i = stack.pop()
            if i == 0:
                path.append(node)
                on_path.add(node)
            nxt = sorted(edges.get(node, []))
            if i < len(nxt):
                stack.append((node, i + 1))
                m = nxt[i]
                if m in on_path:
                    cyc = path[path.index(m):]
                    k = cyc.index(min(cyc))
                    return cyc[k:] + cyc[:k]
                if m not in done:
                    stack.append((m, 0))
            else:
                path.pop()
                on_path.discard(node)
                done.add(node)
    return None
