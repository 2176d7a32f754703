"""Engine-independent expectations: one list of tiny specs with hand-derived outcomes.

Every engine that claims exhaustive BFS semantics (explicit, vector) runs all of these and
must match every field that is not None; a bounded engine (bmc) can use the violation cases
(kind, property, trace length). Counts come from closed forms or hand enumeration, written
next to each case (and in the builders' docstrings), never from a tool's output.

Semantics pinned here (see checker/explicit/search.py for the full statement):
- level by level; a level's states are checked against invariants before any of them is
  expanded; expansion goes state by state, transition by transition (system order): checks,
  range; then deadlock. The first violation in that order stops the search.
- lock order does not stop the search: the first cycle closed (in expansion order) is
  reported after the stopping violation, if any (`also`); its trace is the witness of the
  closing edge: the path to the acquiring step's pre-state, then that step.
- `trace_length` counts states, the initial one included; `trace_actions` are the display
  labels (GTransition.label) of the steps after the initial state.
- at a state limit the search stops with exactly `max_states` distinct states stored.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from math import comb
from typing import Any, Callable

from mmspec import ir
from tests import irbuild as ib
from tests import irbuild_explicit as ie


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[], ir.Spec]
    verdict: str  # 'ok' | 'violation' | 'incomplete'
    kind: str | None = None
    property: str | None = None
    distinct: int | None = None
    depth: int | None = None
    trace_length: int | None = None
    trace_actions: tuple[str, ...] | None = None
    options: dict[str, Any] = field(default_factory=dict)  # CheckOptions fields
    reason: str | None = None  # ExitReason value, when it matters
    details: dict[str, Any] | None = None  # a subset of Violation.details to match
    never_fired: tuple[str, ...] | None = None
    # other violation kinds reported alongside (a lock-order cycle does not stop the search,
    # so ABBA reports the cycle and then the deadlock)
    also: tuple[str, ...] = ()


def _rwsem_count(n: int, k: int) -> int:
    # no writer: each thread idle or reading, ops 0..K: (2(K+1))^N; one writer i: the others
    # are idle (a writer needs no readers, readers need no writer): N (K+1)^N
    return (2 * (k + 1)) ** n + n * (k + 1) ** n


CASES: list[Case] = [
    # --- state counts (verdict ok) -------------------------------------------------------
    Case("grid_3_4", lambda: ib.grid(3, 4), "ok", distinct=5 ** 3, depth=3 * 4),
    Case("grid_2_9", lambda: ib.grid(2, 9), "ok", distinct=10 ** 2, depth=18),
    Case("rwsem_2_1", lambda: ib.rwsem(2, 1), "ok", distinct=_rwsem_count(2, 1)),
    Case("rwsem_3_2", lambda: ib.rwsem(3, 2), "ok", distinct=_rwsem_count(3, 2)),
    # x = 0..5 stepping by one: 6 states, depth 5
    Case("counter", lambda: ie.counter(), "ok", distinct=6, depth=5),
    # wrap-around 0..2: 0 -> 1 -> 2 -> 0: 3 states, depth 2, no range error
    Case("wrap", lambda: ie.counter(hi=2, guard=False, wrap=True), "ok", distinct=3, depth=2),
    # two initial states 0 and 2; 1 and 3 follow: depth 1 (both at distance <= 1)
    Case("multi_init", ie.multi_init, "ok", distinct=4, depth=1),
    # grid(2,2) (9 states, depth 4) plus an action that can never fire
    Case("never_fired", ie.with_never, "ok", distinct=9, depth=4, never_fired=("Never",)),
    # symmetry: multisets of 3 values from 0..2: C(5,3) = 10 orbits; depth stays N*M
    Case("sym_3_2", lambda: ie.sym_counters(3, 2), "ok", distinct=comb(5, 3), depth=6,
         options={"symmetry": True}),
    Case("sym_4_3", lambda: ie.sym_counters(4, 3), "ok", distinct=comb(7, 4), depth=12,
         options={"symmetry": True}),
    Case("nosym_3_2", lambda: ie.sym_counters(3, 2), "ok", distinct=27, depth=6),
    # --- violations ----------------------------------------------------------------------
    # x < 3 fails at x = 3: Inc x3, 4 states
    Case("invariant_depth3", lambda: ie.counter(inv_lt=3), "violation", "invariant", "small",
         trace_length=4, trace_actions=("Inc", "Inc", "Inc")),
    # x < 0 fails in the initial state
    Case("invariant_init", lambda: ie.counter(inv_lt=0), "violation", "invariant", "small",
         trace_length=1, trace_actions=()),
    Case("invariant_bfs_order", ie.two_steps, "violation", "invariant", "sum",
         trace_length=3, trace_actions=("B", "B")),
    Case("check_before_deeper_invariant", ie.check_before_deeper_invariant, "violation",
         "assertion", "x must be 0 when y moves", trace_length=2, trace_actions=("A",),
         details={"action": "B"}),
    # x in 0..2 with an unguarded increment: leaves the range from x = 2 (3 states)
    Case("range", lambda: ie.counter(hi=2, guard=False), "violation", "range", "x",
         trace_length=3, trace_actions=("Inc", "Inc"),
         details={"action": "Inc", "slot": "x", "value": 3, "lo": 0, "hi": 2}),
    # stops at x = 3 with nothing enabled and no final states
    Case("deadlock_counter", lambda: ie.counter(bound=3, deadlock=True), "violation",
         "deadlock", "deadlock", trace_length=4, details={"waits": [], "cycle": None}),
    Case("abba_deadlock", lambda: ie.abba(lock_order=False), "violation", "deadlock",
         "deadlock", trace_length=3, trace_actions=("t1: lock_A0", "t2: lock_B0"),
         details={"cycle": ["t1", "t2"], "waits": [
             {"thread": "t1", "lock": "B", "mode": "write", "holders": ["t2"]},
             {"thread": "t2", "lock": "A", "mode": "write", "holders": ["t1"]}]}),
    Case("abba_lock_order", ie.abba, "violation", "lock-order", "lock-order",
         trace_length=3, trace_actions=("t2: lock_B0", "t2: lock_A1"), also=("deadlock",)),
    # no deadlock is reachable (10 states, see the builder), but the orders conflict
    Case("serialised_lock_order", ie.abba_serialised, "violation", "lock-order",
         "lock-order", trace_length=8),
    Case("serialised_no_lock_order", ie.abba_serialised, "ok", distinct=10, depth=9,
         options={"lock_order": False}),
    Case("philosophers", ie.three_cycle, "violation", "deadlock", "deadlock",
         trace_length=4, details={"cycle": ["p0", "p1", "p2"]}),
    Case("recursive", ie.recursive, "violation", "deadlock", "recursive locking of A",
         trace_length=2, details={"cycle": ["t1"]}),
    Case("unlock_unheld", ie.unlock_unheld, "violation", "assertion",
         "releasing A, which is not held", trace_length=1),
    # --- limits --------------------------------------------------------------------------
    Case("state_limit", lambda: ib.grid(3, 4), "incomplete", distinct=50,
         options={"max_states": 50}, reason="state-limit"),
    Case("state_limit_exact", lambda: ib.grid(3, 4), "ok", distinct=125,
         options={"max_states": 125}),
    # --depth 2 on a grid: levels 0..2 are found, level 2 is not expanded
    Case("depth_limit", lambda: ib.grid(2, 3), "incomplete", distinct=1 + 2 + 3, depth=2,
         options={"depth": 2}, reason="depth-limit"),
    # deadlock checking off: the counter's end state x = 3 is fine (x = 0..3: 4 states)
    Case("no_deadlock_option", lambda: ie.counter(bound=3, deadlock=True), "ok",
         distinct=4, depth=3, options={"deadlock": False}),
]


def assert_result(case: Case, r) -> None:
    """Hold an engine's CheckResult to a case: every field the case fixes must match."""
    assert r.verdict == case.verdict, (r.reason, r.violations)
    if case.reason is not None:
        assert r.reason.value == case.reason
    if case.distinct is not None:
        assert r.stats.distinct_states == case.distinct
    if case.depth is not None:
        assert r.stats.depth == case.depth
    if case.never_fired is not None:
        assert r.stats.never_fired == list(case.never_fired)
    if case.verdict != "violation":
        assert not r.violations
        return
    assert sorted(x.kind for x in r.violations) == sorted((case.kind, *case.also))
    (v,) = [x for x in r.violations if x.kind == case.kind]
    if case.property is not None:
        assert v.property == case.property
    if case.trace_length is not None:
        assert len(v.trace) == case.trace_length
    if case.trace_actions is not None:
        assert tuple(s.label for s in v.trace.steps[1:]) == case.trace_actions
    for key, want in (case.details or {}).items():
        assert v.details[key] == want, key
