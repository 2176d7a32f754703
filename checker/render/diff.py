"""Formatting decoded state values and computing what a step changed.

States in a Trace are decoded Python data (see `mmspec.ground.unflatten_value`): bool, int,
str (enum member), dict (map or record), frozenset (set). A step usually changes one or two
entries deep inside a map or record, so changes are reported per entry (`pc[1]: r1 -> r2`)
and per set element (`readers: +{2}`), never as two whole values to compare by eye.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

from mmspec import ir

Types = dict[str, ir.Type]


def var_types(spec: ir.Spec) -> Types:
    return {v.name: v.type for v in spec.variables}


def _sort_key(v: Any) -> tuple[int, Any]:
    if isinstance(v, bool):
        return (0, int(v))
    if isinstance(v, int):
        return (1, v)
    return (2, str(v))


def clean(s: str) -> str:
    """Spec text made safe for a terminal or a one-line field: control characters (ANSI
    escapes, NUL, newlines inside names) shown as `\\xNN` instead of acting."""
    if all(" " <= c < "\x7f" or c > "\x9f" for c in s):
        return s
    return "".join(c if (" " <= c < "\x7f" or c > "\x9f") else f"\\x{ord(c):02x}"
                   for c in s)


def fmt(v: Any) -> str:
    """A value as the spec's author would write it."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (frozenset, set)):
        return "{" + ", ".join(fmt(x) for x in sorted(v, key=_sort_key)) + "}"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{fmt(k)}: {fmt(x)}" for k, x in v.items()) + "}"
    if isinstance(v, (tuple, list)):  # a tuple, or a sequence (ITF array)
        return "<<" + ", ".join(fmt(x) for x in v) + ">>"
    return clean(str(v))


def child_path(path: str, key: Any, t: ir.Type | None) -> str:
    """The display path of one entry: `m[k]` for maps, `r.f` for records (as ground names)."""
    # Without a type (a foreign ITF trace) a str key that is an identifier reads as a field.
    if isinstance(t, ir.RecordType) or (t is None and isinstance(key, str)
                                          and key.isidentifier()):
        return f"{path}.{key}"
    return f"{path}[{fmt(key)}]"


def child_type(t: ir.Type | None, key: Any) -> ir.Type | None:
    if isinstance(t, ir.MapType):
        return t.value
    if isinstance(t, ir.RecordType):
        return dict(t.fields).get(key)
    return None


@dataclass(frozen=True)
class Change:
    """One changed entry. For sets `added`/`removed` list the elements that came and went."""

    path: str
    var: str
    old: Any
    new: Any
    added: tuple[Any, ...] = field(default=())
    removed: tuple[Any, ...] = field(default=())

    @property
    def is_set(self) -> bool:
        return isinstance(self.old, frozenset) and isinstance(self.new, frozenset)

    def describe(self) -> str:
        """`path: old -> new`, or `path: +{a} -{b}` for a set."""
        if self.is_set:
            parts = []
            if self.added:
                parts.append("+" + fmt(frozenset(self.added)))
            if self.removed:
                parts.append("-" + fmt(frozenset(self.removed)))
            return f"{self.path}: {' '.join(parts)}"
        return f"{self.path}: {fmt(self.old)} -> {fmt(self.new)}"


def diff_values(path: str, var: str, old: Any, new: Any, t: ir.Type | None) -> Iterator[Change]:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict) and old.keys() == new.keys():
        for k in old:
            yield from diff_values(child_path(path, k, t), var, old[k], new[k],
                                   child_type(t, k))
        return
    if isinstance(old, frozenset) and isinstance(new, frozenset):
        yield Change(path, var, old, new, tuple(sorted(new - old, key=_sort_key)),
                     tuple(sorted(old - new, key=_sort_key)))
        return
    yield Change(path, var, old, new)


def diff_states(old: dict[str, Any], new: dict[str, Any], types: Types | None = None
                ) -> list[Change]:
    """Every changed entry between two states, in variable declaration order."""
    types = types or {}
    out: list[Change] = []
    for name, nv in new.items():
        ov = old.get(name)
        out.extend(diff_values(name, name, ov, nv, types.get(name)))
    return out


def leaves(state: dict[str, Any], types: Types | None = None) -> list[tuple[str, str, Any]]:
    """The state as (path, variable, value) rows, maps and records expanded, sets whole."""
    types = types or {}
    out: list[tuple[str, str, Any]] = []

    def walk(path: str, var: str, v: Any, t: ir.Type | None) -> None:
        if isinstance(v, dict) and v:
            for k, x in v.items():
                walk(child_path(path, k, t), var, x, child_type(t, k))
        else:
            out.append((path, var, v))

    for name, v in state.items():
        walk(name, name, v, types.get(name))
    return out
