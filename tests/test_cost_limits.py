"""Issue 12, bounded cost from the first byte: the limits apply before the search too.

`--time-limit`, `--memory-limit` and `--max-states` now stop parsing, expansion, grounding and
the engines' code generation (exit 3, a message naming the phase); def and binder expansion
past a size budget is a located MMS405; domains are sized before they are built; grounding a
map update is linear. Assertions are on exit statuses, messages and work counts, never on
timings (the subprocess timeouts are only there so a regression fails instead of hanging).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mmspec import budget as cost
from mmspec import cli
from mmspec.budget import Budget, BudgetExceeded
from mmspec.frontend import load_spec
from mmspec.ground import ground

ROOT = Path(__file__).resolve().parent.parent
GENEROUS = 120  # seconds: a hang fails the test instead of the suite; not a timing assertion


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mmspec.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=GENEROUS)


def _flip_map(n: int) -> str:
    # the 5-line spec: one action per key, 2^n reachable states, so no search ends
    return f"""spec bigmap
var m: map[0..{n - 1}] bool = false
action Flip(i in 0..{n - 1}) when !m[i] {{
    m'[i] = true
}}
"""


def _set_once(n: int) -> str:
    # n + 1 states: the initial one and one per key set (then a deadlock, expected)
    return f"""spec setonce
var m: map[0..{n - 1}] bool = false
var done: bool = false
action Set(i in 0..{n - 1}) when !done {{ m'[i] = true; done' = true; }}
expect deadlock
"""


def _def_chain(n: int) -> str:
    lines = ["spec defs", "var x: 0..1 = 0", "def d0(a) = a + 1"]
    lines += [f"def d{i}(a) = d{i - 1}(a) + d{i - 1}(a)" for i in range(1, n + 1)]
    lines.append(f"action Go when d{n}(x) > 0 {{ x' = 1; }}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- the reproducers


def test_4096_entry_map_stops_under_the_time_limit(tmp_path: Path) -> None:
    path = _write(tmp_path, "bigmap.mms", _flip_map(4096))
    r = _cli("check", str(path), "--time-limit", "5", "--quiet", "--format", "json")
    assert r.returncode == 3, r.stdout + r.stderr
    out = json.loads(r.stdout)
    assert out["result"] == "incomplete"
    # grounded in time: the stop comes from the search (its own JSON) or names its phase
    assert out.get("phase", "search") in ("grounding", "codegen", "search"), out


def test_exponential_defs_are_a_located_size_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "defs.mms", _def_chain(40))
    r = _cli("check", str(path), "--time-limit", "5", "--quiet")
    assert r.returncode == 2, r.stdout + r.stderr
    # 3 header lines + d0..d40 (41 lines): the action is line 44; `d40(x)` starts at col 16
    assert f"{path}:44:16: error[MMS405]" in r.stderr
    assert "d40(x)" in r.stderr and "traceback" not in r.stderr.lower()


@pytest.mark.parametrize("name,text,line,col,what", [
    ("quant30", "spec q\nvar x: 0..1 = 0\naction Go when "
     + " ".join(f"forall b{i} in bool:" for i in range(30)) + " b0 || x == 0 { x' = 1; }\n",
     3, 16, "quantifier"),
    ("forall100", "spec f\nvar x: 0..1 = 0\ninvariant I: "
     + " ".join(f"forall b{i} in 0..1:" for i in range(100)) + " x <= 1 + b0\n",
     3, 14, "quantifier"),
    ("setcomp", "spec s\nvar x: 0..1 = 0\ninvariant I: card({a in 0..255 : card({b in 0..255 :"
     " card({c in 0..255 : c + b + a > x}) > 0}) > 0}) > 0\n", 3, 19, "set comprehension"),
], ids=["quant30", "forall100", "setcomp"])
def test_exponential_binders_are_a_located_size_error(tmp_path: Path, capsys, name: str,
                                                      text: str, line: int, col: int,
                                                      what: str) -> None:
    path = _write(tmp_path, f"{name}.mms", text)
    assert cli.main(["check", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{path}:{line}:{col}: error[MMS405]: this {what} expands to about" in err


def test_a_huge_process_domain_is_refused_before_it_is_built(tmp_path: Path) -> None:
    path = _write(tmp_path, "bigproc.mms",
                  "spec bp\nvar x: 0..1 = 0\nprocess p[i in 1..50000000] { s: x := 1 }\n")
    # The domain as a tuple would take > 1.5 GB; the check must come first. Peak RSS of a
    # fresh interpreter that loads the spec, in MB (ru_maxrss is in KB on Linux).
    code = ("import resource, sys\nfrom mmspec.frontend import load_spec\n"
            "from mmspec.diagnostics import SpecError\n"
            f"try:\n    load_spec({str(path)!r})\nexcept SpecError as e:\n"
            "    print(e.diagnostics[0].code)\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       timeout=GENEROUS)
    code_line, mb = r.stdout.split()
    assert code_line == "MMS401"
    assert int(mb) < 1000, f"peak {mb} MB"  # the tuple alone would be ~1.8 GB


# --------------------------------------------------------------------------- each limit, each phase


def test_memory_limit_applies_from_parsing(tmp_path: Path, capsys) -> None:
    path = _write(tmp_path, "s.mms", _set_once(4))
    # any Python process is above 1 MB resident: the check at the start of parsing trips
    assert cli.main(["check", str(path), "--memory-limit", "1", "--quiet",
                     "--format", "json"]) == 3
    out = json.loads(capsys.readouterr().out)
    assert (out["result"], out["reason"], out["phase"]) == ("incomplete", "memory-limit",
                                                            "parsing")


def test_max_states_caps_the_initial_states_grounding_enumerates(tmp_path: Path,
                                                                 capsys) -> None:
    text = "spec init\n" + "".join(f"var v{i}: 0..9 in {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}\n"
                                   for i in range(3)) + "action A when v0 < 0 { v0' = 0; }\n"
    path = _write(tmp_path, "init.mms", text)
    # 10^3 = 1000 initial states > 100
    assert cli.main(["check", str(path), "--max-states", "100", "--quiet"]) == 3
    out = capsys.readouterr().out
    assert "stopped in phase grounding" in out and "initial states: more than 100" in out


def test_time_limit_stop_names_the_phase(tmp_path: Path) -> None:
    spec = load_spec(str(_write(tmp_path, "s.mms", _flip_map(64))))
    b = Budget(time_limit=0.0)
    with pytest.raises(BudgetExceeded) as e:
        ground(spec, b)
    assert e.value.phase == "grounding" and e.value.limit == "time-limit"
    assert str(e.value).startswith("stopped in phase grounding after ")


class _ExpiresIn(Budget):
    """A budget whose clock runs out as soon as the given phase starts (no timing involved)."""

    def __init__(self, phase: str):
        super().__init__(time_limit=1e9)
        self.expire_in = phase

    def enter(self, phase) -> None:  # type: ignore[no-untyped-def]
        if phase == self.expire_in:
            self.time_limit = 0.0
            self.start -= 1.0
        super().enter(phase)


@pytest.mark.parametrize("phase", ["parsing", "expansion"])
def test_a_stop_in_the_front_end_names_its_phase(tmp_path: Path, phase: str) -> None:
    path = _write(tmp_path, "d.mms", _def_chain(10))
    with pytest.raises(BudgetExceeded) as e:
        load_spec(str(path), budget=_ExpiresIn(phase))
    assert e.value.phase == phase and e.value.limit == "time-limit"


def test_expansion_ticks_reach_the_clock(tmp_path: Path) -> None:
    # 8 doublings: d8(x) elaborates d0's body 2^8 = 256 times (under the size budget of
    # 10,000 nodes, so only the clock could stop it): every one of those must be charged
    path = _write(tmp_path, "d.mms", _def_chain(8))
    b = Budget()
    load_spec(str(path), budget=b)
    assert b.work >= 256


# --------------------------------------------------------------------------- linear grounding


def _grounding_work(tmp_path: Path, text: str) -> int:
    b = Budget()
    ground(load_spec(str(_write(tmp_path, "w.mms", text))), b)
    return b.work


def test_grounding_a_map_update_is_linear(tmp_path: Path) -> None:
    # n transitions, each updating one entry of an n-entry map: linear work is ~4x from
    # n=512 to n=2048, quadratic (a copy of the whole map per transition, walked in
    # Python) 16x. Allow 6x.
    small = _grounding_work(tmp_path, _set_once(512))
    large = _grounding_work(tmp_path, _set_once(2048))
    assert large <= 6 * small, (small, large)


def test_large_map_spec_still_checks_correctly(tmp_path: Path, capsys) -> None:
    path = _write(tmp_path, "s.mms", _set_once(300))
    for engine in ("explicit", "vector"):
        assert cli.main(["check", str(path), "--engine", engine, "--quiet",
                         "--format", "json"]) == 0
        out = json.loads(capsys.readouterr().out)
        # the initial state plus one state per key set: 300 + 1
        assert out["distinct_states"] == 301


def test_library_is_far_below_the_size_budgets() -> None:
    assert cost.MAX_DEF_EXPANSION >= 1000 and cost.MAX_GROUND_EXPANSION >= 100_000
    out = subprocess.run([sys.executable, "-m", "mmspec.cli", "check", "specs/", "--quiet"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert "MMS405" not in out.stderr
