"""The ground system: slots, transitions, checks, locks, properties and the initial states, as
`mmspec.ground` hands them to the engines (see that module for how they are built).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Iterator, Union
from mmspec import budget as cost
from mmspec import ir
from mmspec.gexpr import GExpr, TRUE, eval_gexpr, gop, shift


Env = dict[str, tuple[int, "ir.Type"]]  # a bound parameter: (its value, its type)
LockIndex = dict[tuple[str, Union[int, None]], int]  # (IR lock, instance key) -> GLock index
# per permutation: where each slot goes, and how each slot's values are relabelled
Symmetries = tuple[tuple[tuple[int, ...], tuple[Union[dict[int, int], None], ...]], ...]


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
    kind: ir.ExpectKind  # the violation kind (a step property: "invariant")
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


def wrap_value(slot: Slot, v: int) -> int:
    """C-style wrap-around into lo..hi for slots declared with wrap."""
    n = slot.hi - slot.lo + 1
    return slot.lo + (v - slot.lo) % n


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
