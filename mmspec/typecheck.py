"""Types and expressions: AST expressions become typed IR expressions.

`Elaborator` resolves every name (constants fold to literals, enum members to their index,
locals of the current process to its per-thread variables, `def`s expand in place), checks
types (bool vs int vs enum vs map/set/record, index types, symmetric types used only for
equality), and reports every error it finds to the sink instead of stopping at the first:
an erroneous subexpression gets the type `ERR`, which is compatible with everything, so one
mistake does not cascade into a dozen.
"""
from __future__ import annotations

from typing import Callable, Mapping

from mmspec import budget as cost
from mmspec import ir
from mmspec import operators
from mmspec.memops import PRIMS
from mmspec.waits import TASK_STATE
from mmspec import syntax as S
from mmspec.consteval import DivByZero, NotConstant, evaluate
from mmspec.diagnostics import Diagnostic, Sink, SpecError, did_you_mean
from mmspec.kernelapi import OPS as kernel_ops
from mmspec.lockops import is_lock_op, is_trylock
from mmspec.resolve import Symbols
from mmspec import exprcheck, kernelstate, lockcheck, memstate, opcheck, seqcheck, typeexpr
from mmspec.checkctx import (Ctx as Ctx, LockRef as LockRef, ProcessInfo as ProcessInfo)
from mmspec.typerules import (AnyType as AnyType, BOOL as BOOL, ERR as ERR, ErrType as ErrType,
                              FALSE as FALSE, INT as INT, MAX_DOMAIN as MAX_DOMAIN,
                              MAX_INT as MAX_INT, MAX_SLOTS as MAX_SLOTS, TE as TE, TRUE as TRUE,
                              assignable as assignable, conj as conj, index_of as index_of,
                              int_lit as int_lit, kind_word as kind_word, lit as lit, neg as neg,
                              same_domain as same_domain, show_type as show_type,
                              slot_count as slot_count, zero_value as zero_value, _respan)


# --------------------------------------------------------------------------- elaborator

KERNEL_OPS = frozenset(kernel_ops)
LOCK_PREDICATES = ("held", "held_read", "held_write", "locked", "held_by", "queued_writers",
                   "lock_is_held")  # lockdep's lock_is_held(l): held(l)


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
        # every state variable, once the lowering has declared them: the kernel state that
        # kernelstate.py's calls read exists only where the spec uses its construct
        self.state_types: dict[str, ir.Type] = {}
        # each lock's lockdep class, once the lowering has applied lockdep_set_class()
        self.lock_classes: dict[str, str] = {}
        self.task_work_type: ir.EnumType | None = None  # set by taskwork.variables
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
        return typeexpr.named_type(self, name, span)

    def resolve_type(self, t: S.TypeExpr, enum_name: str | None = None) -> AnyType:
        return typeexpr.resolve_type(self, t, enum_name)

    def value_set(self, lo: int, hi: int, t: S.RangeT) -> AnyType:
        """`lo..hi values {a, b, ...}`: constants within lo..hi (a compact domain)."""
        return typeexpr.value_set(self, lo, hi, t)

    def check_key_type(self, k: ir.Type, span: ir.Span, what: str,
                       product: bool = False) -> bool:
        """A finite type whose values can number slots: a scalar, or (`product`: set
        elements and binder domains) a record of scalars, one slot per record value."""
        return typeexpr.check_key_type(self, k, span, what, product)

    # ------------------------------------------------------------------ domains
    def domain(self, d: S.Domain, ctx: Ctx) -> tuple[ir.Type, ir.Expr | None] | None:
        """A binder's domain: (scalar type, restricting set expression or None)."""
        return typeexpr.domain(self, d, ctx)

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

    def expr(self, e: S.Expr, ctx: Ctx, expected: AnyType | None = None) -> TE:
        """e checked and elaborated (mmspec/exprcheck.py: a function per syntax node kind)."""
        return exprcheck.expr(self, e, ctx, expected)

    def primed(self, e: S.Primed, ctx: Ctx, expected: AnyType | None) -> TE:
        """`e'`: e in the next state (the state variables it reads are primed)."""
        return exprcheck.primed(self, e, ctx, expected)

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
        """A name in an expression: a def argument, a bound variable, a local of the
        process, the process's parameter, then a spec-level name, then the built-in values."""
        local = self.local_name(e, ctx, expected)
        if local is not None:
            return local
        kind = self.sy.kind_of(e.id)
        if kind is not None:
            return self.spec_name(e.id, kind, e.span, ctx, expected)
        if e.id in TASK_STATE.members:  # the values of `P.task_state` (mmspec/waits.py)
            return TE(ir.Lit(TASK_STATE.members.index(e.id), TASK_STATE, e.span), TASK_STATE)
        hint = did_you_mean(e.id, self.visible_names(ctx))
        return self.err("MMS204", f"unknown name '{e.id}'", e.span,
                        expected="a variable, constant, or local" +
                        (f" (did you mean '{hint}'?)" if hint else ""))

    def local_name(self, e: S.Name, ctx: Ctx, expected: AnyType | None) -> TE | None:
        """A name bound where the expression is: None when it is not."""
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
        return None

    def spec_name(self, n: str, kind: str, sp: ir.Span, ctx: Ctx,
                  expected: AnyType | None) -> TE:
        """A name the spec declares, by what `kind` of thing it declares."""
        if kind == "variable":
            return TE(ctx.sym.read(n, sp) if ctx.sym else ir.VarRef(n, sp), self.var_type(n))
        if kind == "constant":
            v = self.const(n, sp)
            return TE(int_lit(0, sp), ERR) if v is None else TE(int_lit(v, sp),
                                                                ir.IntType(v, v))
        if kind == "enum member":
            et = self.enum_of_member(n)
            if et is None:
                return TE(int_lit(0, sp), ERR)
            return TE(ir.Lit(self.sy.members[n].index, et, sp), et)
        if kind == "def":
            return self.expand_def(n, (), sp, ctx, None, expected)
        if kind == "type":  # a finite scalar type is also the set of its values (TLA+)
            nt = self.named_type(n, sp)
            if isinstance(nt, ErrType):
                return TE(FALSE, ERR)
            if (ir.is_scalar(nt) or ir.is_product(nt)) and ir.domain_size(nt) <= MAX_DOMAIN:
                elem = self.fresh("_elem", ctx)
                return TE(ir.SetComp(elem, nt, TRUE, sp), ir.SetType(nt))
        work = self.task_work_type  # a queued work reads as its value (mmspec/taskwork.py)
        if kind == "proc" and work is not None and n in work.members:
            return TE(ir.Lit(work.members.index(n), work, sp), work)
        what = {"lock": "a lock (use it in a lock operation or held(...))",
                "type": "a type", "process": "a process (use P@label or P[i]@label)",
                "proc": "a proc (call it as a statement)", "action": "an action"}.get(
                    kind, f"a {kind}")
        return self.err("MMS301", f"'{n}' is {what}, not a value", sp)

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
    # infix operators: mmspec/opcheck.py (by their typing rule in mmspec/operators.py)
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
        return exprcheck.set_literal(self, e, ctx, expected)

    def record_literal(self, e: S.RecordLiteral, ctx: Ctx, expected: AnyType | None) -> TE:
        return exprcheck.record_literal(self, e, ctx, expected)

    def with_expr(self, e: S.WithExpr, ctx: Ctx, expected: AnyType | None) -> TE:
        return exprcheck.with_expr(self, e, ctx, expected)

    # ------------------------------------------------------------------ postfix
    def index(self, e: S.IndexExpr, ctx: Ctx) -> TE:
        return exprcheck.index(self, e, ctx)

    def field(self, e: S.FieldExpr, ctx: Ctx) -> TE:
        return exprcheck.field(self, e, ctx)

    def process_instance(self, e: S.Expr, ctx: Ctx, quiet: bool = False
                         ) -> tuple[ProcessInfo, ir.Expr | None] | None:
        """`P` or `P[i]` naming one thread of a process; None if e is not of that form."""
        return lockcheck.process_instance(self, e, ctx, quiet)

    def at(self, e: S.AtExpr, ctx: Ctx) -> TE:
        return lockcheck.at(self, e, ctx)

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
        o = operators.by_call(f)
        if o is not None:  # min, max: an operator written as a call (inline: stack depth)
            if not self.nargs(e, o.arity):
                return TE(int_lit(0), ERR)
            args = [self.expr(x, ctx) for x in e.args]
            for x, te in zip(e.args, args):
                self.need_int(te, x.span, f"{f}()", order=o.typing == "ordered")
            return TE(opcheck.call_node(o.name, [te.expr for te in args], sp), INT)
        if f in LOCK_PREDICATES:
            return self.lock_predicate(e, ctx)
        if f in PRIMS:
            return self.err("MMS315", f"'{f}' is a memory access, not a value inside an "
                            "expression", sp, expected=PRIMS[f].usage() + " on its own line")
        if kernelstate.is_state_read(self, f):  # rcu_preempt_depth(T), object_freed(P, o), ..
            return kernelstate.read_call(self, e, ctx)
        if f in KERNEL_OPS and self.sy.kind_of(f) is None:
            return self.err("MMS315", f"{f}() is an atomic step, not a value", sp,
                            expected=f"a statement of its own: {f}(...), x := {f}(...), "
                            f"if {f}(...) {{ ... }} or while {f}(...) {{ ... }}")
        if is_lock_op(f):  # the lock-kind table's operations (mmspec/lockkinds.py)
            what = "a trylock assigns a bool: ok := " if is_trylock(f) else "a lock operation "
            return self.err("MMS315", f"'{f}' is a statement, not a value", sp,
                            expected=f"{what}{f}(...)" if is_trylock(f)
                            else "a lock operation on its own line")
        kind = self.sy.kind_of(f)
        if kind == "def":
            return self.expand_def(f, e.args, sp, ctx, e, expected)
        if kind == "proc":
            return self.err("MMS315", f"proc '{f}' is a statement, not a value", sp)
        if kind is not None:
            return self.err("MMS207", f"'{f}' is a {kind}, not a function", e.func_span)
        hint = did_you_mean(f, list(self.sy.defs) + ["card", "min", "max", *seqcheck.SEQ_FUNCS,
                                                      *LOCK_PREDICATES, *kernelstate.READS,
                                                      *memstate.CALLS])
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
        return lockcheck.lock_ref(self, e, ctx, what)

    def lock_read(self, lk: LockRef, idx: ir.Expr | None, var: str, ctx: Ctx) -> ir.Expr:
        return lockcheck.lock_read(self, lk, idx, var, ctx)

    def thread_ref(self, e: S.Expr, ctx: Ctx) -> ir.Expr | None:
        return lockcheck.thread_ref(self, e, ctx)

    def lock_predicate(self, e: S.Call, ctx: Ctx) -> TE:
        return lockcheck.lock_predicate(self, e, ctx)


    def queued_writers(self, e: S.Call, ctx: Ctx) -> TE:
        """queued_writers(l): how many writers wait in a writer_pref rwsem's queue (the
        state readers defer to; lemmas printed by --engine pdr use it)."""
        return lockcheck.queued_writers(self, e, ctx)


def _literalish(e: S.Expr) -> bool:
    return isinstance(e, (S.SetLiteral, S.SeqLiteral, S.SetCompr, S.MapLiteral,
                          S.RecordLiteral, S.IntLit))
