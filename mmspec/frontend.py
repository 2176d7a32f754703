"""The front-end's public API: text in, `ir.Spec` out (or a `SpecError`).

    load_spec(path, defines, budget) -> ir.Spec   parse, resolve includes, check, fold, lower
    parse_file(path)         -> AST root    for `mmspec parse --dump ast`
    ast_to_json / ir_to_json                JSON-able dumps, spans as "file:line:col-line:col"

Everything a user can get wrong surfaces as a `SpecError` with coded diagnostics; an
unexpected internal failure is re-raised as a SpecError too only for recursion limits, since
anything else is a bug we want to see.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Mapping, Sequence

from mmspec import ir
from mmspec import syntax as S
from mmspec.budget import Budget, active
from mmspec.confine import Confinement
from mmspec.diagnostics import Diagnostic, SpecError, from_warning
from mmspec.lower import lower
from mmspec.parser import MAX_DEPTH, parse_file as _parse_file
from mmspec.resolve import check_def_nesting, load_tree


def load_spec(path: str, defines: Mapping[str, int] | None = None, tree: str | None = None,
              include_paths: Sequence[str] = (), *, budget: Budget | None = None,
              memory: str | None = None, strict_atomicity: bool = False) -> ir.Spec:
    """Parse, resolve, type-check and lower one spec file (with its includes).

    Reading is confined to `tree` (default: the spec's folder), `include_paths` and the
    prelude. A SpecError carries the texts read, for rendering without re-reading files.
    With a budget, its time and memory limits apply here too (phases "parsing" and
    "expansion"): `budget.BudgetExceeded` says where they ran out. `memory` overrides the
    spec's `option memory` (sc | lkmm). With `strict_atomicity` the spec's atomicity
    warnings (MMS350) are errors."""
    conf = Confinement.for_spec(str(path), tree, tuple(include_paths))
    with active(budget, "parsing"):
        loaded = load_tree(str(path), conf)
        if budget is not None:
            budget.enter("expansion")
        try:
            check_def_nesting(loaded.decls, MAX_DEPTH)
            spec = lower(loaded, dict(defines or {}), memory)
            if strict_atomicity and spec.warnings:
                raise SpecError([from_warning(w, as_error=True) for w in spec.warnings])
            return spec
        except SpecError as e:
            raise e.with_sources(loaded.sources) from None
        except RecursionError:
            raise SpecError([Diagnostic("MMS106", "spec nested too deeply to check",
                                        ir.Span(str(path), 1, 1, 1, 2))],
                            dict(loaded.sources)) from None


def parse_file(path: str, tree: str | None = None) -> S.SpecFile:
    """The AST of one file (includes are not followed)."""
    return _parse_file(str(path), Confinement.for_spec(str(path), tree))


def span_text(s: ir.Span) -> str:
    return f"{s.file}:{s.line}:{s.col}-{s.end_line}:{s.end_col}"


_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    """A node class's dumped fields, in order (`sources` is not dumped), computed once."""
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls)
                                     if f.name != "sources")
    return names


def _to_json(x: Any) -> Any:
    if isinstance(x, ir.Span):
        return span_text(x)
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        out: dict[str, Any] = {"node": type(x).__name__}
        for name in _field_names(type(x)):
            v = getattr(x, name)
            if isinstance(v, ir.Span) and v == ir.NO_SPAN:
                continue
            out[name] = _to_json(v)
        return out
    if isinstance(x, frozenset):
        return sorted(_to_json(v) for v in x)
    if isinstance(x, (tuple, list)):
        return [_to_json(v) for v in x]
    if isinstance(x, dict):
        return {str(k): _to_json(v) for k, v in x.items()}
    return x


def ast_to_json(ast: S.SpecFile) -> Any:
    return _to_json(ast)


def ir_to_json(spec: ir.Spec) -> Any:
    return _to_json(spec)
