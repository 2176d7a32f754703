"""Issue 17 item 1/2 front-end: the memory-access primitives parse, are checked, and under
`option memory = sc` (the default) each is one ordinary atomic access, so a spec written with
them has exactly the states of the same spec written with plain assignments."""
from __future__ import annotations

from pathlib import Path

import pytest

from checker.explicit import check
from checker.options import CheckOptions
from mmspec import cli
from mmspec.diagnostics import SpecError
from mmspec.frontend import load_spec
from mmspec.ground import ground


def run(tmp_path: Path, text: str, memory: str | None = None):
    p = tmp_path / "s.mms"
    p.write_text(text, encoding="utf-8")
    return check(ground(load_spec(str(p), memory=memory)), CheckOptions())


MP_PRIMS = """
var x: 0..1 = 0
var y: 0..1 = 0
process P0 { WRITE_ONCE(x, 1); smp_wmb(); smp_store_release(y, 1); smp_mb() }
process P1 { var r0: 0..1 = 0; var r1: 0..1 = 0
  r0 := smp_load_acquire(y); smp_rmb(); r1 := READ_ONCE(x) }
invariant no_exists: !(P0@done && P1@done && P1.r0 == 1 && P1.r1 == 0)
"""
# the same program with plain accesses and a skip for every fence
MP_PLAIN = """
var x: 0..1 = 0
var y: 0..1 = 0
process P0 { x := 1; skip; y := 1; skip }
process P1 { var r0: 0..1 = 0; var r1: 0..1 = 0
  r0 := y; skip; r1 := x }
invariant no_exists: !(P0@done && P1@done && P1.r0 == 1 && P1.r1 == 0)
"""


@pytest.mark.parametrize("memory", [None, "sc"])
def test_sc_primitives_are_plain_accesses(tmp_path: Path, memory: str | None) -> None:
    prims = run(tmp_path, MP_PRIMS + ("option memory = sc\n" if memory else ""))
    plain = run(tmp_path, MP_PLAIN)
    assert prims.verdict == plain.verdict == "ok"
    # P0 has 4 steps, P1 3: interleavings of 4+3 steps over (pc0, pc1) = 5 * 4 = 20 pc pairs,
    # values determined by the pcs; independent count in the plain twin
    assert prims.stats.distinct_states == plain.stats.distinct_states


def test_command_line_overrides_option(tmp_path: Path) -> None:
    # the spec says lkmm; --memory-model sc gives the plain-access state space
    prims = run(tmp_path, MP_PRIMS + "option memory = lkmm\n", memory="sc")
    plain = run(tmp_path, MP_PLAIN)
    assert prims.stats.distinct_states == plain.stats.distinct_states


XCHG = """
var x: 0..3 = 1
process P { var a: 0..3 = 0; var b: 0..3 = 0; var c: 0..3 = 0; var d: 0..3 = 0
  a := xchg(x, 2)            // a = 1, x = 2
  b := cmpxchg(x, 2, 3)      // succeeds: b = 2, x = 3
  c := cmpxchg_relaxed(x, 0, 1)  // fails: c = 3, x stays 3
  d := xchg_acquire(x, d)    // d = 3, x = 0 (the old d)
  xchg_release(x, 1)         // result dropped, x = 1
}
invariant values: P@done => (P.a == 1 && P.b == 2 && P.c == 3 && P.d == 3 && x == 1)
"""


def test_xchg_and_cmpxchg_values(tmp_path: Path) -> None:
    r = run(tmp_path, XCHG)
    assert r.verdict == "ok"
    assert r.stats.distinct_states == 6  # one thread, 5 steps: 6 states


@pytest.mark.parametrize("body, code, words", [
    ("var r: 0..1 = 0\n  r := READ_ONCE(x) + 1", "MMS315", "not a value inside an expression"),
    ("WRITE_ONCE(x)", "MMS312", "takes 2 arguments, not 1"),
    ("var r: 0..1 = 0\n  WRITE_ONCE(r, 1)", "MMS313", "its first argument must be a spec var"),
    ("var r: 0..1 = 0\n  r := smp_mb()", "MMS315", "returns no value"),
])
def test_primitive_misuse(tmp_path: Path, body: str, code: str, words: str) -> None:
    with pytest.raises(SpecError) as e:
        run(tmp_path, f"var x: 0..1 = 0\nprocess P {{ {body} }}\n")
    d = e.value.diagnostics[0]
    assert d.code == code and words in d.message


def test_bad_memory_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "s.mms"
    p.write_text("var x: 0..1 = 0\noption memory = tso\nprocess P { x := 1 }\n",
                 encoding="utf-8")
    assert cli.main(["check", str(p)]) == 2
    err = capsys.readouterr().err
    assert "MMS318" in err and "option memory takes sc or lkmm" in err
    assert cli.main(["check", str(p), "--memory-model", "tso"]) == 2
