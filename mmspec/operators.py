"""The operator table: every operator of the IR and of ground expressions, in one place.

One frozen `Operator` per name says what every stage needs to know about it: its arity, how it
is written (surface symbol or call name, precedence, associativity, the grammar rule that
produces it), its typing rule, its exact value over Python values, when it is defined
(partiality: a zero divisor, a shift count outside 0..MAX_SHIFT is a `domain` read condition),
and a sound value range from its operands' ranges. The type checker, constant evaluation,
grounding, the reference evaluator (`mmspec.gexpr.eval_gexpr`), the parser's chain handling,
liveness and query evaluation read these entries instead of keeping their own copies.

Engine forms. The front-end cannot import numpy or z3, and generic forms written over Python
operators would not keep the semantics exact: z3's Int `/` is Euclidean, not floor division;
numpy's `&` on bool arrays is logical but `~` on an int is bitwise; a zero divisor or an
out-of-range shift count must give the placeholder 0 everywhere; and the explicit engine
specialises the text it generates (a literal shift count needs no range test). So each engine
keeps one form table keyed by `OpName` next to its code generator: `PY_FORMS`
(checker/explicit/pyexpr.py), `NP_FORMS` (checker/vector/codegen.py), `KERNEL_FORMS`
(checker/npops.py: the vector kernels and the vectorised initial-state search), `Z3_FORMS`
(checker/symbolic/zexpr.py). tests/test_operators.py checks that each covers exactly the
ground operators of this table, so an operator added here without its engine forms fails a
test rather than a run. `register` adds an operator at run time (tests/test_operators.py
adds a toy one through the checklist in docs/architecture.md).

Bounds: `bounds` is the exact rule the grounder, the explicit and vector engines' range-check
elision and the overflow analyses share; where an engine knows more it adds to it rather than
copying it (the solvers' tighter div/mod and infinities in checker/symbolic/zexpr.py, the
vector engine's total div/mod in checker/vector/bounds.py, a literal modulus and unbounded
sides in checker/explicit/pyexpr.py).
LIMITATION: the grammar still spells each infix operator's rule (mmspec/grammar.lark); the
table names that rule (`rule`) rather than generating the grammar.
"""
from __future__ import annotations

import operator as _py
from typing import TYPE_CHECKING, Any, Callable, Literal, Mapping, Sequence, cast

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, cheaper to create (start-up time)
    from mmspec.nodeclass import dataclass

MAX_SHIFT = 62  # shift counts 0..MAX_SHIFT only (C's undefined shifts are `domain` violations)

OpName = Literal[
    "not", "and", "or", "implies", "iff",  # logic
    "eq", "ne", "lt", "le", "gt", "ge",  # comparison
    "neg", "add", "sub", "mul", "div", "mod", "min", "max",  # arithmetic
    "bnot", "band", "bor", "bxor", "shl", "shr",  # bits
    "in", "union", "inter", "minus", "subseteq", "card",  # sets
    "len", "head", "tail", "append", "concat",  # sequences
]

# The typing rules (what the operands must be, what the result is):
#   logic     bool x bool -> bool          equality  T x T -> bool (T assignable either way)
#   order     int x int -> bool            arith     int x int -> int (or int -> int)
#   ordered   int x int -> int, operands ordered (min, max: not on symmetric values)
#   member    T x set[T] -> bool           setop     set[T] x set[T] -> set[T]
#   subset    set[T] x set[T] -> bool      card      set[T] -> int
#   seq       sequence functions (mmspec/seqcheck.py types them)
Typing = Literal["logic", "equality", "order", "ordered", "arith", "member", "setop",
                 "subset", "card", "seq"]
Sort = Literal["int", "bool"]
Syntax = Literal["infix", "prefix", "call"]
Assoc = Literal["left", "right", "none"]
# what makes it undefined: a zero right operand, a right operand outside 0..MAX_SHIFT
Partial = Literal["divisor", "shift"]
Interval = tuple[int, int]
BoundsRule = Callable[[Sequence[Interval]], "Interval | None"]


@dataclass(frozen=True)
class Operator:
    """One operator. `fn` computes its value over Python values (ints for scalars, 0/1 for
    bools; frozensets for sets) with the placeholder 0 where `defined` is false; `lazy`
    operators (and, or, implies) decide from their left operand when it equals `decides`,
    giving `lazy_value`. `variadic`: ground expressions may apply it to more than `arity`
    operands (and, or, min, max). `ground`: it appears in ground expressions (`GOp`), so
    every engine has a form for it; `sort` is then its result's sort there."""

    name: OpName
    arity: int
    symbol: str  # surface spelling: '+', 'union', or the call name 'min'
    syntax: Syntax
    precedence: int  # binding strength, higher binds tighter (mmspec/grammar.lark); calls: 99
    assoc: Assoc
    typing: Typing
    sort: Sort = "int"
    fn: Callable[..., Any] | None = None
    rule: str = ""  # the grammar rule alias that builds it (infix/prefix only)
    associative: bool = False  # a long flat chain may be rebalanced (the parser)
    variadic: bool = False
    lazy: bool = False
    decides: bool = False
    lazy_value: int = 0
    partial: Partial | None = None
    bounds: BoundsRule | None = None
    ground: bool = True

    def defined(self, args: Sequence[Any]) -> bool:
        """Whether the operator is defined on these operand values."""
        if self.partial == "divisor":
            return bool(args[1] != 0)
        if self.partial == "shift":
            return bool(0 <= args[1] <= MAX_SHIFT)
        return True

    def apply(self, *args: Any) -> Any:
        """The value on these operands (the placeholder 0 where undefined)."""
        assert self.fn is not None, self.name
        return self.fn(*args)


# --------------------------------------------------------------------------- values


def shift(op: str, a: int, b: int) -> int:
    """a << b / a >> b on unbounded integers; 0 for a count outside 0..MAX_SHIFT (a `domain`
    violation every engine reports before it looks at the value)."""
    if not 0 <= b <= MAX_SHIFT:
        return 0
    return a << b if op == "shl" else a >> b


def _div(a: int, b: int) -> int:
    return a // b if b else 0  # floor division; x / 0 is the placeholder 0


def _mod(a: int, b: int) -> int:
    return a % b if b else 0  # floor modulo (the divisor's sign); x % 0 is 0


def _shl(a: int, b: int) -> int:
    return shift("shl", a, b)


def _shr(a: int, b: int) -> int:
    return shift("shr", a, b)


# --------------------------------------------------------------------------- bounds


def _neg_bounds(rs: Sequence[Interval]) -> Interval:
    return -rs[0][1], -rs[0][0]


def _add_bounds(rs: Sequence[Interval]) -> Interval:
    (a, b), (c, d) = rs
    return a + c, b + d


def _sub_bounds(rs: Sequence[Interval]) -> Interval:
    (a, b), (c, d) = rs
    return a - d, b - c


def _mul_bounds(rs: Sequence[Interval]) -> Interval:
    (a, b), (c, d) = rs
    ps = [a * c, a * d, b * c, b * d]
    return min(ps), max(ps)


def _min_bounds(rs: Sequence[Interval]) -> Interval:
    return min(r[0] for r in rs), min(r[1] for r in rs)


def _max_bounds(rs: Sequence[Interval]) -> Interval:
    return max(r[0] for r in rs), max(r[1] for r in rs)


def _bnot_bounds(rs: Sequence[Interval]) -> Interval:
    return ~rs[0][1], ~rs[0][0]


def _shift_bounds(op: str) -> BoundsRule:
    def rule(rs: Sequence[Interval]) -> Interval:
        (a, b), (c, d) = rs
        lo, hi = max(c, 0), min(d, MAX_SHIFT)
        vs = [0] if c < 0 or d > MAX_SHIFT else []  # an undefined count's placeholder
        # x << s and x >> s are monotone in x and in s: the extremes sit at the corners
        vs += [shift(op, x, n) for x in (a, b) for n in (lo, hi) if lo <= hi]
        return min(vs), max(vs)
    return rule


def _bitwise_bounds(op: str) -> BoundsRule:
    def rule(rs: Sequence[Interval]) -> Interval:
        (a, b), (c, d) = rs
        k = max(x.bit_length() if x >= 0 else (~x).bit_length() for x in (a, b, c, d))
        if a >= 0 and c >= 0:  # both non-negative: below 2^k
            if op == "band":
                return 0, min(b, d)
            return (max(a, c) if op == "bor" else 0), (1 << k) - 1
        if op == "band" and (a >= 0 or c >= 0):  # one non-negative: within it
            return 0, (b if a >= 0 else d)
        return -(1 << k), (1 << k) - 1
    return rule


# --------------------------------------------------------------------------- the table

_CALL = 99  # precedence of a call form: an atom


def _logic(name: OpName, symbol: str, prec: int, assoc: Assoc, fn: Callable[..., int],
           rule: str, **kw: Any) -> Operator:
    return Operator(name, 1 if name == "not" else 2, symbol, "prefix" if name == "not"
                    else "infix", prec, assoc, "logic", "bool", fn, rule, **kw)


def _cmp(name: OpName, symbol: str, typing: Typing, fn: Callable[..., int]) -> Operator:
    return Operator(name, 2, symbol, "infix", 8, "none", typing, "bool", fn, name)


def _arith(name: OpName, symbol: str, prec: int, fn: Callable[..., int],
           bounds: BoundsRule | None, **kw: Any) -> Operator:
    return Operator(name, 2, symbol, "infix", prec, "left", "arith", "int", fn, name,
                    bounds=bounds, **kw)


def _set(name: OpName, symbol: str, typing: Typing, fn: Callable[..., Any],
         rule: str = "") -> Operator:
    return Operator(name, 2, symbol, "infix", 9 if typing == "setop" else 8,
                    "left" if typing == "setop" else "none", typing, "int", fn,
                    rule or name, associative=name in ("union", "inter"), ground=False)


def _call(name: OpName, arity: int, typing: Typing, fn: Callable[..., Any] | None = None
          ) -> Operator:
    return Operator(name, arity, name, "call", _CALL, "none", typing, "int", fn, ground=False)


_TABLE: tuple[Operator, ...] = (
    _logic("not", "!", 4, "none", lambda a: int(not a), "not_"),
    _logic("and", "&&", 3, "left", lambda a, b: int(bool(a) and bool(b)), "and_",
           associative=True, variadic=True, lazy=True, decides=False, lazy_value=0),
    _logic("or", "||", 2, "left", lambda a, b: int(bool(a) or bool(b)), "or_",
           associative=True, variadic=True, lazy=True, decides=True, lazy_value=1),
    _logic("implies", "=>", 1, "right", lambda a, b: int((not a) or bool(b)), "implies",
           lazy=True, decides=False, lazy_value=1),
    _logic("iff", "<=>", 1, "none", lambda a, b: int(bool(a) == bool(b)), "iff"),
    _cmp("eq", "==", "equality", lambda a, b: int(a == b)),
    _cmp("ne", "!=", "equality", lambda a, b: int(a != b)),
    _cmp("lt", "<", "order", lambda a, b: int(a < b)),
    _cmp("le", "<=", "order", lambda a, b: int(a <= b)),
    _cmp("gt", ">", "order", lambda a, b: int(a > b)),
    _cmp("ge", ">=", "order", lambda a, b: int(a >= b)),
    Operator("neg", 1, "-", "prefix", 13, "none", "arith", "int", _py.neg, "neg",
             bounds=_neg_bounds),
    _arith("add", "+", 11, _py.add, _add_bounds, associative=True),
    _arith("sub", "-", 11, _py.sub, _sub_bounds),
    _arith("mul", "*", 12, _py.mul, _mul_bounds, associative=True),
    _arith("div", "/", 12, _div, None, partial="divisor"),
    _arith("mod", "%", 12, _mod, None, partial="divisor"),
    Operator("min", 2, "min", "call", _CALL, "none", "ordered", "int", min, variadic=True,
             bounds=_min_bounds),
    Operator("max", 2, "max", "call", _CALL, "none", "ordered", "int", max, variadic=True,
             bounds=_max_bounds),
    Operator("bnot", 1, "~", "prefix", 13, "none", "arith", "int", _py.invert, "bnot",
             bounds=_bnot_bounds),
    _arith("band", "&", 7, _py.and_, _bitwise_bounds("band"), associative=True),
    _arith("bor", "|", 5, _py.or_, _bitwise_bounds("bor"), associative=True),
    _arith("bxor", "^", 6, _py.xor, _bitwise_bounds("bxor"), associative=True),
    _arith("shl", "<<", 10, _shl, _shift_bounds("shl"), partial="shift"),
    _arith("shr", ">>", 10, _shr, _shift_bounds("shr"), partial="shift"),
    _set("in", "in", "member", lambda a, b: int(a in b), "in_"),
    _set("union", "union", "setop", _py.or_),
    _set("inter", "inter", "setop", _py.and_),
    _set("minus", "minus", "setop", _py.sub),
    _set("subseteq", "subseteq", "subset", lambda a, b: int(a <= b)),
    _call("card", 1, "card", len),
    _call("len", 1, "seq", len), _call("head", 1, "seq"), _call("tail", 1, "seq"),
    _call("append", 2, "seq"), _call("concat", 2, "seq"),
)

OPERATORS: dict[str, Operator] = {o.name: o for o in _TABLE}


def get(name: str) -> Operator:
    """The entry for an operator name (KeyError for a name that is none)."""
    return OPERATORS[name]


def op_name(name: str) -> OpName:
    """`name` as an `OpName`, checked against the table (for names read from text)."""
    if name not in OPERATORS:
        raise KeyError(f"unknown operator {name!r}")
    return cast(OpName, name)


def register(op: Operator) -> None:
    """Add an operator (an extension or a test's toy one); `unregister` removes it."""
    if op.name in OPERATORS:
        raise ValueError(f"operator {op.name!r} already exists")
    OPERATORS[op.name] = op


def unregister(name: str) -> None:
    del OPERATORS[name]


def ground_ops() -> frozenset[str]:
    """The operators of ground expressions: those every engine has a form for."""
    return frozenset(n for n, o in OPERATORS.items() if o.ground)


def sort_of(name: str) -> Sort:
    """The sort of a ground operator's result (unknown names are int-sorted)."""
    o = OPERATORS.get(name)
    return "int" if o is None else o.sort


def symbol(name: str) -> str:
    """How the operator is written ('+', '&&', 'min'); the name itself if unknown."""
    o = OPERATORS.get(name)
    return name if o is None else o.symbol


def by_rule() -> Mapping[str, Operator]:
    """Infix and prefix operators by the grammar rule alias that builds them."""
    return {o.rule: o for o in OPERATORS.values() if o.rule}


def by_call(name: str) -> Operator | None:
    """The scalar operator written as a call `name(a, b)` (min, max), if any."""
    o = OPERATORS.get(name)
    return o if o is not None and o.syntax == "call" and o.typing in ("ordered", "arith") \
        else None


def bounds(name: str, rs: Sequence[Interval]) -> Interval | None:
    """A sound range of the operator's value given its operands' ranges (None: unknown)."""
    o = OPERATORS.get(name)
    return None if o is None or o.bounds is None else o.bounds(rs)


def evaluate(name: str, args: Sequence[Any]) -> Any:
    """The value of a strict application (the placeholder 0 where undefined)."""
    return OPERATORS[name].apply(*args)
