"""The engine-independent helpers: lock-order graph (checker/lockorder.py) and wait-for
cycles (checker/waitfor.py)."""
from checker.lockorder import LockOrderGraph, cycle_message, key_name
from checker.waitfor import find_cycle

A, B, C = ("A", 0), ("B", 0), ("C", 0)


def test_edges_keep_the_first_witness_and_report_the_closing_cycle():
    g = LockOrderGraph()
    assert g.add(A, B, 0, "first") is None
    assert g.add(A, B, 1, "second") is None  # known edge: first witness kept
    assert g.edges[(A, B)].witness == "first"
    assert g.add(B, C, 1, "bc") is None
    chain = g.add(C, A, 2, "ca")
    assert [(e.src, e.dst) for e in chain] == [(C, A), (A, B), (B, C)]
    assert cycle_message(chain) == ("possible circular locking dependency: "
                                    "C/0 -> A/0 -> B/0 -> C/0")


def test_shortest_path_back_is_used():
    g = LockOrderGraph()
    g.add(B, C, 0, 1)
    g.add(C, A, 0, 2)
    g.add(B, A, 0, 3)  # a direct edge B -> A as well
    chain = g.add(A, B, 0, 4)
    assert [(e.src, e.dst) for e in chain] == [(A, B), (B, A)]


def test_self_loop_is_recursive_locking():
    g = LockOrderGraph()
    chain = g.add(A, A, 0, "w")
    assert len(chain) == 1
    assert cycle_message(chain) == "possible recursive locking detected: A/0 -> A/0"
    assert key_name(("mmap_lock", 1)) == "mmap_lock/1"


def test_wait_for_cycles():
    assert find_cycle({}) is None
    assert find_cycle({0: [1], 1: []}) is None
    assert find_cycle({2: [2]}) == [2]
    assert find_cycle({0: [1], 1: [2], 2: [1]}) == [1, 2]
    assert find_cycle({3: [1], 1: [3]}) == [1, 3]  # rotated to the lowest thread id
