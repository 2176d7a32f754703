"""Small IR specs for the symbolic engine's tests, each with its violation depth derived by
hand in the docstring (the reference BFS in tests/test_symbolic_ref.py re-derives them)."""
from __future__ import annotations

from mmspec import ir
from tests.irbuild import BOOL, B, L, P, V, conj

T = ir.Transition
U = ir.Update


def I(lo: int, hi: int, wrap: bool = False) -> ir.IntType:  # noqa: E743
    return ir.IntType(lo, hi, wrap)


def NOT(e: ir.Expr) -> ir.Expr:
    return ir.Unary("not", e)


def TT() -> ir.Lit:
    return L(1, BOOL)


def counter(limit: int, bad: int) -> ir.Spec:
    """x counts 0..limit; invariant x < bad fails first at depth `bad` (x == bad)."""
    return ir.Spec("counter", "<ir>", (), (ir.Variable("x", I(0, limit), (0,)),),
                   (T("Inc", (), B("lt", V("x"), L(limit)),
                      (U(V("x"), B("add", V("x"), L(1))),)),),
                   invariants=(ir.Invariant("small", B("lt", V("x"), L(bad))),),
                   check_deadlock=False)


def abba() -> ir.Spec:
    """Two threads take locks a, b in opposite orders: deadlock at depth 2 (T1 takes a,
    T2 takes b). Lock values: 0 free, else the owner. Finishing both is a final state."""
    ts = []
    for me, first, second in ((1, "a", "b"), (2, "b", "a")):
        pc = V(f"pc{me}")
        ts += [
            T(f"T{me}_{first}", (), conj(B("eq", pc, L(0)), B("eq", V(first), L(0))),
              (U(V(first), L(me)), U(pc, L(1)))),
            T(f"T{me}_{second}", (), conj(B("eq", pc, L(1)), B("eq", V(second), L(0))),
              (U(V(second), L(me)), U(pc, L(2)))),
            T(f"T{me}_release", (), B("eq", pc, L(2)),
              (U(V("a"), L(0)), U(V("b"), L(0)), U(pc, L(3)))),
        ]
    return ir.Spec("abba", "<ir>", (), (
        ir.Variable("a", I(0, 2), (0,)), ir.Variable("b", I(0, 2), (0,)),
        ir.Variable("pc1", I(0, 3), (0,)), ir.Variable("pc2", I(0, 3), (0,))),
        tuple(ts), final=conj(B("eq", V("pc1"), L(3)), B("eq", V("pc2"), L(3))))


def assertion_fire() -> ir.Spec:
    """Use fires whenever x != 3 is required: x reaches 3 at depth 3, Use is enabled there."""
    return ir.Spec("assert_fire", "<ir>", (), (ir.Variable("x", I(0, 5), (0,)),), (
        T("Inc", (), B("lt", V("x"), L(5)), (U(V("x"), B("add", V("x"), L(1))),)),
        T("Use", (), B("ge", V("x"), L(0)), (),
          checks=(ir.Check(B("ne", V("x"), L(3)), "x must not be 3 in Use"),)),
    ), check_deadlock=False)


def assertion_reach() -> ir.Spec:
    """Wait is *at* its location when x == 2 but never enabled (flag stays false); a 'reach'
    check there fails at depth 2, a 'fire' check would never fail."""
    at = B("eq", V("x"), L(2))
    return ir.Spec("assert_reach", "<ir>", (), (
        ir.Variable("x", I(0, 5), (0,)), ir.Variable("flag", BOOL, (0,))), (
        T("Inc", (), B("lt", V("x"), L(5)), (U(V("x"), B("add", V("x"), L(1))),)),
        T("Wait", (), conj(at, V("flag")), (U(V("x"), L(0)),), at=at,
          checks=(ir.Check(L(0, BOOL), "Wait reached", "assertion", "reach"),
                  ir.Check(L(0, BOOL), "Wait fired", "assertion", "fire"))),
    ), check_deadlock=False)


def range_overflow(hi: int) -> ir.Spec:
    """An unguarded increment of x: 0..hi leaves the range from x == hi, at depth hi."""
    return ir.Spec("range", "<ir>", (), (ir.Variable("x", I(0, hi), (0,)),),
                   (T("Inc", (), TT(), (U(V("x"), B("add", V("x"), L(1))),)),),
                   check_deadlock=False)


def wrap_counter() -> ir.Spec:
    """seq: wrap 0..3 and n: 0..10 step together; seq is back to 0 with n == 4 at depth 4
    (without wrap it would be a range violation at depth 3)."""
    return ir.Spec("wrap", "<ir>", (), (
        ir.Variable("seq", I(0, 3, wrap=True), (0,)), ir.Variable("n", I(0, 10), (0,))),
        (T("Step", (), B("lt", V("n"), L(10)),
           (U(V("seq"), B("add", V("seq"), L(1))), U(V("n"), B("add", V("n"), L(1))))),),
        invariants=(ir.Invariant("seq_moves", B("or", B("ne", V("seq"), L(0)),
                                               B("eq", V("n"), L(0)))),),
        check_deadlock=False)


def same_depth(with_invariant: bool) -> ir.Spec:
    """From p == 0, GoA and GoB lead to p == 1 / p == 2 at depth 1. At p == 1 Boom would set
    x: 0..1 to 5 (range), at p == 2 Chk's assertion fails, and (optionally) p == 2 breaks an
    invariant. Every violation is at depth 1: BMC must prefer invariant > check > range."""
    p, x = V("p"), V("x")
    invs = (ir.Invariant("never_b", B("ne", p, L(2))),) if with_invariant else ()
    return ir.Spec("same_depth", "<ir>", (), (
        ir.Variable("p", I(0, 2), (0,)), ir.Variable("x", I(0, 1), (0,))), (
        T("GoA", (), B("eq", p, L(0)), (U(p, L(1)),)),
        T("GoB", (), B("eq", p, L(0)), (U(p, L(2)),)),
        T("Boom", (), B("eq", p, L(1)), (U(x, L(5)),)),
        T("Chk", (), B("eq", p, L(2)), (U(x, L(1)),),
          checks=(ir.Check(L(0, BOOL), "Chk must not run"),)),
    ), invariants=invs, check_deadlock=False)


def inv_and_deadlock() -> ir.Spec:
    """x: 0..2 counts up and stops at 2, which breaks `x < 2` *and* deadlocks (depth 2):
    the invariant is preferred."""
    return ir.Spec("inv_dead", "<ir>", (), (ir.Variable("x", I(0, 2), (0,)),),
                   (T("Inc", (), B("lt", V("x"), L(2)), (U(V("x"), B("add", V("x"), L(1))),)),),
                   invariants=(ir.Invariant("below2", B("lt", V("x"), L(2))),))


def floor_divmod() -> ir.Spec:
    """x = -3 and y in {-2, 0, 2}; one step stores x div y and x mod y (floor semantics;
    the step is guarded by y != 0, as dividing by zero is a `domain` error). Floor gives (-3)//(-2) == 1 and (-3)%(-2) == -1 (Euclidean
    division would give 2 and 1): both invariants fail at depth 1, `q_ne_1` first."""
    return ir.Spec("divmod", "<ir>", (), (
        ir.Variable("x", I(-3, 3), (-3,)), ir.Variable("y", I(-2, 2), (-2, 0, 2)),
        ir.Variable("q", I(-5, 5), (5,)), ir.Variable("r", I(-5, 5), (5,))),
        (T("Div", (), B("and", B("eq", V("q"), L(5)), B("ne", V("y"), L(0))),
           (U(V("q"), B("div", V("x"), V("y"))), U(V("r"), B("mod", V("x"), V("y"))))),),
        invariants=(ir.Invariant("q_ne_1", B("ne", V("q"), L(1))),
                    ir.Invariant("r_ne_m1", B("ne", V("r"), L(-1)))),
        check_deadlock=False)


def set_rwsem(buggy: bool) -> ir.Spec:
    """Readers in a set[1..2], a writer flag. The buggy StartWrite only checks that reader 1
    is out: reader 2 enters (depth 1), the writer enters (depth 2) and `excl` fails."""
    Tid = I(1, 2)
    rd = V("readers")
    in_set = B("in", P("i"), rd)
    no_readers = (B("eq", ir.Unary("card", rd), L(0)) if not buggy
                  else NOT(B("in", L(1, Tid), rd)))
    return ir.Spec("set_rwsem", "<ir>", (), (
        ir.Variable("readers", ir.SetType(Tid), (frozenset(),)),
        ir.Variable("writer", BOOL, (0,))), (
        T("StartRead", (ir.Param("i", Tid),), conj(NOT(in_set), NOT(V("writer"))),
          (U(rd, B("union", rd, ir.SetLit(Tid, (P("i"),)))),)),
        T("EndRead", (ir.Param("i", Tid),), in_set,
          (U(rd, B("minus", rd, ir.SetLit(Tid, (P("i"),)))),)),
        T("StartWrite", (), conj(NOT(V("writer")), no_readers), (U(V("writer"), TT()),)),
        T("EndWrite", (), V("writer"), (U(V("writer"), L(0, BOOL)),)),
    ), invariants=(ir.Invariant("excl", B("implies", V("writer"),
                                          B("eq", ir.Unary("card", rd), L(0)))),),
        check_deadlock=False)


def rwsem_helpers(n: int, k: int) -> ir.Spec:
    """tests.irbuild.rwsem plus helper invariants tying the counters to the threads' pcs,
    which make `excl` (writer => no readers) inductive:
    readers == #{i : pc[i] == reading} and (writer == i) <=> (pc[i] == writing)."""
    from tests.irbuild import rwsem
    base = rwsem(n, k)
    Tid = I(1, n)
    Pc = base.variable("pc").type.value  # type: ignore[attr-defined]
    pc_i = ir.Index(V("pc"), P("i"))
    count = ir.Unary("card", ir.SetComp("i", Tid, B("eq", pc_i, L(1, Pc))))
    helpers = (
        ir.Invariant("readers_count", B("eq", V("readers"), count), helper=True),
        ir.Invariant("writer_pc", ir.Quant("forall", "i", Tid, B(
            "iff", B("eq", V("writer"), P("i")), B("eq", pc_i, L(2, Pc)))), helper=True),
    )
    return ir.Spec(base.name + "_helpers", base.file, base.consts, base.variables,
                   base.transitions, invariants=base.invariants + helpers,
                   check_deadlock=False)


def not_inductive(hi: int = 7) -> ir.Spec:
    """x: 0..hi (hi odd) steps by 2 from 0 and resets from hi-1: only even values are
    reachable, so `x != hi` holds. The step case can still walk the unreachable odd chain
    1, 3, ..., hi-2 -> hi, whose only simple windows are its suffixes: for hi = 7 the CTI at
    k = 2 is exactly 1, 3, 5, 7 and k = 3 proves it. The helper `x % 2 == 0` makes the
    property 0-inductive."""
    x = V("x")
    return ir.Spec("odd", "<ir>", (), (ir.Variable("x", I(0, hi), (0,)),), (
        T("Up", (), B("le", x, L(hi - 2)), (U(x, B("add", x, L(2))),)),
        T("Reset", (), B("eq", x, L(hi - 1)), (U(x, L(0)),)),
    ), invariants=(ir.Invariant("not_hi", B("ne", x, L(hi))),), check_deadlock=False)


def with_helper(spec: ir.Spec, name: str, expr: ir.Expr) -> ir.Spec:
    return ir.Spec(spec.name, spec.file, spec.consts, spec.variables, spec.transitions,
                   invariants=spec.invariants + (ir.Invariant(name, expr, helper=True),),
                   final=spec.final, check_deadlock=spec.check_deadlock)
