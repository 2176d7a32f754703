"""checker/liveness_scc.py: strong components of a selected subgraph, both ways of handing it
to scipy (a copy, or the graph's own arrays with dropped edges turned into self-loops for the
call), against components derived from reachability (u ~ v iff each reaches the other), on
small random graphs with self-loops and repeated edges (which scipy must never see)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.liveness_arrays import ArrayGraph, _Block
from checker.liveness_scc import Way, strong_components


def graph_of(n: int, rows: list[list[int]]) -> ArrayGraph:
    """n states; rows[u] lists u's targets in transition order (transition = position)."""
    indptr = np.zeros(n + 1, np.int32)
    np.cumsum([len(r) for r in rows], out=indptr[1:])
    dst = np.array([v for r in rows for v in r], np.uint32)
    trans = np.array([t for r in rows for t in range(len(r))], np.uint8)
    return ArrayGraph(1, indptr, dst, trans, lambda e: np.zeros(n, bool),
                      lambda root, ts: [], lambda i: (-1, -1))


def reference_partition(n: int, edges: set[tuple[int, int]]) -> set[frozenset[int]]:
    reach = np.eye(n, dtype=bool)
    for u, v in edges:
        reach[u, v] = True
    for k in range(n):  # Warshall's transitive closure
        reach |= reach[:, k:k + 1] & reach[k:k + 1, :]
    return {frozenset(int(v) for v in np.flatnonzero(reach[u] & reach[:, u])) for u in range(n)}


def partition(labels: np.ndarray) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for i, lab in enumerate(labels.tolist()):
        groups.setdefault(lab, set()).add(i)
    return {frozenset(g) for g in groups.values()}


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, list[list[int]], list[bool]]:
    n = draw(st.integers(1, 9))
    rows = [draw(st.lists(st.integers(0, n - 1), max_size=5)) for _ in range(n)]
    inside = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    return n, rows, inside


@pytest.mark.parametrize("way", ["copied", "in_place"])
@settings(max_examples=150, deadline=None)
@given(case=graphs())
def test_components_match_reachability(way: Way, case: tuple[int, list[list[int]],
                                                             list[bool]]) -> None:
    n, rows, inside_list = case
    g = graph_of(n, rows)
    before = g.dst.copy()
    inside = np.array(inside_list, bool)

    def keep(b: _Block) -> np.ndarray:
        out: np.ndarray = inside[b.src] & inside[b.dst]
        return out

    labels = strong_components(g, keep, way)
    edges = {(u, v) for u, r in enumerate(rows) for v in r if inside[u] and inside[v]}
    assert partition(labels) == reference_partition(n, edges)
    assert np.array_equal(g.dst, before)  # the in-place way puts every target back


def test_repeated_targets_and_self_loops_in_one_row() -> None:
    # 0 -> 1 twice (two transitions), 0 -> 0, 1 -> 0: one component {0, 1}; 2 alone
    g = graph_of(3, [[1, 0, 1], [0], [2, 2]])
    ways: list[Way] = ["copied", "in_place"]
    for way in ways:
        labels = strong_components(g, lambda b: np.ones(len(b.src), bool), way)
        assert partition(labels) == {frozenset({0, 1}), frozenset({2})}
