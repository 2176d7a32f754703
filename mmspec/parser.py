"""Text to AST: the lark LALR parser, a Transformer to `mmspec.syntax`, and the one place
where lark's exceptions become diagnostics.

Bad input of any kind (binary junk, an unterminated comment, 10,000 nested parentheses, a
literal with a thousand digits) must come back as a `SpecError` with a code and a position,
never as a traceback. Deep nesting is rejected before the (recursive) later phases see it:
the parse tree's depth is measured iteratively and capped at `MAX_DEPTH`.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Callable

from lark import Lark, Token, Tree
from lark.tree import Meta
from lark.exceptions import (UnexpectedCharacters, UnexpectedEOF, UnexpectedInput,
                             UnexpectedToken, VisitError)
from lark.visitors import Transformer_NonRecursive, v_args

from mmspec import syntax as S
from mmspec.confine import MAX_BYTES, Confinement, ReadRefused, read_regular_file
from mmspec.diagnostics import Diagnostic, SpecError
from mmspec.ir import FairnessKind, Span

MAX_DEPTH = 200  # parse-tree depth; later phases recurse over the tree
MAX_INT = 2 ** 62

KEYWORDS = frozenset("""
spec const type var enum map set record bool true false action when process proc fair weak
strong final atomic if else while await either or pick in where goto skip assert invariant
helper property leadsto eventually always expect option include symmetric forall exists card
self mutex rwsem spinlock writer_pref class then with def ghost wrap union inter minus
subseteq constraint action_constraint initial next return choose""".split())


class _Fail(Exception):
    """A diagnostic raised inside the Transformer (arrives wrapped in VisitError)."""

    def __init__(self, diag: Diagnostic):
        super().__init__(diag.message)
        self.diag = diag


@functools.lru_cache(maxsize=1)
def _lark() -> Lark:
    """The LALR parser; its tables are built once per grammar and lark version
    (mmspec/parse_tables.py), not on every run."""
    from mmspec.parse_tables import load_parser
    return load_parser()


# --------------------------------------------------------------------------- reading files


def read_source(path: str, span: Span | None = None, code: str = "MMS100",
                confinement: Confinement | None = None, shown: str | None = None) -> str:
    """A file's text, or a SpecError (missing, not a regular file, outside `confinement`,
    over the size cap, not UTF-8). Reading is `confine.read_regular_file`: it never blocks
    and never reads more than the cap. `shown` is the name used in messages."""
    where = span or Span(path, 0, 0, 0, 0)
    name = shown if shown is not None else path
    try:
        data = read_regular_file(path, MAX_BYTES, confinement)
    except ReadRefused as e:
        raise SpecError([Diagnostic(code, f"cannot read {_quoted(name)}: {e}", where)]) \
            from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        start = data.rfind(b"\n", 0, e.start) + 1
        col = e.start - start + 1
        end = data.find(b"\n", e.start)
        # Only the offending line is kept for the caret display; nothing else is echoed.
        own_line = data[start: end if end >= 0 else len(data)].decode("utf-8", "replace")
        raise SpecError([Diagnostic("MMS101", f"{_quoted(name)} is not valid UTF-8 (byte "
                                    f"0x{data[e.start]:02x})", Span(path, line, col, line,
                                                                    col + 1))],
                        {path: "\n" * (line - 1) + own_line}) from None


def _quoted(path: str) -> str:
    """A path for a message: control characters (a NUL, an escape) shown escaped."""
    return repr(path) if any(not ch.isprintable() for ch in path) else f"'{path}'"


# --------------------------------------------------------------------------- pre-scan


def _prescan(text: str, file: str) -> list[tuple[str, int, int]]:
    """Cheap checks lark reports badly: unterminated comments/strings, runaway nesting."""
    i, n = 0, len(text)
    line, col = 1, 1
    stack: list[tuple[str, int, int]] = []
    pairs = {")": "(", "]": "[", "}": "{"}

    def adv(k: int) -> None:
        nonlocal i, line, col
        for _ in range(k):
            if text[i] == "\n":
                line += 1
                col = 1
            else:
                col += 1
            i += 1

    while i < n:
        ch = text[i]
        if ch == "/" and text.startswith("//", i):
            j = text.find("\n", i)
            adv((j if j >= 0 else n) - i)
        elif ch == "/" and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise SpecError([Diagnostic("MMS108", "unterminated block comment",
                                            Span(file, line, col, line, col + 2),
                                            expected="'*/' before the end of the file")])
            adv(j + 2 - i)
        elif ch == '"':
            j = i + 1
            while j < n and text[j] not in '"\n':
                j += 2 if text[j] == "\\" else 1
            if j >= n or text[j] != '"':
                raise SpecError([Diagnostic("MMS109", "unterminated string",
                                            Span(file, line, col, line, col + 1),
                                            expected="a closing '\"' on the same line")])
            adv(j + 1 - i)
        else:
            if ch in "([{":
                stack.append((ch, line, col))
                if len(stack) > MAX_DEPTH // 4:
                    raise SpecError([Diagnostic(
                        "MMS106", f"nesting too deep (more than {MAX_DEPTH // 4} levels of "
                        "brackets)", Span(file, line, col, line, col + 1))])
            elif ch in ")]}" and stack and stack[-1][0] == pairs[ch]:
                stack.pop()
            adv(1)
    return stack


# --------------------------------------------------------------------------- transformer


def _tok_span(file: str, t: Token) -> Span:
    return Span(file, t.line or 0, t.column or 0, t.end_line or t.line or 0,
                t.end_column or t.column or 0)


def _meta_span(file: str, meta: Any) -> Span:
    if getattr(meta, "empty", True):
        return Span(file, 0, 0, 0, 0)
    return Span(file, meta.line, meta.column, meta.end_line, meta.end_column)


_BINOPS = {"or_": "or", "and_": "and", "implies": "implies", "iff": "iff", "eq": "eq",
           "ne": "ne", "lt": "lt", "le": "le", "gt": "gt", "ge": "ge", "in_": "in",
           "subseteq": "subseteq", "union": "union", "inter": "inter", "minus": "minus",
           "add": "add", "sub": "sub", "mul": "mul", "div": "div", "mod": "mod",
           "bor": "bor", "bxor": "bxor", "band": "band", "shl": "shl", "shr": "shr"}


def _binop(op: str) -> Callable[..., S.BinOp]:
    def f(self: "_ToAst", meta: Any, ch: list[Any]) -> S.BinOp:
        return S.BinOp(op, ch[0], ch[1], span=self.sp(meta))
    return f


@v_args(meta=True)
class _ToAst(Transformer_NonRecursive[Token, Any]):
    """lark tree -> syntax dataclasses. Checks names against reserved words as it goes."""

    def __init__(self, file: str, text: str = ""):
        super().__init__()
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
        return str(ch[0])

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

    def objects_decl(self, meta: Any, ch: list[Any]) -> S.ObjectsDecl:
        name, count, mark = ch
        return S.ObjectsDecl(self.decl_name(name), count, mark == "typesafe_by_rcu",
                             span=self.sp(meta), name_span=self.tsp(name))

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


# --------------------------------------------------------------------------- errors


_TERMINAL_NAMES = {"NAME": "a name", "INT": "an integer", "STRING": "a string",
                   "LABEL": "a label",
                   "$END": "end of file"}


def _describe_terminal(name: str) -> str:
    if name in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[name]
    try:
        t = _lark().get_terminal(name)
    except KeyError:
        return name
    if t.pattern.type == "str":
        if t.pattern.value == "'":
            return "a primed variable, as in y' = ..."
        return f"'{t.pattern.value}'"
    return name.lower()


def _expected(names: set[str] | frozenset[str] | None) -> str | None:
    if not names:
        return None
    shown = sorted({_describe_terminal(n) for n in names})
    if len(shown) > 12:
        shown = shown[:12] + [f"... ({len(shown) - 12} more)"]
    return ", ".join(shown)


def _eof_span(text: str, file: str) -> Span:
    """Just after the last token (lark reports line -1 for the end of input)."""
    body = _strip_trailing_comments(text).rstrip()
    lines = body.split("\n")
    line = len(lines)
    col = len(lines[-1]) + 1
    return Span(file, line, col, line, col + 1)


def _strip_trailing_comments(text: str) -> str:
    """The text up to its last token: drops trailing whitespace and // comments."""
    lines = text.rstrip().split("\n")
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith("//")):
        lines.pop()
    return "\n".join(lines)


def _unclosed(text: str) -> tuple[str, int, int] | None:
    """The innermost bracket left open at the end of the text (for EOF errors)."""
    try:
        stack = _prescan(text, "")
    except SpecError:
        return None
    return stack[-1] if stack else None


def _show_char(ch: str) -> str:
    if ch.isprintable() and ch not in "'\\":
        return f"'{ch}'"
    return repr(ch)


# TLA+ habits: the operator as TLA+ writes it, what it is, and how mmspec writes it.
_TLA_OPERATORS: tuple[tuple[str, str, str], ...] = (
    ("/\\", "conjunction", "&&"), ("\\/", "disjunction", "||"),
    ("#", "inequality", "!="), ("\\in", "membership", "in"),
    ("\\A", "universal quantifier", "forall"), ("\\E", "existential quantifier", "exists"),
    ("\\cup", "union", "union"), ("\\union", "union", "union"),
    ("\\cap", "intersection", "inter"), ("\\intersect", "intersection", "inter"),
    ("\\subseteq", "subset", "subseteq"))


def _tla_operator_hint(e: UnexpectedCharacters, text: str, file: str) -> Diagnostic | None:
    """'unexpected character' where a TLA+ operator stands: name it and say how mmspec writes
    it. `/\\` fails at its backslash (the slash alone is division), so look one back too."""
    pos = e.pos_in_stream
    if pos is None:
        return None
    for start in (pos, pos - 1):
        if start < 0:
            continue
        for op, what, ours in sorted(_TLA_OPERATORS, key=lambda t: -len(t[0])):
            end = start + len(op)
            if not text.startswith(op, start) or end <= pos:
                continue
            if op[-1].isalpha() and end < len(text) and (text[end].isalnum() or text[end] == "_"):
                continue  # \\inx is not \\in
            col = e.column - (pos - start)
            span = Span(file, e.line, col, e.line, col + len(op))
            return Diagnostic("MMS102", f"unexpected '{op}' (TLA+ {what})", span,
                              expected=_expected(e.allowed),
                              notes=(f"did you mean '{ours}'? mmspec writes TLA+'s {op} "
                                     f"as {ours}",))
    return None


def _eq_hint(e: UnexpectedToken) -> tuple[str, ...]:
    """`=` where a comparison may stand (a guard, an await, an invariant): TLA+ and maths
    compare with `=`, mmspec with `==`; `=` where a statement assigns (C's habit); and `:=`
    in an action, which writes next values as `y' = e`."""
    expected = {_describe_terminal(n) for n in e.expected or ()}
    if str(e.token) == ":=" and "a primed variable, as in y' = ..." in expected:
        return ("an action gives a variable its next value with y' = e; ':=' is a statement "
                "of a process or proc",)
    if str(e.token) != "=":
        return ()
    if "'=='" in expected:
        return ("did you mean '=='? '=' only gives a declaration its value; comparison is "
                "'==' and assignment ':='",)
    if "':='" in expected:
        return ("did you mean ':='? a statement assigns with ':=' ('=' only gives a "
                "declaration its value)",)
    return ()


def _translate(e: UnexpectedInput, text: str, file: str) -> Diagnostic:
    """The one boundary where lark's exceptions become diagnostics."""
    if isinstance(e, UnexpectedCharacters):
        hint = _tla_operator_hint(e, text, file)
        if hint is not None:
            return hint
        pos = e.pos_in_stream
        ch = text[pos] if pos is not None and 0 <= pos < len(text) else ""
        span = Span(file, e.line, e.column, e.line, e.column + 1)
        return Diagnostic("MMS102", f"unexpected character {_show_char(ch)}", span,
                          expected=_expected(e.allowed))
    if isinstance(e, UnexpectedToken) and e.token.type != "$END":
        tok = e.token
        span = _tok_span(file, tok)
        shown = str(tok)
        if len(shown) > 30:
            shown = shown[:27] + "..."
        kind = "keyword" if str(tok) in KEYWORDS else (
            "name" if tok.type == "NAME" else "integer" if tok.type == "INT" else "token")
        return Diagnostic("MMS103", f"unexpected {kind} '{shown}'", span,
                          expected=_expected(e.expected), notes=_eq_hint(e))
    expected = getattr(e, "expected", None)
    open_ = _unclosed(text)
    notes = (f"'{open_[0]}' opened at {open_[1]}:{open_[2]} is not closed",) if open_ else ()
    return Diagnostic("MMS104", "unexpected end of file", _eof_span(text, file),
                      expected=_expected(expected), notes=notes)


# Associative operators: a long flat chain `a + b + ... + z` is rebuilt as a balanced tree so
# its depth is log2 of its length. Same operands, same left-to-right order, same value (the
# engines compute with unbounded integers; `&&`/`||` short-circuit identically), so "nesting
# too deep" is reported only for real nesting. Short chains keep their left-nested shape.
# LIMITATION: chains of `-`, `/`, `%` and comparisons are not associative and still nest.
_ASSOCIATIVE = frozenset({"add", "mul", "and_", "or_", "union", "inter", "bor", "bxor", "band"})
REBALANCE_AT = 32  # operands


def _chain_operands(node: Tree[Any]) -> list[Any]:
    """The operands of the left-nested chain of `node.data` rooted at `node`, in order."""
    rights: list[Any] = []
    cur: Any = node
    while isinstance(cur, Tree) and cur.data == node.data and len(cur.children) == 2:
        rights.append(cur.children[1])
        cur = cur.children[0]
    return [cur, *reversed(rights)]


def _spanning(first: Any, last: Any) -> Meta:
    m = Meta()  # type: ignore[no-untyped-call]
    a, b = first.meta, last.meta
    if not getattr(a, "empty", True) and not getattr(b, "empty", True):
        m.line, m.column, m.start_pos = a.line, a.column, a.start_pos
        m.end_line, m.end_column, m.end_pos = b.end_line, b.end_column, b.end_pos
        m.empty = False
    return m


def _balanced(data: str, ops: list[Any]) -> Any:
    if len(ops) == 1:
        return ops[0]
    mid = len(ops) // 2
    return Tree(data, [_balanced(data, ops[:mid]), _balanced(data, ops[mid:])],
                meta=_spanning(ops[0], ops[-1]))


def _rebalance_chains(tree: Tree[Any]) -> None:
    stack: list[Any] = [tree]
    while stack:
        node = stack.pop()
        if not isinstance(node, Tree):
            continue
        if node.data in _ASSOCIATIVE:
            ops = _chain_operands(node)
            if len(ops) >= REBALANCE_AT and all(isinstance(o, Tree) for o in ops):
                mid = len(ops) // 2
                node.children = [_balanced(node.data, ops[:mid]),
                                 _balanced(node.data, ops[mid:])]
                stack.extend(ops)
                continue
        stack.extend(node.children)


_CHAIN_OPS = {"sub": "-", "div": "/", "mod": "%", "minus": "minus", "add": "+", "mul": "*",
              "and_": "&&", "or_": "||", "union": "union", "inter": "inter",
              "bor": "|", "bxor": "^", "band": "&", "shl": "<<", "shr": ">>"}


def _depth_check(tree: Tree[Any], file: str) -> None:
    """Iteratively measure the tree's depth; reject trees later phases could not recurse.

    The error is located where the limit is crossed, or, when that is inside a long chain
    of one operator (`a - b - c - ...`, which nests one level per operator), at the chain."""
    stack: list[tuple[Any, int, Any, Any]] = [(tree, 1, tree, None)]
    while stack:
        # chain: the outermost node of the operator chain `node` belongs to (else node);
        # outer: the chain of node's parent, when node is one of its operands
        node, d, chain, outer = stack.pop()
        if not isinstance(node, Tree):
            continue
        if d > MAX_DEPTH:
            culprit = chain if chain is not node else outer
            if culprit is not None and culprit.data in _CHAIN_OPS:
                raise SpecError([Diagnostic(
                    "MMS106", f"nesting too deep (more than {MAX_DEPTH} levels): each "
                    f"'{_CHAIN_OPS[culprit.data]}' in this chain nests one level deeper",
                    _meta_span(file, culprit.meta),
                    expected="a shorter chain (split it with defs)")])
            raise SpecError([Diagnostic("MMS106", f"nesting too deep (more than {MAX_DEPTH} "
                                        "levels)", _meta_span(file, node.meta),
                                        expected="a flatter expression or statement")])
        in_chain = chain is not node or any(isinstance(c, Tree) and c.data == node.data
                                            for c in node.children[:1])
        for i, c in enumerate(node.children):
            same = i == 0 and isinstance(c, Tree) and c.data == node.data
            stack.append((c, d + 1, chain if same else c, chain if in_chain else None))


def parse_text(text: str, file: str) -> S.SpecFile:
    """Parse one file's text. Raises SpecError with a single parse diagnostic (carrying the
    text, so the caret display needs no second read of the file)."""
    try:
        return _parse_text(text, file)
    except SpecError as e:
        raise e.with_sources([(file, text)]) from None


def _parse_text(text: str, file: str) -> S.SpecFile:
    _prescan(text, file)
    try:
        tree = _lark().parse(text)
    except UnexpectedInput as e:
        raise SpecError([_translate(e, text, file)]) from None
    _rebalance_chains(tree)
    _depth_check(tree, file)
    for node in tree.iter_subtrees():
        if node.data == "assign":
            n = sum(1 for c in node.children if isinstance(c, Tree) and c.data == "lvalue")
            node.children.insert(0, Token("NLV", str(n)))
    try:
        return _ToAst(file, text).transform(tree)  # type: ignore[no-any-return]
    except VisitError as e:
        if isinstance(e.orig_exc, _Fail):
            raise SpecError([e.orig_exc.diag]) from None
        if isinstance(e.orig_exc, SpecError):
            raise e.orig_exc from None
        raise
    except RecursionError:  # pragma: no cover - the depth check should prevent this
        raise SpecError([Diagnostic("MMS106", "nesting too deep", Span(file, 1, 1, 1, 2))]) \
            from None


def parse_file(path: str, confinement: Confinement | None = None) -> S.SpecFile:
    return parse_text(read_source(path, confinement=confinement), path)
