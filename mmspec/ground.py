"""Grounding: from the structured IR to the scalar system every engine executes.

Each state variable is flattened into integer *slots* (a map into one slot per key, a record
into one per field, a set into one 0/1 slot per element), each transition is instantiated
once per parameter binding, and every expression becomes a tree of `G*` nodes over slots,
literals and a fixed set of integer/boolean operators. Dynamic indexing turns into if-then-else
chains, quantifiers into and/or chains. The explicit, vectorised and z3 engines each compile
this one form in their own way, so none of them needs to understand maps, records or sets.
"""
from __future__ import annotations

import itertools
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from typing import Callable, Iterator, Sequence, TypeVar, Union, cast

from mmspec import budget as cost
from mmspec import ir
from mmspec.diagnostics import Diagnostic, SpecError

_T = TypeVar("_T")

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
    """op over args. Bool-sorted ops: not and or implies iff eq ne lt le gt ge.
    Int-sorted: neg add sub mul div mod min max (div/mod are floor division)."""

    op: str
    args: tuple["GExpr", ...]

    @property
    def sort(self) -> str:
        return "bool" if self.op in BOOL_OPS else "int"


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
Env = dict[str, tuple[int, "ir.Type"]]  # a bound parameter: (its value, its type)
LockIndex = dict[tuple[str, Union[int, None]], int]  # (IR lock, instance key) -> GLock index
# per permutation: where each slot goes, and how each slot's values are relabelled
Symmetries = tuple[tuple[tuple[int, ...], tuple[Union[dict[int, int], None], ...]], ...]
BOOL_OPS = frozenset({"not", "and", "or", "implies", "iff", "eq", "ne", "lt", "le", "gt", "ge"})
INT_OPS = frozenset({"neg", "add", "sub", "mul", "div", "mod", "min", "max",
                     "bnot", "band", "bor", "bxor", "shl", "shr"})
SHIFT_OPS = frozenset({"shl", "shr"})


def shift(op: str, a: int, b: int) -> int:
    """a << b / a >> b on unbounded integers; 0 for a count outside 0..MAX_SHIFT (a `domain`
    violation every engine reports before it looks at the value)."""
    if not 0 <= b <= ir.MAX_SHIFT:
        return 0
    return a << b if op == "shl" else a >> b
TRUE = GLit(1, "bool")
FALSE = GLit(0, "bool")


@dataclass(frozen=True)
class Slot:
    """One scalar cell of the state. `var` and `path` locate it in the structured variable."""

    name: str  # display name, e.g. "pc[reader(1)]" or "vmas[1].locked"
    var: str
    path: tuple[int | str, ...]
    lo: int
    hi: int
    sort: str  # 'bool' | 'int'
    wrap: bool = False
    symmetric: str | None = None  # values of this slot permute under this symmetric type
    # a compact domain (`lo..hi values {...}`): the slot holds an index 0..len-1 into these
    # (lo/hi above are then the index range); reads decode it, updates encode it
    values: tuple[int, ...] | None = None


@dataclass(frozen=True)
class GRead:
    """A partial operation (a map read, a division, a set element) and when it is defined.

    Evaluating the expression it sits in is an error of the spec (a `domain` violation, as
    TLC's "applied outside its domain") exactly when `ok` is false in the pre-state. `ok`
    already includes the path condition, so a read behind a false guard, an untaken branch
    or a false conjunct is never an error. The value the ground form computes for the read
    itself is unspecified when `ok` fails; every engine checks `ok` first.
    """

    ok: GExpr
    value: GExpr  # the offending index, divisor or element (for the report)
    what: str  # "index into c", "divisor", "element of a set[0..2]"
    domain: str  # what `value` must be: "0..2", "non-zero", "positive"
    span: ir.Span


def reads_ok(reads: tuple[GRead, ...]) -> GExpr:
    """The conjunction of the reads' conditions: false iff some read leaves its domain."""
    return gop("and", *[r.ok for r in reads]) if reads else TRUE


@dataclass(frozen=True)
class GCheck:
    cond: GExpr
    message: str
    kind: str
    when: str  # 'fire' | 'reach'
    span: ir.Span
    reads: tuple[GRead, ...] = ()  # partial operations of `cond`, checked before it

    @property
    def checked(self) -> GExpr:
        """What a compiled engine tests: false iff the check fails or a read of it does."""
        return gop("and", reads_ok(self.reads), self.cond)


@dataclass(frozen=True)
class GAcquire:
    lock: int  # index into GroundSystem.locks
    mode: str
    subclass: int
    blocking: bool


@dataclass(frozen=True)
class GTransition:
    name: str  # the IR transition name
    binding: tuple[tuple[str, int], ...]  # parameter values
    label: str  # display: "StartRead(i=2)" or "reader[2]: cs"
    guard: GExpr
    at: GExpr
    updates: tuple[tuple[int, GExpr], ...]  # (slot, value): simultaneous, deterministic
    checks: tuple[GCheck, ...]
    process: str | None
    step: str | None  # the IR label
    thread: int | None
    acquires: tuple[GAcquire, ...]
    releases: tuple[int, ...]
    span: ir.Span
    source: int  # index of the IR transition
    # Partial operations (see GRead): of the guard (and of `at` when a 'reach' check needs
    # it), evaluated in every state; of the updates, evaluated when the guard holds.
    reads: tuple[GRead, ...] = ()
    fire_reads: tuple[GRead, ...] = ()
    # TLC's CONSTRAINT and ACTION_CONSTRAINT on this step's successor, as a condition over
    # the pre-state: when it is false the successor is generated (counted, and the state is
    # not deadlocked) but neither stored nor explored (mmspec/constraints.py)
    explore: GExpr = TRUE

    @property
    def reads_ok(self) -> GExpr:
        """False in a state where evaluating the guard (or `at`) is an error."""
        return reads_ok(self.reads)

    @property
    def fire_ok(self) -> GExpr:
        """False in a state where firing the step (its updates) is an error."""
        return reads_ok(self.fire_reads)


@dataclass(frozen=True)
class GLock:
    name: str  # instance display name, e.g. "ML[2]"
    lock: str  # IR lock name
    cls: str
    kind: str
    owner: int  # slot
    readers: tuple[int, ...]  # slot per thread id (rwsem), () otherwise
    waiting: int | None
    subclass: tuple[int, ...] = ()  # slot per thread id: subclass held with, () if unused


@dataclass(frozen=True)
class GInvariant:
    name: str
    expr: GExpr
    helper: bool
    span: ir.Span
    reads: tuple[GRead, ...] = ()  # partial operations of `expr`, checked before it

    @property
    def checked(self) -> GExpr:
        """What a compiled engine tests: false iff the invariant fails or a read of it does."""
        return gop("and", reads_ok(self.reads), self.expr)


@dataclass(frozen=True)
class GLiveness:
    name: str
    kind: str
    p: GExpr | None
    q: GExpr
    span: ir.Span


@dataclass(frozen=True)
class GFairness:
    """One fairness constraint: `kind` over the union of the listed transitions."""

    kind: str
    name: str  # e.g. "reader[2]" or "StartWrite"
    transitions: tuple[int, ...]


@dataclass(frozen=True)
class GroundSystem:
    spec: ir.Spec
    slots: tuple[Slot, ...]
    # every initial state, in a deterministic order: listed, or (an `initial` predicate, or
    # more than MAX_INIT_STATES) an InitSpace the engines search
    init: "tuple[tuple[int, ...], ...] | InitSpace"
    transitions: tuple[GTransition, ...]
    invariants: tuple[GInvariant, ...]
    liveness: tuple[GLiveness, ...]
    fairness: tuple[GFairness, ...]
    locks: tuple[GLock, ...]
    final: GExpr  # a deadlocked state satisfying this is an allowed final state
    check_deadlock: bool
    check_lock_order: bool
    # Symmetry: one entry per non-identity permutation of the symmetric types: a slot
    # permutation (new[i] = old[perm[i]]) and per-slot value maps (applied to old values).
    symmetries: Symmetries = ()
    var_slots: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False)
    # the state constraints (TLC's CONSTRAINT) over the current state: an initial state
    # outside them is generated but not stored
    constraint: GExpr = TRUE

    @property
    def width(self) -> int:
        return len(self.slots)


class GroundError(Exception):
    """A spec that type-checked but cannot be grounded (e.g. too many initial states)."""

    def __init__(self, message: str, span: ir.Span = ir.NO_SPAN, code: str = "MMS501"):
        super().__init__(message)
        self.span = span
        self.code = code


MAX_INIT_STATES = 1_000_000  # listed eagerly up to here; beyond, or with a predicate: InitSpace
MAX_INIT_CANDIDATES = 10 ** 10  # products of per-variable choices an InitSpace may search
MAX_INIT_LISTED = 1_000_000  # initial states an engine may ask an InitSpace to list


class InitSpace:
    """The initial states as a search of their own: the product of every variable's initial
    values (in declaration order, the last variable varying fastest, as itertools.product),
    filtered by the `initial` predicates. Candidates are numbered 0..size-1; the explicit and
    vector engines enumerate them in vectorised chunks (checker/initstates.py) and refer to
    an initial state by its candidate number. Iterating (or indexing) lists the initial
    states themselves, with the reference interpreter: for small spaces and other engines.
    """

    def __init__(self, choices: tuple[tuple[tuple[int, ...], tuple[tuple[int, ...], ...]], ...],
                 width: int, pred: GExpr, span: ir.Span = ir.NO_SPAN,
                 reads: tuple[tuple[str, GRead], ...] = ()):
        self.choices = choices  # per variable: its slots and its initial values (flattened)
        self.width = width
        self.pred = pred
        self.span = span
        # the predicates' partial operations, with the predicate's name: a candidate on
        # which one leaves its domain is a `domain` violation (TLC: an evaluation error
        # while computing the initial states), found by the initial-state search
        self.reads = reads
        self.size = 1
        for _, opts in choices:
            self.size *= len(opts)
        self._listed: tuple[tuple[int, ...], ...] | None = None

    def candidate(self, i: int) -> tuple[int, ...]:
        """The i-th product of the variables' initial values (before the predicate)."""
        state = [0] * self.width
        for slots, opts in reversed(self.choices):
            i, d = divmod(i, len(opts))
            for k, v in zip(slots, opts[d]):
                state[k] = v
        return tuple(state)

    def listed(self) -> tuple[tuple[int, ...], ...]:
        if self._listed is None:
            if self.size > MAX_INIT_LISTED * 10:
                raise GroundError(f"{self.size:,} candidate initial states are too many to "
                                  "list for this engine (the explicit and vector engines "
                                  "search them)", self.span, "MMS402")
            out = []
            for i in range(self.size):
                cost.tick()
                s = self.candidate(i)
                if eval_gexpr(self.pred, s):
                    out.append(s)
            self._listed = tuple(out)
        return self._listed

    def __iter__(self) -> Iterator[tuple[int, ...]]:
        return iter(self.listed())

    def __len__(self) -> int:
        return len(self.listed())

    def __getitem__(self, i: int) -> tuple[int, ...]:
        return self.listed()[i]
_SEQ_LEN = "#len"  # a sequence's length in its slot tree (groundseq.LEN)

# --------------------------------------------------------------------------- helpers


def gop(op: str, *args: GExpr) -> GExpr:
    """Build an op node with light constant folding (keeps generated code small)."""
    if all(isinstance(a, GLit) for a in args):
        v = eval_gexpr(GOp(op, args), ())
        return GLit(int(v), "bool" if op in BOOL_OPS else "int")
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


def _fold_tables(op: str, args: tuple[GExpr, ...]) -> GExpr | None:
    """op over literals and tables of one slot: a table (computed per index)."""
    slots = {a.slot for a in args if isinstance(a, GTable)}
    if len(slots) != 1 or not all(isinstance(a, (GLit, GTable)) for a in args):
        return _compare_decoded(op, args)
    s = slots.pop()
    n = next(len(a.outs) for a in args if isinstance(a, GTable))
    sort = "bool" if op in BOOL_OPS else "int"
    outs = tuple(int(eval_gexpr(GOp(op, tuple(GLit(_table_at(a, i)) for a in args)), ()))
                 for i in range(n))
    return make_table(s, outs, sort)


def _compare_decoded(op: str, args: tuple[GExpr, ...]) -> GExpr | None:
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
    v = [eval_gexpr(x, state) for x in a]
    if op == "not":
        return int(not v[0])
    if op == "implies":
        return int((not v[0]) or bool(v[1]))
    if op == "iff":
        return int(bool(v[0]) == bool(v[1]))
    if op == "eq":
        return int(v[0] == v[1])
    if op == "ne":
        return int(v[0] != v[1])
    if op == "lt":
        return int(v[0] < v[1])
    if op == "le":
        return int(v[0] <= v[1])
    if op == "gt":
        return int(v[0] > v[1])
    if op == "ge":
        return int(v[0] >= v[1])
    if op == "neg":
        return -v[0]
    if op == "add":
        return v[0] + v[1]
    if op == "sub":
        return v[0] - v[1]
    if op == "mul":
        return v[0] * v[1]
    if op == "div":
        return v[0] // v[1] if v[1] else 0
    if op == "mod":
        return v[0] % v[1] if v[1] else 0
    if op == "min":
        return min(v)
    if op == "max":
        return max(v)
    if op == "bnot":
        return ~v[0]
    if op == "band":
        return v[0] & v[1]
    if op == "bor":
        return v[0] | v[1]
    if op == "bxor":
        return v[0] ^ v[1]
    if op in SHIFT_OPS:
        return shift(op, v[0], v[1])
    raise ValueError(f"unknown ground op {op!r}")


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


def wrap_value(slot: Slot, v: int) -> int:
    """C-style wrap-around into lo..hi for slots declared with wrap."""
    n = slot.hi - slot.lo + 1
    return slot.lo + (v - slot.lo) % n


# --------------------------------------------------------------------------- layout


def _scalar_bounds(t: ir.Type) -> tuple[int, int, str]:
    if isinstance(t, ir.BoolType):
        return 0, 1, "bool"
    if isinstance(t, ir.IntType):
        return t.lo, t.hi, "int"
    if isinstance(t, ir.EnumType):
        return 0, len(t.members) - 1, "int"
    raise TypeError(t)


def _key_name(t: ir.Type, k: int) -> str:
    if isinstance(t, ir.RecordType):  # a product type's value, by its code
        vals = ir.record_decode(t, k)
        return "{" + ", ".join(f"{f}: {_key_name(ft, v)}"
                               for (f, ft), v in zip(t.fields, vals)) + "}"
    if isinstance(t, ir.EnumType):
        return t.members[k]
    if isinstance(t, ir.BoolType):
        return "TRUE" if k else "FALSE"
    return str(k)


class _Layout:
    """Slot allocation: a structured variable is a tree whose leaves are slots."""

    def __init__(self, spec: ir.Spec):
        self.slots: list[Slot] = []
        self.tree: dict[str, object] = {}
        self.types: dict[str, ir.Type] = {}
        for v in spec.variables:
            self.types[v.name] = v.type
            self.tree[v.name] = self._alloc(v.name, v.name, (), v.type)

    def _alloc(self, var: str, name: str, path: tuple[int | str, ...], t: ir.Type) -> object:
        if ir.is_scalar(t):
            lo, hi, sort = _scalar_bounds(t)
            wrap = isinstance(t, ir.IntType) and t.wrap
            sym = t.symmetric if isinstance(t, ir.IntType) else None
            vals = t.values if isinstance(t, ir.IntType) else None
            if vals is not None:
                lo, hi = 0, len(vals) - 1
            self.slots.append(Slot(name, var, path, lo, hi, sort, wrap, sym, vals))
            return len(self.slots) - 1
        if isinstance(t, ir.MapType):
            return {k: self._alloc(var, f"{name}[{_key_name(t.key, k)}]", path + (k,), t.value)
                    for k in ir.domain_values(t.key)}
        if isinstance(t, ir.RecordType):
            return {f: self._alloc(var, f"{name}.{f}", path + (f,), ft) for f, ft in t.fields}
        if isinstance(t, ir.SetType):
            return {k: self._alloc_member(var, f"{name}∋{_key_name(t.elem, k)}", path + (k,))
                    for k in ir.domain_values(t.elem)}
        if isinstance(t, ir.SeqType):
            node: dict[object, object] = {
                _SEQ_LEN: self._alloc(var, f"len({name})", path + (_SEQ_LEN,),
                                      ir.IntType(0, t.cap))}
            for k in range(1, t.cap + 1):
                node[k] = self._alloc(var, f"{name}[{k}]", path + (k,), t.elem)
            return node
        raise TypeError(t)

    def _alloc_member(self, var: str, name: str, path: tuple[int | str, ...]) -> int:
        self.slots.append(Slot(name, var, path, 0, 1, "bool"))
        return len(self.slots) - 1

    def leaves(self, node: object) -> list[int]:
        if isinstance(node, int):
            return [node]
        assert isinstance(node, dict)
        out: list[int] = []
        for sub in node.values():
            out.extend(self.leaves(sub))
        return out


def flatten_value(t: ir.Type, v: ir.Value) -> list[int]:
    """A structured IR value as the list of its slot values (layout order)."""
    if isinstance(t, ir.IntType) and t.values is not None:
        return [t.values.index(int(v))]  # type: ignore[arg-type]
    if ir.is_scalar(t):
        return [int(v)]  # type: ignore[arg-type]
    if isinstance(t, ir.MapType):
        out: list[int] = []
        for x in v:  # type: ignore[union-attr]
            out.extend(flatten_value(t.value, x))
        return out
    if isinstance(t, ir.RecordType):
        out = []
        for (_, ft), x in zip(t.fields, v):  # type: ignore[arg-type]
            out.extend(flatten_value(ft, x))
        return out
    if isinstance(t, ir.SetType):
        return [1 if k in v else 0 for k in ir.domain_values(t.elem)]  # type: ignore[operator]
    if isinstance(t, ir.SeqType):
        items = list(v) + [ir.dead_value(t.elem)] * (t.cap - len(v))  # type: ignore[arg-type]
        out = [len(v)]  # type: ignore[arg-type]
        for x in items:
            out.extend(flatten_value(t.elem, x))
        return out
    raise TypeError(t)


def unflatten_value(t: ir.Type, vals: list[int], pos: int = 0) -> tuple[object, int]:
    """Inverse of flatten_value, producing display-friendly Python data.

    bool -> bool, enum -> member name (str), int -> int, map -> dict keyed by display key
    (int, bool or enum name), record -> dict, set -> frozenset of display elements.
    """
    if isinstance(t, ir.BoolType):
        return bool(vals[pos]), pos + 1
    if isinstance(t, ir.IntType):
        if t.values is not None:
            return decode_index(t.values, vals[pos]), pos + 1
        return vals[pos], pos + 1
    if isinstance(t, ir.EnumType):
        return t.members[vals[pos]], pos + 1
    if isinstance(t, ir.MapType):
        d = {}
        for k in ir.domain_values(t.key):
            d[display_scalar(t.key, k)], pos = unflatten_value(t.value, vals, pos)
        return d, pos
    if isinstance(t, ir.RecordType):
        d = {}
        for f, ft in t.fields:
            d[f], pos = unflatten_value(ft, vals, pos)
        return d, pos
    if isinstance(t, ir.SetType):
        s = set()
        for k in ir.domain_values(t.elem):
            if vals[pos]:
                s.add(display_scalar(t.elem, k))
            pos += 1
        return frozenset(s), pos
    if isinstance(t, ir.SeqType):  # a list of its live elements
        n, pos = vals[pos], pos + 1
        items = []
        for k in range(t.cap):
            x, pos = unflatten_value(t.elem, vals, pos)
            if k < n:
                items.append(x)
        return items, pos
    raise TypeError(t)


class RecordElement(dict):  # type: ignore[type-arg]
    """A record shown as a set element: a dict (renderers treat it as any record) that can
    sit in a frozenset."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))


def decode_index(values: tuple[int, ...], i: int) -> int:
    """The value a compact slot's index stands for (an index out of range, which no state
    holds, shows as itself)."""
    return values[i] if 0 <= i < len(values) else i


def decode_read(slot: int, values: tuple[int, ...]) -> GExpr:
    """A compact slot read as its value: a table over the index (values ascending)."""
    return make_table(slot, values, "int")


def encode_write(value: GExpr, values: tuple[int, ...]) -> tuple[GExpr, GExpr]:
    """(the index a compact slot stores for `value`, whether `value` is a declared value).
    A value outside the set encodes as index 0; the check reports it first. Tables (values
    of one compact slot) encode per index, ifs branch by branch, so copying a compact value
    (`old := pte`, a cmpxchg) stays a copy of the index."""
    if isinstance(value, GLit):
        ok = value.value in values
        return GLit(values.index(value.value) if ok else 0), (TRUE if ok else FALSE)
    if isinstance(value, GTable):
        return (make_table(value.slot, tuple(values.index(v) if v in values else 0
                                              for v in value.outs), "int"),
                make_table(value.slot, tuple(int(v in values) for v in value.outs), "bool"))
    if isinstance(value, GIte):
        ia, ma = encode_write(value.then, values)
        ib, mb = encode_write(value.other, values)
        return gite(value.cond, ia, ib), gite(value.cond, ma, mb)
    member = _or_all([gop("eq", value, GLit(v)) for v in values])
    out: GExpr = GLit(0)
    for i in range(len(values) - 1, 0, -1):
        out = gite(gop("eq", value, GLit(values[i])), GLit(i), out)
    return out, member


def display_scalar(t: ir.Type, k: int) -> object:
    if isinstance(t, ir.RecordType):  # a product type's value, by its code
        return RecordElement((f, display_scalar(ft, v))
                             for (f, ft), v in zip(t.fields, ir.record_decode(t, k)))
    if isinstance(t, ir.BoolType):
        return bool(k)
    if isinstance(t, ir.EnumType):
        return t.members[k]
    return k


def decode_state(system: GroundSystem, state: tuple[int, ...]) -> dict[str, object]:
    """The state as {variable: display value}, in declaration order."""
    out: dict[str, object] = {}
    for v in system.spec.variables:
        idx = system.var_slots[v.name]
        out[v.name], _ = unflatten_value(v.type, [state[i] for i in idx])
    return out


# --------------------------------------------------------------------------- expressions


class _Grounder:
    """Translates IR expressions under a parameter binding into ground expressions.

    Non-scalar expressions ground to a *tree* mirroring the layout: dict key -> subtree,
    with GExpr leaves. That lets map/record/set values flow through ite, equality and
    functional update uniformly.
    """

    def __init__(self, spec: ir.Spec, layout: _Layout):
        self.spec = spec
        self.layout = layout
        self.var_types = layout.types
        self._slot_trees: dict[int, object] = {}  # id(layout node) -> its (shared) slot tree
        self._sizes: dict[int, tuple[object, int]] = {}  # id(expr) -> estimated ground size
        # partial operations (GRead): the path condition of the expression being grounded
        # (the guards of the lazy operators around it) and the reads collected so far
        self._path: list[GExpr] = []
        self._reads: list[GRead] | None = None
        self._where: ir.Span = ir.NO_SPAN
        self._iv: dict[int, tuple[GExpr, tuple[int, int] | None]] = {}
        # the next state of the step being grounded (variable -> tree over the pre-state),
        # read by primed variables, and by every variable when `prime_all` (a state
        # constraint evaluated on the successor); None outside a step
        self.post: dict[str, object] | None = None
        self.prime_all = False

    # -- partial operations: evaluation is lazy exactly where TLA+'s is
    def reading(self, where: ir.Span, f: Callable[[], _T]) -> tuple[_T, tuple[GRead, ...]]:
        """f() grounded as a top-level evaluation, with the partial operations it performs."""
        saved = (self._reads, self._path, self._where)
        self._reads, self._path, self._where = [], [], where
        try:
            out = f()
            return out, _dedupe(self._reads)
        finally:
            self._reads, self._path, self._where = saved

    @contextmanager
    def under(self, *conds: GExpr) -> Iterator[None]:
        """Ground the body as evaluated only when every cond holds (the right of `&&`, a
        branch of `if`, a quantifier's later instances)."""
        n = len(self._path)
        self._path.extend(conds)
        try:
            yield
        finally:
            del self._path[n:]

    def need(self, inside: GExpr, value: GExpr, what: str, domain: str,
             span: ir.Span) -> None:
        """Record that evaluating the current expression requires `inside`."""
        if self._reads is None or (isinstance(inside, GLit) and inside.value):
            return
        path = _and_all(self._path)
        if isinstance(path, GLit) and not path.value:
            return  # never evaluated: a false guard protects it
        if isinstance(path, GLit):
            ok = inside
        elif isinstance(inside, GLit):
            ok = gop("not", path)
        else:
            ok = gop("implies", path, inside)
        where = span if span.file != ir.NO_SPAN.file else self._where
        self._reads.append(GRead(ok, value, what, domain, where))

    def bounds(self, e: GExpr) -> tuple[int, int] | None:
        """A sound range of e's value in any state (slots stay in their ranges), or None."""
        hit = self._iv.get(id(e))
        if hit is not None and hit[0] is e:
            return hit[1]
        out = _bounds(e, self.layout.slots, self.bounds)
        self._iv[id(e)] = (e, out)
        return out

    def in_range(self, x: GExpr, lo: int, hi: int) -> GExpr:
        """lo <= x <= hi, folded where x's bounds decide it."""
        iv = self.bounds(x)
        if iv is not None and lo <= iv[0] and iv[1] <= hi:
            return TRUE
        if iv is not None and (iv[1] < lo or iv[0] > hi):
            return FALSE
        parts = []
        if iv is None or iv[0] < lo:
            parts.append(gop("ge", x, GLit(lo)))
        if iv is None or iv[1] > hi:
            parts.append(gop("le", x, GLit(hi)))
        return _and_all(parts)

    # -- typing (only what grounding needs: the shape of non-scalar values)
    def type_of(self, e: ir.Expr, env: dict[str, tuple[int, ir.Type]]) -> ir.Type:
        if isinstance(e, ir.Lit):
            return e.type
        if isinstance(e, ir.VarRef):
            return self.var_types[e.name]
        if isinstance(e, ir.ParamRef):
            return env[e.name][1]
        if isinstance(e, ir.Index):
            t = self.type_of(e.base, env)
            if isinstance(t, ir.SeqType):
                return t.elem
            assert isinstance(t, ir.MapType), t
            return t.value
        if isinstance(e, ir.SeqLit):
            return e.type
        if isinstance(e, ir.Choose):
            return e.domain
        if isinstance(e, ir.SubSeq):
            return self.type_of(e.base, env)
        if isinstance(e, ir.Unary) and e.op in ("head", "tail"):
            st = self.type_of(e.arg, env)
            assert isinstance(st, ir.SeqType), st
            return st.elem if e.op == "head" else st
        if isinstance(e, ir.Unary) and e.op == "len":
            return ir.IntType(0, 2**62)
        if isinstance(e, ir.Binary) and e.op in ("append", "concat"):
            return self.type_of(e.left, env)
        if isinstance(e, ir.Field):
            t = self.type_of(e.base, env)
            assert isinstance(t, ir.RecordType), t
            return dict(t.fields)[e.name]
        if isinstance(e, ir.Ite):
            a = self.type_of(e.then, env)
            if isinstance(a, ir.SeqType):  # the larger capacity holds both branches
                b = self.type_of(e.other, env)
                assert isinstance(b, ir.SeqType), b
                return ir.SeqType(a.elem, max(a.cap, b.cap))
            return a
        if isinstance(e, ir.SetLit):
            return ir.SetType(e.elem_type)
        if isinstance(e, ir.SetComp):
            return ir.SetType(e.domain)
        if isinstance(e, ir.MapLit):
            return ir.MapType(e.key_type, self.type_of(e.body, {**env, e.var: (0, e.key_type)}))
        if isinstance(e, ir.RecordLit):
            return e.type
        if isinstance(e, ir.Except):
            return self.type_of(e.base, env)
        if isinstance(e, ir.Binary) and e.op in ("union", "inter", "minus"):
            return self.type_of(e.left, env)
        if isinstance(e, ir.Binary) and e.op in ("add", "sub", "mul", "div", "mod", "min",
                                                 "max", "band", "bor", "bxor", "shl", "shr"):
            return ir.IntType(-(2**62), 2**62)
        if isinstance(e, ir.Unary) and e.op in ("neg", "card", "bnot"):
            return ir.IntType(-(2**62), 2**62)
        return ir.BoolType()

    def tree(self, e: ir.Expr, env: dict[str, tuple[int, ir.Type]]) -> object:
        """Ground an expression of any type to a tree (GExpr for scalars)."""
        cost.tick()
        t = self.type_of(e, env)
        if ir.is_scalar(t) and not isinstance(e, (ir.VarRef, ir.Index, ir.Field)) and not (
                isinstance(e, ir.Unary) and e.op == "head"):
            return self.scalar(e, env)
        if isinstance(e, ir.Lit):
            return self._lit_tree(t, e.value)
        if isinstance(e, ir.ParamRef) and ir.is_product(t):  # bound to a code: decode
            assert isinstance(t, ir.RecordType)
            return {f: GLit(v, "bool" if isinstance(ft, ir.BoolType) else "int")
                    for (f, ft), v in zip(t.fields, ir.record_decode(t, env[e.name][0]))}
        if isinstance(e, ir.VarRef):
            if e.primed or self.prime_all:
                if self.post is None:
                    raise GroundError("a primed variable is only defined in a step", e.span)
                if e.name in self.post:
                    return self.post[e.name]
            return self._slot_tree(self.layout.tree[e.name])
        if isinstance(e, ir.Index) and isinstance(self.type_of(e.base, env), ir.SeqType):
            base = self.tree(e.base, env)
            assert isinstance(base, dict)
            return groundseq.index(self, base, self.scalar(e.index, env),
                                   f"index into {_describe(e.base)}",
                                   groundseq.where_of(e.index, e.span))
        if isinstance(e, ir.Choose):
            return self.choose(e, env)
        if isinstance(e, (ir.SeqLit, ir.SubSeq)) or (
                isinstance(e, ir.Unary) and e.op in ("head", "tail")) or (
                isinstance(e, ir.Binary) and e.op in ("append", "concat")):
            return self._seq_tree(e, env)
        if isinstance(e, ir.Index):
            base = self.tree(e.base, env)
            bt = self.type_of(e.base, env)
            assert isinstance(bt, ir.MapType) and isinstance(base, dict)
            where = e.index.span if e.index.span.file != ir.NO_SPAN.file else e.span
            return self._select(base, self.scalar(e.index, env), bt.key,
                                f"index into {_describe(e.base)}", where)
        if isinstance(e, ir.Field):
            base = self.tree(e.base, env)
            assert isinstance(base, dict)
            return base[e.name]
        if isinstance(e, ir.Ite):
            c = self.cond(e.cond, env)
            with self.under(c):
                a = self.tree(e.then, env)
            with self.under(gop("not", c)):
                b = self.tree(e.other, env)
            if isinstance(t, ir.SeqType):
                a, b = (groundseq.fit(self, x, t, e.span) for x in (a, b))
            return self._ite_tree(c, a, b)
        if isinstance(e, ir.SetLit):
            coded = [self.element(x, env, e.elem_type) for x in e.elems]
            elems = [c for c, _, _ in coded]
            shown = _show_keys(e.elem_type)
            for (_, ok, bad), src in zip(coded, e.elems):
                self.need(ok, bad, f"element of a set[{shown}]", shown, src.span)
            return {k: _or_all([gop("eq", x, GLit(k)) for x in elems])
                    for k in ir.domain_values(e.elem_type)}
        if isinstance(e, ir.SetComp):
            self.check_expansion(e, "set comprehension")
            return {k: self.cond(e.cond, {**env, e.var: (k, e.domain)})
                    for k in ir.domain_values(e.domain)}
        if isinstance(e, ir.MapLit):
            self.check_expansion(e, "map literal")
            return {k: self.tree(e.body, {**env, e.var: (k, e.key_type)})
                    for k in ir.domain_values(e.key_type)}
        if isinstance(e, ir.RecordLit):
            return {f: self.tree(x, env) for (f, _), x in zip(e.type.fields, e.values)}
        if isinstance(e, ir.Except):
            return self._except(self.tree(e.base, env), self.type_of(e.base, env), e.path,
                                self.tree(e.value, env), env)
        if isinstance(e, ir.Binary) and e.op in ("union", "inter", "minus"):
            a, b = self.tree(e.left, env), self.tree(e.right, env)
            assert isinstance(a, dict) and isinstance(b, dict)
            if e.op == "union":
                return {k: gop("or", a[k], b[k]) for k in a}
            if e.op == "inter":
                return {k: gop("and", a[k], b[k]) for k in a}
            return {k: gop("and", a[k], gop("not", b[k])) for k in a}
        raise GroundError(f"cannot ground expression {type(e).__name__}", e.span)

    def _seq_tree(self, e: ir.Expr, env: dict[str, tuple[int, ir.Type]]) -> object:
        """A sequence operation (or `head` of a sequence of non-scalars)."""
        if isinstance(e, ir.SeqLit):
            return groundseq.literal(self, e, env)
        if isinstance(e, ir.SubSeq):
            st = self.type_of(e.base, env)
            assert isinstance(st, ir.SeqType)
            base = self.tree(e.base, env)
            assert isinstance(base, dict)
            return groundseq.subseq(self, base, self.scalar(e.lo, env),
                                    self.scalar(e.hi, env), st.elem, e.span)
        if isinstance(e, ir.Unary):
            st = self.type_of(e.arg, env)
            assert isinstance(st, ir.SeqType)
            base = self.tree(e.arg, env)
            assert isinstance(base, dict)
            if e.op == "head":
                return groundseq.head(self, base, e.span, _describe(e.arg))
            return groundseq.tail(self, base, st.elem, e.span, _describe(e.arg))
        assert isinstance(e, ir.Binary)
        left = self.tree(e.left, env)
        assert isinstance(left, dict)
        if e.op == "append":
            return groundseq.append(self, left, self.tree(e.right, env), e.span,
                                    _describe(e.left))
        lt = self.type_of(e.left, env)
        right = self.tree(e.right, env)
        assert isinstance(right, dict) and isinstance(lt, ir.SeqType)
        return groundseq.concat(self, left, right, e.span)

    def choose(self, e: ir.Choose, env: dict[str, tuple[int, ir.Type]]) -> object:
        """TLC's CHOOSE: the first value of the domain (in order, inside `within`) whose
        condition holds, as an `if` chain; its conditions are evaluated one by one, like an
        `exists`, and none holding is a `domain` violation."""
        self.check_expansion(e, "choose")
        within = self.tree(e.within, env) if e.within is not None else None
        hits: list[tuple[GExpr, object]] = []
        went_on: list[GExpr] = []
        for k in ir.domain_values(e.domain):
            m: GExpr = TRUE
            if within is not None:
                assert isinstance(within, dict)
                m = as_bool(within[k])
            with self.under(*went_on, m):
                c = self.cond(e.cond, {**env, e.var: (k, e.domain)})
            c = gop("and", m, c)
            hits.append((c, self.tree(ir.ParamRef(e.var), {**env, e.var: (k, e.domain)})))
            went_on.append(gop("not", c))
        found = _or_all([c for c, _ in hits])
        self.need(found, GLit(0), "choose", "a value satisfying the condition", e.span)
        if not hits:
            return GLit(0)
        out = hits[-1][1]
        for c, v in reversed(hits[:-1]):
            out = self._ite_tree(c, v, out)
        return out

    def element(self, x: ir.Expr, env: dict[str, tuple[int, ir.Type]], t: ir.Type
                ) -> tuple[GExpr, GExpr, GExpr]:
        """A set element as its slot number (the value of a scalar, the code of a record),
        the condition that it is a value of the element type t, and the value to report
        when it is not (of a record: its first field outside the field's type)."""
        if not ir.is_product(t):
            v = self.scalar(x, env)
            keys = ir.domain_values(t)
            return v, (self.in_range(v, keys[0], keys[-1]) if keys else FALSE), v
        assert isinstance(t, ir.RecordType)
        tree = self.tree(x, env)
        assert isinstance(tree, dict)
        code: GExpr = GLit(0)
        oks: list[GExpr] = []
        fields: list[GExpr] = []
        for f, ft in t.fields:
            fv = tree[f]
            if fv.sort == "bool":
                fv = gite(fv, GLit(1), GLit(0))
            keys = ir.domain_values(ft)
            oks.append(self.in_range(fv, keys[0], keys[-1]))
            fields.append(fv)
            code = gop("add", gop("mul", code, GLit(ir.domain_size(ft))),
                       gop("sub", fv, GLit(keys[0])))
        bad: GExpr = code
        for ok, fv in reversed(list(zip(oks, fields))):
            bad = gite(ok, bad, fv)
        return code, _and_all(oks), bad

    def check_expansion(self, e: ir.Expr, what: str) -> None:
        """Refuse (MMS405, at `e`) a binder whose expansion would exceed the size budget:
        30 nested quantifiers over bool are 2^30 terms, which no time limit should have to
        catch. The estimate is made before anything is built."""
        n = self.ground_size(e)
        if n > cost.MAX_GROUND_EXPANSION:
            raise SpecError([Diagnostic(
                "MMS405", f"this {what} expands to about {n:,} ground terms (more than "
                f"{cost.MAX_GROUND_EXPANSION:,})", e.span,
                expected="fewer or smaller nested binders (each multiplies by its domain)")],
                dict(self.spec.sources))

    def ground_size(self, e: object) -> int:
        """Estimated ground terms of an IR expression: binders multiply their body by their
        domain size. Memoised by identity (def expansion shares subtrees)."""
        hit = self._sizes.get(id(e))
        if hit is not None and hit[0] is e:
            return hit[1]
        n = 1
        if isinstance(e, ir.Quant):
            n += ir.domain_size(e.domain) * self.ground_size(e.body)
            n += self.ground_size(e.within) if e.within is not None else 0
        elif isinstance(e, (ir.SetComp, ir.Choose)):
            n += ir.domain_size(e.domain) * self.ground_size(e.cond)
        elif isinstance(e, ir.MapLit):
            n += ir.domain_size(e.key_type) * self.ground_size(e.body)
        else:
            for f in fields(e):  # type: ignore[arg-type]
                v = getattr(e, f.name)
                if isinstance(v, tuple):
                    n += sum(self.ground_size(x) for x in v if _is_expr(x))
                elif _is_expr(v):
                    n += self.ground_size(v)
        self._sizes[id(e)] = (e, n)
        return n

    def _lit_tree(self, t: ir.Type, v: ir.Value) -> object:
        if ir.is_scalar(t):
            return GLit(int(v), "bool" if isinstance(t, ir.BoolType) else "int")  # type: ignore
        if isinstance(t, ir.MapType):
            return {k: self._lit_tree(t.value, x)
                    for k, x in zip(ir.domain_values(t.key), v)}  # type: ignore[arg-type]
        if isinstance(t, ir.RecordType):
            return {f: self._lit_tree(ft, x) for (f, ft), x in zip(t.fields, v)}  # type: ignore
        if isinstance(t, ir.SetType):
            return {k: GLit(1 if k in v else 0, "bool")  # type: ignore[operator]
                    for k in ir.domain_values(t.elem)}
        raise TypeError(t)

    def _slot_tree(self, node: object) -> object:
        """The variable (part) `node` as read in the pre-state. Built once per node and
        shared, so reading `m[i]` or updating one entry costs O(1), not O(size of m)."""
        if isinstance(node, int):
            s = self.layout.slots[node]
            if s.values is not None:
                return decode_read(node, s.values)
            return GSlot(node, s.sort)
        hit = self._slot_trees.get(id(node))
        if hit is None:
            cost.tick()
            assert isinstance(node, dict)
            hit = _Tree({k: self._slot_tree(v) for k, v in node.items()})
            hit.origin, hit.touched = node, frozenset()
            self._slot_trees[id(node)] = hit
        return hit

    def _select(self, base: dict[object, object], idx: GExpr, key_t: ir.Type, what: str,
                span: ir.Span) -> object:
        """base[idx]: a case chain over the keys, defined only for idx among them (the
        chain's default is a placeholder; the read's GRead makes the search stop first)."""
        keys = list(ir.domain_values(key_t))
        self.need(self.in_range(idx, keys[0], keys[-1]), idx, what, _show_keys(key_t), span)
        if isinstance(idx, GLit):
            return base.get(idx.value, base[keys[-1]])
        out = base[keys[-1]]
        for k in reversed(keys[:-1]):
            out = self._ite_tree(gop("eq", idx, GLit(k)), base[k], out)
        return out

    def _ite_tree(self, c: GExpr, a: object, b: object) -> object:
        cost.tick()
        if isinstance(a, dict):
            assert isinstance(b, dict)
            return {k: self._ite_tree(c, a[k], b[k]) for k in a}
        return gite(c, a, b)  # type: ignore[arg-type]

    def _except(self, base: object, t: ir.Type, path: tuple[ir.Expr | str, ...], value: object,
                env: dict[str, tuple[int, ir.Type]]) -> object:
        cost.tick()
        if not path:
            return groundseq.fit(self, value, t, self._where)
        if isinstance(t, ir.SeqType):
            assert isinstance(base, dict)
            return groundseq.except_at(self, base, t, path, value, env)
        step, rest = path[0], path[1:]
        assert isinstance(base, dict)
        key: object = step
        if not isinstance(step, str):
            idx = self.scalar(step, env)
            key = idx.value if isinstance(idx, GLit) else None
        if key is not None:  # a fixed field or key: copy the level, replace one entry
            if key not in base:
                return base  # a constant key outside the domain writes nothing
            if isinstance(t, ir.RecordType):
                sub_t = dict(t.fields)[str(key)]
            else:
                assert isinstance(t, ir.MapType)
                sub_t = t.value
            return _Tree.replace(base, key, self._except(base[key], sub_t, rest, value, env))
        assert isinstance(t, ir.MapType)  # a key known only in the state: an ite per entry
        out = {}
        for k, sub in base.items():
            new = self._except(sub, t.value, rest, value, env)
            hit = gop("eq", idx, GLit(k))
            out[k] = self._ite_tree(hit, new, sub)
        return out

    # -- scalars
    def cond(self, e: ir.Expr, env: dict[str, tuple[int, ir.Type]]) -> GExpr:
        return as_bool(self.scalar(e, env))

    def scalar(self, e: ir.Expr, env: dict[str, tuple[int, ir.Type]]) -> GExpr:
        cost.tick()
        if isinstance(e, ir.Lit):
            return GLit(int(e.value), "bool" if isinstance(e.type, ir.BoolType) else "int")  # type: ignore
        if isinstance(e, ir.ParamRef):
            v, t = env[e.name]
            return GLit(v, "bool" if isinstance(t, ir.BoolType) else "int")
        if isinstance(e, (ir.VarRef, ir.Index, ir.Field)):
            r = self.tree(e, env)
            assert not isinstance(r, dict), e
            return r  # type: ignore[return-value]
        if isinstance(e, ir.Ite):
            c = self.cond(e.cond, env)
            with self.under(c):
                a = self.scalar(e.then, env)
            with self.under(gop("not", c)):
                b = self.scalar(e.other, env)
            return gite(c, a, b)
        if isinstance(e, ir.Unary):
            if e.op == "not":
                return gop("not", self.cond(e.arg, env))
            if e.op in ("neg", "bnot"):
                return gop(e.op, self.scalar(e.arg, env))
            if e.op == "len":
                s = self.tree(e.arg, env)
                assert isinstance(s, dict)
                return groundseq.len_of(s)
            if e.op == "head":
                r = self.tree(e, env)
                assert not isinstance(r, dict), e
                return r  # type: ignore[return-value]
            if e.op == "card":
                s = self.tree(e.arg, env)
                assert isinstance(s, dict)
                terms = [gite(as_bool(m), GLit(1), GLit(0)) for m in s.values()]
                return _sum(terms)
            raise GroundError(f"unknown unary op {e.op}", e.span)
        if isinstance(e, ir.Binary):
            op = e.op
            if op in ("and", "or", "implies"):  # lazy: the left guards the right
                a = self.cond(e.left, env)
                with self.under(gop("not", a) if op == "or" else a):
                    b = self.cond(e.right, env)
                return gop(op, a, b)
            if op == "iff":
                return gop(op, self.cond(e.left, env), self.cond(e.right, env))
            if op in ("eq", "ne"):
                lt = self.type_of(e.left, env)
                if ir.is_scalar(lt) or isinstance(lt, ir.IntType):
                    a, b = self.scalar(e.left, env), self.scalar(e.right, env)
                    if a.sort == "bool" or b.sort == "bool":
                        a, b = as_bool(a), as_bool(b)
                        return gop("iff" if op == "eq" else "not", *(
                            (a, b) if op == "eq" else (gop("iff", a, b),)))
                    return gop(op, a, b)
                eq = _tree_eq(self.tree(e.left, env), self.tree(e.right, env))
                return eq if op == "eq" else gop("not", eq)
            if op in ("div", "mod"):
                a, b = self.scalar(e.left, env), self.scalar(e.right, env)
                # LIMITATION: TLC also rejects a negative modulus; here only zero is an
                # error (floor semantics otherwise, as the engines always had)
                iv = self.bounds(b)
                ok = (TRUE if iv and (iv[0] > 0 or iv[1] < 0) else
                      FALSE if iv == (0, 0) else gop("ne", b, GLit(0)))
                where = e.right.span if e.right.span.file != ir.NO_SPAN.file else e.span
                self.need(ok, b, "divisor" if op == "div" else "modulus", "non-zero", where)
                return gop(op, a, b)
            if op in SHIFT_OPS:
                a, b = self.scalar(e.left, env), self.scalar(e.right, env)
                ok = self.in_range(b, 0, ir.MAX_SHIFT)
                where = e.right.span if e.right.span.file != ir.NO_SPAN.file else e.span
                self.need(ok, b, "shift count", f"0..{ir.MAX_SHIFT}", where)
                return gop(op, a, b)
            if op in ("lt", "le", "gt", "ge", "add", "sub", "mul", "min", "max", "band", "bor",
                      "bxor"):
                return gop(op, self.scalar(e.left, env), self.scalar(e.right, env))
            if op == "in":
                s = self.tree(e.right, env)
                assert isinstance(s, dict)
                st = self.type_of(e.right, env)
                if isinstance(st, ir.SetType) and ir.is_product(st.elem):
                    x, ok, _ = self.element(e.left, env, st.elem)
                    if isinstance(x, GLit):
                        return gop("and", ok, as_bool(s[x.value]) if x.value in s else FALSE)
                    return gop("and", ok, _or_all([gop("and", gop("eq", x, GLit(k)),
                                                           as_bool(m)) for k, m in s.items()]))
                x = self.scalar(e.left, env)
                if isinstance(x, GLit):
                    return as_bool(s[x.value]) if x.value in s else FALSE
                return _or_all([gop("and", gop("eq", x, GLit(k)), as_bool(m))
                                for k, m in s.items()])
            if op == "subseteq":
                ta, tb = self.tree(e.left, env), self.tree(e.right, env)
                assert isinstance(ta, dict) and isinstance(tb, dict)
                return _and_all([gop("implies", as_bool(ta[k]), as_bool(tb[k])) for k in ta])
            raise GroundError(f"unknown binary op {op}", e.span)
        if isinstance(e, ir.Choose):
            r = self.choose(e, env)
            assert not isinstance(r, dict), e
            return r  # type: ignore[return-value]
        if isinstance(e, ir.Quant):
            self.check_expansion(e, "quantifier")
            # TLC's order: the instances one by one, stopping at the first that decides;
            # an instance outside `within` is not evaluated at all.
            # LIMITATION: a read in instance k carries the k earlier instances in its
            # condition, so a body that may read outside a domain costs O(k^2) in ground
            # size (a nested-`ite` domain condition would be linear)
            parts: list[GExpr] = []
            went_on: list[GExpr] = []  # what holds when the next instance is evaluated
            within = self.tree(e.within, env) if e.within is not None else None
            for k in ir.domain_values(e.domain):
                m: GExpr = TRUE
                if within is not None:
                    assert isinstance(within, dict)
                    m = as_bool(within[k])
                with self.under(*went_on, m):
                    body = self.cond(e.body, {**env, e.var: (k, e.domain)})
                if within is not None:
                    body = gop("implies", m, body) if e.kind == "forall" else gop("and", m, body)
                parts.append(body)
                went_on.append(body if e.kind == "forall" else gop("not", body))
            return _and_all(parts) if e.kind == "forall" else _or_all(parts)
        raise GroundError(f"expression {type(e).__name__} is not a scalar", e.span)


def _dedupe(reads: list[GRead]) -> tuple[GRead, ...]:
    seen: dict[tuple[GExpr, ir.Span], GRead] = {}
    for r in reads:
        seen.setdefault((r.ok, r.span), r)
    return tuple(seen.values())


def _show_keys(t: ir.Type) -> str:
    if isinstance(t, ir.RecordType):
        return "record { " + ", ".join(f"{f}: {_show_keys(ft)}" for f, ft in t.fields) + " }"
    if isinstance(t, ir.IntType):
        return f"{t.lo}..{t.hi}"
    if isinstance(t, ir.EnumType):
        return t.name
    return "bool"


def _describe(e: ir.Expr) -> str:
    """The map an index reads, as the spec names it: `c`, `s.f`, `m[...]`."""
    if isinstance(e, ir.VarRef):
        return e.name
    if isinstance(e, ir.Field):
        return f"{_describe(e.base)}.{e.name}"
    if isinstance(e, ir.Index):
        return f"{_describe(e.base)}[...]"
    return "a map"


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
    if e.op == "neg":
        return -rs[0][1], -rs[0][0]
    if e.op in ("add", "sub", "mul"):
        (a, b), (c, d) = rs
        if e.op == "add":
            return a + c, b + d
        if e.op == "sub":
            return a - d, b - c
        ps = [a * c, a * d, b * c, b * d]
        return min(ps), max(ps)
    if e.op in ("min", "max"):
        f = min if e.op == "min" else max
        return f(r[0] for r in rs), f(r[1] for r in rs)
    return bit_bounds(e.op, rs)


def bit_bounds(op: str, rs: "list[tuple[int, int]]") -> tuple[int, int] | None:
    """Sound ranges for the bitwise operators given their operands' ranges (shared with the
    vector engine's overflow analysis)."""
    if op == "bnot":
        return ~rs[0][1], ~rs[0][0]
    if op in SHIFT_OPS:
        (a, b), (c, d) = rs
        lo, hi = max(c, 0), min(d, ir.MAX_SHIFT)
        vs = [0] if c < 0 or d > ir.MAX_SHIFT else []  # an undefined count's placeholder
        # x << s and x >> s are monotone in x and in s: the extremes sit at the corners
        vs += [shift(op, x, n) for x in (a, b) for n in (lo, hi) if lo <= hi]
        return min(vs), max(vs)
    if op in ("band", "bor", "bxor"):
        (a, b), (c, d) = rs
        k = max(x.bit_length() if x >= 0 else (~x).bit_length() for x in (a, b, c, d))
        if a >= 0 and c >= 0:  # both non-negative: below 2^k
            if op == "band":
                return 0, min(b, d)
            return (max(a, c) if op == "bor" else 0), (1 << k) - 1
        if op == "band" and (a >= 0 or c >= 0):  # one non-negative: within it
            return 0, (b if a >= 0 else d)
        return -(1 << k), (1 << k) - 1
    return None


_EXPR_NODES = (ir.Lit, ir.VarRef, ir.ParamRef, ir.Index, ir.Field, ir.Unary, ir.Binary,
               ir.Ite, ir.SetLit, ir.SetComp, ir.Quant, ir.MapLit, ir.RecordLit, ir.Except,
               ir.SeqLit, ir.SubSeq, ir.Choose)


def _is_expr(x: object) -> bool:
    return isinstance(x, _EXPR_NODES)


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


def _tree_eq(a: object, b: object) -> GExpr:
    if groundseq.is_seq_tree(a):
        assert isinstance(a, dict) and isinstance(b, dict)
        return groundseq.equal(a, b, _tree_eq)
    if isinstance(a, dict):
        assert isinstance(b, dict)
        return _and_all([_tree_eq(a[k], b[k]) for k in a])
    x, y = cast(GExpr, a), cast(GExpr, b)  # leaves of a value tree are ground expressions
    if x.sort == "bool" or y.sort == "bool":
        return gop("iff", as_bool(x), as_bool(y))
    return gop("eq", x, y)


def _leaf_pairs(slots_node: object, value_tree: object) -> Iterator[tuple[int, GExpr]]:
    if isinstance(slots_node, int):
        yield slots_node, value_tree  # type: ignore[misc]
        return
    assert isinstance(slots_node, dict) and isinstance(value_tree, dict)
    for k in slots_node:
        yield from _leaf_pairs(slots_node[k], value_tree[k])


# --------------------------------------------------------------------------- the pass


def ground(spec: ir.Spec, budget: cost.Budget | None = None) -> GroundSystem:
    """The ground system of `spec`; with a budget its limits apply (phase "grounding")."""
    with cost.active(budget, "grounding"):
        return _ground(spec, budget)


def _ground(spec: ir.Spec, budget: cost.Budget | None) -> GroundSystem:
    layout = _Layout(spec)
    g = _Grounder(spec, layout)
    slots = tuple(layout.slots)
    var_slots = {name: tuple(layout.leaves(node)) for name, node in layout.tree.items()}

    init = _initial_states(spec, var_slots, len(slots), g)
    lock_index, glocks = _ground_locks(spec, layout)

    transitions: list[GTransition] = []
    for ti, t in enumerate(spec.transitions):
        for binding in itertools.product(*[ir.domain_values(p.type) for p in t.params]):
            env = {p.name: (v, p.type) for p, v in zip(t.params, binding)}
            gt = _ground_transition(spec, g, layout, ti, t, env, lock_index)
            if gt is not None:
                transitions.append(gt)

    invariants = tuple(_ground_invariant(g, i) for i in spec.invariants)
    liveness = tuple(GLiveness(lv.name, lv.kind, None if lv.p is None else g.cond(lv.p, {}),
                               g.cond(lv.q, {}), lv.span) for lv in spec.liveness)
    fairness = _ground_fairness(spec, transitions)
    final = g.cond(spec.final, {}) if spec.final is not None else FALSE
    symmetries = _symmetries(spec, slots, layout)
    constraint = state_constraint(g, spec)
    return GroundSystem(spec, slots, init, tuple(transitions), invariants, liveness, fairness,
                        glocks, final, spec.check_deadlock, spec.check_lock_order, symmetries,
                        var_slots, constraint)


def state_constraint(g: "_Grounder", spec: ir.Spec) -> GExpr:
    """The conjunction of the state constraints in the current state (initial states)."""
    parts = []
    for c in spec.constraints:
        if not c.action:
            e, reads = g.reading(c.span, lambda: g.cond(c.expr, {}))
            _refuse_certain(reads)
            parts.append(gop("and", reads_ok(reads), e))
    return _and_all(parts)


def _step_properties(g: "_Grounder", spec: ir.Spec, layout: "_Layout",
                     acc: dict[str, object]) -> tuple[GCheck, ...]:
    """The action properties (`always [A]`) as in-step checks of this step: A over the
    pre-state and the step's post-state, tested whenever the step fires (also when its
    successor is outside a constraint, as TLC checks implied actions)."""
    if not spec.step_properties:
        return ()
    post = {var: _coerce_tree(layout, layout.tree[var], tree) for var, tree in acc.items()}
    out = []
    g.post = post
    try:
        for p in spec.step_properties:
            cond, reads = g.reading(p.span, lambda: g.cond(p.expr, {}))
            out.append(GCheck(cond, p.name, "invariant", "fire", p.span, reads))
    finally:
        g.post = None
    return tuple(out)


def _explore(g: "_Grounder", spec: ir.Spec, layout: "_Layout", acc: dict[str, object]
             ) -> tuple[GExpr, tuple[GRead, ...]]:
    """The constraints on a step's successor as a condition over its pre-state, and the
    partial operations evaluating them performs (checked like the step's updates')."""
    if not spec.constraints:
        return TRUE, ()
    post = {var: _coerce_tree(layout, layout.tree[var], tree) for var, tree in acc.items()}
    parts: list[GExpr] = []
    reads: list[GRead] = []
    g.post = post
    try:
        for c in spec.constraints:
            g.prime_all = not c.action
            e, rs = g.reading(c.span, lambda: g.cond(c.expr, {}))
            parts.append(e)
            reads.extend(rs)
    finally:
        g.post, g.prime_all = None, False
    return _and_all(parts), tuple(reads)


def _outside_invariants(g: "_Grounder", spec: ir.Spec, layout: "_Layout",
                        acc: dict[str, object], explore: GExpr, fire_reads: tuple[GRead, ...],
                        updates: dict[int, GExpr]) -> tuple[GCheck, ...]:
    """The invariants on a successor outside the constraints, as in-step checks: TLC checks
    every invariant on each generated successor that fails CONSTRAINT or ACTION_CONSTRAINT
    (ModelChecker.doNext: such a state is never "seen", so it is checked each time) though
    it neither stores nor explores it. Skipped when the step itself fails first (a read of
    its updates out of its domain, a value out of its range): that is reported instead."""
    if not spec.constraints or not spec.invariants:
        return ()
    ranges = []
    for k, v in updates.items():
        sl = layout.slots[k]
        if sl.values is not None:  # a compact slot: its value among the declared ones
            ranges.append(encode_write(v, sl.values)[1])
        elif not sl.wrap:
            ranges += [gop("le", GLit(sl.lo), v), gop("le", v, GLit(sl.hi))]
    skip = gop("or", explore, gop("not", reads_ok(fire_reads)),
               gop("not", _and_all(ranges)))
    post = {var: _coerce_tree(layout, layout.tree[var], tree) for var, tree in acc.items()}
    out = []
    g.post, g.prime_all = post, True
    try:
        for inv in spec.invariants:
            e, reads = g.reading(inv.span, lambda: g.cond(inv.expr, {}))
            reads = tuple(GRead(gop("or", skip, r.ok), r.value, r.what, r.domain, r.span)
                          for r in reads)
            out.append(GCheck(gop("or", skip, e), inv.name, "invariant", "fire", inv.span,
                              reads))
    finally:
        g.post, g.prime_all = None, False
    return tuple(out)


def _ground_invariant(g: _Grounder, inv: ir.Invariant) -> GInvariant:
    expr, reads = g.reading(inv.span, lambda: g.cond(inv.expr, {}))
    _refuse_certain(reads)
    return GInvariant(inv.name, expr, inv.helper, inv.span, reads)


def _refuse_certain(reads: tuple[GRead, ...], step: str | None = None) -> None:
    """A read out of its domain in every state (no guard protects it) is a spec error."""
    for r in reads:
        if isinstance(r.ok, GLit) and not r.ok.value:
            raise GroundError(describe_read(r, r.value.value if isinstance(r.value, GLit)
                                            else None) + (f" (in {step})" if step else ""),
                              r.span, "MMS320" if r.what in ("divisor", "modulus")
                              else "MMS303")


def describe_read(r: GRead, value: int | None) -> str:
    """`index -1 is outside the map's keys 0..2`, `divisor 0 is not non-zero`, ..."""
    shown = "its value" if value is None else str(value)
    if r.domain == "1..len":
        return f"index {shown} is outside the sequence's domain 1..len ({r.what})"
    if r.what.startswith(("head of", "tail of")):
        return f"{r.what.split(' of ')[0]} of an empty sequence ({r.what})"
    if r.what.startswith(("append to", "concat", "sequence length")):
        return f"sequence length {shown} is not {r.domain} ({r.what})"
    if r.what == "choose":
        return "choose: no value satisfies the condition"
    if r.what == "subseq bounds":
        return f"subseq bounds outside the sequence (needs {r.domain})"
    if r.what.startswith("index"):
        return f"index {shown} is outside the map's keys {r.domain} ({r.what})"
    if r.what.startswith("element"):
        return f"set element {shown} is outside the element type {r.domain}"
    if r.what == "divisor":
        return f"division by {shown}"
    if r.what == "shift count":
        return f"shift by {shown} (the count must be {r.domain})"
    return f"modulo by {shown}"


def _initial_states(spec: ir.Spec, var_slots: dict[str, tuple[int, ...]],
                    width: int, g: "_Grounder") -> "tuple[tuple[int, ...], ...] | InitSpace":
    choices = []
    total = 1
    for v in spec.variables:
        opts = [flatten_value(v.type, x) for x in v.init]
        if not opts:
            raise GroundError(f"variable {v.name} has no initial value", v.span)
        total *= len(opts)
        if total > MAX_INIT_CANDIDATES:
            raise GroundError(f"more than {MAX_INIT_CANDIDATES:,} candidate initial states",
                              v.span, "MMS402")
        choices.append((var_slots[v.name], opts))
    if spec.initial or total > MAX_INIT_STATES:
        parts: list[GExpr] = []
        named: list[tuple[str, GRead]] = []
        for p in spec.initial:
            e, reads = g.reading(p.span, lambda: g.cond(p.expr, {}))
            _refuse_certain(reads)
            # evaluated only where the earlier predicates hold (TLC's Init is one conjunction)
            before = gop("not", _and_all(parts))
            named += [(p.name, GRead(gop("or", before, r.ok), r.value, r.what, r.domain,
                                     r.span)) for r in reads]
            parts.append(gop("and", reads_ok(reads), e))
        span = spec.initial[0].span if spec.initial else ir.NO_SPAN
        return InitSpace(tuple((tuple(s), tuple(tuple(o) for o in opts))
                               for s, opts in choices), width, _and_all(parts), span,
                         tuple(named))
    b = cost.current()
    if b is not None:
        b.check_states(total, "initial states")
    out = []
    for combo in itertools.product(*[opts for _, opts in choices]):
        cost.tick()
        state = [0] * width
        for (idx, _), vals in zip(choices, combo):
            for i, x in zip(idx, vals):
                state[i] = x
        out.append(tuple(state))
    return tuple(out)


def _ground_locks(spec: ir.Spec, layout: _Layout) -> tuple[LockIndex, tuple[GLock, ...]]:
    index: LockIndex = {}
    out: list[GLock] = []
    for lk in spec.locks:
        keys: list[int | None] = ([None] if lk.index_type is None
                                  else list(ir.domain_values(lk.index_type)))
        for k in keys:
            def node(var: str | None) -> object:
                if var is None:
                    return None
                n = layout.tree[var]
                return n if k is None else n[k]  # type: ignore[index]
            owner = node(lk.owner_var)
            readers = node(lk.readers_var)
            waiting = node(lk.waiting_var)
            sub = node(lk.subclass_var)
            name = lk.name if k is None else f"{lk.name}[{_key_name(lk.index_type, k)}]"  # type: ignore[arg-type]
            index[(lk.name, k)] = len(out)
            out.append(GLock(name, lk.name, lk.cls, lk.kind, owner,  # type: ignore[arg-type]
                             tuple(layout.leaves(readers)) if readers is not None else (),
                             waiting,  # type: ignore[arg-type]
                             tuple(layout.leaves(sub)) if sub is not None else ()))
    return index, tuple(out)


def _ground_transition(spec: ir.Spec, g: _Grounder, layout: _Layout, ti: int,
                       t: ir.Transition, env: Env, lock_index: LockIndex) -> GTransition | None:
    guard, reads = g.reading(t.span, lambda: g.cond(t.guard, env))
    if guard == FALSE and not reads:
        return None  # this binding can never fire (e.g. pick ... where false)
    at = guard
    if t.at is not None:
        at_expr = t.at
        at, at_reads = g.reading(t.span, lambda: g.cond(at_expr, env))
        if any(c.when == "reach" for c in t.checks):
            reads = _dedupe(list(reads + at_reads))
    # Updates to one variable accumulate (m'[1] = a and m'[2] = b both land); every value and
    # index is still read in the pre-state, so the updates stay simultaneous.
    acc: dict[str, object] = {}

    def ground_updates() -> None:
        for u in t.updates:
            var, new = _apply_update(g, layout, u, env, acc)
            acc[var] = new
    _, fire_reads = g.reading(t.span, ground_updates)
    explore, explore_reads = _explore(g, spec, layout, acc)
    if explore_reads:
        # evaluating the constraints on the successor is part of firing the step
        fire_reads = _dedupe(list(fire_reads) + list(explore_reads))
    updates: dict[int, GExpr] = {}
    for var, tree in acc.items():
        for slot, value in _changed_leaves(layout, layout.tree[var], tree):
            updates[slot] = value
    checks = tuple(_ground_check(g, c, env, t.span) for c in t.checks) + \
        _step_properties(g, spec, layout, acc) + \
        _outside_invariants(g, spec, layout, acc, explore, fire_reads, updates)
    checks += _encode_compact(layout, updates, t.span)
    thread = None
    if t.thread is not None:
        te = g.scalar(t.thread, env)
        assert isinstance(te, GLit), "thread id must be static per binding"
        thread = te.value

    def lock_id(name: str, idx: ir.Expr | None) -> int:
        k = None
        if idx is not None:
            ke = g.scalar(idx, env)
            if not isinstance(ke, GLit):
                raise GroundError("a lock index must be fixed by the step's parameters",
                                  t.span)
            k = ke.value
        return lock_index[(name, k)]

    acquires = tuple(GAcquire(lock_id(a.lock, a.index), a.mode, a.subclass, a.blocking)
                     for a in t.acquires)
    releases = tuple(lock_id(n, i) for n, i in t.releases)
    binding = tuple((name, v) for name, (v, _) in env.items())
    shown = ", ".join(f"{n}={_show_param(env[n])}" for n, _ in binding)
    if t.process is not None and thread is not None:
        label = f"{spec.threads[thread].name}: {t.label or t.name}"
        if t.fused:  # a step more atomic than the code (MMS350): name what it runs together
            label += f" [fused: {', '.join(t.fused)}]"
    else:
        label = f"{t.name}({shown})" if shown else t.name
    _refuse_certain(reads, label)
    return GTransition(t.name, binding, label, guard, at, tuple(sorted(updates.items())),
                       checks, t.process, t.label, thread, acquires, releases, t.span, ti,
                       reads, fire_reads, explore)


def _encode_compact(layout: _Layout, updates: dict[int, GExpr], span: ir.Span
                    ) -> tuple[GCheck, ...]:
    """Updates of compact slots store an index; a value outside the declared set is a
    `range` violation, checked (like any fire check) before the step's own range errors."""
    out: list[GCheck] = []
    for slot in sorted(updates):
        s = layout.slots[slot]
        if s.values is None:
            continue
        index, member = encode_write(updates[slot], s.values)
        updates[slot] = index
        if member != TRUE:
            shown = ", ".join(map(str, s.values[:8])) + (", ..." if len(s.values) > 8 else "")
            out.append(GCheck(member, f"{s.name} would take a value outside its declared "
                              f"values {{{shown}}}", "range", "fire", span))
    return tuple(out)


def _ground_check(g: _Grounder, c: ir.Check, env: Env, where: ir.Span) -> GCheck:
    cond, reads = g.reading(c.span if c.span.file != ir.NO_SPAN.file else where,
                            lambda: g.cond(c.cond, env))
    return GCheck(cond, c.message, c.kind, c.when, c.span, reads)


def _show_param(vt: tuple[int, ir.Type]) -> str:
    v, t = vt
    if isinstance(t, ir.RecordType):
        return _key_name(t, v)
    return str(display_scalar(t, v)).lower() if isinstance(t, ir.BoolType) else str(
        display_scalar(t, v))


def _apply_update(g: _Grounder, layout: _Layout, u: ir.Update, env: Env,
                  acc: dict[str, object]) -> tuple[str, object]:
    """Ground `target' = value` onto the variable's value so far in this transition."""
    path: list[ir.Expr | str] = []
    target = u.target
    while not isinstance(target, ir.VarRef):
        if isinstance(target, ir.Index):
            path.append(target.index)
            target = target.base
        elif isinstance(target, ir.Field):
            path.append(target.name)
            target = target.base
        else:
            raise GroundError("cannot assign to this expression", u.span)
    path.reverse()
    var = target.name
    current = acc.get(var)
    if current is None:
        current = g._slot_tree(layout.tree[var])
    return var, g._except(current, layout.types[var], tuple(path), g.tree(u.value, env), env)


def _changed_leaves(layout: _Layout, node: object, value: object
                    ) -> Iterator[tuple[int, GExpr]]:
    """(slot, new value) for every slot under `node` whose value is not just itself.

    A `_Tree` that says which keys differ from this node's slot tree is walked only there,
    which keeps updating one entry of a large map O(1) per transition."""
    if isinstance(node, int):
        v = _coerce_tree(layout, node, value)
        vals = layout.slots[node].values
        if v != (GSlot(node, layout.slots[node].sort) if vals is None else
                 decode_read(node, vals)):
            yield node, v  # type: ignore[misc]
        return
    assert isinstance(node, dict) and isinstance(value, dict)
    keys = (value.touched if isinstance(value, _Tree) and value.origin is node
            and value.touched is not None else node.keys())
    for k in keys:
        yield from _changed_leaves(layout, node[k], value[k])


class _Tree(dict):  # type: ignore[type-arg]
    """A grounded map/record/set value that equals the slot tree of the layout node `origin`
    except at the keys in `touched` (origin None: unknown, compare every key)."""

    __slots__ = ("origin", "touched")
    origin: object
    touched: frozenset[object] | None

    @staticmethod
    def replace(base: dict[object, object], key: object, new: object) -> "_Tree":
        out = _Tree(base)
        out[key] = new
        cost.tick(1 + len(base) // 4096)  # the copy is C-speed, but memory all the same
        if isinstance(base, _Tree) and base.touched is not None:
            out.origin, out.touched = base.origin, base.touched | {key}
        else:
            out.origin, out.touched = None, None
        return out


def _coerce_tree(layout: _Layout, node: object, value: object) -> object:
    if isinstance(node, int):
        v = cast(GExpr, value)  # a leaf of a value tree
        if layout.slots[node].sort == "bool":
            return as_bool(v)
        if v.sort == "bool":
            return gite(v, GLit(1), GLit(0))
        return v
    assert isinstance(node, dict) and isinstance(value, dict)
    return {k: _coerce_tree(layout, node[k], value[k]) for k in node}


def _ground_fairness(spec: ir.Spec, ts: list[GTransition]) -> tuple[GFairness, ...]:
    out: list[GFairness] = []
    for f in spec.fairness:
        if f.every or f.group:
            idxs = [i for i, t in enumerate(ts) if f.every or t.name in f.group]
            out.append(GFairness(f.kind, "next" if f.every else " or ".join(f.group),
                                 tuple(idxs)))
        elif f.process is not None:
            by_thread: dict[int | None, list[int]] = {}
            for i, t in enumerate(ts):
                if t.process == f.process:
                    by_thread.setdefault(t.thread, []).append(i)
            for tid, idxs in sorted(by_thread.items(), key=lambda kv: (kv[0] is None, kv[0])):
                name = spec.threads[tid].name if tid is not None else f.process
                out.append(GFairness(f.kind, name, tuple(idxs)))
        elif f.action is not None:
            by_binding: dict[tuple[tuple[str, int], ...], list[int]] = {}
            for i, t in enumerate(ts):
                if t.name == f.action:  # witnesses of one instance are one action
                    hidden = {p.name for p in spec.transitions[t.source].params if p.witness}
                    key = tuple(b for b in t.binding if b[0] not in hidden)
                    by_binding.setdefault(key, []).append(i)
            for b, idxs in by_binding.items():
                out.append(GFairness(f.kind, ts[idxs[0]].label, tuple(idxs)))
    return tuple(out)


def _symmetries(spec: ir.Spec, slots: tuple[Slot, ...], layout: _Layout) -> Symmetries:
    """Permutations induced by every permutation of each symmetric type's values.

    A slot whose path goes through a map keyed by a symmetric type moves; a slot whose value
    has a symmetric type (or is a thread id of a symmetric process set) is relabelled.
    LIMITATION: only symmetric types used as map keys, set elements, values and process
    indices are permuted; the type checker forbids arithmetic and ordering on them.
    """
    if not spec.symmetric:
        return ()
    sym_types: dict[str, list[int]] = {}
    for v in spec.variables:
        _collect_sym_types(v.type, sym_types)
    for name in spec.symmetric:
        sym_types.setdefault(name, [])
    # threads of processes indexed by a symmetric type
    thread_of: dict[tuple[str, int], int] = {(th.process, th.index): th.tid
                                             for th in spec.threads if th.index is not None}
    perms_per_type = []
    for name in spec.symmetric:
        vals = sym_types.get(name) or []
        perms_per_type.append((name, vals, list(itertools.permutations(vals))))
    out = []
    index_by_path = {(s.var, s.path): i for i, s in enumerate(slots)}
    key_types = _path_key_types(spec)
    for combo in itertools.product(*[p for _, _, p in perms_per_type]):
        maps = {name: dict(zip(vals, perm)) for (name, vals, _), perm in
                zip(perms_per_type, combo)}
        if all(all(a == b for a, b in m.items()) for m in maps.values()):
            continue
        tid_map: dict[int, int] = {}
        for th in spec.threads:
            sym = _process_symmetric_type(spec, th.process)
            if sym in maps and th.index is not None:
                tid_map[th.tid] = thread_of[(th.process, maps[sym][th.index])]
        if tid_map:
            maps["@thread"] = {th.tid: tid_map.get(th.tid, th.tid) for th in spec.threads}
        slot_perm = []
        for i, s in enumerate(slots):
            kts = key_types[s.var]
            new_path = tuple(
                maps[kt][p] if (kt in maps and isinstance(p, int)) else p
                for p, kt in zip(s.path, kts + (None,) * (len(s.path) - len(kts))))
            slot_perm.append((index_by_path[(s.var, new_path)], i))
        # new[j] = old[i] where j is the image of i
        perm = [0] * len(slots)
        for j, i in slot_perm:
            perm[j] = i
        value_maps: list[dict[int, int] | None] = []
        for j in range(len(slots)):
            src = slots[perm[j]]
            if src.symmetric in maps:
                value_maps.append(maps[src.symmetric])
            else:
                value_maps.append(None)
        out.append((tuple(perm), tuple(value_maps)))
    return tuple(out)


def _collect_sym_types(t: ir.Type, acc: dict[str, list[int]]) -> None:
    if isinstance(t, ir.IntType) and t.symmetric and t.symmetric != "@thread":
        acc.setdefault(t.symmetric, list(range(t.lo, t.hi + 1)))
    elif isinstance(t, ir.MapType):
        _collect_sym_types(t.key, acc)
        _collect_sym_types(t.value, acc)
    elif isinstance(t, ir.RecordType):
        for _, ft in t.fields:
            _collect_sym_types(ft, acc)
    elif isinstance(t, ir.SetType):
        _collect_sym_types(t.elem, acc)


def _path_key_types(spec: ir.Spec) -> dict[str, tuple[str | None, ...]]:
    """For each variable, the symmetric type name (or None) of each step of a slot path."""
    out: dict[str, tuple[str | None, ...]] = {}
    for v in spec.variables:
        kts: list[str | None] = []
        t = v.type
        while True:
            if isinstance(t, ir.MapType):
                kts.append(t.key.symmetric if isinstance(t.key, ir.IntType) else None)
                t = t.value
            elif isinstance(t, ir.SetType):
                kts.append(t.elem.symmetric if isinstance(t.elem, ir.IntType) else None)
                break
            elif isinstance(t, ir.RecordType):
                # LIMITATION: symmetric keys below a record field are not permuted
                break
            else:
                break
        out[v.name] = tuple(kts)
    return out


def _process_symmetric_type(spec: ir.Spec, process: str) -> str | None:
    for v in spec.variables:
        if v.kind == "pc" and v.process == process and isinstance(v.type, ir.MapType):
            k = v.type.key
            return k.symmetric if isinstance(k, ir.IntType) else None
    return None


from mmspec import groundseq  # noqa: E402  (groundseq builds on the helpers above)
