"""The intermediate representation: the one contract between the front-end and every engine.

A spec lowers to a finite transition system. Processes, labels, locks and procedures are gone
by the time a `Spec` exists: they have become transitions over program-counter, local and lock
variables, with enough metadata left behind (`Transition.process/label/thread`, `LockInfo`) for
engines to report deadlocks, lock order and traces in the spec's own terms.

Expressions are structured (maps, records, sets, quantifiers, parameters) so the IR stays
readable when dumped; `mmspec.ground` turns a `Spec` into the scalar `GroundSystem` every engine
actually executes. Everything here is a frozen dataclass; spans are excluded from equality.
"""
from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING, Literal, Union

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, cheaper to create (start-up time)
    from mmspec.nodeclass import dataclass

# The finite types and their run-time domains (mmspec.irtypes), part of this contract too.
from mmspec.irtypes import (BoolType as BoolType, IntType as IntType, EnumType as EnumType,
                            MapType as MapType, RecordType as RecordType, SetType as SetType,
                            SeqType as SeqType, Type as Type, dead_value as dead_value,
                            is_product as is_product, record_code as record_code,
                            record_decode as record_decode, domain_values as domain_values,
                            domain_size as domain_size, in_domain as in_domain,
                            is_scalar as is_scalar, Value as Value)


# --------------------------------------------------------------------------- names
# The kinds, modes and operators that cross module boundaries, as Literal types (style.md 14).
CheckKind = Literal["assertion", "deadlock", "range", "domain", "refcount", "context",
                    "use-after-free", "irq-lock", "null-deref"]  # a Check's violation kind
CheckWhen = Literal["fire", "reach"]
LockMode = Literal["read", "write"]
LockKind = str  # a registered lock kind's name (mmspec/lockkinds.py; the parser validates it)
VarKind = Literal["state", "local", "pc", "lock", "ghost"]
LivenessKind = Literal["leadsto", "eventually", "always_eventually", "eventually_always",
                     "always_step"]
FairnessKind = Literal["weak", "strong"]
QuantKind = Literal["forall", "exists"]
ExpectKind = Literal["invariant", "assertion", "deadlock", "liveness", "lock-order", "range",
                     "domain", "refcount", "context", "use-after-free", "irq-lock",
                     "null-deref"]


@dataclass(frozen=True)
class Span:
    """A source range, 1-based lines and columns; `end_col` is exclusive."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


NO_SPAN = Span("<builtin>", 0, 0, 0, 0)


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, hash=False, repr=False)


# --------------------------------------------------------------------------- expressions


@dataclass(frozen=True)
class Lit:
    value: Value
    type: Type
    span: Span = _span()


@dataclass(frozen=True)
class VarRef:
    """A state variable, read in the current state (`primed`: in the next state, only in
    action constraints and action properties)."""

    name: str
    span: Span = _span()
    primed: bool = False


@dataclass(frozen=True)
class ParamRef:
    """A transition parameter or a bound (quantifier / comprehension) variable."""

    name: str
    span: Span = _span()


@dataclass(frozen=True)
class Index:
    base: "Expr"
    index: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class Field:
    base: "Expr"
    name: str
    span: Span = _span()


# Unary ops: 'not', 'neg', 'card' (set size), 'bnot' (~x == -x - 1, two's complement),
#            'len', 'head', 'tail' (sequences)
# Binary ops: 'and', 'or', 'implies', 'iff', 'eq', 'ne', 'lt', 'le', 'gt', 'ge',
#             'add', 'sub', 'mul', 'div' (floor), 'mod' (floor), 'min', 'max',
#             'in' (elem, set), 'union', 'inter', 'minus', 'subseteq',
#             'append' (seq, elem), 'concat' (seq, seq),
#             'band', 'bor', 'bxor' (on the two's-complement form of unbounded integers),
#             'shl' (a * 2**b), 'shr' (floor(a / 2**b), an arithmetic shift): defined for a
#             shift count 0..MAX_SHIFT only (C's undefined shifts are `domain` violations)
# Each op's arity, typing, value and partiality: the operator table, mmspec/operators.py.
from mmspec.operators import MAX_SHIFT as MAX_SHIFT, OpName as OpName  # noqa: E402
@dataclass(frozen=True)
class Unary:
    op: OpName
    arg: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class Binary:
    op: OpName
    left: "Expr"
    right: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class Ite:
    cond: "Expr"
    then: "Expr"
    other: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class SetLit:
    elem_type: Type
    elems: tuple["Expr", ...]
    span: Span = _span()


@dataclass(frozen=True)
class SeqLit:
    """<<a, b, ...>> as a value of `type` (its capacity comes from where it is used)."""

    type: SeqType
    elems: tuple["Expr", ...]
    span: Span = _span()


@dataclass(frozen=True)
class SubSeq:
    """subseq(s, m, n): <<s[m], ..., s[n]>>, empty when m > n (TLA+'s SubSeq)."""

    base: "Expr"
    lo: "Expr"
    hi: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class SetComp:
    """{ var in domain : cond } over a finite scalar domain."""

    var: str
    domain: Type
    cond: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class Quant:
    """'forall' | 'exists' over a finite scalar domain (type) or over a set expression."""

    kind: QuantKind
    var: str
    domain: Type
    body: "Expr"
    within: "Expr | None" = None  # a set expression restricting the domain, or None
    span: Span = _span()


@dataclass(frozen=True)
class Choose:
    """choose var in domain: cond -- TLC's CHOOSE, deterministic: the least value of the
    domain (in its order; within `within` if given) satisfying cond. None satisfies it:
    a `domain` violation where it is evaluated."""

    var: str
    domain: Type
    cond: "Expr"
    within: "Expr | None" = None
    span: Span = _span()


@dataclass(frozen=True)
class MapLit:
    """[k in key_type |-> body]: a whole map, body may mention `var`."""

    var: str
    key_type: Type
    body: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class RecordLit:
    type: RecordType
    values: tuple["Expr", ...]  # in field order
    span: Span = _span()


@dataclass(frozen=True)
class Except:
    """Functional update: base with [path] = value (path of Index/field steps)."""

    base: "Expr"
    path: tuple[Union["Expr", str], ...]  # Expr = map index, str = record field
    value: "Expr"
    span: Span = _span()


Expr = Union[Lit, VarRef, ParamRef, Index, Field, Unary, Binary, Ite, SetLit, SetComp, Quant,
             MapLit, RecordLit, Except, SeqLit, SubSeq, Choose]


# --------------------------------------------------------------------------- transitions


@dataclass(frozen=True)
class Param:
    name: str
    type: Type  # a scalar type: the transition exists once per value of every parameter
    # a witness of an `exists` in an action's guard (TLC enumerates one successor per
    # witness); fairness still treats the action's instances without it as one
    witness: bool = False


@dataclass(frozen=True)
class Update:
    """target' = value. `target` is VarRef or an Index/Field chain rooted at a VarRef."""

    target: Expr
    value: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Check:
    """An in-step check.

    kind: 'assertion' (spec `assert`, lock misuse such as releasing an unheld lock),
    'deadlock' (a thread acquiring a non-recursive lock it already holds: it would hang) or
    'refcount' (a refcount_t operation the kernel WARNs about: mmspec.kernelapi).
    when: 'fire' checks in the pre-state when the transition fires (guard true);
    'reach' checks whenever `Transition.at` holds, even if the step is blocked.
    """

    cond: Expr
    message: str
    kind: CheckKind = "assertion"
    when: CheckWhen = "fire"
    span: Span = _span()


@dataclass(frozen=True)
class LockAcquire:
    """Lock metadata on a transition that acquires a lock (for lock order and wait-for)."""

    lock: str  # LockInfo.name
    index: Expr | None  # instance index for a lock array, else None
    mode: LockMode  # mutex/spinlock acquire as 'write'
    subclass: int = 0
    blocking: bool = True  # False for trylock


@dataclass(frozen=True)
class Transition:
    """One guarded atomic step: exists once per binding of `params`.

    `at` is the control-location part of the guard (pc == label, plus branch conditions that
    do not block); `guard` is the whole enabling condition and implies `at`. Updates are
    simultaneous: every right-hand side reads the pre-state.
    """

    name: str
    params: tuple[Param, ...]
    guard: Expr
    updates: tuple[Update, ...]
    at: Expr | None = None  # None means same as guard
    checks: tuple[Check, ...] = ()
    process: str | None = None
    label: str | None = None
    thread: Expr | None = None  # expression (over params) giving the thread id, if any
    acquires: tuple[LockAcquire, ...] = ()
    releases: tuple[tuple[str, Expr | None], ...] = ()  # (lock, index)
    span: Span = _span()
    # labels of the source statements this one step runs together (an if/while test and
    # its branch's first statement) when that made it more atomic than the code: the
    # atomicity warning (MMS350); traces name them
    fused: tuple[str, ...] = ()
    waits_on: str | None = None  # a sleeping step: "wait queue wq", "completion c", ...


# --------------------------------------------------------------------------- declarations


@dataclass(frozen=True)
class Variable:
    """A state variable. `init` is the set of allowed initial values (usually one)."""

    name: str
    type: Type
    init: tuple[Value, ...]
    kind: VarKind = "state"
    process: str | None = None  # owning process for locals and pcs
    span: Span = _span()


@dataclass(frozen=True)
class LockInfo:
    """Which variables encode a lock declared in the spec.

    Thread ids are ints 0..T-1; "no owner" is -1. For a lock array every variable below is a
    map over `index_type` and each instance is one lock of the shared class `cls`.
    kind: a registered lock kind (mmspec/lockkinds.py); engines and renderers read the
    shape below instead of the name.
    owner_var: writer / owner thread id (-1 when free).
    readers_var: a kind with a read mode (rwsem) only: set of reader thread ids.
    waiting_var: such a kind with writer preference: count of queued writers.
    subclass_var: map from thread id to the lockdep subclass the thread holds the lock with
    (present only when the spec uses a `*_nested(l, n)` acquire on this lock).
    """

    name: str
    kind: LockKind
    cls: str
    owner_var: str
    readers_var: str | None = None
    waiting_var: str | None = None
    writer_pref: bool = False
    index_type: Type | None = None
    subclass_var: str | None = None
    span: Span = _span()

    @property
    def shared(self) -> bool:
        """The kind has a read mode (a reader set): modes are worth naming ("write-held")."""
        return self.readers_var is not None


@dataclass(frozen=True)
class ThreadInfo:
    tid: int
    process: str
    index: int | None  # the process instance's index value, None for a singleton
    name: str  # display name, e.g. "reader[2]"


@dataclass(frozen=True)
class Invariant:
    name: str
    expr: Expr
    helper: bool = False  # a strengthening invariant for k-induction
    span: Span = _span()


@dataclass(frozen=True)
class Liveness:
    """kind: 'leadsto' (P ~> Q), 'eventually' (<>Q), 'always_eventually' ([]<>Q).

    For 'eventually' and 'always_eventually' `p` is None.
    """

    name: str
    kind: LivenessKind
    p: Expr | None
    q: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Fairness:
    """kind 'weak' | 'strong' over a process (each instance separately) or one action."""

    kind: FairnessKind
    process: str | None = None
    action: str | None = None
    span: Span = _span()
    # one constraint on the union of these actions' steps (every binding), or with `every`
    # on every transition of the spec (TLA+'s WF_vars(A \/ B), WF_vars(Next))
    group: tuple[str, ...] = ()
    every: bool = False


@dataclass(frozen=True)
class Constraint:
    """TLC's CONSTRAINT (`action` False: a predicate on states) or ACTION_CONSTRAINT (on
    steps, may read primed variables). A successor outside a constraint is generated and
    counted but neither stored nor explored; its predecessor is not deadlocked."""

    name: str
    expr: Expr
    action: bool = False
    span: Span = _span()


@dataclass(frozen=True)
class Expectation:
    """What a spec expects. kind None means every property holds.

    kind: 'invariant' | 'assertion' | 'deadlock' | 'liveness' | 'lock-order' | 'range' | 'domain';
    name optionally narrows it to one named property.
    """

    kind: ExpectKind | None
    name: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class ContextInfo:
    """Execution-context metadata (docs/kernel.md) for renderers and violation details:
    which variables hold each thread's context, and what each context check is about."""

    thread_contexts: tuple[str, ...]  # per thread id: 'process' | 'hardirq' | 'softirq'
    thread_cpus: tuple[int | None, ...]  # per thread id: declared cpu(N), or None
    counters: tuple[tuple[str, str], ...]  # (reason: rcu|preempt|irq|bh, map over tids)
    # the locks whose holder is atomic (a kind that spins, mmspec/lockkinds.py):
    # (kind, lock, owner variable, reader-set variable or None)
    atomic_locks: tuple[tuple[str, str, str, str | None], ...]
    pools: tuple[tuple[str, str], ...]  # (pool, state variable)
    handlers: tuple[tuple[str, str], ...]  # (handler process, its 'interrupt arrived' var)
    checks: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # message -> details


@dataclass(frozen=True)
class SpecWarning:
    """A diagnostic that does not stop checking (an error under --strict-atomicity)."""

    code: str
    message: str
    span: Span
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Spec:
    name: str
    file: str
    consts: tuple[tuple[str, int], ...]
    variables: tuple[Variable, ...]
    transitions: tuple[Transition, ...]
    invariants: tuple[Invariant, ...] = ()
    liveness: tuple[Liveness, ...] = ()
    fairness: tuple[Fairness, ...] = ()
    locks: tuple[LockInfo, ...] = ()
    threads: tuple[ThreadInfo, ...] = ()
    final: Expr | None = None  # states where stopping is not a deadlock; None: none allowed
    check_deadlock: bool = True
    check_lock_order: bool = True
    symmetric: tuple[str, ...] = ()  # names of symmetric types (IntType.symmetric)
    expect: Expectation = Expectation(None)
    constraints: tuple[Constraint, ...] = ()
    # initial-state predicates (`initial NAME: expr`): the initial states are the product of
    # the variables' initial values filtered by every one of them
    initial: tuple[Invariant, ...] = ()
    # action properties (`property P: always [A]`, TLA+'s [][A]_v): A, which may read primed
    # variables, holds on every step; grounded into an in-step check of every transition
    step_properties: tuple[Invariant, ...] = ()
    contexts: ContextInfo | None = None
    warnings: tuple[SpecWarning, ...] = field(default=(), compare=False)
    sources: tuple[tuple[str, str], ...] = field(default=(), compare=False, repr=False)

    def variable(self, name: str) -> Variable:
        for v in self.variables:
            if v.name == name:
                return v
        raise KeyError(name)
