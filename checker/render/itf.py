"""Traces as ITF, the Informal Trace Format of Apalache and Quint.

So existing ITF tooling (Quint's REPL, trace viewers) reads our counterexamples, and so a
saved trace is self-contained: the top-level `#meta` carries the result (property, kind,
message, spans, details) and the render-relevant part of the spec (sources, variable types,
threads, locks), enough for `mmspec trace FILE` to re-render it without the spec file.

Encoding: bool and str (enum members) as JSON; int as a JSON number, or `{"#bigint": "..."}`
beyond 2^53; maps as `{"#map": [[k, v], ...]}`; records as objects; sets as `{"#set": [...]}`;
tuples as `{"#tup": [...]}`. Each state's `#meta` says which step produced it.
"""
from __future__ import annotations

import json
import os
from typing import Any

from mmspec import ir
from mmspec.ground import RecordElement
from mmspec.confine import ReadRefused, read_regular_file
from mmspec.outputs import write_atomic

from checker.contexts import contexts_of
from checker.render.expect import is_expected
from checker.render.itf_schema import ItfError, load_itf_bytes, validate
from checker.report import expectation_keyword
from checker.render.specmeta import (spec_from_json, spec_to_json, span_from_json,
                                     span_to_json, type_from_json)
from checker.details import details_json
from checker.result import (CheckResult, ExitReason, Stats, Trace, TraceKind, TraceStep, Violation,
                            ViolationKind, result_source, violation_kind)

FORMAT_DESCRIPTION = "https://apalache-mc.org/docs/adr/015adr-trace.html"
SAFE_INT = 2 ** 53 - 1
TRACE_KIND: TraceKind = "trace"  # Violation.kind for a re-rendered trace that records no violation


# --------------------------------------------------------------------------- values


def encode_value(v: Any, t: ir.Type | None = None) -> Any:
    """A decoded state value as ITF JSON; `t` tells maps from records (both are dicts)."""
    if isinstance(v, bool) or isinstance(v, str) or v is None:
        return v
    if isinstance(v, int):
        return v if -SAFE_INT <= v <= SAFE_INT else {"#bigint": str(v)}
    if isinstance(v, (frozenset, set)):
        elem = t.elem if isinstance(t, ir.SetType) else None
        items = [encode_value(x, elem) for x in v]
        return {"#set": sorted(items, key=lambda x: json.dumps(x, sort_keys=True))}
    if isinstance(v, tuple):
        return {"#tup": [encode_value(x) for x in v]}
    if isinstance(v, dict):
        is_record = isinstance(t, ir.RecordType) or (
            t is None and bool(v) and all(isinstance(k, str) and not k.startswith("#")
                                          for k in v))
        if is_record:
            ftypes = dict(t.fields) if isinstance(t, ir.RecordType) else {}
            return {k: encode_value(x, ftypes.get(k)) for k, x in v.items()}
        kt = t.key if isinstance(t, ir.MapType) else None
        vt = t.value if isinstance(t, ir.MapType) else None
        return {"#map": [[encode_value(k, kt), encode_value(x, vt)] for k, x in v.items()]}
    if isinstance(v, list):  # a sequence
        return [encode_value(x, t.elem if isinstance(t, ir.SeqType) else None) for x in v]
    raise ItfError(f"cannot encode {type(v).__name__} value {v!r} as ITF")


def decode_value(j: Any) -> Any:
    """ITF JSON back to the Python values decoded states use (sequences become tuples)."""
    if isinstance(j, (bool, str, int)) or j is None:
        return j
    if isinstance(j, float):
        if j.is_integer():
            return int(j)
        raise ItfError(f"ITF has no fractional numbers: {j}")
    if isinstance(j, list):
        return tuple(decode_value(x) for x in j)
    if isinstance(j, dict):
        if "#bigint" in j:
            return int(j["#bigint"])
        if "#set" in j:  # a record element stays a dict that can sit in a set
            return frozenset(RecordElement(x) if isinstance(x, dict) else x
                             for x in map(decode_value, j["#set"]))
        if "#map" in j:
            return {_key(decode_value(k)): decode_value(x) for k, x in j["#map"]}
        if "#tup" in j:
            return tuple(decode_value(x) for x in j["#tup"])
        if "#unserializable" in j:
            raise ItfError(f"unserializable ITF value: {j['#unserializable']}")
        return {k: decode_value(x) for k, x in j.items() if not k.startswith("#")}
    raise ItfError(f"not an ITF value: {j!r}")


def _key(k: Any) -> Any:
    if isinstance(k, dict) and not isinstance(k, RecordElement):
        return RecordElement(k)
    if isinstance(k, (list, set)):
        raise ItfError(f"unsupported ITF map key {k!r}")
    return k


# --------------------------------------------------------------------------- details


def details_to_json(d: Any, types: dict[str, ir.Type] | None = None) -> Any:
    """Violation.details as JSON: lock-order witnesses (Traces) become nested ITF traces."""
    if isinstance(d, Trace):
        return {"#itf": _trace_body(d, types or {})}
    if isinstance(d, dict):
        return {str(k): details_to_json(x, types) for k, x in d.items()}
    if isinstance(d, (list, tuple)):
        return [details_to_json(x, types) for x in d]
    if isinstance(d, (frozenset, set)):
        return sorted((details_to_json(x, types) for x in d), key=str)
    if isinstance(d, ir.Span):
        return span_to_json(d)
    if d is None or isinstance(d, (bool, int, float, str)):
        return d
    return str(d)


def details_from_json(d: Any) -> Any:
    if isinstance(d, dict):
        if "#itf" in d:
            return _trace_from_body(d["#itf"])
        return {k: details_from_json(x) for k, x in d.items()}
    if isinstance(d, list):
        return [details_from_json(x) for x in d]
    return d


# --------------------------------------------------------------------------- traces


def _step_meta(i: int, step: TraceStep) -> dict[str, Any]:
    m: dict[str, Any] = {"index": i}
    if step.action is not None:
        m["action"] = step.action
    if step.label is not None:
        m["label"] = step.label
    if step.process is not None:
        m["process"] = step.process
    if step.step is not None:
        m["step"] = step.step
    if step.binding:
        m["binding"] = [[n, encode_value(v)] for n, v in step.binding]
    if step.span is not None:
        m["span"] = span_to_json(step.span)
    return m


def _trace_body(trace: Trace, types: dict[str, ir.Type]) -> dict[str, Any]:
    vars_ = list(trace.steps[0].state) if trace.steps else list(types)
    states = []
    for i, step in enumerate(trace.steps):
        s: dict[str, Any] = {"#meta": _step_meta(i, step)}
        for name, v in step.state.items():
            s[name] = encode_value(v, types.get(name))
        states.append(s)
    body: dict[str, Any] = {"vars": vars_, "states": states}
    if trace.loop is not None:
        body["loop"] = trace.loop
    return body


def _trace_from_body(body: dict[str, Any]) -> Trace:
    if not isinstance(body, dict) or not isinstance(body.get("states"), list):
        raise ItfError("an ITF trace needs a 'states' list")
    steps = []
    for s in body["states"]:
        m = s.get("#meta", {}) if isinstance(s, dict) else {}
        state = {k: decode_value(v) for k, v in s.items() if not k.startswith("#")}
        binding = tuple((n, decode_value(v)) for n, v in m.get("binding", []))
        steps.append(TraceStep(state, m.get("action"), m.get("label"), m.get("process"),
                               m.get("step"), binding, span_from_json(m.get("span"))))
    loop = body.get("loop")
    return Trace(tuple(steps), loop if isinstance(loop, int) else None)


def _violation_for(trace: Trace, result: CheckResult | None) -> Violation | None:
    if result is None:
        return None
    for v in result.violations:
        if v.trace is trace:
            return v
    for v in result.violations:
        if v.trace == trace:
            return v
    return result.violations[0] if result.violations else None


def trace_to_itf(trace: Trace, result: CheckResult | None = None) -> dict[str, Any]:
    """The ITF document for one trace; with `result`, a standalone record of the verdict."""
    types: dict[str, ir.Type] = {}
    meta: dict[str, Any] = {"format": "ITF", "format-description": FORMAT_DESCRIPTION,
                            "generator": "mmspec"}
    if result is not None:
        spec = result.spec
        types = {v.name: v.type for v in spec.variables}
        v = _violation_for(trace, result)
        meta["source"] = spec.file
        meta["description"] = (f"{v.kind} {v.property}: {v.message}" if v is not None
                               else f"a trace of {spec.name}")
        meta["spec"] = spec_to_json(spec)
        meta["engine"] = result.engine
        meta["reason"] = result.reason.value
        meta["result"] = "violation" if v is not None else result.verdict
        meta["expected"] = expectation_keyword(spec.expect)
        if v is not None:
            meta["property"] = v.property
            meta["kind"] = v.kind
            meta["message"] = v.message
            meta["span"] = span_to_json(v.span)
            meta["details"] = details_to_json(details_json(v.details), types)
            meta["matches_expectation"] = is_expected(result, v)
        # Every violation of the run, so a re-render of this one trace still tells whether
        # the spec met its expectation; only the one marked `in_file` has its trace here.
        meta["violations"] = [{"kind": w.kind, "property": w.property, "message": w.message,
                               "span": span_to_json(w.span), "in_file": w is v}
                              for w in result.violations]
        st = result.stats
        meta["stats"] = {"distinct_states": st.distinct_states,
                         "generated_states": st.generated_states, "depth": st.depth,
                         "seconds": st.seconds, "action_counts": dict(st.action_counts)}
    doc: dict[str, Any] = {"#meta": meta}
    doc.update(_trace_body(trace, types))
    if result is not None and result.spec.contexts is not None:
        for s, step in zip(doc["states"], trace.steps):  # each thread's execution context
            s["#meta"]["contexts"] = contexts_of(result.spec, step.state)
    return doc


def _lines(d: dict[str, Any], indent: str, nested: tuple[str, ...] = ()) -> str:
    """An object with one key per line; values compact, except `nested` ones (one level)."""
    if not d:
        return "{}"
    rows = []
    for k, v in d.items():
        if k in nested and isinstance(v, dict):
            val = _lines(v, indent + "  ")
        else:
            val = json.dumps(v, ensure_ascii=False)
        rows.append(f"{indent}{json.dumps(k)}: {val}")
    return "{\n" + ",\n".join(rows) + "\n" + indent[:-2] + "}"


def dumps(doc: dict[str, Any]) -> str:
    """JSON with one line per state: diffable in review, still plain ITF for any reader."""
    parts = []
    for k, v in doc.items():
        key = json.dumps(k)
        if k == "states" and isinstance(v, list):
            rows = ",\n".join("    " + json.dumps(s, ensure_ascii=False) for s in v)
            parts.append(f"  {key}: [\n{rows}\n  ]" if v else f"  {key}: []")
        elif k == "#meta" and isinstance(v, dict):
            parts.append(f"  {key}: " + _lines(v, "    ", nested=("spec", "details")))
        else:
            parts.append(f"  {key}: {json.dumps(v, ensure_ascii=False)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def itf_text(trace: Trace, result: CheckResult | None = None) -> str:
    """The ITF file's text, as `write_itf` writes it."""
    return dumps(trace_to_itf(trace, result))


def write_itf(path: str | os.PathLike[str], trace: Trace, result: CheckResult | None = None
              ) -> None:
    """Write atomically (a reader sees the old file or the whole new one); OutputError on
    failure, naming the file."""
    write_atomic(path, itf_text(trace, result))


MAX_ITF_BYTES = 256 * 1024 * 1024


def read_itf(path_or_dict: str | os.PathLike[str] | dict[str, Any]
             ) -> tuple[Trace, dict[str, Any]]:
    """(Trace, top-level #meta). Reads any ITF trace; ours also round-trip exactly.

    The file is read like a spec (a regular file, size-capped, never blocking) and checked
    against `itf_schema` before decoding: a malformed file is one ItfError naming the JSON
    path of the first problem, never a traceback."""
    if isinstance(path_or_dict, dict):
        doc = path_or_dict
    else:
        try:
            data = read_regular_file(os.fspath(path_or_dict), MAX_ITF_BYTES)
        except ReadRefused as e:
            raise ItfError(f"cannot read it: {e}") from None
        doc = load_itf_bytes(data)
    validate(doc)
    meta = doc.get("#meta", {})
    return _trace_from_body(doc), meta if isinstance(meta, dict) else {}


def result_from_meta(trace: Trace, meta: dict[str, Any]) -> CheckResult:
    """A render-only CheckResult rebuilt from a saved trace's `#meta` (see module doc).

    LIMITATION: a trace written without a result (or by other ITF tools) has no spec in
    its meta; it renders without source lines, thread names or lock holders.
    """
    if isinstance(meta.get("spec"), dict):
        spec = spec_from_json(meta["spec"])
    else:
        name = str(meta.get("source") or "trace")
        spec = ir.Spec(os.path.splitext(os.path.basename(name))[0], name, (), (), ())
    violations = []
    this = None
    if meta.get("kind") is not None:
        this = Violation(_kind(meta["kind"]), meta.get("property", meta["kind"]),
                         meta.get("message", ""), trace, span_from_json(meta.get("span")),
                         details_from_json(meta.get("details") or {}))
    for w in meta.get("violations") or []:
        if w.get("in_file") and this is not None:
            violations.append(this)
            this = None
        elif not w.get("in_file"):
            # LIMITATION: the other violations' traces live in their own files.
            violations.append(Violation(_kind(w["kind"]), w.get("property", w["kind"]),
                                        w.get("message", ""), Trace(()),
                                        span_from_json(w.get("span"))))
    if this is not None:
        violations.insert(0, this)
    if not violations and trace.steps:
        # A trace with no verdict (another tool's, or a simulation): show it as such.
        violations.append(Violation(TRACE_KIND, str(meta.get("description") or ""), "", trace))
    st = meta.get("stats") or {}
    stats = Stats(distinct_states=st.get("distinct_states", 0),
                  generated_states=st.get("generated_states", 0), depth=st.get("depth", 0),
                  seconds=st.get("seconds", 0.0), action_counts=st.get("action_counts") or {})
    try:
        reason = ExitReason(meta.get("reason", "violation" if violations else "done"))
    except ValueError:
        reason = ExitReason.UNKNOWN
    engine = result_source(str(meta.get("engine", "trace")))
    if engine is None:
        raise ItfError(f"#meta.engine: unknown engine {meta.get('engine')!r}")
    return CheckResult(spec, engine, reason, violations, stats)


def _kind(text: Any) -> ViolationKind | TraceKind:
    """A violation kind read from a file: one mmspec writes, else an ItfError."""
    kind = violation_kind(str(text))
    if kind is not None:
        return kind
    if text == TRACE_KIND:
        return TRACE_KIND
    raise ItfError(f"#meta: unknown violation kind {text!r}")


__all__ = ["ItfError", "decode_value", "dumps", "encode_value", "read_itf", "result_from_meta",
           "itf_text", "trace_to_itf", "type_from_json", "write_itf"]
