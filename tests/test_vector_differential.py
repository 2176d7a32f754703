"""Differential tests: random small IR specs, vectorised engine against the reference BFS.

Every field the contract fixes is compared: verdict, violation kind/property/details, the exact
trace (states and step labels), distinct and generated states, depth and per-action counts.
The specs are drawn from a seeded generator (deterministic) covering ints with negative lower
bounds, wrap-around, bools, enums, maps indexed by parameters and by state, sets, floor
div/mod (including by zero), min/max, if-then-else, checks of both kinds, invariants,
deadlock with and without final states, and several initial states.
"""
from __future__ import annotations

import random

import pytest

from checker.options import CheckOptions
from checker.vector import check
from mmspec import ir
from mmspec.ground import GroundError, decode_state, ground
from tests.irbuild import B, L, P, V
from tests.test_vector_refbfs import Ref, ref_bfs

BOOL = ir.BoolType()
IDX = ir.IntType(1, 2)
ARITH = ["add", "sub", "mul", "div", "mod", "min", "max"]
CMP = ["eq", "ne", "lt", "le", "gt", "ge"]


class Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)
        r = self.r
        self.ints: list[tuple[str, ir.IntType]] = []
        self.vars: list[ir.Variable] = []
        for i in range(r.randint(1, 3)):
            lo = r.randint(-2, 1)
            t = ir.IntType(lo, lo + r.randint(1, 4), wrap=r.random() < 0.2)
            self.ints.append((f"x{i}", t))
            inits = sorted({r.randint(t.lo, t.hi) for _ in range(r.choice([1, 1, 2]))})
            self.vars.append(ir.Variable(f"x{i}", t, tuple(inits)))
        self.vars.append(ir.Variable("b", BOOL, (r.randint(0, 1),)))
        self.mt = ir.IntType(0, r.randint(1, 3))
        self.vars.append(ir.Variable("m", ir.MapType(IDX, self.mt), ((0, self.mt.hi),)))
        self.et = ir.EnumType("E", ("a", "b", "c"))
        self.vars.append(ir.Variable("e", self.et, (0,)))
        self.st = ir.IntType(0, 2)
        self.vars.append(ir.Variable("s", ir.SetType(self.st), (frozenset({1}),)))

    def lit(self) -> ir.Expr:
        return L(self.r.randint(-2, 3))

    def int_expr(self, d: int, param: bool) -> ir.Expr:
        r = self.r
        k = r.randint(0, 9 if d > 0 else 3)
        if k == 0:
            return self.lit()
        if k == 1 or k == 2:
            return V(r.choice(self.ints)[0])
        if k == 3:
            return ir.Index(V("m"), P("i") if param and r.random() < 0.7 else L(r.randint(1, 2), IDX))
        if k == 4:
            return ir.Index(V("m"), V(r.choice(self.ints)[0]))  # dynamic index
        if k == 5:
            return ir.Unary("neg", self.int_expr(d - 1, param))
        if k == 6:
            return ir.Ite(self.bool_expr(d - 1, param), self.int_expr(d - 1, param),
                          self.int_expr(d - 1, param))
        return B(r.choice(ARITH), self.int_expr(d - 1, param), self.int_expr(d - 1, param))

    def bool_expr(self, d: int, param: bool) -> ir.Expr:
        r = self.r
        k = r.randint(0, 8 if d > 0 else 2)
        if k == 0:
            return V("b")
        if k == 1:
            return B(r.choice(CMP), V(r.choice(self.ints)[0]), self.lit())
        if k == 2:
            return B("eq", V("e"), L(r.randint(0, 2), self.et))
        if k == 3:
            return B("in", self.lit() if r.random() < 0.5 else V(self.ints[0][0]), V("s"))
        if k == 4:
            return ir.Unary("not", self.bool_expr(d - 1, param))
        if k in (5, 6):
            return B(r.choice(["and", "or", "implies"]), self.bool_expr(d - 1, param),
                     self.bool_expr(d - 1, param))
        return B(r.choice(CMP), self.int_expr(d - 1, param), self.int_expr(d - 1, param))

    def update(self, param: bool) -> ir.Update:
        r = self.r
        k = r.randint(0, 5)
        if k <= 1:
            name, t = r.choice(self.ints)
            x = r.random()
            if x < 0.45:  # cyclic counters keep state spaces interesting
                return ir.Update(V(name), ir.Ite(B("lt", V(name), L(t.hi)),
                                                 B("add", V(name), L(1)), L(t.lo)))
            if x < 0.6:  # leaves its range, but only after a few steps
                return ir.Update(V(name), B(r.choice(["add", "sub"]), V(name), L(1)))
            if x < 0.93:  # clamped arbitrary arithmetic
                return ir.Update(V(name), B("max", L(t.lo), B("min", L(t.hi),
                                                               self.int_expr(2, param))))
            return ir.Update(V(name), self.int_expr(2, param))
        if k == 2:
            return ir.Update(V("b"), self.bool_expr(1, param))
        if k == 3:
            idx = P("i") if param else L(r.randint(1, 2), IDX)
            return ir.Update(ir.Index(V("m"), idx),
                             ir.Ite(B("lt", ir.Index(V("m"), idx), L(self.mt.hi)),
                                    B("add", ir.Index(V("m"), idx), L(1)), L(0)))
        if k == 4:
            return ir.Update(V("e"), ir.Ite(self.bool_expr(1, param), L(r.randint(0, 2), self.et),
                                            V("e")))
        elem = ir.SetLit(self.st, (L(r.randint(0, 2), self.st),))
        return ir.Update(V("s"), B(r.choice(["union", "minus"]), V("s"), elem))

    def spec(self) -> ir.Spec:
        r = self.r
        ts = []
        for j in range(r.randint(2, 6)):
            param = r.random() < 0.4
            params = (ir.Param("i", IDX),) if param else ()
            ups: dict[str, ir.Update] = {}
            for _ in range(r.randint(1, 2)):
                u = self.update(param)
                ups[repr(u.target)] = u
            checks = ()
            if r.random() < 0.15:
                checks = (ir.Check(self.bool_expr(1, param), f"check{j}",
                                   kind=r.choice(["assertion", "deadlock"]),
                                   when=r.choice(["fire", "reach"])),)
            x = r.random()
            if x < 0.4:
                guard = L(1, BOOL)
            elif x < 0.8:
                name, t = r.choice(self.ints)
                guard = B(r.choice(["ne", "le", "ge"]), V(name), L(r.randint(t.lo, t.hi)))
            else:
                guard = B("or", self.bool_expr(2, param), self.bool_expr(1, param))
            at = self.bool_expr(0, param) if r.random() < 0.15 else None
            if at is not None:
                guard = B("and", at, guard)
            ts.append(ir.Transition(f"T{j}", params, guard, tuple(ups.values()), at=at,
                                    checks=checks))
        if r.random() < 0.7:  # a cyclic counter that keeps the system going for a while
            name, t = r.choice(self.ints)
            cyc = ir.Update(V(name), ir.Ite(B("lt", V(name), L(t.hi)), B("add", V(name), L(1)),
                                            L(t.lo)))
            guard = B("ne", V("e"), L(2, self.et)) if r.random() < 0.5 else L(1, BOOL)
            ts.insert(r.randint(0, len(ts)), ir.Transition("Tick", (), guard, (cyc,)))
        invs = ()
        if r.random() < 0.5:
            invs = (ir.Invariant("inv", B("or", self.bool_expr(1, False),
                                          B("or", self.bool_expr(1, False),
                                            self.bool_expr(1, False)))),)
        final = self.bool_expr(1, False) if r.random() < 0.3 else None
        return ir.Spec("rand", "<ir>", (), tuple(self.vars), tuple(ts), invariants=invs,
                       final=final, check_deadlock=r.random() < 0.5)


def compare(system, res, ref: Ref) -> None:
    reason = res.reason.value
    assert reason == ref.reason
    st = res.stats
    assert (st.distinct_states, st.generated_states, st.depth) == (
        ref.distinct, ref.generated, ref.depth)
    assert st.action_counts == ref.fired
    if ref.reason != "violation":
        assert not res.violations
        return
    (v,) = res.violations
    assert (v.kind, v.property) == (ref.kind, ref.prop)
    assert [s.state for s in v.trace.steps] == [decode_state(system, s) for s in ref.states]
    assert [s.label for s in v.trace.steps] == ref.labels
    for k, val in ref.details.items():
        assert v.details[k] == val


def systems(n: int, seed0: int):
    made = 0
    seed = seed0
    while made < n:
        seed += 1
        try:
            g = ground(Gen(seed).spec())
        except GroundError:
            continue
        made += 1
        yield seed, g


@pytest.mark.parametrize("block", range(4))
def test_random_specs_match_reference(block):
    kinds = set()
    for seed, g in systems(40, 1000 * (block + 1)):
        ref = ref_bfs(g)
        res = check(g, CheckOptions())
        try:
            compare(g, res, ref)
        except AssertionError as e:  # pragma: no cover - failure report
            raise AssertionError(f"seed {seed}: {e}") from e
        kinds.add(ref.kind)
    assert len(kinds) >= 2  # the generator does produce violations and clean runs


def test_random_specs_with_state_limits():
    for seed, g in systems(30, 77_000):
        full = ref_bfs(g)
        limit = max(1, full.distinct // 2)
        ref = ref_bfs(g, max_states=limit)
        res = check(g, CheckOptions(max_states=limit))
        try:
            compare(g, res, ref)
        except AssertionError as e:  # pragma: no cover
            raise AssertionError(f"seed {seed}: {e}") from e


def test_random_specs_without_deadlock_check():
    for seed, g in systems(20, 55_000):
        ref = ref_bfs(g, deadlock=False)
        res = check(g, CheckOptions(deadlock=False))
        compare(g, res, ref)


@pytest.fixture(params=["one-word", "argsort", "multi-word", "tiny-chunks"])
def engine_path(request, monkeypatch):
    """Force each internal path of the engine: composite sorts on one-word states, the argsort
    path, multi-word states with fingerprints, and levels cut into chunks of a few parents."""
    from checker.vector import engine, layout
    if request.param == "argsort":
        monkeypatch.setattr(engine, "COMPOSITE_MIN_ORDER_BITS", 65)
    elif request.param == "multi-word":
        monkeypatch.setattr(layout, "WORD_BITS", 3)
    elif request.param == "tiny-chunks":
        monkeypatch.setattr(engine, "CANDIDATE_BUDGET", 3)
        monkeypatch.setattr(engine, "MIN_CHUNK", 1)
    return request.param


def test_every_engine_path_matches_reference(engine_path):
    words = set()
    for seed, g in systems(40, 9_000):
        res = check(g, CheckOptions())
        compare(g, res, ref_bfs(g))
        words.add(res.stats.extra["state_words"])
        limit = max(1, res.stats.distinct_states // 2)
        compare(g, check(g, CheckOptions(max_states=limit)), ref_bfs(g, max_states=limit))
    assert (words != {1}) == (engine_path == "multi-word")
