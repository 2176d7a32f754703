"""`mmspec check --max-errors N` (issue 18, item 3): several distinct violations per run, each
with its own shortest trace, in every output. Expected traces derived by hand below."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmspec import cli

# Two independent bugs. From (x, y) = (0, 0), IncX and IncY each add 1:
# x_small (x < 2) first fails after IncX, IncX: a 2-step trace; y_small (y < 3) first fails
# after IncY x3: 3 steps. States where x_small already failed in the parent (x = 2 -> 3, or
# IncY from an x = 2 state) continue the first violation and are not new ones.
TWO = """spec two
var x: 0..3 = 0
var y: 0..3 = 0
action IncX when x < 3 { x' = x + 1 }
action IncY when y < 3 { y' = y + 1 }
invariant x_small: x < 2
invariant y_small: y < 3
option deadlock = false
"""

# One assertion reached by two different steps (A's `a`, B's `b`): two distinct final steps.
# The search starts at (a, b); A.a fails first (depth 0, first in transition order); B.b
# fails in the same initial state: two violations, each with a 0-step trace.
STEPS = """spec steps
var z: 0..1 = 0
process A {
a:  assert z == 1, "z is set"
}
process B {
b:  assert z == 1, "z is set"
}
option deadlock = false
"""


def run_json(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str,
             *args: str) -> tuple[int, dict]:
    spec = tmp_path / "s.mms"
    spec.write_text(text)
    capsys.readouterr()
    code = cli.main(["check", str(spec), "--quiet", "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def steps_of(v: dict) -> list[str | None]:
    return [st["action"] for st in v["trace"]]


def test_two_independent_bugs_each_with_shortest_trace(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    code, doc = run_json(tmp_path, capsys, TWO, "--max-errors", "5")
    assert code == 1 and doc["engine"] == "explicit"
    vs = doc["violations"]
    assert [(v["kind"], v["property"]) for v in vs] == [("invariant", "x_small"),
                                                          ("invariant", "y_small")]
    assert steps_of(vs[0]) == [None, "IncX", "IncX"]
    assert steps_of(vs[1]) == [None, "IncY", "IncY", "IncY"]
    assert vs[0]["trace"][-1]["state"] == {"x": 2, "y": 0}
    assert vs[1]["trace"][-1]["state"] == {"x": 0, "y": 3}
    assert any("--max-errors" in n for n in doc["notes"])


def test_default_keeps_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = run_json(tmp_path, capsys, TWO, "--engine", "explicit")
    assert code == 1 and [v["property"] for v in doc["violations"]] == ["x_small"]


def test_limit_stops_at_n(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _code, doc = run_json(tmp_path, capsys, TWO, "--max-errors", "1")
    assert len(doc["violations"]) == 1
    _code, doc = run_json(tmp_path, capsys, TWO, "--max-errors", "2")
    assert len(doc["violations"]) == 2 and doc["reason"] == "violation"


def test_same_assertion_two_steps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _code, doc = run_json(tmp_path, capsys, STEPS, "--max-errors", "5")
    vs = doc["violations"]
    assert [(v["kind"], v["property"], len(v["trace"])) for v in vs] == [
        ("assertion", "z is set", 1), ("assertion", "z is set", 1)]
    _code, one = run_json(tmp_path, capsys, STEPS)
    assert len(one["violations"]) == 1


def test_every_output_carries_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "two.mms"
    spec.write_text(TWO)
    out = {k: str(tmp_path / n) for k, n in (("itf", "t.itf.json"), ("sarif", "r.sarif"),
                                              ("junit", "j.xml"), ("html", "p.html"))}
    cli.main(["check", str(spec), "--quiet", "--max-errors", "5", "--itf", out["itf"],
              "--sarif", out["sarif"], "--junit", out["junit"], "--html", out["html"]])
    text = capsys.readouterr().out
    assert "invariant x_small violated" in text and "invariant y_small violated" in text
    first = json.loads(Path(out["itf"]).read_text())
    second = json.loads((tmp_path / "t.2.itf.json").read_text())
    assert (first["#meta"]["property"], len(first["states"])) == ("x_small", 3)
    assert (second["#meta"]["property"], len(second["states"])) == ("y_small", 4)
    sarif = json.loads(Path(out["sarif"]).read_text())
    assert len(sarif["runs"][0]["results"]) == 2
    junit = Path(out["junit"]).read_text()
    assert 'failures="2"' in junit
    html = Path(out["html"]).read_text()
    assert "x_small" in html and "y_small" in html


@pytest.mark.parametrize("engine", ["vector", "bmc", "kind"])
def test_other_engines_refuse(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                              engine: str) -> None:
    spec = tmp_path / "s.mms"
    spec.write_text(TWO)
    assert cli.main(["check", str(spec), "--engine", engine, "--max-errors", "2"]) == 2
    assert f"the {engine} engine stops at the first violation" in capsys.readouterr().err


# Three invariants over one counter x = 0, 1, 2, 3 (Inc adds 1). At x = 1, `a` (x < 1) and
# `c` (x != 1) both break for the first time: two violations ending in the same state, each
# a 1-step trace, in declaration order. At x = 2, `a` still fails (its parent broke it too:
# the same violation continued) but `b` (x < 2) breaks for the first time: a 2-step trace,
# although the parent already broke a different invariant. At x = 3 nothing is new.
THREE = """spec three
var x: 0..3 = 0
action Inc when x < 3 { x' = x + 1 }
invariant a: x < 1
invariant b: x < 2
invariant c: x != 1
option deadlock = false
"""


def test_every_invariant_a_state_breaks_first(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    _code, doc = run_json(tmp_path, capsys, THREE, "--max-errors", "5")
    assert [(v["property"], steps_of(v)) for v in doc["violations"]] == [
        ("a", [None, "Inc"]), ("c", [None, "Inc"]), ("b", [None, "Inc", "Inc"])]
    assert doc["reason"] == "done"
