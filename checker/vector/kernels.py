"""Ground expressions and transitions compiled to numpy kernels over a batch of packed states.

Every ground expression of the system is interned once into a shared node table (structural
common-subexpression elimination: `pc[1] == idle` is one node however many guards use it), so a
batch evaluates each distinct subexpression at most once. Guard-side masks over a whole chunk
come from one generated function (codegen.py); updates (on the enabled rows only) and
invariants (on new states) walk the node table with a memo per batch (`Frame`), which costs a
few microseconds of Python per node and batch.

Values are numpy int64 arrays for int-sorted nodes, bool arrays for bool-sorted ones, or plain
Python scalars for constants (numpy broadcasts them). The semantics are those of
`mmspec.ground.eval_gexpr`: floor division and modulo, division by zero yields 0.

LIMITATION: intermediate values are int64; an expression whose value leaves +-2^63 (only
possible with huge literals or long products, never with slot values alone) wraps where the
reference interpreter's Python ints would not.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from checker.npops import KERNEL_FORMS as KERNEL_FORMS, as_bool as _b, as_int as _i
from mmspec import operators
from mmspec.ground import TRUE, GExpr, GIte, GLit, GOp, GroundSystem, GSlot, GTransition, self_offset

from .layout import Layout

Value = Any  # np.ndarray | int | bool | numpy scalar

# node kinds
LIT, SLOT, OP, ITE = 0, 1, 2, 3


class Program:
    """The interned node table shared by every kernel of one system."""

    def __init__(self) -> None:
        self.nodes: list[tuple[Any, ...]] = []
        self.sorts: list[str] = []
        self._index: dict[tuple[Any, ...], int] = {}
        self._by_id: dict[int, tuple[GExpr, int]] = {}
        self._slot_bounds: list[tuple[int, int]] | None = None

    def slot_bounds(self, system: GroundSystem) -> list[tuple[int, int]]:
        """Every slot's (lo, hi), built once per system (not once per transition)."""
        if self._slot_bounds is None:
            self._slot_bounds = [(s.lo, s.hi) for s in system.slots]
        return self._slot_bounds

    def intern(self, e: GExpr) -> int:
        hit = self._by_id.get(id(e))
        if hit is not None and hit[0] is e:
            return hit[1]
        if isinstance(e, GLit):
            key: tuple[Any, ...] = (LIT, int(e.value), e.sort)
        elif isinstance(e, GSlot):
            key = (SLOT, e.index, e.sort)
        elif isinstance(e, GIte):
            key = (ITE, self.intern(e.cond), self.intern(e.then), self.intern(e.other))
        elif isinstance(e, GOp):
            if e.op not in KERNEL_FORMS:
                raise ValueError(f"unknown ground op {e.op!r}")
            key = (OP, e.op, tuple(self.intern(a) for a in e.args))
        else:
            raise TypeError(f"not a ground expression: {e!r}")
        nid = self._index.get(key)
        if nid is None:
            nid = len(self.nodes)
            self._index[key] = nid
            self.nodes.append(key)
            self.sorts.append(e.sort)
        self._by_id[id(e)] = (e, nid)
        return nid

    def interval(self, nid: int, bounds: list[tuple[int, int]]) -> tuple[int, int] | None:
        """A sound range of the node's integer value, or None when unknown (div/mod)."""
        k = self.nodes[nid]
        if k[0] == LIT:
            return (int(k[1]), int(k[1]))
        if k[0] == SLOT:
            lo, hi = bounds[int(k[1])]
            return (lo, hi)
        if self.sorts[nid] == "bool":
            return (0, 1)
        if k[0] == ITE:
            a, b = self.interval(k[2], bounds), self.interval(k[3], bounds)
            return None if a is None or b is None else (min(a[0], b[0]), max(a[1], b[1]))
        args = [self.interval(a, bounds) for a in k[2]]
        rs = [a for a in args if a is not None]
        return operators.bounds(k[1], rs) if len(rs) == len(args) else None


class Frame:
    """Node values over one batch of packed states, computed on demand and memoised."""

    __slots__ = ("prog", "layout", "words", "n", "memo")

    def __init__(self, prog: Program, layout: Layout, words: list[np.ndarray]):
        self.prog = prog
        self.layout = layout
        self.words = words
        self.n = len(words[0])
        self.memo: dict[int, Value] = {}

    def slot(self, i: int) -> Value:
        f = self.layout.fields[i]
        if f.bits == 0:
            return f.lo
        v = self.words[f.word].view(np.int64)
        if f.shift:
            v = v >> f.shift  # arithmetic, but the mask below drops any sign bits
        if f.shift or f.bits < self.layout.word_bits[f.word]:
            v = v & f.mask
        return v + f.lo if f.lo else v

    def value(self, nid: int) -> Value:
        memo = self.memo
        v = memo.get(nid)
        if v is not None:
            return v
        k = self.prog.nodes[nid]
        kind = k[0]
        if kind == LIT:
            v = k[1]
        elif kind == SLOT:
            v = self.slot(k[1])
        elif kind == ITE:
            c = _b(self.value(k[1]))
            if isinstance(c, np.ndarray):
                v = np.where(c, self.value(k[2]), self.value(k[3]))
            else:
                v = self.value(k[2]) if c else self.value(k[3])
        else:
            coerce, f = KERNEL_FORMS[k[1]]
            v = f([coerce(self.value(a)) for a in k[2]])
        memo[nid] = v
        return v

    def mask(self, nid: int) -> np.ndarray:
        v = _b(self.value(nid))
        if isinstance(v, np.ndarray):
            return v
        return np.full(self.n, bool(v))

    def ints(self, nid: int) -> Value:
        return _i(self.value(nid))


@dataclass
class SlotUpdate:
    slot: int
    node: int
    wrap: bool
    checked: bool  # False when interval analysis proves the value stays in range
    delta: int | None  # the update is `slot + delta` (no wrap): an add on the packed word


@dataclass
class CheckK:
    sub: int  # position in t.checks: orders checks of one step
    node: int
    when: str


@dataclass
class TransitionKernel:
    index: int
    guard: int
    at: int
    checks: list[CheckK]
    updates: list[SlotUpdate]
    or_clear: dict[int, int] = field(default_factory=dict)  # word -> bits replaced by updates
    # partial operations (mmspec.ground.GRead): nodes false where evaluating the guard, or
    # firing the step, is a `domain` error; None when no read of the step can fail
    reads_ok: int | None = None
    fire_ok: int | None = None
    # node true where the step's successor satisfies the constraints (CONSTRAINT,
    # ACTION_CONSTRAINT): only those are stored; None when there are none
    explore: int | None = None

    @property
    def reach_checks(self) -> list[CheckK]:
        return [c for c in self.checks if c.when == "reach"]

    @property
    def fire_checks(self) -> list[CheckK]:
        return [c for c in self.checks if c.when != "reach"]

    def successors(self, sub: Frame) -> tuple[list[np.ndarray], np.ndarray | None]:
        """Packed successors of every state in `sub` (all enabled) and a mask of the rows
        whose update leaves a slot's range (None when no row does)."""
        layout = sub.layout
        n = sub.n
        out = list(sub.words)
        bad: np.ndarray | None = None
        touched: set[int] = set()

        def mark(b: Value) -> None:
            nonlocal bad
            if isinstance(b, np.ndarray):
                bad = b if bad is None else (bad | b)
            elif b:
                bad = np.ones(n, bool)

        for w, clear in self.or_clear.items():
            out[w] = out[w] & np.uint64(~clear & 0xFFFFFFFFFFFFFFFF)
            touched.add(w)
        for u in self.updates:
            f = layout.fields[u.slot]
            if u.delta is not None:
                old = sub.slot(u.slot)
                if u.checked:
                    mark(old > f.hi - u.delta if u.delta > 0 else old < f.lo - u.delta)
                inc = np.uint64((u.delta << f.shift) & 0xFFFFFFFFFFFFFFFF)
                out[f.word] = out[f.word] + inc
                continue
            v = sub.ints(u.node)
            if u.wrap:
                size = f.hi - f.lo + 1
                v = f.lo + np.mod(np.subtract(v, f.lo), size)
            elif u.checked:
                mark(np.logical_or(np.less(v, f.lo), np.greater(v, f.hi)))
            if f.bits == 0:
                continue
            enc: Any
            if isinstance(v, np.ndarray):
                enc = (v - f.lo).view(np.uint64) if f.lo else v.view(np.uint64)
                if f.shift:
                    enc = enc << np.uint64(f.shift)
            else:
                enc = np.uint64((((int(v) - f.lo) & f.mask) << f.shift))
            out[f.word] = out[f.word] | enc
        return out, bad



def compile_transition(prog: Program, layout: Layout, system: GroundSystem, index: int,
                       t: GTransition) -> TransitionKernel:
    bounds = prog.slot_bounds(system)
    updates = []
    or_clear: dict[int, int] = {}
    for slot, e in t.updates:
        s = system.slots[slot]
        f = layout.fields[slot]
        nid = prog.intern(e)
        iv = prog.interval(nid, bounds)
        checked = not s.wrap and (iv is None or iv[0] < s.lo or iv[1] > s.hi)
        d = None if s.wrap else self_offset(e, slot)
        if d is not None and f.bits == 0:
            d = None
        if d is None and f.bits:
            or_clear[f.word] = or_clear.get(f.word, 0) | (f.mask << f.shift)
        updates.append(SlotUpdate(slot, nid, s.wrap, checked, d))
    checks = [CheckK(i, prog.intern(c.checked), c.when) for i, c in enumerate(t.checks)]
    return TransitionKernel(index, prog.intern(t.guard), prog.intern(t.at), checks, updates,
                            or_clear,
                            prog.intern(t.reads_ok) if t.reads else None,
                            prog.intern(t.fire_ok) if t.fire_reads else None,
                            None if t.explore == TRUE else prog.intern(t.explore))
