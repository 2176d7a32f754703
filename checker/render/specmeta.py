"""The render-relevant part of a Spec as JSON, and back.

A saved ITF trace carries this in its `#meta` so `mmspec trace FILE` can re-render it with
source lines, lock holders and per-entry diffs, long after the spec file changed or moved.
Only what renderers read is kept: name, file, sources, variable types, threads, locks and
the expectation; transitions and properties are not (the trace already says what happened).
"""
from __future__ import annotations

from typing import Any

from mmspec import ir


def span_to_json(span: ir.Span | None) -> dict[str, Any] | None:
    if span is None:
        return None
    return {"file": span.file, "line": span.line, "col": span.col, "endLine": span.end_line,
            "endCol": span.end_col}


def span_from_json(d: dict[str, Any] | None) -> ir.Span | None:
    if d is None:
        return None
    return ir.Span(d["file"], d["line"], d["col"], d.get("endLine", d["line"]),
                   d.get("endCol", d["col"]))


def type_to_json(t: ir.Type) -> dict[str, Any]:
    if isinstance(t, ir.BoolType):
        return {"t": "bool"}
    if isinstance(t, ir.IntType):
        return {"t": "int", "lo": t.lo, "hi": t.hi, "wrap": t.wrap, "symmetric": t.symmetric}
    if isinstance(t, ir.EnumType):
        return {"t": "enum", "name": t.name, "members": list(t.members)}
    if isinstance(t, ir.MapType):
        return {"t": "map", "key": type_to_json(t.key), "value": type_to_json(t.value)}
    if isinstance(t, ir.RecordType):
        return {"t": "record", "fields": [[f, type_to_json(ft)] for f, ft in t.fields]}
    if isinstance(t, ir.SetType):
        return {"t": "set", "elem": type_to_json(t.elem)}
    if isinstance(t, ir.SeqType):
        return {"t": "seq", "elem": type_to_json(t.elem), "cap": t.cap}
    raise TypeError(t)


def type_from_json(d: dict[str, Any]) -> ir.Type:
    k = d["t"]
    if k == "bool":
        return ir.BoolType()
    if k == "int":
        return ir.IntType(d["lo"], d["hi"], d.get("wrap", False), d.get("symmetric"))
    if k == "enum":
        return ir.EnumType(d["name"], tuple(d["members"]))
    if k == "map":
        return ir.MapType(type_from_json(d["key"]), type_from_json(d["value"]))
    if k == "record":
        return ir.RecordType(tuple((f, type_from_json(ft)) for f, ft in d["fields"]))
    if k == "set":
        return ir.SetType(type_from_json(d["elem"]))
    if k == "seq":
        return ir.SeqType(type_from_json(d["elem"]), int(d["cap"]))
    raise ValueError(f"unknown type tag {k!r}")


def spec_to_json(spec: ir.Spec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "file": spec.file,
        "sources": [{"file": f, "text": text} for f, text in spec.sources],
        "variables": [{"name": v.name, "type": type_to_json(v.type), "kind": v.kind,
                       "process": v.process} for v in spec.variables],
        "threads": [{"tid": t.tid, "process": t.process, "index": t.index, "name": t.name}
                    for t in spec.threads],
        "locks": [{"name": lk.name, "kind": lk.kind, "cls": lk.cls, "owner_var": lk.owner_var,
                   "readers_var": lk.readers_var, "waiting_var": lk.waiting_var,
                   "writer_pref": lk.writer_pref, "subclass_var": lk.subclass_var,
                   "index_type": None if lk.index_type is None else type_to_json(lk.index_type)}
                  for lk in spec.locks],
        "expect": {"kind": spec.expect.kind, "name": spec.expect.name,
                   "span": span_to_json(spec.expect.span)},
    }


def spec_from_json(d: dict[str, Any]) -> ir.Spec:
    """A render-only Spec: no transitions or properties, enough for every renderer."""
    variables = tuple(ir.Variable(v["name"], type_from_json(v["type"]), (), v.get("kind", "state"),
                                  v.get("process")) for v in d.get("variables", []))
    threads = tuple(ir.ThreadInfo(t["tid"], t["process"], t.get("index"), t["name"])
                    for t in d.get("threads", []))
    locks = tuple(ir.LockInfo(lk["name"], lk["kind"], lk.get("cls", lk["name"]), lk["owner_var"],
                              lk.get("readers_var"), lk.get("waiting_var"),
                              lk.get("writer_pref", False),
                              None if lk.get("index_type") is None
                              else type_from_json(lk["index_type"]),
                              lk.get("subclass_var"))
                  for lk in d.get("locks", []))
    e = d.get("expect") or {}
    expect = ir.Expectation(e.get("kind"), e.get("name"),
                            span_from_json(e.get("span")) or ir.NO_SPAN)
    sources = tuple((s["file"], s["text"]) for s in d.get("sources", []))
    return ir.Spec(d.get("name", "?"), d.get("file", "?"), (), variables, (), locks=locks,
                   threads=threads, expect=expect, sources=sources)
