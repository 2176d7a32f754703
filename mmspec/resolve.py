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
from typing import TYPE_CHECKING, Any, Callable

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
    """The symbol table of a spec's declarations (includes resolved); a name declared twice
    is MMS201 at its second declaration."""
    table = _Declaring(sink)
    for d in decls:
        decl: Any = d  # which fields it has depends on its kind, looked up below
        named = _NAMED.get(type(d))
        if named is not None:
            kind, where = named
            table.named(decl, kind, where(table.sy))
            continue
        prop = _PROPERTIES.get(type(d))
        if prop is not None:
            if table.declare_prop(decl.name, decl.name_span):
                prop(table.sy)[decl.name] = d
            continue
        listed = _LISTED.get(type(d))
        if listed is not None:
            listed(table.sy).append(d)
            continue
        special = _SPECIAL.get(type(d))
        if special is not None:
            special(table, d)
    return table.sy


class _Declaring:
    """The table being built, and the checks made while declaring a name."""

    def __init__(self, sink: Sink):
        self.sy = Symbols()
        self.sink = sink
        self.props: dict[str, Span] = {}

    def declare(self, name: str, kind: str, span: Span) -> bool:
        if name in self.sy.where:
            k, first = self.sy.where[name]
            self.sink.error("MMS201", f"'{name}' is already declared (as a {k})", span,
                            notes=(f"first declared at {first}",))
            return False
        self.sy.where[name] = (kind, span)
        return True

    def declare_prop(self, name: str, span: Span) -> bool:
        if name in self.props:
            self.sink.error("MMS201", f"property '{name}' is already declared", span,
                            notes=(f"first declared at {self.props[name]}",))
            return False
        self.props[name] = span
        return True

    def named(self, d: Any, kind: str, into: dict[str, Any]) -> None:
        if self.declare(d.name, kind, d.name_span):
            into[d.name] = d

    def enums_in(self, t: S.TypeExpr) -> None:
        for et in _enum_types(t):
            spans = et.member_spans or tuple(et.span for _ in et.members)
            for i, (m, sp) in enumerate(zip(et.members, spans)):
                if self.declare(m, "enum member", sp):
                    self.sy.members[m] = EnumMember(m, i, et, sp)

    def spec_name(self, d: S.SpecName) -> None:
        if self.sy.spec_name is not None:
            self.sink.error("MMS201", "the spec name is already given", d.span)
        self.sy.spec_name = d.name

    def type_decl(self, d: S.TypeDecl) -> None:
        self.named(d, "type", self.sy.types)
        self.enums_in(d.type)

    def objects(self, d: S.ObjectsDecl) -> None:  # the pool's reference type 0..COUNT
        if self.declare(d.name, "type", d.name_span):
            self.sy.objects[d.name] = d
            self.sy.types[d.name] = S.TypeDecl(d.name, S.RangeT(S.IntLit(0, span=d.span),
                                               d.count, span=d.span), span=d.span,
                                               name_span=d.name_span)

    def variable(self, d: S.VarDecl) -> None:
        self.named(d, "variable", self.sy.vars)
        self.enums_in(d.type)

    def lock(self, d: S.LockDecl) -> None:
        self.named(d, "lock", self.sy.locks)
        if d.index is not None:
            self.enums_in(d.index)

    def wait(self, d: S.WaitDecl) -> None:
        self.named(d, d.kind, self.sy.waits)

    def process(self, d: S.ProcessDecl) -> None:
        self.named(d, "process", self.sy.processes)
        for st in _local_decls(d.body):
            self.enums_in(st.decl.type)

    def proc(self, d: S.ProcDecl) -> None:
        self.named(d, "proc", self.sy.procs)
        for st in _local_decls(d.body):
            self.enums_in(st.decl.type)


# Declarations by kind: a plain name (its kind and its table), a property name (its table),
# an entry of a list, or a method of _Declaring for the rest.
_NAMED: dict[type, tuple[str, Callable[[Symbols], dict[str, Any]]]] = {
    S.ConstDecl: ("constant", lambda sy: sy.consts),
    S.DefDecl: ("def", lambda sy: sy.defs),
    S.ActionDecl: ("action", lambda sy: sy.actions),
}
_PROPERTIES: dict[type, Callable[[Symbols], dict[str, Any]]] = {
    S.InvariantDecl: lambda sy: sy.invariants, S.PropertyDecl: lambda sy: sy.properties,
    S.ConstraintDecl: lambda sy: sy.constraints, S.InitialDecl: lambda sy: sy.initials,
}
_LISTED: dict[type, Callable[[Symbols], list[Any]]] = {
    S.OptionDecl: lambda sy: sy.options, S.ExpectDecl: lambda sy: sy.expects,
    S.FairRef: lambda sy: sy.fair_refs,
}
_SPECIAL: dict[type, Callable[[_Declaring, Any], None]] = {
    S.SpecName: _Declaring.spec_name, S.TypeDecl: _Declaring.type_decl,
    S.ObjectsDecl: _Declaring.objects, S.VarDecl: _Declaring.variable,
    S.LockDecl: _Declaring.lock, S.WaitDecl: _Declaring.wait,
    S.ProcessDecl: _Declaring.process, S.ProcDecl: _Declaring.proc,
}


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
