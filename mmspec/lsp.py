"""`mmspec lsp`: a language server for .mms files on stdin/stdout, built on pygls.

Diagnostics (the CLI's codes and spans) are published on open, change and save; hover, go to
definition (across includes), document symbols and a quick fix for a diagnostic's own
"did you mean" come from `mmspec.specindex`. Only front-end code is imported: checking a
spec's behaviour stays the CLI's job.

Why pygls: it is the Python LSP framework that is kept up (pygls 2 on lsprotocol, the typed
protocol classes generated from the LSP specification), and it owns the JSON-RPC framing,
the document store and incremental edits, which we would otherwise write and test by hand.
"""
from __future__ import annotations

import os
from typing import Any

from lsprotocol import types as T
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from mmspec import __version__
from mmspec import specindex as X
from mmspec.diagnostics import Diagnostic
from mmspec.ir import Span

_SYMBOL_KINDS: dict[str, T.SymbolKind] = {
    "process": T.SymbolKind.Class, "proc": T.SymbolKind.Function,
    "action": T.SymbolKind.Event, "invariant": T.SymbolKind.Boolean,
    "property": T.SymbolKind.Property, "variable": T.SymbolKind.Variable,
    "constant": T.SymbolKind.Constant, "lock": T.SymbolKind.Object,
    "def": T.SymbolKind.Function, "type": T.SymbolKind.Struct, "label": T.SymbolKind.Key,
    "enum member": T.SymbolKind.EnumMember, "local": T.SymbolKind.Variable}


class MmsServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("mmspec", __version__)
        self.analyses: dict[str, X.Analysis] = {}  # uri -> last analysis with a parse tree
        self.published: dict[str, set[str]] = {}  # uri -> uris it published diagnostics to


server = MmsServer()


# --------------------------------------------------------------------------- conversions


def _path(uri: str) -> str:
    return to_fs_path(uri) or uri


def _uri(path: str) -> str:
    return from_fs_path(os.path.abspath(path)) or path


def _range(span: Span) -> T.Range:
    line = max(span.line - 1, 0)
    col = max(span.col - 1, 0)
    end_line = max(span.end_line - 1, line)
    end_col = max(span.end_col - 1, 0)
    if (end_line, end_col) <= (line, col):
        end_line, end_col = line, col + 1
    return T.Range(T.Position(line, col), T.Position(end_line, end_col))


def _diagnostic(d: Diagnostic, sources: dict[str, str]) -> T.Diagnostic:
    message = d.message
    if d.expected:
        message += f"\nexpected: {d.expected}"
    for note in d.notes:
        message += f"\nnote: {note}"
    fix = X.suggested_fix(d, sources)
    data: Any = {"title": fix.title, "replacement": fix.replacement} if fix else None
    return T.Diagnostic(range=_range(d.span), message=message, code=d.code, source="mmspec",
                        severity=T.DiagnosticSeverity.Error, data=data)


def _outline(o: X.Outline) -> T.DocumentSymbol:
    return T.DocumentSymbol(name=o.name, kind=_SYMBOL_KINDS[o.kind], range=_range(o.span),
                            selection_range=_range(o.name_span), detail=o.kind,
                            children=[_outline(c) for c in o.children] or None)


# --------------------------------------------------------------------------- diagnostics


def _validate(ls: MmsServer, uri: str) -> None:
    doc = ls.workspace.get_text_document(uri)
    path = _path(uri)
    a = X.analyse(path, doc.source)
    if a.parsed or uri not in ls.analyses:
        ls.analyses[uri] = a
    by_uri: dict[str, list[T.Diagnostic]] = {uri: []}
    for d in a.diagnostics:
        target = uri if d.span.file == path else _uri(d.span.file)
        by_uri.setdefault(target, []).append(_diagnostic(d, a.sources))
    for stale in ls.published.get(uri, set()) - set(by_uri):
        by_uri[stale] = []
    ls.published[uri] = set(by_uri) - {uri}
    for target, diags in by_uri.items():
        ls.text_document_publish_diagnostics(
            T.PublishDiagnosticsParams(uri=target, diagnostics=diags, version=doc.version
                                       if target == uri else None))


@server.feature(T.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: MmsServer, params: T.DidOpenTextDocumentParams) -> None:
    _validate(ls, params.text_document.uri)


@server.feature(T.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: MmsServer, params: T.DidChangeTextDocumentParams) -> None:
    _validate(ls, params.text_document.uri)


@server.feature(T.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: MmsServer, params: T.DidSaveTextDocumentParams) -> None:
    _validate(ls, params.text_document.uri)


@server.feature(T.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: MmsServer, params: T.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.analyses.pop(uri, None)
    for target in {uri} | ls.published.pop(uri, set()):
        ls.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=target,
                                                                        diagnostics=[]))


# --------------------------------------------------------------------------- navigation


def _target(ls: MmsServer, uri: str, pos: T.Position) -> X.Target | None:
    a = ls.analyses.get(uri)
    if a is None:
        return None
    return X.find_target(a, _path(uri), pos.line + 1, pos.character + 1)


@server.feature(T.TEXT_DOCUMENT_HOVER)
def hover(ls: MmsServer, params: T.HoverParams) -> T.Hover | None:
    t = _target(ls, params.text_document.uri, params.position)
    if t is None:
        return None
    return T.Hover(contents=T.MarkupContent(kind=T.MarkupKind.Markdown,
                                            value=f"**{t.kind}** `{t.name}`\n\n{t.detail}"))


@server.feature(T.TEXT_DOCUMENT_DEFINITION)
def definition(ls: MmsServer, params: T.DefinitionParams) -> T.Location | None:
    t = _target(ls, params.text_document.uri, params.position)
    if t is None or t.span.line <= 0:
        return None
    path = _path(params.text_document.uri)
    uri = params.text_document.uri if t.span.file == path else _uri(t.span.file)
    return T.Location(uri=uri, range=_range(t.span))


@server.feature(T.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbol(ls: MmsServer, params: T.DocumentSymbolParams) -> list[T.DocumentSymbol]:
    a = ls.analyses.get(params.text_document.uri)
    return [] if a is None else [_outline(o) for o in X.outline(a)]


@server.feature(T.TEXT_DOCUMENT_CODE_ACTION,
                T.CodeActionOptions(code_action_kinds=[T.CodeActionKind.QuickFix]))
def code_action(ls: MmsServer, params: T.CodeActionParams) -> list[T.CodeAction]:
    """A quick fix for each diagnostic in range that carries its own suggestion."""
    out = []
    for d in params.context.diagnostics:
        data = d.data if isinstance(d.data, dict) else None
        if not data or not isinstance(data.get("replacement"), str):
            continue
        edit = T.TextEdit(range=d.range, new_text=data["replacement"])
        out.append(T.CodeAction(title=str(data.get("title", "Apply suggestion")),
                                kind=T.CodeActionKind.QuickFix, diagnostics=[d],
                                is_preferred=True,
                                edit=T.WorkspaceEdit(changes={params.text_document.uri:
                                                              [edit]})))
    return out


def serve() -> int:
    """Run until the client sends exit (or closes stdin)."""
    server.start_io()
    return 0
