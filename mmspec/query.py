"""A spec expression typed against a spec: the front-end half of `mmspec trace --eval`.

The query text is parsed with the spec grammar (as the body of a `def`, so it accepts exactly
what a def body may hold), then elaborated in the scope of an invariant of the loaded spec:
its variables, constants, defs (expanded as anywhere else), lock predicates and `P@label`.
Errors are diagnostics located in the query string itself (file `--eval`, line 1 = the
query's first line), so the CLI shows the usual caret under the query.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Mapping

from mmspec import ir
from mmspec import syntax as S
from mmspec.confine import Confinement
from mmspec.diagnostics import Diagnostic, SpecError
from mmspec.lower import _Lowering
from mmspec.parser import MAX_DEPTH, parse_text
from mmspec.resolve import check_def_nesting, load_tree
from mmspec.typecheck import ErrType

QUERY_FILE = "--eval"  # the pseudo file name spans in a query carry
_NAME = "mmspec_eval_query__"
_PREFIX = f"def {_NAME} =\n"  # on its own line: the query keeps its own line/column numbers


@dataclass(frozen=True)
class Query:
    text: str
    expr: ir.Expr
    type: ir.Type


def _relocate(e: SpecError, text: str) -> SpecError:
    """Diagnostics of the wrapped text, moved back into the query string."""
    out = []
    for d in e.diagnostics:
        s = d.span
        if s.file == QUERY_FILE:
            line = max(s.line - 1, 1)
            end_line = max(s.end_line - 1, line)
            col = s.col if s.line > 1 else 1
            end_col = s.end_col if s.end_line > 1 else max(len(text), 1) + 1
            if s.line > text.count("\n") + 2:  # past the end: point just after the query
                last = text.split("\n")[-1]
                line = end_line = text.count("\n") + 1
                col, end_col = len(last) + 1, len(last) + 2
            s = ir.Span(QUERY_FILE, line, col, end_line, end_col)
        msg = d.message.replace("end of file", "end of the expression")
        out.append(dataclasses.replace(d, span=s, message=msg))
    return SpecError(out, {**e.sources, QUERY_FILE: text})


def parse_query(text: str) -> S.Expr:
    """The AST of one expression, or a SpecError located in `text`."""
    if not text.strip():
        raise SpecError([Diagnostic("MMS100", "empty expression", ir.Span(QUERY_FILE, 1, 1, 1, 2),
                                    expected="a spec expression, such as a variable name")],
                        {QUERY_FILE: text})
    try:
        tree = parse_text(_PREFIX + text, QUERY_FILE)
    except SpecError as e:
        raise _relocate(e, text) from None
    decls = list(tree.decls) if hasattr(tree, "decls") else []
    if len(decls) != 1 or not isinstance(decls[0], S.DefDecl):
        raise SpecError([Diagnostic("MMS100", "expected one expression",
                                    ir.Span(QUERY_FILE, 1, 1, 1, max(len(text), 1) + 1),
                                    expected="a single spec expression, not declarations")],
                        {QUERY_FILE: text})
    return _shift(decls[0].body)


def _shift(e: S.Expr) -> S.Expr:
    """Spans of the parsed body, one line up (the wrapper's `def` line is not the query's)."""
    def move(x: object) -> object:
        if isinstance(x, ir.Span):
            if x.file != QUERY_FILE:
                return x
            return ir.Span(x.file, x.line - 1, x.col, x.end_line - 1, x.end_col)
        if dataclasses.is_dataclass(x) and not isinstance(x, type):
            changes = {f.name: move(getattr(x, f.name)) for f in dataclasses.fields(x)}
            return dataclasses.replace(x, **changes)
        if isinstance(x, tuple):
            return tuple(move(v) for v in x)
        return x
    return move(e)  # type: ignore[return-value]


def compile_queries(spec_path: str, texts: list[str], defines: Mapping[str, int] | None = None,
                    tree: str | None = None) -> tuple[ir.Spec, list[Query]]:
    """Load the spec (confined to its tree) and type every query against it."""
    conf = Confinement.for_spec(str(spec_path), tree)
    loaded = load_tree(str(spec_path), conf)
    try:
        check_def_nesting(loaded.decls, MAX_DEPTH)
        low = _Lowering(loaded, dict(defines or {}))
        spec = low.run()
    except SpecError as e:
        raise e.with_sources(loaded.sources) from None
    out = []
    for text in texts:
        body = parse_query(text)
        te = low.el.expr(body, low.prop_ctx("expression"))
        if low.sink.items or isinstance(te.type, ErrType):
            items = low.sink.items or [Diagnostic("MMS200", "the expression has no type",
                                                  ir.Span(QUERY_FILE, 1, 1, 1, len(text) + 1))]
            raise SpecError(items, {QUERY_FILE: text, **dict(loaded.sources)})
        out.append(Query(text, te.expr, te.type))
    return spec, out
