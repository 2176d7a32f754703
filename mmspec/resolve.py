"""Includes and the global symbol table.

`load_tree` reads the main file and, depth first, every file it includes (each file once; a
file that includes itself through a chain is an include cycle, MMS211). Includes resolve only
inside the spec's tree, `--include-path` folders and the prelude (`mmspec.confine`; MMS217). `Symbols.build`
collects every global declaration into one namespace and reports duplicates (MMS201), so
later phases can look any name up without caring which file declared it.
"""
from __future__ import annotations

import os
from dataclasses import field, fields, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, cheaper to create (start-up time)
    from mmspec.nodeclass import dataclass

from mmspec import syntax as S
from mmspec.confine import Confinement, ReadRefused, resolve_include
from mmspec.diagnostics import Diagnostic, Sink, SpecError
from mmspec.ir import Span
from mmspec.parser import parse_text, read_source

MAX_INCLUDES = 200


@dataclass
class Loaded:
    """The main file's declarations with includes spliced in, and every file's text."""

    main: S.SpecFile
    decls: list[S.Decl]
    sources: list[tuple[str, str]]


def load_tree(path: str, confinement: Confinement | None = None) -> Loaded:
    """Read and parse `path` and its includes, confined to `confinement` (by default the
    spec's own folder tree and the prelude; see `mmspec.confine`)."""
    conf = confinement or Confinement.for_spec(path)
    sources: list[tuple[str, str]] = []
    try:
        text = read_source(path, confinement=conf)
        sources.append((path, text))
        main = parse_text(text, path)
        seen: set[str] = {_key(path)}
        decls: list[S.Decl] = []
        _splice(main, decls, sources, seen, [_key(path)], conf)
    except SpecError as e:
        raise e.with_sources(sources) from None
    return Loaded(main, decls, sources)


def _key(path: str) -> str:
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError):
        return os.path.abspath(path)


def _splice(tree: S.SpecFile, out: list[S.Decl], sources: list[tuple[str, str]],
            seen: set[str], stack: list[str], conf: Confinement) -> None:
    for d in tree.decls:
        if not isinstance(d, S.Include):
            if not (isinstance(d, S.SpecName) and len(stack) > 1):  # includes have no name
                out.append(d)
            continue
        sub_path = _resolve(tree.file, d, conf)
        key = _key(sub_path)
        if key in stack:
            chain = " -> ".join(os.path.basename(k) for k in stack + [key])
            raise SpecError([Diagnostic("MMS211", f"include cycle: {chain}", d.span,
                                        expected="includes that form no cycle")])
        if key in seen:
            continue  # a second include of the same file is ignored
        if len(seen) >= MAX_INCLUDES:
            raise SpecError([Diagnostic("MMS210", f"more than {MAX_INCLUDES} included files",
                                        d.span)])
        seen.add(key)
        text = read_source(sub_path, d.span, "MMS210", conf)
        sources.append((sub_path, text))
        sub = parse_text(text, sub_path)
        _splice(sub, out, sources, seen, stack + [key], conf)


def _resolve(includer: str, d: S.Include, conf: Confinement) -> str:
    """The path `include "..."` names, confined; a refusal is located at the include."""
    try:
        return resolve_include(includer, d.path, conf)
    except ReadRefused as e:
        code = "MMS218" if "\0" in d.path or not d.path.strip() else "MMS217"
        shown = repr(d.path) if any(not c.isprintable() for c in d.path) else f"'{d.path}'"
        expected = ("a path inside " + conf.describe() if code == "MMS217"
                    else "a file name without NUL bytes")
        raise SpecError([Diagnostic(code, f"cannot include {shown}: {e}", d.span,
                                    expected=expected)]
                        ) from None


# --------------------------------------------------------------------------- symbols


@dataclass
class EnumMember:
    name: str
    index: int
    owner: S.EnumT
    span: Span


@dataclass
class Symbols:
    spec_name: str | None = None
    consts: dict[str, S.ConstDecl] = field(default_factory=dict)
    types: dict[str, S.TypeDecl] = field(default_factory=dict)
    vars: dict[str, S.VarDecl] = field(default_factory=dict)
    defs: dict[str, S.DefDecl] = field(default_factory=dict)
    locks: dict[str, S.LockDecl] = field(default_factory=dict)
    waits: dict[str, S.WaitDecl] = field(default_factory=dict)  # wait queues, rcuwait, ...
    actions: dict[str, S.ActionDecl] = field(default_factory=dict)
    processes: dict[str, S.ProcessDecl] = field(default_factory=dict)
    procs: dict[str, S.ProcDecl] = field(default_factory=dict)
    members: dict[str, EnumMember] = field(default_factory=dict)
    invariants: dict[str, S.InvariantDecl] = field(default_factory=dict)
    properties: dict[str, S.PropertyDecl] = field(default_factory=dict)
    options: list[S.OptionDecl] = field(default_factory=list)
    expects: list[S.ExpectDecl] = field(default_factory=list)
    fair_refs: list[S.FairRef] = field(default_factory=list)
    constraints: dict[str, S.ConstraintDecl] = field(default_factory=dict)
    initials: dict[str, S.InitialDecl] = field(default_factory=dict)
    objects: dict[str, S.ObjectsDecl] = field(default_factory=dict)  # object pools
    where: dict[str, tuple[str, Span]] = field(default_factory=dict)  # name -> (kind, span)

    def kind_of(self, name: str) -> str | None:
        w = self.where.get(name)
        return w[0] if w else None

    def all_names(self) -> list[str]:
        return list(self.where)


def _enum_types(t: S.TypeExpr) -> list[S.EnumT]:
    if isinstance(t, S.EnumT):
        return [t]
    if isinstance(t, S.MapT):
        return _enum_types(t.key) + _enum_types(t.value)
    if isinstance(t, (S.SetT, S.SeqT)):
        return _enum_types(t.elem)
    if isinstance(t, S.RecordT):
        return [e for _, ft in t.fields for e in _enum_types(ft)]
    return []


def build_symbols(decls: list[S.Decl], sink: Sink) -> Symbols:
    sy = Symbols()
    props: dict[str, Span] = {}

    def declare(name: str, kind: str, span: Span) -> bool:
        if name in sy.where:
            k, first = sy.where[name]
            sink.error("MMS201", f"'{name}' is already declared (as a {k})", span,
                       notes=(f"first declared at {first}",))
            return False
        sy.where[name] = (kind, span)
        return True

    def declare_prop(name: str, span: Span) -> bool:
        if name in props:
            sink.error("MMS201", f"property '{name}' is already declared", span,
                       notes=(f"first declared at {props[name]}",))
            return False
        props[name] = span
        return True

    def enums_in(t: S.TypeExpr) -> None:
        for et in _enum_types(t):
            spans = et.member_spans or tuple(et.span for _ in et.members)
            for i, (m, sp) in enumerate(zip(et.members, spans)):
                if declare(m, "enum member", sp):
                    sy.members[m] = EnumMember(m, i, et, sp)

    for d in decls:
        if isinstance(d, S.SpecName):
            if sy.spec_name is not None:
                sink.error("MMS201", "the spec name is already given", d.span)
            sy.spec_name = d.name
        elif isinstance(d, S.ConstDecl):
            if declare(d.name, "constant", d.name_span):
                sy.consts[d.name] = d
        elif isinstance(d, S.TypeDecl):
            if declare(d.name, "type", d.name_span):
                sy.types[d.name] = d
            enums_in(d.type)
        elif isinstance(d, S.ObjectsDecl):  # the pool's reference type 0..COUNT
            if declare(d.name, "type", d.name_span):
                sy.objects[d.name] = d
                sy.types[d.name] = S.TypeDecl(d.name, S.RangeT(S.IntLit(0, span=d.span),
                                              d.count, span=d.span), span=d.span,
                                              name_span=d.name_span)
        elif isinstance(d, S.VarDecl):
            if declare(d.name, "variable", d.name_span):
                sy.vars[d.name] = d
            enums_in(d.type)
        elif isinstance(d, S.DefDecl):
            if declare(d.name, "def", d.name_span):
                sy.defs[d.name] = d
        elif isinstance(d, S.LockDecl):
            if declare(d.name, "lock", d.name_span):
                sy.locks[d.name] = d
            if d.index is not None:
                enums_in(d.index)
        elif isinstance(d, S.WaitDecl):
            if declare(d.name, d.kind, d.name_span):
                sy.waits[d.name] = d
        elif isinstance(d, S.ActionDecl):
            if declare(d.name, "action", d.name_span):
                sy.actions[d.name] = d
        elif isinstance(d, S.ProcessDecl):
            if declare(d.name, "process", d.name_span):
                sy.processes[d.name] = d
            for st in _local_decls(d.body):
                enums_in(st.decl.type)
        elif isinstance(d, S.ProcDecl):
            if declare(d.name, "proc", d.name_span):
                sy.procs[d.name] = d
            for st in _local_decls(d.body):
                enums_in(st.decl.type)
        elif isinstance(d, S.InvariantDecl):
            if declare_prop(d.name, d.name_span):
                sy.invariants[d.name] = d
        elif isinstance(d, S.PropertyDecl):
            if declare_prop(d.name, d.name_span):
                sy.properties[d.name] = d
        elif isinstance(d, S.ConstraintDecl):
            if declare_prop(d.name, d.name_span):
                sy.constraints[d.name] = d
        elif isinstance(d, S.InitialDecl):
            if declare_prop(d.name, d.name_span):
                sy.initials[d.name] = d
        elif isinstance(d, S.OptionDecl):
            sy.options.append(d)
        elif isinstance(d, S.ExpectDecl):
            sy.expects.append(d)
        elif isinstance(d, S.FairRef):
            sy.fair_refs.append(d)
    return sy


def _local_decls(body: tuple[S.Stmt, ...]) -> list[S.LocalVar]:
    return [s for s in body if isinstance(s, S.LocalVar)]


# --------------------------------------------------------------------------- def nesting


def _children(node: object) -> list[object]:
    """The syntax nodes directly inside `node` (dataclass fields, tuples flattened)."""
    out: list[object] = []
    todo: list[object] = [getattr(node, f.name) for f in fields(node)]  # type: ignore[arg-type]
    while todo:
        v = todo.pop()
        if isinstance(v, (tuple, list)):
            todo.extend(v)
        elif is_dataclass(v) and not isinstance(v, (type, Span)):
            out.append(v)
    return out


def _def_ref(node: object, defs: dict[str, S.DefDecl]) -> str | None:
    if isinstance(node, S.Name) and node.id in defs:
        return node.id
    if isinstance(node, S.Call) and node.func in defs:
        return node.func
    return None


def _expanded_depth(root: object, defs: dict[str, S.DefDecl], depth_of: dict[str, int],
                    limit: int) -> tuple[int, str | None, Span | None]:
    """The depth of `root` once every def it names is inlined, counting each expansion as
    a level (the type checker recurses once per expansion even when `def f = g` adds no
    expression depth). Iterative. Returns the depth and, if it exceeds `limit` only because
    of a def, that def and where it is used."""
    best, culprit, where = 0, None, None
    stack: list[tuple[object, int]] = [(root, 1)]
    while stack:
        node, d = stack.pop()
        ref = _def_ref(node, defs)
        total = d + depth_of.get(ref, 1) if ref is not None else d
        if total > best:
            best = total
            if total > limit and ref is not None and culprit is None:
                culprit, where = ref, getattr(node, "span", None)
        stack.extend((c, d + 1) for c in _children(node))
    return best, culprit, where


def check_def_nesting(decls: list[S.Decl], limit: int) -> None:
    """Reject a chain of defs whose inlined expression would nest deeper than `limit` (the
    parser's own depth limit, which later phases rely on), at the def where it happens.

    Each def's body is short, so the parser's depth check passes; but defs are inlined
    before checking, and a chain of 300 defs each using the previous one is a 300-level
    expression. Without this the recursion limit hit somewhere later, reported at 1:1."""
    defs: dict[str, S.DefDecl] = {}
    for d in decls:
        if isinstance(d, S.DefDecl):
            defs.setdefault(d.name, d)
    depth_of: dict[str, int] = {}
    refs = {n: [r for r in (_def_ref(x, defs) for x in _walk(d.body)) if r is not None]
            for n, d in defs.items()}
    for name in defs:
        # iterative post-order: a def's dependencies first (a cycle is MMS209, reported later)
        stack: list[tuple[str, bool]] = [(name, False)]
        entered: set[str] = set()
        while stack:
            n, ready = stack.pop()
            if n in depth_of:
                continue
            if not ready:
                if n in entered:
                    continue
                entered.add(n)
                stack.append((n, True))
                stack.extend((r, False) for r in refs[n] if r not in depth_of)
                continue
            got, culprit, where = _expanded_depth(defs[n].body, defs, depth_of, limit)
            if culprit is not None:
                d = defs[n]
                raise SpecError([Diagnostic(
                    "MMS106", f"def '{n}' nests more than {limit} levels deep once the defs "
                    f"it uses are expanded, each counting as a level (through '{culprit}')",
                    d.name_span,
                    expected="a shorter chain of defs, each using the previous one",
                    notes=(f"'{culprit}' is used at {where}",) if where else ())])
            depth_of[n] = got


def _walk(root: object) -> list[object]:
    out, todo = [], [root]
    while todo:
        n = todo.pop()
        out.append(n)
        todo.extend(_children(n))
    return out
