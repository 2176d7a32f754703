"""`mmspec check` loses no result (issue 12, "Results lost"): output files are named uniquely,
checked before any spec runs, written atomically; a write error or a SIGINT still prints and
writes what was found.
"""
from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from checker.options import CheckOptions, StopRequest
from checker.render.itf import read_itf
from checker.result import ExitReason
from mmspec import cli, outputs
from mmspec.ground import ground
from tests.irbuild import grid
from tests.test_render_sarif import SCHEMA as SARIF_SCHEMA

ROOT = Path(__file__).resolve().parent.parent

# BFS from x = 0: depth 1 has x = 1, depth 2 has x = 2, which breaks `small`.
VIOLATING = """spec {name}
var x: 0..3 = 0
action Step when x < 2 {{ x' = x + 1 }}
invariant small: x < 2
option deadlock = false
"""


def write_spec(path: Path, name: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(VIOLATING.format(name=name), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- names


def test_run_tags_use_the_relative_path_only_when_stems_collide():
    runs = [("specs/a/x.mms", {}), ("specs/b/x.mms", {}), ("specs/b/y.mms", {})]
    assert outputs.run_tags(runs) == ["a-x", "b-x", "y"]


def test_run_tags_stay_unique_when_the_joined_path_collides_too():
    # The stem `x` collides, so `u/a/x.mms` becomes `u-a-x`, which `u-a-x.mms` already is:
    # the second one in run order gets `-2`.
    runs = [("u-a-x.mms", {}), ("u/a/x.mms", {}), ("v/x.mms", {})]
    assert outputs.run_tags(runs) == ["u-a-x", "u-a-x-2", "v-x"]


def test_run_tags_carry_the_defines_of_a_sweep():
    runs = [("s/x.mms", {"N": 1}), ("s/x.mms", {"N": 2})]
    assert outputs.run_tags(runs) == ["x-N1", "x-N2"]
    assert outputs.per_run_path("out/t.itf.json", "x-N1") == str(Path("out/t-x-N1.itf.json"))


def test_two_specs_with_the_same_file_name_give_two_files(tmp_path, capsys):
    a = write_spec(tmp_path / "a" / "x.mms", "from_a")
    b = write_spec(tmp_path / "b" / "x.mms", "from_b")
    code = cli.main(["check", str(a), str(b), "--quiet",
                     "--itf", str(tmp_path / "t.itf.json"), "--html", str(tmp_path / "t.html")])
    assert code == 1  # both specs violate `small` without expecting it
    for folder, name in (("a", "from_a"), ("b", "from_b")):
        _, meta = read_itf(str(tmp_path / f"t-{folder}-x.itf.json"))
        assert meta["spec"]["name"] == name
        assert name in (tmp_path / f"t-{folder}-x.html").read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind


# --------------------------------------------------------------------------- checked first


def _never_check(*args, **kwargs):
    raise AssertionError("a spec was checked although an output path is unwritable")


@pytest.mark.parametrize("option", ["--junit", "--sarif", "--html", "--itf"])
@pytest.mark.parametrize("where", ["missing_folder", "under_a_file", "is_a_folder"])
def test_unwritable_output_exits_2_before_checking_anything(tmp_path, capsys, monkeypatch,
                                                            option, where):
    spec = write_spec(tmp_path / "x.mms", "x")
    (tmp_path / "plain").write_text("", encoding="utf-8")
    (tmp_path / "dir").mkdir()
    target = {"missing_folder": tmp_path / "nope" / "out",
              "under_a_file": tmp_path / "plain" / "out",
              "is_a_folder": tmp_path / "dir"}[where]
    monkeypatch.setattr(cli, "_check_one", _never_check)
    code = cli.main(["check", str(spec), "--quiet", "--format", "json", option, str(target)])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.startswith("mmspec: error: cannot write ") and str(target) in err


def test_one_file_named_by_two_options_is_refused(tmp_path, capsys, monkeypatch):
    spec = write_spec(tmp_path / "x.mms", "x")
    monkeypatch.setattr(cli, "_check_one", _never_check)
    same = str(tmp_path / "report")
    assert cli.main(["check", str(spec), "--junit", same, "--sarif", same]) == 2
    assert "named by both --junit and --sarif" in capsys.readouterr().err


# --------------------------------------------------------------------------- write errors


def test_a_full_disk_prints_the_results_then_fails_cleanly(tmp_path, capsys, monkeypatch):
    spec = write_spec(tmp_path / "x.mms", "x")
    junit = tmp_path / "out.xml"
    junit.write_text("old", encoding="utf-8")

    def full(src: str, dst: str) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(outputs.os, "replace", full)
    code = cli.main(["check", str(spec), "--quiet", "--format", "json", "--junit", str(junit)])
    out, err = capsys.readouterr()
    assert code == 2
    assert json.loads(out)["result"] == "violation"  # the results still came out
    assert f"cannot write {junit}: No space left on device" in err
    assert "internal error" not in err
    assert junit.read_text(encoding="utf-8") == "old"  # atomic: the old file is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xml", "x.mms"]


def test_write_atomic_replaces_the_whole_file(tmp_path):
    target = tmp_path / "f.txt"
    target.write_text("old contents, longer than the new", encoding="utf-8")
    outputs.write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


# --------------------------------------------------------------------------- interrupts


@pytest.mark.parametrize("engine", ["explicit", "vector"])
def test_a_stop_request_ends_the_search_with_partial_statistics(engine):
    from checker import explicit, vector

    check = {"explicit": explicit.check, "vector": vector.check}[engine]
    # grid(3, 3): 4^3 = 64 states; a request made before the start stops at the first check.
    r = check(ground(grid(3, 3)), CheckOptions(stop=StopRequest(requested=True)))
    assert r.reason == ExitReason.INTERRUPTED
    assert 1 <= r.stats.distinct_states <= 64
    assert check(ground(grid(3, 3)), CheckOptions(stop=StopRequest())).stats.distinct_states \
        == 64


def test_a_stop_request_ends_bmc_as_interrupted():
    from checker.symbolic import check_bmc

    r = check_bmc(ground(grid(3, 3)), CheckOptions(depth=20, stop=StopRequest(requested=True)))
    assert r.reason == ExitReason.INTERRUPTED
    assert any("interrupted" in n for n in r.notes)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_sigint_during_a_long_check_keeps_every_result(tmp_path):
    quick = write_spec(tmp_path / "quick.mms", "quick")
    text = (ROOT / "bench/models/grid.mms").read_text(encoding="utf-8")
    assert "const K = 6" in text
    big = tmp_path / "big.mms"  # GRID(9, 9): 10^9 states, far beyond the test's seconds
    big.write_text(text.replace("const K = 6", "const K = 9"), encoding="utf-8")
    files = {opt: tmp_path / name for opt, name in (
        ("--junit", "r.xml"), ("--sarif", "r.sarif"), ("--itf", "t.itf.json"),
        ("--html", "t.html"))}
    args = [a for opt, p in files.items() for a in (opt, str(p))]
    proc = subprocess.Popen([sys.executable, "-m", "mmspec.cli", "check", str(quick), str(big),
                             "--format", "json", "--quiet", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Imports and the quick spec take well under 2 s of CPU; wait for 2.5 s of CPU (not
    # wall-clock time, so a loaded machine does not interrupt the quick spec instead).
    deadline = time.monotonic() + 60
    while _cpu_seconds(proc.pid) < 2.5 and proc.poll() is None:
        assert time.monotonic() < deadline, "the check did not get going"
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "internal error" not in err and "Traceback" not in err
    finished, partial = json.loads(out)
    assert finished["spec"] == str(quick) and finished["result"] == "violation"
    assert finished["property"] == "small" and len(finished["trace"]) == 3  # x = 0, 1, 2
    assert partial["spec"] == str(big) and partial["result"] == "incomplete"
    assert partial["reason"] == "interrupted" and partial["exit_code"] == 3
    assert partial["distinct_states"] > 0 and partial["depth"] > 0
    assert partial["stats"]["never_fired"] is None
    assert partial["stats"]["coverage"] == f"not computed: search stopped at depth " \
                                           f"{partial['depth']}"
    suites = ET.parse(files["--junit"]).getroot()
    assert {s.get("name") for s in suites.iter("testsuite")} == {"quick", "grid"}
    sarif = json.loads(files["--sarif"].read_text(encoding="utf-8"))
    jsonschema.validate(sarif, SARIF_SCHEMA)
    assert sarif["runs"][0]["invocations"][0]["executionSuccessful"] is False
    assert any(r["ruleId"].endswith("small") or "small" in json.dumps(r)
               for r in sarif["runs"][0]["results"])
    # two runs: per-spec names; only the quick spec has a counterexample to write
    _, meta = read_itf(str(tmp_path / "t-quick.itf.json"))
    assert meta["spec"]["name"] == "quick"
    assert "quick" in (tmp_path / "t-quick.html").read_text(encoding="utf-8")
    assert not (tmp_path / "t-big.itf.json").exists()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_loading_a_spec_still_reports_the_finished_ones(tmp_path, capsys,
                                                                      monkeypatch, sig):
    from mmspec import frontend

    quick = write_spec(tmp_path / "quick.mms", "quick")
    slow = write_spec(tmp_path / "slow.mms", "slow")
    load = frontend.load_spec

    def load_or_signal(path: str, *args, **kwargs):
        if path == str(slow):
            signal.raise_signal(sig)  # the CLI's handler raises KeyboardInterrupt here
        return load(path, *args, **kwargs)

    monkeypatch.setattr(frontend, "load_spec", load_or_signal)
    before = signal.getsignal(sig)
    junit = tmp_path / "r.xml"
    code = cli.main(["check", str(quick), str(slow), "--quiet", "--format", "json",
                     "--junit", str(junit)])
    out, err = capsys.readouterr()
    assert code == 130 and "interrupted" in err
    finished, stopped = json.loads(out)
    assert finished["spec"] == str(quick) and finished["result"] == "violation"
    assert stopped == {"spec": str(slow), "result": "incomplete", "reason": "interrupted",
                       "exit_code": 3, "summary": "interrupted before its search started",
                       "defines": {}}
    assert [s.get("name") for s in ET.parse(junit).getroot().iter("testsuite")] == ["quick"]
    assert signal.getsignal(sig) == before  # the run's handlers are gone again


def test_a_forked_worker_leaves_the_stop_to_the_parent(monkeypatch):
    # The explicit engine's workers are forked inside the search and inherit the handler.
    # A Ctrl-C reaches the whole process group: the worker ignores it (the parent stops the
    # search); the SIGTERM the parent sends when it closes the pool must end the worker as
    # the default action would, not raise KeyboardInterrupt there (a traceback on stderr).
    it = cli._Interrupts()
    it.searching = True
    monkeypatch.setattr(cli.os, "getpid", lambda: it.pid + 1)
    calls: list[tuple[str, int, object]] = []
    monkeypatch.setattr(cli.signal, "signal", lambda s, h: calls.append(("signal", s, h)))
    monkeypatch.setattr(cli.os, "kill", lambda pid, s: calls.append(("kill", s, pid)))
    it._handle(signal.SIGINT, None)
    assert not it.requested and calls == []
    it._handle(signal.SIGTERM, None)
    it._handle(signal.SIGTERM, None)  # even a second one: never KeyboardInterrupt
    assert calls[:2] == [("signal", signal.SIGTERM, signal.SIG_DFL),
                         ("kill", signal.SIGTERM, it.pid + 1)]
    assert not it.requested


def test_the_parent_stops_at_the_first_signal_and_breaks_off_at_the_second():
    it = cli._Interrupts()
    it.searching = True
    it._handle(signal.SIGINT, None)  # during a search: only the request
    assert it.requested
    with pytest.raises(KeyboardInterrupt):
        it._handle(signal.SIGINT, None)
    loading = cli._Interrupts()  # outside a search: at once
    with pytest.raises(KeyboardInterrupt):
        loading._handle(signal.SIGTERM, None)
    assert loading.requested


def test_trace_reports_an_unwritable_html_path_cleanly(tmp_path, capsys):
    spec = write_spec(tmp_path / "x.mms", "traced_spec")
    itf = tmp_path / "x.itf.json"
    assert cli.main(["check", str(spec), "--quiet", "--itf", str(itf)]) == 1
    bad = tmp_path / "nope" / "x.html"
    capsys.readouterr()
    assert cli.main(["trace", str(itf), "--html", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"cannot write {bad}" in err and "internal error" not in err
    good = tmp_path / "x.html"
    assert cli.main(["trace", str(itf), "--html", str(good)]) == 0
    assert "traced_spec" in good.read_text(encoding="utf-8")
