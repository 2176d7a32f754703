"""The kernel's atomic, refcount and bit operations, by their kernel names (issue 15 item 2).

One table (`OPS`) says, per operation: its arguments in the kernel's order and which of them
are lvalues (the object `&v`, an out-parameter `&old`), what it returns, whether it is one
atomic step, and its memory ordering (relaxed/acquire/release/full: read by the weak-memory
mode; under the default sequentially consistent semantics it changes nothing). Each
operation's meaning is a simultaneous update over the pre-state plus the checks the kernel
WARNs on, so a call lowers to ordinary statements the rest of the front-end already knows:

    atomic_inc(&v)                    ->  v := v + 1
    ok := atomic_dec_and_test(&v)     ->  ok, v := v - 1 == 0, v - 1
    ok := try_cmpxchg(&v, &old, new)  ->  ok, v, old := v == old, (if v == old then new
                                              else v), (if v == old then old else v)
    refcount_inc(&r)                  ->  atomic { assert r != 0 (kind refcount); r := r + 1 }
    if refcount_dec_and_test(&r) { A } else { B }
                                      ->  if r == 1 { <the dec>; A } else { <the dec>; B }

The last form is how C reads: the test of an `if` merges into the first step of its branch,
so the decrement and the branch decision are one step, and A's first statement is the next.
A `while op(...)` tests with the op at every iteration, one step each (mmspec/kernelexpand.py).
A call anywhere else in an expression is an error (MMS315, from the type checker): an atomic
operation is a step, not a value. `mmspec.kernelexpand` rewrites every call in processes and
procs before name resolution; a spec's own `proc` of the same name wins.

refcount_t's checks are the kernel's (lib/refcount.c, refcount_warn_saturate): an addition
on 0, a decrement that hits 0 (`refcount_dec`), an underflow, and an addition past INT_MAX
(the saturation point) are violations of kind `refcount`, with the kernel's WARN text.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Callable, Literal, Sequence

from mmspec import syntax as S
from mmspec.diagnostics import Sink
from mmspec.ir import Span
from mmspec.operators import OpName

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, cheaper to create (start-up time)
    from mmspec.nodeclass import dataclass

Ordering = Literal["relaxed", "acquire", "release", "full"]
ArgKind = Literal["obj", "out", "val"]  # obj: the atomic object (&v); out: written (&old)
Returns = Literal["void", "int", "bool"]
Family = Literal["atomic", "refcount", "cmpxchg", "bitops"]

INT_MAX = 0x7FFFFFFF  # refcount_t saturates past it (REFCOUNT_SATURATED in the kernel)

# refcount_warn_saturate()'s messages, as REFCOUNT_WARN prints them
ADD_UAF = "refcount_t: addition on 0; use-after-free."
SUB_UAF = "refcount_t: underflow; use-after-free."
DEC_LEAK = "refcount_t: decrement hit 0; leaking memory."
SATURATED = "refcount_t: saturated; leaking memory."


@dataclass(frozen=True)
class Sem:
    """An operation's meaning over the pre-state: simultaneous updates of its lvalue
    arguments (by position), its result, and the conditions whose failure the kernel WARNs
    about (each with its message; kind `refcount`)."""

    updates: tuple[tuple[int, S.Expr], ...]
    result: S.Expr | None = None
    checks: tuple[tuple[S.Expr, str], ...] = ()


@dataclass(frozen=True)
class KernelOp:
    name: str
    args: tuple[ArgKind, ...]
    returns: Returns
    ordering: Ordering
    family: Family
    sem: Callable[["_B", Sequence[S.Expr]], Sem]
    atomic: bool = True  # one atomic step in the kernel (False: the non-atomic __set_bit)
    acquire_on_success: bool = False  # dec_and_test: release, and acquire when it hits 0
    doc: str = ""


class _B:
    """Builds syntax nodes located at the call (errors in them point at it)."""

    def __init__(self, span: Span):
        self.sp = span

    def n(self, v: int) -> S.Expr:
        return S.IntLit(v, span=self.sp) if v >= 0 else S.UnaryOp(
            "neg", S.IntLit(-v, span=self.sp), span=self.sp)

    def op(self, o: OpName, a: S.Expr, b: S.Expr) -> S.Expr:
        return S.BinOp(o, a, b, span=self.sp)

    def ite(self, c: S.Expr, a: S.Expr, b: S.Expr) -> S.Expr:
        return S.IfExpr(c, a, b, span=self.sp)

    def not_(self, a: S.Expr) -> S.Expr:
        return S.UnaryOp("not", a, span=self.sp)

    def bnot(self, a: S.Expr) -> S.Expr:
        return S.UnaryOp("bnot", a, span=self.sp)

    def add(self, a: S.Expr, b: S.Expr) -> S.Expr:
        return self.op("add", a, b)

    def sub(self, a: S.Expr, b: S.Expr) -> S.Expr:
        return self.op("sub", a, b)

    def bit(self, nr: S.Expr) -> S.Expr:
        return self.op("shl", self.n(1), nr)


# --------------------------------------------------------------------------- atomic_t

_RMW: dict[str, Callable[[_B, S.Expr, S.Expr], S.Expr]] = {
    "add": lambda b, v, i: b.add(v, i),
    "sub": lambda b, v, i: b.sub(v, i),
    "and": lambda b, v, i: b.op("band", v, i),
    "or": lambda b, v, i: b.op("bor", v, i),
    "xor": lambda b, v, i: b.op("bxor", v, i),
    "andnot": lambda b, v, i: b.op("band", v, b.bnot(i)),
}
_SUFFIX: dict[str, Ordering] = {"": "full", "_relaxed": "relaxed", "_acquire": "acquire",
                                "_release": "release"}


def _atomic_family(p: str) -> list[KernelOp]:
    """atomic_* / atomic_long_*: include/linux/atomic/atomic-instrumented.h, by name."""
    out: list[KernelOp] = []

    def op(name: str, args: tuple[ArgKind, ...], returns: Returns, ordering: Ordering,
           sem: Callable[[_B, Sequence[S.Expr]], Sem], doc: str) -> None:
        out.append(KernelOp(f"{p}_{name}", args, returns, ordering, "atomic", sem, doc=doc))

    op("read", ("obj",), "int", "relaxed", lambda b, a: Sem((), a[0]), "the value")
    op("read_acquire", ("obj",), "int", "acquire", lambda b, a: Sem((), a[0]), "the value")
    op("set", ("obj", "val"), "void", "relaxed", lambda b, a: Sem(((0, a[1]),)), "v = i")
    op("set_release", ("obj", "val"), "void", "release", lambda b, a: Sem(((0, a[1]),)),
       "v = i")
    for o in ("inc", "dec"):
        f = "add" if o == "inc" else "sub"
        op(o, ("obj",), "void", "relaxed", _rmw(f, 0, None, "none"),
           f"v {'+-'[o == 'dec']}= 1")
        for sfx, ordg in _SUFFIX.items():
            op(f"{o}_return{sfx}", ("obj",), "int", ordg, _rmw(f, 0, None, "new"),
               "the new value")
            op(f"fetch_{o}{sfx}", ("obj",), "int", ordg, _rmw(f, 0, None, "old"),
               "the old value")
        op(f"{o}_and_test", ("obj",), "bool", "full", _rmw(f, 0, None, "zero"),
           "whether the new value is 0")
    for f in _RMW:
        op(f, ("val", "obj"), "void", "relaxed", _rmw(f, 1, 0, "none"), f"v = v {f} i")
        for sfx, ordg in _SUFFIX.items():
            if f in ("add", "sub"):
                op(f"{f}_return{sfx}", ("val", "obj"), "int", ordg, _rmw(f, 1, 0, "new"),
                   "the new value")
            op(f"fetch_{f}{sfx}", ("val", "obj"), "int", ordg, _rmw(f, 1, 0, "old"),
               "the old value")
    op("sub_and_test", ("val", "obj"), "bool", "full",
       lambda b, a: Sem(((1, b.sub(a[1], a[0])),), b.op("eq", b.sub(a[1], a[0]), b.n(0))),
       "whether the new value is 0")
    op("add_negative", ("val", "obj"), "bool", "full",
       lambda b, a: Sem(((1, b.add(a[1], a[0])),), b.op("lt", b.add(a[1], a[0]), b.n(0))),
       "whether the new value is negative")
    op("inc_not_zero", ("obj",), "bool", "full",
       lambda b, a: _unless(b, a[0], b.n(1), b.n(0)), "added unless the value was 0")
    op("add_unless", ("obj", "val", "val"), "bool", "full",
       lambda b, a: _unless(b, a[0], a[1], a[2]), "added a unless the value was u")
    op("inc_unless_negative", ("obj",), "bool", "full",
       lambda b, a: Sem(((0, b.ite(b.op("ge", a[0], b.n(0)), b.add(a[0], b.n(1)), a[0])),),
                        b.op("ge", a[0], b.n(0))), "incremented unless negative")
    op("dec_unless_positive", ("obj",), "bool", "full",
       lambda b, a: Sem(((0, b.ite(b.op("le", a[0], b.n(0)), b.sub(a[0], b.n(1)), a[0])),),
                        b.op("le", a[0], b.n(0))), "decremented unless positive")
    op("dec_if_positive", ("obj",), "int", "full",
       lambda b, a: Sem(((0, b.ite(b.op("gt", a[0], b.n(0)), b.sub(a[0], b.n(1)), a[0])),),
                        b.sub(a[0], b.n(1))),
       "old - 1; decremented only if that is >= 0")
    for sfx, ordg in _SUFFIX.items():
        op(f"xchg{sfx}", ("obj", "val"), "int", ordg, _xchg, "the old value")
        op(f"cmpxchg{sfx}", ("obj", "val", "val"), "int", ordg, _cmpxchg, "the old value")
        op(f"try_cmpxchg{sfx}", ("obj", "out", "val"), "bool", ordg, _try_cmpxchg,
           "whether it swapped; on failure *old = the value")
    return out


SemFn = Callable[[_B, Sequence[S.Expr]], Sem]


def _rmw(f: str, obj: int, amount: int | None,
         result: Literal["none", "new", "old", "zero"]) -> SemFn:
    """v = v OP i (i = 1 without an amount argument), returning nothing, the new value, the
    old value or whether the new value is 0."""
    def sem(b: _B, a: Sequence[S.Expr]) -> Sem:
        v = a[obj]
        new = _RMW[f](b, v, b.n(1) if amount is None else a[amount])
        res = {"none": None, "new": new, "old": v, "zero": b.op("eq", new, b.n(0))}[result]
        return Sem(((obj, new),), res)
    return sem


def _unless(b: _B, v: S.Expr, i: S.Expr, u: S.Expr) -> Sem:
    ok = b.op("ne", v, u)
    return Sem(((0, b.ite(ok, b.add(v, i), v)),), ok)


def _xchg(b: _B, a: Sequence[S.Expr]) -> Sem:
    return Sem(((0, a[1]),), a[0])


def _cmpxchg(b: _B, a: Sequence[S.Expr]) -> Sem:
    return Sem(((0, b.ite(b.op("eq", a[0], a[1]), a[2], a[0])),), a[0])


def _try_cmpxchg(b: _B, a: Sequence[S.Expr]) -> Sem:
    """try_cmpxchg(&v, &old, new): swap when v == old, else load v into old."""
    hit = b.op("eq", a[0], a[1])
    return Sem(((0, b.ite(hit, a[2], a[0])), (1, b.ite(hit, a[1], a[0]))), hit)


def _generic_cmpxchg() -> list[KernelOp]:
    """try_cmpxchg on any integer lvalue (the kernel's generic macro). The generic xchg and
    cmpxchg are memory-access primitives of mmspec.memops (they take part in the weak-memory
    mode): not repeated here."""
    return [KernelOp(f"try_cmpxchg{sfx}", ("obj", "out", "val"), "bool", ordg, "cmpxchg",
                     _try_cmpxchg, doc="whether it swapped; on failure *old = the value")
            for sfx, ordg in _SUFFIX.items()]


# --------------------------------------------------------------------------- refcount_t


def _add_checked(b: _B, r: S.Expr, i: S.Expr) -> tuple[tuple[S.Expr, str], ...]:
    """__refcount_add(): old == 0 WARNs addition-on-0, old < 0 || old + i past INT_MAX
    WARNs saturation."""
    return ((b.op("ne", r, b.n(0)), ADD_UAF),
            (b.op("and", b.op("ge", r, b.n(0)), b.op("le", b.add(r, i), b.n(INT_MAX))),
             SATURATED))


def _add_not_zero(b: _B, r: S.Expr, i: S.Expr, limit: S.Expr | None) -> tuple[
        S.Expr, S.Expr, tuple[tuple[S.Expr, str], ...]]:
    """__refcount_add_not_zero[_limited_acquire](): a try_cmpxchg loop that gives up at 0
    (and, limited, when i > limit - old); linearisable, so one atomic step."""
    ok = b.op("ne", r, b.n(0))
    if limit is not None:
        ok = b.op("and", ok, b.op("le", i, b.sub(limit, r)))
    sat = b.op("implies", ok, b.op("and", b.op("ge", r, b.n(0)),
                                   b.op("le", b.add(r, i), b.n(INT_MAX))))
    return ok, b.ite(ok, b.add(r, i), r), ((sat, SATURATED),)


def _sub_and_test(b: _B, r: S.Expr, i: S.Expr) -> tuple[S.Expr, tuple[tuple[S.Expr, str], ...]]:
    """__refcount_sub_and_test(): true when old == i > 0; old <= 0 or old - i < 0 WARNs."""
    hit = b.op("and", b.op("gt", r, b.n(0)), b.op("eq", r, i))
    ok = b.op("and", b.op("gt", r, b.n(0)), b.op("ge", b.sub(r, i), b.n(0)))
    return hit, ((ok, SUB_UAF),)


def _refcount_family() -> list[KernelOp]:
    """include/linux/refcount.h. `i` first where the kernel has it; `&old` (the __ forms)
    receives the value before the operation."""
    out: list[KernelOp] = []

    def op(name: str, args: tuple[ArgKind, ...], returns: Returns, ordering: Ordering,
           sem: Callable[[_B, Sequence[S.Expr]], Sem], doc: str, acq: bool = False) -> None:
        out.append(KernelOp(name, args, returns, ordering, "refcount", sem,
                            acquire_on_success=acq, doc=doc))

    op("refcount_read", ("obj",), "int", "relaxed", lambda b, a: Sem((), a[0]), "the value")
    op("refcount_set", ("obj", "val"), "void", "relaxed", lambda b, a: Sem(((0, a[1]),)),
       "r = n")
    op("refcount_set_release", ("obj", "val"), "void", "release",
       lambda b, a: Sem(((0, a[1]),)), "r = n")
    # (name, args, position of r, of i (None: 1), of &old (None: none))
    adds: list[tuple[str, tuple[ArgKind, ...], int, int | None, int | None]] = [
        ("refcount_inc", ("obj",), 0, None, None),
        ("refcount_add", ("val", "obj"), 1, 0, None),
        ("__refcount_inc", ("obj", "out"), 0, None, 1),
        ("__refcount_add", ("val", "obj", "out"), 1, 0, 2)]
    for name, args, ri, ii, oi in adds:
        def sem(b: _B, a: Sequence[S.Expr], ri: int = ri, ii: int | None = ii,
                oi: int | None = oi) -> Sem:
            i = b.n(1) if ii is None else a[ii]
            ups = ((ri, b.add(a[ri], i)),) + (((oi, a[ri]),) if oi is not None else ())
            return Sem(ups, None, _add_checked(b, a[ri], i))
        op(name, args, "void", "relaxed", sem, "r += i; WARN on 0 and past INT_MAX")
    # ... and of the limit (None: unlimited), and the ordering
    not_zero: list[tuple[str, tuple[ArgKind, ...], int, int | None, int | None, int | None,
                         Ordering]] = [
        ("refcount_inc_not_zero", ("obj",), 0, None, None, None, "relaxed"),
        ("refcount_add_not_zero", ("val", "obj"), 1, 0, None, None, "relaxed"),
        ("__refcount_inc_not_zero", ("obj", "out"), 0, None, 1, None, "relaxed"),
        ("__refcount_add_not_zero", ("val", "obj", "out"), 1, 0, 2, None, "relaxed"),
        ("refcount_inc_not_zero_acquire", ("obj",), 0, None, None, None, "acquire"),
        ("refcount_add_not_zero_acquire", ("val", "obj"), 1, 0, None, None, "acquire"),
        ("__refcount_inc_not_zero_limited_acquire", ("obj", "out", "val"), 0, None, 1, 2,
         "acquire"),
        ("__refcount_add_not_zero_limited_acquire", ("val", "obj", "out", "val"), 1, 0, 2, 3,
         "acquire")]
    for name, args, ri, ii, oi, li, ordg in not_zero:
        def sem2(b: _B, a: Sequence[S.Expr], ri: int = ri, ii: int | None = ii,
                 oi: int | None = oi, li: int | None = li) -> Sem:
            i = b.n(1) if ii is None else a[ii]
            ok, new, checks = _add_not_zero(b, a[ri], i, None if li is None else a[li])
            ups = ((ri, new),) + (((oi, a[ri]),) if oi is not None else ())
            return Sem(ups, ok, checks)
        op(name, args, "bool", ordg, sem2, "r += i unless r == 0" +
           (" or i > limit - r" if li is not None else "") + "; true if it added")
    decs: list[tuple[str, tuple[ArgKind, ...], int, int | None]] = [
        ("refcount_dec", ("obj",), 0, None), ("__refcount_dec", ("obj", "out"), 0, 1)]
    for name, args, ri, oi in decs:
        def sem3(b: _B, a: Sequence[S.Expr], ri: int = ri, oi: int | None = oi) -> Sem:
            ups = ((ri, b.sub(a[ri], b.n(1))),) + (((oi, a[ri]),) if oi is not None else ())
            return Sem(ups, None, ((b.op("gt", a[ri], b.n(1)), DEC_LEAK),))
        op(name, args, "void", "release", sem3, "r -= 1; WARN when it hits 0 (a leak)")
    subs: list[tuple[str, tuple[ArgKind, ...], int, int | None, int | None]] = [
        ("refcount_dec_and_test", ("obj",), 0, None, None),
        ("refcount_sub_and_test", ("val", "obj"), 1, 0, None),
        ("__refcount_dec_and_test", ("obj", "out"), 0, None, 1),
        ("__refcount_sub_and_test", ("val", "obj", "out"), 1, 0, 2)]
    for name, args, ri, ii, oi in subs:
        def sem4(b: _B, a: Sequence[S.Expr], ri: int = ri, ii: int | None = ii,
                 oi: int | None = oi) -> Sem:
            i = b.n(1) if ii is None else a[ii]
            hit, checks = _sub_and_test(b, a[ri], i)
            ups = ((ri, b.sub(a[ri], i)),) + (((oi, a[ri]),) if oi is not None else ())
            return Sem(ups, hit, checks)
        op(name, args, "bool", "release", sem4, "r -= i; true if it reached 0", acq=True)
    op("refcount_dec_if_one", ("obj",), "bool", "release",
       lambda b, a: Sem(((0, b.ite(b.op("eq", a[0], b.n(1)), b.n(0), a[0])),),
                        b.op("eq", a[0], b.n(1))), "1 -> 0 or nothing; true if it did")
    op("refcount_dec_not_one", ("obj",), "bool", "release",
       lambda b, a: Sem(((0, b.ite(b.op("ne", a[0], b.n(1)), b.sub(a[0], b.n(1)), a[0])),),
                        b.op("ne", a[0], b.n(1)), ((b.op("ne", a[0], b.n(0)), SUB_UAF),)),
       "r -= 1 unless r == 1; true if it did")
    return out


# --------------------------------------------------------------------------- bitops


def _bit_test(b: _B, a: Sequence[S.Expr]) -> S.Expr:
    return b.op("ne", b.op("band", a[1], b.bit(a[0])), b.n(0))


def _bit_sem(how: str, returns_old: bool) -> SemFn:
    """set/clear/change bit a[0] of the word a[1]; with returns_old, its value before."""
    def sem(b: _B, a: Sequence[S.Expr]) -> Sem:
        w, m = a[1], b.bit(a[0])
        new = (b.op("bor", w, m) if how == "set" else b.op("band", w, b.bnot(m))
               if how == "clear" else b.op("bxor", w, m))
        return Sem(((1, new),), _bit_test(b, a) if returns_old else None)
    return sem


def _bitops() -> list[KernelOp]:
    """include/asm-generic/bitops: (nr, &word). set/clear/change_bit are atomic RMWs without
    ordering; test_and_* are fully ordered; the __ forms are the non-atomic versions (plain
    read-modify-write, LIMITATION: one step here, see docs/kernel.md)."""
    out: list[KernelOp] = []

    for how in ("set", "clear", "change"):
        out.append(KernelOp(f"{how}_bit", ("val", "obj"), "void", "relaxed", "bitops",
                            _bit_sem(how, False), doc=f"{how} bit nr of the word"))
        out.append(KernelOp(f"__{how}_bit", ("val", "obj"), "void", "relaxed", "bitops",
                            _bit_sem(how, False), atomic=False,
                            doc=f"{how} bit nr, non-atomic"))
        out.append(KernelOp(f"test_and_{how}_bit", ("val", "obj"), "bool", "full", "bitops",
                            _bit_sem(how, True), doc=f"{how} bit nr; its old value"))
    out.append(KernelOp("clear_bit_unlock", ("val", "obj"), "void", "release", "bitops",
                        _bit_sem("clear", False), doc="clear, release"))
    out.append(KernelOp("test_and_set_bit_lock", ("val", "obj"), "bool", "acquire", "bitops",
                        _bit_sem("set", True), doc="set; its old value; acquire"))
    out.append(KernelOp("test_bit", ("val", "obj"), "bool", "relaxed", "bitops",
                        lambda b, a: Sem((), _bit_test(b, a)), doc="bit nr of the word"))
    return out


OPS: dict[str, KernelOp] = {o.name: o for o in (
    _atomic_family("atomic") + _atomic_family("atomic_long") + _generic_cmpxchg() +
    _refcount_family() + _bitops())}


# --------------------------------------------------------------------------- expansion


def meaning(op: KernelOp, args: Sequence[S.Expr], span: Span) -> Sem:
    """The operation's meaning over `args` (lvalues bare), its nodes located at `span`."""
    return op.sem(_B(span), args)


# What `memory = lkmm` can take from this table today: plain (relaxed) reads and writes, which
# lower to ordinary accesses, and fully ordered operations, which lower to one atomic step
# (a full barrier on both sides). A relaxed/acquire/release read-modify-write would also
# lower to an atomic step, i.e. be treated as fully ordered and hide reorderings LKMM allows,
# so it is refused (mmspec.memops has xchg/cmpxchg in every ordering).
LKMM_PLAIN = frozenset({"atomic_read", "atomic_long_read", "atomic_set", "atomic_long_set",
                        "refcount_read", "refcount_set", "test_bit"})


def refuse_unordered(used: Sequence[tuple[KernelOp, Span]], sink: Sink) -> None:
    """MMS315 for each operation whose memory ordering `memory = lkmm` does not model."""
    for op, span in used:
        if op.ordering != "full" and op.name not in LKMM_PLAIN:
            sink.error("MMS315", f"{op.name} under memory = lkmm: its {op.ordering} ordering "
                       "is not modelled yet (it would count as fully ordered and hide "
                       "reorderings LKMM allows)", span,
                       expected="a fully ordered or value-returning form, xchg/cmpxchg with "
                       "an ordering suffix, READ_ONCE/WRITE_ONCE, or memory = sc")
