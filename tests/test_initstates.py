"""Initial states beyond constants: `initial` predicates, `in S` on maps, initialisers that
read variables, and the initial-state search (InitSpace, checker/initstates.py).

Expected figures are derived by hand in each test's comment; the vectorised enumeration is
also compared with the reference interpreter, state by state.
"""
from __future__ import annotations

import pytest

from checker import explicit, initstates, vector
from checker.options import CheckOptions
from checker.symbolic import check_bmc
from mmspec.diagnostics import SpecError
from mmspec.frontend import load_spec
from mmspec.ground import InitSpace, eval_gexpr, ground

MIXED = """
spec Mixed
var a: 0..3
var b: 0..3
var c: map[1..2] 0..2 in {0, 1}
var s: 0..3 = a
initial Sum: a + b == 3
action Dec when b > 0 { b' = b - 1 }
option deadlock = false
"""
# (a, b) with a + b == 3: 4 pairs; c: 2 * 2 maps into {0, 1}; s == a: 16 initial states.
# Dec lowers b to 0: from (a, 3 - a) the states b = 0..3-a, 10 (a, b) pairs, 40 states;
# generated: 16 initial + one per state with b > 0: (3 + 2 + 1) * 4 = 24, so 40; depth 3.


def _load(tmp_path, text):
    f = tmp_path / "m.mms"
    f.write_text(text)
    return ground(load_spec(str(f)))


@pytest.mark.parametrize("engine", [explicit, vector], ids=["explicit", "vector"])
def test_initial_predicate_counts(tmp_path, engine):
    system = _load(tmp_path, MIXED)
    assert isinstance(system.init, InitSpace)
    r = engine.check(system, CheckOptions())
    assert r.verdict == "ok", r.violations
    assert (r.stats.distinct_states, r.stats.generated_states, r.stats.depth) == (40, 40, 3)


def test_vectorised_enumeration_equals_the_reference(tmp_path):
    space = _load(tmp_path, MIXED).init
    assert space.size == 4 * 4 * 4 * 4  # a, b, the 4 maps, s
    listed = [space.candidate(i) for i in range(space.size)
              if eval_gexpr(space.pred, space.candidate(i))]
    got = [tuple(r) for b in initstates.batches(space, chunk=7) for r in b.rows.tolist()]
    idx = [int(i) for b in initstates.batches(space, chunk=7) for i in b.index]
    assert got == listed and len(got) == 16
    assert [space.candidate(i) for i in idx] == got


def test_bmc_encodes_the_predicate(tmp_path):
    # s == a initially and neither changes: `s == a` holds, `a + b != 3` fails at depth 0
    system = _load(tmp_path, MIXED + "invariant Same: s == a\n")
    assert check_bmc(system, CheckOptions(depth=4)).verdict == "ok"
    bad = _load(tmp_path, MIXED + "invariant NotThree: a + b != 3\n")
    r = check_bmc(bad, CheckOptions(depth=4))
    assert r.verdict == "violation" and len(r.violations[0].trace) == 1


def test_more_than_a_million_initial_states(tmp_path):
    # x: 2^10 maps, y: 0..2047, initially x[1] == (y even): half of 2^10 * 2^11 = 1,048,576
    # initial states, no step: exactly those, depth 0 (over the old 10^6 limit, MMS402).
    text = ("spec Big\nvar x: map[1..10] bool\nvar y: 0..2047\n"
            "initial Half: x[1] == (y % 2 == 0)\noption deadlock = false\n")
    r = explicit.check(_load(tmp_path, text), CheckOptions())
    assert r.verdict == "ok"
    assert (r.stats.distinct_states, r.stats.generated_states) == (1_048_576, 1_048_576)


def test_a_variable_with_too_many_start_values_is_refused(tmp_path):
    f = tmp_path / "m.mms"
    f.write_text("spec T\nvar x: map[1..20] bool\ninitial I: x[1]\n")
    with pytest.raises(SpecError) as e:
        load_spec(str(f))
    assert e.value.diagnostics[0].code == "MMS402"


OUT_OF_DOMAIN = """
spec Dom
var x: 0..3
var m: map[0..2] bool
initial Init: x >= 1 && m[x]
action Dec when x > 0 { x' = x - 1 }
option deadlock = false
"""


@pytest.mark.parametrize("engine", ["explicit", "vector", "bmc", "kind", "pdr"])
def test_initial_predicate_out_of_its_domain_is_a_domain_violation(tmp_path, engine):
    # TLC reports an evaluation error while computing the initial states when Init applies
    # a function outside its domain; so does mmspec, as a `domain` violation. m[x] is read
    # only where x >= 1 holds (a conjunction evaluates left to right) and fails for x = 3
    # alone; the first such candidate in candidate order (x slowest, m's keys then false
    # before true) is x = 3 with m all false. The z3 engines report one such candidate.
    from checker.symbolic import check_kind, check_pdr
    system = _load(tmp_path, OUT_OF_DOMAIN)
    run = {"explicit": explicit.check, "vector": vector.check, "bmc": check_bmc,
           "kind": check_kind, "pdr": check_pdr}[engine]
    r = run(system, CheckOptions())
    (v,) = r.violations
    assert v.kind == "domain" and v.details["where"] == "initial predicate Init"
    assert (v.details["value"], len(v.trace)) == (3, 1)
    first = v.trace.steps[0].state
    assert first["x"] == 3
    if engine in ("explicit", "vector"):
        assert first["m"] == {0: False, 1: False, 2: False}


def test_a_read_behind_an_earlier_initial_predicate_is_not_an_error(tmp_path):
    # `initial` predicates are one conjunction, in order: with `x <= 2` first, m[x] is
    # never read at x = 3. Initial states: x in 1..2 with m[x] true, the other two keys free:
    # 2 * 4 = 8; Dec reaches x = 0 too (any m): 8 + the new (0, m) pairs. From x = 1 (m[1]
    # true, 4 maps) and x = 2 -> 1 (m[2] true, 4 maps; 2 of them have m[1] true, already
    # initial): new x = 1 states 2, then x = 0 for every m reachable: those with m[1] or
    # m[2] true: 8 - 2 = 6. Distinct 8 + 2 + 6 = 16.
    text = OUT_OF_DOMAIN.replace("initial Init: x >= 1 && m[x]",
                                 "initial Small: x <= 2\ninitial Init: x >= 1 && m[x]")
    for engine in (explicit, vector):
        r = engine.check(_load(tmp_path, text), CheckOptions())
        assert r.verdict == "ok", r.violations
        assert r.stats.distinct_states == 16
    assert check_bmc(_load(tmp_path, text), CheckOptions(depth=4)).verdict == "ok"


def test_expect_domain_on_an_initial_predicate(tmp_path):
    from mmspec.cli import main
    f = tmp_path / "m.mms"
    f.write_text(OUT_OF_DOMAIN + "expect domain\n")
    assert main(["check", str(f), "--quiet"]) == 0
