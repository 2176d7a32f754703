"""Types and expressions: AST expressions become typed IR expressions.

`Elaborator` resolves every name (constants fold to literals, enum members to their index,
locals of the current process to its per-thread variables, `def`s expand in place), checks
types (bool vs int vs enum vs map/set/record, index types, symmetric types used only for
equality), and reports every error it finds to the sink instead of stopping at the first:
an erroneous subexpression gets the type `ERR`, which is compatible with everything, so one
mistake does not cascade into a dozen.
"""
from __future__ import annotations

from dataclasses import field, replace
from typing import TYPE_CHECKING, Callable, Mapping, Union

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, cheaper to create (start-up time)
    from mmspec.nodeclass import dataclass

from mmspec.primes import prime_vars
from mmspec import budget as cost
from mmspec import ir
from mmspec.lockops import MAX_THREADS
from mmspec.memops import PRIMS
from mmspec import syntax as S
from mmspec.consteval import DivByZero, NotConstant, evaluate
from mmspec.diagnostics import Diagnostic, Sink, SpecError, did_you_mean
from mmspec.kernelapi import OPS as kernel_ops
from mmspec.resolve import Symbols
from mmspec import seqcheck
from mmspec.symexec import SymState

MAX_INT = 2 ** 62
INT = ir.IntType(-MAX_INT, MAX_INT)
BOOL = ir.BoolType()
MAX_DOMAIN = 4096  # values of one key/element type
MAX_SLOTS = 1_000_000


class ErrType:
    """The type of an expression that already produced an error (compatible with all)."""

    def __repr__(self) -> str:
        return "ERR"


ERR = ErrType()
AnyType = Union[ir.Type, ErrType]


@dataclass(frozen=True)
class TE:
    expr: ir.Expr
    type: AnyType


def show_type(t: AnyType) -> str:
    if isinstance(t, ErrType):
        return "?"
    if isinstance(t, ir.BoolType):
        return "bool"
    if isinstance(t, ir.IntType):
        if t.symmetric == "@thread":
            return "thread id"
        if t.symmetric:
            return t.symmetric
        if t == INT:
            return "int"
        if t.values is not None:
            shown = ", ".join(map(str, t.values[:6])) + (", ..." if len(t.values) > 6 else "")
            return f"{t.lo}..{t.hi} values {{{shown}}}"
        return f"{'wrap ' if t.wrap else ''}{t.lo}..{t.hi}"
    if isinstance(t, ir.EnumType):
        return t.name
    if isinstance(t, ir.MapType):
        return f"map[{show_type(t.key)}] {show_type(t.value)}"
    if isinstance(t, ir.SetType):
        return f"set[{show_type(t.elem)}]"
    if isinstance(t, ir.SeqType):
        return f"seq[{show_type(t.elem)}] max {t.cap}"
    if isinstance(t, ir.RecordType):
        return "record { " + ", ".join(f"{f}: {show_type(ft)}" for f, ft in t.fields) + " }"
    return str(t)


def kind_word(t: AnyType) -> str:
    if isinstance(t, ir.BoolType):
        return "bool"
    if isinstance(t, ir.IntType):
        return "int"
    if isinstance(t, ir.EnumType):
        return "enum"
    if isinstance(t, ir.MapType):
        return "map"
    if isinstance(t, ir.SetType):
        return "set"
    if isinstance(t, ir.SeqType):
        return "sequence"
    if isinstance(t, ir.RecordType):
        return "record"
    return "?"


def same_domain(a: ir.Type, b: ir.Type) -> bool:
    """Key/element types that ground to the same slots."""
    if isinstance(a, ir.IntType) and isinstance(b, ir.IntType):
        return (a.lo, a.hi) == (b.lo, b.hi)
    return a == b


def assignable(src: AnyType, dst: AnyType) -> bool:
    """May a value of type src be stored where dst is expected (ranges checked at run time)?"""
    if isinstance(src, ErrType) or isinstance(dst, ErrType):
        return True
    if isinstance(dst, ir.BoolType):
        return isinstance(src, ir.BoolType)
    if isinstance(dst, ir.IntType):
        if not isinstance(src, ir.IntType):
            return False
        if dst.symmetric and src.symmetric and dst.symmetric != src.symmetric:
            return False
        return True
    if isinstance(dst, ir.EnumType):
        return src == dst
    if isinstance(dst, ir.MapType):
        return (isinstance(src, ir.MapType) and same_domain(src.key, dst.key)
                and assignable(src.value, dst.value))
    if isinstance(dst, ir.SetType):
        return isinstance(src, ir.SetType) and same_domain(src.elem, dst.elem)
    if isinstance(dst, ir.SeqType):  # capacities may differ: grounding fits one to the other
        return isinstance(src, ir.SeqType) and assignable(src.elem, dst.elem)
    if isinstance(dst, ir.RecordType):
        return (isinstance(src, ir.RecordType) and [f for f, _ in src.fields] ==
                [f for f, _ in dst.fields] and all(assignable(a, b) for (_, a), (_, b)
                                                   in zip(src.fields, dst.fields)))
    return False


def zero_value(t: ir.Type) -> ir.Value:
    """The default initial value: false, lo, the first member, {}, zeros throughout."""
    if isinstance(t, ir.BoolType):
        return 0
    if isinstance(t, ir.IntType):
        if t.values is not None:  # a compact domain: 0 if declared, else the smallest
            return 0 if 0 in t.values else t.values[0]
        return 0 if t.lo <= 0 <= t.hi else t.lo
    if isinstance(t, ir.EnumType):
        return 0
    if isinstance(t, ir.MapType):
        return tuple(zero_value(t.value) for _ in ir.domain_values(t.key))
    if isinstance(t, ir.RecordType):
        return tuple(zero_value(ft) for _, ft in t.fields)
    if isinstance(t, ir.SetType):
        return frozenset()
    if isinstance(t, ir.SeqType):
        return ()
    raise TypeError(t)


def slot_count(t: ir.Type) -> int:
    if ir.is_scalar(t):
        return 1
    if isinstance(t, ir.MapType):
        return ir.domain_size(t.key) * slot_count(t.value)
    if isinstance(t, ir.SetType):
        return ir.domain_size(t.elem)
    if isinstance(t, ir.RecordType):
        return sum(slot_count(ft) for _, ft in t.fields)
    if isinstance(t, ir.SeqType):
        return 1 + t.cap * slot_count(t.elem)
    return 1


def lit(v: int, t: ir.Type, span: ir.Span = ir.NO_SPAN) -> ir.Lit:
    return ir.Lit(v, t, span)


def int_lit(v: int, span: ir.Span = ir.NO_SPAN) -> ir.Lit:
    return ir.Lit(v, ir.IntType(v, v), span)


TRUE = ir.Lit(1, BOOL)
FALSE = ir.Lit(0, BOOL)


def conj(parts: list[ir.Expr]) -> ir.Expr:
    parts = [p for p in parts if p != TRUE]
    if not parts:
        return TRUE
    out = parts[0]
    for p in parts[1:]:
        out = ir.Binary("and", out, p)
    return out


def index_of(base: ir.Expr, idx: ir.Expr, span: ir.Span = ir.NO_SPAN) -> ir.Expr:
    """base[idx], simplified when base is a functional update at the same (static) key, so
    that reading back a value written earlier in the same atomic step stays readable."""
    while isinstance(base, ir.Except) and base.path and not isinstance(base.path[0], str):
        k = base.path[0]
        if k == idx:
            rest = base.path[1:]
            inner = ir.Index(base.base, idx, span)
            return base.value if not rest else ir.Except(inner, rest, base.value)
        if isinstance(k, ir.Lit) and isinstance(idx, ir.Lit):
            base = base.base  # a different literal key: the update does not matter
            continue
        break
    return ir.Index(base, idx, span)


def neg(e: ir.Expr) -> ir.Expr:
    if isinstance(e, ir.Unary) and e.op == "not":
        return e.arg
    return ir.Unary("not", e, getattr(e, "span", ir.NO_SPAN))


# --------------------------------------------------------------------------- context


@dataclass(frozen=True)
class LockRef:
    """A declared lock and the variables that encode it (filled in by the lowering)."""

    name: str
    kind: str
    writer_pref: bool
    index_type: ir.Type | None
    owner_var: str
    readers_var: str | None
    waiting_var: str | None
    sub_var: str | None
    max_sub: int
    span: ir.Span


@dataclass
class ProcessInfo:
    """What expressions need to know about a process: its threads, locals and labels."""

    name: str
    param: str | None  # the declared index name (`r` in `reader[r in Tid]`)
    param_type: ir.Type | None
    base_tid: int
    count: int
    locals: dict[str, tuple[str, ir.Type]] = field(default_factory=dict)
    labels: tuple[str, ...] = ()  # pc values except "done"
    merged_labels: dict[str, str] = field(default_factory=dict)  # label -> step it is in
    pc_type: ir.EnumType | None = None

    def tid_expr(self, index: ir.Expr | None) -> ir.Expr:
        """Thread id of instance `index` (None for a singleton)."""
        if index is None or self.param_type is None:
            return int_lit(self.base_tid)
        lo = ir.domain_values(self.param_type)[0]
        off = self.base_tid - lo
        if isinstance(index, ir.Lit):
            return int_lit(int(index.value) + off)  # type: ignore[arg-type]
        if off == 0:
            return index
        return ir.Binary("add", index, int_lit(off))


@dataclass(frozen=True)
class Ctx:
    bound: Mapping[str, TE] = field(default_factory=dict)
    process: ProcessInfo | None = None
    self_expr: ir.Expr | None = None  # ParamRef of the process parameter
    thread: ir.Expr | None = None  # this thread's id (steps only)
    sym: SymState | None = None
    taken: frozenset[str] = frozenset()
    defs_active: tuple[str, ...] = ()
    where: str = "expression"  # for messages: 'invariant', 'constant', 'step', ...
    locals_visible: bool = True
    primes: bool = False  # may read the next state (`x'`): action constraints and properties
    # a def's parameters: the argument's syntax and the caller's context, elaborated at each
    # use with the type expected there, exactly as if the argument were written inline
    args: Mapping[str, tuple[S.Expr, "Ctx"]] = field(default_factory=dict)

    def bind(self, name: str, te: TE) -> "Ctx":
        args = self.args if name not in self.args else {
            k: v for k, v in self.args.items() if k != name}
        return replace(self, bound={**self.bound, name: te}, args=args)


# --------------------------------------------------------------------------- elaborator

KERNEL_OPS = frozenset(kernel_ops)
LOCK_PREDICATES = ("held", "held_read", "held_write", "locked", "held_by", "queued_writers",
                   "lock_is_held")  # lockdep's lock_is_held(l): held(l)
LOCK_OPS = frozenset({
    "lock", "unlock", "mutex_lock", "mutex_unlock", "mutex_lock_nested", "spin_lock",
    "spin_unlock", "spin_lock_nested", "down_read", "up_read", "down_write", "up_write",
    "downgrade_write", "down_read_nested", "down_write_nested", "mutex_trylock",
    "spin_trylock", "down_read_trylock", "down_write_trylock", "might_lock",
    "might_lock_read", "might_lock_nested", "mmap_read_trylock", "mmap_write_trylock"})
TRYLOCKS = frozenset({"mutex_trylock", "spin_trylock", "down_read_trylock",
                      "down_write_trylock", "mmap_read_trylock", "mmap_write_trylock"})


class Elaborator:
    def __init__(self, symbols: Symbols, sink: Sink, defines: Mapping[str, int]):
        self.sy = symbols
        self.sink = sink
        self.defines = dict(defines)
        self.const_values: dict[str, int | None] = {}
        self._const_active: list[str] = []
        self.type_values: dict[str, AnyType] = {}
        self._type_active: list[str] = []
        self.processes: dict[str, ProcessInfo] = {}
        self.locks: dict[str, LockRef] = {}
        self.tid_type: ir.IntType = ir.IntType(0, -1, symmetric="@thread")
        self.symmetric: list[str] = []
        self._fresh = 0
        self.expansion_root = ir.NO_SPAN  # the def use being expanded (MMS405's location)
        self.expanded = 0  # nodes elaborated inside defs since that use

    # ------------------------------------------------------------------ errors
    def err(self, code: str, msg: str, span: ir.Span, expected: str | None = None,
            notes: tuple[str, ...] = ()) -> TE:
        self.sink.error(code, msg, span, expected, notes)
        return TE(ir.Lit(0, BOOL, span), ERR)

    # ------------------------------------------------------------------ constants
    def const(self, name: str, span: ir.Span) -> int | None:
        if name in self.const_values:
            return self.const_values[name]
        if name in self.defines:
            self.const_values[name] = self.defines[name]
            return self.defines[name]
        if name in self._const_active:
            cycle = " -> ".join(self._const_active[self._const_active.index(name):] + [name])
            self.sink.error("MMS209", f"constant '{name}' is defined in terms of itself "
                            f"({cycle})", span)
            self.const_values[name] = None
            return None
        decl = self.sy.consts[name]
        self._const_active.append(name)
        try:
            v = self.const_int(decl.value, f"the value of constant '{name}'")
        finally:
            self._const_active.pop()
        self.const_values[name] = v
        return v

    def const_int(self, e: S.Expr, what: str, ctx: Ctx | None = None) -> int | None:
        te = self.expr(e, ctx or Ctx(where="constant", locals_visible=False))
        if isinstance(te.type, ErrType):
            return None
        if not isinstance(te.type, ir.IntType):
            self.err("MMS301", f"{what} must be an integer, not {show_type(te.type)}", e.span)
            return None
        v = self.try_const(te.expr, e.span, what)
        return v if isinstance(v, int) else None

    def try_const(self, e: ir.Expr, span: ir.Span, what: str) -> ir.Value | None:
        try:
            return evaluate(e)
        except DivByZero as z:
            self.err("MMS320", f"division by zero in {what}", z.span if z.span.line else span)
        except NotConstant:
            self.err("MMS302", f"{what} must be a constant expression", span,
                     expected="literals, constants and enum members (no state variables)")
        return None

    def static_value(self, e: ir.Expr) -> ir.Value | None:
        """The value of e if it is state-free (no diagnostics), else None."""
        try:
            return evaluate(e)
        except (NotConstant, DivByZero, TypeError, IndexError, ValueError):
            return None

    # ------------------------------------------------------------------ types
    def named_type(self, name: str, span: ir.Span) -> AnyType:
        if name in self.type_values:
            return self.type_values[name]
        if name not in self.sy.types:
            kind = self.sy.kind_of(name)
            if kind is not None:
                self.err("MMS202", f"'{name}' is a {kind}, not a type", span)
            else:
                hint = did_you_mean(name, list(self.sy.types) + ["bool"])
                self.err("MMS202", f"unknown type '{name}'", span,
                         expected="a type name, bool, lo..hi, enum, map, set or record" +
                         (f" (did you mean '{hint}'?)" if hint else ""))
            return ERR
        if name in self._type_active:
            self.err("MMS209", f"type '{name}' is defined in terms of itself", span)
            self.type_values[name] = ERR
            return ERR
        decl = self.sy.types[name]
        self._type_active.append(name)
        try:
            t = self.resolve_type(decl.type, enum_name=name)
        finally:
            self._type_active.pop()
        if decl.symmetric and not isinstance(t, ErrType):
            if not isinstance(t, ir.IntType) or t.wrap:
                self.err("MMS319", f"symmetric type '{name}' must be an integer range "
                         f"lo..hi, not {show_type(t)}", decl.span)
                t = ERR
            else:
                t = ir.IntType(t.lo, t.hi, False, name)
                if name not in self.symmetric:
                    self.symmetric.append(name)
        self.type_values[name] = t
        return t

    def resolve_type(self, t: S.TypeExpr, enum_name: str | None = None) -> AnyType:
        if isinstance(t, S.BoolT):
            return BOOL
        if isinstance(t, S.NamedT):
            return self.named_type(t.name, t.span)
        if isinstance(t, S.RangeT):
            lo = self.const_int(t.lo, "a range bound")
            hi = self.const_int(t.hi, "a range bound")
            if lo is None or hi is None:
                return ERR
            if lo > hi:
                self.err("MMS304", f"empty range {lo}..{hi}", t.span,
                         expected="lo <= hi")
                return ERR
            if t.values is not None:
                return self.value_set(lo, hi, t)
            return ir.IntType(lo, hi, t.wrap)
        if isinstance(t, S.EnumT):
            seen: set[str] = set()
            for m, sp in zip(t.members, t.member_spans or tuple(t.span for _ in t.members)):
                if m in seen:
                    self.err("MMS201", f"enum member '{m}' appears twice", sp)
                seen.add(m)
            name = enum_name or "{" + ", ".join(t.members) + "}"
            return ir.EnumType(name, t.members)
        if isinstance(t, S.MapT):
            k = self.resolve_type(t.key)
            v = self.resolve_type(t.value)
            if isinstance(k, ErrType) or isinstance(v, ErrType):
                return ERR
            if not self.check_key_type(k, t.key.span, "a map key"):
                return ERR
            out = ir.MapType(k, v)
            if slot_count(out) > MAX_SLOTS:
                self.err("MMS401", f"type {show_type(out)} has more than {MAX_SLOTS} cells",
                         t.span)
                return ERR
            return out
        if isinstance(t, S.SetT):
            e = self.resolve_type(t.elem)
            if isinstance(e, ErrType):
                return ERR
            if not self.check_key_type(e, t.elem.span, "a set element", product=True):
                return ERR
            return ir.SetType(e)
        if isinstance(t, S.SeqT):
            return seqcheck.resolve_seq_type(self, t)
        if isinstance(t, S.RecordT):
            fields: list[tuple[str, ir.Type]] = []
            names: set[str] = set()
            bad = False
            for f, ft in t.fields:
                if f in names:
                    self.err("MMS201", f"record field '{f}' appears twice", ft.span)
                names.add(f)
                r = self.resolve_type(ft)
                if isinstance(r, ErrType):
                    bad = True
                else:
                    fields.append((f, r))
            return ERR if bad else ir.RecordType(tuple(fields))
        raise TypeError(t)  # pragma: no cover

    def value_set(self, lo: int, hi: int, t: S.RangeT) -> AnyType:
        """`lo..hi values {a, b, ...}`: constants within lo..hi (a compact domain)."""
        assert t.values is not None
        vals: set[int] = set()
        for e in t.values:
            if isinstance(e, S.RangeT):  # a..b: every value from a to b
                a = self.const_int(e.lo, "a declared value")
                b = self.const_int(e.hi, "a declared value")
                if a is None or b is None:
                    return ERR
                if b - a > MAX_DOMAIN:
                    self.err("MMS401", f"more than {MAX_DOMAIN} declared values", e.span)
                    return ERR
                items = [(v, e.span) for v in range(a, b + 1)]
            else:
                v0 = self.const_int(e, "a declared value")
                if v0 is None:
                    return ERR
                items = [(v0, e.span)]
            for v, sp in items:
                if not lo <= v <= hi:
                    self.err("MMS303", f"declared value {v} is outside {lo}..{hi}", sp,
                             expected=f"values within {lo}..{hi}")
                    return ERR
                vals.add(v)
        if len(vals) > MAX_DOMAIN:
            self.err("MMS401", f"more than {MAX_DOMAIN} declared values", t.span)
            return ERR
        return ir.IntType(lo, hi, False, None, tuple(sorted(vals)))

    def check_key_type(self, k: ir.Type, span: ir.Span, what: str,
                       product: bool = False) -> bool:
        """A finite type whose values can number slots: a scalar, or (`product`: set
        elements and binder domains) a record of scalars, one slot per record value."""
        if not ir.is_scalar(k) and not (product and ir.is_product(k)):
            self.err("MMS319", f"{what} type must be bool, an integer range or an enum"
                     f"{' or a record of those' if product else ''}, not {show_type(k)}",
                     span)
            return False
        if isinstance(k, ir.RecordType) and any(
                isinstance(ft, ir.IntType) and ft.symmetric for _, ft in k.fields):
            # LIMITATION: --symmetry permutes slots keyed by a symmetric value, not the
            # record codes numbering these slots
            self.err("MMS319", f"{what} type {show_type(k)} has a field of a symmetric "
                     "type", span, expected="a plain range for the field (or no symmetry)")
            return False
        if ir.domain_size(k) > MAX_DOMAIN:
            self.err("MMS401", f"{what} type {show_type(k)} has more than {MAX_DOMAIN} "
                     "values", span)
            return False
        return True

    # ------------------------------------------------------------------ domains
    def domain(self, d: S.Domain, ctx: Ctx) -> tuple[ir.Type, ir.Expr | None] | None:
        """A binder's domain: (scalar type, restricting set expression or None)."""
        if isinstance(d, (S.BoolT, S.RangeT, S.EnumT, S.MapT, S.SetT, S.SeqT, S.RecordT,
                          S.NamedT)):
            t = self.resolve_type(d)
            if isinstance(t, ErrType):
                return None
            if not self.check_key_type(t, d.span, "a binder's domain", product=True):
                return None
            return t, None
        if isinstance(d, S.Name) and d.id in self.sy.types and d.id not in ctx.bound:
            return self.domain(S.NamedT(d.id, span=d.span), ctx)
        te = self.expr(d, ctx)
        if isinstance(te.type, ErrType):
            return None
        if not isinstance(te.type, ir.SetType):
            self.err("MMS301", f"a domain must be a type or a set, not {show_type(te.type)}",
                     d.span, expected="a type (Tid, 1..N, bool) or a set ({1, 3}, readers)")
            return None
        return te.type.elem, te.expr

    def fresh(self, name: str, ctx: Ctx) -> str:
        if name not in ctx.taken:
            return name
        while True:
            self._fresh += 1
            cand = f"{name}_{self._fresh}"
            if cand not in ctx.taken:
                return cand

    # ------------------------------------------------------------------ expressions
    def count_expansion(self) -> None:
        """Defs expand in place, so a def using another twice doubles it: a chain of 40
        is 2^40 nodes. Past MAX_DEF_EXPANSION nodes for one use, stop with a located error."""
        self.expanded += 1
        if self.expanded > cost.MAX_DEF_EXPANSION:
            raise SpecError([Diagnostic(
                "MMS405", f"expanding the defs used here takes more than "
                f"{cost.MAX_DEF_EXPANSION:,} nodes", self.expansion_root,
                expected="defs that do not multiply (bind a repeated sub-expression to a "
                "variable, or use it once)")])

    def cond(self, e: S.Expr, ctx: Ctx, what: str = "a condition") -> ir.Expr:
        te = self.expr(e, ctx)
        if not isinstance(te.type, (ir.BoolType, ErrType)):
            self.err("MMS301", f"{what} must be bool, not {show_type(te.type)}", e.span)
        return te.expr

    def expect(self, e: S.Expr, ctx: Ctx, want: AnyType, what: str) -> TE:
        """Elaborate e where a value of type `want` is needed; check a constant's range."""
        te = self.expr(e, ctx, want)
        if not assignable(te.type, want):
            self.err("MMS301", f"{what}: expected {show_type(want)}, found "
                     f"{show_type(te.type)}", e.span)
            return TE(te.expr, ERR)
        self.check_const_range(te, want, e.span, what)
        return te

    def check_const_range(self, te: TE, want: AnyType, span: ir.Span, what: str) -> None:
        if isinstance(want, ir.IntType) and not want.wrap and isinstance(te.type, ir.IntType):
            v = self.static_value(te.expr)
            if isinstance(v, int) and not (want.lo <= v <= want.hi):
                self.err("MMS303", f"{what}: {v} is out of range {want.lo}..{want.hi}", span)
            elif isinstance(v, int) and want.values is not None and v not in want.values:
                self.err("MMS303", f"{what}: {v} is not one of the declared values of "
                         f"{show_type(want)}", span)

    def expr(self, e: S.Expr, ctx: Ctx, expected: AnyType | None = None) -> TE:  # noqa: C901
        cost.tick()
        sp = e.span
        if ctx.defs_active:
            self.count_expansion()
        elif isinstance(e, S.Call) and e.func in self.sy.defs or (
                isinstance(e, S.Name) and e.id in self.sy.defs):
            self.expansion_root, self.expanded = sp, 0
        if isinstance(e, S.IntLit):
            return TE(int_lit(e.value, sp), ir.IntType(e.value, e.value))
        if isinstance(e, S.BoolLit):
            return TE(ir.Lit(int(e.value), BOOL, sp), BOOL)
        if isinstance(e, S.Name):
            return self.name(e, ctx, expected)
        if isinstance(e, S.SelfRef):
            if ctx.process is None or ctx.self_expr is None or ctx.process.param_type is None:
                return self.err("MMS215", "'self' is only defined inside an indexed process",
                                sp, expected="process P[i in T] { ... }")
            return TE(ctx.self_expr, ctx.process.param_type)
        if isinstance(e, S.UnaryOp):
            if e.op == "not":
                return TE(ir.Unary("not", self.cond(e.arg, ctx, "the operand of '!'"), sp),
                          BOOL)
            if e.op == "addr":
                return self.err("MMS301", "'&' (address of) is only an argument of a kernel "
                                "API call such as atomic_inc(&v)", sp,
                                expected="a value (drop the '&'), or 'a & b' for bitwise and")
            a = self.expr(e.arg, ctx)
            if e.op == "bnot" and isinstance(a.type, ir.BoolType):  # TLA+'s ~ (negation)
                tilde = ir.Span(sp.file, sp.line, sp.col, sp.line, sp.col + 1)
                return self.err("MMS301", "'~' is bitwise not and needs an integer, not bool",
                                tilde, notes=("did you mean '!'? mmspec writes TLA+'s ~ "
                                              "(negation) as !; ~ is C's bitwise not",))
            sym = "'~'" if e.op == "bnot" else "'-'"
            self.need_int(a, e.arg.span, sym)
            out = TE(ir.Unary(e.op, a.expr, sp), ERR if isinstance(a.type, ErrType) else INT)
            folded = self.static_value(out.expr) if e.op == "bnot" else None
            if isinstance(folded, int):
                return TE(int_lit(folded, sp), ir.IntType(folded, folded))
            return out
        if isinstance(e, S.BinOp):
            return self.binop(e, ctx, expected)
        if isinstance(e, S.IfExpr):
            c = self.cond(e.cond, ctx)
            a = self.expr(e.then, ctx, expected)
            b = self.expr(e.other, ctx, expected if expected is not None else a.type)
            t = self.join(a, b, sp, "the branches of if-then-else")
            return TE(ir.Ite(c, a.expr, b.expr, sp), t)
        if isinstance(e, S.Call):
            return self.call(e, ctx, expected)
        if isinstance(e, S.IndexExpr):
            return self.index(e, ctx)
        if isinstance(e, S.FieldExpr):
            return self.field(e, ctx)
        if isinstance(e, S.AtExpr):
            return self.at(e, ctx)
        if isinstance(e, S.Primed):
            return self.primed(e, ctx, expected)
        if isinstance(e, S.SetLiteral):
            return self.set_literal(e, ctx, expected)
        if isinstance(e, S.SeqLiteral):
            return seqcheck.seq_literal(self, e, ctx, expected)
        if isinstance(e, S.SetCompr):
            dom = self.domain(e.domain, ctx)
            if dom is None:
                return TE(FALSE, ERR)
            t, within = dom
            v = self.fresh(e.var, ctx)
            inner = ctx.bind(e.var, TE(ir.ParamRef(v), t))
            inner = replace(inner, taken=ctx.taken | {v})
            c = self.cond(e.cond, inner)
            if within is not None:
                c = ir.Binary("and", ir.Binary("in", ir.ParamRef(v), within), c)
            return TE(ir.SetComp(v, t, c, sp), ir.SetType(t))
        if isinstance(e, S.MapLiteral):
            dom = self.domain(e.domain, ctx)
            if dom is None:
                return TE(FALSE, ERR)
            kt, within = dom
            if within is not None:
                return self.err("MMS301", "a map literal's domain must be a type", e.domain.span)
            v = self.fresh(e.var, ctx)
            inner = replace(ctx.bind(e.var, TE(ir.ParamRef(v), kt)), taken=ctx.taken | {v})
            want = expected.value if isinstance(expected, ir.MapType) else None
            body = self.expr(e.body, inner, want)
            if isinstance(body.type, ErrType):
                return TE(FALSE, ERR)
            vt = body.type
            if want is not None and assignable(vt, want):
                vt = want
            elif isinstance(vt, ir.IntType) and vt == INT:
                return self.err("MMS301", "cannot tell the value type of this map literal",
                                sp, expected="a map literal where a map variable's type is known")
            return TE(ir.MapLit(v, kt, body.expr, sp), ir.MapType(kt, vt))
        if isinstance(e, S.RecordLiteral):
            return self.record_literal(e, ctx, expected)
        if isinstance(e, S.WithExpr):
            return self.with_expr(e, ctx, expected)
        if isinstance(e, S.QuantExpr):
            dom = self.domain(e.domain, ctx)
            if dom is None:
                return TE(FALSE, ERR)
            t, within = dom
            v = self.fresh(e.var, ctx)
            inner = replace(ctx.bind(e.var, TE(ir.ParamRef(v), t)), taken=ctx.taken | {v})
            qbody = self.cond(e.body, inner, "a quantifier's body")
            if e.kind == "choose":
                return TE(ir.Choose(v, t, qbody, within, sp), t)
            return TE(ir.Quant(e.kind, v, t, qbody, within, sp), BOOL)
        raise TypeError(e)  # pragma: no cover

    def primed(self, e: S.Primed, ctx: Ctx, expected: AnyType | None) -> TE:
        """`e'`: e in the next state (the state variables it reads are primed)."""
        if not ctx.primes:
            return self.err("MMS315", "a primed expression is not allowed here", e.span,
                            expected="x' only in an action_constraint or an `always [...]` "
                            "action property")
        te = self.expr(e.base, replace(ctx, primes=False), expected)
        return TE(prime_vars(te.expr), te.type)

    def join(self, a: TE, b: TE, span: ir.Span, what: str) -> AnyType:
        if isinstance(a.type, ErrType):
            return b.type
        if isinstance(b.type, ErrType):
            return a.type
        if isinstance(a.type, ir.IntType) and isinstance(b.type, ir.IntType):
            if a.type == b.type:
                return a.type
            if a.type.symmetric and a.type.symmetric == b.type.symmetric:
                return a.type
            return ir.IntType(min(a.type.lo, b.type.lo), max(a.type.hi, b.type.hi))
        if assignable(b.type, a.type):
            return a.type
        if assignable(a.type, b.type):
            return b.type
        self.err("MMS301", f"{what} have different types: {show_type(a.type)} and "
                 f"{show_type(b.type)}", span)
        return ERR

    def need_int(self, te: TE, span: ir.Span, what: str, order: bool = False) -> None:
        t = te.type
        if isinstance(t, ErrType):
            return
        if not isinstance(t, ir.IntType):
            self.err("MMS301", f"{what} needs integers, not {show_type(t)}", span)
        elif t.symmetric:
            kind = "ordered" if order else "used in arithmetic"
            self.err("MMS306", f"values of symmetric type '{show_type(t)}' cannot be {kind}",
                     span, expected="only == and != on symmetric values (so --symmetry may "
                     "permute them)")

    def name(self, e: S.Name, ctx: Ctx, expected: AnyType | None = None) -> TE:
        n, sp = e.id, e.span
        if n in ctx.args:
            arg, caller = ctx.args[n]
            return self.expr(arg, caller, expected)
        if n in ctx.bound:
            te = ctx.bound[n]
            return TE(_respan(te.expr, sp), te.type)
        proc = ctx.process
        if proc is not None and ctx.locals_visible and n in proc.locals:
            var, t = proc.locals[n]
            base = ctx.sym.read(var, sp) if ctx.sym else ir.VarRef(var, sp)
            if proc.param is not None:
                assert ctx.self_expr is not None
                return TE(index_of(base, ctx.self_expr, sp), t)
            return TE(base, t)
        if proc is not None and proc.param == n and ctx.self_expr is not None:
            assert proc.param_type is not None
            return TE(ctx.self_expr, proc.param_type)
        kind = self.sy.kind_of(n)
        if kind == "variable":
            decl = self.sy.vars[n]
            vt = self.var_type(n)
            base = ctx.sym.read(n, sp) if ctx.sym else ir.VarRef(n, sp)
            _ = decl
            return TE(base, vt)
        if kind == "constant":
            v = self.const(n, sp)
            if v is None:
                return TE(int_lit(0, sp), ERR)
            return TE(int_lit(v, sp), ir.IntType(v, v))
        if kind == "enum member":
            m = self.sy.members[n]
            et = self.enum_of_member(n)
            if et is None:
                return TE(int_lit(0, sp), ERR)
            return TE(ir.Lit(m.index, et, sp), et)
        if kind == "def":
            return self.expand_def(n, (), sp, ctx, None, expected)
        if kind == "type":  # a finite scalar type is also the set of its values (TLA+)
            nt = self.named_type(n, sp)
            if isinstance(nt, ErrType):
                return TE(FALSE, ERR)
            if (ir.is_scalar(nt) or ir.is_product(nt)) and ir.domain_size(nt) <= MAX_DOMAIN:
                elem = self.fresh("_elem", ctx)
                return TE(ir.SetComp(elem, nt, TRUE, sp), ir.SetType(nt))
        if kind is not None:
            what = {"lock": "a lock (use it in a lock operation or held(...))",
                    "type": "a type", "process": "a process (use P@label or P[i]@label)",
                    "proc": "a proc (call it as a statement)", "action": "an action"}.get(
                        kind, f"a {kind}")
            return self.err("MMS301", f"'{n}' is {what}, not a value", sp)
        cands = self.visible_names(ctx)
        hint = did_you_mean(n, cands)
        return self.err("MMS204", f"unknown name '{n}'", sp,
                        expected="a variable, constant, or local" +
                        (f" (did you mean '{hint}'?)" if hint else ""))

    def visible_names(self, ctx: Ctx) -> list[str]:
        out = list(ctx.bound)
        if ctx.process is not None and ctx.locals_visible:
            out += list(ctx.process.locals)
        out += [k for k, (kind, _) in self.sy.where.items()
                if kind in ("variable", "constant", "enum member", "def")]
        return out

    var_types: dict[str, AnyType]

    def var_type(self, name: str) -> AnyType:
        if not hasattr(self, "var_types"):
            self.var_types = {}
        if name not in self.var_types:
            self.var_types[name] = self.resolve_type(self.sy.vars[name].type)
        return self.var_types[name]

    _enum_cache: dict[int, ir.EnumType]

    def enum_of_member(self, member: str) -> ir.EnumType | None:
        """The EnumType a member belongs to (named after its `type` declaration if any)."""
        m = self.sy.members[member]
        for tname, td in self.sy.types.items():
            if td.type is m.owner:
                t = self.named_type(tname, td.span)
                return t if isinstance(t, ir.EnumType) else None
        t = self.resolve_type(m.owner)
        return t if isinstance(t, ir.EnumType) else None

    # ------------------------------------------------------------------ operators
    def binop(self, e: S.BinOp, ctx: Ctx, expected: AnyType | None) -> TE:
        op, sp = e.op, e.span
        if op in ("and", "or", "implies", "iff"):
            ca = self.cond(e.left, ctx, f"the left operand of '{_opsym(op)}'")
            cb = self.cond(e.right, ctx, f"the right operand of '{_opsym(op)}'")
            return TE(ir.Binary(op, ca, cb, sp), BOOL)
        if op in ("eq", "ne"):
            a, b = self.pair(e.left, e.right, ctx)
            if not (assignable(a.type, b.type) or assignable(b.type, a.type)):
                return self.err("MMS301", f"cannot compare {show_type(a.type)} with "
                                f"{show_type(b.type)}", sp)
            if isinstance(a.type, (ir.SetType, ir.MapType)) and isinstance(
                    b.type, type(a.type)) and not assignable(b.type, a.type):
                return self.err("MMS301", f"cannot compare {show_type(a.type)} with "
                                f"{show_type(b.type)}", sp)
            return TE(ir.Binary(op, a.expr, b.expr, sp), BOOL)
        if op in ("lt", "le", "gt", "ge"):
            a, b = self.expr(e.left, ctx), self.expr(e.right, ctx)
            self.need_int(a, e.left.span, f"'{_opsym(op)}'", order=True)
            self.need_int(b, e.right.span, f"'{_opsym(op)}'", order=True)
            return TE(ir.Binary(op, a.expr, b.expr, sp), BOOL)
        if op in ("add", "sub", "mul", "div", "mod", "band", "bor", "bxor", "shl", "shr"):
            a, b = self.expr(e.left, ctx), self.expr(e.right, ctx)
            self.need_int(a, e.left.span, f"'{_opsym(op)}'")
            self.need_int(b, e.right.span, f"'{_opsym(op)}'")
            # a constant zero divisor is refused by grounding (MMS320) where no guard
            # protects it; behind a guard it is never evaluated (TLA+'s laziness)
            if isinstance(a.type, ErrType) or isinstance(b.type, ErrType):
                return TE(ir.Binary(op, a.expr, b.expr, sp), ERR)
            out = TE(ir.Binary(op, a.expr, b.expr, sp), INT)
            v = self.static_value(out.expr)
            if isinstance(v, int):
                return TE(int_lit(v, sp), ir.IntType(v, v))
            return out
        if op == "in":
            s = self.expr(e.right, ctx)
            if isinstance(s.type, ErrType):
                self.expr(e.left, ctx)
                return TE(FALSE, ERR)
            if not isinstance(s.type, ir.SetType):
                return self.err("MMS301", f"the right operand of 'in' must be a set, not "
                                f"{show_type(s.type)}", e.right.span)
            x = self.expr(e.left, ctx, s.type.elem)
            if not assignable(x.type, s.type.elem):
                return self.err("MMS301", f"{show_type(x.type)} cannot be an element of "
                                f"{show_type(s.type)}", e.left.span)
            return TE(ir.Binary("in", x.expr, s.expr, sp), BOOL)
        if op in ("union", "inter", "minus", "subseteq"):
            a, b = self.pair(e.left, e.right, ctx, expected)
            for side, te in (("left", a), ("right", b)):
                if not isinstance(te.type, (ir.SetType, ErrType)):
                    return self.err("MMS301", f"the {side} operand of '{op}' must be a set, "
                                    f"not {show_type(te.type)}",
                                    (e.left if side == "left" else e.right).span)
            if not assignable(b.type, a.type):
                return self.err("MMS301", f"'{op}' of different set types "
                                f"{show_type(a.type)} and {show_type(b.type)}", sp)
            return TE(ir.Binary(op, a.expr, b.expr, sp),
                      BOOL if op == "subseteq" else (a.type if not isinstance(a.type, ErrType)
                                                     else b.type))
        raise TypeError(op)  # pragma: no cover

    def pair(self, l: S.Expr, r: S.Expr, ctx: Ctx, expected: AnyType | None = None
             ) -> tuple[TE, TE]:
        """Elaborate two operands that must agree; literals take the other side's type."""
        if _literalish(l) and _literalish(r) and expected is None:
            a, b = self.quiet(lambda: self.expr(l, ctx)), self.quiet(lambda: self.expr(r, ctx))
            if isinstance(a.type, ir.SetType) and isinstance(b.type, ir.SetType) and \
                    isinstance(a.type.elem, ir.IntType) and isinstance(b.type.elem, ir.IntType):
                ea, eb = a.type.elem, b.type.elem
                expected = ir.SetType(ir.IntType(min(ea.lo, eb.lo), max(ea.hi, eb.hi)))
            elif not isinstance(a.type, ErrType) and isinstance(b.type, ErrType):
                expected = a.type
            elif isinstance(a.type, ErrType) and not isinstance(b.type, ErrType):
                expected = b.type
            return self.expr(l, ctx, expected), self.expr(r, ctx, expected)
        if _literalish(l) and not _literalish(r):
            b = self.expr(r, ctx, expected)
            a = self.expr(l, ctx, b.type if not isinstance(b.type, ErrType) else expected)
            return a, b
        a = self.expr(l, ctx, expected)
        b = self.expr(r, ctx, a.type if not isinstance(a.type, ErrType) else expected)
        return a, b

    def quiet(self, f: Callable[[], TE]) -> TE:
        """Run an elaboration whose diagnostics are discarded (a trial)."""
        saved = self.sink
        self.sink = Sink()
        try:
            te = f()
            return te if not self.sink else TE(te.expr, ERR)
        finally:
            self.sink = saved

    # ------------------------------------------------------------------ literals
    def set_literal(self, e: S.SetLiteral, ctx: Ctx, expected: AnyType | None) -> TE:
        if isinstance(expected, ir.SetType):
            et = expected.elem
            elems = []
            for x in e.elems:
                te = self.expr(x, ctx, et)
                if not assignable(te.type, et):
                    self.err("MMS301", f"set element of type {show_type(te.type)} in a "
                             f"set[{show_type(et)}]", x.span)
                    continue
                v = self.static_value(te.expr)
                if isinstance(v, int) and not ir.in_domain(v, et):
                    self.err("MMS303", f"{v} is not in the element type {show_type(et)}",
                             x.span)
                elems.append(te.expr)
            return TE(ir.SetLit(et, tuple(elems), e.span), expected)
        if not e.elems:
            return self.err("MMS301", "cannot tell the element type of '{}' here", e.span,
                            expected="a set-typed variable or operand next to it")
        tes = [self.expr(x, ctx) for x in e.elems]
        if any(isinstance(t.type, ErrType) for t in tes):
            return TE(FALSE, ERR)
        t0 = tes[0].type
        if isinstance(t0, ir.IntType):
            if not all(isinstance(t.type, ir.IntType) for t in tes):
                return self.err("MMS301", "set elements of different types", e.span)
            lo = min(t.type.lo for t in tes)  # type: ignore[union-attr]
            hi = max(t.type.hi for t in tes)  # type: ignore[union-attr]
            if hi - lo >= MAX_DOMAIN:
                return self.err("MMS301", "cannot tell the element type of this set",
                                e.span, expected="a set next to a set-typed variable, or "
                                "constant elements")
            sym = t0.symmetric if all(t.type == t0 for t in tes) else None
            et = ir.IntType(lo, hi, False, sym)
        elif ir.is_scalar(t0) or ir.is_product(t0):  # type: ignore[arg-type]
            if not all(t.type == t0 for t in tes):
                return self.err("MMS301", "set elements of different types", e.span,
                                expected="a set next to a set-typed variable")
            et = t0  # type: ignore[assignment]
        else:
            return self.err("MMS319", f"set elements must be scalars, not {show_type(t0)}",
                            e.span)
        return TE(ir.SetLit(et, tuple(t.expr for t in tes), e.span), ir.SetType(et))

    def record_literal(self, e: S.RecordLiteral, ctx: Ctx, expected: AnyType | None) -> TE:
        names = [f for f, _ in e.fields]
        if len(set(names)) != len(names):
            return self.err("MMS201", "a record literal names a field twice", e.span)
        if isinstance(expected, ir.RecordType):
            want = [f for f, _ in expected.fields]
            if sorted(want) != sorted(names):
                return self.err("MMS316", f"record literal has fields {{{', '.join(names)}}} "
                                f"but the type has {{{', '.join(want)}}}", e.span)
            given = dict(e.fields)
            vals = [self.expect(given[f], ctx, ft, f"field '{f}'").expr
                    for f, ft in expected.fields]
            return TE(ir.RecordLit(expected, tuple(vals), e.span), expected)
        tes = [(f, self.expr(x, ctx)) for f, x in e.fields]
        if any(isinstance(t.type, ErrType) for _, t in tes):
            return TE(FALSE, ERR)
        rt = ir.RecordType(tuple((f, t.type) for f, t in tes))  # type: ignore[misc]
        return TE(ir.RecordLit(rt, tuple(t.expr for _, t in tes), e.span), rt)

    def with_expr(self, e: S.WithExpr, ctx: Ctx, expected: AnyType | None) -> TE:
        base = self.expr(e.base, ctx, expected)
        if isinstance(base.type, ErrType):
            return base
        path: list[ir.Expr | str] = []
        t: AnyType = base.type
        for step in e.path:
            if isinstance(step, str):
                if not isinstance(t, ir.RecordType):
                    return self.err("MMS301", f"'.{step}' on {show_type(t)}", e.span)
                fields = dict(t.fields)
                if step not in fields:
                    return self.err("MMS316", f"no field '{step}' in {show_type(t)}", e.span)
                path.append(step)
                t = fields[step]
            elif isinstance(t, ir.SeqType):
                k = self.expect(step, ctx, INT, "sequence index")
                path.append(k.expr)
                t = t.elem
            else:
                if not isinstance(t, ir.MapType):
                    return self.err("MMS305", f"cannot index {show_type(t)}", step.span)
                k = self.expect(step, ctx, t.key, "map index")
                path.append(k.expr)
                t = t.value
        v = self.expect(e.value, ctx, t, "the new value")
        return TE(ir.Except(base.expr, tuple(path), v.expr, e.span), base.type)

    # ------------------------------------------------------------------ postfix
    def index(self, e: S.IndexExpr, ctx: Ctx) -> TE:
        if isinstance(e.base, S.Name) and e.base.id not in ctx.bound and \
                self.sy.kind_of(e.base.id) in ("process", "lock"):
            kind = self.sy.kind_of(e.base.id)
            return self.err("MMS301", f"'{e.base.id}[...]' is a {kind} instance, not a value",
                            e.span)
        base = self.expr(e.base, ctx)
        if isinstance(base.type, ErrType):
            self.expr(e.index, ctx)
            return base
        if isinstance(base.type, ir.SeqType):
            return seqcheck.seq_index(self, e, base, ctx)
        if not isinstance(base.type, ir.MapType):
            self.expr(e.index, ctx)
            return self.err("MMS305", f"cannot index a value of type {show_type(base.type)}",
                            e.span, expected="a map or a sequence")
        k = self.expr(e.index, ctx, base.type.key)
        if not assignable(k.type, base.type.key):
            self.err("MMS305", f"index of type {show_type(k.type)} for a map over "
                     f"{show_type(base.type.key)}", e.index.span)
        # An index outside the keys is decided by grounding, which knows the guards: an
        # error (MMS303) where no guard protects the read, else a `domain` violation found
        # by the search only if the read is evaluated (never behind a false guard).
        return TE(index_of(base.expr, k.expr, e.span), base.type.value)

    def field(self, e: S.FieldExpr, ctx: Ctx) -> TE:
        inst = self.process_instance(e.base, ctx, quiet=True)
        if inst is not None:
            p, idx = inst
            if e.name not in p.locals:
                hint = did_you_mean(e.name, list(p.locals))
                return self.err("MMS204", f"process '{p.name}' has no local '{e.name}'",
                                e.span, expected=f"a local of {p.name}" +
                                (f" (did you mean '{hint}'?)" if hint else ""))
            var, t = p.locals[e.name]
            base: ir.Expr = ctx.sym.read(var) if ctx.sym else ir.VarRef(var)
            return TE(base if idx is None else index_of(base, idx, e.span), t)
        b = self.expr(e.base, ctx)
        if isinstance(b.type, ErrType):
            return b
        if not isinstance(b.type, ir.RecordType):
            return self.err("MMS301", f"'.{e.name}' on a value of type {show_type(b.type)}",
                            e.span, expected="a record")
        fields = dict(b.type.fields)
        if e.name not in fields:
            hint = did_you_mean(e.name, list(fields))
            return self.err("MMS316", f"no field '{e.name}' in {show_type(b.type)}", e.span,
                            expected="one of " + ", ".join(fields) +
                            (f" (did you mean '{hint}'?)" if hint else ""))
        return TE(ir.Field(b.expr, e.name, e.span), fields[e.name])

    def process_instance(self, e: S.Expr, ctx: Ctx, quiet: bool = False
                         ) -> tuple[ProcessInfo, ir.Expr | None] | None:
        """`P` or `P[i]` naming one thread of a process; None if e is not of that form."""
        if isinstance(e, S.Name) and e.id not in ctx.bound and e.id in self.processes:
            p = self.processes[e.id]
            if p.param_type is not None:
                self.err("MMS305", f"process '{p.name}' is indexed: name one thread as "
                         f"{p.name}[i]", e.span)
                return p, ir.Lit(ir.domain_values(p.param_type)[0], p.param_type)
            return p, None
        if isinstance(e, S.IndexExpr) and isinstance(e.base, S.Name) and \
                e.base.id not in ctx.bound and e.base.id in self.processes:
            p = self.processes[e.base.id]
            if p.param_type is None:
                self.err("MMS305", f"process '{p.name}' is not indexed", e.span)
                return p, None
            k = self.expect(e.index, ctx, p.param_type, f"index of process {p.name}")
            v = self.static_value(k.expr)
            if isinstance(v, int) and not ir.in_domain(v, p.param_type):
                self.err("MMS303", f"{p.name}[{v}] does not exist", e.index.span)
            return p, k.expr
        if not quiet:
            self.err("MMS206", "expected a process instance (P or P[i])", e.span)
        return None

    def at(self, e: S.AtExpr, ctx: Ctx) -> TE:
        inst = self.process_instance(e.base, ctx, quiet=True)
        if inst is None:
            if isinstance(e.base, (S.Name, S.IndexExpr)):
                base_name = e.base.id if isinstance(e.base, S.Name) else getattr(
                    e.base.base, "id", "?")
                hint = did_you_mean(str(base_name), list(self.processes))
                return self.err("MMS206", f"unknown process '{base_name}'", e.base.span,
                                expected="a process name" +
                                (f" (did you mean '{hint}'?)" if hint else ""))
            return self.err("MMS206", "'@' needs a process instance on its left", e.span)
        p, idx = inst
        if p.pc_type is None:
            return TE(FALSE, ERR)
        if e.label not in p.pc_type.members:
            if e.label in p.merged_labels:
                return self.err("MMS321", f"label '{e.label}' of {p.name} is not a step "
                                "boundary", e.label_span, notes=(
                                    f"it is merged into step '{p.merged_labels[e.label]}' "
                                    "(the test of an if/while runs in the branch's first "
                                    "step)",))
            hint = did_you_mean(e.label, list(p.pc_type.members))
            return self.err("MMS205", f"process '{p.name}' has no label '{e.label}'",
                            e.label_span, expected="one of " + ", ".join(p.pc_type.members) +
                            (f" (did you mean '{hint}'?)" if hint else ""))
        pc: ir.Expr = ctx.sym.read(f"{p.name}.pc") if ctx.sym else ir.VarRef(f"{p.name}.pc")
        if idx is not None:
            pc = ir.Index(pc, idx)
        return TE(ir.Binary("eq", pc, ir.Lit(p.pc_type.members.index(e.label), p.pc_type),
                            e.span), BOOL)

    # ------------------------------------------------------------------ calls
    def call(self, e: S.Call, ctx: Ctx, expected: AnyType | None) -> TE:
        f, sp = e.func, e.span
        if f in ctx.bound or (ctx.process is not None and f in ctx.process.locals):
            return self.err("MMS207", f"'{f}' is not a function", e.func_span)
        if f == "card":
            if not self.nargs(e, 1):
                return TE(int_lit(0), ERR)
            s = self.expr(e.args[0], ctx)
            if not isinstance(s.type, (ir.SetType, ErrType)):
                return self.err("MMS301", f"card() needs a set, not {show_type(s.type)}",
                                e.args[0].span)
            return TE(ir.Unary("card", s.expr, sp), INT)
        if f in seqcheck.SEQ_FUNCS and self.sy.kind_of(f) is None:
            return seqcheck.seq_call(self, e, ctx, expected)
        if f in ("min", "max"):
            if not self.nargs(e, 2):
                return TE(int_lit(0), ERR)
            a, b = self.expr(e.args[0], ctx), self.expr(e.args[1], ctx)
            self.need_int(a, e.args[0].span, f"{f}()", order=True)
            self.need_int(b, e.args[1].span, f"{f}()", order=True)
            return TE(ir.Binary(f, a.expr, b.expr, sp), INT)
        if f in LOCK_PREDICATES:
            return self.lock_predicate(e, ctx)
        if f in PRIMS:
            return self.err("MMS315", f"'{f}' is a memory access, not a value inside an "
                            "expression", sp, expected=PRIMS[f].usage() + " on its own line")
        if f in KERNEL_OPS and self.sy.kind_of(f) is None:
            return self.err("MMS315", f"{f}() is an atomic step, not a value", sp,
                            expected=f"a statement of its own: {f}(...), x := {f}(...) or "
                            f"if {f}(...) {{ ... }} (mmspec.kernelapi)")
        if f in LOCK_OPS:
            what = "a trylock assigns a bool: ok := " if f in TRYLOCKS else "a lock operation "
            return self.err("MMS315", f"'{f}' is a statement, not a value", sp,
                            expected=f"{what}{f}(...)" if f in TRYLOCKS
                            else "a lock operation on its own line")
        kind = self.sy.kind_of(f)
        if kind == "def":
            return self.expand_def(f, e.args, sp, ctx, e, expected)
        if kind == "proc":
            return self.err("MMS315", f"proc '{f}' is a statement, not a value", sp)
        if kind is not None:
            return self.err("MMS207", f"'{f}' is a {kind}, not a function", e.func_span)
        hint = did_you_mean(f, list(self.sy.defs) + ["card", "min", "max", *seqcheck.SEQ_FUNCS,
                                                      *LOCK_PREDICATES])
        return self.err("MMS207", f"unknown function '{f}'", e.func_span,
                        expected="a def, card, min, max or a lock predicate" +
                        (f" (did you mean '{hint}'?)" if hint else ""))

    def nargs(self, e: S.Call, n: int | tuple[int, ...]) -> bool:
        ok = (n,) if isinstance(n, int) else n
        if len(e.args) not in ok:
            self.err("MMS312", f"{e.func}() takes {' or '.join(map(str, ok))} argument"
                     f"{'s' if max(ok) != 1 else ''}, not {len(e.args)}", e.span)
            return False
        return True

    def expand_def(self, name: str, args: tuple[S.Expr, ...], span: ir.Span, ctx: Ctx,
                   call: S.Call | None, expected: AnyType | None = None) -> TE:
        """The def's body as if written here: typed with the type expected at the use, and
        each argument elaborated where the body uses it, with the type expected there."""
        d = self.sy.defs[name]
        if len(args) != len(d.params):
            return self.err("MMS312", f"def '{name}' takes {len(d.params)} argument"
                            f"{'s' if len(d.params) != 1 else ''}, not {len(args)}", span)
        if name in ctx.defs_active:
            chain = " -> ".join(ctx.defs_active[ctx.defs_active.index(name):] + (name,))
            return self.err("MMS212", f"def '{name}' is recursive ({chain})", span,
                            expected="defs are expanded in place: no recursion")
        # bound too, so a parameter shadows global names in every lookup (`name` reads the
        # argument from `args`, never this placeholder)
        bound = {p: TE(ir.ParamRef(p, a.span), ERR) for p, a in zip(d.params, args)}
        inner = Ctx(bound=bound, process=None, self_expr=None, thread=ctx.thread,
                    sym=ctx.sym, taken=ctx.taken, defs_active=ctx.defs_active + (name,),
                    where=ctx.where, locals_visible=False, primes=ctx.primes,
                    args={p: (a, ctx) for p, a in zip(d.params, args)})
        return self.expr(d.body, inner, expected)

    # ------------------------------------------------------------------ locks
    def lock_ref(self, e: S.Expr, ctx: Ctx, what: str) -> tuple[LockRef, ir.Expr | None] | None:
        name_node: S.Expr = e.base if isinstance(e, S.IndexExpr) else e
        if not isinstance(name_node, S.Name) or name_node.id in ctx.bound:
            self.expr(e, ctx)
            self.err("MMS307", f"{what} needs a lock, not an expression", e.span)
            return None
        n = name_node.id
        if n not in self.locks:
            kind = self.sy.kind_of(n)
            if kind is not None or (ctx.process is not None and n in ctx.process.locals):
                self.err("MMS307", f"'{n}' is not a lock", name_node.span,
                         expected="a mutex, spinlock or rwsem")
            else:
                hint = did_you_mean(n, list(self.locks))
                self.err("MMS203", f"unknown lock '{n}'", name_node.span,
                         expected="a declared mutex, spinlock or rwsem" +
                         (f" (did you mean '{hint}'?)" if hint else ""))
            return None
        lk = self.locks[n]
        if lk.index_type is None:
            if isinstance(e, S.IndexExpr):
                self.err("MMS305", f"lock '{n}' is not an array", e.span)
                return None
            return lk, None
        if not isinstance(e, S.IndexExpr):
            self.err("MMS305", f"lock '{n}' is an array: name one instance as {n}[i]", e.span)
            return None
        k = self.expect(e.index, ctx, lk.index_type, f"index of lock {n}")
        v = self.static_value(k.expr)
        if isinstance(v, int) and not ir.in_domain(v, lk.index_type):
            self.err("MMS303", f"{n}[{v}] does not exist", e.index.span)
        return lk, k.expr

    def lock_read(self, lk: LockRef, idx: ir.Expr | None, var: str, ctx: Ctx) -> ir.Expr:
        base = ctx.sym.read(var) if ctx.sym else ir.VarRef(var)
        return base if idx is None else index_of(base, idx)

    def thread_ref(self, e: S.Expr, ctx: Ctx) -> ir.Expr | None:
        inst = self.process_instance(e, ctx)
        if inst is None:
            return None
        p, idx = inst
        return p.tid_expr(idx)

    def lock_predicate(self, e: S.Call, ctx: Ctx) -> TE:
        f = "held" if e.func == "lock_is_held" else e.func  # lockdep's name for held(l)
        if f == "queued_writers":
            return self.queued_writers(e, ctx)
        if f == "locked":
            if not self.nargs(e, 1):
                return TE(FALSE, ERR)
        elif f == "held_by":
            if not self.nargs(e, 2):
                return TE(FALSE, ERR)
        elif not self.nargs(e, (1, 2)):
            return TE(FALSE, ERR)
        ref = self.lock_ref(e.args[0], ctx, f"{f}()")
        tid: ir.Expr | None = None
        if len(e.args) == 2:
            tid = self.thread_ref(e.args[1], ctx)
        elif f != "locked":
            if ctx.thread is None:
                return self.err("MMS315", f"{f}({_show(e.args[0])}) means 'held by this "
                                "thread': outside a process step name the thread", e.span,
                                expected=f"{f}({_show(e.args[0])}, P[i]) or held_by(l, P[i])")
            tid = ctx.thread
        if ref is None or (f != "locked" and tid is None):
            return TE(FALSE, ERR)
        lk, idx = ref
        owner = self.lock_read(lk, idx, lk.owner_var, ctx)
        readers = (self.lock_read(lk, idx, lk.readers_var, ctx)
                   if lk.readers_var is not None else None)
        if f == "locked":
            out: ir.Expr = ir.Binary("ne", owner, int_lit(-1))
            if readers is not None:
                out = ir.Binary("or", out, ir.Binary("ne", ir.Unary("card", readers),
                                                     int_lit(0)))
            return TE(_respan(out, e.span), BOOL)
        assert tid is not None
        is_writer = ir.Binary("eq", owner, tid)
        is_reader = ir.Binary("in", tid, readers) if readers is not None else FALSE
        if f == "held_read":
            if lk.kind != "rwsem":
                return self.err("MMS308", f"held_read() needs an rwsem; '{lk.name}' is a "
                                f"{lk.kind}", e.args[0].span)
            return TE(is_reader, BOOL)
        if f == "held_write":
            return TE(is_writer, BOOL)
        out = is_writer if readers is None else ir.Binary("or", is_writer, is_reader)
        return TE(out, BOOL)


    def queued_writers(self, e: S.Call, ctx: Ctx) -> TE:
        """queued_writers(l): how many writers wait in a writer_pref rwsem's queue (the
        state readers defer to; lemmas printed by --engine pdr use it)."""
        if not self.nargs(e, 1):
            return TE(FALSE, ERR)
        ref = self.lock_ref(e.args[0], ctx, "queued_writers()")
        if ref is None:
            return TE(FALSE, ERR)
        lk, idx = ref
        if lk.waiting_var is None:
            return self.err("MMS308", f"queued_writers() needs a writer_pref rwsem; "
                            f"'{lk.name}' has no writer queue", e.args[0].span)
        return TE(_respan(self.lock_read(lk, idx, lk.waiting_var, ctx), e.span),
                  ir.IntType(0, MAX_THREADS))


def _literalish(e: S.Expr) -> bool:
    return isinstance(e, (S.SetLiteral, S.SeqLiteral, S.SetCompr, S.MapLiteral,
                          S.RecordLiteral, S.IntLit))


def _opsym(op: str) -> str:
    return {"and": "&&", "or": "||", "implies": "=>", "iff": "<=>", "eq": "==", "ne": "!=",
            "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "add": "+", "sub": "-", "mul": "*",
            "div": "/", "mod": "%", "band": "&", "bor": "|", "bxor": "^", "shl": "<<",
            "shr": ">>"}.get(op, op)


def _show(e: S.Expr) -> str:
    if isinstance(e, S.Name):
        return e.id
    if isinstance(e, S.IndexExpr):
        return f"{_show(e.base)}[{_show(e.index)}]"
    if isinstance(e, S.IntLit):
        return str(e.value)
    return "..."


def _respan(e: ir.Expr, span: ir.Span) -> ir.Expr:
    if hasattr(e, "span") and getattr(e, "span") == ir.NO_SPAN:
        try:
            return replace(e, span=span)
        except TypeError:
            return e
    return e


