"""Procedures with locals, by-reference parameters and return values (issue 15 item 4).

Counts and traces are derived by hand in the comments from the step semantics
(docs/language.md, "Procedures"); the engines are compared with each other."""
from __future__ import annotations

from pathlib import Path

import pytest

from checker.explicit import check
from checker.options import CheckOptions
from mmspec.diagnostics import SpecError
from mmspec.frontend import load_spec
from mmspec.ground import ground

# A racy counter increment through a helper with a register `t` and a by-reference target.
BUMP = """\
var x: 0..2 = 0
proc bump(&c) {
    var t: 0..2
  ld:  t := c
  st:  c := t + 1
  ret: return t
}
process P[i in 1..N] {
    var r: 0..2
  call: r := bump(x)
}
"""


def _write(tmp_path: Path, text: str, name: str = "t.mms") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def _run(tmp_path: Path, text: str, **kw):
    spec = load_spec(str(_write(tmp_path, text)))
    return spec, check(ground(spec), CheckOptions(**kw))


def test_one_thread_runs_the_proc_step_by_step_and_resets_its_local(tmp_path):
    # N=1: call.ld (t := 0, pc moves), call.st (x := 1), call.ret (r := t = 0, t reset),
    # done: 4 states, one per pc value (x and t follow from the pc).
    spec, result = _run(tmp_path, "const N = 1\n" + BUMP)
    assert result.stats.distinct_states == 4
    names = {v.name: v for v in spec.variables}
    assert names["P.bump.t"].kind == "local" and names["P.bump.t"].process == "P"


def test_two_threads_lose_an_update_through_their_registers(tmp_path):
    # Both must finish (3 steps each) with x == 1: the shortest such run loads twice
    # before either stores (6 steps). The explicit BFS generates successors transition by
    # transition in declaration order (call.ld, call.st, call.ret), each for i = 1, 2, and
    # a trace follows first-discovered parents: depth 1 ld1; depth 2 (st, st) via ld2 (ld
    # comes before st1); depth 3 st1; depth 4 from (ret, st) st2 precedes ret1, so
    # (ret, ret); depth 5 ret1; depth 6 ret2.
    text = "const N = 2\n" + BUMP + \
        "invariant counted: (P[1]@done && P[2]@done) => x == 2\n"
    _, result = _run(tmp_path, text)
    (v,) = result.violations
    assert [(s.process, s.step) for s in v.trace.steps[1:]] == [
        ("P[1]", "call.ld"), ("P[2]", "call.ld"), ("P[1]", "call.st"),
        ("P[2]", "call.st"), ("P[1]", "call.ret"), ("P[2]", "call.ret")]
    last = v.trace.steps[-1].state
    # each thread's register is back at its initial value, its result kept in r
    assert last["P.bump.t"] == {1: 0, 2: 0} and last["P.r"] == {1: 0, 2: 0}


def test_engines_agree_on_a_try_cmpxchg_loop(tmp_path):
    text = """\
var v: 0..3 = 0
proc try_cmpxchg(&old, new) {
    var ok: bool
    atomic {
        if v == old { v := new; ok := true } else { old := v; ok := false }
        return ok
    }
}
process P[i in 1..2] {
    var old: 0..3
    var ok: bool
  load:  old := v
  retry: ok := try_cmpxchg(old, old + 1)
  again: if !ok { goto retry }
}
invariant two: (P[1]@done && P[2]@done) => v == 2
"""
    spec = load_spec(str(_write(tmp_path, text)))
    system = ground(spec)
    from checker import vector
    a = check(system, CheckOptions())
    b = vector.check(system, CheckOptions())
    assert a.verdict == b.verdict == "ok"
    assert a.stats.distinct_states == b.stats.distinct_states


@pytest.mark.parametrize("text,code", [
    ("var x: 0..1\nproc f() { x := 1 }\nprocess p { var r: 0..1\n r := f() }\n", "MMS351"),
    ("var x: 0..1\nproc f(a) { a := 1 }\nprocess p { f(x) }\n", "MMS313"),
    ("var x: 0..1\nproc f(&a) { a := 1 }\nprocess p { f(1) }\n", "MMS313"),
    ("var x: 0..1\nprocess p { return 1 }\n", "MMS315"),
    ("var x: 0..1\nproc f(a) { var a: 0..1\n x := a }\nprocess p { f(1) }\n", "MMS201"),
])
def test_misuse_is_a_located_error(tmp_path, text, code):
    with pytest.raises(SpecError) as e:
        load_spec(str(_write(tmp_path, text)))
    assert code in [d.code for d in e.value.diagnostics]


def test_return_of_a_shared_load_into_a_shared_variable_is_warned(tmp_path):
    text = ("var x: 0..1\nvar y: 0..1\nproc get() { return x }\n"
            "process p[i in 1..2] { y := get() }\nprocess q { x := 1 }\n")
    (w,) = load_spec(str(_write(tmp_path, text))).warnings
    assert w.code == "MMS350" and "reads x" in w.message
