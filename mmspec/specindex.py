"""What an editor asks about a spec, answered from the front-end alone (no pygls here, so it
can be tested directly; mmspec/lsp.py turns it into the Language Server Protocol).

`analyse(path, text)` runs the same phases as `mmspec parse` (parse, includes, resolve,
type-check, lower) on the editor's text rather than the file on disk, and keeps what hover,
go-to-definition and the outline need: every file's text, the declarations with includes
spliced in, and the global symbol table. When the text does not parse, the caller keeps the
previous good analysis for navigation and shows the new diagnostics.

LIMITATION: columns are counted in characters; LSP counts UTF-16 units, which differ only
after a character outside the Basic Multilingual Plane on the same line (in practice only in
comments, since names are ASCII).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator, Literal

from mmspec import syntax as S
from mmspec.confine import Confinement
from mmspec.diagnostics import Diagnostic, Sink, SpecError
from mmspec.ir import Span
from mmspec.lockkinds import find_lock_kind
from mmspec.lockops import OPS
from mmspec.parser import parse_text
from mmspec.resolve import Loaded, Symbols, _key, _splice, build_symbols

SymbolKind = Literal["process", "proc", "action", "invariant", "property", "variable",
                     "constant", "lock", "def", "type", "enum member", "label", "local"]

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_SUGGESTION = re.compile(r"did you mean '([^']+)'\?")
_QUOTED = re.compile(r"'([^']+)'")


@dataclass(frozen=True)
class Fix:
    """Replace the diagnostic's span with `replacement` (the 'did you mean' it suggests)."""

    title: str
    replacement: str


@dataclass
class Analysis:
    path: str
    diagnostics: list[Diagnostic]
    sources: dict[str, str]
    main: S.SpecFile | None = None
    decls: list[S.Decl] = field(default_factory=list)
    symbols: Symbols | None = None

    @property
    def parsed(self) -> bool:
        return self.main is not None


@dataclass(frozen=True)
class Target:
    """A name found at a position: what it is, where it is declared, what to show on hover."""

    name: str
    kind: SymbolKind
    span: Span  # the declaring name's span
    detail: str  # markdown


@dataclass(frozen=True)
class Outline:
    name: str
    kind: SymbolKind
    span: Span
    name_span: Span
    children: tuple["Outline", ...] = ()


# --------------------------------------------------------------------------- analysis


def analyse(path: str, text: str) -> Analysis:
    """Every diagnostic the CLI would print for this text, and the index for navigation."""
    from mmspec.lower import lower

    result = Analysis(path, [], {path: text})
    try:
        main = parse_text(text, path)
    except SpecError as e:
        result.diagnostics = list(e.diagnostics)
        return result
    result.main = main
    sources: list[tuple[str, str]] = [(path, text)]
    try:
        _splice(main, result.decls, sources, {_key(path)}, [_key(path)],
                Confinement.for_spec(path))
    except SpecError as e:
        result.diagnostics = list(e.diagnostics)
    result.sources.update(dict(sources))
    result.symbols = build_symbols(result.decls, Sink())
    if result.diagnostics:
        return result
    try:
        lower(Loaded(main, result.decls, sources), {})
    except SpecError as e:
        result.diagnostics = list(e.diagnostics)
    except RecursionError:
        result.diagnostics = [Diagnostic("MMS106", "spec nested too deeply to check",
                                         Span(path, 1, 1, 1, 2))]
    return result


def suggested_fix(d: Diagnostic, sources: dict[str, str]) -> Fix | None:
    """The diagnostic's own 'did you mean X?', when its span is exactly the quoted culprit."""
    for text in (d.message, d.expected or "", *d.notes):
        m = _SUGGESTION.search(text)
        if m:
            break
    else:
        return None
    culprit = _QUOTED.search(d.message)
    if culprit is None or span_text(sources, d.span) != culprit.group(1):
        return None
    return Fix(f"Replace '{culprit.group(1)}' with '{m.group(1)}'", m.group(1))


# --------------------------------------------------------------------------- source text


def span_text(sources: dict[str, str], span: Span) -> str:
    text = sources.get(span.file)
    if text is None or span.line <= 0:
        return ""
    lines = text.split("\n")
    if span.line > len(lines) or span.end_line > len(lines):
        return ""
    if span.line == span.end_line:
        return lines[span.line - 1][span.col - 1: span.end_col - 1]
    parts = [lines[span.line - 1][span.col - 1:], *lines[span.line: span.end_line - 1],
             lines[span.end_line - 1][: span.end_col - 1]]
    return "\n".join(parts)


def word_at(text: str, line: int, col: int) -> tuple[str, Span] | None:
    """The (possibly dotted) name under 1-based (line, col), with its span."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    src = lines[line - 1]
    comment = src.find("//")
    if 0 <= comment < col - 1 and src.count('"', 0, comment) % 2 == 0:
        return None  # inside a line comment
    for m in _WORD.finditer(src):
        if m.start() + 1 <= col <= m.end() + 1:
            return m.group(0), Span("", line, m.start() + 1, line, m.end() + 1)
    return None


def _contains(span: Span, file: str, line: int, col: int) -> bool:
    if span.file != file or span.line <= 0:
        return False
    return (span.line, span.col) <= (line, col) <= (span.end_line, span.end_col)


def _code(text: str) -> str:
    return f"```mms\n{text.strip()}\n```"


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0].rstrip(" {").rstrip()


# --------------------------------------------------------------------------- statements


def walk_stmts(body: tuple[S.Stmt, ...]) -> Iterator[S.Stmt]:
    for st in body:
        yield st
        if isinstance(st, S.If):
            yield from walk_stmts(st.then)
            if st.other:
                yield from walk_stmts(st.other)
        elif isinstance(st, (S.While, S.Atomic)):
            yield from walk_stmts(st.body)
        elif isinstance(st, S.Either):
            for b in st.branches:
                yield from walk_stmts(b)


def _label_span(st: S.Stmt) -> Span:
    """A labelled statement's span starts at its label (the grammar's `labeled` rule)."""
    s, label = st.span, st.label or ""
    return Span(s.file, s.line, s.col, s.line, s.col + len(label))


def labels_of(body: tuple[S.Stmt, ...]) -> list[tuple[str, Span, S.Stmt]]:
    return [(st.label, _label_span(st), st) for st in walk_stmts(body) if st.label]


def _bodies(decls: list[S.Decl]) -> Iterator[S.ProcessDecl | S.ProcDecl]:
    for d in decls:
        if isinstance(d, (S.ProcessDecl, S.ProcDecl)):
            yield d


# --------------------------------------------------------------------------- lookups


def find_target(a: Analysis, file: str, line: int, col: int) -> Target | None:
    """The declaration of the name at (line, col) in `file`: a label, a local, a global."""
    if a.symbols is None:
        return None
    found = word_at(a.sources.get(file, ""), line, col)
    if found is None:
        return None
    word, _ = found
    owner = next((b for b in _bodies(a.decls) if _contains(b.span, file, line, col)), None)
    if owner is not None:
        hit = _label_target(a, owner, word) or _local_target(a, owner, word.split(".")[0])
        if hit is not None:
            return hit
    name = word.split(".")[0]
    return _global_target(a, name)


def _label_target(a: Analysis, owner: S.ProcessDecl | S.ProcDecl, word: str) -> Target | None:
    for label, span, st in labels_of(owner.body):
        if label == word:
            stmt = _first_line(span_text(a.sources, st.span))
            what = "process" if isinstance(owner, S.ProcessDecl) else "proc"
            return Target(label, "label", span,
                          f"step label in {what} `{owner.name}`\n\n{_code(stmt)}")
    return None


def _local_target(a: Analysis, owner: S.ProcessDecl | S.ProcDecl, name: str) -> Target | None:
    if isinstance(owner, S.ProcessDecl) and owner.param is not None \
            and owner.param.name == name:
        b = owner.param
        dom = span_text(a.sources, b.span)
        span = Span(b.span.file, b.span.line, b.span.col, b.span.line, b.span.col + len(name))
        return Target(name, "local", span,
                      f"{_code(dom)}\n\nthe thread id of process `{owner.name}`")
    for st in walk_stmts(owner.body):
        if isinstance(st, S.LocalVar) and st.decl.name == name:
            d = st.decl
            return Target(name, "local", d.name_span,
                          f"{_code(_decl_text(a, d))}\n\nlocal of `{owner.name}`; "
                          f"type `{span_text(a.sources, d.type.span)}`")
    return None


def _decl_text(a: Analysis, d: S.Decl) -> str:
    return span_text(a.sources, d.span)


def _kind_summary(kind: str) -> str:
    info = find_lock_kind(kind)
    return info.summary if info is not None else kind


def _lock_detail(a: Analysis, d: S.LockDecl) -> str:
    ops = sorted(op for op, lo in OPS.items() if d.kind in lo.kinds and not op.startswith("__"))
    extra = []
    if d.index is not None:
        extra.append(f"one per element of `{span_text(a.sources, d.index.span)}`")
    if d.writer_pref:
        extra.append("writers are preferred: a queued writer blocks new readers")
    if d.cls:
        extra.append(f"lockdep class `{d.cls}`")
    text = f"{_code(_decl_text(a, d))}\n\n`{d.name}` is {_kind_summary(d.kind)}"
    if extra:
        text += "; " + "; ".join(extra)
    return text + ".\n\nOperations: " + ", ".join(f"`{o}`" for o in ops)


def _global_target(a: Analysis, name: str) -> Target | None:
    sy = a.symbols
    assert sy is not None
    if name in sy.vars:
        d = sy.vars[name]
        kind = "ghost variable" if d.ghost else "state variable"
        return Target(name, "variable", d.name_span,
                      f"{_code(_decl_text(a, d))}\n\n{kind} of type "
                      f"`{span_text(a.sources, d.type.span)}`")
    if name in sy.consts:
        d_c = sy.consts[name]
        return Target(name, "constant", d_c.name_span,
                      f"{_code(_decl_text(a, d_c))}\n\nconstant (override with `-D {name}=...`)")
    if name in sy.locks:
        return Target(name, "lock", sy.locks[name].name_span, _lock_detail(a, sy.locks[name]))
    if name in sy.defs:
        d_d = sy.defs[name]
        params = f"({', '.join(d_d.params)})" if d_d.params else ""
        body = span_text(a.sources, d_d.body.span)
        return Target(name, "def", d_d.name_span,
                      f"{_code(f'def {name}{params} = {body}')}\n\nexpands to "
                      f"`{' '.join(body.split())}`")
    if name in sy.types:
        return Target(name, "type", sy.types[name].name_span,
                      _code(_decl_text(a, sy.types[name])))
    if name in sy.members:
        m = sy.members[name]
        return Target(name, "enum member", m.span,
                      f"member {m.index} of `{span_text(a.sources, m.owner.span)}`")
    for table, kind in ((sy.processes, "process"), (sy.procs, "proc"), (sy.actions, "action"),
                        (sy.invariants, "invariant"), (sy.properties, "property")):
        if name in table:
            d_x = table[name]
            return Target(name, kind, d_x.name_span,  # type: ignore[arg-type]
                          _code(_first_line(_decl_text(a, d_x))))
    return None


# --------------------------------------------------------------------------- outline


def outline(a: Analysis) -> list[Outline]:
    """The document's own top-level declarations (not its includes), processes with labels."""
    if a.main is None:
        return []
    out: list[Outline] = []
    for d in a.main.decls:
        kind = _OUTLINE_KINDS.get(type(d))
        if kind is None:
            continue
        children: tuple[Outline, ...] = ()
        if isinstance(d, (S.ProcessDecl, S.ProcDecl)):
            children = tuple(Outline(label, "label", st.span, span)
                             for label, span, st in labels_of(d.body))
        out.append(Outline(str(getattr(d, "name")), kind, d.span, getattr(d, "name_span"),
                           children))
    return out


_OUTLINE_KINDS: dict[type, SymbolKind] = {
    S.ProcessDecl: "process", S.ProcDecl: "proc", S.ActionDecl: "action",
    S.InvariantDecl: "invariant", S.PropertyDecl: "property", S.VarDecl: "variable",
    S.ConstDecl: "constant", S.LockDecl: "lock", S.DefDecl: "def", S.TypeDecl: "type"}
