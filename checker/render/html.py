"""One self-contained HTML page per run: the counterexample to attach to a review thread.

No network at all (inline CSS/JS, a CSP of `default-src 'none'` plus hashes for our one
script and one style), so it opens from file:// and from a CI artifact alike. Everything
from the spec is untrusted: the page is built with jinja2 autoescaping, and the data the
script needs is embedded as JSON in a `<script type="application/json">` with `<`, `>`, `&`
and the JS line separators escaped so no spec text can close the tag.

The page is rendered server-side (every step's state is in the HTML, hidden but for the
current one); the script only moves a cursor: ArrowRight/ArrowLeft/Home/End, the buttons, or
a click on a row of the lanes table.

LIMITATION: every state is rendered in full, so the page grows with steps x variables
(fine for the shortest counterexamples BFS finds; a 1,000-step simulation trace with many
variables makes a page of megabytes). No folding of unchanged variables yet.
"""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import jinja2
from markupsafe import Markup

from checker import engines, report
from checker.contexts import contexts_of
from checker.details import DeadlockDetails, details_of
from checker.render.diff import clean, diff_states, fmt, leaves, var_types
from checker.render.expect import expectation_text, is_expected, matches, outcome
from checker.render.locks import lock_states, thread_name
from checker.render.memnotes import memory_locations, memory_notes
from checker.render.sources import Sources, where
from checker.render.text import (Style, _annotate, _details_lines, headline, loop_end,
                                 property_label, step_title, verdict_lines)
from checker.result import CheckResult, Trace, Violation

TEMPLATES = Path(__file__).parent / "templates"
ACTIONS_LANE = "(actions)"


@dataclass
class Row:
    path: str
    value: str
    note: str | None = None  # "was 0" or "+{2} -{1}" when this step changed the entry

    @property
    def changed(self) -> bool:
        return self.note is not None


@dataclass
class StepView:
    index: int
    title: str
    lane: str | None
    where: str
    source: str | None
    changes: list[str]
    rows: list[Row]
    locks: list[tuple[str, str, bool]]  # (lock, holder summary, changed at this step)
    short: str = ""  # what the lane cell shows: the step label inside the thread
    file: int | None = None  # index into CaseView.files
    line: int | None = None
    in_loop: bool = False
    evals: list[Row] = field(default_factory=list)  # `mmspec trace --eval E --html`: E's value
    contexts: list[tuple[str, str, bool]] = field(default_factory=list)  # (thread, ctx, changed)


@dataclass(frozen=True)
class Blocked:
    """One blocked thread at a deadlock: what it waits for and who holds that."""

    thread: str
    waits_for: str  # "m", "ML[P] (write)", or "its condition at fput.c (step s)"
    held_by: str  # thread names, "nobody", or "" for a condition


def _blocked(result: CheckResult, v: Violation) -> list[Blocked]:
    """From a deadlock's wait-for details (checker/waitfor.py), one row per blocked thread."""
    d = details_of(v)
    if not isinstance(d, DeadlockDetails):
        return []
    rw = {lk.name for lk in result.spec.locks if lk.shared}
    out = []
    for w in d.waits:
        mode = w.mode if w.lock.split("[")[0] in rw else None
        held = ", ".join(w.holders) or "nobody"
        queued = ", ".join(w.queued)
        if queued:
            held += f"; queued behind writer(s) {queued}"
        out.append(Blocked(clean(w.thread), clean(w.lock + (f" ({mode})" if mode else "")),
                           clean(held)))
    for s in d.stuck:
        at = f" at {s.at}" if s.at else ""
        what = (f"asleep on {s.sleeps_on} in step {s.step}{at}" if s.sleeps_on
                else f"its condition in step {s.step}{at}")
        out.append(Blocked(clean(s.thread), clean(what), ""))
    return out


def _shown(result: CheckResult, var: str, value: Any) -> str:
    """A value as the page shows it: lock owners and readers as thread names."""
    for lk in result.spec.locks:
        if var == lk.owner_var and isinstance(value, int) and not isinstance(value, bool):
            return "free" if value < 0 else thread_name(result.spec, value)
        if var == lk.readers_var and isinstance(value, (set, frozenset)):
            return "{" + ", ".join(thread_name(result.spec, t) for t in sorted(value)) + "}"
    return fmt(value)


@dataclass
class CaseView:
    """One violation's trace viewer, or a summary line for a spec without a trace."""

    id: int
    spec_name: str
    spec_file: str
    mark: str  # 'ok' | 'fail' | 'expected' | 'incomplete' | 'trace'
    headline: str
    prop: str = ""
    where: str = ""
    source: str | None = None
    message: str = ""
    details: list[str] = field(default_factory=list)
    lanes: list[str] = field(default_factory=list)
    lock_names: list[str] = field(default_factory=list)
    steps: list[StepView] = field(default_factory=list)
    files: list[tuple[str, list[str]]] = field(default_factory=list)
    loop: int | None = None
    loop_text: str = ""
    stats: str = ""
    never_fired: list[str] = field(default_factory=list)
    coverage_note: str = ""  # why never_fired is not computed (report.coverage)
    blocked: list[Blocked] = field(default_factory=list)  # at a deadlock: who waits on what
    coverage: Any = None  # checker.coverage.Coverage with --coverage, else None
    first_case: bool = False  # the case `#step-N` links address (the first with a trace)

    @property
    def has_trace(self) -> bool:
        return bool(self.steps)


def _lanes(result: CheckResult, trace: Trace) -> list[str]:
    names = [t.name for t in result.spec.threads]
    used = {s.process for s in trace.steps[1:]}
    lanes = [n for n in names if n in used] or []
    for s in trace.steps[1:]:
        if s.process is not None and s.process not in lanes:
            lanes.append(s.process)
    if any(s.process is None for s in trace.steps[1:]):
        lanes.append(ACTIONS_LANE)
    return lanes


def _step_views(result: CheckResult, v: Violation, files: list[str]) -> list[StepView]:
    spec = result.spec
    types = var_types(spec)
    sources = Sources(spec.sources)
    out: list[StepView] = []
    prev: dict[str, Any] | None = None
    prev_locks: dict[str, str] = {}
    prev_ctx: dict[str, str] = {}
    trace = v.trace
    locs = memory_locations(spec)
    for i, step in enumerate(trace.steps):
        changes = diff_states(prev, step.state, types) if prev is not None else []
        changed = {c.path: c for c in changes}
        rows = []
        for path, var, value in leaves(step.state, types):
            c = changed.get(path)
            note = None
            if c is not None:
                note = c.describe().split(": ", 1)[1] if c.is_set else \
                    f"was {_shown(result, var, c.old)}"
            rows.append(Row(path, _shown(result, var, value), note))
        locks = []
        for ls in lock_states(spec, step.state):
            s = ls.short()
            locks.append((ls.name, s, prev is not None and prev_locks.get(ls.name) != s))
            prev_locks[ls.name] = s
        fidx = None
        if step.span is not None and i > 0:
            key = sources.file_key(step.span.file)
            fidx = files.index(key) if key in files else None
        lane = None if i == 0 else (step.process if step.process is not None else ACTIONS_LANE)
        out.append(StepView(i, "initial state" if i == 0 else step_title(step), lane,
                            where(step.span) if i else "",
                            sources.line(step.span) if i else None,
                            [_annotate(spec, c) for c in changes] + (
                                ["↳ " + clean(n) for n in memory_notes(
                                    spec, locs, prev, step.state, step.process,
                                    sources.line(step.span))]
                                if prev is not None and locs else []), rows, locks,
                            "" if i == 0 else clean(step.step or step_title(step)), fidx,
                            step.span.line if fidx is not None and step.span else None,
                            trace.loop is not None and i >= trace.loop))
        if spec.contexts is not None:
            now = contexts_of(spec, step.state)
            out[-1].contexts = [(t, c, prev is not None and prev_ctx.get(t) != c)
                                for t, c in now.items()]
            prev_ctx = now
        prev = step.state
    return out


def _stats(result: CheckResult) -> str:
    s = result.stats
    if engines.shows_depth_only(result.engine):  # a solver counts no states
        return (", ".join(engines.solver_stats(result.engine, s)) +
                f", {s.seconds:.2f} s ({result.engine})")
    return (f"{s.distinct_states} distinct states, {s.generated_states} generated, "
            f"depth {s.depth}, {s.seconds:.2f} s ({result.engine})")


def _coverage(result: CheckResult) -> dict[str, Any]:
    from checker.coverage import EXTRA_KEY, Coverage

    counts = result.stats.extra.get(EXTRA_KEY)
    table = Coverage.from_json(counts) if isinstance(counts, dict) else None
    cov = report.coverage(result)
    if cov.never_fired is None:  # a solver never counts firings: as in the text, say nothing
        note = "" if engines.shows_depth_only(result.engine) else cov.note
        return {"never_fired": [], "coverage_note": note, "coverage": table}
    return {"never_fired": cov.never_fired, "coverage_note": "", "coverage": table}


def case_views(results: list[CheckResult]) -> list[CaseView]:
    """One case per violation (with its trace), one summary case per spec without any."""
    st = Style(False)
    cases: list[CaseView] = []
    for result in results:
        spec = result.spec
        if not result.violations:
            line = " ".join(verdict_lines(result, st))
            mark = {"met": "ok", "unmet": "fail", "incomplete": "incomplete"}[outcome(result)]
            cases.append(CaseView(len(cases), spec.name, spec.file, mark, line[2:] if
                                  line[:2] in ("✓ ", "✗ ", "? ") else line,
                                  stats=_stats(result), **_coverage(result)))
            continue
        sources = Sources(spec.sources)
        files = list(sources.files)
        for v in result.violations:
            expected = is_expected(result, v)
            mark = "trace" if v.kind == "trace" else "expected" if expected else "fail"
            c = CaseView(len(cases), spec.name, spec.file, mark,
                         headline(v), property_label(v), where(v.span), sources.line(v.span),
                         clean(v.message), _details_lines(spec, v, st, sources),
                         stats=_stats(result), **_coverage(result))
            if v.trace.steps:
                c.files = [(f, sources.files[f]) for f in files]
                c.steps = _step_views(result, v, files)
                c.lanes = _lanes(result, v.trace)
                c.lock_names = [name for name, _, _ in c.steps[0].locks]
                c.loop = v.trace.loop
                c.loop_text = loop_end(v.trace) if v.trace.loop is not None else ""
                c.blocked = _blocked(result, v)
                c.first_case = not any(x.has_trace for x in cases)
            cases.append(c)
        if spec.expect.kind is not None and not any(matches(spec.expect, v)
                                                    for v in result.violations):
            cases.append(CaseView(len(cases), spec.name, spec.file, "fail",
                                  f"expected {expectation_text(spec.expect)} violation "
                                  "was not found", stats=_stats(result)))
    return cases


def safe_json(data: Any) -> Markup:
    """JSON that cannot end its <script> element or open a comment, whatever it holds."""
    s = json.dumps(data, ensure_ascii=False, sort_keys=True)
    for a, b in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                 ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        s = s.replace(a, b)
    return Markup(s)


def csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True,
                              lstrip_blocks=True, keep_trailing_newline=True)


def add_eval_rows(cases: list[CaseView], evals: Sequence[tuple[str, Sequence[str]]]) -> None:
    """Give every state of the first trace one row per (expression, values per state),
    marked changed where the value differs from the previous state's."""
    case = next((c for c in cases if c.has_trace), None)
    if case is None:
        return
    for text, values in evals:
        if len(values) != len(case.steps):
            raise ValueError(f"{len(values)} values of {text!r} for {len(case.steps)} states")
        for i, (s, value) in enumerate(zip(case.steps, values)):
            note = f"was {values[i - 1]}" if i and values[i - 1] != value else None
            s.evals.append(Row(clean(text), value, note))


def render_page(results: list[CheckResult], title: str | None = None,
                evals: Sequence[tuple[str, Sequence[str]]] = ()) -> str:
    """The page for any number of results (`mmspec check specs/ --html FILE`); `evals` adds
    expression rows to the first trace's states (`mmspec trace --eval E --html`)."""
    cases = case_views(results)
    add_eval_rows(cases, evals)
    css = (TEMPLATES / "trace.css").read_text(encoding="utf-8")
    js = (TEMPLATES / "trace.js").read_text(encoding="utf-8")
    data = {"cases": [{"id": c.id, "loop": c.loop,
                       "steps": [{"file": s.file, "line": s.line} for s in c.steps]}
                      for c in cases]}
    csp = (f"default-src 'none'; script-src '{csp_hash(js)}'; style-src '{csp_hash(css)}'; "
           "img-src 'none'; base-uri 'none'; form-action 'none'")
    if title is None:
        title = ("mmspec: " + results[0].spec.name) if len(results) == 1 else \
            f"mmspec: {len(results)} specs"
    return _env().get_template("trace.html.j2").render(
        title=title, cases=cases, css=Markup(css), js=Markup(js), csp=csp,
        data=safe_json(data), actions_lane=ACTIONS_LANE)


def render_html(result: CheckResult) -> str:
    """The page for one spec's result."""
    return render_page([result])


def render_html_report(results: list[CheckResult]) -> str:
    """The page for several specs' results (one file for a whole `mmspec check` run)."""
    return render_page(results)


def render_trace_html(trace: Trace, meta: dict[str, Any],
                      evals: Sequence[tuple[str, Sequence[str]]] = ()) -> str:
    """Re-render a saved ITF trace (`itf.read_itf`) as a page, with `evals` as extra rows."""
    from checker.render.itf import result_from_meta

    return render_page([result_from_meta(trace, meta)], evals=evals)


__all__ = ["render_html", "render_html_report", "render_page", "render_trace_html",
           "safe_json"]
