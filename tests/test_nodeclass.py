"""mmspec/nodeclass.py builds the node classes like the standard `@dataclass` (only cheaper).

Every class it builds is compared with the same class body built by `dataclasses.dataclass`:
fields and their flags, `__init__` signature, docstring, `__match_args__`, hashability, and
the behaviour of instances (repr, ==, hash, frozen assignment and deletion).
"""
from __future__ import annotations

import dataclasses
import importlib
import inspect
import sys
from typing import Any

import pytest

from mmspec import nodeclass

MODULES = ["mmspec.irtypes", "mmspec.ir", "mmspec.syntax", "mmspec.cfgnodes",
           "mmspec.checkctx", "mmspec.typerules", "mmspec.resolve", "mmspec.confine",
           "mmspec.config", "mmspec.diagnostics", "mmspec.budget", "mmspec.kernelapi",
           "mmspec.memops", "mmspec.atomicity", "mmspec.cfgsteps", "mmspec.context_tables",
           "mmspec.lalr", "mmspec.symexec", "mmspec.lockkinds", "mmspec.operators",
           "mmspec.cli_settings"]


def _fresh_modules(standard: bool) -> dict[str, Any]:
    """The node modules imported afresh, with nodeclass or with the standard decorator."""
    saved = {k: v for k, v in sys.modules.items() if k.startswith("mmspec")}
    for k in saved:
        del sys.modules[k]
    try:
        import mmspec.nodeclass as nc
        if standard:
            nc.dataclass = dataclasses.dataclass  # type: ignore[assignment]
        return {m: importlib.import_module(m) for m in MODULES}
    finally:
        for k in [k for k in sys.modules if k.startswith("mmspec")]:
            del sys.modules[k]
        sys.modules.update(saved)


@pytest.fixture(scope="module")
def pairs() -> list[tuple[type, type]]:
    std, fast = _fresh_modules(True), _fresh_modules(False)
    out = []
    for m in MODULES:
        for name, c in vars(std[m]).items():
            if isinstance(c, type) and dataclasses.is_dataclass(c) and c.__module__ == m:
                out.append((c, getattr(fast[m], name)))
    assert len(out) > 100  # the AST and IR node classes
    return out


def _flags(c: type) -> list[tuple[Any, ...]]:
    return [(f.name, repr(f.default), f.repr, f.compare, f.hash, f.kw_only, f.init)
            for f in dataclasses.fields(c)]


def test_classes_match_the_standard_decorator(pairs: list[tuple[type, type]]) -> None:
    for std, fast in pairs:
        assert _flags(std) == _flags(fast), std
        assert str(inspect.signature(std)) == str(inspect.signature(fast)), std
        assert std.__doc__ == fast.__doc__, std
        assert getattr(std, "__match_args__") == getattr(fast, "__match_args__"), std
        assert (std.__hash__ is None) == (fast.__hash__ is None), std
        for flag in ("init", "repr", "eq", "order", "unsafe_hash", "frozen"):
            assert getattr(getattr(std, "__dataclass_params__"), flag) == \
                getattr(getattr(fast, "__dataclass_params__"), flag), (std, flag)


def test_instances_behave_alike() -> None:
    """A spec's AST and IR, built with each decorator: the same repr and hashes."""
    texts = []
    for standard in (True, False):
        saved = {k: v for k, v in sys.modules.items() if k.startswith("mmspec")}
        for k in saved:
            del sys.modules[k]
        try:
            import mmspec.nodeclass as nc
            if standard:
                nc.dataclass = dataclasses.dataclass  # type: ignore[assignment]
            from mmspec.frontend import load_spec, parse_file
            path = "specs/fput/fput_sync_under_mmap_sem.mms"
            spec, ast = load_spec(path), parse_file(path)
            texts.append((repr(spec), repr(ast), hash(spec.transitions), spec == spec))
        finally:
            for k in [k for k in sys.modules if k.startswith("mmspec")]:
                del sys.modules[k]
            sys.modules.update(saved)
    assert texts[0] == texts[1]


@nodeclass.dataclass(frozen=True)
class _Frozen:
    a: int
    b: str = "x"


@nodeclass.dataclass
class _Plain:
    a: int


def test_frozen_and_plain_semantics() -> None:
    x = _Frozen(1)
    assert x == _Frozen(1, "x") and x != _Frozen(2) and hash(x) == hash((1, "x"))
    assert repr(x) == "_Frozen(a=1, b='x')"
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'a'"):
        x.a = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'b'"):
        del x.b  # type: ignore[misc]
    p = _Plain(1)
    p.a = 3
    assert p == _Plain(3) and _Plain.__hash__ is None
    assert dataclasses.replace(x, b="y") == _Frozen(1, "y")


@nodeclass.dataclass
class _Factories:
    a: int
    items: list[int] = dataclasses.field(default_factory=list)
    tags: dict[str, int] = dataclasses.field(default_factory=dict, kw_only=True)


@nodeclass.dataclass(frozen=True)
class _FrozenFactory:
    items: tuple[int, ...] = dataclasses.field(default_factory=lambda: (1, 2))


def test_default_factory_fields() -> None:
    """Each instance gets a fresh default from the factory; a value given is kept."""
    x, y = _Factories(1), _Factories(2)
    x.items.append(5)
    assert x.items == [5] and y.items == [] and x.tags == {} and x.tags is not y.tags
    given = [7]
    assert _Factories(3, given).items is given and _Factories(3, tags={"t": 1}).tags == {"t": 1}
    assert "items: 'list[int]' = <factory>" in str(inspect.signature(_Factories))
    assert _FrozenFactory().items == (1, 2) and _FrozenFactory((3,)).items == (3,)
    assert "__has_factory" in _Factories.__init__.__globals__  # the fast path built it
