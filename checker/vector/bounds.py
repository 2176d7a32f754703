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

from checker.intervals import IntervalWalk
from mmspec import operators
from mmspec.ground import GExpr, GroundSystem

LIMIT = 1 << 62  # magnitude every integer subexpression must stay within (int64 has 2^63)

Interval = tuple[int, int]


class _Intervals(IntervalWalk[int]):
    """Exact integer intervals; `worst` is the largest magnitude beyond LIMIT, and where."""

    def __init__(self, system: GroundSystem):
        super().__init__(system.slots)
        self.worst: tuple[int, GExpr] | None = None

    def op(self, op: str, bs: list[Interval]) -> Interval:
        return op_interval(op, bs)

    def seen(self, e: GExpr, out: Interval) -> None:
        big = max(abs(out[0]), abs(out[1]))
        if big > LIMIT and (self.worst is None or big > self.worst[0]):
            self.worst = (big, e)


def op_interval(op: str, bs: list[Interval]) -> Interval:
    """The interval of `op` applied to arguments within `bs` (floor div/mod, x/0 == 0): the
    operator table's rule (mmspec/operators.py), and a total one for div and mod."""
    known = operators.bounds(op, bs)
    if known is not None:
        return known
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
