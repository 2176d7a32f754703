"""The vectorised engine against the shared conformance cases and the explicit engine.

Conformance: every case of tests/conformance_cases.py the vectorised engine supports (the
lock-order ones are the explicit engine's alone; `supported()` must say so) with hand-derived
expectations. Differential: the whole CheckResult against checker.explicit, the ground truth
for counts, on the IR builders and on random specs, also stopped early by limits, under
symmetry and with each internal path of the vectorised engine forced.
"""
from __future__ import annotations

import random

import pytest

from checker import explicit, vector
from checker.options import CheckOptions
from mmspec import ir
from mmspec.ground import ground
from tests import irbuild as ib
from tests import irbuild_explicit as ie
from tests.conformance_cases import CASES, Case, assert_result
from tests.irbuild import BOOL, B, L, P, V, conj
from tests.test_vector_differential import engine_path, systems  # noqa: F401 (fixture)
from tests.test_vector_engine import wide


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_conformance_case(case: Case) -> None:
    g = ground(case.build())
    why = vector.supported(g)
    if why is not None:
        assert "lock-order" in why or "liveness" in why
        if case.options.get("lock_order") is not False:
            return  # the explicit engine's part; CLI falls back with this reason
    r = vector.check(g, CheckOptions(**case.options))
    assert r.engine == "vector"
    assert_result(case, r)


def same_result(g, opts: CheckOptions) -> None:
    """Everything the contract fixes, field by field, against the explicit engine."""
    a = explicit.check(g, opts)
    b = vector.check(g, opts)
    assert b.reason == a.reason, (a.violations, b.violations)
    sa, sb = a.stats, b.stats
    assert (sb.distinct_states, sb.generated_states, sb.depth) == (
        sa.distinct_states, sa.generated_states, sa.depth)
    assert sb.action_counts == sa.action_counts
    assert len(b.violations) == len(a.violations)
    for va, vb in zip(a.violations, b.violations):
        assert (vb.kind, vb.property, vb.message, vb.span, vb.details) == (
            va.kind, va.property, va.message, va.span, va.details)
        assert vb.trace == va.trace


BUILDERS = {
    "grid_3_4": lambda: ib.grid(3, 4),
    "rwsem_3_2": lambda: ib.rwsem(3, 2),
    "rwsem_2_3": lambda: ib.rwsem(2, 3),
    "counter_inv": lambda: ie.counter(inv_lt=3),
    "counter_range": lambda: ie.counter(hi=2, guard=False),
    "counter_deadlock": lambda: ie.counter(bound=3, deadlock=True),
    "two_steps": ie.two_steps,
    "check_before_deeper_invariant": ie.check_before_deeper_invariant,
    "multi_init": ie.multi_init,
    "with_never": ie.with_never,
    "sym_counters_3_2": lambda: ie.sym_counters(3, 2),
    "abba_no_lock_order": lambda: ie.abba(lock_order=False),
    "philosophers": ie.three_cycle,
    "recursive": ie.recursive,
    "unlock_unheld": ie.unlock_unheld,
    "wide_70_bits": lambda: wide(10, 7),
    "wide_violation": lambda: wide(9, 8, inv_below=4),
    # degenerate shapes: no variables, no transitions, a constant (zero-bit) slot
    "no_variables": lambda: ir.Spec("novars", "<ir>", (), (),
                                    (ir.Transition("Nop", (), ir.Lit(1, BOOL), ()),)),
    "no_transitions": lambda: ir.Spec("notrans", "<ir>", (), (
        ir.Variable("x", ir.IntType(0, 3), (0, 1)),), ()),
    "constant_slot": lambda: ir.Spec("const", "<ir>", (), (
        ir.Variable("k", ir.IntType(5, 5), (5,)), ir.Variable("x", ir.IntType(-3, 3), (0,))),
        (ir.Transition("Inc", (), B("lt", V("x"), V("k")),
                       (ir.Update(V("x"), B("add", V("x"), V("k"))),)),)),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_builders_match_explicit(name: str) -> None:
    g = ground(BUILDERS[name]())
    for opts in (CheckOptions(), CheckOptions(symmetry=True), CheckOptions(deadlock=False),
                 CheckOptions(depth=2), CheckOptions(max_states=7), CheckOptions(max_states=0)):
        if vector.supported(g) is not None:
            opts.lock_order = False
        same_result(g, opts)


def test_random_specs_match_explicit(engine_path):  # noqa: F811 (fixture)
    for seed, g in systems(30, 31_000):
        try:
            same_result(g, CheckOptions())
            limit = max(1, explicit.check(g, CheckOptions()).stats.distinct_states // 2)
            same_result(g, CheckOptions(max_states=limit))
        except AssertionError as e:  # pragma: no cover - failure report
            raise AssertionError(f"seed {seed} ({engine_path}): {e}") from e


def test_random_specs_with_depth_limits_match_explicit():
    for seed, g in systems(30, 41_000):
        for depth in (0, 1, 3):
            same_result(g, CheckOptions(depth=depth))


def sym_spec(seed: int) -> ir.Spec:
    """Random specs over a symmetric thread type: counters, flags and an owner id (a value
    of the symmetric type), with symmetric guards, invariants and occasional range errors."""
    r = random.Random(seed)
    n, m = r.randint(2, 3), r.randint(1, 3)
    T = ir.IntType(1, n, symmetric="T")
    c = lambda: ir.Index(V("c"), P("i"))  # noqa: E731
    f = lambda: ir.Index(V("f"), P("i"))  # noqa: E731
    i = (ir.Param("i", T),)
    inc_guard = B("lt", c(), L(m)) if r.random() < 0.8 else ir.Lit(1, BOOL)
    ts = [
        ir.Transition("Inc", i, inc_guard, (ir.Update(c(), B("add", c(), L(1))),)),
        ir.Transition("Take", i, conj(B("eq", f(), L(0, BOOL)), B("ge", c(), L(r.randint(0, m)))),
                      (ir.Update(V("owner"), P("i")), ir.Update(f(), L(1, BOOL)))),
        ir.Transition("Drop", i, B("eq", f(), L(1, BOOL)),
                      (ir.Update(f(), L(0, BOOL)), ir.Update(c(), L(0)))),
    ]
    r.shuffle(ts)
    invs = ()
    if r.random() < 0.5:
        body = B("or", B("lt", ir.Index(V("c"), P("j")), L(m)), ir.Index(V("f"), P("j")))
        invs = (ir.Invariant("sym", ir.Quant("forall", "j", T, body)),)
    return ir.Spec("sym", "<ir>", (), (
        ir.Variable("c", ir.MapType(T, ir.IntType(0, m)), ((0,) * n,)),
        ir.Variable("f", ir.MapType(T, BOOL), ((0,) * n,)),
        ir.Variable("owner", T, (1,)),
    ), tuple(ts), invariants=invs, check_deadlock=r.random() < 0.5, symmetric=("T",))


def test_random_symmetric_specs_match_explicit(engine_path):  # noqa: F811 (fixture)
    for seed in range(12):
        g = ground(sym_spec(seed))
        assert g.symmetries
        for opts in (CheckOptions(symmetry=True), CheckOptions(symmetry=True, max_states=5)):
            try:
                same_result(g, opts)
            except AssertionError as e:  # pragma: no cover - failure report
                raise AssertionError(f"seed {seed} ({engine_path}): {e}") from e
