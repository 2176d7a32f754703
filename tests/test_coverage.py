"""`mmspec check --coverage` (issue 18, item 5): enabled / fired / distinct per action and
per step label, counted over the explicit search's states. Expected counts by hand below."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmspec import cli
from tests.test_render_golden import check_golden

# x in 0..2, y bool: all 6 states reachable from (0, F). BFS, transitions in order Inc, Flip:
#   level 0: (0,F): Inc -> (1,F) new, Flip -> (0,T) new
#   level 1: (1,F): Inc -> (2,F) new, Flip -> (1,T) new;  (0,T): Inc -> (1,T) seen
#   level 2: (2,F): Flip -> (2,T) new;  (1,T): Inc -> (2,T) seen
#   level 3: (2,T): nothing enabled
# Inc is enabled where x < 2: 4 states, fired 4, first to reach (1,F), (2,F): 2.
# Flip is enabled where !y: 3 states, fired 3, first to reach (0,T), (1,T), (2,T): 3.
# Never (z is never 1) is enabled nowhere.
ACTIONS = """spec c
var x: 0..2 = 0
var y: bool = false
var z: 0..1 = 0
action Inc when x < 2 { x' = x + 1 }
action Flip when !y { y' = true }
action Never when z == 1 { z' = 0 }
option deadlock = false
"""

# Two processes P, Q, one step labelled `a` each. From (a, a, x=0):
#   level 0: P.a -> (done, a, 1) new;  Q.a -> (a, done, 1) new
#   level 1: (done, a, 1): Q.a -> (done, done, 2) new;  (a, done, 1): P.a -> seen
# P.a: enabled 2, fired 2, distinct 1; Q.a: enabled 2, fired 2, distinct 2;
# label a (both processes): enabled 4, fired 4, distinct 3. Four states in all.
THREADS = """spec w
var x: 0..2 = 0
process P {
a:  x := x + 1
}
process Q {
a:  x := x + 1
}
option deadlock = false
"""


def check_json(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str,
               *extra: str) -> dict:
    spec = tmp_path / "s.mms"
    spec.write_text(text)
    capsys.readouterr()
    code = cli.main(["check", str(spec), "--coverage", "--quiet", "--format", "json", *extra])
    assert code == 0
    return json.loads(capsys.readouterr().out)


def rows(doc: dict, table: str) -> dict[str, tuple[int, int, int]]:
    return {r["name"]: (r["enabled"], r["fired"], r["distinct"])
            for r in doc["stats"]["coverage_counts"][table]}


def test_action_counts_by_hand(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = check_json(tmp_path, capsys, ACTIONS)
    assert doc["engine"] == "explicit"
    assert any("--coverage" in n for n in doc["notes"])  # auto chose explicit, and says so
    assert rows(doc, "actions") == {"Inc": (4, 4, 2), "Flip": (3, 3, 3), "Never": (0, 0, 0)}
    cov = doc["stats"]["coverage_counts"]
    assert cov["complete"] is True and cov["states"] == 6
    assert doc["stats"]["never_fired"] == ["Never"]


def test_label_counts_by_hand(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = check_json(tmp_path, capsys, THREADS)
    assert list(rows(doc, "actions").values()) == [(2, 2, 1), (2, 2, 2)]  # P.a, Q.a
    assert rows(doc, "labels") == {"a": (4, 4, 3)}
    assert doc["stats"]["coverage_counts"]["states"] == 4


def test_text_golden(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "s.mms"
    spec.write_text(ACTIONS)
    capsys.readouterr()
    assert cli.main(["check", str(spec), "--coverage", "--quiet"]) == 0
    out = capsys.readouterr().out
    out = "\n".join(line for line in out.splitlines()[1:]) + "\n"  # drop the timed headline
    check_golden("coverage/actions.txt", out)


def test_partial_search_is_labelled(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                    ) -> None:
    """--depth 1 expands level 0 only: (0,F), where Inc and Flip each find one state."""
    spec = tmp_path / "s.mms"
    spec.write_text(ACTIONS)
    capsys.readouterr()
    cli.main(["check", str(spec), "--coverage", "--quiet", "--format", "json",
              "--depth", "1"])
    doc = json.loads(capsys.readouterr().out)
    cov = doc["stats"]["coverage_counts"]
    assert cov["complete"] is False and cov["states"] == 1
    assert rows(doc, "actions") == {"Inc": (1, 1, 1), "Flip": (1, 1, 1), "Never": (0, 0, 0)}
    assert doc["stats"]["never_fired"] is None


def test_totals_agree_with_the_search(capsys: pytest.CaptureFixture[str]) -> None:
    """On a library spec: every state but the initial ones is credited to exactly one
    action, and every firing is one generated state (the engine's own counters)."""
    capsys.readouterr()
    cli.main(["check", "specs/fput/fput_mm_side_only.mms", "--coverage", "--quiet",
              "--format", "json", "--engine", "explicit"])
    doc = json.loads(capsys.readouterr().out)
    cov = doc["stats"]["coverage_counts"]
    n_init = 1  # every variable of the spec has a single initial value
    if cov["complete"]:
        assert sum(r["distinct"] for r in cov["actions"]) == doc["distinct_states"] - n_init
        assert sum(r["fired"] for r in cov["actions"]) == doc["generated_states"] - n_init
    assert sum(r["fired"] for r in cov["labels"]) == sum(r["fired"] for r in cov["actions"])


def test_other_engine_says_it_does_not_count(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "s.mms"
    spec.write_text(ACTIONS)
    capsys.readouterr()
    cli.main(["check", str(spec), "--coverage", "--quiet", "--engine", "bmc", "--depth", "2"])
    out = capsys.readouterr().out
    assert "coverage: not counted by the bmc engine" in out


def test_html_page_of_a_passing_run_shows_it(tmp_path: Path) -> None:
    from checker.explicit import check
    from checker.options import CheckOptions
    from checker.render.html import render_page
    from mmspec.frontend import load_spec
    from mmspec.ground import ground

    spec = tmp_path / "s.mms"
    spec.write_text(ACTIONS)
    r = check(ground(load_spec(str(spec))), CheckOptions(coverage=True))
    page = render_page([r])
    assert "Coverage over all 6 states" in page
    assert ('<tr><td>Inc</td><td class="num">4</td><td class="num">4</td>'
            '<td class="num">2</td></tr>') in page
    assert '<tr class="never"><td>Never</td>' in page
