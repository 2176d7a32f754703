"""Liveness proofs on IC3 (k-liveness, checker/symbolic/klive.py) against the brute-force
liveness oracle and the explicit engine, on the random tiny systems of
tests/test_liveness_random.py.

With K = the number of reachable states the translation is complete as well as sound (more
than that many complete fair rounds while waiting, with no step that no cycle can take,
would repeat a state at two round ends: a fair loop), so "proved" must equal "not violated"
exactly; K = 0 may fail to prove but must never prove a violated property."""
from __future__ import annotations

import dataclasses
import os

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from checker.liveness import check_liveness
from checker.options import CheckOptions
from checker.result import ExitReason
from checker.symbolic import check_pdr, klive
from checker.symbolic.budget import UNSAT, Budget
from checker.symbolic.encode import Encoding
from checker.symbolic.pdr import cone_of_influence
from mmspec import ir
from tests.irbuild_liveness import brute_force_violated, build
from tests.test_liveness_random import _two_cycles_strong, process_systems, systems

EXAMPLES = int(os.environ.get("MMSPEC_PDR_EXAMPLES", "25")) * 3 // 5  # 15: about 5 s


def _with_eventually_always(spec: ir.Spec) -> ir.Spec:
    """The spec with `eventually always Q` added (Q of its first property)."""
    q = spec.liveness[0].q
    props = spec.liveness + (ir.Liveness("ea", "eventually_always", None, q),)
    return dataclasses.replace(spec, liveness=props)


def _agree(spec: ir.Spec) -> None:
    system, graph = build(_with_eventually_always(spec))
    enc = Encoding(system, False, encoding="bv", por=False)  # as pdr runs it
    explicit = {v.property for v in check_liveness(system, graph)}
    for i, prop in enumerate(system.liveness):
        expected = (prop.name in explicit if prop.kind == "eventually_always"
                    else brute_force_violated(system, graph, i))
        assume(expected is not None)
        exact = klive.prove(enc, prop, None, Budget(CheckOptions()), cone_of_influence,
                            ks=(len(graph.states),))
        assert (exact.status == UNSAT) == (not expected), prop.name
        if expected:
            small = klive.prove(enc, prop, None, Budget(CheckOptions()), cone_of_influence,
                                ks=(0, 1))
            assert small.status != UNSAT, prop.name


@settings(max_examples=EXAMPLES // 2, deadline=None)  # 7: ~6 s
@given(st.one_of(systems(), process_systems()))
def test_k_liveness_agrees_with_the_oracle(spec: ir.Spec) -> None:
    _agree(spec)


@settings(max_examples=1, deadline=None)
@given(st.just(_two_cycles_strong()))
def test_k_liveness_pinned_two_cycles(spec: ir.Spec) -> None:
    # tests/test_liveness_random.py derives it: all three properties fail
    _agree(spec)


# 2 examples (~5 s each): tests/test_symbolic_lasso.py checks pdr on the same systems, for
# length too
@settings(max_examples=2, deadline=None)
@given(process_systems())
def test_pdr_liveness_verdict_agrees_with_the_explicit_engine(spec: ir.Spec) -> None:
    """The whole engine: a pdr "ok" (safety proved, then every liveness property by
    k-liveness on top of the safety invariant) is never a property the explicit engine
    finds violated, and a liveness violation pdr reports is one it finds too."""
    system, graph = build(spec)
    explicit = {v.property for v in check_liveness(system, graph)}
    r = check_pdr(system, CheckOptions(time_limit=30))
    found = {v.property for v in r.violations if v.kind == "liveness"}
    if r.reason == ExitReason.DONE:
        assert not r.violations and not explicit
        assert r.stats.extra.get("liveness_proved") == [p.name for p in system.liveness]
    assert found <= explicit
