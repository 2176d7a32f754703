"""The parse tree (mmspec.parse_tree, lark's shape) to the AST (`mmspec.syntax` dataclasses):
the Transformer, which also rejects reserved words used as names and literals beyond the
integer limit as it goes. Errors raised here travel as `_Fail` (the Transformer wraps them in
VisitError; mmspec/parser.py unwraps them at its one boundary)."""
from __future__ import annotations

from typing import Any, Callable

from mmspec import syntax as S
from mmspec.diagnostics import Diagnostic, did_you_mean
from mmspec.ir import FairnessKind, Span
from mmspec.lockkinds import find_lock_kind, kind_list, lock_kinds
from mmspec.operators import OpName, by_rule
from mmspec.parse_tree import Token, Transformer

MAX_INT = 2 ** 62

KEYWORDS = frozenset("""
spec const type var enum map set record bool true false action when process proc fair weak
strong final atomic if else while await either or pick in where goto skip assert invariant
helper property leadsto eventually always expect option include symmetric forall exists card
self mutex rwsem spinlock writer_pref class then with def ghost wrap union inter minus
subseteq constraint action_constraint initial next return choose""".split())


def unknown_kind(word: str, span: Span) -> Diagnostic:
    """`mutx m` (or a misspelt keyword starting a declaration): what was expected."""
    hint = did_you_mean(word, [k.name for k in lock_kinds()] + sorted(KEYWORDS))
    return Diagnostic("MMS103", f"unexpected name '{word}': not a lock kind or a "
                      "declaration keyword", span,
                      expected=f"a lock kind ({kind_list()}) or a declaration keyword" +
                      (f" (did you mean '{hint}'?)" if hint else ""))


class _Fail(Exception):
    """A diagnostic raised inside the Transformer (arrives wrapped in VisitError)."""

    def __init__(self, diag: Diagnostic):
        super().__init__(diag.message)
        self.diag = diag




def _tok_span(file: str, t: Token) -> Span:
    return Span(file, t.line or 0, t.column or 0, t.end_line or t.line or 0,
                t.end_column or t.column or 0)


def _meta_span(file: str, meta: Any) -> Span:
    if getattr(meta, "empty", True):
        return Span(file, 0, 0, 0, 0)
    return Span(file, meta.line, meta.column, meta.end_line, meta.end_column)


# grammar rule alias -> operator name, for the infix operators of the table
_BINOPS = {rule: o.name for rule, o in by_rule().items() if o.syntax == "infix"}


def _binop(op: OpName) -> Callable[..., S.BinOp]:
    def f(self: "_ToAst", meta: Any, ch: list[Any]) -> S.BinOp:
        return S.BinOp(op, ch[0], ch[1], span=self.sp(meta))
    return f


class _ToAst(Transformer):
    """parse tree -> syntax dataclasses. Checks names against reserved words as it goes."""

    def __init__(self, file: str, text: str = ""):
        self.file = file
        self.lines = text.split("\n")

    def separated(self, items: list[Any]) -> None:
        """Two statements on one line need a ';' between them (newlines separate too)."""
        for a, b in zip(items, items[1:]):
            sa, sb = a.span, b.span
            if sa.end_line != sb.line or sb.line <= 0 or sb.line > len(self.lines):
                continue
            between = self.lines[sb.line - 1][sa.end_col - 1: sb.col - 1]
            if ";" not in between:
                raise _Fail(Diagnostic("MMS110", "two statements on one line need a ';' "
                                       "between them", sb, expected="';' or a new line"))

    def sp(self, meta: Any) -> Span:
        return _meta_span(self.file, meta)

    def tsp(self, t: Token) -> Span:
        return _tok_span(self.file, t)

    def decl_name(self, t: Token) -> str:
        """A declared name: reject keywords and the reserved `__` prefix."""
        if str(t) in KEYWORDS or str(t).startswith("__"):
            what = "a keyword" if str(t) in KEYWORDS else "reserved (names starting with __)"
            raise _Fail(Diagnostic("MMS107", f"'{t}' is {what} and cannot be used as a name",
                                   self.tsp(t), expected="another name"))
        return str(t)

    # ---------------------------------------------------------------- file
    def start(self, meta: Any, ch: list[Any]) -> S.SpecFile:
        return S.SpecFile(self.file, tuple(c for c in ch if c is not None), span=self.sp(meta))

    def spec_decl(self, meta: Any, ch: list[Any]) -> S.SpecName:
        return S.SpecName(self.decl_name(ch[0]), span=self.sp(meta))

    def include_decl(self, meta: Any, ch: list[Any]) -> S.Include:
        return S.Include(_unquote(ch[0]), span=self.sp(meta))

    def const_decl(self, meta: Any, ch: list[Any]) -> S.ConstDecl:
        return S.ConstDecl(self.decl_name(ch[0]), ch[1], span=self.sp(meta),
                           name_span=self.tsp(ch[0]))

    def symmetric_mark(self, meta: Any, ch: list[Any]) -> str:
        return "symmetric"

    def ghost_mark(self, meta: Any, ch: list[Any]) -> str:
        return "ghost"

    def helper_mark(self, meta: Any, ch: list[Any]) -> str:
        return "helper"

    def writer_pref_mark(self, meta: Any, ch: list[Any]) -> str:
        return "writer_pref"

    def type_decl(self, meta: Any, ch: list[Any]) -> S.TypeDecl:
        return S.TypeDecl(self.decl_name(ch[1]), ch[2], ch[0] == "symmetric",
                          span=self.sp(meta), name_span=self.tsp(ch[1]))

    def var_decl(self, meta: Any, ch: list[Any]) -> S.VarDecl:
        ghost, name, typ, init = ch
        value, init_in = init if init is not None else (None, False)
        return S.VarDecl(self.decl_name(name), typ, value, init_in, ghost == "ghost",
                         span=self.sp(meta), name_span=self.tsp(name))

    def init_eq(self, meta: Any, ch: list[Any]) -> tuple[S.Expr, bool]:
        return ch[0], False

    def init_in(self, meta: Any, ch: list[Any]) -> tuple[S.Expr, bool]:
        return ch[0], True

    def name_params(self, meta: Any, ch: list[Any]) -> tuple[str, ...]:
        return tuple(self.decl_name(c) for c in ch if c is not None)

    def def_decl(self, meta: Any, ch: list[Any]) -> S.DefDecl:
        name, params, body = ch
        return S.DefDecl(self.decl_name(name), params or (), body, span=self.sp(meta),
                         name_span=self.tsp(name))

    def lock_kind(self, meta: Any, ch: list[Any]) -> str:
        """The built-in kinds are keywords; any other word must be a registered kind."""
        word = str(ch[0])
        if find_lock_kind(word) is None:
            raise _Fail(unknown_kind(word, self.tsp(ch[0])))
        return word

    def lock_index(self, meta: Any, ch: list[Any]) -> S.TypeExpr:
        return ch[0]  # type: ignore[no-any-return]

    def lock_class(self, meta: Any, ch: list[Any]) -> str:
        return self.decl_name(ch[0])

    def lock_decl(self, meta: Any, ch: list[Any]) -> S.LockDecl:
        kind, name, index, wp, cls = ch
        return S.LockDecl(kind, self.decl_name(name), index, wp == "writer_pref", cls,
                          span=self.sp(meta), name_span=self.tsp(name))

    def wait_kind(self, meta: Any, ch: list[Any]) -> str:
        return str(ch[0])

    def wait_decl(self, meta: Any, ch: list[Any]) -> S.WaitDecl:
        kind, name = ch
        return S.WaitDecl(kind, self.decl_name(name), span=self.sp(meta),
                          name_span=self.tsp(name))

    def fair_kind(self, meta: Any, ch: list[Any]) -> str:
        return str(ch[0])

    def fairness(self, meta: Any, ch: list[Any]) -> tuple[str, str]:
        return ("fair", ch[0] or "weak")

    def binder(self, meta: Any, ch: list[Any]) -> S.Binder:
        return S.Binder(self.decl_name(ch[0]), ch[1], span=self.sp(meta))

    def binders(self, meta: Any, ch: list[Any]) -> tuple[S.Binder, ...]:
        return tuple(c for c in ch if c is not None)

    def action_guard(self, meta: Any, ch: list[Any]) -> tuple[str, S.Expr]:
        return ("guard", ch[0])

    def primed_assign(self, meta: Any, ch: list[Any]) -> S.PrimedAssign:
        return S.PrimedAssign(str(ch[0]), tuple(p[1] for p in ch[1:-1]), ch[-1],
                              span=self.sp(meta))

    def action_decl(self, meta: Any, ch: list[Any]) -> S.ActionDecl:
        fair: FairnessKind | None = None
        params: tuple[S.Binder, ...] = ()
        guard = None
        body: list[S.PrimedAssign | S.Pick] = []
        name: Token | None = None
        for c in ch:
            if isinstance(c, tuple) and len(c) == 2 and c[0] == "fair":
                fair = c[1]
            elif isinstance(c, tuple) and len(c) == 2 and c[0] == "guard":
                guard = c[1]
            elif isinstance(c, tuple):
                params = c
            elif isinstance(c, Token):
                name = c
            elif isinstance(c, (S.PrimedAssign, S.Pick)):
                body.append(c)
        assert name is not None
        self.separated(body)
        return S.ActionDecl(self.decl_name(name), params, guard, tuple(body), fair,
                            span=self.sp(meta), name_span=self.tsp(name))

    def fair_ref(self, meta: Any, ch: list[Any]) -> S.FairRef:
        names = tuple(str(c) for c in ch[1:])
        return S.FairRef(ch[0][1], names[0], span=self.sp(meta),
                         group=names if len(names) > 1 else ())

    def fair_next(self, meta: Any, ch: list[Any]) -> S.FairRef:
        return S.FairRef(ch[0][1], "", span=self.sp(meta), next=True)

    def process_index(self, meta: Any, ch: list[Any]) -> S.Binder:
        return ch[0]  # type: ignore[no-any-return]

    def final_mod(self, meta: Any, ch: list[Any]) -> tuple[str, tuple[Token, ...]]:
        return ("final", tuple(ch))

    def irq_mod(self, meta: Any, ch: list[Any]) -> tuple[str, str]:
        return ("context", str(ch[0]))

    def cpu_mod(self, meta: Any, ch: list[Any]) -> tuple[str, S.Expr]:
        return ("cpu", ch[0])

    def typesafe_mark(self, meta: Any, ch: list[Any]) -> str:
        return "typesafe_by_rcu"

    def live_mark(self, meta: Any, ch: list[Any]) -> S.Expr:
        return ch[0]  # type: ignore[no-any-return]

    def objects_decl(self, meta: Any, ch: list[Any]) -> S.ObjectsDecl:
        name, count, live, mark = ch
        return S.ObjectsDecl(self.decl_name(name), count, mark == "typesafe_by_rcu",
                             span=self.sp(meta), name_span=self.tsp(name), live=live)

    def process_decl(self, meta: Any, ch: list[Any]) -> S.ProcessDecl:
        context, cpu = "process", None
        if isinstance(ch[0], tuple) and ch[0][0] == "context":  # `hardirq process H ...`
            context = ch[0][1]
            ch = ch[1:]
        name = ch[0]
        param = None
        fair = None
        finals: list[Token] = []
        body: list[S.Stmt] = []
        for c in ch[1:]:
            if isinstance(c, S.Binder):
                param = c
            elif isinstance(c, tuple) and c and c[0] == "fair":
                fair = c[1]
            elif isinstance(c, tuple) and c and c[0] == "context":
                context = c[1]
            elif isinstance(c, tuple) and c and c[0] == "cpu":
                cpu = c[1]
            elif isinstance(c, tuple) and c and c[0] == "final":
                finals.extend(c[1])
            elif c is not None and not isinstance(c, Token):
                body.append(c)
        self.separated(body)
        return S.ProcessDecl(self.decl_name(name), param, tuple(body), fair,
                             tuple(str(f) for f in finals), span=self.sp(meta),
                             name_span=self.tsp(name), context=context, cpu=cpu,
                             final_spans=tuple(self.tsp(f) for f in finals))

    def proc_decl(self, meta: Any, ch: list[Any]) -> S.ProcDecl:
        name, params, *body = ch
        stmts = [b for b in body if b is not None and not isinstance(b, Token)]
        self.separated(stmts)
        ps = params or ()
        return S.ProcDecl(self.decl_name(name), tuple(p for p, _ in ps), tuple(stmts),
                          span=self.sp(meta), name_span=self.tsp(name),
                          refs=tuple(r for _, r in ps))

    def proc_params(self, meta: Any, ch: list[Any]) -> tuple[tuple[str, bool], ...]:
        return tuple(c for c in ch if c is not None)

    def proc_param(self, meta: Any, ch: list[Any]) -> tuple[str, bool]:
        return self.decl_name(ch[1]), ch[0] is not None

    def ref_mark(self, meta: Any, ch: list[Any]) -> bool:
        return True

    def return_stmt(self, meta: Any, ch: list[Any]) -> S.Return:
        return S.Return(ch[0] if ch else None, span=self.sp(meta))

    def invariant_decl(self, meta: Any, ch: list[Any]) -> S.InvariantDecl:
        helper, name, expr = ch
        return S.InvariantDecl(self.decl_name(name), expr, helper == "helper",
                               span=self.sp(meta), name_span=self.tsp(name))

    def leadsto(self, meta: Any, ch: list[Any]) -> tuple[str, Any, Any]:
        return ("leadsto", ch[0], ch[1])

    def eventually(self, meta: Any, ch: list[Any]) -> tuple[str, Any, Any]:
        return ("eventually", None, ch[0])

    def always_eventually(self, meta: Any, ch: list[Any]) -> tuple[str, Any, Any]:
        return ("always_eventually", None, ch[0])

    def eventually_always(self, meta: Any, ch: list[Any]) -> tuple[str, Any, Any]:
        return ("eventually_always", None, ch[0])

    def always_step(self, meta: Any, ch: list[Any]) -> tuple[str, Any, Any]:
        return ("always_step", None, ch[0])

    def prop_forall(self, meta: Any, ch: list[Any]) -> tuple[str, Any, Any]:
        name, dom, (kind, p, q) = ch
        binders = ((self.decl_name(name), dom),)
        if kind.startswith("forall:"):
            return (kind, (binders + p[0], p[1]), q)
        return ("forall:" + kind, (binders, p), q)

    def prop_body(self, meta: Any, ch: list[Any]) -> Any:
        return ch[0]

    def property_decl(self, meta: Any, ch: list[Any]) -> S.PropertyDecl:
        name, (kind, p, q) = ch
        binders: tuple[tuple[str, Any], ...] = ()
        if kind.startswith("forall:"):
            kind, (binders, p) = kind[len("forall:"):], p
        return S.PropertyDecl(self.decl_name(name), kind, p, q, span=self.sp(meta),
                              name_span=self.tsp(name), binders=binders)

    def constraint_kind(self, meta: Any, ch: list[Any]) -> str:
        return str(ch[0])

    def constraint_decl(self, meta: Any, ch: list[Any]) -> S.ConstraintDecl:
        kind, name, expr = ch
        return S.ConstraintDecl(self.decl_name(name), expr, kind == "action_constraint",
                                span=self.sp(meta), name_span=self.tsp(name))

    def initial_decl(self, meta: Any, ch: list[Any]) -> S.InitialDecl:
        name, expr = ch
        return S.InitialDecl(self.decl_name(name), expr, span=self.sp(meta),
                             name_span=self.tsp(name))

    def option_decl(self, meta: Any, ch: list[Any]) -> S.OptionDecl:
        return S.OptionDecl(str(ch[0]), ch[1], span=self.sp(meta))

    def expect_kind(self, meta: Any, ch: list[Any]) -> str:
        return str(ch[0])

    def expect_decl(self, meta: Any, ch: list[Any]) -> S.ExpectDecl:
        return S.ExpectDecl(ch[0], str(ch[1]) if ch[1] is not None else None,
                            span=self.sp(meta), when=ch[2])

    def expect_msg(self, meta: Any, ch: list[Any]) -> S.ExpectDecl:
        return S.ExpectDecl("assertion", _unquote(ch[0]), span=self.sp(meta), when=ch[1])

    def expect_when(self, meta: Any, ch: list[Any]) -> S.Expr:
        cond: S.Expr = ch[0]
        return cond

    # ---------------------------------------------------------------- statements
    def _stmts(self, ch: list[Any]) -> tuple[S.Stmt, ...]:
        out = tuple(c for c in ch if c is not None and not isinstance(c, Token))
        self.separated(list(out))
        return out

    def block(self, meta: Any, ch: list[Any]) -> tuple[S.Stmt, ...]:
        return self._stmts(ch)

    def labeled(self, meta: Any, ch: list[Any]) -> S.Stmt:
        label = self.decl_name(ch[0])
        st = ch[1]
        out: S.Stmt = type(st)(**{**_fields(st), "label": label, "span": self.sp(meta)})
        return out

    def lvalue(self, meta: Any, ch: list[Any]) -> S.Expr:
        out: S.Expr = S.Name(str(ch[0]), span=self.tsp(ch[0]))
        for step in ch[1:]:
            kind, val, sp = step
            out = (S.IndexExpr(out, val, span=_join(out.span, sp)) if kind == "index"
                   else S.FieldExpr(out, val, span=_join(out.span, sp)))
        return out

    def lindex(self, meta: Any, ch: list[Any]) -> tuple[str, Any, Span]:
        return ("index", ch[0], self.sp(meta))

    def lfield(self, meta: Any, ch: list[Any]) -> tuple[str, Any, Span]:
        return ("field", str(ch[0]), self.sp(meta))

    def assign(self, meta: Any, ch: list[Any]) -> S.Assign:
        # parse_text put the number of targets first (lvalues are expressions too)
        n = int(ch[0])
        return S.Assign(tuple(ch[1:n + 1]), tuple(ch[n + 1:]), span=self.sp(meta))

    def call_stmt(self, meta: Any, ch: list[Any]) -> S.CallStmt:
        return S.CallStmt(str(ch[0]), tuple(c for c in ch[1:] if c is not None),
                          span=self.sp(meta), func_span=self.tsp(ch[0]))

    def await_stmt(self, meta: Any, ch: list[Any]) -> S.Await:
        return S.Await(ch[0], span=self.sp(meta))

    def assert_stmt(self, meta: Any, ch: list[Any]) -> S.Assert:
        msg = _unquote(ch[1]) if len(ch) > 1 and ch[1] is not None else None
        return S.Assert(ch[0], msg, span=self.sp(meta))

    def skip_stmt(self, meta: Any, ch: list[Any]) -> S.Skip:
        return S.Skip(span=self.sp(meta))

    def goto_stmt(self, meta: Any, ch: list[Any]) -> S.Goto:
        return S.Goto(str(ch[0]), span=self.sp(meta), target_span=self.tsp(ch[0]))

    def else_part(self, meta: Any, ch: list[Any]) -> tuple[S.Stmt, ...]:
        return ch[0]  # type: ignore[no-any-return]

    def else_if(self, meta: Any, ch: list[Any]) -> tuple[S.Stmt, ...]:
        return (ch[0],)

    def if_stmt(self, meta: Any, ch: list[Any]) -> S.If:
        return S.If(ch[0], ch[1], ch[2], span=self.sp(meta))

    def while_stmt(self, meta: Any, ch: list[Any]) -> S.While:
        return S.While(ch[0], ch[1], span=self.sp(meta))

    def either_stmt(self, meta: Any, ch: list[Any]) -> S.Either:
        return S.Either(tuple(ch), span=self.sp(meta))

    def pick_where(self, meta: Any, ch: list[Any]) -> S.Expr:
        return ch[0]  # type: ignore[no-any-return]

    def pick_stmt(self, meta: Any, ch: list[Any]) -> S.Pick:
        return S.Pick(str(ch[0]), ch[1], ch[2], span=self.sp(meta), var_span=self.tsp(ch[0]))

    def atomic_stmt(self, meta: Any, ch: list[Any]) -> S.Atomic:
        return S.Atomic(ch[0], span=self.sp(meta))

    def local_var(self, meta: Any, ch: list[Any]) -> S.LocalVar:
        decl = self.var_decl(meta, ch)
        return S.LocalVar(decl, span=self.sp(meta))

    # ---------------------------------------------------------------- types
    def bool_type(self, meta: Any, ch: list[Any]) -> S.BoolT:
        return S.BoolT(span=self.sp(meta))

    def range_type(self, meta: Any, ch: list[Any]) -> S.RangeT:
        values = tuple(ch[2]) if len(ch) > 2 and ch[2] is not None else None
        return S.RangeT(ch[0], ch[1], span=self.sp(meta), values=values)

    def range_values(self, meta: Any, ch: list[Any]) -> list[Any]:
        return list(ch)

    def value_range(self, meta: Any, ch: list[Any]) -> S.RangeT:
        """`a..b` among declared values: every integer from a to b."""
        return S.RangeT(ch[0], ch[1], span=self.sp(meta))

    def wrap_type(self, meta: Any, ch: list[Any]) -> S.RangeT:
        return S.RangeT(ch[0], ch[1], True, span=self.sp(meta))

    def enum_type(self, meta: Any, ch: list[Any]) -> S.EnumT:
        toks = [c for c in ch if isinstance(c, Token)]
        return S.EnumT(tuple(self.decl_name(t) for t in toks), span=self.sp(meta),
                       member_spans=tuple(self.tsp(t) for t in toks))

    def map_type(self, meta: Any, ch: list[Any]) -> S.MapT:
        return S.MapT(ch[0], ch[1], span=self.sp(meta))

    def set_type(self, meta: Any, ch: list[Any]) -> S.SetT:
        return S.SetT(ch[0], span=self.sp(meta))

    def seq_type(self, meta: Any, ch: list[Any]) -> S.SeqT:
        return S.SeqT(ch[0], ch[1], span=self.sp(meta))

    def field_type(self, meta: Any, ch: list[Any]) -> tuple[str, S.TypeExpr]:
        return (self.decl_name(ch[0]), ch[1])

    def record_type(self, meta: Any, ch: list[Any]) -> S.RecordT:
        return S.RecordT(tuple(c for c in ch if isinstance(c, tuple)), span=self.sp(meta))

    def named_type(self, meta: Any, ch: list[Any]) -> S.NamedT:
        return S.NamedT(str(ch[0]), span=self.sp(meta))

    # ---------------------------------------------------------------- expressions
    def with_expr(self, meta: Any, ch: list[Any]) -> S.WithExpr:
        base, *path, value = ch
        return S.WithExpr(base, tuple(p[1] for p in path), value, span=self.sp(meta))

    for _alias, _op in _BINOPS.items():
        locals()[_alias] = _binop(_op)
    del _alias, _op

    def not_(self, meta: Any, ch: list[Any]) -> S.UnaryOp:
        return S.UnaryOp("not", ch[0], span=self.sp(meta))

    def neg(self, meta: Any, ch: list[Any]) -> S.Expr:
        if isinstance(ch[0], S.IntLit):  # fold -literal so -2^62 is representable
            return S.IntLit(-ch[0].value, span=self.sp(meta))
        return S.UnaryOp("neg", ch[0], span=self.sp(meta))

    def bnot(self, meta: Any, ch: list[Any]) -> S.Expr:
        return S.UnaryOp("bnot", ch[0], span=self.sp(meta))

    def addr(self, meta: Any, ch: list[Any]) -> S.Expr:
        """`&v`: only a kernel API's pointer argument (mmspec.kernelapi) may take it."""
        return S.UnaryOp("addr", ch[0], span=self.sp(meta))

    def ite(self, meta: Any, ch: list[Any]) -> S.IfExpr:
        return S.IfExpr(ch[0], ch[1], ch[2], span=self.sp(meta))

    def forall(self, meta: Any, ch: list[Any]) -> S.QuantExpr:
        return S.QuantExpr("forall", self.decl_name(ch[0]), ch[1], ch[2], span=self.sp(meta))

    def exists(self, meta: Any, ch: list[Any]) -> S.QuantExpr:
        return S.QuantExpr("exists", self.decl_name(ch[0]), ch[1], ch[2], span=self.sp(meta))

    def choose(self, meta: Any, ch: list[Any]) -> S.QuantExpr:
        return S.QuantExpr("choose", self.decl_name(ch[0]), ch[1], ch[2], span=self.sp(meta))

    def index(self, meta: Any, ch: list[Any]) -> S.IndexExpr:
        return S.IndexExpr(ch[0], ch[1], span=self.sp(meta))

    def field(self, meta: Any, ch: list[Any]) -> S.FieldExpr:
        return S.FieldExpr(ch[0], str(ch[1]), span=self.sp(meta))

    def primed(self, meta: Any, ch: list[Any]) -> S.Primed:
        return S.Primed(ch[0], span=self.sp(meta))

    def at(self, meta: Any, ch: list[Any]) -> S.AtExpr:
        return S.AtExpr(ch[0], str(ch[1]), span=self.sp(meta), label_span=self.tsp(ch[1]))

    def name(self, meta: Any, ch: list[Any]) -> S.Name:
        return S.Name(str(ch[0]), span=self.tsp(ch[0]))

    def int(self, meta: Any, ch: list[Any]) -> S.IntLit:
        text = str(ch[0])
        if len(text) > 40:
            value = MAX_INT + 1
        else:
            value = int(text, 16) if text[:2].lower() == "0x" else int(text)
        if value > MAX_INT:
            raise _Fail(Diagnostic("MMS105", "integer literal too large",
                                   self.tsp(ch[0]), expected=f"at most 2^62 ({MAX_INT})"))
        return S.IntLit(value, span=self.tsp(ch[0]))

    def true(self, meta: Any, ch: list[Any]) -> S.BoolLit:
        return S.BoolLit(True, span=self.sp(meta))

    def false(self, meta: Any, ch: list[Any]) -> S.BoolLit:
        return S.BoolLit(False, span=self.sp(meta))

    def self(self, meta: Any, ch: list[Any]) -> S.SelfRef:  # noqa: PLW0211
        return S.SelfRef(span=self.sp(meta))

    def call(self, meta: Any, ch: list[Any]) -> S.Call:
        return S.Call(str(ch[0]), tuple(c for c in ch[1:] if c is not None),
                      span=self.sp(meta), func_span=self.tsp(ch[0]))

    def set_lit(self, meta: Any, ch: list[Any]) -> S.SetLiteral:
        return S.SetLiteral(tuple(c for c in ch if c is not None), span=self.sp(meta))

    def seq_lit(self, meta: Any, ch: list[Any]) -> S.SeqLiteral:
        return S.SeqLiteral(tuple(c for c in ch if c is not None), span=self.sp(meta))

    def set_comp(self, meta: Any, ch: list[Any]) -> S.SetCompr:
        return S.SetCompr(self.decl_name(ch[0]), ch[1], ch[2], span=self.sp(meta))

    def field_init(self, meta: Any, ch: list[Any]) -> tuple[str, S.Expr]:
        return (str(ch[0]), ch[1])

    def record_lit(self, meta: Any, ch: list[Any]) -> S.RecordLiteral:
        return S.RecordLiteral(tuple(ch), span=self.sp(meta))

    def map_lit(self, meta: Any, ch: list[Any]) -> S.MapLiteral:
        return S.MapLiteral(self.decl_name(ch[0]), ch[1], ch[2], span=self.sp(meta))


def _fields(node: Any) -> dict[str, Any]:
    return {f: getattr(node, f) for f in node.__dataclass_fields__}


def _join(a: Span, b: Span) -> Span:
    return Span(a.file, a.line, a.col, b.end_line, b.end_col)


def _unquote(t: Token) -> str:
    s = str(t)[1:-1]
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            nxt = s[i + 1]
            out.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)
