"""End to end: real .mms specs (tests/golden/e2e/) through the front-end and the explicit
engine into every renderer, pinned by golden files.

The specs are loaded by a relative path from their own folder, so spans and SARIF URIs are
the same on every machine.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.render.html import render_html
from checker.render.itf import dumps, read_itf, result_from_meta, trace_to_itf
from checker.render.junit import render_junit
from checker.render.sarif import render_sarif
from checker.render.text import render_result
from checker.result import CheckResult
from tests.test_render_golden import check_golden

frontend = pytest.importorskip("mmspec.frontend", reason="the front-end is not there yet")
explicit = pytest.importorskip("checker.explicit", reason="the explicit engine is not there yet")

E2E = Path(__file__).parent / "golden" / "e2e"
SPECS = ["race", "abba", "fixed"]


def run(name: str) -> CheckResult:
    from mmspec.ground import ground

    spec = frontend.load_spec(f"{name}.mms")
    return explicit.check(ground(spec))


@pytest.fixture()
def results(monkeypatch: pytest.MonkeyPatch) -> dict[str, CheckResult]:
    monkeypatch.chdir(E2E)
    return {n: run(n) for n in SPECS}


def test_verdicts(results: dict[str, CheckResult]) -> None:
    assert [v.kind for v in results["race"].violations] == ["invariant"]
    assert [v.kind for v in results["abba"].violations] == ["deadlock"]
    assert results["fixed"].verdict == "ok"


def test_goldens(results: dict[str, CheckResult]) -> None:
    check_golden("e2e/e2e.txt", "".join(f"== {n}.mms\n{render_result(results[n])}\n"
                                        for n in SPECS))
    race = results["race"]
    check_golden("e2e/race.itf.json", dumps(trace_to_itf(race.violations[0].trace, race)))
    check_golden("e2e/e2e.junit.xml", render_junit([results[n] for n in SPECS]))
    check_golden("e2e/e2e.sarif", render_sarif([results[n] for n in SPECS]))


def test_what_the_reader_sees(results: dict[str, CheckResult]) -> None:
    text = render_result(results["race"])
    assert "   4. t[1]: unlock   race.mms:13\n" \
           "      | unlock: unlock(m)              // BUG: released before leaving\n" in text
    assert "mm.readers: +{0} (+t[1])" in text
    assert "mm (rwsem): read-held by t[1]" in text
    abba = render_result(results["abba"])
    assert "  p waits for B, held by q" in abba and "wait-for cycle: p -> q -> p" in abba
    sarif = json.loads(render_sarif([results["race"], results["abba"]]))
    levels = [(r["ruleId"], r["level"]) for r in sarif["runs"][0]["results"]]
    assert levels == [("invariant", "error"), ("deadlock", "note")]
    loc = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "race.mms" and loc["region"]["startLine"] == 18


def test_saved_trace_renders_the_same(results: dict[str, CheckResult]) -> None:
    for name in ("race", "abba"):
        r = results[name]
        doc = json.loads(json.dumps(trace_to_itf(r.violations[0].trace, r)))
        trace, meta = read_itf(doc)
        assert trace == r.violations[0].trace
        back = result_from_meta(trace, meta)
        assert render_result(back) == render_result(r)
        assert render_html(back) == render_html(r)
