"""SARIF 2.1.0, so code-scanning UIs (GitHub's among them) annotate the spec's source.

A result per violation, located at the violated property or assertion (the last step's
line when the violation has no span, e.g. a deadlock), with the counterexample as a code
flow: one thread-flow location per step, carrying the step's label and what it changed. An
expected violation is a "note", an unexpected one an "error"; an expected violation that
never showed is an "error" at the `expect` clause; an incomplete search is a "warning".
"""
from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from mmspec import ir

from checker.render.diff import diff_states, fmt, var_types
from checker.render.expect import expectation_text, expected_violations, is_expected, \
    outcome
from checker.render.text import headline, loop_end, ok_line, step_title
from checker.result import CheckResult, ExitReason, Violation

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
VERSION = "2.1.0"

RULES: list[tuple[str, str, str]] = [
    ("invariant", "InvariantViolated", "A reachable state breaks an invariant."),
    ("assertion", "AssertionFailed", "An in-step assertion (or a lock misuse) fails."),
    ("deadlock", "Deadlock", "A reachable state where no thread can take a step."),
    ("liveness", "LivenessViolated", "A fair infinite run that never satisfies the property."),
    ("lock-order", "LockOrderCycle", "Locks are taken in an order that forms a cycle "
                                     "(lockdep style), a potential deadlock."),
    ("range", "ValueOutOfRange", "A step would leave a variable's declared range."),
    ("refcount", "RefcountSaturated", "A refcount_t operation the kernel warns about: an "
                                      "addition on 0, an underflow or a saturation."),
    ("expectation", "ExpectationNotMet", "The spec expects a violation that was not found."),
    ("incomplete", "SearchIncomplete", "A limit stopped the search before a verdict."),
    ("context", "SleepInAtomicContext", "A sleeping function is called from atomic context "
                                        "(spinlock held, RCU read side, IRQs or preemption "
                                        "disabled, interrupt handler)."),
    ("use-after-free", "UseAfterFree", "An object is accessed or freed again after it was "
                                       "freed."),
    ("irq-lock", "InconsistentIrqLockUsage", "lockdep: a lock taken in interrupt context is "
                                             "also taken with interrupts enabled."),
    ("null-deref", "NullPointerDereference", "A field of an object is read or written "
                                             "through a NULL object reference."),
]
RULE_INDEX = {rid: i for i, (rid, _, _) in enumerate(RULES)}


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("mmspec")
    except Exception:  # noqa: BLE001 - not installed (running from a checkout)
        return "0.0.0"


def artifact_uri(path: str, root: str | None = None) -> str:
    """A repository-relative URI when the file lies under `root` (default: the cwd), so
    code scanning can place it; otherwise a file:// URI.

    LIMITATION: a spec outside the root (or an include from outside) gets a file:// URI that
    code scanning cannot place on a repository line.
    """
    root = os.path.abspath(root or os.getcwd())
    full = os.path.abspath(path)
    if os.path.commonpath([root, full]) == root:
        return os.path.relpath(full, root).replace(os.sep, "/")
    return "file://" + full.replace(os.sep, "/")


def _location(span: ir.Span | None, fallback_file: str, root: str | None,
              message: str | None = None) -> dict[str, Any]:
    if span is not None and span.line > 0:
        region: dict[str, Any] = {"startLine": span.line, "startColumn": max(span.col, 1)}
        if span.end_line >= span.line:
            region["endLine"] = span.end_line
            if span.end_col > 0 and (span.end_line > span.line or span.end_col > span.col):
                region["endColumn"] = span.end_col
        uri = span.file
    else:
        region = {"startLine": 1, "startColumn": 1}
        uri = fallback_file
    loc: dict[str, Any] = {"physicalLocation": {
        "artifactLocation": {"uri": artifact_uri(uri, root)}, "region": region}}
    if message is not None:
        loc["message"] = {"text": message}
    return loc


def _code_flow(result: CheckResult, v: Violation, root: str | None) -> dict[str, Any]:
    types = var_types(result.spec)
    locs = []
    prev = None
    steps = v.trace.steps
    for i, step in enumerate(steps):
        if prev is None:
            text = "initial state"
            state = {name: {"text": fmt(val)} for name, val in step.state.items()}
        else:
            changes = diff_states(prev, step.state, types)
            text = f"{i}. {step_title(step)}"
            if changes:
                text += " — " + "; ".join(c.describe() for c in changes)
            state = {c.path: {"text": fmt(c.new)} for c in changes}
        if v.trace.loop == i:
            text += " (loop starts here)"
        if v.trace.loop is not None and i == len(steps) - 1:
            text += f" ({loop_end(v.trace)})"
        locs.append({"location": _location(step.span if i else None, result.spec.file, root,
                                           text),
                     "state": state, "executionOrder": i, "nestingLevel": 0})
        prev = step.state
    return {"message": {"text": headline(v)}, "threadFlows": [{"locations": locs}]}


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _result(rule: str, level: str, text: str, locations: list[dict[str, Any]],
            spec: ir.Spec, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    r: dict[str, Any] = {"ruleId": rule, "ruleIndex": RULE_INDEX[rule], "level": level,
                         "message": {"text": text}, "locations": locations,
                         "partialFingerprints": {
                             "mmspecProperty/v1": _fingerprint(spec.file, rule, text)}}
    if extra:
        r.update(extra)
    return r


def _results_for(result: CheckResult, root: str | None) -> list[dict[str, Any]]:
    spec = result.spec
    out = []
    for v in result.violations:
        expected = is_expected(result, v)
        span = v.span if v.span is not None and v.span.line > 0 else (
            v.trace.steps[-1].span if v.trace.steps else None)
        text = f"{spec.name}: {headline(v)}"
        if v.message and v.message not in text:
            text += f" ({v.message})"
        if expected:
            text += " [expected by the spec]"
        extra: dict[str, Any] = {"properties": {"spec": spec.name, "engine": result.engine,
                                                "kind": v.kind, "property": v.property,
                                                "expected": expected}}
        if v.trace.steps:
            extra["codeFlows"] = [_code_flow(result, v, root)]
        r = _result(v.kind if v.kind in RULE_INDEX else "invariant", "note" if expected
                    else "error", text, [_location(span, spec.file, root)], spec, extra)
        r["partialFingerprints"] = {"mmspecProperty/v1": _fingerprint(spec.file, v.kind,
                                                                      v.property)}
        out.append(r)
    state = outcome(result)
    if spec.expect.kind is not None and not expected_violations(result) and state == "unmet":
        out.append(_result("expectation", "error",
                           f"{spec.name}: expected {expectation_text(spec.expect)} "
                           f"violation was not found ({ok_line(result)})",
                           [_location(spec.expect.span, spec.file, root)], spec))
    if state == "incomplete":
        out.append(_result("incomplete", "warning",
                           f"{spec.name}: search incomplete ({result.reason.value}) after "
                           f"{result.stats.distinct_states} distinct states",
                           [_location(None, spec.file, root)], spec))
    return out


def sarif_log(results: list[CheckResult], root: str | None = None) -> dict[str, Any]:
    rules = [{"id": rid, "name": name, "shortDescription": {"text": desc},
              "fullDescription": {"text": desc}, "help": {"text": desc},
              "defaultConfiguration": {"level": "warning" if rid == "incomplete" else "error"},
              "properties": {"tags": ["concurrency", "locking"]}}
             for rid, name, desc in RULES]
    run = {"tool": {"driver": {"name": "mmspec", "version": _version(),
                               "semanticVersion": _version(), "rules": rules}},
           "columnKind": "unicodeCodePoints",
           "results": [r for res in results for r in _results_for(res, root)],
           "invocations": [_invocation(results)]}
    return {"$schema": SCHEMA, "version": VERSION, "runs": [run]}


def _invocation(results: list[CheckResult]) -> dict[str, Any]:
    """A run stopped by SIGINT/SIGTERM did not execute successfully: say so, so a viewer
    does not read the missing specs as clean."""
    stopped = [r for r in results if r.reason == ExitReason.INTERRUPTED]
    if not stopped:
        return {"executionSuccessful": True}
    names = ", ".join(r.spec.name for r in stopped)
    return {"executionSuccessful": False, "toolExecutionNotifications": [
        {"level": "warning", "message": {"text": f"interrupted while checking {names}: specs "
                                                 "after it were not checked"}}]}


def render_sarif(results: list[CheckResult], root: str | None = None) -> str:
    """The SARIF log for a run; paths are made relative to `root` (default: the cwd)."""
    return json.dumps(sarif_log(results, root), indent=2, ensure_ascii=False) + "\n"
