"""Sound value intervals of ground expressions over every state within the slots' domains.

Two engines need them for different questions: the vector engine, whether every value fits
its int64 lanes (checker/vector/bounds.py, exact Python ints); the solver engines, which range
checks can never fail and how wide bit-vectors must be (checker/symbolic/zexpr.py, floats with
infinities). They share this walk (leaves, if-then-else, booleans, memoised by node identity,
since grounding shares subtrees) and keep their own operator rules, which differ on purpose
(the solvers' are tighter for div/mod, and the vector one refuses operators it does not know).
"""
from __future__ import annotations

from typing import Generic, Sequence, TypeVar, cast

from mmspec.ground import GExpr, GIte, GLit, GSlot, Slot

N = TypeVar("N", bound=float)  # int (exact) or float (with infinities)


class IntervalWalk(Generic[N]):
    """Intervals by one memoised pass; `op` gives an operator's interval from its arguments',
    `seen` is told every new result (to track the largest magnitude)."""

    def __init__(self, slots: Sequence[Slot]):
        self.slots = slots
        self._memo: dict[int, tuple[GExpr, tuple[N, N]]] = {}

    def op(self, op: str, bs: list[tuple[N, N]]) -> tuple[N, N]:
        raise NotImplementedError

    def seen(self, e: GExpr, out: tuple[N, N]) -> None:
        """Called once per expression, when its interval is first computed."""

    def of(self, e: GExpr) -> tuple[N, N]:
        hit = self._memo.get(id(e))
        if hit is not None and hit[0] is e:
            return hit[1]
        out = self._of(e)
        self._memo[id(e)] = (e, out)
        self.seen(e, out)
        return out

    def _of(self, e: GExpr) -> tuple[N, N]:
        if isinstance(e, GLit):
            return cast("tuple[N, N]", (e.value, e.value))
        if isinstance(e, GSlot):
            s = self.slots[e.index]
            return cast("tuple[N, N]", (0, 1) if e.sort == "bool" else (s.lo, s.hi))
        if isinstance(e, GIte):
            self.of(e.cond)
            a, b = self.of(e.then), self.of(e.other)
            return (min(a[0], b[0]), max(a[1], b[1]))
        bs = [self.of(x) for x in e.args]
        if e.sort == "bool":
            return cast("tuple[N, N]", (0, 1))
        return self.op(e.op, bs)
