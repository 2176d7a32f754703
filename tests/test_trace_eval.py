"""`mmspec trace FILE --eval EXPR` (issue 18, item 4): spec expressions over a saved trace.

The spec below has one process and no choice, so its trace is forced; the expected values
are worked out by hand from the program text, state by state.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from checker.render.query_eval import Evaluator, QueryError, to_display, to_value
from mmspec import cli, ir
from mmspec.query import compile_queries
from tests.test_render_golden import check_golden


SPEC = """spec q
type Cpu = enum { A, B }
var x: 0..3 = 0
var m: map[Cpu] bool = false
var s: set[Cpu] = {}
mutex L
def twice(v) = v * 2
def both = m[A] && m[B]
process P {
a:  lock(L)
b:  x := x + 1
c:  m[B] := true
d:  s := s union {B}
e:  unlock(L)
f:  x := x + 1
}
invariant small: x < 2
option deadlock = false
"""
# The one run: state 0 initial; 1 after a (L held); 2 after b (x = 1); 3 after c (m[B]);
# 4 after d (s = {B}); 5 after e (L free); 6 after f (x = 2, breaks `small`).
X = [0, 0, 1, 1, 1, 1, 2]
TWICE = [2 * v for v in X]
M_B = [False, False, False, True, True, True, True]
S = [set(), set(), set(), set(), {"B"}, {"B"}, {"B"}]
LOCKED = [False, True, True, True, True, False, False]


@pytest.fixture(scope="module")
def itf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("q")
    spec = d / "q.mms"
    spec.write_text(SPEC)
    out = d / "t.itf.json"
    code = cli.main(["check", str(spec), "--engine", "explicit", "--itf", str(out), "--quiet"])
    assert code == 1 and out.exists()
    return out


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """The CLI in this process (what `python -m mmspec.cli ARGS` does, minus start-up)."""
    def go(*args: str) -> Run:
        capsys.readouterr()
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return Run(code, out, err)
    return go


def test_json_one_value_per_state(itf: Path, run: Callable[..., Run]) -> None:
    r = run("trace", str(itf), "--eval", "x", "--eval", "twice(x)", "--eval", "m[B]",
            "--eval", "s", "--eval", "locked(L)", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["expressions"] == ["x", "twice(x)", "m[B]", "s", "locked(L)"]
    rows = doc["states"]
    assert [row["state"] for row in rows] == list(range(7))
    assert rows[0]["step"] is None and rows[1]["step"].endswith("a")
    assert [row["values"][0] for row in rows] == X
    assert [row["values"][1] for row in rows] == TWICE
    assert [row["values"][2] for row in rows] == M_B
    assert [set(row["values"][3]["#set"]) for row in rows] == S
    assert [row["values"][4] for row in rows] == LOCKED


def test_text_table_golden(itf: Path, run: Callable[..., Run]) -> None:
    r = run("trace", str(itf), "--eval", "x", "--eval", "both || x > 1", "--eval", "m")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["state", "step", "x", "both", "||", "x", ">", "1", "m"]
    # `both` is never true (m[A] stays false), so the column is x > 1: true at state 6 only
    assert [ln.split()[-5] for ln in lines[2:]] == ["false"] * 5 + ["true"]
    check_golden("trace_eval/q.txt", r.stdout)


def test_parse_error_has_caret_in_expression(itf: Path, run: Callable[..., Run]) -> None:
    r = run("trace", str(itf), "--eval", "x + ")
    assert r.returncode == 2
    # the caret stands just after the last token, where an operand was expected
    assert "--eval:1:4: error[MMS104]: unexpected end of the expression" in r.stderr
    assert "   1 | x +\n     |    ^" in r.stderr
    assert "Traceback" not in r.stderr


def test_type_error_and_unknown_name(itf: Path, run: Callable[..., Run]) -> None:
    r = run("trace", str(itf), "--eval", "x && m[B]")
    assert r.returncode == 2 and "--eval:1:1" in r.stderr and "Traceback" not in r.stderr
    r = run("trace", str(itf), "--eval", "y")
    assert r.returncode == 2 and "unknown name 'y'" in r.stderr


def test_wrong_spec_is_a_clear_error(itf: Path, tmp_path: Path,
                                     run: Callable[..., Run]) -> None:
    other = tmp_path / "o.mms"
    other.write_text("spec o\nvar x: 0..1 = 0\naction S when x < 1 { x' = x + 1 }\n")
    r = run("trace", str(itf), "--eval", "x", "--spec", str(other))
    assert r.returncode == 2
    assert "mmspec: error:" in r.stderr and "Traceback" not in r.stderr


def test_evaluator_matches_hand_values() -> None:
    """The evaluator alone, on keyed values: maps as dicts, lazy && guards a bad read."""
    m_t = ir.MapType(ir.IntType(0, 1), ir.IntType(0, 9))
    state = {"m": to_value({0: 3, 1: 4}, m_t, "m")}
    add = ir.Binary("add", ir.Index(ir.VarRef("m"), ir.Lit(0, ir.IntType(0, 1))),
                    ir.Index(ir.VarRef("m"), ir.Lit(1, ir.IntType(0, 1))))
    assert Evaluator(state).ev(add) == 7
    bad = ir.Index(ir.VarRef("m"), ir.Lit(5, ir.IntType(0, 9)))
    with pytest.raises(QueryError):
        Evaluator(state).ev(bad)
    guarded = ir.Binary("and", ir.Lit(0, ir.BoolType()), bad)
    assert Evaluator(state).ev(guarded) == 0
    upd = ir.Except(ir.VarRef("m"), (ir.Lit(1, ir.IntType(0, 1)),), ir.Lit(8, ir.IntType(0, 9)))
    assert to_display(Evaluator(state).ev(upd), m_t) == {0: 3, 1: 8}


def test_compile_query_uses_defs(tmp_path: Path) -> None:
    spec = tmp_path / "q.mms"
    spec.write_text(SPEC)
    _s, (q,) = compile_queries(str(spec), ["twice(x) + 1"])
    assert isinstance(q.type, ir.IntType)
    assert Evaluator({"x": 3}).ev(q.expr) == 7


RECORDS = """spec r
type K = enum { A, B }
type Msg = record { k: K, n: 0..1 }
var box: set[Msg] = {}
process P {
a:  box := box union {{k: A, n: 1}}
b:  box := box union {{k: B, n: 0}}
c:  box := box minus {{k: A, n: 1}}
}
invariant small: card(box) < 2
option deadlock = false
"""
# The one run: state 0 box = {}; 1 after a: {(A,1)}; 2 after b: {(A,1), (B,0)}, which
# breaks `small` (card 2), so the trace ends there.


def test_eval_over_a_set_of_records(tmp_path: Path, run: Callable[..., Run]) -> None:
    spec = tmp_path / "r.mms"
    spec.write_text(RECORDS)
    out = tmp_path / "r.itf.json"
    assert cli.main(["check", str(spec), "--engine", "explicit", "--itf", str(out),
                     "--quiet"]) == 1
    queries = ["box", "card(box)", "{m in box: m.k == B}", "exists m in box: m.n == 0",
               "{k: A, n: 1} in box", "box minus {{k: A, n: 1}}",
               "card({m in Msg: m.n == 1})", "forall m in box: m.k == A || m.n == 0"]
    args = ["trace", str(out)]
    for q in queries:
        args += ["--eval", q]
    r = run(*args, "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = [row["values"] for row in json.loads(r.stdout)["states"]]

    def recs(v: dict) -> set[tuple[str, int]]:
        return {(x["k"], x["n"]) for x in v["#set"]}
    assert [recs(v[0]) for v in rows] == [set(), {("A", 1)}, {("A", 1), ("B", 0)}]
    assert [v[1] for v in rows] == [0, 1, 2]
    assert [recs(v[2]) for v in rows] == [set(), set(), {("B", 0)}]
    assert [v[3] for v in rows] == [False, False, True]
    assert [v[4] for v in rows] == [False, True, True]
    assert [recs(v[5]) for v in rows] == [set(), set(), {("B", 0)}]
    assert [v[6] for v in rows] == [2, 2, 2]  # (A,1) and (B,1): Msg has 4 values
    assert [v[7] for v in rows] == [True, True, True]
