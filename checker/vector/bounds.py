"""Up-front representability check: can every value a spec computes live in an int64 lane?

The kernels evaluate ground expressions as numpy int64 arrays, which wrap silently at 2^63.
The reference semantics (`mmspec.ground.eval_gexpr`, the explicit engine) use unbounded
integers, so a spec whose intermediate values can leave int64 would make this engine disagree
with the others: a guard `(x + BIG) * 4 > 0` wraps to false and a violation goes unreported.
Rather than wrap, the engine refuses such a spec before it starts (`--engine auto` then runs
the explicit engine and says why).

The bounds are sound intervals over every state within the slots' declared domains, computed
with Python integers (exact) by one memoised pass over the ground expressions. A spec is
accepted when every integer-valued subexpression stays within +-2^62: a margin of one bit
below int64 so that the kernels' own derived values (`v - lo` for a wrap-around slot, the
`row * T + t` order keys do not involve spec values) cannot overflow either.
"""
from __future__ import annotations

from mmspec.ground import GExpr, GIte, GLit, GOp, GroundSystem, GSlot

LIMIT = 1 << 62  # magnitude every integer subexpression must stay within (int64 has 2^63)

Interval = tuple[int, int]


class _Intervals:
    """Sound integer intervals of ground expressions, memoised by node identity."""

    def __init__(self, system: GroundSystem):
        self.slots = system.slots
        self._memo: dict[int, tuple[GExpr, Interval]] = {}
        self.worst: tuple[int, GExpr] | None = None  # largest magnitude beyond LIMIT, and where

    def of(self, e: GExpr) -> Interval:
        hit = self._memo.get(id(e))
        if hit is not None and hit[0] is e:
            return hit[1]
        out = self._of(e)
        self._memo[id(e)] = (e, out)
        big = max(abs(out[0]), abs(out[1]))
        if big > LIMIT and (self.worst is None or big > self.worst[0]):
            self.worst = (big, e)
        return out

    def _of(self, e: GExpr) -> Interval:
        if isinstance(e, GLit):
            return (e.value, e.value)
        if isinstance(e, GSlot):
            s = self.slots[e.index]
            return (0, 1) if e.sort == "bool" else (s.lo, s.hi)
        if isinstance(e, GIte):
            self.of(e.cond)
            a, b = self.of(e.then), self.of(e.other)
            return (min(a[0], b[0]), max(a[1], b[1]))
        assert isinstance(e, GOp)
        bs = [self.of(x) for x in e.args]
        if e.sort == "bool":
            return (0, 1)
        return op_interval(e.op, bs)


def op_interval(op: str, bs: list[Interval]) -> Interval:
    """The interval of `op` applied to arguments within `bs` (floor div/mod, x/0 == 0)."""
    if op == "neg":
        return (-bs[0][1], -bs[0][0])
    if op == "add":
        return (bs[0][0] + bs[1][0], bs[0][1] + bs[1][1])
    if op == "sub":
        return (bs[0][0] - bs[1][1], bs[0][1] - bs[1][0])
    if op == "mul":
        corners = [x * y for x in bs[0] for y in bs[1]]
        return (min(corners), max(corners))
    if op == "min":
        return (min(b[0] for b in bs), min(b[1] for b in bs))
    if op == "max":
        return (max(b[0] for b in bs), max(b[1] for b in bs))
    if op == "div":  # |a // b| <= |a| for b != 0 (floor adds at most 1 in magnitude); or 0
        m = max(abs(bs[0][0]), abs(bs[0][1]))
        return (-m - 1, m + 1)
    if op == "mod":  # floor mod: |a % b| < |b|; or 0
        m = max(abs(bs[1][0]), abs(bs[1][1]))
        return (-m, m)
    raise ValueError(f"unknown ground op {op!r}")


def _roots(system: GroundSystem) -> list[tuple[str, GExpr]]:
    out: list[tuple[str, GExpr]] = [("the final-state condition", system.final)]
    out += [(f"invariant {i.name}", i.expr) for i in system.invariants]
    for lv in system.liveness:
        out += [(f"property {lv.name}", x) for x in (lv.p, lv.q) if x is not None]
    for t in system.transitions:
        out += [(t.label, t.guard), (t.label, t.at)]
        out += [(t.label, e) for _, e in t.updates]
        out += [(t.label, c.cond) for c in t.checks]
    return out


def unrepresentable(system: GroundSystem) -> str | None:
    """None when every value fits the engine's int64 lanes, else a one-line reason."""
    iv = _Intervals(system)
    for s in system.slots:
        if max(abs(s.lo), abs(s.hi)) > LIMIT:
            return f"variable {s.name} ranges beyond ±2^62 ({s.lo}..{s.hi})"
    for where, e in _roots(system):
        iv.of(e)
        if iv.worst is not None:
            big, node = iv.worst
            return (f"an intermediate value in {where} may reach magnitude {big} "
                    f"(~2^{big.bit_length() - 1}), beyond the ±2^62 the vectorised "
                    f"int64 arithmetic represents exactly")
    return None
