"""The whole reachable state graph, for liveness (SCCs with fairness) and other analyses.

    from checker.explicit.graph import build_graph
    g = build_graph(system, options)
    g.states[i]          # state i as a tuple of slot values (ids are BFS discovery order)
    g.initial            # ids of the initial states, in system.init order (deduplicated)
    g.succ[i]            # [(transition index into system.transitions, successor id), ...]
                         # one entry per enabled transition, in system.transitions order
    g.reason             # ExitReason.DONE, or the limit that stopped the exploration
    g.range_errors       # [(state id, transition index)]: enabled steps whose successor
                         # leaves a non-wrap range (no edge is added for them)

It uses the same compiled kernel as the BFS (codegen.py, mode "graph"). For single states
use `CompiledSystem` (compiled.py): `cs.succ(packed) -> [(ti, packed successor or -1)]`,
`cs.layout.pack / unpack`, `cs.invok(packed)`.

No property is checked here (run `checker.explicit.check` for safety); invariants, checks
and deadlocks are the safety engine's business. LIMITATION: no symmetry reduction (orbit
quotients and fairness do not mix simply); options.workers is ignored.
"""
from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field

from mmspec.ground import TRUE, GroundSystem, eval_gexpr

from checker.explicit.codegen import Config
from checker.explicit.compiled import CompiledSystem
from checker.explicit.search import CHUNK
from checker.searchloop import rss_mb
from checker.options import CheckOptions
from checker.result import ExitReason


@dataclass
class StateGraph:
    states: list[tuple[int, ...]]
    initial: list[int]
    succ: list[list[tuple[int, int]]]
    reason: ExitReason = ExitReason.DONE
    range_errors: list[tuple[int, int]] = field(default_factory=list)
    action_counts: list[int] = field(default_factory=list)  # per ground transition

    def __len__(self) -> int:
        return len(self.states)


def build_graph(system: GroundSystem, options: CheckOptions | None = None,
                compiled: CompiledSystem | None = None) -> StateGraph:
    """Explore every reachable state (BFS order) and return the graph.

    Honours max_states (stops once that many states are stored: edges to states beyond it
    are dropped and `reason` is STATE_LIMIT), time_limit and memory_limit.
    """
    options = options or CheckOptions()
    cs = compiled or CompiledSystem(system)
    expand, _ = cs.kernel(Config(mode="graph"))
    ids: dict[int, int] = {}
    order: list[int] = []
    edges: list[list[tuple[int, int]]] = []
    rng: list[tuple[int, int]] = []
    counts = [0] * len(system.transitions)
    initial: list[int] = []
    for st in system.init:
        if system.constraint != TRUE and not eval_gexpr(system.constraint, st):
            continue  # outside a CONSTRAINT: not a state of the graph (as the search)
        n = cs.layout.pack(st)
        if n not in ids:
            ids[n] = len(order)
            order.append(n)
            initial.append(ids[n])
    reason = ExitReason.DONE
    start = time.perf_counter()
    was = gc.isenabled()
    gc.disable()
    try:
        pos = 0
        while pos < len(order):
            chunk = order[pos:pos + CHUNK]
            pos += len(chunk)
            expand(chunk, ids, order.append, counts, edges.append, rng)
            if options.max_states is not None and len(order) > options.max_states:
                reason = ExitReason.STATE_LIMIT
                break
            if options.time_limit is not None and time.perf_counter() - start > options.time_limit:
                reason = ExitReason.TIME_LIMIT
                break
            if options.stop_requested():
                reason = ExitReason.INTERRUPTED
                break
            if options.memory_limit is not None and rss_mb() > options.memory_limit:
                reason = ExitReason.MEMORY_LIMIT
                break
    finally:
        if was:
            gc.enable()
    if reason != ExitReason.DONE:
        keep = len(edges) if options.max_states is None else min(len(edges),
                                                                   options.max_states)
        keep = max(keep, len(initial))
        edges = edges[:keep]
        order = order[:keep]
        edges = [[(t, j) for t, j in out if j < keep] for out in edges]
        while len(edges) < len(order):
            edges.append([])
    range_errors = [(ids[s], t) for s, t in rng if s in ids and ids[s] < len(order)]
    states = [cs.layout.unpack(n) for n in order]
    return StateGraph(states, initial, edges, reason, range_errors, counts)
