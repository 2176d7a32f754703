"""A herd7 C litmus test as plain dataclasses (what mmspec/litmus.py parses and
mmspec/litmus_emit.py writes as .mms), the error codes both use, and `LitmusError`."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Union

from mmspec.diagnostics import Diagnostic
from mmspec.ir import Span

# ----------------------------------------------------------------------------- the AST


@dataclass(frozen=True)
class Num:
    value: int
    span: Span = field(compare=False)


@dataclass(frozen=True)
class Name:
    name: str
    span: Span = field(compare=False)


@dataclass(frozen=True)
class Unary:
    op: Literal["*", "&", "!", "-", "void"]
    arg: "Expr"
    span: Span = field(compare=False)


@dataclass(frozen=True)
class Binary:
    op: str  # one of BINARY_OPS
    left: "Expr"
    right: "Expr"
    span: Span = field(compare=False)


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple["Expr", ...]
    span: Span = field(compare=False)


@dataclass(frozen=True)
class Assign:
    target: "Expr"  # a Name (register) or Unary('*', Name) (plain store)
    value: "Expr"
    span: Span = field(compare=False)


Expr = Union[Num, Name, Unary, Binary, Call, Assign]

CType = Literal["int", "spinlock_t", "atomic_t"]


@dataclass(frozen=True)
class Decl:
    """`int r0;`, `int *r0;` or `int a = READ_ONCE(*x);` at the top of a thread body."""
    ctype: CType
    pointer: bool
    name: str
    init: Expr | None
    span: Span = field(compare=False)


@dataclass(frozen=True)
class ExprStmt:
    expr: Expr
    span: Span = field(compare=False)


@dataclass(frozen=True)
class If:
    cond: Expr
    then: tuple["Stmt", ...]
    orelse: tuple["Stmt", ...]
    span: Span = field(compare=False)


Stmt = Union[Decl, ExprStmt, If]


@dataclass(frozen=True)
class Param:
    ctype: CType
    stars: int  # `int *x` 1, `int **p` 2
    name: str
    span: Span = field(compare=False)


@dataclass(frozen=True)
class Thread:
    index: int
    params: tuple[Param, ...]
    body: tuple[Stmt, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True)
class InitLoc:
    """A shared location in the init block: `int x = 1;`, `int *p = &y;`, `atomic_t v;`."""
    ctype: CType
    pointer: bool
    name: str
    value: int | str | None  # an integer, the name of a location (its address), or unset
    span: Span = field(compare=False)


@dataclass(frozen=True)
class InitReg:
    """`0:r0=1;` in the init block: a register's initial value."""
    thread: int
    name: str
    value: int | str
    span: Span = field(compare=False)


@dataclass(frozen=True)
class CondAtom:
    """`0:r0=1`, `x=2`, `1:r0=x` (a location's address), or with `!=`."""
    thread: int | None  # None: a shared location
    name: str
    negated: bool
    value: int | str
    span: Span = field(compare=False)


@dataclass(frozen=True)
class CondBool:
    value: bool
    span: Span = field(compare=False)


@dataclass(frozen=True)
class CondNot:
    arg: "Cond"
    span: Span = field(compare=False)


@dataclass(frozen=True)
class CondOp:
    op: Literal["and", "or"]
    args: tuple["Cond", ...]
    span: Span = field(compare=False)


Cond = Union[CondAtom, CondBool, CondNot, CondOp]

Quantifier = Literal["exists", "~exists", "forall"]
Result = Literal["Never", "Sometimes", "Always"]


@dataclass(frozen=True)
class Test:
    name: str
    result: Result | None  # what the header comment states (`Result: ...`), if anything
    result_text: str | None  # the header's word as written (e.g. DEADLOCK)
    init: tuple[InitLoc | InitReg, ...]
    threads: tuple[Thread, ...]
    filter: Cond | None
    quantifier: Quantifier
    cond: Cond
    path: str
    span: Span = field(compare=False)


# ----------------------------------------------------------------------------- errors

# Codes from the front-end registry (mmspec/errorcodes.py), with the same meanings
E_CHAR = "MMS102"        # unexpected character
E_TOKEN = "MMS103"       # unexpected token
E_EOF = "MMS104"         # unexpected end of file
E_BIGINT = "MMS105"      # integer literal too large
E_NAME = "MMS107"        # a name the .mms language reserves
E_DUP = "MMS201"         # duplicate declaration
E_UNKNOWN = "MMS204"     # unknown name
E_NOPRIM = "MMS207"      # a primitive with no mmspec counterpart
E_NOTHERE = "MMS315"     # a construct not supported here
E_TYPE = "MMS319"        # a C type we do not model

MAX_INT = 2 ** 62
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# .mms keywords (docs/language.md, "Lexical structure"): such a litmus name cannot be emitted
MMS_KEYWORDS = frozenset("""spec const type var ghost def enum map set record bool wrap true
false action when process proc fair weak strong final atomic if then else while await either
or pick in where goto skip assert invariant helper property leadsto eventually always expect
option include symmetric forall exists card self mutex rwsem spinlock writer_pref class with
union inter minus subseteq""".split())


class LitmusError(Exception):
    """One problem in a litmus file, at a span (converted to a SpecError at the boundary)."""

    def __init__(self, code: str, message: str, span: Span, expected: str | None = None,
                 notes: tuple[str, ...] = ()):
        super().__init__(message)
        self.diagnostic = Diagnostic(code, message, span, expected, notes)
