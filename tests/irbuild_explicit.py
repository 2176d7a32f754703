"""More tiny specs built directly as IR, for the explicit engine and the conformance cases.

`threads(...)` lowers straight-line thread programs the way docs/language.md describes
(per-thread program counters, a mutex as an `L.owner` variable holding a thread id or -1,
lock misuse as in-step checks), so lock-order and wait-for reports can be tested before the
front-end exists. Every count quoted in a docstring is derived by hand there.
"""
from __future__ import annotations

from typing import Sequence

from mmspec import ir
from tests.irbuild import BOOL, B, L, P, V, conj

Op = tuple  # ("lock", L) | ("unlock", L) | ("await", expr) | ("set", var, expr) | ("skip",)
# an op may carry extra simultaneous updates: ("unlock", "A", (("done", L(1)),))


def counter(hi: int = 5, bound: int = 5, inv_lt: int | None = None, deadlock: bool = False,
            wrap: bool = False, guard: bool = True) -> ir.Spec:
    """x in 0..hi, Inc: x' = x + 1 (when x < bound if guard). Optional invariant x < inv_lt."""
    X = ir.IntType(0, hi, wrap=wrap)
    g = B("lt", V("x"), L(bound)) if guard else ir.Lit(1, BOOL)
    invs = () if inv_lt is None else (ir.Invariant("small", B("lt", V("x"), L(inv_lt))),)
    return ir.Spec("counter", "<ir>", (), (ir.Variable("x", X, (0,)),),
                   (ir.Transition("Inc", (), g, (ir.Update(V("x"), B("add", V("x"), L(1))),)),),
                   invariants=invs, check_deadlock=deadlock)


def two_steps() -> ir.Spec:
    """A: x += 1, B: y += 2 (x, y in 0..4, guarded), invariant x + y < 4.

    Level 1: (1,0) (0,2). Level 2, in discovery order: (2,0) (1,2) (0,4): (0,4) is the first
    state that breaks the invariant, so the counterexample is exactly B, B (3 states).
    """
    X = ir.IntType(0, 4)
    ts = (ir.Transition("A", (), B("lt", V("x"), L(4)), (ir.Update(V("x"), B("add", V("x"), L(1))),)),
          ir.Transition("B", (), B("lt", V("y"), L(3)), (ir.Update(V("y"), B("add", V("y"), L(2))),)))
    return ir.Spec("two_steps", "<ir>", (), (ir.Variable("x", X, (0,)), ir.Variable("y", X, (0,))),
                   ts, invariants=(ir.Invariant("sum", B("lt", B("add", V("x"), V("y")), L(4))),),
                   check_deadlock=False)


def check_before_deeper_invariant() -> ir.Spec:
    """A shallow in-step assertion beats a deeper invariant found earlier in BFS order.

    x, y in 0..3. A: x += 1 (x < 3); B: y += 1 (y < 3) with `assert x == 0`. Invariant x < 2.
    Level 1 = [(1,0) by A, (0,1) by B]. Expanding (1,0): B fires with x == 1: the assertion
    fails in a level-1 state (trace of 2 states), before any level-2 invariant violation.
    """
    X = ir.IntType(0, 3)
    chk = ir.Check(B("eq", V("x"), L(0)), "x must be 0 when y moves")
    ts = (ir.Transition("A", (), B("lt", V("x"), L(3)), (ir.Update(V("x"), B("add", V("x"), L(1))),)),
          ir.Transition("B", (), B("lt", V("y"), L(3)), (ir.Update(V("y"), B("add", V("y"), L(1))),),
                        checks=(chk,)))
    return ir.Spec("check_first", "<ir>", (), (ir.Variable("x", X, (0,)), ir.Variable("y", X, (0,))),
                   ts, invariants=(ir.Invariant("x_small", B("lt", V("x"), L(2))),),
                   check_deadlock=False)


def sym_counters(n: int, m: int) -> ir.Spec:
    """N identical counters in 0..M keyed by a symmetric type.

    (M+1)^N states; under symmetry a state is a multiset of N values from M+1: C(N+M, N)
    orbits. Depth N*M either way.
    """
    T = ir.IntType(1, n, symmetric="T")
    inc = ir.Transition("Inc", (ir.Param("i", T),),
                        B("lt", ir.Index(V("c"), P("i")), L(m)),
                        (ir.Update(ir.Index(V("c"), P("i")),
                                   B("add", ir.Index(V("c"), P("i")), L(1))),))
    return ir.Spec("sym_counters", "<ir>", (("N", n), ("M", m)),
                   (ir.Variable("c", ir.MapType(T, ir.IntType(0, m)), ((0,) * n,)),),
                   (inc,), check_deadlock=False, symmetric=("T",))


def with_never(k: int = 2, m: int = 2) -> ir.Spec:
    """grid(k, m) plus an action whose guard never holds (x stays 0): it fires 0 times."""
    from tests.irbuild import grid
    g = grid(k, m)
    never = ir.Transition("Never", (), B("eq", ir.Index(V("c"), L(1, ir.IntType(1, k))), L(m + 5)),
                          (ir.Update(ir.Index(V("c"), L(1, ir.IntType(1, k))), L(0)),))
    return ir.Spec(g.name, g.file, g.consts, g.variables, g.transitions + (never,),
                   check_deadlock=False)


def multi_init() -> ir.Spec:
    """x in {0, 2} initially, Inc while x < 3: states 0..3, depth 2 (from 0 to 2, 1 more)."""
    X = ir.IntType(0, 3)
    return ir.Spec("multi_init", "<ir>", (), (ir.Variable("x", X, (0, 2)),),
                   (ir.Transition("Inc", (), B("lt", V("x"), L(3)),
                                  (ir.Update(V("x"), B("add", V("x"), L(1))),)),),
                   check_deadlock=False)


# --------------------------------------------------------------------------- threads & locks


def threads(progs: Sequence[tuple[str, Sequence[Op]]], locks: Sequence[str],
            extra_vars: Sequence[ir.Variable] = (), lock_order: bool = True,
            deadlock: bool = True, name: str = "threads") -> ir.Spec:
    """Straight-line threads over mutexes, lowered like the front-end does.

    Thread t has `pc_<proc>` in 0..len(prog) (len = done). A mutex L is `L.owner` in
    -1..T-1 (-1 = free). lock(L) at pc k: at pc == k, guard also L.owner == -1, sets owner; a
    reach check (kind deadlock) that the thread does not hold it already. unlock(L): an
    assertion that the thread holds it. A state where every thread is done is final.
    """
    T = len(progs)
    tids = ir.IntType(-1, T - 1, symmetric="@thread")
    variables: list[ir.Variable] = []
    transitions: list[ir.Transition] = []
    infos = tuple(ir.ThreadInfo(t, p, None, p) for t, (p, _) in enumerate(progs))
    for lk in locks:
        variables.append(ir.Variable(f"{lk}.owner", tids, (-1,), kind="lock"))
    finals = []
    for tid, (proc, prog) in enumerate(progs):
        pcv = f"pc_{proc}"
        variables.append(ir.Variable(pcv, ir.IntType(0, len(prog)), (0,), kind="pc", process=proc))
        finals.append(B("eq", V(pcv), L(len(prog))))
        for k, op in enumerate(prog):
            at = B("eq", V(pcv), L(k))
            ups = [ir.Update(V(pcv), L(k + 1))]
            kind = op[0]
            extra = ()
            guard: ir.Expr = at
            checks: tuple[ir.Check, ...] = ()
            acquires: tuple[ir.LockAcquire, ...] = ()
            releases: tuple = ()
            me = L(tid, tids)
            if kind == "lock":
                lk = op[1]
                owner = V(f"{lk}.owner")
                guard = conj(at, B("eq", owner, L(-1, tids)))
                ups.append(ir.Update(owner, me))
                checks = (ir.Check(B("ne", owner, me), f"recursive locking of {lk}",
                                   kind="deadlock", when="reach"),)
                acquires = (ir.LockAcquire(lk, None, "write"),)
                extra = op[2] if len(op) > 2 else ()
                label = f"lock_{lk}"
            elif kind == "unlock":
                lk = op[1]
                owner = V(f"{lk}.owner")
                ups.append(ir.Update(owner, L(-1, tids)))
                checks = (ir.Check(B("eq", owner, me), f"releasing {lk}, which is not held"),)
                releases = ((lk, None),)
                extra = op[2] if len(op) > 2 else ()
                label = f"unlock_{lk}"
            elif kind == "await":
                guard = conj(at, op[1])
                label = "await"
            elif kind == "set":
                ups.append(ir.Update(V(op[1]), op[2]))
                label = f"set_{op[1]}"
            else:
                label = "skip"
            for var, val in extra:
                ups.append(ir.Update(V(var), val))
            label = f"{label}{k}"
            transitions.append(ir.Transition(
                f"{proc}.{label}", (), guard, tuple(ups), at=at, checks=checks, process=proc,
                label=label, thread=L(tid, tids), acquires=acquires, releases=releases))
    lock_infos = tuple(ir.LockInfo(lk, "mutex", lk, f"{lk}.owner") for lk in locks)
    return ir.Spec(name, "<ir>", (), tuple(variables) + tuple(extra_vars), tuple(transitions),
                   locks=lock_infos, threads=infos, final=conj(*finals),
                   check_deadlock=deadlock, check_lock_order=lock_order)


def abba(lock_order: bool = True) -> ir.Spec:
    """t1: lock A; lock B; unlock B; unlock A.  t2: lock B; lock A; unlock A; unlock B.

    Level 1: [t1 holds A, t2 holds B]. Expanding t1-holds-A, t1 takes B: edge A -> B; expanding
    t2-holds-B, t2 takes A: edge B -> A closes the cycle (lock-order, trace of 3 states).
    Without lock order: the deadlock state (A by t1, B by t2) is the 2nd state of level 2,
    reached from t1-holds-A by t2: lock B (3 states); the 1st (t1 holds both) can go on.
    """
    return threads([("t1", [("lock", "A"), ("lock", "B"), ("unlock", "B"), ("unlock", "A")]),
                    ("t2", [("lock", "B"), ("lock", "A"), ("unlock", "A"), ("unlock", "B")])],
                   ["A", "B"], lock_order=lock_order, name="abba")


def abba_serialised() -> ir.Spec:
    """ABBA, but t2 waits for t1 to finish (a `done` flag): no deadlock, still a lock-order
    cycle. States: t1 at pc 0..4 with t2 waiting (5), then t2 at pc 1..5 with t1 done (5):
    10 states, depth 9. The edge B -> A is first made from the state at depth 6 (t2 holds B),
    so the lock-order trace has 8 states; A -> B from depth 1 (3 states)."""
    done = ir.Variable("done", BOOL, (0,))
    return threads(
        [("t1", [("lock", "A"), ("lock", "B"), ("unlock", "B"),
                 ("unlock", "A", (("done", ir.Lit(1, BOOL)),))]),
         ("t2", [("await", V("done")), ("lock", "B"), ("lock", "A"), ("unlock", "A"),
                 ("unlock", "B")])],
        ["A", "B"], extra_vars=[done], name="abba_serialised")


def recursive() -> ir.Spec:
    """t1: lock A; lock A. The second acquire is a self-deadlock at depth 1 (2 states)."""
    return threads([("t1", [("lock", "A"), ("lock", "A")])], ["A"], name="recursive")


def unlock_unheld() -> ir.Spec:
    """t1: unlock A without holding it: an assertion in the initial state (1 state)."""
    return threads([("t1", [("unlock", "A")])], ["A"], name="unlock_unheld")


def three_cycle(lock_order: bool = False) -> ir.Spec:
    """Dining philosophers with 3 forks: t_i takes F_i then F_(i+1 mod 3)."""
    progs = []
    for i in range(3):
        a, b = f"F{i}", f"F{(i + 1) % 3}"
        progs.append((f"p{i}", [("lock", a), ("lock", b), ("unlock", b), ("unlock", a)]))
    return threads(progs, ["F0", "F1", "F2"], lock_order=lock_order, name="philosophers")
