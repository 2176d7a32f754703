"""Liveness on arrays (checker/liveness_arrays.py) against the explicit checker.

Three ways: (1) the hand-derived liveness suites (tests/test_liveness_basic.py,
test_liveness_fairness.py, and the oracle-checked random systems of
test_liveness_random.py) run again with `check_liveness` replaced by the array analyser on the
same graph; (2) the whole vector engine against the whole explicit engine (verdicts, counts,
lassos) on the liveness builders, random systems and the library's liveness specs;
(3) the engine's recorded graph itself, edge for edge, against the explicit engine's.
"""
from __future__ import annotations

import glob
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings

import tests.test_liveness_basic as basic
import tests.test_liveness_fairness as fairness
import tests.test_liveness_random as rand
from checker import explicit, vector
from checker.explicit.graph import build_graph
from checker.liveness import _bfs_tree
from checker.liveness import check_liveness as explicit_check_liveness
from checker.liveness_arrays import ArrayGraph, check_liveness_arrays
from checker.liveness_eval import compile_gexpr
from checker.options import CheckOptions
from checker.result import ExitReason, Violation
from checker.vector.engine import VectorSearch
from mmspec import ir
from mmspec.frontend import load_spec
from mmspec.ground import GroundSystem, ground
from tests import irbuild_liveness as il
from tests.test_vector_conformance import same_result


def arrays_of(graph: Any) -> ArrayGraph:
    """A LivenessGraph (ids in BFS order, initial ids first) as an ArrayGraph."""
    succ = graph.succ
    indptr = np.zeros(len(succ) + 1, np.int64)
    np.cumsum([len(e) for e in succ], out=indptr[1:])
    dst = np.array([v for e in succ for _, v in e], np.int64)
    trans = np.array([t for e in succ for t, _ in e], np.int64)
    init = graph.init if hasattr(graph, "init") else graph.initial
    assert list(init) == list(range(len(init)))
    tree = _bfs_tree(graph)
    assert tree.order == list(range(len(tree.order)))

    def mask(e: Any) -> np.ndarray:
        f = compile_gexpr(e)
        return np.array([bool(f(s)) for s in graph.states], bool)

    def states(root: int, ts: list[int]) -> list[tuple[int, ...]]:
        out, cur = [graph.states[root]], root
        for t in ts:
            cur = next(v for u, v in succ[cur] if u == t)
            out.append(graph.states[cur])
        return out

    return ArrayGraph(len(init), indptr, dst, trans, mask, states,
                      lambda i: tree.parent[i])


def via_arrays(system: GroundSystem, graph: Any) -> list[Violation]:
    return check_liveness_arrays(system, arrays_of(graph))


# (1) the hand-derived suites, on the array analyser -------------------------------------

BASIC = [getattr(basic, n) for n in dir(basic) if n.startswith("test_")]
FAIR = [getattr(fairness, n) for n in dir(fairness) if n.startswith("test_")]


@pytest.mark.parametrize("test", BASIC, ids=[t.__name__ for t in BASIC])
def test_basic_suite_on_arrays(test: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(basic, "check_liveness", via_arrays)
    test()


@pytest.mark.parametrize("test", FAIR, ids=[t.__name__ for t in FAIR])
def test_fairness_suite_on_arrays(test: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fairness, "check_liveness", via_arrays)
    kinds = [m for m in getattr(test, "pytestmark", []) if m.name == "parametrize"]
    if not kinds:
        test()
        return
    name, values = kinds[0].args
    for v in values:
        test(**{name: v})


@settings(max_examples=40, deadline=None)
@given(rand.systems())
def test_random_systems_on_arrays_match_the_oracle(spec: ir.Spec) -> None:
    rand.check_liveness = via_arrays  # type: ignore[attr-defined]
    try:
        rand.check_against_oracle(spec)
    finally:
        rand.check_liveness = explicit_check_liveness  # type: ignore[attr-defined]


@settings(max_examples=40, deadline=None)
@given(rand.process_systems())
def test_random_process_systems_on_arrays_match_the_oracle(spec: ir.Spec) -> None:
    rand.check_liveness = via_arrays  # type: ignore[attr-defined]
    try:
        rand.check_against_oracle(spec)
    finally:
        rand.check_liveness = explicit_check_liveness  # type: ignore[attr-defined]


# (2) engine against engine ----------------------------------------------------------------

def _builders() -> list[tuple[str, ir.Spec]]:
    out = []
    for kind in (None, "weak", "strong"):
        out.append((f"toggle_{kind}", il.toggle_wait("weak", kind)))
        out.append((f"toggle_spin_{kind}", il.toggle_wait("weak", kind, spin=True)))
        out.append((f"detour_{kind}", il.detour(kind)))
        out.append((f"two_sccs_{kind}", il.two_sccs(kind)))
        out.append((f"shuttle_{kind}", il.shuttle(kind)))
        for pref in (False, True):
            out.append((f"rwsem_{pref}_{kind}", il.rwsem_starvation(pref, kind, kind)))
    return out


@pytest.mark.parametrize("name,spec", _builders(), ids=[n for n, _ in _builders()])
def test_engines_agree_on_liveness_builders(name: str, spec: ir.Spec) -> None:
    g = ground(spec)
    assert vector.supported(g) is None
    same_result(g, CheckOptions())


@settings(max_examples=25, deadline=None)
@given(rand.process_systems())
def test_engines_agree_on_random_process_systems(spec: ir.Spec) -> None:
    same_result(ground(spec), CheckOptions())


@settings(max_examples=25, deadline=None)
@given(rand.systems())
def test_engines_agree_on_random_systems(spec: ir.Spec) -> None:
    same_result(ground(spec), CheckOptions())


def test_library_liveness_specs_agree() -> None:
    n = 0
    for f in sorted(glob.glob("specs/**/*.mms", recursive=True)):
        g = ground(load_spec(f))
        if not g.liveness:
            continue
        n += 1
        assert vector.supported(g) is None
        same_result(g, CheckOptions())
    assert n >= 8  # specs/vma (9) and specs/fput (2) have liveness properties today


# (3) the recorded graph -------------------------------------------------------------------

@pytest.mark.parametrize("name,spec", _builders()[:6], ids=[n for n, _ in _builders()[:6]])
def test_recorded_graph_is_the_explicit_graph(name: str, spec: ir.Spec) -> None:
    g = ground(spec)
    ref = build_graph(g)
    s = VectorSearch(g, CheckOptions())
    s.run()
    a = s.array_graph()
    assert a.n == len(ref.states) and a.n_init == len(ref.initial)
    got = [[(int(a.trans[p]), int(a.dst[p])) for p in range(a.indptr[u], a.indptr[u + 1])]
           for u in range(a.n)]
    assert got == [list(e) for e in ref.succ]


def test_memory_limit_leaves_partial_statistics() -> None:
    # a limit below what the interpreter alone holds: the search stops after its first chunk
    # (level 0 is expanded), with the counts so far, and liveness is not checked
    g = ground(load_spec("specs/vma/vma_lock_refcnt.mms"))
    r = vector.check(g, CheckOptions(memory_limit=1))
    assert r.reason == ExitReason.MEMORY_LIMIT
    assert r.stats.distinct_states >= 1 and r.stats.generated_states >= 1
    assert "liveness not checked: the safety search did not finish" in r.notes


SYMMETRIC_LIVE = """spec symlive
symmetric type T = 1..3
var c: map[T] 0..2 = 0
process p[i in T] fair {
    c[i] := c[i] + 1
    c[i] := c[i] + 1
}
property done: eventually (forall j in T: c[j] == 2)
property never: eventually (forall j in T: c[j] == 3)
"""


def test_symmetry_records_the_unreduced_graph(tmp_path: Any) -> None:
    # the safety search is reduced (orbits of c: multisets of 3 values in 0..2, C(5,3) = 10
    # states); liveness is checked on the full graph (3^3 = 27 states), as the explicit
    # engine does; `never` fails (c[j] == 3 is out of range), `done` holds
    path = tmp_path / "symlive.mms"
    path.write_text(SYMMETRIC_LIVE)
    g = ground(load_spec(str(path)))
    r = vector.check(g, CheckOptions(symmetry=True))
    assert r.stats.distinct_states == 10
    assert [v.property for v in r.violations] == ["never"]
    same_result(g, CheckOptions(symmetry=True))
