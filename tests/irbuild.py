"""Tiny specs built directly as IR, for engine and grounding tests (no parser involved)."""
from __future__ import annotations

from mmspec import ir

V = ir.VarRef
P = ir.ParamRef
INT = ir.IntType(-1000, 1000)
BOOL = ir.BoolType()


def B(op: str, a: ir.Expr, b: ir.Expr) -> ir.Binary:
    return ir.Binary(op, a, b)


def L(v: int, t: ir.Type = INT) -> ir.Lit:
    return ir.Lit(v, t)


def conj(*xs: ir.Expr) -> ir.Expr:
    out = xs[0]
    for x in xs[1:]:
        out = B("and", out, x)
    return out


def grid(k: int, m: int) -> ir.Spec:
    """K counters in 0..M, one increment action per counter: (M+1)^K states, depth K*M."""
    C = ir.IntType(1, k)
    inc = ir.Transition(
        "Inc", (ir.Param("i", C),),
        B("lt", ir.Index(V("c"), P("i")), L(m)),
        (ir.Update(ir.Index(V("c"), P("i")), B("add", ir.Index(V("c"), P("i")), L(1))),))
    return ir.Spec("grid", "<ir>", (("K", k), ("M", m)),
                   (ir.Variable("c", ir.MapType(C, ir.IntType(0, m)), ((0,) * k,)),),
                   (inc,), check_deadlock=False)


def rwsem(n: int, k: int) -> ir.Spec:
    """The bench rwsem model: (2(K+1))^N + N(K+1)^N distinct states."""
    Tid = ir.IntType(1, n)
    Pc = ir.EnumType("Pc", ("idle", "reading", "writing"))
    pc = lambda: ir.Index(V("pc"), P("i"))  # noqa: E731
    ops = lambda: ir.Index(V("ops"), P("i"))  # noqa: E731
    i = [ir.Param("i", Tid)]
    ts = (
        ir.Transition("StartRead", tuple(i), conj(B("eq", pc(), L(0, Pc)), B("eq", V("writer"), L(0))),
                      (ir.Update(pc(), L(1, Pc)), ir.Update(V("readers"), B("add", V("readers"), L(1))))),
        ir.Transition("EndRead", tuple(i), conj(B("eq", pc(), L(1, Pc)), B("lt", ops(), L(k))),
                      (ir.Update(pc(), L(0, Pc)), ir.Update(V("readers"), B("sub", V("readers"), L(1))),
                       ir.Update(ops(), B("add", ops(), L(1))))),
        ir.Transition("StartWrite", tuple(i),
                      conj(B("eq", pc(), L(0, Pc)), B("eq", V("writer"), L(0)), B("eq", V("readers"), L(0))),
                      (ir.Update(pc(), L(2, Pc)), ir.Update(V("writer"), P("i")))),
        ir.Transition("EndWrite", tuple(i), conj(B("eq", pc(), L(2, Pc)), B("lt", ops(), L(k))),
                      (ir.Update(pc(), L(0, Pc)), ir.Update(V("writer"), L(0)),
                       ir.Update(ops(), B("add", ops(), L(1))))),
    )
    return ir.Spec(
        "rwsem", "<ir>", (("N", n), ("K", k)),
        (ir.Variable("pc", ir.MapType(Tid, Pc), ((0,) * n,)),
         ir.Variable("ops", ir.MapType(Tid, ir.IntType(0, k)), ((0,) * n,)),
         ir.Variable("readers", ir.IntType(0, n), (0,)),
         ir.Variable("writer", ir.IntType(0, n), (0,))),
        ts,
        invariants=(ir.Invariant("excl", B("implies", B("ne", V("writer"), L(0)),
                                           B("eq", V("readers"), L(0)))),),
        check_deadlock=False)
