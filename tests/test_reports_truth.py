"""Reports that tell the truth (issue 11, item 4): coverage claims only for complete searches,
`mmspec simulate` says what it did, `--engine auto` says when it falls back.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mmspec import cli

# BFS from x = 0: depth 1 has x = 1, depth 2 has x = 2, which breaks `small`, so the search
# stops at depth 2. `Later` is enabled at x = 2 and would fire in a complete search: a
# "Never fired: Later" claim would be false.
STOPS_EARLY = """spec stops_early
var x: 0..3 = 0
action Step when x < 2 { x' = x + 1 }
action Later when x == 2 { x' = 3 }
invariant small: x < 2
expect invariant small
option deadlock = false
"""

# Every reachable state: x = 0..3 (Step three times); `Dead` needs x > 3, which the range
# 0..3 never allows, so a complete search rightly says it never fired.
COMPLETE = """spec complete
var x: 0..3 = 0
action Step when x < 3 { x' = x + 1 }
action Dead when x > 3 { x' = 0 }
option deadlock = false
"""


def spec_file(tmp_path: Path, text: str, name: str = "s.mms") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(capsys, *args: str) -> tuple[int, str]:
    code = cli.main(list(args))
    return code, capsys.readouterr().out


# --------------------------------------------------------------------------- never fired


@pytest.mark.parametrize("engine", ["explicit", "vector"])
def test_an_expected_violation_that_stops_the_search_prints_no_never_fired_list(
        tmp_path, capsys, engine):
    path = spec_file(tmp_path, STOPS_EARLY)
    code, out = run(capsys, "check", path, "--engine", engine, "--quiet", "--show-traces")
    assert code == 0  # the expected violation was found
    never = [line.strip() for line in out.splitlines() if "Never fired" in line]
    assert never == ["Never fired: not computed: search stopped at depth 2"]
    code, out = run(capsys, "check", path, "--engine", engine, "--quiet", "--format", "json")
    stats = json.loads(out)["stats"]
    assert stats["never_fired"] is None
    assert stats["coverage"] == "not computed: search stopped at depth 2"


@pytest.mark.parametrize("engine", ["explicit", "vector"])
def test_a_complete_search_lists_what_never_fired(tmp_path, capsys, engine):
    path = spec_file(tmp_path, COMPLETE)
    code, out = run(capsys, "check", path, "--engine", engine, "--quiet", "--format", "json")
    j = json.loads(out)
    assert code == 0 and j["distinct_states"] == 4
    assert j["stats"]["never_fired"] == ["Dead"] and j["stats"]["coverage"] == "complete"


def test_a_limit_leaves_coverage_not_computed(tmp_path, capsys):
    path = spec_file(tmp_path, COMPLETE)
    # --max-states 2 keeps x = 0 and x = 1 (depth 1)
    code, out = run(capsys, "check", path, "--engine", "explicit", "--quiet", "--format",
                    "json", "--max-states", "2")
    j = json.loads(out)
    assert code == 3 and j["reason"] == "state-limit"
    assert j["stats"]["coverage"] == f"not computed: search stopped at depth {j['depth']}"


# --------------------------------------------------------------------------- simulate

# Three steps from x = 0 reach x = 3, where nothing is enabled: every walk is exactly three
# steps long and ends in that final state.
TERMINATES = """spec terminates
var x: 0..3 = 0
action Step when x < 3 { x' = x + 1 }
option deadlock = false
"""


def simulate_options() -> set[str]:
    parser = cli._build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return {o for a in sub.choices["simulate"]._actions for o in a.option_strings}


def test_simulate_on_a_terminating_spec_exits_0_and_names_the_runs(tmp_path, capsys):
    path = spec_file(tmp_path, TERMINATES)
    code, out = run(capsys, "simulate", path, "--runs", "7", "--steps", "3")
    assert code == 0
    assert "no violation in 7 runs of at most 3 steps; 7 ended in a final state" in out
    assert "incomplete" not in out
    code, out = run(capsys, "simulate", path, "--runs", "7", "--steps", "3", "--format", "json")
    j = json.loads(out)
    assert code == 0 and j["result"] == "ok" and j["exit_code"] == 0
    assert (j["stats"]["runs"], j["stats"]["final_runs"], j["stats"]["truncated_runs"]) \
        == (7, 7, 0)


def test_simulate_exits_3_only_when_steps_cut_a_walk(tmp_path, capsys):
    path = spec_file(tmp_path, TERMINATES)
    code, out = run(capsys, "simulate", path, "--runs", "4", "--steps", "2")
    assert code == 3
    assert "no violation in 4 runs of at most 2 steps; 0 ended in a final state, 4 were cut " \
           "at 2 steps" in out
    hinted = set(re.findall(r"--[a-z-]+", out))
    assert hinted and hinted <= simulate_options(), hinted  # no --depth, no --engine


def test_simulate_finds_a_violation_and_exits_1(tmp_path, capsys):
    path = spec_file(tmp_path, STOPS_EARLY.replace("expect invariant small\n", ""))
    code, out = run(capsys, "simulate", path, "--runs", "1", "--steps", "5")
    assert code == 1 and "unexpected invariant violation: small" in out
    hinted = set(re.findall(r"--[a-z-]+", out))
    assert hinted <= simulate_options(), hinted


# --------------------------------------------------------------------------- engine auto

# More fairness constraints than the vector engine's liveness masks hold (63): `auto` hands
# the spec to the explicit engine and must say so. Every action is weakly fair and sets x,
# so x == 1 is reached: the property holds.
LIVE = ("spec live\nvar x: 0..1 = 0\n"
        + "".join(f"fair action S{i} when x == 0 {{ x' = 1 }}\n" for i in range(64))
        + "property done: eventually x == 1\noption deadlock = false\n")


def test_engine_auto_says_when_it_falls_back(tmp_path, capsys):
    path = spec_file(tmp_path, LIVE)
    code, out = run(capsys, "check", path, "--quiet")
    assert code == 0
    (note,) = [line.strip() for line in out.splitlines() if "engine auto" in line]
    assert note.startswith("note: engine auto: explicit (") and note.endswith(")")
    code, out = run(capsys, "check", path, "--quiet", "--format", "json")
    j = json.loads(out)
    assert j["engine"] == "explicit"
    assert [n for n in j["notes"] if n.startswith("engine auto: explicit (")]


def test_engine_auto_without_a_fallback_prints_no_note(tmp_path, capsys):
    path = spec_file(tmp_path, COMPLETE)
    code, out = run(capsys, "check", path, "--quiet", "--format", "json")
    j = json.loads(out)
    assert j["engine"] == "vector" and not [n for n in j["notes"] if "engine auto" in n]


def test_a_stop_request_ends_the_walks_as_interrupted():
    from checker import report
    from checker.options import StopRequest
    from checker.result import ExitReason
    from checker.simulate import simulate
    from mmspec.ground import ground
    from tests.irbuild import grid

    # Stop requested before the first step: one walk begun, neither final nor cut.
    r = simulate(ground(grid(2, 2)), steps=10, runs=5, seed=0, stop=StopRequest(True))
    assert r.reason == ExitReason.INTERRUPTED and r.violations == []
    assert report.WalkStats.of(r) == report.WalkStats(runs=1, steps=10, final=0, cut=0)
    outcome = report.judge(r)
    assert outcome.met is None
    assert outcome.summary.startswith("interrupted: no violation in 1 run ")
