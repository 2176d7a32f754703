"""Random tiny systems against a brute-force oracle, and compiled predicates against
the reference interpreter.

Two families: one variable x in 0..n-1 (one or more initial values) with a few processes
whose steps are `x == a -> x' = b` (self-loops included); and processes with local pcs
over a shared bit that one process keeps flipping (so steps are enabled intermittently, where
weak and strong fairness part ways). Each process has no, weak or strong fairness; one
property of each kind. The oracle (tests/irbuild_liveness.py) decides the
property by enumerating every set of not-Q states; every reported lasso is replayed and its
loop checked for fairness from the guards alone.
"""
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from checker.liveness import check_liveness
from checker.liveness_eval import compile_gexpr
from mmspec import ir
from mmspec.ground import GLit, GOp, GSlot, GIte, eval_gexpr
from tests.irbuild import B, L, V
from tests.irbuild_liveness import (AND, EQ, brute_force_violated, build, check_lasso, step,
                                    thread)

FALSE = ir.Lit(0, ir.BoolType())
KINDS = [None, "weak", "strong", "strong"]  # strong twice: the interesting case


def member(values: frozenset[int]) -> ir.Expr:
    out: ir.Expr = FALSE
    for v in sorted(values):
        out = B("or", out, EQ(V("x"), L(v)))
    return out


@st.composite
def systems(draw: st.DrawFn) -> ir.Spec:
    n = draw(st.integers(2, 6))
    vals = st.integers(0, n - 1)
    nproc = draw(st.integers(1, 3))
    transitions: list[ir.Transition] = []
    threads = []
    fairness = []
    for j in range(nproc):
        threads.append(thread(j, f"p{j}"))
        kind = draw(st.sampled_from(KINDS))
        if kind is not None:
            fairness.append(ir.Fairness(kind, process=f"p{j}"))
        for _ in range(draw(st.integers(1, 6))):
            a, b = draw(vals), draw(vals)
            transitions.append(step(f"T{len(transitions)}", f"p{j}", j, EQ(V("x"), L(a)),
                                    [ir.Update(V("x"), L(b))]))
    init = tuple(sorted(draw(st.sets(vals, min_size=1, max_size=2))))
    q = member(draw(st.frozensets(vals, max_size=2)))
    p = member(draw(st.frozensets(vals, min_size=1)))
    props = (ir.Liveness("ev", "eventually", None, q),
             ir.Liveness("lt", "leadsto", p, q),
             ir.Liveness("ae", "always_eventually", None, q))
    return ir.Spec("random", "<ir>", (), (ir.Variable("x", ir.IntType(0, n - 1), init),),
                   tuple(transitions), liveness=props, fairness=tuple(fairness),
                   threads=tuple(threads), check_deadlock=False)


@st.composite
def process_systems(draw: st.DrawFn) -> ir.Spec:
    """Processes with a local pc (0..m-1) and a shared bit x. Process p0 always owns two
    steps that flip x at its pc 0, so other processes' steps guarded by x are enabled only
    intermittently: the case where weak and strong fairness differ."""
    k, m = draw(st.integers(2, 3)), draw(st.integers(2, 3))
    Pid = ir.IntType(0, k - 1)
    pcs = st.integers(0, m - 1)
    transitions: list[ir.Transition] = []
    threads, fairness = [], []

    def add(j: int, guard: list[ir.Expr], updates: list[ir.Update]) -> None:
        transitions.append(step(f"T{len(transitions)}", f"p{j}", j, AND(*guard), updates))

    for j in range(k):
        threads.append(thread(j, f"p{j}"))
        kind = draw(st.sampled_from(KINDS))
        if kind is not None:
            fairness.append(ir.Fairness(kind, process=f"p{j}"))
        pc = ir.Index(V("pc"), L(j, Pid))
        if j == 0:
            for xv in (0, 1):
                add(j, [EQ(pc, L(0)), EQ(V("x"), L(xv))], [ir.Update(V("x"), L(1 - xv))])
        for _ in range(draw(st.integers(1, 4))):
            guard, updates = [EQ(pc, L(draw(pcs)))], [ir.Update(pc, L(draw(pcs)))]
            xg, xw = draw(st.sampled_from([None, 0, 1])), draw(st.sampled_from([None, 0, 1]))
            if xg is not None:
                guard.append(EQ(V("x"), L(xg)))
            if xw is not None:
                updates.append(ir.Update(V("x"), L(xw)))
            add(j, guard, updates)
    q = EQ(ir.Index(V("pc"), L(draw(st.integers(0, k - 1)), Pid)), L(draw(st.integers(1, m - 1))))
    props = (ir.Liveness("ev", "eventually", None, q),
             ir.Liveness("lt", "leadsto", EQ(V("x"), L(1)), q),
             ir.Liveness("ae", "always_eventually", None, q))
    return ir.Spec("procs", "<ir>", (),
                   (ir.Variable("x", ir.IntType(0, 1), (0,)),
                    ir.Variable("pc", ir.MapType(Pid, ir.IntType(0, m - 1)), ((0,) * k,))),
                   tuple(transitions), liveness=props, fairness=tuple(fairness),
                   threads=tuple(threads), check_deadlock=False)


def _two_cycles_strong() -> ir.Spec:
    """Pinned: two cycles 0<->1 (p0, weak) and 1<->2 (p1, strong); Q never holds.

    The SCC {0,1,2} is fair outright (both processes take steps inside it), so all three
    properties fail; the lasso must take a p1 edge because p1 is enabled at 1 and 2.
    """
    ts = (step("T0", "p0", 0, EQ(V("x"), L(0)), [ir.Update(V("x"), L(1))]),
          step("T1", "p0", 0, EQ(V("x"), L(1)), [ir.Update(V("x"), L(0))]),
          step("T2", "p1", 1, EQ(V("x"), L(1)), [ir.Update(V("x"), L(2))]),
          step("T3", "p1", 1, EQ(V("x"), L(2)), [ir.Update(V("x"), L(1))]))
    q = EQ(V("x"), L(3))
    return ir.Spec("pinned", "<ir>", (), (ir.Variable("x", ir.IntType(0, 3), (0,)),), ts,
                   liveness=(ir.Liveness("ev", "eventually", None, q),
                             ir.Liveness("lt", "leadsto", EQ(V("x"), L(2)), q),
                             ir.Liveness("ae", "always_eventually", None, q)),
                   fairness=(ir.Fairness("weak", process="p0"),
                             ir.Fairness("strong", process="p1")),
                   threads=(thread(0, "p0"), thread(1, "p1")), check_deadlock=False)


def check_against_oracle(spec: ir.Spec) -> None:
    system, graph = build(spec)
    found = {v.property: v for v in check_liveness(system, graph)}
    for i, prop in enumerate(system.liveness):
        expected = brute_force_violated(system, graph, i)
        assume(expected is not None)
        assert (prop.name in found) == expected, prop.name
        if prop.name in found:
            v = found[prop.name]
            states = check_lasso(system, graph, v.trace)
            # Q never holds from the trigger on; the trigger satisfies P for leadsto.
            trig = v.details["trigger"]
            assert not any(eval_gexpr(prop.q, s) for s in states[trig:])
            if prop.p is not None:  # leadsto
                assert eval_gexpr(prop.p, states[trig])
            if prop.kind == "eventually":
                assert trig == 0


@settings(max_examples=120, deadline=None)
@given(systems())
@example(_two_cycles_strong())
def test_single_variable_systems_match_the_oracle(spec: ir.Spec) -> None:
    check_against_oracle(spec)


@settings(max_examples=120, deadline=None)
@given(process_systems())
def test_process_systems_match_the_oracle(spec: ir.Spec) -> None:
    check_against_oracle(spec)


# --------------------------------------------------------------------------- compiled predicates

SLOTS = 3
leaves = st.one_of(st.builds(GLit, st.integers(-3, 3)),
                   st.builds(GSlot, st.integers(0, SLOTS - 1)))


def _op(arity: int, ops: list[str]):  # type: ignore[no-untyped-def]
    return lambda child: st.builds(lambda op, args: GOp(op, tuple(args)), st.sampled_from(ops),
                                   st.lists(child, min_size=arity, max_size=arity))


exprs = st.recursive(
    leaves,
    lambda child: st.one_of(
        _op(1, ["not", "neg"])(child),
        _op(2, ["eq", "ne", "lt", "le", "gt", "ge", "iff", "implies", "add", "sub", "mul",
                "div", "mod", "min", "max", "and", "or"])(child),
        _op(3, ["and", "or", "min", "max"])(child),
        st.builds(GIte, child, child, child)),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(exprs, st.lists(st.integers(-4, 4), min_size=SLOTS, max_size=SLOTS))
def test_compiled_predicates_match_eval_gexpr(e, state) -> None:  # type: ignore[no-untyped-def]
    assert compile_gexpr(e)(tuple(state)) == eval_gexpr(e, tuple(state))
