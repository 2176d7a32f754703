"""The IR's types: every type is finite, and its values are integers at run time.

Part of the IR contract (`mmspec.ir` re-exports every name here); a module of its own so the
type rules (domains, record codes, the dead value of a sequence slot) read in one place.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, cheaper to create (start-up time)
    from mmspec.nodeclass import dataclass


# --------------------------------------------------------------------------- types
# Every type is finite. Scalars are integers at run time: bool as 0/1, an enum member as its
# index, an integer as itself. `IntType.wrap` asks for C-style wrap-around instead of a range
# error when a value leaves lo..hi (refcounts near their limit).


@dataclass(frozen=True)
class BoolType:
    pass


@dataclass(frozen=True)
class IntType:
    lo: int
    hi: int
    wrap: bool = False
    symmetric: str | None = None  # name of a symmetric named type (values permute)
    # `lo..hi values {...}`: the only values a variable of this type takes (sorted, within
    # lo..hi); grounding stores the index into them (a compact slot), and assigning any
    # other value is a `range` violation. None: every value of lo..hi.
    values: tuple[int, ...] | None = None


@dataclass(frozen=True)
class EnumType:
    name: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class MapType:
    key: "Type"  # BoolType, IntType or EnumType
    value: "Type"


@dataclass(frozen=True)
class RecordType:
    fields: tuple[tuple[str, "Type"], ...]


@dataclass(frozen=True)
class SetType:
    elem: "Type"  # BoolType, IntType or EnumType: a set is one bool per element


@dataclass(frozen=True)
class SeqType:
    """A sequence of at most `cap` elements: a length slot (0..cap) and `cap` element slots.
    Slots past the length hold `dead_value(elem)`, so equal sequences are equal states."""

    elem: "Type"
    cap: int


Type = Union[BoolType, IntType, EnumType, MapType, RecordType, SetType, SeqType]


def dead_value(t: "Type") -> "Value":
    """The canonical value of an unused sequence slot (and the default initial value):
    false, 0 (or lo when 0 is outside lo..hi), the first member, {}, <<>>, zeros throughout."""
    if isinstance(t, BoolType) or isinstance(t, EnumType):
        return 0
    if isinstance(t, IntType):
        return 0 if t.lo <= 0 <= t.hi else t.lo
    if isinstance(t, MapType):
        return tuple(dead_value(t.value) for _ in domain_values(t.key))
    if isinstance(t, RecordType):
        return tuple(dead_value(ft) for _, ft in t.fields)
    if isinstance(t, SetType):
        return frozenset()
    if isinstance(t, SeqType):
        return ()
    raise TypeError(t)


def is_product(t: "Type") -> bool:
    """A record of scalar fields: usable as a set element or a binder's domain, each value
    numbered by its code (`record_code`), one set slot per element of the product."""
    return isinstance(t, RecordType) and bool(t.fields) and all(
        is_scalar(ft) for _, ft in t.fields)


def record_code(t: "RecordType", v: "tuple[Value, ...]") -> int:
    """The number of a record value of a product type: fields in order, mixed radix, in
    the order TLC enumerates [f: S, g: T] (the last field varies fastest)."""
    code = 0
    for (_, ft), x in zip(t.fields, v):
        assert isinstance(x, int), x
        code = code * domain_size(ft) + domain_values(ft).index(x)
    return code


def record_decode(t: "RecordType", code: int) -> tuple[int, ...]:
    out: list[int] = []
    for _, ft in reversed(t.fields):
        n = domain_size(ft)
        out.append(domain_values(ft)[code % n])
        code //= n
    return tuple(reversed(out))


def domain_values(t: Type) -> tuple[int, ...]:
    """The run-time values of a scalar (key/element) type, in order (of a product record
    type: the codes of its values)."""
    if isinstance(t, BoolType):
        return (0, 1)
    if isinstance(t, IntType):
        return t.values if t.values is not None else tuple(range(t.lo, t.hi + 1))
    if isinstance(t, EnumType):
        return tuple(range(len(t.members)))
    if is_product(t):
        return tuple(range(domain_size(t)))
    raise TypeError(f"not a scalar type: {t!r}")


def domain_size(t: Type) -> int:
    """len(domain_values(t)) without building the values (a domain may be 1..50000000)."""
    if isinstance(t, BoolType):
        return 2
    if isinstance(t, IntType):
        return len(t.values) if t.values is not None else max(0, t.hi - t.lo + 1)
    if isinstance(t, EnumType):
        return len(t.members)
    if is_product(t):
        n = 1
        for _, ft in t.fields:  # type: ignore[union-attr]
            n *= domain_size(ft)
        return n
    raise TypeError(f"not a scalar type: {t!r}")


def in_domain(v: int, t: Type) -> bool:
    """v in domain_values(t), in O(1)."""
    if isinstance(t, BoolType):
        return v in (0, 1)
    if isinstance(t, IntType):
        return t.lo <= v <= t.hi and (t.values is None or v in t.values)
    if isinstance(t, EnumType):
        return 0 <= v < len(t.members)
    if is_product(t):
        return 0 <= v < domain_size(t)
    raise TypeError(f"not a scalar type: {t!r}")


def is_scalar(t: Type) -> bool:
    return isinstance(t, (BoolType, IntType, EnumType))


# --------------------------------------------------------------------------- values
# Values inside the IR (initial values, literals of composite type) are plain Python data:
# int for scalars (bool is 0/1, enum is index), tuple of values for a map (in key order),
# tuple of values for a record (in field order), frozenset of ints for a set, tuple of
# element values for a sequence (its live elements only).
Value = Union[int, tuple["Value", ...], frozenset[int]]
