"""`@dataclass(frozen=True)` for the AST and IR node classes, at a fraction of the import cost.

Start-up matters (`mmspec parse` is run by editors on every keystroke): the standard decorator
compiles six generated methods per class (`__init__`, `__repr__`, `__eq__`, `__hash__`,
`__setattr__`, `__delattr__`), which for the ~100 node classes was a third of the import time.
Here only `__init__` is generated (its signature must be the real one), and not compiled per
class: one template per shape (how many fields, which are keyword-only or have a
default_factory) gets each class's field names put in; the other five are
closures over the field names with exactly the standard semantics (field order, `compare`,
`hash` and `repr` flags, `FrozenInstanceError`, the recursion guard of `repr`). The class
stays a real dataclass (`dataclasses.fields`, `replace`, `is_dataclass`, `__match_args__`).

Plain `@dataclass` takes the same path without the frozen methods (and, like the standard,
sets `__hash__` to None). Anything unusual (`__post_init__`, `init=False` fields, InitVar, a
dataclass base, options other than `frozen=True`) falls back to the standard decorator. Type
checkers see the standard decorator (the modules import this one only when not TYPE_CHECKING).
"""
from __future__ import annotations

import builtins
import dataclasses
import reprlib
from operator import attrgetter
from types import CodeType, FunctionType
from typing import Any, Callable

_MISSING = dataclasses.MISSING


def dataclass(cls: type | None = None, /, **options: Any) -> Any:
    """Drop-in for `dataclasses.dataclass` (frozen classes take the fast path)."""
    def wrap(c: type) -> type:
        if options not in ({"frozen": True}, {}) or _unusual(c):
            return dataclasses.dataclass(c, **options)
        return _fast(c, frozen=bool(options))
    return wrap if cls is None else wrap(cls)


def _unusual(cls: type) -> bool:
    """What the fast path does not reproduce: leave it to the standard decorator."""
    own = cls.__dict__
    return ("__post_init__" in own
            or any(hasattr(b, "__dataclass_fields__") for b in cls.__mro__[1:])
            or any("InitVar" in str(t) for t in own.get("__annotations__", {}).values())
            or any(isinstance(v, dataclasses.Field)
                   and (not v.init
                        or (v.default_factory is not _MISSING and _FACTORY is None))
                   for v in own.values()))


def _fast(cls: type, frozen: bool) -> type:
    docless = not getattr(cls, "__doc__")
    if docless:
        cls.__doc__ = "-"  # the standard text needs the real __init__: set below
    dataclasses.dataclass(cls, init=False, repr=False, eq=False)
    params = getattr(cls, "__dataclass_params__")
    params.init = params.repr = params.eq = True
    params.frozen = frozen
    fields = dataclasses.fields(cls)
    _set(cls, "__init__", _init(cls, fields, frozen))
    shown = [f.name for f in fields if f.repr]
    compared = [f.name for f in fields if f.compare]
    hashed = [f.name for f in fields if (f.compare if f.hash is None else f.hash)]
    _set(cls, "__repr__", _repr(shown))
    _set(cls, "__eq__", _eq(compared))
    if frozen:
        _set(cls, "__hash__", _hash(hashed))
        names = frozenset(f.name for f in fields)
        _set(cls, "__setattr__", _setattr(cls, names))
        _set(cls, "__delattr__", _delattr(cls, names))
    elif not _defines_hash(cls):
        setattr(cls, "__hash__", None)  # eq without frozen: unhashable, as the standard
    if docless:
        setattr(cls, "__doc__", _Doc(cls))
    return cls


class _Doc:
    """The standard decorator's docstring for a class without one (its name and `__init__`
    signature), worked out when first read: `inspect.signature` for every class was a tenth
    of the import time. `type.__doc__` calls `__get__` on what the class dict holds."""

    def __init__(self, cls: type) -> None:
        self.cls = cls

    def __get__(self, instance: object, owner: type | None = None) -> str:
        import inspect
        text = self.cls.__name__ + str(inspect.signature(self.cls)).replace(" -> None", "")
        setattr(self.cls, "__doc__", text)
        return text


def _set(cls: type, name: str, fn: Callable[..., Any]) -> None:
    """Like the standard decorator: a method the class defines itself is kept (an `__eq__`
    in the body leaves `__hash__` None, which is not "defined"); frozen ones may not be."""
    if _defines_hash(cls) if name == "__hash__" else name in cls.__dict__:
        if name in ("__setattr__", "__delattr__"):
            raise TypeError(f"Cannot overwrite attribute {name} in class {cls.__name__}")
        return
    fn.__qualname__ = f"{cls.__qualname__}.{fn.__name__}"
    setattr(cls, name, fn)


def _defines_hash(cls: type) -> bool:
    own = cls.__dict__
    return "__hash__" in own and not (own["__hash__"] is None and "__eq__" in own)


def _init(cls: type, fields: tuple[dataclasses.Field[Any], ...], frozen: bool
          ) -> Callable[..., None]:
    """The generated `__init__`: a copy of the compiled template for this shape of class
    (frozen or not, which fields are keyword-only or have a default_factory) with the field
    names put in, so that the ~100 classes cost ~30 small compiles, not one each."""
    shape = tuple((f.kw_only is True, f.default_factory is not _MISSING) for f in fields)
    code = _template(frozen, shape)
    names = {f"_f{i}_": f.name for i, f in enumerate(fields)}
    code = code.replace(co_varnames=tuple(names.get(v, v) for v in code.co_varnames),
                        co_names=tuple(names.get(v, v) for v in code.co_names),
                        co_consts=tuple(names.get(c, c) if isinstance(c, str) else c
                                        for c in code.co_consts))
    defaults = [_FACTORY if factory else f.default for f, (_, factory) in zip(fields, shape)]
    positional = tuple(d for d, (kw, _) in zip(defaults, shape)
                       if not kw and d is not _MISSING)
    factories = {f"_d{i}_": f.default_factory for i, f in enumerate(fields)
                 if f.default_factory is not _MISSING}
    env = {**_GLOBALS, **factories} if factories else _GLOBALS
    fn: Callable[..., None] = FunctionType(code, env, "__init__", positional or None)
    fn.__kwdefaults__ = {f.name: d for f, d, (kw, _) in zip(fields, defaults, shape)
                         if kw and d is not _MISSING} or None
    fn.__annotations__ = {**{f.name: f.type for f in fields}, "return": None}
    return fn


# the standard `__init__`'s default for a default_factory field (its repr is "<factory>")
_FACTORY: Any = getattr(dataclasses, "_HAS_DEFAULT_FACTORY", None)
_GLOBALS: dict[str, Any] = {"__builtins__": builtins, "__object_setattr": object.__setattr__,
                            "__has_factory": _FACTORY}
_TEMPLATES: dict[tuple[bool, tuple[tuple[bool, bool], ...]], CodeType] = {}


def _template(frozen: bool, shape: tuple[tuple[bool, bool], ...]) -> CodeType:
    """`def __init__(self, _f0_, ..., *, _fk_, ...)` setting each field in field order (a
    default_factory field from its factory `_d{i}_` when not given, like the standard), the
    fields named `_f{i}_` (replaced by `_init`); compiled once per shape and process."""
    key = (frozen, shape)
    code = _TEMPLATES.get(key)
    if code is None:
        names = [f"_f{i}_" for i in range(len(shape))]
        args = [n for n, (kw, _) in zip(names, shape) if not kw]
        kw = [n for n, (k, _) in zip(names, shape) if k]
        params = ["self", *args] + (["*", *kw] if kw else [])
        values = [f"_d{i}_() if {n} is __has_factory else {n}" if factory else n
                  for i, (n, (_, factory)) in enumerate(zip(names, shape))]
        body = [f"  __object_setattr(self, {n!r}, {v})" if frozen else f"  self.{n} = {v}"
                for n, v in zip(names, values)]
        src = f"def __init__({', '.join(params)}):\n" + ("\n".join(body) or "  pass") + "\n"
        ns: dict[str, Any] = {}
        exec(src, _GLOBALS, ns)  # noqa: S102 - placeholder names only, no spec text
        code = _TEMPLATES[key] = ns["__init__"].__code__
    return code


def _getter(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """A tuple of the named attributes (attrgetter returns a bare value for one name)."""
    if not names:
        return lambda self: ()
    get = attrgetter(*names)
    if len(names) == 1:
        return lambda self: (get(self),)
    return get


def _repr(names: list[str]) -> Callable[[Any], str]:
    get = _getter(names)

    def __repr__(self: Any) -> str:
        values = get(self)
        return str(self.__class__.__qualname__ + "("
                + ", ".join(f"{n}={v!r}" for n, v in zip(names, values)) + ")")
    return reprlib.recursive_repr()(__repr__)


def _eq(names: list[str]) -> Callable[[Any, Any], Any]:
    get = _getter(names)

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return get(self) == get(other)
        return NotImplemented
    return __eq__


def _hash(names: list[str]) -> Callable[[Any], int]:
    get = _getter(names)

    def __hash__(self: Any) -> int:
        return hash(get(self))
    return __hash__


def _setattr(cls: Any, names: frozenset[str]) -> Callable[[Any, str, Any], None]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)
    return __setattr__


def _delattr(cls: Any, names: frozenset[str]) -> Callable[[Any, str], None]:
    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)
    return __delattr__
