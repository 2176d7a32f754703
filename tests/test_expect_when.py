"""Several expectations per spec, selected by conditions over constants (`expect K when C`).

A buggy/fixed pair lives in one file and a `-D BUGGY=0..1` sweep checks both through the CLI;
contradicting expectations and conditions that read state are located errors (exit 2).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmspec import cli

# ABBA behind BUGGY: p2 takes b before a only when BUGGY == 1.
ABBA = """\
const BUGGY = 0
mutex a
mutex b
process p1 {
  mutex_lock(a)
  mutex_lock(b)
  mutex_unlock(b)
  mutex_unlock(a)
}
process p2 {
  if BUGGY == 1 {
    mutex_lock(b)
    mutex_lock(a)
  } else {
    mutex_lock(a)
    mutex_lock(b)
  }
  mutex_unlock(b)
  mutex_unlock(a)
}
"""
PAIR = ABBA + "expect deadlock when BUGGY == 1\nexpect ok when BUGGY == 0\n"


def _check(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str],
           *extra: str) -> tuple[int, list[dict], str]:
    spec = tmp_path / "abba.mms"
    spec.write_text(text)
    code = cli.main(["check", str(spec), "-D", "BUGGY=0..1", "--quiet", "--format", "json",
                     *extra])
    out = capsys.readouterr()
    return code, json.loads(out.out) if out.out.strip() else [], out.err


@pytest.mark.parametrize("engine", ["explicit", "vector"])
def test_sweep_meets_each_selected_expectation(tmp_path: Path, engine: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, results, _ = _check(tmp_path, PAIR, capsys, "--engine", engine)
    assert code == 0
    by = {r["defines"]["BUGGY"]: r for r in results}
    assert set(by) == {0, 1}
    fixed, buggy = by[0], by[1]
    assert (fixed["expected"], fixed["result"], fixed["met"]) == ("ok", "ok", True)
    # Fixed: both threads take a then b, so a excludes the other thread's pcs 1..3 (holding
    # a) while one holds it; pcs are 0 (before lock a), 1..3, 4 (done). Both in {0, 4}: 4
    # states; one in 1..3 and the other in {0, 4}: 2 * 3 * 2 = 12. Total 16.
    assert fixed["distinct_states"] == 16
    assert (buggy["expected"], buggy["result"], buggy["kind"], buggy["met"]) == \
        ("deadlock", "violation", "deadlock", True)
    assert buggy["details"]["cycle"] == ["p1", "p2"]


def test_selection_is_per_run_not_vacuous(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Control: with only `expect ok` the buggy run fails (exit 1) and with only an
    unconditional `expect deadlock` the fixed run fails: the conditions do the selecting."""
    code, results, _ = _check(tmp_path, ABBA + "expect ok\n", capsys)
    assert code == 1
    assert {r["defines"]["BUGGY"]: r["met"] for r in results} == {0: True, 1: False}
    code, results, _ = _check(tmp_path, ABBA + "expect deadlock\n", capsys)
    assert code == 1
    assert {r["defines"]["BUGGY"]: r["met"] for r in results} == {0: False, 1: True}


def test_no_condition_holding_means_every_property_holds(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, results, _ = _check(tmp_path, ABBA + "expect deadlock when BUGGY == 7\n", capsys)
    assert code == 1  # BUGGY=1 deadlocks, which nothing expected
    by = {r["defines"]["BUGGY"]: r for r in results}
    assert by[0]["expected"] == "ok" and by[0]["met"]
    assert by[1]["expected"] == "ok" and not by[1]["met"]


def test_same_expectation_twice_is_not_a_contradiction(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = PAIR + "expect deadlock when BUGGY >= 1\n"
    code, _, _ = _check(tmp_path, text, capsys)
    assert code == 0


def test_contradicting_expectations_are_a_located_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = ABBA + "expect deadlock when BUGGY == 1\nexpect ok when BUGGY >= 0\n"
    code, results, _ = _check(tmp_path, text, capsys)
    assert code == 2
    by = {r["defines"]["BUGGY"]: r for r in results}
    assert by[0]["met"]  # only `expect ok` applies there
    assert by[1]["result"] == "error"
    # ABBA is 20 lines, so `expect deadlock` is line 21 and `expect ok` line 22.
    [e] = by[1]["errors"]
    assert e["code"] == "MMS317" and e["span"].endswith("abba.mms:22:1")
    assert "contradicting expectations" in e["message"]


def test_condition_over_a_variable_is_a_located_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = ("const BUGGY = 0\nvar x: 0..3 = 0\naction inc when x < 3 { x' = x + 1 }\n"
            "expect ok when x == 0\n")
    spec = tmp_path / "abba.mms"
    spec.write_text(text)
    code = cli.main(["check", str(spec), "-D", "BUGGY=0..1"])
    out = capsys.readouterr()
    assert code == 2
    # `x` is column 16 of line 4: "expect ok when " is 15 characters; once per -D run.
    shown = out.out + out.err
    assert shown.count("abba.mms:4:16: error[MMS302]: the condition of 'expect ok' must be "
                       "over constants") == 2
