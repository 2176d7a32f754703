"""Verdicts against expectations, exit statuses, and the JSON result object (a CLI contract).

A spec may expect a violation (`expect deadlock`): then finding that violation is success.
This module is the one place that decides what "met its expectation" means, so the CLI, the
JUnit/SARIF renderers and the tests agree.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from mmspec import ir
from checker import engines
from checker.details import details_json
from checker.result import CheckResult, ExitReason, Trace, Violation

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_ERROR = 2
EXIT_INCOMPLETE = 3
EXIT_INTERRUPTED = 130  # SIGINT/SIGTERM: the whole run, whatever the specs' own statuses

# Worst first: an error hides everything, a definite failure beats "could not finish".
_SEVERITY = {EXIT_ERROR: 3, EXIT_FAILED: 2, EXIT_INCOMPLETE: 1, EXIT_OK: 0}


def worst_exit(codes: list[int]) -> int:
    return max(codes, key=lambda c: _SEVERITY[c]) if codes else EXIT_OK


def matches(expect: ir.Expectation, v: Violation) -> bool:
    """Whether violation v is the one `expect` names."""
    if expect.kind is None or expect.kind != v.kind:
        return False
    if expect.name is None:
        return True
    name = expect.name
    p = v.property
    return p == name or p.startswith(name + "[") or p.startswith(name + ".") or (
        v.kind == "assertion" and name in v.message)


def expectation_keyword(expect: ir.Expectation) -> str:
    """The expectation as the spec writes it after `expect` ('ok', 'deadlock', 'invariant
    safe'): the JSON and ITF `expected` field. Prose for people: render.expect's
    `expectation_text`."""
    if expect.kind is None:
        return "ok"
    return expect.kind if expect.name is None else f"{expect.kind} {expect.name}"


@dataclass(frozen=True)
class Outcome:
    """How one result stands against its spec's expectation."""

    met: bool | None  # None: could not tell (incomplete)
    exit_code: int
    summary: str  # one line for people


def bounded(result: CheckResult) -> bool:
    """A bounded engine's run (bmc) that found nothing up to its depth: a bounded, not a
    full, verdict."""
    return engines.has(result.engine, "bounded") and result.reason == ExitReason.DEPTH_LIMIT


def judge(result: CheckResult) -> Outcome:
    """Met, failed or undecided, against the spec's `expect`.

    Lock-order reports are lockdep's: they accompany real deadlocks (ABBA shows both), so a
    spec expecting a deadlock also tolerates the lock-order cycle behind it. Anything else
    not expected fails the spec.
    """
    expect = result.spec.expect
    vs = result.violations
    if result.engine == WALKS and not vs:
        return _judge_walks(result)
    if expect.kind is None:
        if vs:
            v = vs[0]
            return Outcome(False, EXIT_FAILED, f"unexpected {v.kind} violation: {v.property}")
        if result.reason == ExitReason.DONE:
            return Outcome(True, EXIT_OK, "every property holds")
        if bounded(result):
            return Outcome(True, EXIT_OK,
                           f"no violation up to depth {result.stats.depth} (bounded check)")
        return Outcome(None, EXIT_INCOMPLETE, f"incomplete: {result.reason.value}")
    want = expectation_keyword(expect)
    unexpected = [v for v in vs if not matches(expect, v) and v.kind != "lock-order"]
    if unexpected:
        v = unexpected[0]
        return Outcome(False, EXIT_FAILED,
                       f"expected {want}, but found {v.kind} violation: {v.property}")
    if any(matches(expect, v) for v in vs):
        return Outcome(True, EXIT_OK, f"expected {want} violation found")
    if vs:
        v = vs[0]
        return Outcome(False, EXIT_FAILED,
                       f"expected {want}, but found {v.kind} violation: {v.property}")
    if result.reason == ExitReason.DONE:
        return Outcome(False, EXIT_FAILED, f"expected {want} violation never showed")
    return Outcome(None, EXIT_INCOMPLETE,
                   f"incomplete: {result.reason.value} before the expected {want} showed")


WALKS: Literal["simulate"] = "simulate"  # CheckResult.engine of `mmspec simulate`'s random walks


@dataclass(frozen=True)
class WalkStats:
    """What `mmspec simulate` did: `runs` walks of at most `steps` steps, `final` of them
    ended in a state with nothing enabled (an allowed end), `cut` were stopped by --steps."""

    runs: int
    steps: int
    final: int
    cut: int

    def to_extra(self) -> dict[str, int]:
        return {"runs": self.runs, "steps": self.steps, "final_runs": self.final,
                "truncated_runs": self.cut}

    @classmethod
    def of(cls, result: CheckResult) -> "WalkStats":
        x = result.stats.extra
        return cls(int(x.get("runs", 0)), int(x.get("steps", 0)), int(x.get("final_runs", 0)),
                   int(x.get("truncated_runs", 0)))


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def walks_summary(w: WalkStats) -> str:
    """'no violation in 100 runs of at most 50 steps; 100 runs ended in a final state'."""
    out = (f"no violation in {_n(w.runs, 'run')} of at most {_n(w.steps, 'step')}; "
           f"{w.final} ended in a final state")
    if w.cut:
        out += f", {w.cut} were cut at {_n(w.steps, 'step')}"
    return out


def _judge_walks(result: CheckResult) -> Outcome:
    """Random walks without a violation: a truncated walk leaves the outcome open (exit 3);
    walks that all ended say exactly that (they prove nothing about unvisited states)."""
    w = WalkStats.of(result)
    summary = walks_summary(w)
    if result.reason == ExitReason.INTERRUPTED:
        return Outcome(None, EXIT_INCOMPLETE, f"interrupted: {summary}")
    expect = result.spec.expect
    if expect.kind is not None:
        want = expectation_keyword(expect)
        if w.cut:
            return Outcome(None, EXIT_INCOMPLETE, f"expected {want} violation not seen: {summary}")
        return Outcome(False, EXIT_FAILED, f"expected {want} violation not seen: {summary}")
    if w.cut:
        return Outcome(None, EXIT_INCOMPLETE, summary)
    return Outcome(True, EXIT_OK, summary)


@dataclass(frozen=True)
class Coverage:
    """Which actions never fired: a claim about every reachable state, so made only when the
    search saw them all. `never_fired` is None when not computed, and `note` says why."""

    never_fired: list[str] | None
    note: str  # "complete", or "not computed: ..."


def coverage(result: CheckResult) -> Coverage:
    if engines.shows_depth_only(result.engine):
        return Coverage(None, "not computed: a solver engine does not count action firings")
    if result.engine == WALKS:
        return Coverage(None, "not computed: random walks visit only some states")
    # A liveness violation is found on the whole state graph, after a complete safety search.
    whole = result.reason == ExitReason.DONE or (
        result.reason == ExitReason.VIOLATION and bool(result.violations)
        and all(v.kind == "liveness" for v in result.violations))
    if not whole:
        return Coverage(None, f"not computed: search stopped at depth {result.stats.depth}")
    return Coverage(result.stats.never_fired, "complete")


def primary_violation(result: CheckResult) -> Violation | None:
    """The violation to show first: the expected one if found, else the first."""
    for v in result.violations:
        if matches(result.spec.expect, v):
            return v
    return result.violations[0] if result.violations else None


def result_verdict(result: CheckResult) -> str:
    """'ok' | 'violation' | 'incomplete' as the JSON contract spells it."""
    if result.violations:
        return "violation"
    if result.engine == WALKS:
        return "incomplete" if WalkStats.of(result).cut else "ok"
    if result.reason == ExitReason.DONE or bounded(result):
        return "ok"
    return "incomplete"


def _span(s: ir.Span | None) -> str | None:
    if s is None or s == ir.NO_SPAN:
        return None
    return f"{s.file}:{s.line}:{s.col}"


def jsonable(x: Any) -> Any:
    """Decoded state values as JSON: sets become sorted lists, dict keys strings."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (set, frozenset)):
        return [jsonable(v) for v in sorted(x, key=lambda e: (str(type(e)), e))]
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    return x


def trace_json(trace: Trace) -> list[dict[str, Any]]:
    return [{"action": st.action, "label": st.label, "process": st.process,
             "step": st.step, "span": _span(st.span), "state": jsonable(st.state)}
            for st in trace.steps]


def result_json(result: CheckResult, path: str, defines: dict[str, int] | None = None
                ) -> dict[str, Any]:
    """The JSON result object of the CLI contract (design.md), one per spec run."""
    outcome = judge(result)
    st = result.stats
    cov = coverage(result)
    out: dict[str, Any] = {
        "spec": path,
        "name": result.spec.name,
        "result": result_verdict(result),
        "expected": expectation_keyword(result.spec.expect),
        "met": outcome.met,
        "exit_code": outcome.exit_code,
        "summary": outcome.summary,
        "engine": result.engine,
        "reason": result.reason.value,
        "defines": dict(defines or {}),
        "distinct_states": st.distinct_states,
        "generated_states": st.generated_states,
        "depth": st.depth,
        "queue": st.queue,
        "seconds": round(st.seconds, 3),
        "peak_rss_mb": st.peak_rss_mb,
        "stats": {"actions": dict(sorted(st.action_counts.items())),
                  "never_fired": cov.never_fired, "coverage": cov.note,
                  **{k: v for k, v in st.extra.items() if _plain(v)}},
        "notes": list(result.notes),
        "warnings": [{"code": w.code, "message": w.message, "span": _span(w.span),
                      "notes": list(w.notes)} for w in result.spec.warnings],
    }
    v = primary_violation(result)
    if v is not None:
        out["violations"] = [{"kind": x.kind, "property": x.property, "message": x.message,
                              "trace_length": len(x.trace) - 1, "trace": trace_json(x.trace),
                              "loop": x.trace.loop} for x in result.violations]
        out.update({
            "property": v.property,
            "kind": v.kind,
            "message": v.message,
            "property_span": _span(v.span),
            "trace": trace_json(v.trace),
            "loop": v.trace.loop,
            "details": {k: jsonable(val) for k, val in details_json(v.details).items()
                        if _plain(val)},
        })
    return out


def _plain(v: Any) -> bool:
    """Whether a value is JSON data (traces and other objects are rendered elsewhere)."""
    if isinstance(v, (str, int, float, bool)) or v is None:
        return True
    if isinstance(v, (list, tuple)):
        return all(_plain(x) for x in v)
    if isinstance(v, dict):
        return all(isinstance(k, str) and _plain(x) for k, x in v.items())
    return False


def error_json(path: str, diagnostics: list[Any], defines: dict[str, int] | None = None
               ) -> dict[str, Any]:
    return {
        "spec": path,
        "result": "error",
        "exit_code": EXIT_ERROR,
        "defines": dict(defines or {}),
        "errors": [{"code": d.code, "message": d.message, "span": _span(d.span)}
                   for d in diagnostics],
    }


def interrupted_json(path: str, defines: dict[str, int] | None = None) -> dict[str, Any]:
    """A spec run that a signal stopped before its search started (no statistics yet)."""
    return {
        "spec": path,
        "result": "incomplete",
        "reason": ExitReason.INTERRUPTED.value,
        "exit_code": EXIT_INCOMPLETE,
        "summary": "interrupted before its search started",
        "defines": dict(defines or {}),
    }
