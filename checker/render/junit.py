"""JUnit XML, so CI systems list every spec's properties as test cases.

A testsuite per spec, a test case per property. A violation is a <failure> carrying the
text trace; a spec that expected a violation that never showed gets a failing "expect ..."
case. A spec whose expected violation showed (and nothing unexpected) is one passing
"expect ..." case naming what was found and what was not searched to completion. Properties
the search did not finish checking otherwise (a limit, or a stop at an unexpected violation)
are <skipped> with the reason, never silently passed.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Callable

from checker.render.expect import complete, expectation_text, expected_violations, \
    is_expected, outcome
from checker.render.properties import attribute
from checker.render.text import Style, headline, stats_lines, violation_lines
from checker.result import CheckResult, ExitReason, Violation

_XML_BAD = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(s: str) -> str:
    """Characters XML 1.0 cannot carry at all (even escaped) shown as \\xNN."""
    return _XML_BAD.sub(lambda m: f"\\x{ord(m.group()):02x}", s)


def _trace_text(result: CheckResult, v: Violation) -> str:
    return "\n".join(violation_lines(result, v, Style(False)) + [""] + stats_lines(result))


def _skip_reason(result: CheckResult) -> str:
    if result.reason == ExitReason.VIOLATION:
        return "not checked to completion: the search stopped at the first violation"
    return f"search incomplete ({result.reason.value}): not violated in the states explored"


def _suite(result: CheckResult) -> ET.Element:
    spec = result.spec
    suite = ET.Element("testsuite", name=xml_text(spec.name), file=xml_text(spec.file))
    props = ET.SubElement(suite, "properties")
    for k, val in (("engine", result.engine), ("reason", result.reason.value),
                   ("expect", expectation_text(spec.expect)),
                   ("distinct_states", str(result.stats.distinct_states)),
                   ("generated_states", str(result.stats.generated_states)),
                   ("depth", str(result.stats.depth))):
        ET.SubElement(props, "property", name=k, value=xml_text(val))
    counts = {"tests": 0, "failures": 0, "skipped": 0}

    def case(name: str, line: int | None) -> ET.Element:
        counts["tests"] += 1
        tc = ET.SubElement(suite, "testcase", classname=xml_text(spec.name), name=xml_text(name),
                           file=xml_text(spec.file), time="0")
        if line:
            tc.set("line", str(line))
        return tc

    if _expected_and_found(result):
        _expected_case(result, case)
        return _finish(suite, counts, result)
    for prop, vs in attribute(result):
        tc = case(prop.title, prop.span.line if prop.span else None)
        bad = [v for v in vs if not is_expected(result, v)]
        if bad:
            counts["failures"] += 1
            v = bad[0]
            f = ET.SubElement(tc, "failure", type=v.kind, message=xml_text(headline(v)))
            f.text = xml_text("\n".join(_trace_text(result, w) for w in bad))
        elif vs:
            out = ET.SubElement(tc, "system-out")
            why = ("expected by the spec: " if any(v in expected_violations(result) for v in vs)
                   else "accompanies the expected violation: ")
            out.text = xml_text(why + "; ".join(headline(v) for v in vs))
        elif not complete(result):
            counts["skipped"] += 1
            ET.SubElement(tc, "skipped", message=_skip_reason(result))
    if spec.expect.kind is not None:
        e = spec.expect
        tc = case(f"expect {expectation_text(e)}", e.span.line or None)
        state = outcome(result)
        if expected_violations(result):
            out = ET.SubElement(tc, "system-out")
            out.text = xml_text("found: " + headline(expected_violations(result)[0]))
        elif state == "incomplete" or (state == "met" and not complete(result)):
            counts["skipped"] += 1
            ET.SubElement(tc, "skipped", message=xml_text(
                f"search incomplete ({result.reason.value}) before the expected violation "
                "showed"))
        else:
            counts["failures"] += 1
            f = ET.SubElement(tc, "failure", type="expectation",
                              message=xml_text(f"expected {expectation_text(e)} violation "
                                               "was not found"))
            f.text = xml_text("\n".join(stats_lines(result)))
    return _finish(suite, counts, result)


def _finish(suite: ET.Element, counts: dict[str, int], result: CheckResult) -> ET.Element:
    suite.set("tests", str(counts["tests"]))
    suite.set("failures", str(counts["failures"]))
    suite.set("errors", "0")
    suite.set("skipped", str(counts["skipped"]))
    suite.set("time", f"{result.stats.seconds:.3f}")
    return suite


def _expected_and_found(result: CheckResult) -> bool:
    """The spec expects a violation, it showed, and nothing unexpected did: the run is one
    passing test. (Its other properties were not searched to completion, since the search
    stops at the expected violation; listing each as skipped only made CI dashboards show
    noise for a spec that did what it should.)"""
    return (result.spec.expect.kind is not None and outcome(result) == "met"
            and bool(expected_violations(result)))


def _expected_case(result: CheckResult, case: Callable[[str, int | None], ET.Element]) -> None:
    e = result.spec.expect
    tc = case(f"expect {expectation_text(e)}", e.span.line or None)
    found = [v for v in result.violations if is_expected(result, v)]
    rest = [p.title for p, vs in attribute(result) if not vs]
    lines = ["found: " + headline(v) for v in found]
    if rest and not complete(result):
        lines.append("not searched to completion (the search stops at the expected "
                     "violation): " + ", ".join(rest))
    out = ET.SubElement(tc, "system-out")
    out.text = xml_text("\n".join(lines))


def _error_suite(path: str, message: str) -> ET.Element:
    suite = ET.Element("testsuite", name=xml_text(path), file=xml_text(path), tests="1",
                       failures="0", errors="1", skipped="0", time="0")
    tc = ET.SubElement(suite, "testcase", classname=xml_text(path), name="spec",
                       file=xml_text(path), time="0")
    err = ET.SubElement(tc, "error", type="spec-error", message=xml_text(message.split("\n")[0]))
    err.text = xml_text(message)
    return suite


def render_junit(results: list[CheckResult], errors: list[tuple[str, str]] | None = None) -> str:
    """The JUnit XML document for a run; `errors` are (spec path, diagnostics text) pairs
    for specs that did not load (exit status 2)."""
    root = ET.Element("testsuites", name="mmspec")
    for r in results:
        root.append(_suite(r))
    for path, message in errors or []:
        root.append(_error_suite(path, message))
    for attr in ("tests", "failures", "errors", "skipped"):
        root.set(attr, str(sum(int(s.get(attr, "0")) for s in root)))
    root.set("time", f"{sum(r.stats.seconds for r in results):.3f}")
    ET.indent(root, "  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
