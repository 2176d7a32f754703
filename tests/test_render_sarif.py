"""SARIF 2.1.0: structure (validated against a minimal schema), levels, locations, flows."""
from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from checker.render.sarif import artifact_uri, render_sarif
from checker.result import CheckResult, ExitReason, Stats
from mmspec import ir
from tests.test_render_fixtures import ALL, abba, mutex_fixed, mutex_race, spin_lasso

_REGION = {"type": "object", "required": ["startLine"],
           "properties": {"startLine": {"type": "integer", "minimum": 1},
                          "startColumn": {"type": "integer", "minimum": 1},
                          "endLine": {"type": "integer", "minimum": 1},
                          "endColumn": {"type": "integer", "minimum": 1}}}
_LOCATION = {"type": "object", "required": ["physicalLocation"], "properties": {
    "physicalLocation": {"type": "object", "required": ["artifactLocation", "region"],
                         "properties": {
                             "artifactLocation": {"type": "object", "required": ["uri"],
                                                  "properties": {"uri": {"type": "string",
                                                                         "minLength": 1}}},
                             "region": _REGION}},
    "message": {"type": "object", "required": ["text"]}}}
SCHEMA = {
    "type": "object",
    "required": ["version", "$schema", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "$schema": {"type": "string", "pattern": "sarif-2\\.1\\.0"},
        "runs": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["tool", "results"],
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {
                    "driver": {"type": "object", "required": ["name", "rules"], "properties": {
                        "name": {"const": "mmspec"},
                        "rules": {"type": "array", "items": {
                            "type": "object", "required": ["id", "shortDescription"]}}}}}},
                "results": {"type": "array", "items": {
                    "type": "object",
                    "required": ["ruleId", "ruleIndex", "level", "message", "locations"],
                    "properties": {
                        "level": {"enum": ["error", "warning", "note", "none"]},
                        "message": {"type": "object", "required": ["text"]},
                        "locations": {"type": "array", "minItems": 1, "items": _LOCATION},
                        "codeFlows": {"type": "array", "items": {
                            "type": "object", "required": ["threadFlows"], "properties": {
                                "threadFlows": {"type": "array", "minItems": 1, "items": {
                                    "type": "object", "required": ["locations"],
                                    "properties": {"locations": {
                                        "type": "array", "minItems": 1, "items": {
                                            "type": "object", "required": ["location"],
                                            "properties": {"location": _LOCATION}}}}}}}}},
                    }}},
            }}},
    },
}


def sarif(results: list[CheckResult]) -> dict:
    doc = json.loads(render_sarif(results))
    jsonschema.validate(doc, SCHEMA)
    return doc


def test_every_fixture_validates() -> None:
    doc = sarif([f() for f in ALL.values()])
    rules = [r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]]
    for res in doc["runs"][0]["results"]:
        assert rules[res["ruleIndex"]] == res["ruleId"]


def test_violation_located_at_the_property_with_one_flow_step_per_trace_step() -> None:
    r = mutex_race()
    (res,) = sarif([r])["runs"][0]["results"]
    assert (res["ruleId"], res["level"]) == ("invariant", "error")
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "mutex_race.mms"
    assert loc["region"] == {"startLine": 12, "startColumn": 1, "endLine": 12, "endColumn": 25}
    flow = res["codeFlows"][0]["threadFlows"][0]["locations"]
    assert len(flow) == len(r.violations[0].trace.steps)
    assert [f["location"]["physicalLocation"]["region"]["startLine"] for f in flow[1:]] == \
        [6, 7, 8, 6, 7]
    assert flow[5]["location"]["message"]["text"] == \
        "5. t[2]: enter — count: 1 -> 2; t.pc[2]: enter -> unlock"
    assert flow[5]["state"] == {"count": {"text": "2"}, "t.pc[2]": {"text": "unlock"}}


def test_expected_violation_is_a_note_and_unexpected_an_error() -> None:
    results = sarif([abba()])["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("deadlock", "note"),
                                                           ("lock-order", "note")]
    # deadlock has no span: located at the last step (q's lock(B))
    assert results[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 11


def test_missing_expected_violation_and_incomplete_search() -> None:
    fixed = mutex_fixed()
    spec = ir.Spec(**{**fixed.spec.__dict__, "expect": ir.Expectation(
        "invariant", "excl", ir.Span("mutex_fixed.mms", 12, 1, 12, 25))})
    unmet = CheckResult(spec, "explicit", ExitReason.DONE, [], fixed.stats)
    partial = CheckResult(fixed.spec, "explicit", ExitReason.STATE_LIMIT, [], Stats(10))
    results = sarif([unmet, partial])["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("expectation", "error"),
                                                           ("incomplete", "warning")]
    assert results[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 12


def test_lasso_flow_says_where_the_loop_is() -> None:
    (res,) = sarif([spin_lasso()])["runs"][0]["results"]
    texts = [f["location"]["message"]["text"]
             for f in res["codeFlows"][0]["threadFlows"][0]["locations"]]
    assert texts[0].endswith("(loop starts here)")
    assert texts[-1].endswith("(back at state 0: the loop repeats forever)")


def test_uris_are_relative_to_the_root(tmp_path: Path) -> None:
    spec_file = tmp_path / "specs" / "a.mms"
    assert artifact_uri(str(spec_file), str(tmp_path)) == "specs/a.mms"
    assert artifact_uri("specs/a.mms", os.getcwd()) == "specs/a.mms"
    assert artifact_uri("/elsewhere/a.mms", str(tmp_path)) == "file:///elsewhere/a.mms"


def test_no_results_when_all_is_well() -> None:
    assert sarif([mutex_fixed()])["runs"][0]["results"] == []


@pytest.mark.parametrize("bad", [{"version": "2.0.0"}, {"runs": []}])
def test_schema_rejects_broken_logs(bad: dict) -> None:
    doc = json.loads(render_sarif([mutex_race()]))
    doc.update(bad)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)
