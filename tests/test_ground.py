"""Grounding against hand-derived counts, using the reference interpreter as a tiny BFS."""
from mmspec import ir
from mmspec.ground import decode_state, eval_gexpr, ground
from tests.irbuild import B, L, P, V, grid, rwsem


def reachable(system):
    seen = set(system.init)
    todo = list(system.init)
    while todo:
        s = todo.pop()
        for t in system.transitions:
            if eval_gexpr(t.guard, s):
                n = list(s)
                for k, e in t.updates:
                    n[k] = eval_gexpr(e, s)
                n = tuple(n)
                if n not in seen:
                    seen.add(n)
                    todo.append(n)
    return seen


def test_grid_counts():
    assert len(reachable(ground(grid(3, 4)))) == 5 ** 3


def test_rwsem_counts():
    for n, k in [(2, 1), (3, 2)]:
        expected = (2 * (k + 1)) ** n + n * (k + 1) ** n  # from the closed form
        assert len(reachable(ground(rwsem(n, k)))) == expected


def test_layout_and_decode():
    g = ground(rwsem(2, 1))
    assert [s.name for s in g.slots][:2] == ["pc[1]", "pc[2]"]
    st = decode_state(g, g.init[0])
    assert st == {"pc": {1: "idle", 2: "idle"}, "ops": {1: 0, 2: 0}, "readers": 0, "writer": 0}


def test_dynamic_index_and_sets():
    # x: 0..2, s: set of 0..2; one action adds x to s and bumps x (dynamic index into a set)
    X = ir.IntType(0, 2)
    spec = ir.Spec("sets", "<ir>", (), (
        ir.Variable("x", X, (0,)),
        ir.Variable("s", ir.SetType(X), (frozenset(),)),
    ), (ir.Transition("Add", (), B("lt", V("x"), L(2)), (
        ir.Update(ir.Index(V("s"), V("x")), L(1, ir.BoolType())) if False else
        ir.Update(V("s"), B("union", V("s"), ir.SetLit(X, (V("x"),)))),
        ir.Update(V("x"), B("add", V("x"), L(1))))),))
    g = ground(spec)
    states = reachable(g)
    assert len(states) == 3
    last = max(states)
    assert decode_state(g, last)["s"] == frozenset({0, 1})


def test_two_updates_to_one_variable_both_land():
    # m'[1] = 1 and m'[2] = 1 in one step (regression: the second used to undo the first)
    K = ir.IntType(1, 2)
    spec = ir.Spec("two", "<ir>", (), (ir.Variable("m", ir.MapType(K, ir.IntType(0, 1)), ((0, 0),)),),
                   (ir.Transition("Both", (), B("eq", ir.Index(V("m"), L(1)), L(0)), (
                       ir.Update(ir.Index(V("m"), L(1)), L(1)),
                       ir.Update(ir.Index(V("m"), L(2)), L(1)))),))
    g = ground(spec)
    assert reachable(g) == {(0, 0), (1, 1)}


def test_dynamic_index_updates_accumulate_and_read_the_pre_state():
    # i, j: 1..2; step: m'[i] = m[j] + 1, m'[j] = m[i] + 1 (simultaneous, reading the old m)
    K = ir.IntType(1, 2)
    spec = ir.Spec("dyn", "<ir>", (), (
        ir.Variable("m", ir.MapType(K, ir.IntType(0, 9)), ((0, 5),)),
        ir.Variable("i", K, (1,)), ir.Variable("j", K, (2,))),
        (ir.Transition("Swap", (), B("lt", ir.Index(V("m"), L(1)), L(3)), (
            ir.Update(ir.Index(V("m"), V("i")), B("add", ir.Index(V("m"), V("j")), L(1))),
            ir.Update(ir.Index(V("m"), V("j")), B("add", ir.Index(V("m"), V("i")), L(1))))),))
    g = ground(spec)
    (t,) = g.transitions
    n = list(g.init[0])
    for k, e in t.updates:
        n[k] = eval_gexpr(e, g.init[0])
    assert n[:2] == [6, 1]
