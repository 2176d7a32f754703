"""Evaluation soundness (issue 11): reads outside a domain, lazy operators, defs.

TLC's semantics, which every engine must reproduce identically: applying a function (map)
outside its domain or dividing by zero makes the evaluation of the step an error, reported
in the state where the step is evaluated (a `domain` violation, exit 1); a guard that is
false never evaluates what it protects (`&&`, `||`, `=>`, `if`, a quantifier over an empty
set). A def means exactly its body written inline. Every expected count below is derived
by hand in the comment next to it.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checker.explicit import check as check_explicit
from checker.options import CheckOptions
from checker.result import CheckResult, ExitReason
from checker.symbolic import check_bmc, check_kind
from checker.vector import check as check_vector
from mmspec.frontend import load_spec
from mmspec.ground import GroundError, ground

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("explicit", "vector", "bmc", "kind")


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / f"{name}.mms"
    p.write_text(text, encoding="utf-8")
    return p


def run_engine(engine: str, path: Path, depth: int = 8) -> CheckResult:
    system = ground(load_spec(str(path)))
    if engine == "explicit":
        return check_explicit(system, CheckOptions())
    if engine == "vector":
        return check_vector(system, CheckOptions())
    if engine == "bmc":
        return check_bmc(system, CheckOptions(depth=depth))
    return check_kind(system, CheckOptions(depth=depth))


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mmspec.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def states_of(result: CheckResult) -> list[dict]:
    return [s.state for s in result.violations[0].trace.steps]


# --------------------------------------------------------------------------- reproducer 1

OUT_OF_DOMAIN = """\
spec OutOfDomain
var c: map[0..2] 0..5 = 0
var x: 0..2 = 0
var y: 0..5 = 0
action Read when x == 0 { y' = c[x - 1] }
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_out_of_domain_read_is_a_domain_violation_in_the_initial_state(tmp_path, engine):
    # Read is enabled in the only initial state (x == 0) and reads c[-1]: TLC stops there
    # with "applied outside its domain". The trace is that one state (no step fired).
    r = run_engine(engine, write(tmp_path, "ood", OUT_OF_DOMAIN))
    assert r.reason == ExitReason.VIOLATION
    (v,) = r.violations
    assert v.kind == "domain"
    assert v.details == {"where": "Read", "what": "index into c", "value": -1,
                         "domain": "0..2"}
    assert v.property == "index -1 is outside the map's keys 0..2 (index into c)"
    assert states_of(r) == [{"c": {0: 0, 1: 0, 2: 0}, "x": 0, "y": 0}]
    # the span is the index expression `x - 1` on line 5
    assert v.span is not None and (v.span.line, v.span.col) == (5, 34)


@pytest.mark.parametrize("engine", ENGINES)
def test_cli_reports_domain_kind_and_exit_1(tmp_path, engine):
    p = write(tmp_path, "ood", OUT_OF_DOMAIN)
    out = cli("check", str(p), "--engine", engine, "--format", "json", "--quiet",
              "--depth", "4")
    assert out.returncode == 1, out.stderr
    doc = json.loads(out.stdout)
    assert doc["kind"] == "domain" and doc["result"] == "violation"
    assert doc["details"]["value"] == -1
    assert doc["property_span"].endswith("ood.mms:5:34")
    assert len(doc["trace"]) == 1


# --------------------------------------------------------------------------- reproducer 2

GUARDED = """\
spec Guarded
type Slot = 0..2
var c: map[Slot] 0..2 = [i in Slot |-> i]
var q: map[Slot] 0..3 = [i in Slot |-> i + 1]
action Swap(i in 0..2) when i != 0 && c[i] != c[i - 1] {
    c'[i] = c[i - 1]
    c'[i - 1] = c[i]
}
action Pop when q[0] != 0 { q' = [i in Slot |-> if i == 2 then 0 else q[i + 1]] }
action Refill when q[0] == 0 { q' = [i in Slot |-> i + 1] }
"""
# Hand derivation. c starts all-distinct (0, 1, 2) and a swap keeps it so, so Swap(1) and
# Swap(2) are always enabled (Swap(0) never: its false conjunct `i != 0` protects c[-1]);
# adjacent swaps reach every permutation of three values: 3! = 6, farthest = the reversal,
# 3 inversions away. q cycles (1,2,3) -> (2,3,0) -> (3,0,0) -> (0,0,0) -> (1,2,3): Pop's
# `if` never reads q[3]; exactly one of Pop/Refill is enabled: 4 states, farthest 3 steps.
# The components are independent: 6 * 4 = 24 states, depth 3 + 3 = 6, and every state has
# 2 + 1 = 3 successors: generated = 1 initial + 24 * 3 = 73. Nothing deadlocks.
GUARDED_DISTINCT, GUARDED_GENERATED, GUARDED_DEPTH = 6 * 4, 1 + 24 * 3, 3 + 3


@pytest.mark.parametrize("engine", ["explicit", "vector"])
def test_guards_protect_reads_exact_counts(tmp_path, engine):
    r = run_engine(engine, write(tmp_path, "guarded", GUARDED))
    assert r.reason == ExitReason.DONE and r.violations == []
    assert (r.stats.distinct_states, r.stats.generated_states, r.stats.depth) == (
        GUARDED_DISTINCT, GUARDED_GENERATED, GUARDED_DEPTH)
    # Swap(i=1) and Swap(i=2) fire in each of the 24 states; Pop in the 18 with q[0] != 0
    assert r.stats.action_counts == {"Swap": 48, "Pop": 18, "Refill": 6}


@pytest.mark.parametrize("engine", ["bmc", "kind"])
def test_guards_protect_reads_symbolic(tmp_path, engine):
    r = run_engine(engine, write(tmp_path, "guarded", GUARDED), depth=GUARDED_DEPTH + 1)
    assert r.violations == []
    assert r.reason in (ExitReason.DONE, ExitReason.DEPTH_LIMIT)


def test_protected_reads_leave_no_domain_condition(tmp_path):
    system = ground(load_spec(str(write(tmp_path, "guarded", GUARDED))))
    # Swap(0) is dropped (its guard is false), the others read only in-domain keys
    assert [t.label for t in system.transitions] == ["Swap(i=1)", "Swap(i=2)", "Pop",
                                                       "Refill"]
    assert all(t.reads == () and t.fire_reads == () for t in system.transitions)


# --------------------------------------------------------------------------- lazy operators

LAZY = """\
spec Lazy
var c: map[0..2] 0..3 = 0
var x: 0..3 = 0
var s: set[0..2] = {}
action Step when x < 3 && (x == 0 || c[x - 1] == 0) && (x > 0 => c[x - 1] >= 0)
    && (forall k in s: c[k + 1] == 0) {
    x' = x + 1
}
invariant Safe: x == 3 || (if x > 0 then c[x - 1] == 0 else true)
"""
# x counts 0 -> 1 -> 2 -> 3. Every read c[x - 1] sits behind `x == 0 ||`, `x > 0 =>` or the
# `if`; x <= 3 keeps x - 1 <= 2 (and the invariant reads nothing at x == 3); the quantifier
# ranges over the empty set s and reads nothing (c[3] would be outside). 4 states, 3 steps,
# generated 1 + 3 = 4; x == 3 enables nothing, a deadlock in 3 steps.


@pytest.mark.parametrize("engine", ENGINES)
def test_lazy_operators_never_evaluate_what_they_protect(tmp_path, engine):
    r = run_engine(engine, write(tmp_path, "lazy", LAZY))
    assert [v.kind for v in r.violations] == ["deadlock"]
    assert [s["x"] for s in states_of(r)] == [0, 1, 2, 3]
    if engine in ("explicit", "vector"):
        assert (r.stats.distinct_states, r.stats.generated_states) == (4, 4)


DIVIDE = """\
spec Divide
var d: 0..2 = 2
var q: 0..4 = 0
action Div when d == 0 || 4 / d >= 2 { q' = 4 / d; d' = d - 1 }
"""
# d = 2: guard 4/2 = 2 >= 2, q := 2, d := 1. d = 1: 4/1 = 4 >= 2, q := 4, d := 0.
# d = 0: the guard's `d == 0 ||` protects its own division, but the update 4 / 0 is
# evaluated when the step fires: a domain violation after 2 steps, value 0.


@pytest.mark.parametrize("engine", ENGINES)
def test_division_by_zero_is_a_domain_violation(tmp_path, engine):
    r = run_engine(engine, write(tmp_path, "div", DIVIDE))
    (v,) = r.violations
    assert (v.kind, v.details["what"], v.details["value"]) == ("domain", "divisor", 0)
    assert v.property == "division by 0"
    assert [(s["d"], s["q"]) for s in states_of(r)] == [(2, 0), (1, 2), (0, 4)]


INVARIANT_READ = """\
spec InvariantRead
var x: 0..3 = 0
var c: map[0..2] bool = false
action Inc when x < 3 { x' = x + 1 }
invariant Reads: !c[x]
"""
# The invariant is evaluated in every state: x = 0, 1, 2 are fine, x = 3 reads c[3], a
# domain violation of the invariant in the state found after 3 steps.


@pytest.mark.parametrize("engine", ENGINES)
def test_invariant_read_outside_domain(tmp_path, engine):
    r = run_engine(engine, write(tmp_path, "inv", INVARIANT_READ))
    (v,) = r.violations
    assert v.kind == "domain" and v.details["where"] == "invariant Reads"
    assert v.details["value"] == 3
    assert [s["x"] for s in states_of(r)] == [0, 1, 2, 3]


def test_unprotected_static_read_is_a_compile_time_error(tmp_path):
    # An invariant is evaluated in every state: m[3] can only fail. Exit 2, MMS303, caret
    # under the index (the diagnostic moved here from the front-end corpus: the check now
    # lives in grounding, which knows the guards).
    p = write(tmp_path, "static", "var m: map[1..2] 0..1\ninvariant i: m[3] == 0\n")
    out = cli("check", str(p), "--quiet")
    assert out.returncode == 2
    assert "static.mms:2:16: error[MMS303]: index 3 is outside the map's keys 1..2" in (
        out.stdout + out.stderr)
    # the same literal behind a false guard is no error at all
    q = write(tmp_path, "behind", "const N = 2\nvar m: map[1..2] 0..1\n"
              "invariant i: N > 2 => m[3] == 0\n")
    assert cli("check", str(q), "--quiet", "--no-deadlock").returncode == 0


def test_unprotected_guard_read_names_the_binding(tmp_path):
    p = write(tmp_path, "g", "var c: map[0..2] 0..1\n"
              "action A(i in 0..2) when c[i - 1] == 0 { c'[i] = 1 }\n")
    with pytest.raises(GroundError) as info:
        ground(load_spec(str(p)))
    assert info.value.code == "MMS303"
    assert "index -1 is outside the map's keys 0..2" in str(info.value)
    assert "A(i=0)" in str(info.value)
    assert (info.value.span.line, info.value.span.col) == (2, 28)


# --------------------------------------------------------------------------- defs

DEF_FORM = """\
spec DefForm
type P = 0..1
var net: map[P] map[P] 0..3 = [a in P |-> [b in P |-> 0]]
def Bl(s) = [r in P |-> if s == r then net[s][r] else net[s][r] + 1]
action Send(s in P) when net[s][1 - s] < 3 { net'[s] = Bl(s) }
"""
INLINE_FORM = DEF_FORM.replace("net'[s] = Bl(s)", "net'[s] = [r in P |-> if s == r then "
                               "net[s][r] else net[s][r] + 1]")
# Each Send(s) adds 1 to net[s][1 - s] until it is 3: two independent counters 0..3,
# 4 * 4 = 16 states, depth 3 + 3 = 6; generated 1 + (number of enabled sends summed over
# states) = 1 + 2 * (4 * 3) = 25 (each counter below 3 in 3 of its 4 values, times 4 of
# the other); the state (3, 3) enables nothing: a deadlock, reported after 6 steps.


def test_def_and_inline_give_identical_ir_and_results(tmp_path):
    d = load_spec(str(write(tmp_path, "d", DEF_FORM)))
    i = load_spec(str(write(tmp_path, "i", INLINE_FORM)))
    assert d.transitions == i.transitions
    for engine in ENGINES:
        a = run_engine(engine, tmp_path / "d.mms")
        b = run_engine(engine, tmp_path / "i.mms")
        assert [v.kind for v in a.violations] == [v.kind for v in b.violations] == [
            "deadlock"]
        assert states_of(a) == states_of(b) and len(states_of(a)) == 7
        if engine in ("explicit", "vector"):
            assert (a.stats.distinct_states, a.stats.generated_states, a.stats.depth) == (
                b.stats.distinct_states, b.stats.generated_states, b.stats.depth) == (
                16, 25, 6)


def test_def_argument_is_typed_where_the_body_uses_it(tmp_path):
    # `{}` cannot be typed on its own; inline, `s == {}` types it from s. So must the def.
    text = ("var s: set[0..2] = {}\nvar x: 0..1 = 0\ndef Same(a, b) = a == b\n"
            "action A when Same(s, {}) && x == 0 { x' = 1 }\n")
    spec = load_spec(str(write(tmp_path, "arg", text)))
    inline = load_spec(str(write(tmp_path, "argi", text.replace("Same(s, {})", "s == {}"))))
    assert spec.transitions == inline.transitions


# --------------------------------------------------------------------------- renderers

GOLDEN = Path(__file__).parent / "golden" / "soundness"


def test_every_renderer_shows_the_domain_violation(monkeypatch):
    from checker.render.html import render_html
    from checker.render.itf import dumps, trace_to_itf
    from checker.render.junit import render_junit
    from checker.render.sarif import render_sarif
    from checker.render.text import render_result
    from tests.test_render_golden import check_golden

    monkeypatch.chdir(GOLDEN)  # a relative path: the same spans on every machine
    r = check_explicit(ground(load_spec("domain.mms")), CheckOptions())
    check_golden("soundness/domain.txt", render_result(r))
    itf = json.loads(dumps(trace_to_itf(r.violations[0].trace, r)))
    assert len(itf["states"]) == 1
    sarif = json.loads(render_sarif([r]))
    (res,) = sarif["runs"][0]["results"]
    region = res["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (8, 34)
    assert "domain" in render_junit([r])
    html = render_html(r)
    assert "index -1 is outside the map&#39;s keys 0..2" in html or \
        "index -1 is outside the map's keys 0..2" in html


# --------------------------------------------------------------------------- processes

PROC_BAD = """\
spec ProcRead
var c: map[0..2] 0..1 = 0
process P[p in 0..2] {
  a: c[self] := 1
  b: await c[self - 1] == 1 || self == 0
}
"""
PROC_LAZY = PROC_BAD.replace("c[self - 1] == 1 || self == 0", "self == 0 || c[self - 1] == 1")


@pytest.mark.parametrize("engine", ENGINES)
def test_process_step_reading_outside_is_reported_where_the_thread_stands(tmp_path, engine):
    # BFS: P[0] moves first (threads in order), standing at b after one step; expanding that
    # state evaluates P[0]'s await, which reads c[-1] before `|| self == 0` could help.
    r = run_engine(engine, write(tmp_path, "proc", PROC_BAD))
    (v,) = r.violations
    assert v.kind == "domain" and v.details["value"] == -1
    assert v.details["where"] == "P[0]: b"
    assert [s.label for s in r.violations[0].trace.steps] == [None, "P[0]: a"]
    assert (v.span.line, v.span.col) == (5, 14)  # `self - 1`


def _lazy_states() -> tuple[int, int]:
    """An independent count: thread p is at a (c[p] = 0), b or done (c[p] = 1); it passes b
    when p == 0 or thread p - 1 has left a. (distinct states, generated states)."""
    from itertools import product
    ok = [s for s in product("abe", repeat=3)
          if all(not (s[p] == "e" and s[p - 1] == "a") for p in (1, 2))]
    moves = sum(1 for s in ok for p in range(3)
                if s[p] == "a" or (s[p] == "b" and (p == 0 or s[p - 1] != "a")))
    return len(ok), 1 + moves


def test_lazy_await_counts(tmp_path):
    # 27 tuples minus 3 with P[1] done while P[0] is at a, minus 3 with P[2] done while P[1]
    # is at a: 21 (the enumeration in _lazy_states says the same, and counts the moves).
    assert _lazy_states()[0] == 27 - 3 - 3
    p = write(tmp_path, "lazy", PROC_LAZY)
    for engine in ("explicit", "vector"):
        r = run_engine(engine, p)
        assert r.violations == [] and r.reason == ExitReason.DONE
        assert (r.stats.distinct_states, r.stats.generated_states, r.stats.depth) == (
            *_lazy_states(), 6)
    for engine in ("bmc", "kind"):
        assert run_engine(engine, p, depth=7).violations == []


SET_ELEMENT = """\
spec SetElement
var s: set[0..2] = {}
var x: 0..3 = 0
action Add when x < 3 { s' = s union {x + 1}; x' = x + 1 }
"""
# x = 0, 1 add 1, 2; at x = 2 the literal {3} cannot be a set[0..2]: a domain violation in
# the state after 2 steps (s = {1, 2}).


@pytest.mark.parametrize("engine", ENGINES)
def test_set_element_outside_the_element_type(tmp_path, engine):
    r = run_engine(engine, write(tmp_path, "set", SET_ELEMENT))
    (v,) = r.violations
    assert v.kind == "domain" and v.details["value"] == 3
    assert v.property == "set element 3 is outside the element type 0..2"
    assert [s["x"] for s in states_of(r)] == [0, 1, 2]


def test_constant_zero_divisor_is_an_error_only_where_evaluated(tmp_path):
    p = write(tmp_path, "z", "const D = 0\nvar x: 0..2\ninvariant i: x / D == 0\n")
    with pytest.raises(GroundError) as info:
        ground(load_spec(str(p)))
    assert info.value.code == "MMS320" and (info.value.span.line, info.value.span.col) == (
        3, 18)
    q = write(tmp_path, "zg", "const D = 0\nvar x: 0..2\ninvariant i: D != 0 => x / D == 0\n")
    assert ground(load_spec(str(q))).invariants[0].reads == ()


def test_explicit_agrees_with_the_reference_bfs_on_random_specs():
    """The explicit engine against the plain reference BFS of tests/test_vector_refbfs.py
    (the vector engine's oracle, which now knows domain errors), on the vector engine's
    random specs: maps indexed by state variables that leave the keys, div/mod by values
    that may be zero, behind random guards. Every field is compared."""
    from collections import Counter

    from tests.test_vector_differential import compare, systems
    from tests.test_vector_refbfs import ref_bfs

    kinds: Counter[str | None] = Counter()
    for seed, g in systems(80, 31_000):
        ref = ref_bfs(g)
        try:
            compare(g, check_explicit(g, CheckOptions()), ref)
        except AssertionError as e:  # pragma: no cover - failure report
            raise AssertionError(f"seed {seed}: {e}") from e
        kinds[ref.kind] += 1
    assert kinds["domain"] >= 3 and kinds[None] >= 3  # both outcomes are exercised


def test_expect_domain_meets_the_expectation(tmp_path: Path):
    # reproducer 1 with `expect domain`: the spec demonstrates the bad read, so the check
    # passes (exit 0) on every engine, and `expect domain NAME` takes no name (MMS317)
    text = ("spec ExpectDomain\nexpect domain\nvar c: map[0..2] 0..5 = 0\nvar x: 0..2 = 0\n"
            "var y: 0..5 = 0\naction rd when x == 0 {\n  y' = c[x - 1]\n}\n")
    path = write(tmp_path, "expect_domain", text)
    for engine in ENGINES:
        p = cli("check", str(path), "--engine", engine, "--depth", "2")
        assert p.returncode == 0, (engine, p.stdout, p.stderr)
        assert "expected domain violation found" in p.stdout, (engine, p.stdout)
    named = write(tmp_path, "named", text.replace("expect domain", "expect domain rd"))
    p = cli("check", str(named))
    assert p.returncode == 2 and "MMS317" in p.stderr + p.stdout
