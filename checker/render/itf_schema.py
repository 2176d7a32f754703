"""The shape of an ITF file `mmspec trace` accepts, checked before anything is decoded.

A saved trace is input like a spec: it may be truncated, hand-edited, written by another
tool, or hostile. `load_itf_bytes` reads it in three guarded steps (UTF-8, bracket nesting,
JSON without NaN/Infinity) and `validate` walks it against the schema below, iteratively,
stopping at the first problem with its JSON path:

    $.states[2]["#meta"].binding[0]: expected a [name, value] pair, got a number

Schema (everything not listed is ignored, as ITF allows extra fields):

    document   {"#meta"?: meta, "vars"?: [str], "states": [state], "loop"?: int in states}
    state      {"#meta"?: step, NAME: value ...}            (no other '#' keys)
    step       {index?: int, action?, label?, process?, step?: str|null,
                binding?: [[str, value]], span?: span|null}
    value      bool | str | int | integral number | null | [value] | record
               | {"#bigint": "-?digits"} | {"#set": [value]} | {"#tup": [value]}
               | {"#map": [[value, value]]}             (set elements, map keys: hashable)
    meta       {format?, source?, description?, engine?, reason?, result?, expected?: str|null,
                property?, kind?, message?: str, span?: span|null, spec?: spec,
                details?: {waits?, stuck?, cycle?: [str], chain?, ...} (free-form JSON;
                an {"#itf": document} inside is a nested trace),
                matches_expectation?: bool, violations?: [violation], stats?: stats}
    spec       {name?, file?: str, sources?: [{file: str, text: str}],
                variables?: [{name: str, type: type, kind?: str, process?: str|null}],
                threads?: [{tid: int, process: str, index?: int|null, name: str}],
                locks?: [lock], expect?: {kind?, name?: str|null, span?: span|null}}
    type       {t: "bool"} | {t: "int", lo: int, hi: int, wrap?: bool, symmetric?: any}
               | {t: "enum", name: str, members: [str]} | {t: "map", key: type, value: type}
               | {t: "record", fields: [[str, type]]} | {t: "set", elem: type}
               | {t: "seq", elem: type, cap: int}
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable

MAX_NESTING = 100   # brackets; ITF values of real specs are a few levels deep
_BIGINT = re.compile(r"-?[0-9]{1,5000}")
_NUMBER_WORDS = {int: "a number", float: "a number", bool: "a boolean", str: "a string",
                 list: "a list", dict: "an object", type(None): "null"}


class ItfError(ValueError):
    """A file that is not an ITF trace we can read; the message starts with a JSON path."""


def _what(v: Any) -> str:
    return _NUMBER_WORDS.get(type(v), type(v).__name__)


def path_join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key, ensure_ascii=True)}]"


def fail(path: str, problem: str) -> ItfError:
    return ItfError(f"{path}: {problem}")


# --------------------------------------------------------------------------- reading


def _check_nesting(text: str) -> None:
    """Reject deep nesting before json.loads (whose recursion would otherwise overflow)."""
    depth = 0
    in_string = False
    escaped = False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_NESTING:
                line = text.count("\n", 0, i) + 1
                raise ItfError(f"$: nested deeper than {MAX_NESTING} levels (line {line})")
        elif ch in "]}":
            depth -= 1


def _no_constant(name: str) -> Any:
    raise ItfError(f"$: {name} is not JSON")


def load_itf_bytes(data: bytes) -> Any:
    """The parsed JSON document, or ItfError (bad UTF-8, too deep, not JSON)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ItfError(f"$: not valid UTF-8 (byte 0x{data[e.start]:02x} at offset "
                       f"{e.start})") from None
    _check_nesting(text)
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise ItfError(f"$: not JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    except RecursionError:  # pragma: no cover - _check_nesting bounds the depth
        raise ItfError(f"$: nested deeper than {MAX_NESTING} levels") from None


# --------------------------------------------------------------------------- schema

Check = Callable[[Any, str], None]


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _int(v: Any, path: str) -> None:
    if not _is_int(v):
        raise fail(path, f"expected an integer, got {_what(v)}")


def _str(v: Any, path: str) -> None:
    if not isinstance(v, str):
        raise fail(path, f"expected a string, got {_what(v)}")


def _opt(check: Check) -> Check:
    def c(v: Any, path: str) -> None:
        if v is not None:
            check(v, path)
    return c


def _bool(v: Any, path: str) -> None:
    if not isinstance(v, bool):
        raise fail(path, f"expected true or false, got {_what(v)}")


def _number(v: Any, path: str) -> None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise fail(path, f"expected a number, got {_what(v)}")


def _any(v: Any, path: str) -> None:
    pass


def _list_of(check: Check) -> Check:
    def c(v: Any, path: str) -> None:
        if not isinstance(v, list):
            raise fail(path, f"expected a list, got {_what(v)}")
        for i, x in enumerate(v):
            check(x, path_join(path, i))
    return c


def _object(fields: dict[str, Check], required: tuple[str, ...] = ()) -> Check:
    def c(v: Any, path: str) -> None:
        if not isinstance(v, dict):
            raise fail(path, f"expected an object, got {_what(v)}")
        for k in required:
            if k not in v:
                raise fail(path, f"missing field {k!r}")
        for k, check in fields.items():
            if k in v:
                check(v[k], path_join(path, k))
    return c


def _pair(first: Check, second: Check, what: str) -> Check:
    def c(v: Any, path: str) -> None:
        if not isinstance(v, list) or len(v) != 2:
            raise fail(path, f"expected {what}, got {_what(v)}")
        first(v[0], path_join(path, 0))
        second(v[1], path_join(path, 1))
    return c


_span = _opt(_object({"file": _str, "line": _int, "col": _int, "endLine": _int,
                      "endCol": _int}, required=("file", "line", "col")))


def value(v: Any, path: str) -> None:
    """An ITF value, iteratively (so no input depth can overflow the stack)."""
    stack: list[tuple[Any, str, bool]] = [(v, path, False)]
    while stack:
        x, p, hashable = stack.pop()
        if x is None or isinstance(x, (bool, str)) or _is_int(x):
            continue
        if isinstance(x, float):
            if not x.is_integer():
                raise fail(p, f"ITF has no fractional numbers, got {x}")
            continue
        if isinstance(x, list):
            stack.extend((y, path_join(p, i), hashable) for i, y in enumerate(x))
            continue
        if not isinstance(x, dict):  # pragma: no cover - json gives nothing else
            raise fail(p, f"not an ITF value: {_what(x)}")
        stack.extend(_parts(x, p, hashable))


def _parts(x: dict[str, Any], p: str, hashable: bool) -> list[tuple[Any, str, bool]]:
    """The values inside one ITF object (a record or a tagged value) still to check, each
    with its path and whether it must be hashable (a set element or map key)."""
    tags = [k for k in x if k.startswith("#")]
    if not tags:
        if hashable and not all(y is None or isinstance(y, (bool, str)) or _is_int(y)
                                for y in x.values()):
            raise fail(p, "a set element or map key may be a record of scalars only")
        return [(y, path_join(p, k), False) for k, y in x.items()]
    if len(tags) > 1 or len(x) > 1:
        raise fail(p, f"a tagged value has exactly one key, got {sorted(x)}")
    tag = tags[0]
    body = x[tag]
    bp = path_join(p, tag)
    if tag == "#bigint":
        if not isinstance(body, str) or not _BIGINT.fullmatch(body):
            raise fail(bp, "expected a string of decimal digits")
        return []
    if tag in ("#set", "#tup"):
        if not isinstance(body, list):
            raise fail(bp, f"expected a list, got {_what(body)}")
        return [(y, path_join(bp, i), hashable or tag == "#set") for i, y in enumerate(body)]
    if tag == "#map":
        return _map_parts(body, p, bp, hashable)
    if tag == "#unserializable":
        raise fail(bp, "the writer could not serialise this value")
    raise fail(bp, f"unknown type tag {tag!r} (known: #bigint, #set, #tup, #map)")


def _map_parts(body: Any, p: str, bp: str, hashable: bool) -> list[tuple[Any, str, bool]]:
    if hashable:
        raise fail(p, "a map cannot be a set element or map key")
    if not isinstance(body, list):
        raise fail(bp, f"expected a list of [key, value] pairs, got {_what(body)}")
    out: list[tuple[Any, str, bool]] = []
    for i, kv in enumerate(body):
        ip = path_join(bp, i)
        if not isinstance(kv, list) or len(kv) != 2:
            raise fail(ip, f"expected a [key, value] pair, got {_what(kv)}")
        out.append((kv[0], path_join(ip, 0), True))
        out.append((kv[1], path_join(ip, 1), False))
    return out


def _type(v: Any, path: str) -> None:
    """An mmspec type record (iteratively; nesting is bounded by the reader anyway)."""
    stack = [(v, path)]
    while stack:
        t, p = stack.pop()
        if not isinstance(t, dict):
            raise fail(p, f"expected a type object, got {_what(t)}")
        tag = t.get("t")
        if tag == "bool":
            continue
        if tag == "int":
            _object({"lo": _int, "hi": _int, "wrap": _bool}, ("lo", "hi"))(t, p)
        elif tag == "enum":
            _object({"name": _str, "members": _list_of(_str)}, ("name", "members"))(t, p)
        elif tag == "map":
            _object({}, ("key", "value"))(t, p)
            stack += [(t["key"], path_join(p, "key")), (t["value"], path_join(p, "value"))]
        elif tag == "record":
            _object({"fields": _list_of(_pair(_str, _any, "a [name, type] pair"))},
                    ("fields",))(t, p)
            stack += [(f[1], path_join(path_join(path_join(p, "fields"), i), 1))
                      for i, f in enumerate(t["fields"])]
        elif tag == "set":
            _object({}, ("elem",))(t, p)
            stack.append((t["elem"], path_join(p, "elem")))
        elif tag == "seq":
            _object({"cap": _int}, ("elem", "cap"))(t, p)
            stack.append((t["elem"], path_join(p, "elem")))
        else:
            raise fail(path_join(p, "t"), f"unknown type tag {tag!r} (known: bool, int, "
                       "enum, map, record, set, seq)")


_ostr = _opt(_str)
_spec = _object({
    "name": _str, "file": _str,
    "sources": _list_of(_object({"file": _str, "text": _str}, ("file", "text"))),
    "variables": _list_of(_object({"name": _str, "type": _type, "kind": _str,
                                   "process": _ostr}, ("name", "type"))),
    "threads": _list_of(_object({"tid": _int, "process": _str, "index": _opt(_int),
                                 "name": _str}, ("tid", "process", "name"))),
    "locks": _list_of(_object({"name": _str, "kind": _str, "cls": _str, "owner_var": _str,
                               "readers_var": _ostr, "waiting_var": _ostr,
                               "writer_pref": _bool, "subclass_var": _ostr,
                               "index_type": _opt(_type)}, ("name", "kind", "owner_var"))),
    "expect": _opt(_object({"kind": _ostr, "name": _ostr, "span": _span})),
})
_step = _object({
    "index": _int, "action": _ostr, "label": _ostr, "process": _ostr, "step": _ostr,
    "binding": _list_of(_pair(_str, value, "a [name, value] pair")), "span": _span,
})


def _state(v: Any, path: str) -> None:
    if not isinstance(v, dict):
        raise fail(path, f"expected a state object, got {_what(v)}")
    for k, x in v.items():
        if k == "#meta":
            _step(x, path_join(path, k))
        elif k.startswith("#"):
            raise fail(path_join(path, k), "unknown '#' key in a state")
        else:
            value(x, path_join(path, k))


_named = _opt(_list_of(_str))
_DETAIL_FIELDS: dict[str, Check] = {
    "waits": _list_of(_object({"holders": _named, "queued": _named})),
    "stuck": _list_of(_object({})),
    "cycle": _opt(_list_of(_str)),  # null: no lock cycle (a thread stuck on a condition)
    "chain": _list_of(_object({"trace_length": _opt(_int)})),
    "witnesses": _list_of(_any),
}


def _details(v: Any, path: str) -> None:
    """An object of free-form JSON (the fields renderers read are typed above), except that
    an {"#itf": ...} inside is a nested trace document."""
    _object(_DETAIL_FIELDS)(v, path)
    stack = [(v, path)]
    while stack:
        x, p = stack.pop()
        if isinstance(x, dict):
            if "#itf" in x:
                trace_body(x["#itf"], path_join(p, "#itf"))
            else:
                stack.extend((y, path_join(p, k)) for k, y in x.items())
        elif isinstance(x, list):
            stack.extend((y, path_join(p, i)) for i, y in enumerate(x))


def _counts(v: Any, path: str) -> None:
    if not isinstance(v, dict):
        raise fail(path, f"expected an object, got {_what(v)}")
    for k, x in v.items():
        _int(x, path_join(path, k))


_meta = _object({
    "format": _ostr, "source": _ostr, "description": _ostr, "engine": _ostr,
    "reason": _ostr, "result": _ostr, "expected": _ostr, "property": _str, "kind": _str,
    "message": _str, "span": _span, "spec": _spec, "details": _details,
    "matches_expectation": _bool,
    "violations": _list_of(_object({"kind": _str, "property": _str, "message": _str,
                                    "span": _span, "in_file": _bool}, ("kind",))),
    "stats": _object({"distinct_states": _int, "generated_states": _int, "depth": _int,
                      "seconds": _number, "action_counts": _counts}),
})


def trace_body(doc: Any, path: str = "$") -> None:
    if not isinstance(doc, dict):
        raise fail(path, f"an ITF trace is a JSON object, got {_what(doc)}")
    if "states" not in doc:
        raise fail(path, "missing field 'states'")
    _list_of(_state)(doc["states"], path_join(path, "states"))
    if "vars" in doc:
        _list_of(_str)(doc["vars"], path_join(path, "vars"))
    if "loop" in doc and doc["loop"] is not None:
        _int(doc["loop"], path_join(path, "loop"))
        if not 0 <= doc["loop"] < max(len(doc["states"]), 1):
            raise fail(path_join(path, "loop"), f"expected an index into states "
                       f"(0..{len(doc['states']) - 1})")


def validate(doc: Any) -> None:
    """The first problem in `doc` as an ItfError with its JSON path, or None."""
    trace_body(doc, "$")
    if "#meta" in doc:
        _meta(doc["#meta"], path_join("$", "#meta"))
