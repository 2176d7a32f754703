"""Verdicts against expectations, exit statuses, and the JSON result object (a CLI contract).

A spec may expect a violation (`expect deadlock`): then finding that violation is success.
This module is the one place that decides what "met its expectation" means, so the CLI, the
JUnit/SARIF renderers and the tests agree.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mmspec import ir
from checker.result import CheckResult, ExitReason, Trace, Violation

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_ERROR = 2
EXIT_INCOMPLETE = 3

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


def describe_expectation(expect: ir.Expectation) -> str:
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
    """A bmc run that found nothing up to its depth: a bounded, not a full, verdict."""
    return result.engine == "bmc" and result.reason == ExitReason.DEPTH_LIMIT


def judge(result: CheckResult) -> Outcome:
    """Met, failed or undecided, against the spec's `expect`.

    Lock-order reports are lockdep's: they accompany real deadlocks (ABBA shows both), so a
    spec expecting a deadlock also tolerates the lock-order cycle behind it. Anything else
    not expected fails the spec.
    """
    expect = result.spec.expect
    vs = result.violations
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
    want = describe_expectation(expect)
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
    out: dict[str, Any] = {
        "spec": path,
        "name": result.spec.name,
        "result": result_verdict(result),
        "expected": describe_expectation(result.spec.expect),
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
                  "never_fired": st.never_fired,
                  **{k: v for k, v in st.extra.items() if _plain(v)}},
        "notes": list(result.notes),
    }
    v = primary_violation(result)
    if v is not None:
        out["violations"] = [{"kind": x.kind, "property": x.property, "message": x.message,
                              "trace_length": len(x.trace) - 1} for x in result.violations]
        out.update({
            "property": v.property,
            "kind": v.kind,
            "message": v.message,
            "property_span": _span(v.span),
            "trace": trace_json(v.trace),
            "loop": v.trace.loop,
            "details": {k: jsonable(val) for k, val in v.details.items() if _plain(val)},
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
