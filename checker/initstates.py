"""The initial-state search: an `InitSpace` enumerated in vectorised chunks.

A spec with an `initial` predicate (or more candidate initial states than grounding lists)
has its initial states as `mmspec.ground.InitSpace`: the product of every variable's initial
values, filtered by the predicate. This module walks that product CHUNK candidates at a time
with numpy (mixed-radix digits of the candidate numbers pick each variable's value; the
predicate is evaluated over the whole chunk), under the run's limits (time, memory, SIGINT)
and with progress lines like the main search. Both the explicit and the vector engine read
their level 0 from here; the z3 engines encode the predicate instead (checker/symbolic).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

import numpy as np

from mmspec.budget import rss_mb
from mmspec.ground import GExpr, GIte, GLit, GOp, GRead, GroundSystem, GSlot, InitSpace

from checker import npops
from checker.options import CheckOptions
from checker.result import ExitReason, Violation, build_trace

CHUNK = 1 << 16  # candidates per numpy batch


class InitStop(Exception):
    """A limit (time, memory, interrupt) stopped the initial-state search."""

    def __init__(self, reason: ExitReason):
        super().__init__(reason.value)
        self.reason = reason


class InitDomain(Exception):
    """An initial predicate leaves a partial operation's domain on a candidate (the first
    in candidate order): a `domain` violation, as TLC's evaluation error in Init."""

    def __init__(self, state: tuple[int, ...], name: str, read: GRead):
        super().__init__(name)
        self.state, self.name, self.read = state, name, read

    def violation(self, system: GroundSystem) -> Violation:
        """The violation, its trace the one candidate state."""
        from checker.semantics import domain_found
        f = domain_found(self.read, self.state, f"initial predicate {self.name}")
        return Violation(f.kind, f.property, f.message,
                         build_trace(system, [self.state], [None]), f.span, f.details)


@dataclass
class Batch:
    """Initial states of one chunk: their candidate numbers and their slot values (n x w)."""

    index: np.ndarray
    rows: np.ndarray


def batches(space: InitSpace, options: CheckOptions | None = None,
            chunk: int = CHUNK, started: float | None = None) -> Iterator[Batch]:
    """The initial states of `space` in candidate order, a chunk at a time. `started` is
    when the run began (perf_counter): --time-limit counts from there."""
    opts = options or CheckOptions()
    last = time.perf_counter()
    start = last if started is None else started
    found = 0
    tables = [(list(slots), np.array(o, dtype=np.int64).reshape(len(o), len(slots)))
              for slots, o in space.choices]
    for lo in range(0, space.size, chunk):
        hi = min(space.size, lo + chunk)
        idx = np.arange(lo, hi, dtype=np.int64)
        rows = np.zeros((hi - lo, space.width), dtype=np.int64)
        rem = idx.copy()
        for slots, table in reversed(tables):
            d = rem % len(table)
            rem //= len(table)
            if slots:
                rows[:, slots] = table[d]
        if space.reads:
            _check_reads(space, rows)
        keep = as_mask(evaluate(space.pred, rows), hi - lo)
        if not keep.all():
            idx, rows = idx[keep], rows[keep]
        found += len(idx)
        if len(idx):
            yield Batch(idx, rows)
        now = time.perf_counter()
        _limits(opts, now - start)
        if opts.progress is not None and now - last >= opts.progress_interval:
            opts.progress.write(f"Initial states: {found:,} found, {hi:,} of "
                                f"{space.size:,} candidates searched\n")
            opts.progress.flush()
            last = now


def _check_reads(space: InitSpace, rows: np.ndarray) -> None:
    """Raise InitDomain at the first row (then the first read) out of its domain."""
    bad = np.zeros(len(rows), dtype=bool)
    masks = []
    for name, r in space.reads:
        m = ~as_mask(evaluate(r.ok, rows), len(rows))
        masks.append((name, r, m))
        bad |= m
    if bad.any():
        i = int(np.argmax(bad))
        name, r, _ = next(x for x in masks if x[2][i])
        raise InitDomain(tuple(int(v) for v in rows[i]), name, r)


def _limits(opts: CheckOptions, elapsed: float) -> None:
    if opts.time_limit is not None and elapsed > opts.time_limit:
        raise InitStop(ExitReason.TIME_LIMIT)
    if opts.stop_requested():
        raise InitStop(ExitReason.INTERRUPTED)
    if opts.memory_limit is not None:
        if rss_mb() > opts.memory_limit:
            raise InitStop(ExitReason.MEMORY_LIMIT)


def pack_rows(rows: np.ndarray, lo: Sequence[int], shift: Sequence[int],
              total_bits: int) -> list[int]:
    """Packed states (sum of (value - lo) << shift per slot) of the rows, as Python ints."""
    if total_bits <= 62:
        out = np.zeros(len(rows), dtype=np.int64)
        for k in range(rows.shape[1]):
            out += (rows[:, k] - lo[k]) << shift[k]
        return out.tolist()
    vals = [0] * len(rows)
    for k in range(rows.shape[1]):
        col = (rows[:, k] - lo[k]).tolist()
        sh = shift[k]
        vals = [v + (c << sh) for v, c in zip(vals, col)]
    return vals


def outside_violation(system: GroundSystem, rows: np.ndarray) -> Violation | None:
    """The invariant violation of the first of `rows` (initial states outside the state
    constraints, generated but not stored) that breaks one, or None: TLC checks the
    invariants of every initial state it generates (ModelChecker.doInit), in or out of the
    constraints. The engines report one inside the constraints first."""
    if not system.invariants or not len(rows):
        return None
    bad = np.zeros(len(rows), dtype=bool)
    for inv in system.invariants:
        bad |= ~as_mask(evaluate(inv.checked, rows), len(rows))
    if not bad.any():
        return None
    from checker.semantics import first_invariant
    state = tuple(int(v) for v in rows[int(np.argmax(bad))])
    f = first_invariant(system, state)
    assert f is not None, "vectorised and reference invariants disagree"
    return Violation(f.kind, f.property, f.message, build_trace(system, [state], [None]),
                     f.span, f.details)


def inside(constraint: GExpr, rows: np.ndarray) -> np.ndarray:
    """Mask of the rows satisfying a state constraint."""
    return as_mask(evaluate(constraint, rows), len(rows))


def as_mask(v: Any, n: int) -> np.ndarray:
    if isinstance(v, np.ndarray):
        return v.astype(bool) if v.dtype != np.bool_ else v
    return np.full(n, bool(v))


def evaluate(e: GExpr, rows: np.ndarray) -> Any:
    """e over every row (numpy), with `mmspec.ground.eval_gexpr`'s semantics."""
    memo: dict[int, Any] = {}
    return _ev(e, rows, memo)


def _ev(e: GExpr, rows: np.ndarray, memo: dict[int, Any]) -> Any:
    hit = memo.get(id(e))
    if hit is not None:
        return hit[1]
    out = _ev1(e, rows, memo)
    memo[id(e)] = (e, out)
    return out


def _ev1(e: GExpr, rows: np.ndarray, memo: dict[int, Any]) -> Any:
    if isinstance(e, GLit):
        return e.value
    if isinstance(e, GSlot):
        return rows[:, e.index]
    if isinstance(e, GIte):
        c = _ev(e.cond, rows, memo)
        return np.where(npops.as_bool(c), _ev(e.then, rows, memo), _ev(e.other, rows, memo))
    assert isinstance(e, GOp)
    form = npops.KERNEL_FORMS.get(e.op)  # every ground operator, as the vector engine's
    if form is None:
        raise ValueError(f"unknown ground op {e.op!r}")
    coerce, fn = form
    return fn([coerce(_ev(x, rows, memo)) for x in e.args])

