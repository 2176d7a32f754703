"""`mmspec trace FILE.itf.json`: re-render a saved counterexample, or query it.

The ITF file carries the result and the render-relevant part of the spec in its `#meta`
(see `itf`), so re-rendering needs neither the spec file nor a re-run. `--eval EXPR` does
need the spec (for its variables' types and its defs): the path recorded in `#meta`
`source`, or `--spec`, read through the confined front-end like any spec.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from mmspec import ir
from mmspec.outputs import write_atomic

from checker.render.diff import clean, fmt
from checker.render.html import render_html
from checker.render.itf import encode_value, read_itf, result_from_meta
from checker.render.query_eval import (Evaluator, QueryError, TraceMismatch, to_display,
                                       to_value)
from checker.render.text import render_result
from checker.result import Trace


def rerender(itf_path: str, html_out: str | None, text: bool, color: bool = False) -> str:
    """Write the HTML page to `html_out` if given; return what to print: the text report
    (when `text`), else a one-line note of the file written."""
    trace, meta = read_itf(itf_path)
    result = result_from_meta(trace, meta)
    out = []
    if html_out:
        write_atomic(html_out, render_html(result))
    if text:
        out.append(render_result(result, color=color))
    elif html_out:
        out.append(f"wrote {html_out}\n")
    return "".join(out)


# --------------------------------------------------------------------------- --eval


class QuerySetupError(Exception):
    """The trace cannot be queried: no spec path, or the spec does not fit the trace."""


@dataclass(frozen=True)
class Cell:
    value: Any = None  # the decoded (display) value
    error: str | None = None


@dataclass(frozen=True)
class QueryTable:
    expressions: tuple[str, ...]
    types: tuple[ir.Type, ...]
    steps: tuple[str | None, ...]  # the step that produced each state (None: initial)
    rows: tuple[tuple[Cell, ...], ...]  # one row per state, one cell per expression


def spec_path_for(itf_path: str, meta: dict[str, Any], given: str | None) -> str:
    """`--spec` if given, else `#meta` `source` as recorded (relative to the working folder
    the check ran in), else relative to the trace file's folder."""
    if given:
        return given
    src = meta.get("source")
    if not isinstance(src, str) or not src:
        raise QuerySetupError("the trace records no spec path (#meta source); pass --spec")
    if os.path.isabs(src) or os.path.exists(src):
        return src
    beside = os.path.join(os.path.dirname(itf_path), src)
    return beside if os.path.exists(beside) else src


def query_trace(itf_path: str, expressions: Sequence[str], spec: str | None = None,
                defines: Mapping[str, int] | None = None) -> QueryTable:
    """Every expression's value at every state of the saved trace."""
    from mmspec.query import compile_queries

    trace, meta = read_itf(itf_path)
    loaded, queries = compile_queries(spec_path_for(itf_path, meta, spec), list(expressions),
                                      defines)
    states = _keyed_states(trace, loaded)
    rows = []
    for state in states:
        row = []
        for q in queries:
            try:
                row.append(Cell(to_display(Evaluator(state).ev(q.expr), q.type)))
            except QueryError as e:
                row.append(Cell(error=str(e)))
        rows.append(tuple(row))
    return QueryTable(tuple(q.text for q in queries), tuple(q.type for q in queries),
                      tuple(s.label for s in trace.steps), tuple(rows))


def _keyed_states(trace: Trace, spec: ir.Spec) -> list[dict[str, Any]]:
    """The trace's states in the evaluator's form, checked against the spec's types."""
    types = {v.name: v.type for v in spec.variables}
    out = []
    for i, step in enumerate(trace.steps):
        state = {}
        for name, v in step.state.items():
            if name not in types:
                raise QuerySetupError(
                    f"state {i}: variable '{name}' is not in spec {spec.file}: the spec "
                    "changed since the trace was written, or it is another spec (--spec)")
            try:
                state[name] = to_value(v, types[name], name)
            except TraceMismatch as e:
                raise QuerySetupError(
                    f"state {i}: {e}: the spec changed since the trace was written, or the "
                    "check ran with other -D values (pass the same -D to trace)") from None
        out.append(state)
    return out


def table_json(table: QueryTable) -> dict[str, Any]:
    """One row per state; each value in ITF encoding (maps as #map, sets as #set)."""
    rows = []
    for i, (step, cells) in enumerate(zip(table.steps, table.rows)):
        values = [encode_value(c.value, t) if c.error is None else {"error": c.error}
                  for c, t in zip(cells, table.types)]
        rows.append({"state": i, "step": step, "values": values})
    return {"expressions": list(table.expressions), "states": rows}


def table_text(table: QueryTable) -> str:
    """A column per expression, a row per state (the step that led to it on the left)."""
    head = ["state", "step", *(clean(e) for e in table.expressions)]
    body = [[str(i), clean(step or "initial state"),
             *[fmt(c.value) if c.error is None else f"error: {clean(c.error)}" for c in cells]]
            for i, (step, cells) in enumerate(zip(table.steps, table.rows))]
    widths = [max(len(r[k]) for r in [head, *body]) for k in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip()
             for r in [head, *body]]
    return "\n".join(lines) + "\n"


def table_html(itf_path: str, table: QueryTable) -> str:
    """The trace's page with one extra row per expression in every state's view."""
    from checker.render.html import render_trace_html

    trace, meta = read_itf(itf_path)
    evals = [(text, [fmt(row[k].value) if row[k].error is None else f"error: {row[k].error}"
                     for row in table.rows])
             for k, text in enumerate(table.expressions)]
    return render_trace_html(trace, meta, evals)
