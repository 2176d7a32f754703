"""The reference evaluator (tests/refeval.py) against counts derived by hand, and against the
ground-form oracle of tests/test_symbolic_ref.py on random IR specs without domain hazards
(two independent implementations of the same semantics)."""
from __future__ import annotations

from mmspec.ground import GroundError, ground
from tests import test_symbolic_ref as ground_ref
from tests.differential import load_text
from tests.irbuild import grid, rwsem
from tests.refeval import Fn, Model, bfs, put
from tests.test_vector_differential import Gen


def ref(text: str, **kw):  # type: ignore[no-untyped-def]
    return bfs(Model(load_text(text)), **kw)


def test_closed_forms():
    # grid(2, 3): two counters 0..3 each step +1: 4^2 states, 3 + 3 steps deep.
    r = bfs(Model(grid(2, 3)))
    assert (r.complete, r.distinct, r.depth) == (True, 16, 6)
    # rwsem(2, 1): per thread (idle | reading | writing) x ops 0..1, as in test_vector_refbfs
    r = bfs(Model(rwsem(2, 1)))
    assert (r.complete, r.distinct) == (True, (2 * 2) ** 2 + 2 * 2 ** 2)


def test_out_of_domain_read_is_a_domain_violation_in_the_initial_state():
    # Issue 11, defect 1: x == 0 enables Read, which reads c[-1]: the initial state is the
    # one where the step is evaluated, so the violation is at depth 0 (a 1-state trace).
    r = ref("""
var c: map[0..2] 0..5 = 0
var x: 0..2 = 0
var y: 0..5 = 0
action Read when x == 0 { y' = c[x - 1] }
""")
    assert r.violation_depth == 0 and r.kinds == {"domain"} and len(r.trace) == 1
    assert [v.value for v in r.found] == [-1]


def test_false_conjunct_and_untaken_branch_protect_reads():
    # Issue 11, defect 2: c = (0, 1, 2) is all-distinct, so Step(i) is enabled for i = 1, 2
    # (i == 0 is cut by the first conjunct before c[i - 1] is read) while n < 3: n runs
    # 0, 1, 2, 3 (4 states, depth 3); m takes c[n - 1] behind `if n == 0`, i.e. 0 at n = 0
    # (then 0 again: n = 1 reads c[0] = 0) and 1 at n = 2 -- fully determined by n.
    r = ref("""
var c: map[0..2] 0..2 = [k in 0..2 |-> k]
var n: 0..3 = 0
var m: 0..2 = 0
action Step(i in 0..2) when i != 0 && c[i] != c[i - 1] && n < 3 {
  n' = n + 1
  m' = if n == 0 then 0 else c[n - 1]
}
option deadlock = false
""")
    assert (r.complete, r.distinct, r.depth) == (True, 4, 3)


def test_division_by_zero_is_a_domain_violation():
    # d: 2 -> 1 -> 0 by Dec; Div reads 6 / d, fine at d = 2 (q = 3) and d = 1 (q = 6),
    # a division by zero once d = 0, two Dec steps from the start.
    r = ref("""
var d: 0..2 = 2
var q: 0..6 = 0
action Dec when d > 0 { d' = d - 1 }
action Div { q' = 6 / d }
""")
    assert (r.violation_depth, r.kinds, [v.value for v in r.found]) == (2, {"domain"}, [0])


def test_update_outside_the_domain_changes_nothing_as_in_tlc():
    # TLC's EXCEPT at a key outside the domain returns the function unchanged. From x = -1:
    # W writes c[-1] (no change), x = 0; W writes c[0] = 1, x = 1; then nothing is enabled.
    # States: (-1, 00), (0, 00), (1, 10): 3 states, depth 2.
    r = ref("""
var c: map[0..1] 0..1 = 0
var x: -1..1 = -1
action W when x < 1 { c'[x] = 1; x' = x + 1 }
option deadlock = false
""")
    assert (r.complete, r.distinct, r.depth) == (True, 3, 2)
    assert put(Fn((0, 1), (0, 0)), (5,), 1) == Fn((0, 1), (0, 0))


def test_quantifier_over_an_empty_set_evaluates_nothing():
    # s starts empty, so `forall j in s: c[j - 1] >= 0` holds without reading c[-1]; Add puts
    # 0 into s (depth 1), where the body reads c[-1]: an error evaluating the invariant.
    r = ref("""
var c: map[0..2] 0..1 = 0
var s: set[0..2] = {}
action Add { s' = s union {0} }
invariant inv: forall j in s: c[j - 1] >= 0
""")
    assert (r.violation_depth, {v.key for v in r.found}) == (1, {("domain", "inv")})


def test_range_edge_and_wrap():
    # x: 0 -> 1 -> 2, then x + 1 = 3 leaves 0..2 at depth 2; the wrap counter just cycles
    # through its 3 values.
    r = ref("var x: 0..2 = 0\naction Inc { x' = x + 1 }\n")
    assert (r.violation_depth, r.allowed) == (2, {("range", "x")})
    r = ref("var w: wrap 0..2 = 2\naction Inc { w' = w + 1 }\n")
    assert (r.complete, r.distinct, r.depth) == (True, 3, 2)


def test_integers_do_not_wrap():
    # (x + 2^62) * 4 is 2^64 (+ 4): positive, so A is always enabled (x: 0 -> 1, then 1 -> 1).
    # A 64-bit machine word would make it 0 at x = 0, and the initial state would deadlock.
    r = ref("""
const BIG = 4611686018427387904
var x: 0..1 = 0
action A when (x + BIG) * 4 > 0 { x' = 1 }
""")
    assert (r.complete, r.distinct, r.depth) == (True, 2, 1)
    assert r.peak == (1 + 2**62) * 4


def test_agrees_with_the_ground_form_oracle_on_random_ir():
    """Both references over test_vector_differential's IR generator. Where that generator
    divides by zero or indexes out of the domain, the ground form still yields a value (a
    pre-issue-11 convention) and this reference an error: those specs are counted apart."""
    compared = 0
    for seed in range(150):
        spec = Gen(seed).spec()
        try:
            g = ground(spec)
        except GroundError:
            continue
        mine = bfs(Model(spec))
        if any(v.kind == "domain" for v in mine.found):
            continue
        theirs = ground_ref.ref_bfs(g)
        if theirs.depth is None:
            assert mine.complete, seed
            assert (mine.distinct, mine.depth) == (len(theirs.level), theirs.diameter), seed
        else:
            assert mine.violation_depth == theirs.depth, seed
            cls = theirs.found if not theirs.found["invariant"] else {
                "invariant": theirs.found["invariant"]}
            assert mine.allowed == set().union(*cls.values()), seed
        compared += 1
    assert compared >= 100
