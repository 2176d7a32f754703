"""The abstract syntax of `.mms` files: plain frozen dataclasses built by `mmspec.parser`.

Every node carries the source span it came from (lark's `propagate_positions`); spans are
excluded from equality so two parses of the same text compare equal wherever it sits.
Names are plain strings here: resolution happens in `mmspec.resolve`/`mmspec.typecheck`.
"""
from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING, Literal, Union

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, cheaper to create (start-up time)
    from mmspec.nodeclass import dataclass

from mmspec import ir
from mmspec.ir import NO_SPAN, CheckKind, Span


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, hash=False, repr=False, kw_only=True)


# --------------------------------------------------------------------------- expressions


@dataclass(frozen=True)
class Name:
    id: str
    span: Span = _span()


@dataclass(frozen=True)
class IntLit:
    value: int
    span: Span = _span()


@dataclass(frozen=True)
class BoolLit:
    value: bool
    span: Span = _span()


@dataclass(frozen=True)
class SelfRef:
    span: Span = _span()


@dataclass(frozen=True)
class UnaryOp:
    op: str  # 'not' | 'neg'
    arg: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class BinOp:
    op: ir.OpName  # an infix operator of mmspec/operators.py: 'and', 'add', 'eq', 'in', ...
    left: "Expr"
    right: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class IfExpr:
    cond: "Expr"
    then: "Expr"
    other: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple["Expr", ...]
    span: Span = _span()
    func_span: Span = _span()


@dataclass(frozen=True)
class IndexExpr:
    base: "Expr"
    index: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class FieldExpr:
    base: "Expr"
    name: str
    span: Span = _span()


@dataclass(frozen=True)
class AtExpr:
    """`P@label` / `P[i]@label`: the thread is at that step."""

    base: "Expr"
    label: str
    span: Span = _span()
    label_span: Span = _span()


@dataclass(frozen=True)
class Primed:
    """`e'`: e read in the next state (action constraints and action properties only)."""

    base: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class SetLiteral:
    elems: tuple["Expr", ...]
    span: Span = _span()


@dataclass(frozen=True)
class SeqLiteral:
    """<<a, b>>: a sequence (TLA+'s tuple/sequence literal)."""

    elems: tuple["Expr", ...]
    span: Span = _span()


@dataclass(frozen=True)
class SetCompr:
    var: str
    domain: "Domain"
    cond: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class MapLiteral:
    var: str
    domain: "Domain"
    body: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class RecordLiteral:
    fields: tuple[tuple[str, "Expr"], ...]
    span: Span = _span()


@dataclass(frozen=True)
class WithExpr:
    """`base with [i].f = value`: path items are index expressions or field names."""

    base: "Expr"
    path: tuple[Union["Expr", str], ...]
    value: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class QuantExpr:
    kind: ir.QuantKind | Literal["choose"]  # choose: TLC's CHOOSE (an expression)
    var: str
    domain: "Domain"
    body: "Expr"
    span: Span = _span()


Expr = Union[Name, IntLit, BoolLit, SelfRef, UnaryOp, BinOp, IfExpr, Call, IndexExpr, FieldExpr,
             AtExpr, SetLiteral, SeqLiteral, SetCompr, MapLiteral, RecordLiteral, WithExpr,
             QuantExpr, Primed]

# --------------------------------------------------------------------------- types


@dataclass(frozen=True)
class BoolT:
    span: Span = _span()


@dataclass(frozen=True)
class RangeT:
    lo: Expr
    hi: Expr
    wrap: bool = False
    span: Span = _span()
    # `lo..hi values {a, b..c}`: the values it can take (a RangeT item: every value a..b)
    values: tuple[Union[Expr, "RangeT"], ...] | None = None


@dataclass(frozen=True)
class EnumT:
    members: tuple[str, ...]
    span: Span = _span()
    member_spans: tuple[Span, ...] = field(default=(), compare=False, hash=False, repr=False,
                                           kw_only=True)


@dataclass(frozen=True)
class MapT:
    key: "TypeExpr"
    value: "TypeExpr"
    span: Span = _span()


@dataclass(frozen=True)
class SetT:
    elem: "TypeExpr"
    span: Span = _span()


@dataclass(frozen=True)
class SeqT:
    """seq[elem] max cap: a sequence of at most `cap` elements (cap a constant)."""

    elem: "TypeExpr"
    cap: Expr
    span: Span = _span()


@dataclass(frozen=True)
class RecordT:
    fields: tuple[tuple[str, "TypeExpr"], ...]
    span: Span = _span()


@dataclass(frozen=True)
class NamedT:
    name: str
    span: Span = _span()


TypeExpr = Union[BoolT, RangeT, EnumT, MapT, SetT, SeqT, RecordT, NamedT]
# A binder's domain: a type (`Tid`, `1..N`, `bool`) or a set expression (`{1, 3}`, `readers`).
# A bare name parses as an expression and is resolved to a type when it names one.
Domain = Union[TypeExpr, Expr]

# --------------------------------------------------------------------------- statements


@dataclass(frozen=True)
class Assign:
    targets: tuple[Expr, ...]  # Name / IndexExpr / FieldExpr chains
    values: tuple[Expr, ...]
    label: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class CallStmt:
    """A lock operation (`lock(m)`) or a call of a `proc` (inlined)."""

    func: str
    args: tuple[Expr, ...]
    label: str | None = None
    span: Span = _span()
    func_span: Span = _span()


@dataclass(frozen=True)
class Await:
    cond: Expr
    label: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class Assert:
    cond: Expr
    message: str | None = None
    label: str | None = None
    span: Span = _span()
    kind: CheckKind = "assertion"  # 'refcount' for the checks a kernel API call carries


@dataclass(frozen=True)
class Skip:
    label: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class Return:
    """`return [e]` in a proc: ends the proc; `x := f(...)` receives e."""

    value: "Expr | None" = None
    label: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class Goto:
    target: str
    label: str | None = None
    span: Span = _span()
    target_span: Span = _span()


@dataclass(frozen=True)
class If:
    cond: Expr
    then: tuple["Stmt", ...]
    other: tuple["Stmt", ...] | None = None  # `else if` is a one-statement else block
    label: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class While:
    cond: Expr
    body: tuple["Stmt", ...]
    label: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class Either:
    branches: tuple[tuple["Stmt", ...], ...]
    label: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class Pick:
    var: str
    domain: Domain
    cond: Expr | None = None
    label: str | None = None
    span: Span = _span()
    var_span: Span = _span()


@dataclass(frozen=True)
class Atomic:
    body: tuple["Stmt", ...]
    label: str | None = None
    span: Span = _span()
    # the step of a kernel primitive tested by an `if` (`if refcount_dec_and_test(&r)`):
    # the test reads the primitive's own atomic result, so merging it hides no race
    kernel_op: bool = False


@dataclass(frozen=True)
class LocalVar:
    decl: "VarDecl"
    label: str | None = None
    span: Span = _span()


Stmt = Union[Assign, CallStmt, Await, Assert, Skip, Goto, If, While, Either, Pick, Atomic,
             LocalVar, Return]


def blocks_of(st: Stmt) -> list[tuple[Stmt, ...]]:
    """The statement blocks directly inside a compound statement (none for a simple one)."""
    if isinstance(st, If):
        return [st.then] + ([st.other] if st.other is not None else [])
    if isinstance(st, While):
        return [st.body]
    if isinstance(st, Either):
        return list(st.branches)
    if isinstance(st, Atomic):
        return [st.body]
    return []


def sub_statements(st: Stmt) -> list[Stmt]:
    """The statements directly inside a compound statement, block by block."""
    return [s for block in blocks_of(st) for s in block]

# --------------------------------------------------------------------------- declarations


@dataclass(frozen=True)
class SpecName:
    name: str
    span: Span = _span()


@dataclass(frozen=True)
class Include:
    path: str
    span: Span = _span()


@dataclass(frozen=True)
class ConstDecl:
    name: str
    value: Expr
    span: Span = _span()
    name_span: Span = _span()


@dataclass(frozen=True)
class TypeDecl:
    name: str
    type: TypeExpr
    symmetric: bool = False
    span: Span = _span()
    name_span: Span = _span()


@dataclass(frozen=True)
class VarDecl:
    name: str
    type: TypeExpr
    init: Expr | None = None
    init_in: bool = False  # `in S`: one initial state per element
    ghost: bool = False
    span: Span = _span()
    name_span: Span = _span()


@dataclass(frozen=True)
class DefDecl:
    name: str
    params: tuple[str, ...]
    body: Expr
    span: Span = _span()
    name_span: Span = _span()


@dataclass(frozen=True)
class LockDecl:
    kind: ir.LockKind
    name: str
    index: TypeExpr | None = None
    writer_pref: bool = False
    cls: str | None = None
    span: Span = _span()
    name_span: Span = _span()


@dataclass(frozen=True)
class WaitDecl:
    """`waitqueue wq`, `rcuwait w`, `completion c`: what a sleeping thread waits on."""

    kind: str  # 'waitqueue' | 'rcuwait' | 'completion'
    name: str
    span: Span = _span()
    name_span: Span = _span()


@dataclass(frozen=True)
class Binder:
    name: str
    domain: Domain
    span: Span = _span()


@dataclass(frozen=True)
class PrimedAssign:
    name: str
    path: tuple[Union[Expr, str], ...]
    value: Expr
    span: Span = _span()


@dataclass(frozen=True)
class ActionDecl:
    name: str
    params: tuple[Binder, ...]
    guard: Expr | None
    body: tuple[Union[PrimedAssign, "Pick"], ...]  # `pick x in S` binds x for what follows
    fairness: ir.FairnessKind | None = None
    span: Span = _span()
    name_span: Span = _span()


@dataclass(frozen=True)
class FairRef:
    """`fair [weak|strong] action Name` for an action declared elsewhere."""

    kind: ir.FairnessKind
    action: str
    span: Span = _span()
    # `fair weak action A or B`: one constraint on the union of A's and B's steps (TLA+'s
    # WF_vars(A \/ B)); `fair weak next`: on every step of the spec (WF_vars(Next))
    group: tuple[str, ...] = ()
    next: bool = False


@dataclass(frozen=True)
class ProcessDecl:
    name: str
    param: Binder | None
    body: tuple[Stmt, ...]
    fairness: ir.FairnessKind | None = None
    final: tuple[str, ...] = ()
    span: Span = _span()
    name_span: Span = _span()
    context: str = "process"  # 'process' | 'hardirq' | 'softirq' (docs/kernel.md)
    cpu: "Expr | None" = field(default=None, kw_only=True)  # `cpu(N)`: the CPU it runs on
    final_spans: tuple[Span, ...] = field(default=(), compare=False, hash=False, repr=False,
                                          kw_only=True)


@dataclass(frozen=True)
class ProcDecl:
    name: str
    params: tuple[str, ...]
    body: tuple[Stmt, ...]
    span: Span = _span()
    name_span: Span = _span()
    refs: tuple[bool, ...] = ()  # per parameter: declared `&p` (by reference)


@dataclass(frozen=True)
class InvariantDecl:
    name: str
    expr: Expr
    helper: bool = False
    span: Span = _span()
    name_span: Span = _span()


@dataclass(frozen=True)
class PropertyDecl:
    name: str
    # 'leadsto' | 'eventually' | 'always_eventually' | 'eventually_always' | 'always_step'
    # (`always [A]`, TLA+'s [][A]_vars: every step satisfies A, which may read x')
    kind: ir.LivenessKind
    p: Expr | None
    q: Expr
    span: Span = _span()
    name_span: Span = _span()
    # `forall a in S: ...` around the body: one property per binding (name and domain)
    binders: tuple[tuple[str, "Domain"], ...] = ()


@dataclass(frozen=True)
class ConstraintDecl:
    """`constraint NAME: expr` (TLC's CONSTRAINT) or `action_constraint NAME: expr`
    (ACTION_CONSTRAINT, may read primed variables)."""

    name: str
    expr: Expr
    action: bool = False
    span: Span = _span()
    name_span: Span = _span()


@dataclass(frozen=True)
class InitialDecl:
    """`initial NAME: expr`: an initial-state predicate (TLA+'s Init), conjoined with the
    variables' declared initial values."""

    name: str
    expr: Expr
    span: Span = _span()
    name_span: Span = _span()


@dataclass(frozen=True)
class OptionDecl:
    name: str
    value: Expr
    span: Span = _span()


@dataclass(frozen=True)
class ExpectDecl:
    """`expect KIND [NAME] [when COND]`; COND (over constants) selects it after -D."""

    kind: ir.ExpectKind | Literal["ok"]
    name: str | None = None
    span: Span = _span()
    when: Expr | None = None


@dataclass(frozen=True)
class ObjectsDecl:
    """`objects NAME[COUNT] [live K] [typesafe_by_rcu]`: a pool of COUNT objects with a
    lifetime, objects 1..K live from the start; NAME is also the type 0..COUNT of references
    to them (0 is NULL)."""

    name: str
    count: Expr
    typesafe: bool = False
    span: Span = _span()
    name_span: Span = _span()
    live: Expr | None = None


Decl = Union[SpecName, Include, ConstDecl, TypeDecl, VarDecl, DefDecl, LockDecl, ActionDecl,
             WaitDecl, FairRef, ProcessDecl, ProcDecl, InvariantDecl, PropertyDecl, OptionDecl,
             ExpectDecl, ConstraintDecl, InitialDecl, ObjectsDecl]


@dataclass(frozen=True)
class SpecFile:
    file: str
    decls: tuple[Decl, ...]
    span: Span = _span()
