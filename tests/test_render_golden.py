"""Golden files for every rendered output (text, ITF, JUnit, SARIF) of the IR fixtures.

Normalised for durations, tool version and absolute paths. On a mismatch the test shows a
unified diff; to accept new output run with MMSPEC_UPDATE_GOLDEN=1 and review `git diff
tests/golden/`.
"""
from __future__ import annotations

import difflib
import json
import os
import re
import sys
from pathlib import Path

import pytest

from checker.render.itf import dumps, trace_to_itf
from checker.render.junit import render_junit
from checker.render.sarif import render_sarif
from checker.render.text import render_result
from tests.test_render_fixtures import ALL

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("MMSPEC_UPDATE_GOLDEN") == "1"


def normalise(text: str, paths: tuple[str, ...] = ()) -> str:
    """Strip what changes from run to run: times, the tool version, absolute paths."""
    for p in sorted(paths, key=len, reverse=True):
        text = text.replace(p, "<dir>")
    text = re.sub(r"\b\d+\.\d+ s\b", "<secs> s", text)
    text = re.sub(r'time="[0-9.]+"', 'time="<t>"', text)
    text = re.sub(r'"seconds": [0-9.e+-]+', '"seconds": 0', text)
    text = re.sub(r'("(?:semantic)?[vV]ersion": )"(?!2\.1\.0)[^"]*"', r'\1"<version>"', text)
    return text


def check_golden(name: str, actual: str, paths: tuple[str, ...] = ()) -> None:
    """Compare with tests/golden/NAME (or write it when MMSPEC_UPDATE_GOLDEN=1)."""
    path = GOLDEN / name
    actual = normalise(actual, paths)
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"no golden file {path}; create it with MMSPEC_UPDATE_GOLDEN=1")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            f"golden/{name}", "actual"))
        pytest.fail(f"output differs from golden/{name} (rerun with MMSPEC_UPDATE_GOLDEN=1 "
                    f"to accept):\n{diff}", pytrace=False)


@pytest.mark.parametrize("name", sorted(ALL))
def test_text_golden(name: str) -> None:
    check_golden(f"render/{name}.txt", render_result(ALL[name]()))


@pytest.mark.parametrize("name", ["mutex_race", "abba", "spin_lasso", "rwsem_readers"])
def test_itf_golden(name: str) -> None:
    r = ALL[name]()
    for i, v in enumerate(r.violations):
        text = dumps(trace_to_itf(v.trace, r))
        json.loads(text)
        check_golden(f"render/{name}.{i}.itf.json", text)


def test_junit_golden() -> None:
    check_golden("render/all.junit.xml", render_junit([ALL[n]() for n in sorted(ALL)]))


def test_sarif_golden() -> None:
    check_golden("render/all.sarif", render_sarif([ALL[n]() for n in sorted(ALL)]))


def test_normalise() -> None:
    assert normalise("0.42 s, time=\"1.5\", \"version\": \"0.1.0\", \"version\": \"2.1.0\"") \
        == "<secs> s, time=\"<t>\", \"version\": \"<version>\", \"version\": \"2.1.0\""
    assert normalise("/abs/dir/x.mms:3", ("/abs/dir",)) == "<dir>/x.mms:3"


def test_mismatch_shows_a_readable_diff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "UPDATE", False)
    with pytest.raises(pytest.fail.Exception) as e:
        check_golden("render/mutex_fixed.txt", "something else\n")
    msg = str(e.value)
    assert "-✓ all 16 distinct states" in msg and "+something else" in msg
    assert "MMSPEC_UPDATE_GOLDEN=1" in msg
