"""Ground expressions: the scalar `G*` nodes every engine executes, the constructors that fold
them (`gop`, `gite`, decoded tables), their reference evaluator and their value bounds.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Sequence, Union
from mmspec import budget as cost
from mmspec import operators
from mmspec.operators import OpName, shift as shift

if TYPE_CHECKING:
    from mmspec.gsystem import Slot


# --------------------------------------------------------------------------- ground nodes


@dataclass(frozen=True)
class GLit:
    value: int  # bools are 0/1
    sort: str = "int"  # 'int' | 'bool'


@dataclass(frozen=True)
class GSlot:
    index: int
    sort: str = "int"


@dataclass(frozen=True)
class GOp:
    """op over args: a ground operator of the table (mmspec/operators.py), whose entry gives
    its sort (bool: not and or implies iff eq ne lt le gt ge; int: the others)."""

    op: OpName
    args: tuple["GExpr", ...]

    @property
    def sort(self) -> str:
        return operators.sort_of(self.op)


@dataclass(frozen=True)
class GIte:
    cond: "GExpr"
    then: "GExpr"
    other: "GExpr"

    @property
    def sort(self) -> str:
        return self.then.sort


@dataclass(frozen=True)
class GTable(GIte):
    """A function of one compact slot's index, as the ite chain every engine already
    executes (`ite(s == 0, outs[0], ite(s == 1, outs[1], ...))`), remembered as a table so
    that grounding can fold further operations on it per index instead of growing the chain:
    `(pte & _PAGE_RW) != 0` over an 8-valued `pte` stays 8 entries, not a tree of chains."""

    slot: int = -1
    outs: tuple[int, ...] = ()


GExpr = Union[GLit, GSlot, GOp, GIte]
BOOL_OPS = frozenset(n for n, o in operators.OPERATORS.items() if o.ground and o.sort == "bool")
INT_OPS = frozenset(n for n, o in operators.OPERATORS.items() if o.ground and o.sort == "int")
SHIFT_OPS = frozenset(n for n, o in operators.OPERATORS.items() if o.partial == "shift")
TRUE = GLit(1, "bool")
FALSE = GLit(0, "bool")

# --------------------------------------------------------------------------- helpers


def gop(op: OpName, *args: GExpr) -> GExpr:
    """Build an op node with light constant folding (keeps generated code small)."""
    if all(isinstance(a, GLit) for a in args):
        v = eval_gexpr(GOp(op, args), ())
        return GLit(int(v), operators.sort_of(op))
    folded = _fold_tables(op, args)
    if folded is not None:
        return folded
    if op == "and":
        flat: list[GExpr] = []
        for a in args:
            if a == TRUE or (isinstance(a, GLit) and a.value and a.sort == "bool"):
                continue
            if isinstance(a, GLit) and not a.value:
                return FALSE
            if isinstance(a, GOp) and a.op == "and":
                flat.extend(a.args)
            else:
                flat.append(a)
        if not flat:
            return TRUE
        return flat[0] if len(flat) == 1 else GOp("and", tuple(flat))
    if op == "or":
        flat = []
        for a in args:
            if isinstance(a, GLit) and not a.value:
                continue
            if isinstance(a, GLit) and a.value:
                return TRUE
            if isinstance(a, GOp) and a.op == "or":
                flat.extend(a.args)
            else:
                flat.append(a)
        if not flat:
            return FALSE
        return flat[0] if len(flat) == 1 else GOp("or", tuple(flat))
    if op == "not" and isinstance(args[0], GOp) and args[0].op == "not":
        return args[0].args[0]
    return GOp(op, tuple(args))


def gite(c: GExpr, a: GExpr, b: GExpr) -> GExpr:
    if isinstance(c, GLit):
        return a if c.value else b
    if a == b:
        return a
    tabs = [x for x in (c, a, b) if isinstance(x, GTable)]
    if tabs and len({t.slot for t in tabs}) == 1 and all(
            isinstance(x, (GLit, GTable)) for x in (c, a, b)) and a.sort == b.sort:
        outs = tuple(_table_at(a, i) if _table_at(c, i) else _table_at(b, i)
                     for i in range(len(tabs[0].outs)))
        return make_table(tabs[0].slot, outs, a.sort)
    return GIte(c, a, b)


_TABLES: dict[tuple[int, tuple[int, ...], str], GExpr] = {}


def make_table(slot: int, outs: tuple[int, ...], sort: str) -> GExpr:
    """The value outs[i] when compact slot `slot` holds index i (a literal if all agree)."""
    if all(o == outs[0] for o in outs):
        return GLit(outs[0], sort)
    if sort == "int" and outs == tuple(range(len(outs))):
        return GSlot(slot, "int")  # the index itself
    key = (slot, outs, sort)
    hit = _TABLES.get(key)
    if hit is not None:
        return hit
    if len(_TABLES) > 100_000:
        _TABLES.clear()
    rest: GExpr = GLit(outs[-1], sort)
    for i in range(len(outs) - 2, 0, -1):
        rest = GIte(GOp("eq", (GSlot(slot, "int"), GLit(i))), GLit(outs[i], sort), rest)
    out = GTable(GOp("eq", (GSlot(slot, "int"), GLit(0))), GLit(outs[0], sort), rest,
                 slot, outs)
    _TABLES[key] = out
    return out


def _table_at(x: GExpr, i: int) -> int:
    return x.outs[i] if isinstance(x, GTable) else x.value  # type: ignore[union-attr]


def _fold_tables(op: OpName, args: tuple[GExpr, ...]) -> GExpr | None:
    """op over literals and tables of one slot: a table (computed per index)."""
    slots = {a.slot for a in args if isinstance(a, GTable)}
    if len(slots) != 1 or not all(isinstance(a, (GLit, GTable)) for a in args):
        return _compare_decoded(op, args)
    s = slots.pop()
    n = next(len(a.outs) for a in args if isinstance(a, GTable))
    sort = operators.sort_of(op)
    outs = tuple(int(eval_gexpr(GOp(op, tuple(GLit(_table_at(a, i)) for a in args)), ()))
                 for i in range(n))
    return make_table(s, outs, sort)


def _compare_decoded(op: OpName, args: tuple[GExpr, ...]) -> GExpr | None:
    """Two compact slots over the same ascending values compare as their indexes do."""
    if op not in ("eq", "ne", "lt", "le", "gt", "ge") or len(args) != 2:
        return None
    a, b = args
    if not (isinstance(a, GTable) and isinstance(b, GTable) and a.outs == b.outs
            and all(x < y for x, y in zip(a.outs, a.outs[1:]))):
        return None
    return GOp(op, (GSlot(a.slot, "int"), GSlot(b.slot, "int")))


def as_bool(e: GExpr) -> GExpr:
    """Coerce an int-sorted 0/1 expression (a bool slot) to bool sort."""
    if e.sort == "bool":
        return e
    if isinstance(e, GLit):
        return GLit(1 if e.value else 0, "bool")
    if isinstance(e, GSlot):
        return GSlot(e.index, "bool")
    return gop("ne", e, GLit(0))


def eval_gexpr(e: GExpr, state: Sequence[int]) -> int:
    """Reference interpreter for ground expressions: the semantics every engine must match."""
    if isinstance(e, GLit):
        return e.value
    if isinstance(e, GSlot):
        return state[e.index]
    if isinstance(e, GIte):
        return eval_gexpr(e.then if eval_gexpr(e.cond, state) else e.other, state)
    op, a = e.op, e.args
    if op == "and":
        return int(all(eval_gexpr(x, state) for x in a))
    if op == "or":
        return int(any(eval_gexpr(x, state) for x in a))
    o = operators.OPERATORS.get(op)
    if o is None or o.fn is None or not o.ground:
        raise ValueError(f"unknown ground op {op!r}")
    # the table's value: division by zero and an out-of-range shift give the placeholder 0
    # (a spec's partial operation is guarded by its GRead, so that value is never observed)
    out: int = o.fn(*[eval_gexpr(x, state) for x in a])
    return out


def self_offset(e: GExpr, slot: int) -> int | None:
    """c when e is `slot + c`, `c + slot` or `slot - c` over the slot it is assigned to.

    Such an update moves the state by a constant, which the compiled engines exploit
    (a packed-state add instead of unpack, compute, repack).
    """
    if isinstance(e, GOp) and e.op in ("add", "sub") and len(e.args) == 2:
        a, b = e.args
        if isinstance(a, GSlot) and a.index == slot and isinstance(b, GLit):
            return b.value if e.op == "add" else -b.value
        if e.op == "add" and isinstance(b, GSlot) and b.index == slot and isinstance(a, GLit):
            return a.value
    return None


def _bounds(e: GExpr, slots: "tuple[Slot, ...] | list[Slot]",
            sub: "Callable[[GExpr], tuple[int, int] | None]") -> tuple[int, int] | None:
    if isinstance(e, GLit):
        return e.value, e.value
    if isinstance(e, GSlot):
        return slots[e.index].lo, slots[e.index].hi
    if e.sort == "bool":
        return 0, 1
    if isinstance(e, GIte):
        t, o = sub(e.then), sub(e.other)
        return None if t is None or o is None else (min(t[0], o[0]), max(t[1], o[1]))
    got = [sub(x) for x in e.args]
    rs = [r for r in got if r is not None]
    if len(rs) != len(got):
        return None
    return operators.bounds(e.op, rs)


def bit_bounds(op: str, rs: "list[tuple[int, int]]") -> tuple[int, int] | None:
    """Sound ranges for an operator given its operands' ranges: the table's rule (kept under
    this name for the engines' overflow analyses)."""
    return operators.bounds(op, rs)


def _or_all(xs: list[GExpr]) -> GExpr:
    return gop("or", *xs) if xs else FALSE


def _and_all(xs: list[GExpr]) -> GExpr:
    return gop("and", *xs) if xs else TRUE


def _sum(xs: list[GExpr]) -> GExpr:
    """A balanced sum: depth log n, so card() of a large set does not nest n deep."""
    if not xs:
        return GLit(0)
    while len(xs) > 1:
        cost.tick(len(xs))
        pairs = [gop("add", xs[i], xs[i + 1]) for i in range(0, len(xs) - 1, 2)]
        xs = pairs + ([xs[-1]] if len(xs) % 2 else [])
    return xs[0]
