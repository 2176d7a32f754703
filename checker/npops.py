"""Every ground operator over numpy values: batches of states as int64/bool arrays, or plain
scalars for constants (numpy broadcasts them), with `mmspec.ground.eval_gexpr`'s semantics
(floor division and modulo, the placeholder 0 for a zero divisor or a shift count outside
0..MAX_SHIFT).

One form per operator of mmspec/operators.py (tests/test_operators.py checks they cover it
exactly), shared by the vector engine's kernels (checker/vector/kernels.py) and generated
masks (its helpers) and by the vectorised initial-state search (checker/initstates.py).
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from mmspec.ir import MAX_SHIFT

Value = Any  # np.ndarray | int | bool | numpy scalar


def as_bool(x: Value) -> Value:
    if isinstance(x, np.ndarray):
        return x if x.dtype == np.bool_ else x != 0
    return bool(x)


def as_int(x: Value) -> Value:
    if isinstance(x, np.ndarray):
        return x.astype(np.int64) if x.dtype == np.bool_ else x
    return int(x)


def _reduce(f: Callable[[Value, Value], Value], xs: list[Value]) -> Value:
    out = xs[0]
    for x in xs[1:]:
        out = f(out, x)
    return out


def div(a: Value, b: Value) -> Value:
    if not isinstance(b, np.ndarray):
        return np.floor_divide(a, b) if b else 0 * a
    safe = np.where(b == 0, 1, b)
    return np.where(b == 0, 0, np.floor_divide(a, safe))


def mod(a: Value, b: Value) -> Value:
    if not isinstance(b, np.ndarray):
        return np.mod(a, b) if b else 0 * a
    safe = np.where(b == 0, 1, b)
    return np.where(b == 0, 0, np.mod(a, safe))


def _shift(a: Value, b: Value, left: bool) -> Value:
    """a << b / a >> b (arithmetic), 0 where the count leaves 0..MAX_SHIFT (a `domain`
    violation reported from the transition's reads, as ground.shift does)."""
    ok = (b >= 0) & (b <= MAX_SHIFT)
    s = np.where(ok, b, 0)
    out = np.left_shift(a, s) if left else np.right_shift(a, s)
    return np.where(ok, out, 0)


def shl(a: Value, b: Value) -> Value:
    return _shift(a, b, True)


def shr(a: Value, b: Value) -> Value:
    return _shift(a, b, False)


# How each ground operator of mmspec/operators.py is computed over numpy values, by what
# its operands are coerced to first (tests/test_operators.py checks these cover the table).
_BOOL_ARGS: dict[str, Callable[[list[Value]], Value]] = {
    "not": lambda a: np.logical_not(a[0]),
    "and": lambda a: _reduce(np.logical_and, a),
    "or": lambda a: _reduce(np.logical_or, a),
    "implies": lambda a: np.logical_or(np.logical_not(a[0]), a[1]),
    "iff": lambda a: np.equal(a[0], a[1]),
}
_INT_ARGS: dict[str, Callable[[list[Value]], Value]] = {
    "eq": lambda a: np.equal(a[0], a[1]),
    "ne": lambda a: np.not_equal(a[0], a[1]),
    "lt": lambda a: np.less(a[0], a[1]),
    "le": lambda a: np.less_equal(a[0], a[1]),
    "gt": lambda a: np.greater(a[0], a[1]),
    "ge": lambda a: np.greater_equal(a[0], a[1]),
    "neg": lambda a: np.negative(a[0]),
    "add": lambda a: np.add(a[0], a[1]),
    "sub": lambda a: np.subtract(a[0], a[1]),
    "mul": lambda a: np.multiply(a[0], a[1]),
    "div": lambda a: div(a[0], a[1]),
    "mod": lambda a: mod(a[0], a[1]),
    "min": lambda a: _reduce(np.minimum, a),
    "max": lambda a: _reduce(np.maximum, a),
    "bnot": lambda a: np.invert(a[0]),
    "band": lambda a: np.bitwise_and(a[0], a[1]),
    "bor": lambda a: np.bitwise_or(a[0], a[1]),
    "bxor": lambda a: np.bitwise_xor(a[0], a[1]),
    "shl": lambda a: shl(a[0], a[1]),
    "shr": lambda a: shr(a[0], a[1]),
}

KERNEL_FORMS: dict[str, tuple[Callable[[Value], Value], Callable[[list[Value]], Value]]] = {
    **{op: (as_bool, f) for op, f in _BOOL_ARGS.items()},
    **{op: (as_int, f) for op, f in _INT_ARGS.items()},
}
