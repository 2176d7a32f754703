"""What the vector search reports: counterexamples rebuilt from its parent links (links.py)
and replayed with the reference interpreter (trace.py, diagnose.py), and its statistics.

Under symmetry the links connect canonical states: the trace is a real execution replayed
from the original initial state, and the property that failed is looked up on the real
state first, on the stored canonical form when the real one does not show it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from checker import lockorder
from checker.result import CheckResult, ExitReason, Stats, Trace, Violation, build_trace
from checker.searchloop import peak_rss_mb

from . import diagnose
from . import trace as tr

if TYPE_CHECKING:
    from .engine import VectorSearch


def replay(search: VectorSearch, level: int, index: int, extra_step: int | None = None,
           ) -> tuple[list[tuple[int, ...]], list[Any], tuple[int, ...]]:
    """Real states and steps to a state, and that state's stored (canonical) form."""
    init_index, ts = search.links.path(level, index)
    if extra_step is not None:
        ts.append(extra_step)
    if search.canon is None:
        states, trans = tr.replay(search.system, init_index, ts)
        return states, trans, states[-1]
    canon = search.canon.canon_tuple
    states, trans = tr.replay(search.system, init_index, ts, canon)
    rep = canon(tr.init_state(search.system, init_index))
    for ti in ts:
        rep = canon(diagnose.successor(search.system, search.system.transitions[ti], rep))
    return states, trans, rep

def invariant_violation(search: VectorSearch) -> Violation:
    assert search.pending is not None
    level, row, t = search.pending
    states, trans, rep = replay(search, level, row, t)
    found = diagnose.first_invariant(search.system, states[-1])
    if found is None:  # LIMITATION: an invariant that is not symmetric, under symmetry
        found = diagnose.first_invariant(search.system, rep)
    assert found is not None, "kernel and reference disagree on an invariant"
    return _violation(search, found, states, trans)

def expansion_violation(search: VectorSearch, level: int, row: int) -> Violation:
    states, trans, rep = replay(search, level, row)
    found = diagnose.first_expansion(search.system, states[-1], search.check_deadlock)
    if found is None:  # LIMITATION: a check that is not symmetric, under symmetry
        found = diagnose.first_expansion(search.system, rep, search.check_deadlock)
    assert found is not None, "kernel and reference disagree on a violation"
    return _violation(search, found, states, trans)

def lock_witness(search: VectorSearch, w: tuple[int, int, int]) -> Trace:
    """The trace of a lock-order edge: the path to the pre-state, then the acquire (under
    symmetry, the first real acquiring step whose successor has the recorded form)."""
    level, index, i = w
    states, trans, rep = replay(search, level, index)
    t = search.system.transitions[i]
    if search.canon is None:
        states.append(diagnose.successor(search.system, t, states[-1]))
        trans.append(t)
    else:
        canon = search.canon.canon_tuple
        want = canon(diagnose.successor(search.system, t, rep))
        real = states[-1]
        for u in search.system.transitions:
            if u.acquires and diagnose.enabled(u, real):
                nxt = diagnose.successor(search.system, u, real)
                if canon(nxt) == want:
                    states.append(nxt)
                    trans.append(u)
                    break
    return build_trace(search.system, states, trans)

def _violation(search: VectorSearch, found: diagnose.Found, states: list[tuple[int, ...]],
               trans: list[Any]) -> Violation:
    return Violation(found.kind, found.property, found.message,
                     build_trace(search.system, states, trans), found.span, found.details)

def result(search: VectorSearch, reason: ExitReason, viol: Violation | None,
           queue: int) -> CheckResult:
    counts: dict[str, int] = {t.name: 0 for t in search.system.spec.transitions}
    for ti, c in enumerate(search.fired):
        counts[search.system.transitions[ti].name] += c
    distinct = search.visited.count
    vbytes = max(search.visited.peak_bytes, search.visited.nbytes)
    extra: dict[str, Any] = {
        "state_bits": search.layout.bits,
        "state_words": search.layout.words,
        "exact": search.exact,
        "levels": search.depth + 1,
        "visited_bytes": search.visited.nbytes,
        "visited_peak_bytes": vbytes,
        "link_bytes": search.links.nbytes,
        "bytes_per_state": (search.visited.nbytes + search.links.nbytes) / distinct
        if distinct else 0.0,
        "peak_bytes_per_state": (vbytes + search.links.nbytes) / distinct if distinct else 0.0,
        "order_bits": search.order_bits,
        "composite_sort": search.composite,
    }
    if not search.exact:
        # TLC's optimistic estimate: n distinct fingerprints out of g generated
        extra["fingerprint_collision_probability"] = (
            distinct * max(search.generated - distinct, 0) / 2.0**64)
    if search.canon is not None:
        extra["symmetries"] = len(search.system.symmetries)
    stats = Stats(distinct_states=distinct, generated_states=search.generated,
                  depth=search.depth, queue=queue, seconds=search.elapsed(),
                  peak_rss_mb=peak_rss_mb(), action_counts=counts, extra=extra)
    violations = [viol] if viol else []
    if search.locks is not None and search.locks.cycle is not None:
        violations.append(lockorder.violation(search.system, search.locks.cycle,
                                              lambda e: lock_witness(search, e.witness)))
    return CheckResult(search.system.spec, "vector", reason, violations, stats)
